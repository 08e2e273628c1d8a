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

namespace c2s::engine {

class LiteralGate {
 public:
  // Registers one pattern (in its written form).
  void Add(std::string_view pattern);

  // True if `value` may match some registered pattern.
  bool MayMatch(std::string_view value) const;

  bool always_open() const { return always_open_; }

  // The n (<= 8) bytes at p, ASCII-lowercased, as one integer.
  static uint64_t Pack(const char* p, size_t n);

 private:
  // Key shapes: (side, length) with length 8, 4, 2 or 1.
  struct Shape {
    bool suffix;
    uint8_t length;
    uint8_t id;
  };
  static uint64_t Salted(uint64_t key, uint8_t shape_id) {
    return key ^ (static_cast<uint64_t>(shape_id + 1) * 0x9e3779b97f4a7c15ULL);
  }
  void Insert(uint64_t salted);
  bool Contains(uint64_t salted) const;

  std::vector<Shape> shapes_;  // longest first
  // Open addressing over all shapes' keys: one multiply and a probe or two
  // per look-up, cheaper than a general hash set on this path.
  std::vector<uint64_t> table_;
  std::vector<uint8_t> used_;
  size_t count_ = 0;
  int shift_ = 64;
  std::vector<std::string> inner_;  // lowercased required substrings
  bool always_open_ = false;
};

}  // namespace c2s::engine
