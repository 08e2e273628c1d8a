// The c2sieve command's subcommands and their shared option handling.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/arg_spec.h"
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

struct EngineOptions {
  std::vector<std::string> rulesets;  // replace the built-in unless --builtin
  bool builtin = false;
  std::string exclusions;
  std::vector<std::string> profile_files;  // added to the built-in profiles
  std::string force_profile;
  std::vector<std::string> enable_profiles;
  bool parity = false;
  size_t max_event_bytes = 0;  // 0: the library's default
  uint32_t max_depth = 0;
  std::vector<std::string> disabled_rules;
  bool building_blocks_as_tags = false;
};

// The engine options of parsed arguments (EngineOptionSpecs()).
void EngineOptionsFrom(const Args& args, EngineOptions* opts);

// Prints "c2sieve NAME: message" (bytes of files never echoed) and returns
// kExitUsage / `code`.
int Usage(const CommandSpec& spec, const absl::Status& error);
int Fail(const CommandSpec& spec, int code, const absl::Status& error);

absl::StatusOr<std::shared_ptr<runtime::EngineCore>> BuildEngine(
    const EngineOptions& opts);

int RunScan(const std::vector<std::string>& args);
int RunCheck(const std::vector<std::string>& args);
int RunExplain(const std::vector<std::string>& args);
int RunImport(const std::vector<std::string>& args);
int RunTune(const std::vector<std::string>& args);

}  // namespace c2s::cli
