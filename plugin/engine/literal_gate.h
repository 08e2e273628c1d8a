// A cheap, exact pre-check in front of a field's Hyperscan database: a value
// can only match a pattern if it starts with the pattern's literal prefix or
// ends with its literal suffix (or contains its inner literal). Most values
// (domains that are on no list) fail every check and skip the scan, which
// on names this short costs more than the check. Never rejects a value some
// pattern matches.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace c2s::engine {

class LiteralGate {
 public:
  // Registers one pattern (in its written form).
  void Add(std::string_view pattern);

  // True if `value` may match some registered pattern.
  bool MayMatch(std::string_view value) const;

  bool always_open() const { return always_open_; }

 private:
  static constexpr size_t kMaxKey = 8;
  struct Shape {
    bool suffix;
    uint8_t length;
    absl::flat_hash_set<uint64_t> keys;
  };
  static uint64_t Pack(const char* p, size_t n);  // ASCII-lowercased
  Shape& ShapeFor(bool suffix, size_t length);

  std::vector<Shape> shapes_;
  std::vector<std::string> inner_;  // lowercased required substrings
  bool always_open_ = false;
};

}  // namespace c2s::engine
