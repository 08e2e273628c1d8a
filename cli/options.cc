#include "util/option_ranges.h"
#include "util/strings.h"
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "rules/exclusions_loader.h"
#include "rules/ruleset_loader.h"
#include "profiles/profile_loader.h"

namespace c2s::cli {

bool ParseEngineOption(const std::vector<std::string>& args, size_t* i,
                       EngineOptions* opts, std::string* error) {
  const std::string& a = args[*i];
  auto value = [&](std::string* dst) {
    if (*i + 1 >= args.size()) {
      *error = a + " needs a file";
      return true;
    }
    *dst = args[++*i];
    return true;
  };
  if (a == "--builtin") {
    opts->builtin = true;
    return true;
  }
  if (a == "--ruleset") {
    std::string f;
    value(&f);
    if (!f.empty()) opts->rulesets.push_back(f);
    return true;
  }
  if (a == "--exclusions") return value(&opts->exclusions);
  if (a == "--profile") return value(&opts->force_profile);
  if (a == "--max-event-bytes" || a == "--max-depth") {
    std::string v;
    value(&v);
    const OptionRange& range = a == "--max-depth" ? kMaxDepth : kMaxEventBytes;
    uint64_t n = 0;
    if (auto st = ParseInRange(range, v, &n); !st.ok()) {
      *error = Cat("--", st.message());
    } else if (a == "--max-depth") {
      opts->max_depth = static_cast<uint32_t>(n);
    } else {
      opts->max_event_bytes = static_cast<size_t>(n);
    }
    return true;
  }
  if (a == "--parity") {
    opts->parity = true;
    return true;
  }
  if (a == "--disable-rule") {
    std::string v;
    value(&v);
    if (!v.empty()) opts->disabled_rules.push_back(v);
    return true;
  }
  if (a == "--building-blocks-as-tags") {
    opts->building_blocks_as_tags = true;
    return true;
  }
  if (a == "--profiles" || a == "--enable-profile") {
    std::string v;
    value(&v);
    if (!v.empty())
      (a == "--profiles" ? opts->profile_files : opts->enable_profiles).push_back(v);
    return true;
  }
  return false;
}

absl::StatusOr<std::shared_ptr<runtime::EngineCore>> BuildEngine(
    const EngineOptions& opts) {
  runtime::EngineCore::Options o;
  o.builtin_rulesets = opts.builtin || opts.rulesets.empty();
  for (const auto& f : opts.rulesets) {
    auto rs = rules::LoadRulesetFile(f);
    if (!rs.ok()) return rs.status();
    o.rulesets.push_back(std::move(*rs));
  }
  for (const auto& f : opts.profile_files) {
    auto loaded = profiles::LoadProfilesFile(f);
    if (!loaded.ok()) return loaded.status();
    for (auto& p : *loaded) o.profiles.push_back(std::move(p));
  }
  o.disabled_rules = opts.disabled_rules;
  o.building_blocks_as_tags = opts.building_blocks_as_tags;
  o.force_profile = opts.force_profile;
  o.enable_profiles = opts.enable_profiles;
  o.mode = opts.parity ? event::MatchMode::kParity : event::MatchMode::kCanonical;
  if (opts.max_event_bytes) o.limits.max_event_bytes = opts.max_event_bytes;
  if (opts.max_depth) o.limits.max_depth = opts.max_depth;
  rules::ExclusionSet ex;
  if (!opts.exclusions.empty()) {
    auto loaded = rules::LoadExclusionsFile(opts.exclusions);
    if (!loaded.ok()) return loaded.status();
    ex = std::move(*loaded);
    for (const auto& w : ex.warnings) std::fprintf(stderr, "c2sieve: warning: %s\n", w.c_str());
    o.exclusions = &ex;
  }
  return runtime::EngineCore::Create(std::move(o));
}

}  // namespace c2s::cli
