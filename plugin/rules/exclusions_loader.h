// Loads an exclusions document (format "c2sieve.exclusions/1", schema in
// rulesets/schema/exclusions.schema.json). Each entry becomes a condition
// that the compiler adds to its rules as `and not (...)`.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rules/rule_model.h"

namespace c2s::rules {

// The shorthand keys an entry may use, each a dotted ECS field. Fields in
// this list are always part of an engine's field table, so exclusions can
// be swapped without changing field indices.
struct ExclusionField {
  const char* field;
  NodeKind kind;  // kWildcard, kEquals or kIsTrue
};
const ExclusionField* ExclusionFields(size_t* count);

absl::StatusOr<ExclusionSet> ParseExclusions(std::string_view text,
                                             const std::string& origin);

absl::StatusOr<ExclusionSet> LoadExclusionsFile(const std::string& path);

}  // namespace c2s::rules
