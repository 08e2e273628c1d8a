// The compiled form of a set of rules, or of the exclusions in force for
// them: per-field Hyperscan databases and a predicate plan. Immutable once
// built and shared by every thread; each thread brings its own scratch (see
// evaluator.h). Rules and exclusions are compiled apart: a pushed exclusions
// version compiles only itself (milliseconds, whatever the size of the
// rules), and its databases are scanned only for events whose rule query
// held.
#pragma once

#include <hs/hs.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "util/strings.h"
#include "absl/status/statusor.h"
#include "engine/field_table.h"
#include "engine/literal_gate.h"
#include "engine/wildcard.h"
#include "rules/rule_model.h"

namespace c2s::engine {

enum class Op : uint8_t { kAll, kAny, kNot, kWildcard, kEquals, kExists, kIsTrue, kIsFalse };

struct PlanNode {
  Op op = Op::kAll;
  uint32_t slot = 0;       // predicates: the field
  uint32_t predicate = 0;  // kWildcard: wildcard predicate; kEquals: set
  std::vector<uint32_t> children;    // as written
  std::vector<uint32_t> eval_order;  // same children, cheapest first
  uint32_t cost = 0;
  std::string label;  // "dns.question.name : (88 patterns)", for explain
  std::string comment;
  std::string where;
};

// All wildcard patterns of one field, in one Hyperscan database.
struct FieldPatterns {
  struct DatabaseDeleter {
    void operator()(hs_database_t* db) const { hs_free_database(db); }
  };
  std::unique_ptr<hs_database_t, DatabaseDeleter> database;  // wildcards
  // `*lit`, `lit*`, `*lit*`: a literal-mode database (every occurrence
  // reported) and, per its ids, the pattern and where the literal must be.
  std::unique_ptr<hs_database_t, DatabaseDeleter> literal_database;
  struct PlacedLiteral {
    uint32_t pattern;
    uint32_t length;  // of the literal: a prefix ends there
    LiteralPlace place;
  };
  std::vector<PlacedLiteral> placed_literals;
  LiteralGate gate;  // in front of `database` and `literal_database`
  LiteralGate any_gate;  // every pattern but `*`: most values stop here
  // Patterns without * or ?: whole-value, so a hash look-up of the
  // lowercased value answers them without a scan.
  StringMap<std::vector<uint32_t>> literals;
  std::vector<bool> literal_lengths;  // which value lengths can hit one
  // The same for case-sensitive patterns (EQL `like`), by exact value.
  StringMap<std::vector<uint32_t>> exact_literals;
  std::vector<bool> exact_literal_lengths;
  std::vector<std::string> patterns;  // id -> text as written
  std::vector<bool> case_sensitive;   // id -> EQL `like` rather than `:`
  std::vector<std::vector<uint32_t>> predicates_of_pattern;  // id -> preds
  std::vector<uint32_t> everything_patterns;  // `*`: no scan needed
};

struct WildcardPredicate {
  uint32_t slot;
};

struct CompiledRule {
  rules::Rule rule;  // metadata (the query is compiled into the plan)
  // In a rules matcher, the rule's query. In an exclusions matcher, the
  // entries that apply to the rule of the same index (an `any`), or kNoNode
  // when none does.
  static constexpr uint32_t kNoNode = UINT32_MAX;
  uint32_t root = kNoNode;
  // Wildcard predicates that speak for a match (not under an odd number of
  // `not`): their matched pattern is what the match reports.
  std::vector<uint32_t> reported_predicates;
};

class CompiledMatcher {
 public:
  // Compiles rules against a fixed field table. Fails (with the file, line
  // and pointer of the culprit) on a field outside the table, a duplicate
  // rule id or a pattern Hyperscan refuses.
  static absl::StatusOr<std::shared_ptr<const CompiledMatcher>> CompileRules(
      const FieldTable& fields, const std::vector<rules::Ruleset>& rulesets);
  // Compiles exclusions for the rules of `rules` (one entry per rule, same
  // order). Fails likewise, and on an entry naming a rule that is not loaded.
  static absl::StatusOr<std::shared_ptr<const CompiledMatcher>> CompileExclusions(
      const CompiledMatcher& rules, const rules::ExclusionSet& exclusions);

  const FieldTable& fields() const { return fields_; }
  const std::vector<PlanNode>& nodes() const { return nodes_; }
  const std::vector<CompiledRule>& rules() const { return rules_; }
  const std::vector<WildcardPredicate>& wildcard_predicates() const {
    return wildcard_predicates_;
  }
  // Per slot; empty patterns when the field has no wildcard predicate.
  const std::vector<FieldPatterns>& field_patterns() const {
    return field_patterns_;
  }
  // kEquals values: a short list is compared directly, a long one hashed.
  struct EqualsValues {
    std::vector<std::string> small;
    StringSet large;
    bool case_insensitive = false;  // values stored ASCII-lowercased
    bool Contains(std::string_view v) const {
      if (large.empty()) {
        for (const std::string& s : small)
          if (s.size() == v.size() && !v.empty() && s[0] == v[0] &&
              std::memcmp(s.data(), v.data(), v.size()) == 0)
            return true;
        return false;
      }
      return large.contains(v);
    }
  };
  const EqualsValues& equals_values(uint32_t i) const {
    return equals_sets_[i];
  }
  // A scratch prototype big enough for every database here.
  hs_scratch_t* scratch_prototype() const { return scratch_prototype_.get(); }

 private:
  struct ScratchDeleter {
    void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
  };
  FieldTable fields_;
  std::vector<PlanNode> nodes_;
  std::vector<CompiledRule> rules_;
  std::vector<WildcardPredicate> wildcard_predicates_;
  std::vector<FieldPatterns> field_patterns_;
  std::vector<EqualsValues> equals_sets_;
  std::unique_ptr<hs_scratch_t, ScratchDeleter> scratch_prototype_;

  friend class MatcherBuilder;
};

}  // namespace c2s::engine
