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

// Budgets that keep a push cheap to compile on every shipper (10,000
// patterns compile in about 4 s on 2 cores; 20,000 in 9 s), checked before
// anything is compiled. A refusal names the limit.
inline constexpr size_t kMaxExclusionsBytes = size_t{16} << 20;
inline constexpr size_t kMaxExclusionPatterns = 10000;
inline constexpr size_t kMaxExclusionPatternBytes = size_t{1} << 20;

// An entry must pin at least one narrow anchor, or it is refused as one
// that would blind the rule (unless the entry says "allow_catch_all"):
//   - dns.question.name: every pattern, less a leading "*." or "*", is
//     literal and has a dot between non-empty labels ("*.ngrok.io");
//   - process.executable: every pattern ends in a literal file name;
//   - process.name: every value is literal;
//   - user.id: an exact id;
//   - process.code_signature.subject_name: every pattern starts with at
//     least 4 literal characters, together with trusted: true.
// Anchors count when they are part of the entry's conjunction (shorthand
// keys, or `when` conditions reached through "all"); an "any" counts only
// if each branch is anchored; nothing under "not" counts.
bool HasNarrowAnchor(const Node& condition);

absl::StatusOr<ExclusionSet> ParseExclusions(std::string_view text,
                                             const std::string& origin);

absl::StatusOr<ExclusionSet> LoadExclusionsFile(const std::string& path);

}  // namespace c2s::rules
