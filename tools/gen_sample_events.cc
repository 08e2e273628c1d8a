// Writes sample events as NDJSON: gen_sample_events [--seed N] [--count N]
// [--scenarios]  (--scenarios prints "scenario<TAB>expect" instead).
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sample_events.h"

int main(int argc, char** argv) {
  uint64_t seed = 2026;
  size_t count = 1000;
  bool scenarios = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--count") && i + 1 < argc) {
      count = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--scenarios")) {
      scenarios = true;
    } else {
      std::fprintf(stderr,
                   "usage: gen_sample_events [--seed N] [--count N] "
                   "[--scenarios]\n");
      return 2;
    }
  }
  for (const auto& e : c2s::samples::Generate(seed, count)) {
    if (scenarios)
      std::printf("%s\t%d\t%d\n", e.scenario.c_str(), e.expect_match,
                  e.expect_match_with_example_exclusions);
    else
      std::printf("%s\n", e.json.c_str());
  }
  return 0;
}
