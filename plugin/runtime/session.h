// Per-thread evaluation: binds to the engine's current version, reads an
// event's fields (JSON or given by the caller), evaluates, and enriches
// matches. Owns every buffer the hot path needs, so steady-state
// evaluation allocates nothing for events that do not match.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/evaluator.h"
#include "enrich/enrichment.h"
#include "event/json_event_reader.h"
#include "runtime/engine_core.h"

namespace c2s::runtime {

struct MatchInfo {
  std::string rule_id, rule_name, field, pattern, value;
};

struct JsonResult {
  event::ReadStatus status = event::ReadStatus::kOk;
  std::string_view output;  // input bytes, or the session's enriched copy
  size_t matched_rules = 0;
  bool enriched = false;
};

struct BatchResult {
  size_t lines = 0, matched_lines = 0, error_lines = 0;
};

class Session : private engine::FieldPreparer {
 public:
  explicit Session(std::shared_ptr<EngineCore> core);
  ~Session();

  const std::shared_ptr<EngineCore>& core() const { return core_; }

  // Field-level: clear, add the event's own values, evaluate (profiles and
  // canonical forms are applied in between).
  absl::Status BeginFields();
  engine::EventFields& fields() { return evaluator_.fields(); }
  // Field level: the prefilter's literals over the values in its gate
  // slots first (Prefilter::gate_slots); only on a hit is the event
  // evaluated.
  size_t EvaluateFields();
  // Two-phase evaluation (c2s_eval_gate). The gate slots of the rules in
  // force (empty when the prefilter is off); binds the version in force.
  absl::StatusOr<const std::vector<uint32_t>*> GateSlots();
  // After BeginFields and the values a host read for `handed_out` (the
  // slots GateSlots gave it): kNoMatch when none of them may match (the
  // evaluation is done and counted), kEvaluate when the event must be
  // evaluated in full, kStale when the rules in force gate on other slots
  // than the host read (evaluate in full; ask for the slots again).
  enum class Gate { kNoMatch, kEvaluate, kStale };
  Gate EvaluateGate(const std::vector<uint32_t>& handed_out);
  // The second phase (c2s_eval_query): the slots that decide every rule's
  // query (query_slots.h); binds the version in force.
  absl::StatusOr<const std::vector<uint32_t>*> QuerySlots();
  // After BeginFields and the values a host read for `handed_out` (the
  // slots QuerySlots gave it): kNoMatch when no rule's query holds (done
  // and counted as an event without a match), kEvaluate when one does or
  // no verdict could be had (evaluate in full, which reports it), kStale
  // when the rules in force read other slots than the host read.
  Gate EvaluateQuery(const std::vector<uint32_t>& handed_out);
  // The profile the last event was read with ("" if none).
  std::string_view profile_name() const;

  JsonResult EvalJson(std::string_view event);

  // The prefilter over an event's raw bytes. False when no rule can match
  // them: the evaluation is then done (counted as an event without a
  // match; no earlier match is reported). True: evaluate the event.
  bool MayMatch(std::string_view bytes,
                Prefilter::Encoding encoding = Prefilter::Encoding::kJson);
  // The JSON path's use of it: MayMatch for an event that is one object
  // within the size limit, true (read it) for any other.
  bool JsonMayMatch(std::string_view event);
  // Records the last event as decided without reading it (no match).
  void DecidedWithoutReading();

  // Appends one output line per input line to `out`.
  BatchResult EvalNdjson(std::string_view data, bool only_matches,
                         std::string* out);

  // Details of the last evaluation's matches (built on first request, so
  // evaluations that only need the verdict pay nothing for them).
  const std::vector<MatchInfo>& matches();
  // The last evaluation's enrichment as a JSON object ("{}" if none).
  const std::string& EnrichmentJson();
  // The same as leaves (none if nothing matched and nothing was marked).
  const std::vector<const enrich::Leaf*>& EnrichmentLeaves();
  // Of EnrichmentLeaves(), how many lead it that belong to `owner` (the
  // rules' precomputed leaves of the version in force): a host-side cache
  // of them stays valid while it holds `owner`.
  size_t EnrichmentRuleLeaves(std::shared_ptr<const void>* owner);
  // With the option mark-excluded: no rule matched the last event, but a
  // rule's query did and an exclusion covered it. Its enrichment is then
  // c2sieve.excluded.rule_id alone (JsonResult::enriched with no match).
  bool marked_excluded() const {
    return core_->mark_excluded() && evaluator_.last_matches().empty() &&
           evaluator_.last_excluded() > 0;
  }

  // For `explain`: the bound version and evaluator (whose fields are the
  // resolved ones after ResolveFields).
  engine::Evaluator& evaluator() { return evaluator_; }
  event::ReadStatus ReadJsonFields(std::string_view event);
  void ResolveFields();

 private:
  absl::Status Refresh();
  size_t Finish();
  bool FieldsMayMatch();
  void ClearLastResult();
  // Scratch for the prefilter; nullptr when it is off (or no scratch could
  // be had): then every event is evaluated.
  hs_scratch_t* PrefilterScratch();
  // The bound version's gate slots (none when its prefilter is off).
  const std::vector<uint32_t>& BoundGateSlots() const;
  void Prepare(uint32_t slot, engine::EventFields* fields) override;
  const enrich::Enrichment& BuiltEnrichment();

  std::shared_ptr<EngineCore> core_;
  std::shared_ptr<const EngineVersion> version_;
  uint64_t bound_generation_ = 0;
  std::shared_ptr<SessionCounters> counters_;
  engine::Evaluator evaluator_;
  event::JsonEventReader reader_;
  event::ProfileResolver resolver_;
  int32_t profile_ = -1;
  std::vector<uint32_t> deferred_;  // slots canonicalized on first use
  enrich::Enrichment enrichment_;
  std::vector<engine::PatternHit> hits_;
  std::vector<MatchInfo> match_info_;
  std::string enrichment_json_;
  // Which lazily built details are current for the last evaluation.
  bool match_info_valid_ = false;
  bool enrichment_valid_ = false;
  bool enrichment_json_valid_ = false;
  std::string output_;
  hs_scratch_t* prefilter_scratch_ = nullptr;
  std::shared_ptr<const Prefilter> scratch_prefilter_;  // what the scratch is sized for
};

}  // namespace c2s::runtime
