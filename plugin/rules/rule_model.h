// The rule model: what a ruleset or exclusions document says, before
// compilation. Loaders build it; the compiler reads it; the evaluator never
// sees it.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace c2s::rules {

enum class NodeKind {
  kAll,       // every child true (empty: true)
  kAny,       // some child true (empty: false)
  kNot,       // exactly one child
  kWildcard,  // field : ("p1", "p2" ...), ASCII case-insensitive unless
              // case_sensitive (EQL `like`)
  kEquals,    // field == "v" / field in ("v1" ...), case-sensitive unless
              // case_insensitive (in~: ASCII folding, no wildcards)
  kExists,    // field != null
  kIsTrue,    // field == true (also the string "true")
  kIsFalse,   // field == false (also the string "false")
};

struct Node {
  NodeKind kind = NodeKind::kAll;
  std::string field;                // predicates only
  std::vector<std::string> values;  // kWildcard / kEquals
  bool case_insensitive = false;    // kEquals only
  bool case_sensitive = false;      // kWildcard only
  std::vector<Node> children;       // kAll / kAny / kNot
  std::string comment;              // shown by `c2sieve explain`
  std::string where;                // "file:line pointer", for messages
};

struct ThreatItem {
  std::string id, name, reference;
};
struct ThreatTechnique {
  ThreatItem technique;
  std::vector<ThreatItem> subtechniques;
};
struct Threat {
  std::string framework;
  ThreatItem tactic;
  std::vector<ThreatTechnique> techniques;
};

// Threat-intelligence indicators (issue 15): a rule of a feed matches an
// event whose `field` holds one of the active indicators' values, and a
// match carries the matched indicator's metadata into ECS
// threat.enrichments, as Elastic's indicator match rules do.
struct IndicatorMeta {
  std::string id;           // the source's id (STIX id, MISP uuid)
  std::string name, description, confidence;  // confidence: ECS words
  std::string first_seen, last_seen, modified_at;  // RFC 3339, as given
  std::string reference;
  std::vector<std::string> labels;
  // The window the indicator is in force: [valid_from, valid_until).
  int64_t valid_from_ms = std::numeric_limits<int64_t>::min();
  int64_t valid_until_ms = std::numeric_limits<int64_t>::max();
  std::string valid_from, valid_until;  // as given, for writing back
};

struct Indicator {
  std::string value;  // canonical domain name, or "*.domain"
  uint32_t meta = 0;  // index into IndicatorSet::metas (0: none)
};

struct IndicatorSet {
  std::string field = "dns.question.name";
  std::string type = "domain-name";
  std::string provider, reference;
  std::vector<Indicator> items;       // sorted by value, values unique
  std::vector<IndicatorMeta> metas;   // metas[0] is the empty one
  // The item whose value is `value`, or nullptr.
  const Indicator* Find(const std::string& value) const;
  const IndicatorMeta& meta(const Indicator& i) const { return metas[i.meta]; }
};

struct Rule {
  std::string id;
  std::string name;
  std::string version;
  std::string description;
  std::vector<std::string> author;
  std::string license;
  double risk_score = 0;
  std::string severity;  // low | medium | high | critical
  std::vector<std::string> references;
  std::vector<Threat> threat;
  std::vector<std::string> tags;  // appended to the event's `tags`
  // Elastic's building_block_type ("default"): a rule whose matches feed
  // other rules rather than stand as alerts. "" for an ordinary rule.
  std::string building_block_type;
  std::string ruleset;            // name of the ruleset it came from
  Node query;
  // A feed's rule: its indicators (shared, never changed once loaded; a
  // feed of a million names is not copied with the rule). The query then
  // holds the rule's own conditions; the clause over the active
  // indicators is added when the rules are compiled (rules/indicators.h).
  std::shared_ptr<const IndicatorSet> indicators;
};

struct Ruleset {
  std::string name;
  std::string origin;  // file name or buffer label
  std::vector<Rule> rules;
};

// One exclusion entry: the event is excluded from the listed rules (all
// rules when `rule_ids` is empty) when `condition` holds.
struct Exclusion {
  std::string reason;
  std::vector<std::string> rule_ids;
  Node condition;
};

struct ExclusionSet {
  std::string origin;
  std::vector<Exclusion> entries;
  // The document's "allow_broad": apply it even if it suppresses more than
  // the allowed share of a rule's probe events (logged).
  bool allow_broad = false;
  // Things worth a log line when the set is applied (catch-all entries
  // allowed by "allow_catch_all").
  std::vector<std::string> warnings;
};

}  // namespace c2s::rules
