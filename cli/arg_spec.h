// Each subcommand's options as data: one table gives the parser, the
// per-subcommand --help, "did you mean" for typos, and range checks for
// numbers. (Debian's CLI11 would do the parsing but not the suggestions,
// and the Debian 11 portable build would need a second version of it.)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "util/nearest.h"
#include "util/option_ranges.h"

namespace c2s::cli {

struct OptionSpec {
  std::string_view name;   // "--exclusions", "-o"
  std::string_view alias;  // "--output", or ""
  std::string_view value;  // "" for a flag, else its placeholder ("FILE")
  std::string_view help;   // one line or more, wrapped by the author
  bool repeatable = false;
  const OptionRange* range = nullptr;   // whole numbers in this range
  std::vector<std::string_view> choices;  // the only values allowed
};

struct CommandSpec {
  std::string_view name;      // "scan", "import sigma"
  std::string_view operands;  // "[FILE|-]"
  std::string_view brief;     // one line, for `c2sieve --help`
  std::string_view summary;   // what it does
  std::vector<OptionSpec> options;
  bool engine_options = false;  // also takes the engine options
  size_t min_operands = 0, max_operands = 1;
  std::string_view notes;     // exit codes and the like, after the options
};

// The options shared by scan, explain and tune (--ruleset, --exclusions ...).
const std::vector<OptionSpec>& EngineOptionSpecs();

class Args {
 public:
  bool Has(std::string_view name) const;
  // The last value given (an option given twice that is not repeatable is
  // an error at parse time), or `fallback`.
  std::string Value(std::string_view name, std::string fallback = "") const;
  std::vector<std::string> Values(std::string_view name) const;
  uint64_t Number(std::string_view name, uint64_t fallback) const;
  const std::vector<std::string>& operands() const { return operands_; }

 private:
  friend absl::StatusOr<Args> ParseArgs(const CommandSpec&, const std::vector<std::string>&);
  std::vector<std::pair<std::string, std::string>> given_;  // canonical name, value
  std::vector<std::string> operands_;
  std::vector<std::pair<std::string, uint64_t>> numbers_;
};

// Parses args against the spec (engine options included when it takes
// them). The error is one line that says what to do: the unknown option
// and the nearest known one, the value missing, the range, the choices.
absl::StatusOr<Args> ParseArgs(const CommandSpec& spec, const std::vector<std::string>& args);

// True when args ask for help (-h, --help).
bool WantsHelp(const std::vector<std::string>& args);

// The subcommand's help: usage, summary, its options, the engine options
// when it takes them, notes.
std::string HelpText(const CommandSpec& spec);

// An option's help as --help shows it: its text, then its range and
// whether it repeats (the man pages show the same).
std::string OptionHelp(const OptionSpec& o);

// A subcommand's own options, then the engine options if it takes them.
std::vector<const OptionSpec*> OptionsOf(const CommandSpec& spec);

// Nearest (util/nearest.h): "did you mean" for options and subcommands.
using ::c2s::Nearest;

}  // namespace c2s::cli
