#include "engine/evaluator.h"

#include <algorithm>

#include "engine/wildcard.h"

namespace c2s::engine {

Evaluator::Stage::~Stage() {
  if (scratch) hs_free_scratch(scratch);
}

absl::Status Evaluator::Stage::Bind(std::shared_ptr<const CompiledMatcher> m) {
  if (m == matcher) return absl::OkStatus();
  if (m && m->scratch_prototype()) {
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(m->scratch_prototype(), &s) != HS_SUCCESS)
      return absl::ResourceExhaustedError("cannot allocate Hyperscan scratch");
    if (scratch) hs_free_scratch(scratch);
    scratch = s;
  }
  size_t preds = m ? m->wildcard_predicates().size() : 0;
  size_t slots = m ? m->fields().size() : 0;
  pred_epoch.assign(preds, 0);
  hit_pattern.assign(preds, 0);
  hit_value.assign(preds, 0);
  slot_epoch.assign(slots, 0);
  matcher = std::move(m);
  return absl::OkStatus();
}

void Evaluator::Stage::ResetEpochs() {
  std::fill(pred_epoch.begin(), pred_epoch.end(), 0);
  std::fill(slot_epoch.begin(), slot_epoch.end(), 0);
}

absl::Status Evaluator::Bind(std::shared_ptr<const CompiledMatcher> rules,
                             std::shared_ptr<const CompiledMatcher> exclusions) {
  size_t slots = rules->fields().size();
  if (auto st = rules_.Bind(std::move(rules)); !st.ok()) return st;
  if (auto st = exclusions_.Bind(std::move(exclusions)); !st.ok()) return st;
  // Marks from the previous binding must not look current.
  rules_.ResetEpochs();
  exclusions_.ResetEpochs();
  if (fields_.slot_count() != slots) fields_.Resize(slots);
  if (pending_.size() != slots) pending_.assign(slots, 0);
  pending_list_.clear();
  epoch_ = 0;
  return absl::OkStatus();
}

void Evaluator::NextEvent() {
  if (++epoch_ == 0) {  // wrapped: stale stamps could look current
    rules_.ResetEpochs();
    exclusions_.ResetEpochs();
    epoch_ = 1;
  }
  ResetResult();
}

void Evaluator::MarkPattern(Stage& stage, uint32_t slot, uint32_t pattern,
                            uint32_t value_index) {
  const FieldPatterns& fp = stage.matcher->field_patterns()[slot];
  for (uint32_t pred : fp.predicates_of_pattern[pattern]) {
    if (stage.pred_epoch[pred] == epoch_) continue;
    stage.pred_epoch[pred] = epoch_;
    stage.hit_pattern[pred] = pattern;
    stage.hit_value[pred] = value_index;
  }
}

int Evaluator::OnHyperscanMatch(unsigned id, unsigned long long,
                                unsigned long long, unsigned, void* ctx) {
  auto* self = static_cast<Evaluator*>(ctx);
  self->MarkPattern(*self->scan_stage_, self->scan_slot_, id, self->scan_value_);
  return 0;
}

// A literal of `*lit`, `lit*` or `*lit*` ends at `to`: a match when it is
// where its pattern needs it.
int Evaluator::OnLiteralMatch(unsigned id, unsigned long long, unsigned long long to,
                              unsigned, void* ctx) {
  auto* self = static_cast<Evaluator*>(ctx);
  const FieldPatterns& fp = self->scan_stage_->matcher->field_patterns()[self->scan_slot_];
  const FieldPatterns::PlacedLiteral& lit = fp.placed_literals[id];
  if ((lit.place == LiteralPlace::kSuffix && to != self->scan_length_) ||
      (lit.place == LiteralPlace::kPrefix && to != lit.length))
    return 0;
  self->MarkPattern(*self->scan_stage_, self->scan_slot_, lit.pattern, self->scan_value_);
  return 0;
}

void Evaluator::ScanSlot(Stage& stage, uint32_t slot) {
  stage.slot_epoch[slot] = epoch_;
  const FieldPatterns& fp = stage.matcher->field_patterns()[slot];
  const auto& values = Values(slot);
  for (uint32_t i = 0; i < values.size(); ++i) {
    if (values[i].type != ValueType::kString) continue;
    std::string_view v = values[i].text;
    for (uint32_t id : fp.everything_patterns) MarkPattern(stage, slot, id, i);
    if (!fp.any_gate.MayMatch(v)) continue;
    if (v.size() < fp.literal_lengths.size() && fp.literal_lengths[v.size()]) {
      lowered_.assign(v);
      for (char& c : lowered_) c = AsciiLower(c);
      auto it = fp.literals.find(lowered_);
      if (it != fp.literals.end())
        for (uint32_t id : it->second) MarkPattern(stage, slot, id, i);
    }
    if (v.size() < fp.exact_literal_lengths.size() && fp.exact_literal_lengths[v.size()]) {
      auto it = fp.exact_literals.find(v);
      if (it != fp.exact_literals.end())
        for (uint32_t id : it->second) MarkPattern(stage, slot, id, i);
    }
    if ((!fp.database && !fp.literal_database) || !fp.gate.MayMatch(v)) continue;
    scan_stage_ = &stage;
    scan_slot_ = slot;
    scan_value_ = i;
    scan_length_ = v.size();
    // Values are bounded by the event size limit, far below 4 GiB. The
    // callbacks never stop a scan, so anything but success is a failure
    // (scratch in use, a bad database): the event becomes an error.
    if (fp.database &&
        scan_(fp.database.get(), v.data(), static_cast<unsigned>(v.size()), 0, stage.scratch,
              &Evaluator::OnHyperscanMatch, this) != HS_SUCCESS)
      scan_failed_ = true;
    if (fp.literal_database &&
        scan_(fp.literal_database.get(), v.data(), static_cast<unsigned>(v.size()), 0,
              stage.scratch, &Evaluator::OnLiteralMatch, this) != HS_SUCCESS)
      scan_failed_ = true;
  }
}

