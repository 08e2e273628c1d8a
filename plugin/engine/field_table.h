// The fields an engine reads, each with a fixed slot number. Built once per
// engine from its rulesets plus the exclusion shorthand fields, so slots stay
// the same when exclusions are swapped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/strings.h"

namespace c2s::engine {

class FieldTable {
 public:
  // Adds a field if new; returns its slot.
  uint32_t Add(std::string_view name);
  // Slot of `name`, or -1.
  int32_t Find(std::string_view name) const;

  size_t size() const { return names_.size(); }
  const std::string& name(size_t slot) const { return names_[slot]; }

 private:
  std::vector<std::string> names_;
  StringMap<uint32_t> slots_;
};

}  // namespace c2s::engine
