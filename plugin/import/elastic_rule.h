// Imports Elastic detection rules (elastic/detection-rules TOML files with an
// EQL query) as a c2sieve ruleset: the rule's id, name, updated date,
// description, author, licence, risk score, severity, references and ATT&CK
// threat mapping, and its query through the EQL parser. Errors name the file
// and the line and column of the culprit.
//
// An import spec (format "c2sieve.import/1") adjusts the result where the
// project keeps its own words instead of upstream prose: the document's
// header ($schema, name, source), and per rule id the description, the tags
// a match adds, and node comments (replacing an upstream comment, or
// labelling the predicate on a field whose list contains a value, or the
// group holding it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "import/ruleset_writer.h"
#include "rules/rule_model.h"

namespace c2s::import {

struct CommentRule {
  std::string replace;   // an upstream comment to replace, or
  std::string field;     // the field of a predicate whose values
  std::string contains;  // contain this value
  bool parent = false;   // label the group holding that predicate instead
  std::string comment;   // the comment to set
};

struct RuleOverrides {
  std::string id;
  std::string description;        // "" keeps the rule's own
  std::vector<std::string> tags;  // empty: "c2sieve: <rule name, lower case>"
  std::vector<CommentRule> comments;
};

struct ImportSpec {
  OrderedJson header = OrderedJson::object();  // "name" defaults to "elastic"
  std::vector<RuleOverrides> rules;
};

absl::StatusOr<ImportSpec> ParseImportSpec(std::string_view text, const std::string& origin);

// The spec's overrides for r's id (description, tags, comments), if any.
void ApplySpec(const ImportSpec& spec, rules::Rule* r);

// One rule from a TOML file's text; `origin` names it in errors.
absl::StatusOr<rules::Rule> ImportElasticRule(std::string_view toml, const std::string& origin,
                                              const ImportSpec& spec);

// Rules from several TOML files (path, text) as one ruleset document.
absl::StatusOr<std::string> ImportElasticRuleset(
    const std::vector<std::pair<std::string, std::string>>& files, const ImportSpec& spec);

}  // namespace c2s::import
