#include "engine/literal_gate.h"

#include <algorithm>
#include <cstring>

#include "engine/wildcard.h"

namespace c2s::engine {

uint64_t LiteralGate::Pack(const char* p, size_t n) {
  // Fixed-size loads: a variable-length memcpy becomes a byte loop.
  uint64_t x = 0;
  switch (n) {
    case 8: std::memcpy(&x, p, 8); break;
    case 4: { uint32_t v; std::memcpy(&v, p, 4); x = v; break; }
    case 2: { uint16_t v; std::memcpy(&v, p, 2); x = v; break; }
    case 1: x = static_cast<unsigned char>(*p); break;
    default: std::memcpy(&x, p, n);
  }
  // SWAR ASCII lowercase: set bit 5 of every byte in 'A'..'Z'.
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  uint64_t heptets = x & (0x7f * kOnes);
  uint64_t above_z = heptets + (0x80 - 'Z' - 1) * kOnes;
  uint64_t from_a = heptets + (0x80 - 'A') * kOnes;
  uint64_t upper = ~x & (from_a ^ above_z) & (0x80 * kOnes);
  return x | (upper >> 2);
}

namespace {
inline size_t Slot(uint64_t k, int shift) {
  return static_cast<size_t>((k * 0x9e3779b97f4a7c15ULL) >> shift);
}
}  // namespace

bool LiteralGate::Contains(uint64_t k) const {
  if (count_ == 0) return false;
  size_t mask = table_.size() - 1;
  for (size_t i = Slot(k, shift_);; i = (i + 1) & mask) {
    if (!used_[i]) return false;
    if (table_[i] == k) return true;
  }
}

void LiteralGate::Insert(uint64_t k) {
  if (Contains(k)) return;
  if ((count_ + 1) * 2 > table_.size()) {  // keep the load under one half
    std::vector<uint64_t> old;
    for (size_t i = 0; i < table_.size(); ++i)
      if (used_[i]) old.push_back(table_[i]);
    size_t size = 16;
    while (size < (count_ + 1) * 4) size *= 2;
    table_.assign(size, 0);
    used_.assign(size, 0);
    shift_ = 64 - __builtin_ctzll(size);
    count_ = 0;
    for (uint64_t o : old) Insert(o);
  }
  size_t mask = table_.size() - 1;
  size_t i = Slot(k, shift_);
  while (used_[i]) i = (i + 1) & mask;
  table_[i] = k;
  used_[i] = 1;
  ++count_;
}

void LiteralGate::Add(std::string_view pattern) {
  if (always_open_) return;
  WildcardAnchors a = AnchorsOf(pattern);
  if (a.prefix.empty() && a.suffix.empty()) {
    // `*` alone, `""`, or only inner literals.
    if (a.longest_inner.empty() || !a.has_wildcard) {
      always_open_ = true;
      return;
    }
    inner_.push_back(a.longest_inner);
    return;
  }
  bool use_suffix = a.suffix.size() > a.prefix.size();
  const std::string& lit = use_suffix ? a.suffix : a.prefix;
  // Key lengths 8, 4, 2 or 1 (a prefix of a required prefix is required
  // too): few distinct shapes keep MayMatch to a handful of look-ups.
  uint8_t n = lit.size() >= 8 ? 8 : lit.size() >= 4 ? 4 : lit.size() >= 2 ? 2 : 1;
  const char* start = use_suffix ? lit.data() + lit.size() - n : lit.data();
  uint8_t id = 0;
  auto it = std::find_if(shapes_.begin(), shapes_.end(), [&](const Shape& s) {
    return s.suffix == use_suffix && s.length == n;
  });
  if (it == shapes_.end()) {
    id = static_cast<uint8_t>(shapes_.size());
    shapes_.push_back(Shape{use_suffix, n, id});
    std::sort(shapes_.begin(), shapes_.end(),
              [](const Shape& x, const Shape& y) { return x.length > y.length; });
  } else {
    id = it->id;
  }
  Insert(Salted(Pack(start, n), id));
}

bool LiteralGate::MayMatch(std::string_view v) const {
  if (always_open_) return true;
  if (!shapes_.empty() && !v.empty()) {
    // Pack the first and last (up to) 8 bytes once; every shape's key is a
    // part of one of them.
    size_t n = v.size() < 8 ? v.size() : 8;
    uint64_t head = Pack(v.data(), n);
    uint64_t tail = n == v.size() ? head : Pack(v.data() + v.size() - 8, 8);
    for (const Shape& s : shapes_) {
      if (n < s.length) continue;
      uint64_t mask = s.length == 8 ? ~0ULL : (1ULL << (8 * s.length)) - 1;
      uint64_t key = s.suffix ? (tail >> (8 * (n - s.length))) & mask : head & mask;
      if (Contains(Salted(key, s.id))) return true;
    }
  }
  for (const std::string& lit : inner_) {
    // Candidates start where the literal's first byte (either case) is.
    char first = lit[0];
    char other = (first >= 'a' && first <= 'z') ? static_cast<char>(first - 32) : first;
    for (size_t i = 0; i + lit.size() <= v.size(); ++i) {
      if (v[i] != first && v[i] != other) continue;
      size_t k = 1;
      while (k < lit.size() && AsciiLower(v[i + k]) == lit[k]) ++k;
      if (k == lit.size()) return true;
    }
  }
  return false;
}

}  // namespace c2s::engine
