#include "engine/evaluator.h"

#include <algorithm>

#include "engine/wildcard.h"

namespace c2s::engine {

Evaluator::~Evaluator() {
  if (scratch_) hs_free_scratch(scratch_);
}

absl::Status Evaluator::Bind(std::shared_ptr<const CompiledMatcher> m) {
  if (hs_scratch_t* proto = m->scratch_prototype()) {
    // Growing our scratch to cover the new databases keeps it reusable.
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(proto, &s) != HS_SUCCESS)
      return absl::ResourceExhaustedError("cannot allocate Hyperscan scratch");
    if (scratch_) hs_free_scratch(scratch_);
    scratch_ = s;
  }
  size_t preds = m->wildcard_predicates().size();
  pred_epoch_.assign(preds, 0);
  hit_pattern_.assign(preds, 0);
  hit_value_.assign(preds, 0);
  slot_epoch_.assign(m->fields().size(), 0);
  fields_.Resize(m->fields().size());
  pending_.assign(m->fields().size(), 0);
  pending_list_.clear();
  epoch_ = 0;
  matcher_ = std::move(m);
  return absl::OkStatus();
}

void Evaluator::NextEvent() {
  if (++epoch_ == 0) {  // wrapped: stale stamps could look current
    std::fill(pred_epoch_.begin(), pred_epoch_.end(), 0);
    std::fill(slot_epoch_.begin(), slot_epoch_.end(), 0);
    epoch_ = 1;
  }
  matches_.clear();
  excluded_ = 0;
}

void Evaluator::MarkPattern(uint32_t slot, uint32_t pattern,
                            uint32_t value_index) {
  const FieldPatterns& fp = matcher_->field_patterns()[slot];
  for (uint32_t pred : fp.predicates_of_pattern[pattern]) {
    if (pred_epoch_[pred] == epoch_) continue;
    pred_epoch_[pred] = epoch_;
    hit_pattern_[pred] = pattern;
    hit_value_[pred] = value_index;
  }
}

int Evaluator::OnHyperscanMatch(unsigned id, unsigned long long,
                                unsigned long long, unsigned, void* ctx) {
  auto* self = static_cast<Evaluator*>(ctx);
  self->MarkPattern(self->scan_slot_, id, self->scan_value_);
  return 0;
}

void Evaluator::ScanSlot(uint32_t slot) {
  slot_epoch_[slot] = epoch_;
  const FieldPatterns& fp = matcher_->field_patterns()[slot];
  const auto& values = Values(slot);
  for (uint32_t i = 0; i < values.size(); ++i) {
    if (values[i].type != ValueType::kString) continue;
    std::string_view v = values[i].text;
    for (uint32_t id : fp.everything_patterns) MarkPattern(slot, id, i);
    if (!fp.any_gate.MayMatch(v)) continue;
    if (v.size() < fp.literal_lengths.size() && fp.literal_lengths[v.size()]) {
      lowered_.assign(v);
      for (char& c : lowered_) c = AsciiLower(c);
      auto it = fp.literals.find(lowered_);
      if (it != fp.literals.end())
        for (uint32_t id : it->second) MarkPattern(slot, id, i);
    }
    if (!fp.database || !fp.gate.MayMatch(v)) continue;
    scan_slot_ = slot;
    scan_value_ = i;
    // Values are bounded by the event size limit, far below 4 GiB.
    hs_scan(fp.database.get(), v.data(), static_cast<unsigned>(v.size()), 0,
            scratch_, &Evaluator::OnHyperscanMatch, this);
  }
}

bool Evaluator::EvalNode(uint32_t id, std::vector<int8_t>* record) {
  const PlanNode& n = matcher_->nodes()[id];
  bool result = false;
  switch (n.op) {
    case Op::kAll:
      result = true;
      for (uint32_t c : n.eval_order) {
        if (!EvalNode(c, record)) {
          result = false;
          if (!record) break;
        }
      }
      break;
    case Op::kAny:
      for (uint32_t c : n.eval_order) {
        if (EvalNode(c, record)) {
          result = true;
          if (!record) break;
        }
      }
      break;
    case Op::kNot:
      result = !EvalNode(n.children[0], record);
      break;
    case Op::kExists:
      for (const FieldValue& v : Values(n.slot))
        result |= v.type != ValueType::kNull;
      break;
    case Op::kIsTrue:
      // Elasticsearch's boolean mapping also takes the string "true".
      for (const FieldValue& v : Values(n.slot))
        result |= v.type == ValueType::kTrue ||
                  (v.type == ValueType::kString && v.text == "true");
      break;
    case Op::kEquals: {
      const auto& set = matcher_->equals_values(n.predicate);
      for (const FieldValue& v : Values(n.slot)) {
        if (v.type == ValueType::kString && set.Contains(v.text)) {
          result = true;
          break;
        }
      }
      break;
    }
    case Op::kWildcard:
      if (slot_epoch_[n.slot] != epoch_) ScanSlot(n.slot);
      result = PredicateHit(n.predicate);
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
  const auto& rules = matcher_->rules();
  struct Done {  // unread pending slots are dropped when the event ends
    Evaluator* e;
    ~Done() { e->ClearPending(); }
  } done{this};
  for (uint32_t r = 0; r < rules.size(); ++r) {
    if (!EvalNode(rules[r].root, nullptr)) continue;
    if (rules[r].exclusions != CompiledRule::kNoNode &&
        EvalNode(rules[r].exclusions, nullptr)) {
      ++excluded_;
      continue;
    }
    RuleMatch m{r, false, 0, 0, {}};
    for (uint32_t pred : rules[r].reported_predicates) {
      if (!PredicateHit(pred)) continue;
      m.has_pattern = true;
      m.slot = matcher_->wildcard_predicates()[pred].slot;
      m.pattern = hit_pattern_[pred];
      m.value = fields_.values(m.slot)[hit_value_[pred]].text;
      break;
    }
    matches_.push_back(m);
  }
  return matches_;
}

void Evaluator::CollectHits(const RuleMatch& m, std::vector<PatternHit>* out) {
  for (uint32_t pred : matcher_->rules()[m.rule].reported_predicates) {
    if (!PredicateHit(pred)) continue;
    uint32_t slot = matcher_->wildcard_predicates()[pred].slot;
    out->push_back(PatternHit{m.rule, slot, hit_pattern_[pred],
                              fields_.values(slot)[hit_value_[pred]].text});
  }
}

std::vector<int8_t> Evaluator::Explain() {
  NextEvent();
  PrepareAll();
  std::vector<int8_t> record(matcher_->nodes().size(), -1);
  const auto& rules = matcher_->rules();
  for (uint32_t r = 0; r < rules.size(); ++r) {
    bool query = EvalNode(rules[r].root, &record);
    bool excluded = rules[r].exclusions != CompiledRule::kNoNode &&
                    EvalNode(rules[r].exclusions, &record);
    if (query && !excluded) matches_.push_back(RuleMatch{r, false, 0, 0, {}});
  }
  return record;
}

}  // namespace c2s::engine