bool Evaluator::EvalNode(Stage& stage, uint32_t id, std::vector<int8_t>* record) {
  const PlanNode& n = stage.matcher->nodes()[id];
  bool result = false;
  switch (n.op) {
    case Op::kAll:
      result = true;
      for (uint32_t c : n.eval_order) {
        if (!EvalNode(stage, c, record)) {
          result = false;
          if (!record) break;
        }
      }
      break;
    case Op::kAny:
      for (uint32_t c : n.eval_order) {
        if (EvalNode(stage, c, record)) {
          result = true;
          if (!record) break;
        }
      }
      break;
    case Op::kNot:
      result = !EvalNode(stage, n.children[0], record);
      break;
    case Op::kExists:
      for (const FieldValue& v : Values(n.slot))
        result |= v.type != ValueType::kNull;
      break;
    case Op::kIsFalse:
      for (const FieldValue& v : Values(n.slot))
        result |= v.type == ValueType::kFalse ||
                  (v.type == ValueType::kString && v.text == "false");
      break;
    case Op::kIsTrue:
      // Elasticsearch's boolean mapping also takes the string "true".
      for (const FieldValue& v : Values(n.slot))
        result |= v.type == ValueType::kTrue ||
                  (v.type == ValueType::kString && v.text == "true");
      break;
    case Op::kEquals: {
      const auto& set = stage.matcher->equals_values(n.predicate);
      for (const FieldValue& v : Values(n.slot)) {
        if (v.type != ValueType::kString) continue;
        if (set.case_insensitive) {
          lowered_.assign(v.text);
          for (char& c : lowered_) c = AsciiLower(c);
          if (set.Contains(lowered_)) {
            result = true;
            break;
          }
        } else if (set.Contains(v.text)) {
          result = true;
          break;
        }
      }
      break;
    }
    case Op::kWildcard:
      if (stage.slot_epoch[n.slot] != epoch_) ScanSlot(stage, n.slot);
      result = PredicateHit(stage, n.predicate);
      break;
  }
  if (record) (*record)[id] = result ? 1 : 0;
  return result;
}

void Evaluator::ClearPending() {
  for (uint32_t s : pending_list_) pending_[s] = 0;
  pending_list_.clear();
}

void Evaluator::PrepareAll() {
  for (uint32_t s : pending_list_) Values(s);
  pending_list_.clear();
}

const std::vector<RuleMatch>& Evaluator::Evaluate() {
  NextEvent();
  const auto& rules = rules_.matcher->rules();
  const CompiledMatcher* ex = exclusions_.matcher.get();
  struct Done {  // unread pending slots are dropped when the event ends
    Evaluator* e;
    ~Done() { e->ClearPending(); }
  } done{this};
  for (uint32_t r = 0; r < rules.size(); ++r) {
    if (!EvalNode(rules_, rules[r].root, nullptr)) continue;
    // Only now are the exclusions' databases scanned: most events never
    // get here.
    if (ex && ex->rules()[r].root != CompiledRule::kNoNode &&
        EvalNode(exclusions_, ex->rules()[r].root, nullptr)) {
      excluded_rules_.push_back(r);
      continue;
    }
    RuleMatch m{r, false, 0, 0, {}};
    for (uint32_t pred : rules[r].reported_predicates) {
      if (!PredicateHit(rules_, pred)) continue;
      m.has_pattern = true;
      m.slot = rules_.matcher->wildcard_predicates()[pred].slot;
      m.pattern = rules_.hit_pattern[pred];
      m.value = fields_.values(m.slot)[rules_.hit_value[pred]].text;
      break;
    }
    matches_.push_back(m);
  }
  // A failed scan may have hidden a pattern hit either way (a rule or an
  // exclusion): no verdict is given for this event.
  if (scan_failed_) {
    matches_.clear();
    excluded_rules_.clear();
  }
  return matches_;
}

void Evaluator::CollectHits(const RuleMatch& m, std::vector<PatternHit>* out) {
  for (uint32_t pred : rules_.matcher->rules()[m.rule].reported_predicates) {
    if (!PredicateHit(rules_, pred)) continue;
    uint32_t slot = rules_.matcher->wildcard_predicates()[pred].slot;
    out->push_back(PatternHit{m.rule, slot, rules_.hit_pattern[pred],
                              fields_.values(slot)[rules_.hit_value[pred]].text});
  }
}

std::vector<int8_t> Evaluator::Explain(std::vector<int8_t>* exclusion_verdicts) {
  NextEvent();
  PrepareAll();
  std::vector<int8_t> record(rules_.matcher->nodes().size(), -1);
  const CompiledMatcher* ex = exclusions_.matcher.get();
  exclusion_verdicts->assign(ex ? ex->nodes().size() : 0, -1);
  const auto& rules = rules_.matcher->rules();
  for (uint32_t r = 0; r < rules.size(); ++r) {
    bool query = EvalNode(rules_, rules[r].root, &record);
    bool excluded = ex && ex->rules()[r].root != CompiledRule::kNoNode &&
                    EvalNode(exclusions_, ex->rules()[r].root, exclusion_verdicts);
    if (query && !excluded) matches_.push_back(RuleMatch{r, false, 0, 0, {}});
  }
  return record;
}

}  // namespace c2s::engine
