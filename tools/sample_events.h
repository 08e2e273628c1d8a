// Deterministic ECS DNS events in the shape Elastic Defend writes, covering
// true positives and every exclusion kind of the built-in rule. The same
// seed and count always give the same bytes (no std:: distributions).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace c2s::samples {

struct SampleEvent {
  std::string json;      // one line, no newline
  std::string scenario;  // what the event exercises
  bool expect_match;     // with the built-in ruleset and no exclusions
  bool expect_match_with_example_exclusions;
};

std::vector<SampleEvent> Generate(uint64_t seed, size_t count);

}  // namespace c2s::samples
