#include "runtime/query_slots.h"

#include <algorithm>

namespace c2s::runtime {

std::vector<uint32_t> QuerySlots(const engine::CompiledMatcher& rules,
                                 const event::ProfileSet& profiles) {
  std::vector<uint32_t> read;
  std::vector<uint32_t> todo;
  for (const auto& r : rules.rules())
    if (r.root != engine::CompiledRule::kNoNode) todo.push_back(r.root);
  std::vector<bool> seen(rules.nodes().size(), false);
  while (!todo.empty()) {
    uint32_t id = todo.back();
    todo.pop_back();
    if (seen[id]) continue;
    seen[id] = true;
    const engine::PlanNode& n = rules.nodes()[id];
    switch (n.op) {
      case engine::Op::kAll:
      case engine::Op::kAny:
      case engine::Op::kNot:
        for (uint32_t c : n.children) todo.push_back(c);
        break;
      default:
        read.push_back(n.slot);
    }
  }
  std::vector<uint32_t> out;
  for (uint32_t slot : read)
    for (uint32_t src : profiles.SourceSlotsOf(slot)) out.push_back(src);
  for (uint32_t slot : profiles.DetectSlots()) out.push_back(slot);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace c2s::runtime
