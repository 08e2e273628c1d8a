#include "runtime/gram_sieve.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"

namespace c2s::runtime {

namespace {

// The window at `p` of lowercased bytes, as a word (in the machine's byte
// order: the same for the literals and the texts).
uint32_t SieveWindowAt(const char* p) {
  uint32_t w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}

// Eight bytes lowercased at once: ASCII 'A'..'Z' only, other bytes kept.
uint64_t SieveLower8(uint64_t w) {
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL, kHigh = 0x8080808080808080ULL;
  uint64_t h = w & kLow7;
  uint64_t at_least_a = h + 0x3f3f3f3f3f3f3f3fULL;  // bit 7 set: byte >= 'A'
  uint64_t beyond_z = h + 0x2525252525252525ULL;    // bit 7 set: byte > 'Z'
  uint64_t upper = at_least_a & ~beyond_z & ~w & kHigh;
  return w | (upper >> 2);
}

// Letters make rarer windows in names than dots, dashes and digits.
int SieveCommonness(std::string_view s, size_t i) {
  int n = 0;
  for (size_t k = 0; k < GramSieve::kWindow; ++k)
    n += !((static_cast<unsigned char>(s[i + k]) | 0x20u) - 'a' < 26u);
  return n;
}

}  // namespace

void GramSieve::Build(const std::vector<std::string>& literals) {
  table_.clear();
  anchors_.clear();
  lowered_.clear();
  if (literals.empty() || literals.size() > kMaxLiterals) return;
  for (const auto& l : literals)
    if (l.size() < kWindow) return;
  for (const auto& l : literals) {
    std::string low = l;
    absl::AsciiStrToLower(&low);
    size_t best = 0;
    for (size_t i = 1; i + kWindow <= low.size(); ++i)
      if (SieveCommonness(low, i) < SieveCommonness(low, best)) best = i;
    anchors_.push_back({SieveWindowAt(low.data() + best), static_cast<uint32_t>(best),
                        static_cast<uint32_t>(lowered_.size())});
    lowered_.push_back(std::move(low));
  }
  std::sort(anchors_.begin(), anchors_.end(),
            [](const Anchor& a, const Anchor& b) { return a.window < b.window; });
  unsigned bits = 4;
  while ((size_t{1} << bits) < 4 * anchors_.size()) ++bits;
  shift_ = 32 - bits;
  mask_ = (uint32_t{1} << bits) - 1;
  table_.assign(size_t{1} << bits, -1);
  for (size_t i = 0; i < anchors_.size(); ++i) {
    if (i > 0 && anchors_[i].window == anchors_[i - 1].window) continue;
    uint32_t s = Slot(anchors_[i].window);
    while (table_[s] >= 0) s = (s + 1) & mask_;
    table_[s] = static_cast<int32_t>(i);
  }
}

bool GramSieve::FoundAt(std::string_view lowered, size_t window_start, uint32_t first) const {
  const uint32_t window = anchors_[first].window;
  for (auto it = anchors_.begin() + first; it != anchors_.end() && it->window == window; ++it) {
    const std::string& lit = lowered_[it->literal];
    if (window_start < it->offset) continue;
    size_t start = window_start - it->offset;
    if (start + lit.size() > lowered.size()) continue;
    if (std::memcmp(lowered.data() + start, lit.data(), lit.size()) == 0) return true;
  }
  return false;
}

GramSieve::Answer GramSieve::Check(std::string_view text) const {
  if (table_.empty() || text.size() > kMaxText) return Answer::kUndecided;
  if (text.size() < kWindow) return Answer::kNone;
  // The text lowercased, eight bytes at a time.
  char low[kMaxText + 8];
  const size_t n = text.size();
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w = 0;
    std::memcpy(&w, text.data() + i, std::min<size_t>(8, n - i));
    w = SieveLower8(w);
    std::memcpy(low + i, &w, 8);
  }
  for (size_t i = 0; i + kWindow <= n; ++i) {
    const uint32_t w = SieveWindowAt(low + i);
    for (uint32_t s = Slot(w); table_[s] >= 0; s = (s + 1) & mask_) {
      uint32_t first = static_cast<uint32_t>(table_[s]);
      if (anchors_[first].window != w) continue;
      if (FoundAt(std::string_view(low, n), i, first)) return Answer::kFound;
      break;
    }
  }
  return Answer::kNone;
}

}  // namespace c2s::runtime
