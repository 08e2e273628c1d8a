// The enrichment of a verdict as C data (c2s_enrich_op): the leaves the
// enricher renders as JSON, given to hosts as typed values they merge with
// one loop. Built on request, only for matching events; owns every string
// and array it hands out until the next Build (a Build that empties a cache
// does so before it hands anything out).
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <simdjson.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "c2sieve.h"
#include "enrich/enrichment.h"

namespace c2s::abi {

class EnrichmentOps {
 public:
  // The first `rule_leaves` of `leaves` belong to `owner` (a rule's
  // precomputed leaves): their operations are built once and reused for
  // every match of the rule while `owner` is the one given (it is held,
  // so the leaves cannot be freed and their addresses reused meanwhile).
  absl::Status Build(const std::vector<const enrich::Leaf*>& leaves, size_t rule_leaves = 0,
                     std::shared_ptr<const void> owner = nullptr);
  const std::vector<c2s_enrich_op>& ops() const { return ops_; }
  // How many of ops(), from the first, are a rule's cached operations
  // (the same objects for every match of the rule within a generation).
  size_t shared() const { return shared_; }
  // Changes whenever cached rule operations are let go (their addresses
  // may then be reused): a host's conversions keyed by them are stale.
  uint64_t generation() const { return generation_; }

 private:
  // A raw JSON value converted once, with the strings and members its
  // c2s_value points into. Most of a match's values (rule.*, threat.*) are
  // the same for every match of a rule, so they are converted once and
  // reused; the cache is emptied when it grows past kCacheLimit entries.
  struct Converted {
    c2s_value value;
    std::deque<std::string> strings;
    std::deque<std::vector<c2s_member>> member_lists;
  };
  // A leaf's path, and its segments, kept for the same reason.
  struct Path {
    std::string dotted;
    std::deque<std::string> segment_strings;
    std::vector<const char*> segments;
  };
  static constexpr size_t kCacheLimit = 4096;

  // A rule leaf's operation, its values array owned here.
  struct RuleLeafOp {
    c2s_enrich_op op;
    std::vector<c2s_value> values;
  };

  absl::StatusOr<const Converted*> ValueOf(const std::string& raw);
  // One leaf's operation; its values array is `*values`.
  absl::Status OpOf(const enrich::Leaf& leaf, std::vector<c2s_value>* values,
                    c2s_enrich_op* op);
  const Path& PathOf(const std::string& dotted);
  absl::Status Convert(simdjson::dom::element e, Converted* into, c2s_value* out);

  simdjson::dom::parser parser_;
  std::vector<c2s_enrich_op> ops_;
  // The values arrays of this Build's own operations. Kept with their
  // capacity across Builds (an operation points into an array's buffer,
  // which stays put when the outer vector grows): a match allocates none.
  std::vector<std::vector<c2s_value>> value_lists_;
  size_t value_lists_used_ = 0;
  absl::flat_hash_map<std::string, std::unique_ptr<Converted>> values_;
  absl::flat_hash_map<std::string, std::unique_ptr<Path>> paths_;
  absl::flat_hash_map<const enrich::Leaf*, std::unique_ptr<RuleLeafOp>> rule_leaf_ops_;
  std::shared_ptr<const void> rule_leaves_owner_;
  size_t shared_ = 0;
  uint64_t generation_ = 1;
};

}  // namespace c2s::abi
