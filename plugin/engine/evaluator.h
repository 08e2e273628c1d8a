// Evaluates compiled rules, then the exclusions in force for the rules whose
// query held, over one event's field values. One Evaluator per thread: it
// owns the Hyperscan scratch and the per-event state, so evaluation
// allocates nothing once warmed up.
#pragma once

#include <hs/hs.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/compiled_matcher.h"
#include "engine/event_fields.h"

namespace c2s::engine {

struct RuleMatch {
  uint32_t rule;            // index into matcher.rules()
  bool has_pattern = false; // false when no positive wildcard decided it
  uint32_t slot = 0;
  uint32_t pattern = 0;     // id within field_patterns()[slot]
  std::string_view value;   // the value the pattern matched
};

// Every wildcard pattern that matched, for enrichment.
struct PatternHit {
  uint32_t rule;
  uint32_t slot;
  uint32_t pattern;
  std::string_view value;
};

// Prepares a field's values on first use in an event (canonical paths are
// only worth computing when a predicate reads them).
class FieldPreparer {
 public:
  virtual ~FieldPreparer() = default;
  virtual void Prepare(uint32_t slot, EventFields* fields) = 0;
};

class Evaluator {
 public:
  Evaluator() = default;
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Switches to a rules matcher and an exclusions matcher for the same
  // rules (or none), sizing scratch and state for them; a matcher already
  // bound is kept as it is. The evaluator keeps both alive until the next
  // Bind.
  absl::Status Bind(std::shared_ptr<const CompiledMatcher> rules,
                    std::shared_ptr<const CompiledMatcher> exclusions);
  const CompiledMatcher& matcher() const { return *rules_.matcher; }
  // nullptr when no exclusions are in force.
  const CompiledMatcher* exclusions_matcher() const {
    return exclusions_.matcher.get();
  }

  // Fill these, then Evaluate().
  EventFields& fields() { return fields_; }

  // Marks a slot to be prepared by `preparer` when first read in the
  // coming evaluation (unread slots stay as they are).
  void SetPreparer(FieldPreparer* preparer) { preparer_ = preparer; }
  void MarkPending(uint32_t slot) {
    if (!pending_[slot]) {
      pending_[slot] = 1;
      pending_list_.push_back(slot);
    }
  }
  // Prepares every pending slot now (for callers that read the fields
  // directly, such as explain).
  void PrepareAll();

  // Rules that match the current fields, in rule order. When a pattern
  // scan failed (scan_failed()), the list is empty and the event must be
  // reported as an error: a failed scan is never a "no match".
  const std::vector<RuleMatch>& Evaluate();
  bool scan_failed() const { return scan_failed_; }
  // Forgets the last evaluation's result (before an event that may fail
  // before it is evaluated, so no earlier match is reported for it).
  void ResetResult() {
    matches_.clear();
    excluded_rules_.clear();
    scan_failed_ = false;
  }

  // Fault injection for tests: the function called in place of hs_scan.
  using ScanFunction = hs_error_t (*)(const hs_database_t*, const char*, unsigned, unsigned,
                                      hs_scratch_t*, match_event_handler, void*);
  void set_scan_function_for_testing(ScanFunction f) { scan_ = f; }
  // Rules of the last evaluation whose query held but that an exclusions
  // entry covered.
  size_t last_excluded() const { return excluded_rules_.size(); }
  const std::vector<uint32_t>& last_excluded_rules() const { return excluded_rules_; }
  const std::vector<RuleMatch>& last_matches() const { return matches_; }

  // After Evaluate(): every positive pattern that matched for rule i.
  void CollectHits(const RuleMatch& m, std::vector<PatternHit>* out);

  // Every node's verdict (1 true, 0 false), without short-circuit, for
  // `explain`: the rules matcher's nodes, and in *exclusion_verdicts the
  // exclusions matcher's (if any). Also fills the match list like Evaluate().
  std::vector<int8_t> Explain(std::vector<int8_t>* exclusion_verdicts);

 private:
  // The state of evaluating one matcher: its scratch and per-event marks.
  struct Stage {
    std::shared_ptr<const CompiledMatcher> matcher;
    hs_scratch_t* scratch = nullptr;
    std::vector<uint32_t> slot_epoch;   // == epoch_: slot already scanned
    std::vector<uint32_t> pred_epoch;   // == epoch_: wildcard predicate hit
    std::vector<uint32_t> hit_pattern;  // first pattern that hit, per pred
    std::vector<uint32_t> hit_value;    // index of the value it hit
    absl::Status Bind(std::shared_ptr<const CompiledMatcher> m);
    void ResetEpochs();
    ~Stage();
  };

  bool EvalNode(Stage& stage, uint32_t id, std::vector<int8_t>* record);
  const std::vector<FieldValue>& Values(uint32_t slot) {
    if (pending_[slot]) {
      pending_[slot] = 0;
      preparer_->Prepare(slot, &fields_);
    }
    return fields_.values(slot);
  }
  void ClearPending();
  bool PredicateHit(const Stage& stage, uint32_t predicate) const {
    return stage.pred_epoch[predicate] == epoch_;
  }
  void ScanSlot(Stage& stage, uint32_t slot);
  void NextEvent();
  static int OnHyperscanMatch(unsigned id, unsigned long long from,
                              unsigned long long to, unsigned flags,
                              void* ctx);
  static int OnLiteralMatch(unsigned id, unsigned long long from,
                            unsigned long long to, unsigned flags, void* ctx);
  void MarkPattern(Stage& stage, uint32_t slot, uint32_t pattern,
                   uint32_t value_index);

  Stage rules_;
  Stage exclusions_;
  EventFields fields_;
  FieldPreparer* preparer_ = nullptr;
  std::vector<uint8_t> pending_;
  std::vector<uint32_t> pending_list_;
  uint32_t epoch_ = 0;  // one event's stamp, shared by both stages
  std::vector<RuleMatch> matches_;
  std::vector<uint32_t> excluded_rules_;  // capacity kept across events
  bool scan_failed_ = false;
  ScanFunction scan_ = &hs_scan;
  std::string lowered_;  // a value, ASCII-lowercased, for literal look-ups
  // Set during a scan, read by the match callback.
  Stage* scan_stage_ = nullptr;
  uint32_t scan_slot_ = 0;
  uint32_t scan_value_ = 0;
  size_t scan_length_ = 0;  // of the value being scanned
};

}  // namespace c2s::engine
