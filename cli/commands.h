// The c2sieve command's subcommands and their shared option handling.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/arg_spec.h"
#include "config/options.h"
#include "runtime/engine_core.h"

namespace c2s::cli {

// Exit codes (documented in --help and the README).
enum ExitCode {
  kExitOk = 0,
  kExitInvalid = 1,  // check: a file is invalid; explain: no event; import:
                     // something refused or left out
  kExitUsage = 2,
  kExitConfig = 3,   // a ruleset or exclusions file failed to load
  kExitIo = 4,
};

// The engine options: the library's option table (config/options.h), as
// every host has them.
using EngineOptions = config::OptionValues;

// The engine options of parsed arguments (EngineOptionSpecs()).
absl::Status EngineOptionsFrom(const Args& args, EngineOptions* opts);

// Prints "c2sieve NAME: message" (bytes of files never echoed) and returns
// kExitUsage / `code`.
int Usage(const CommandSpec& spec, const absl::Status& error);
int Fail(const CommandSpec& spec, int code, const absl::Status& error);

// Builds the engine; watched rulesets (--watch-ruleset) are read once (a
// URL fetched now), and their sources and hashes go to *live if given.
absl::StatusOr<std::shared_ptr<runtime::EngineCore>> BuildEngine(
    const EngineOptions& opts, std::vector<config::LiveRulesetSetup>* live = nullptr);

int RunScan(const std::vector<std::string>& args);
int RunCheck(const std::vector<std::string>& args);
int RunExplain(const std::vector<std::string>& args);
int RunImport(const std::vector<std::string>& args);
int RunTune(const std::vector<std::string>& args);

}  // namespace c2s::cli
