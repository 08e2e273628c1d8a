#include <cstdio>

#include "cli/commands.h"
#include "cli/file_kind.h"
#include "profiles/profile_loader.h"
#include "rules/exclusions_loader.h"
#include "rules/ruleset_loader.h"
#include "util/strings.h"

namespace c2s::cli {

void EngineOptionsFrom(const Args& args, EngineOptions* opts) {
  opts->builtin = args.Has("--builtin");
  opts->rulesets = args.Values("--ruleset");
  opts->exclusions = args.Value("--exclusions");
  opts->profile_files = args.Values("--profiles");
  opts->force_profile = args.Value("--profile");
  opts->enable_profiles = args.Values("--enable-profile");
  opts->parity = args.Has("--parity");
  opts->max_event_bytes = args.Number("--max-event-bytes", 0);
  opts->max_depth = static_cast<uint32_t>(args.Number("--max-depth", 0));
  opts->disabled_rules = args.Values("--disable-rule");
  opts->building_blocks_as_tags = args.Has("--building-blocks-as-tags");
}

absl::StatusOr<std::shared_ptr<runtime::EngineCore>> BuildEngine(
    const EngineOptions& opts) {
  runtime::EngineCore::Options o;
  o.builtin_rulesets = opts.builtin || opts.rulesets.empty();
  for (const auto& f : opts.rulesets) {
    auto text = ReadConfigFor(f, FileKind::kRuleset, "--ruleset");
    if (!text.ok()) return text.status();
    auto rs = rules::ParseRuleset(*text, f);
    if (!rs.ok()) return rs.status();
    o.rulesets.push_back(std::move(*rs));
  }
  for (const auto& f : opts.profile_files) {
    auto text = ReadConfigFor(f, FileKind::kProfiles, "--profiles");
    if (!text.ok()) return text.status();
    auto loaded = profiles::ParseProfiles(*text, f);
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
    auto text = ReadConfigFor(opts.exclusions, FileKind::kExclusions, "--exclusions");
    if (!text.ok()) return text.status();
    auto loaded = rules::ParseExclusions(*text, opts.exclusions);
    if (!loaded.ok()) return loaded.status();
    ex = std::move(*loaded);
    for (const auto& w : ex.warnings)
      std::fprintf(stderr, "c2sieve: warning: %s\n", SafeMessage(w).c_str());
    o.exclusions = &ex;
  }
  return runtime::EngineCore::Create(std::move(o));
}

int Fail(const CommandSpec& spec, int code, const absl::Status& error) {
  std::fprintf(stderr, "c2sieve %s: %s\n", std::string(spec.name).c_str(),
               SafeStatus(error).c_str());
  return code;
}

int Usage(const CommandSpec& spec, const absl::Status& error) {
  return Fail(spec, kExitUsage, error);
}

}  // namespace c2s::cli
