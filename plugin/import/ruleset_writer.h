// Writes the rule model back as a ruleset document (format
// "c2sieve.ruleset/1"), for the importers: what they write is what
// ruleset_loader reads.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

#include "rules/rule_model.h"

namespace c2s::import {

using OrderedJson = nlohmann::ordered_json;

OrderedJson NodeToJson(const rules::Node& node);
OrderedJson IndicatorsToJson(const rules::IndicatorSet& set);
OrderedJson RuleToJson(const rules::Rule& rule);

// A whole document: `header` holds the keys before "rules" ($schema, name,
// source ...), in order; "format" is set here. Fails if a string is not
// valid UTF-8 (JSON cannot carry it, and replacing bytes would change a
// pattern).
absl::StatusOr<std::string> RulesetDocument(const OrderedJson& header,
                                            const std::vector<rules::Rule>& rules);

}  // namespace c2s::import
