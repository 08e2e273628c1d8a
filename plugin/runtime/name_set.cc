#include "runtime/name_set.h"

#include <cstring>

namespace c2s::runtime {

namespace {

constexpr uint64_t kMultiplier = 0x100000001B3ULL;

inline char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

inline bool DomainChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

// The hash of a name, taken from its last character to its first, so that
// a scan right to left has every suffix's hash on the way.
inline uint64_t Step(uint64_t h, char c) { return h * kMultiplier + static_cast<unsigned char>(Lower(c)) + 1; }

inline uint64_t Mix(uint64_t h) {  // MurmurHash3's finalizer
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t HashOf(std::string_view s) {
  uint64_t h = 0;
  for (size_t i = s.size(); i-- > 0;) h = Step(h, s[i]);
  return h;
}

}  // namespace

void NameSet::Bloom::Size(size_t n) {
  // About 16 bits per entry, in whole 512-bit blocks, a power of two.
  size_t blocks = 1;
  while (blocks * 512 < n * 16) blocks <<= 1;
  words.assign(blocks * 8, 0);
  block_mask = blocks - 1;
}

void NameSet::Bloom::Add(uint64_t h) {
  h = Mix(h);
  uint64_t* block = &words[(h & block_mask) * 8];
  for (int k = 0; k < 4; ++k) {
    unsigned bit = static_cast<unsigned>(h >> (24 + 9 * k)) & 511;
    block[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
}

bool NameSet::Bloom::Maybe(uint64_t h) const {
  if (words.empty()) return false;
  h = Mix(h);
  const uint64_t* block = &words[(h & block_mask) * 8];
  for (int k = 0; k < 4; ++k) {
    unsigned bit = static_cast<unsigned>(h >> (24 + 9 * k)) & 511;
    if (!(block[bit >> 6] & (uint64_t{1} << (bit & 63)))) return false;
  }
  return true;
}

void NameSet::Add(std::string_view pattern) {
  std::string_view last = pattern.substr(pattern.rfind('.') + 1);
  uint64_t bit = Mix(HashOf(last)) & (kLastLabelBits - 1);
  last_labels_[bit >> 6] |= uint64_t{1} << (bit & 63);
  if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
    pattern.remove_prefix(2);
    suffixes_.push_back(HashOf(pattern));
    min_suffix_ = std::min(min_suffix_, pattern.size());
    max_suffix_ = std::max(max_suffix_, pattern.size());
  } else {
    names_.push_back(HashOf(pattern));
    min_name_ = std::min(min_name_, pattern.size());
    max_name_ = std::max(max_name_, pattern.size());
  }
}

void NameSet::Finish() {
  if (!names_.empty()) name_bloom_.Size(names_.size());
  if (!suffixes_.empty()) suffix_bloom_.Size(suffixes_.size());
  for (uint64_t h : names_) name_bloom_.Add(h);
  for (uint64_t h : suffixes_) suffix_bloom_.Add(h);
}

bool NameSet::RunMayMatch(const char* run, size_t len) const {
  if (len > 0 && run[len - 1] == '.') --len;  // one root dot, as canonical names drop it
  uint64_t h = 0;
  bool last_label_seen = false;
  for (size_t i = len; i-- > 0;) {
    if (run[i] == '.') {
      // Every listed name and suffix ends in one of the listed last labels
      // (.com, .ru ...): most runs (svchost.exe, 10.0.0.1) stop here.
      if (!last_label_seen) {
        uint64_t bit = Mix(h) & (kLastLabelBits - 1);
        if (!(last_labels_[bit >> 6] & (uint64_t{1} << (bit & 63)))) return false;
        last_label_seen = true;
      }
      size_t suffix = len - i - 1;  // run[i+1, len): what "*." + suffix matches
      if (suffix >= min_suffix_ && suffix <= max_suffix_ && suffix_bloom_.Maybe(h)) return true;
    }
    h = Step(h, run[i]);
  }
  return last_label_seen && len >= min_name_ && len <= max_name_ && name_bloom_.Maybe(h);
}

bool NameSet::AnyIn(std::string_view bytes, bool json_escapes) const {
  const char* d = bytes.data();
  const size_t n = bytes.size();
  size_t from = 0;  // the runs before this are done
  while (from < n) {
    const char* dot = static_cast<const char*>(std::memchr(d + from, '.', n - from));
    if (dot == nullptr) return false;  // every name and suffix match holds a dot
    size_t e = static_cast<size_t>(dot - d), b = e;
    while (e < n && DomainChar(d[e])) ++e;
    while (b > from && DomainChar(d[b - 1])) --b;
    // A backslash is no domain character, so only the run's first one can
    // be an escape's letter (\n, \t ...): after an odd count of them.
    if (json_escapes && b > 0 && d[b - 1] == '\\') {
      size_t slashes = 0;
      while (slashes < b && d[b - 1 - slashes] == '\\') ++slashes;
      if (slashes % 2 == 1) ++b;
    }
    if (e > b && RunMayMatch(d + b, e - b)) return true;
    from = e + 1;
  }
  return false;
}

}  // namespace c2s::runtime
