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
  void Clear() {
    for (auto& v : per_slot_) v.clear();
  }
  void Add(uint32_t slot, ValueType type, std::string_view text) {
    per_slot_[slot].push_back(FieldValue{type, text});
  }
  const std::vector<FieldValue>& values(uint32_t slot) const {
    return per_slot_[slot];
  }
  size_t slot_count() const { return per_slot_.size(); }

 private:
  std::vector<std::vector<FieldValue>> per_slot_;
};

}  // namespace c2s::engine
