// The library's options, in one table: their names (the CLI's long option
// names), values, ranges, choices and help. The C ABI's options builder,
// the CLI's engine options and every host wrapper's settings (Lua globals,
// Logstash script_params, Fluent Bit config keys) are this table, so an
// option added here is available, checked and documented everywhere.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rules/rule_model.h"
#include "runtime/engine_core.h"
#include "util/option_ranges.h"

namespace c2s::config {

enum class OptionKind {
  kText,    // any non-empty text (a path, a name)
  kFlag,    // true/false (also on/off, yes/no, 1/0)
  kNumber,  // a whole number within `range`
  kChoice,  // one of `choices`
};

// Who acts on an option: the engine (every front end), or the host around
// it (a wrapper or the library's own watcher and stats logger; the CLI,
// which reads files once, does not take these).
enum class OptionScope { kEngine, kHost };

struct OptionDef {
  std::string_view name;         // "exclusions", "max-event-bytes"
  std::string_view placeholder;  // "FILE", "N"; "" for a flag
  std::string_view help;         // lines wrapped by the author
  OptionKind kind = OptionKind::kText;
  OptionScope scope = OptionScope::kEngine;
  bool repeatable = false;       // each setting adds one value
  const OptionRange* range = nullptr;
  std::vector<std::string_view> choices;
  std::string_view default_text;  // what applies when unset ("" if nothing)
};

const std::vector<OptionDef>& OptionTable();

// The option a key names. Keys are compared without case, with '_' and '-'
// alike ("MAX_EVENT_BYTES", "max-event-bytes"), so each host may spell
// them its own way.
const OptionDef* FindOption(std::string_view key);

// The values set, checked as they are set.
class OptionValues {
 public:
  // InvalidArgument for an unknown key (naming the nearest key and listing
  // all), a value outside its range or choices, an empty value, a flag
  // value that is not a boolean, or a second value for an option that takes
  // one. A flag set with an empty value means true.
  absl::Status Set(std::string_view key, std::string_view value);

  bool IsSet(std::string_view name) const;
  // Every value of a repeatable option, in the order set.
  const std::vector<std::string>& All(std::string_view name) const;
  // The value set, else the default (a flag: "true" or "false").
  std::string Text(std::string_view name) const;
  bool Flag(std::string_view name) const;
  uint64_t Number(std::string_view name) const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

// Reads a configuration file for an option ("ruleset", "profiles",
// "exclusions"): the CLI passes one that names the kind of file it found
// when it is the wrong one.
using ConfigReader =
    std::function<absl::StatusOr<std::string>(const std::string& path, std::string_view option)>;
absl::StatusOr<std::string> ReadConfigFile(const std::string& path, std::string_view option);

// The engine options the values describe, with every ruleset and profile
// file loaded. Exclusions are loaded once into `exclusions` when
// `load_exclusions` (the CLI); a host watches them instead. The status
// code says which kind of input failed (see ConfigFailure).
struct LiveRulesetSetup {
  std::string source;                // as given: a path, file:// or http(s):// URL
  std::optional<rules::Ruleset> first;  // none: a URL its watcher fetches
  std::string hash;                  // ContentHash of the first version's bytes
  std::vector<std::string> notes;    // a feed's skipped entries, for the log
};
struct EngineSetup {
  runtime::EngineCore::Options options;
  std::unique_ptr<rules::ExclusionSet> exclusions;
  std::vector<LiveRulesetSetup> live;  // watch-ruleset, in order
  // For EngineCore::Create.
  std::vector<std::pair<std::string, std::optional<rules::Ruleset>>> LiveForCreate() const {
    std::vector<std::pair<std::string, std::optional<rules::Ruleset>>> out;
    for (const auto& l : live) out.emplace_back(l.source, l.first);
    return out;
  }
};
enum class ConfigFailure { kNone, kRuleset, kProfile, kExclusions };
absl::StatusOr<EngineSetup> BuildEngineSetup(const OptionValues& values, bool load_exclusions,
                                             const ConfigReader& read = ReadConfigFile,
                                             ConfigFailure* failed = nullptr,
                                             bool fetch_ruleset_urls = false);

// An option's name as a host spells its keys: "max-event-bytes" (CLI,
// Logstash) or "max_event_bytes" (Fluent Bit; Lua adds C2SIEVE_ and
// upper case).
enum class KeyStyle { kDashed, kUnderscored };
std::string KeyName(std::string_view name, KeyStyle style);

}  // namespace c2s::config
