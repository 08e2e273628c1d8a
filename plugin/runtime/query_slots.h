// The fields that decide every rule's query: those its predicates read,
// every field a profile builds them from, and every field a profile's
// detection reads (which profile builds them). Given the event's values of
// these, evaluating the rules gives the same verdict on each query as
// evaluating them with all of its fields; exclusions only take matches
// away, so when no query holds, the event matches nothing whatever its
// other fields hold. A host that reads fields one by one (c2s_eval_query)
// decides most events that pass the literal gate from these alone.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/compiled_matcher.h"
#include "event/profile_resolver.h"

namespace c2s::runtime {

// Sorted, without repeats.
std::vector<uint32_t> QuerySlots(const engine::CompiledMatcher& rules,
                                 const event::ProfileSet& profiles);

}  // namespace c2s::runtime
