#include "engine/field_table.h"

namespace c2s::engine {

uint32_t FieldTable::Add(std::string_view name) {
  auto it = slots_.find(name);
  if (it != slots_.end()) return it->second;
  uint32_t slot = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  slots_.emplace(std::string(name), slot);
  return slot;
}

int32_t FieldTable::Find(std::string_view name) const {
  auto it = slots_.find(name);
  return it == slots_.end() ? -1 : static_cast<int32_t>(it->second);
}

}  // namespace c2s::engine
