// One event's values, by field slot: views into the caller's or the JSON
// parser's memory, valid for one evaluation. Reused across events, so
// filling it allocates nothing once the vectors have grown.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace c2s::engine {

// Same numbering as c2s_value_type in c2sieve.h.
enum class ValueType : int32_t {
  kString = 0,
  kTrue = 1,
  kFalse = 2,
  kNull = 3,
  kOther = 4
};

struct FieldValue {
  ValueType type;
  std::string_view text;  // kString only
};

class EventFields {
 public:
  void Resize(size_t slots) { per_slot_.resize(slots); }
  // Clears only the slots this event touched.
  void Clear() {
    for (uint32_t s : touched_) per_slot_[s].clear();
    touched_.clear();
  }
  void Add(uint32_t slot, ValueType type, std::string_view text) {
    auto& v = per_slot_[slot];
    if (v.empty()) touched_.push_back(slot);
    v.push_back(FieldValue{type, text});
  }
  const std::vector<FieldValue>& values(uint32_t slot) const {
    return per_slot_[slot];
  }
  // For in-place rewriting of values already added (canonical forms).
  std::vector<FieldValue>& mutable_values(uint32_t slot) { return per_slot_[slot]; }
  // Replaces a slot's values (a profile's mapping).
  void Replace(uint32_t slot, const FieldValue* values, size_t n) {
    auto& v = per_slot_[slot];
    if (v.empty() && n > 0) touched_.push_back(slot);
    v.assign(values, values + n);
  }
  size_t slot_count() const { return per_slot_.size(); }
  // Slots holding values, in the order they were first added.
  const std::vector<uint32_t>& touched() const { return touched_; }

 private:
  std::vector<std::vector<FieldValue>> per_slot_;
  std::vector<uint32_t> touched_;
};

}  // namespace c2s::engine
