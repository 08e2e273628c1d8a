// The accepted range of every numeric option, in one place: the ABI and
// the command line check values against these at the door, so a value
// that would wrap, exhaust memory or never fire is refused with its range
// instead of crashing or hanging a host later. Documented in c2sieve.h and
// the README.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "util/strings.h"

namespace c2s {

struct OptionRange {
  std::string_view name;  // as the CLI spells it (without --)
  uint64_t min, max, default_value;
};

// Events larger than this pass through as errors. Up to 1 GiB: simdjson
// needs a buffer of about twice the event, per session.
inline constexpr OptionRange kMaxEventBytes{"max-event-bytes", 64, 1ull << 30, 16u << 20};
// Deeper events pass through as errors. simdjson sizes per-level state by
// this; Elasticsearch's own parser stops at 1,000 levels, far below 4,096.
inline constexpr OptionRange kMaxDepth{"max-depth", 1, 4096, 128};
// How often a watched exclusions source is looked at.
inline constexpr OptionRange kWatchIntervalMs{"watch-interval-ms", 10, 86400000, 5000};
// One fetch of a watched URL, connection included.
inline constexpr OptionRange kFetchTimeoutMs{"fetch-timeout-ms", 100, 600000, 10000};
// How often a host logs the engine's counters (0: never).
inline constexpr OptionRange kStatsIntervalS{"stats-interval-s", 0, 86400, 60};
// `tune`: groups shown and the fewest matches for a proposal.
inline constexpr OptionRange kTuneTop{"top", 1, 100000, 20};
inline constexpr OptionRange kTuneMinCount{"min-count", 1, 1000000000, 10};

// InvalidArgument naming the option and its range when v is outside it.
inline absl::Status CheckRange(const OptionRange& r, uint64_t v) {
  if (v >= r.min && v <= r.max) return absl::OkStatus();
  return absl::InvalidArgumentError(Cat(r.name, " must be between ", r.min, " and ", r.max,
                                        " (got ", v, ")"));
}

// Parses decimal digits only (no sign, no spaces, no suffix) and checks the
// range; the message names the option, the text given and the range.
inline absl::Status ParseInRange(const OptionRange& r, std::string_view text, uint64_t* out) {
  uint64_t v = 0;
  bool ok = !text.empty() && text.size() <= 19;
  for (char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok || v < r.min || v > r.max)
    return absl::InvalidArgumentError(Cat(r.name, " must be a whole number between ", r.min,
                                          " and ", r.max, " (got \"", text, "\")"));
  *out = v;
  return absl::OkStatus();
}

}  // namespace c2s
