#include "util/strings.h"
#include "cli/commands.h"
#include "rules/exclusions_loader.h"
#include "rules/ruleset_loader.h"

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
  rules::ExclusionSet ex;
  if (!opts.exclusions.empty()) {
    auto loaded = rules::LoadExclusionsFile(opts.exclusions);
    if (!loaded.ok()) return loaded.status();
    ex = std::move(*loaded);
    o.exclusions = &ex;
  }
  return runtime::EngineCore::Create(std::move(o));
}

}  // namespace c2s::cli
