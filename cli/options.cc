#include <cstdio>

#include "cli/commands.h"
#include "cli/file_kind.h"
#include "profiles/profile_loader.h"
#include "rules/exclusions_loader.h"
#include "rules/ruleset_loader.h"
#include "util/strings.h"

namespace c2s::cli {

absl::Status EngineOptionsFrom(const Args& args, EngineOptions* opts) {
  for (const auto& d : config::OptionTable()) {
    if (d.scope != config::OptionScope::kEngine) continue;
    std::string flag = Cat("--", d.name);
    if (d.kind == config::OptionKind::kFlag) {
      if (args.Has(flag))
        if (auto st = opts->Set(d.name, "true"); !st.ok()) return st;
      continue;
    }
    for (const auto& v : args.Values(flag))
      if (auto st = opts->Set(d.name, v); !st.ok()) return st;
  }
  // --parity: the CLI's shorthand for --mode parity.
  if (args.Has("--parity") && !args.Has("--mode"))
    if (auto st = opts->Set("mode", "parity"); !st.ok()) return st;
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<runtime::EngineCore>> BuildEngine(
    const EngineOptions& opts, std::vector<config::LiveRulesetSetup>* live) {
  // Reads each file the way the CLI does: a file of the wrong kind is named.
  auto read = [](const std::string& path, std::string_view option) {
    FileKind kind = option == "ruleset"    ? FileKind::kRuleset
                    : option == "profiles" ? FileKind::kProfiles
                                           : FileKind::kExclusions;
    return ReadConfigFor(path, kind, Cat("--", option));
  };
  auto setup = config::BuildEngineSetup(opts, true, read, nullptr, /*fetch_ruleset_urls=*/true);
  if (!setup.ok()) return setup.status();
  if (setup->exclusions)
    for (const auto& w : setup->exclusions->warnings)
      std::fprintf(stderr, "c2sieve: warning: %s\n", SafeMessage(w).c_str());
  for (const auto& l : setup->live)
    for (const auto& note : l.notes) std::fprintf(stderr, "c2sieve: warning: %s\n", SafeMessage(note).c_str());
  auto core = runtime::EngineCore::Create(std::move(setup->options), setup->LiveForCreate());
  if (live) *live = std::move(setup->live);
  return core;
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
