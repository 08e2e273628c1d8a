// The benchmark's input: generated ~1 KB ECS DNS events with a chosen share
// of matches, each also split into field values for the field-level path.
#pragma once

#include <string>
#include <vector>

#include "c2sieve.h"

namespace c2s::bench {

struct BenchEvent {
  std::string json;
  std::vector<std::string> strings;  // owns what values point to
  std::vector<c2s_value> values;
  bool expect_match = false;
};

// `count` events of which about `match_percent` % match the built-in rule
// and `excluded_percent` % query a listed domain but are excluded (signed
// apps, Program Files, system accounts); the rest query unlisted domains.
std::vector<BenchEvent> MakeEvents(c2s_engine* engine, size_t count,
                                   int match_percent, int excluded_percent);

// The rule's patterns, for the baselines.
struct RulePatterns {
  std::vector<std::string> domains, executables;
};
RulePatterns LoadRulePatterns();

}  // namespace c2s::bench
