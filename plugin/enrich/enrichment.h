// What a match adds to an event, as ECS leaves ("rule.name" -> JSON value).
// Per-rule leaves are rendered once per matcher version; a verdict combines
// the matched rules' leaves with the matched patterns (c2sieve.matches).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/compiled_matcher.h"
#include "engine/evaluator.h"

namespace c2s::enrich {

// How a leaf combines when several rules match one event.
enum class Merge {
  kScalar,      // one value; several distinct values become an array
  kList,        // always an array of distinct values
  kMax,         // the largest number
  kAppendTags,  // appended to the event's own `tags`, never replacing them
};

struct Leaf {
  std::string path;                 // dotted ECS name
  Merge merge = Merge::kScalar;
  std::vector<std::string> values;  // raw JSON values
};

// Leaves for each rule of one matcher version. Immutable, shared.
class RuleEnrichments {
 public:
  // `extra_tags` are added to every rule's tags (the `tag` option).
  RuleEnrichments(const engine::CompiledMatcher& matcher, bool building_blocks_as_tags,
                  const std::vector<std::string>& extra_tags = {});
  const std::vector<Leaf>& leaves(uint32_t rule) const { return per_rule_[rule]; }

 private:
  std::vector<std::vector<Leaf>> per_rule_;
};

// Numeric ECS event.severity for a rule severity label.
int SeverityNumber(std::string_view label);

// Per-session: the leaves of the current verdict. With one matched rule its
// precomputed leaves are used in place; several rules are merged.
class Enrichment {
 public:
  void Clear() {
    owned_.clear();
    view_.clear();
    rule_leaves_ = 0;
  }
  // Builds the leaves for these matches; `rules` must outlive the view.
  // `profile` is the source profile the event was read with ("" if none).
  void Build(const RuleEnrichments& rules, const engine::CompiledMatcher& m,
             const std::vector<engine::RuleMatch>& matches,
             const std::vector<engine::PatternHit>& hits, std::string_view profile);

  // The leaves for an event no rule matched whose listed rules' queries
  // held but exclusions covered (the option mark-excluded):
  // c2sieve.excluded.rule_id, c2sieve.version and c2sieve.profile only.
  void BuildExcluded(const engine::CompiledMatcher& m, const std::vector<uint32_t>& rules,
                     std::string_view profile);

  const std::vector<const Leaf*>& leaves() const { return view_; }
  // How many of leaves(), from the first, are a rule's precomputed leaves
  // (RuleEnrichments': the same objects for every match of the rule while
  // its version lives); the rest are this verdict's own.
  size_t rule_leaves() const { return rule_leaves_; }

  // The leaves as one nested JSON object.
  void RenderObject(std::string* out) const;

 private:
  void AddValue(std::string_view path, Merge merge, std::string raw);
  void AddVersionAndProfile(std::string_view profile);

  std::vector<Leaf> owned_;
  std::vector<const Leaf*> view_;
  size_t rule_leaves_ = 0;
};

// Renders a leaf's value (scalar, array or max).
void RenderLeafValue(const Leaf& leaf, std::string* out);

}  // namespace c2s::enrich
