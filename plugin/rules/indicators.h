// Threat-intelligence indicators in the rule model: reading a ruleset's
// "indicators" (ruleset_loader), and turning a feed's rule into what the
// compiler reads: its query plus one clause over the indicators in force
// at a given time. Indicators whose window (valid_from .. valid_until) has
// not begun or has ended are left out; the time of the next such change
// is returned, so a live engine recompiles then without a new push.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rules/json_reader.h"
#include "rules/rule_model.h"

namespace c2s::rules {

// RFC 3339 date-time ("2026-01-31T12:00:00Z", fractions and offsets
// allowed) to milliseconds since the epoch.
absl::StatusOr<int64_t> ParseTimestampMs(const std::string& text);

// The confidence words ECS uses (threat.indicator.confidence).
bool IsEcsConfidence(const std::string& word);
// A STIX 2.1 confidence number (0-100) as ECS words (STIX's None/Low/Med/High scale).
std::string ConfidenceWord(int64_t stix_confidence);

// Why `value` cannot be an indicator value ("" if it can): a domain name
// in the engine's canonical form, or "*." before one.
std::string IndicatorValueProblem(const std::string& value);

// Reads a rule's "indicators" object at `pointer`.
absl::Status ReadIndicators(const LoadContext& ctx, const Json& value,
                            const std::string& pointer, IndicatorSet* out);

struct ActiveRulesets {
  std::vector<Ruleset> rulesets;
  // When the active set changes next (an indicator's window opens or
  // closes); max() when never.
  int64_t next_change_ms = std::numeric_limits<int64_t>::max();
  size_t indicators_active = 0, indicators_inactive = 0;
  // Feed rules left out for having no indicator in force, by id.
  std::vector<std::string> idle_rules;
};

// The rulesets as compiled at `now_ms`: each feed rule's query gains the
// clause `field : (active values)`; a feed rule with none is left out;
// rulesets left empty are dropped.
ActiveRulesets Activate(const std::vector<Ruleset>& rulesets, int64_t now_ms);

}  // namespace c2s::rules
