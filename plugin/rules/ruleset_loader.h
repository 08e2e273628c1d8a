// Loads a ruleset document (format "c2sieve.ruleset/1", schema in
// rulesets/schema/ruleset.schema.json) into the rule model.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rules/rule_model.h"

namespace c2s::rules {

// `origin` labels errors (a file path or a buffer name).
absl::StatusOr<Ruleset> ParseRuleset(std::string_view text,
                                     const std::string& origin);

absl::StatusOr<Ruleset> LoadRulesetFile(const std::string& path);

// The rulesets compiled into the library (rulesets/elastic/*.json).
// The built-in rulesets: Elastic's Windows rule "Connection to Commonly
// Abused Web Services" (BuiltinRuleset) and its Linux building-block
// companion "DNS to Commonly Abused Web Services" (BuiltinLinuxRuleset).
absl::StatusOr<Ruleset> BuiltinRuleset();
absl::StatusOr<Ruleset> BuiltinLinuxRuleset();
absl::StatusOr<std::vector<Ruleset>> BuiltinRulesets();

}  // namespace c2s::rules
