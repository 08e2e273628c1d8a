// Whether a short text (an event's domain, handed over field by field)
// holds any of the prefilter's literals, ASCII case ignored -- the answer
// a Hyperscan literal scan gives, without its fixed cost per call (about
// 700 instructions, most of the gate's price on a 20-byte name).
//
// Each literal is anchored at one of its 4-byte windows (lowercased; a
// window of letters where it has one: rarer in names than ".com" or
// "www."). A small open-addressing table of the anchor windows is probed
// with each window of a text; a window found there has each literal
// anchored at it compared in place. A text holding a literal holds its
// anchor window, so the answer is exact both ways. Off (every answer
// "undecided": the scan decides) when a literal is shorter than a window
// or there are too many literals for a small table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace c2s::runtime {

class GramSieve {
 public:
  static constexpr size_t kWindow = 4;
  // Longer texts are left to the scan, cheaper per byte than the sieve.
  static constexpr size_t kMaxText = 128;
  // The table (4 slots a distinct anchor) stays within 64 KB.
  static constexpr size_t kMaxLiterals = 4096;

  enum class Answer { kNone, kFound, kUndecided };

  // ASCII literals, as the prefilter compiles them.
  void Build(const std::vector<std::string>& literals);
  bool enabled() const { return !table_.empty(); }

  // kFound when some literal occurs in `text`, kNone when none does,
  // kUndecided when the sieve is off or the text is longer than kMaxText.
  Answer Check(std::string_view text) const;

 private:
  uint32_t Slot(uint32_t window) const { return (window * 0x9E3779B1u) >> shift_; }
  struct Anchor {
    uint32_t window;   // lowercased, first byte lowest
    uint32_t offset;   // where in the literal
    uint32_t literal;  // index into lowered_
  };
  bool FoundAt(std::string_view lowered, size_t window_start, uint32_t first) const;

  // Slot -> the first of anchors_ with that window, or -1; linear probing.
  std::vector<int32_t> table_;
  uint32_t mask_ = 0;
  unsigned shift_ = 32;
  std::vector<Anchor> anchors_;  // by window
  std::vector<std::string> lowered_;
};

}  // namespace c2s::runtime
