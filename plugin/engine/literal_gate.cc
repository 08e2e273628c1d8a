#include "engine/literal_gate.h"

#include <algorithm>

#include "engine/wildcard.h"

namespace c2s::engine {

uint64_t LiteralGate::Pack(const char* p, size_t n) {
  uint64_t k = 0;
  for (size_t i = 0; i < n; ++i)
    k |= static_cast<uint64_t>(static_cast<unsigned char>(AsciiLower(p[i])))
         << (8 * i);
  return k;
}

LiteralGate::Shape& LiteralGate::ShapeFor(bool suffix, size_t length) {
  for (Shape& s : shapes_)
    if (s.suffix == suffix && s.length == length) return s;
  shapes_.push_back(Shape{suffix, static_cast<uint8_t>(length), {}});
  // Longest keys first: they are the most selective.
  std::sort(shapes_.begin(), shapes_.end(),
            [](const Shape& a, const Shape& b) { return a.length > b.length; });
  for (Shape& s : shapes_)
    if (s.suffix == suffix && s.length == length) return s;
  return shapes_.back();
}

void LiteralGate::Add(std::string_view pattern) {
  if (always_open_) return;
  WildcardAnchors a = AnchorsOf(pattern);
  if (a.prefix.empty() && a.suffix.empty()) {
    // `*` alone, `""`, or only inner literals.
    if (a.longest_inner.empty() || !a.has_wildcard) {
      always_open_ = true;
      shapes_.clear();
      inner_.clear();
      return;
    }
    inner_.push_back(a.longest_inner);
    return;
  }
  bool use_suffix = a.suffix.size() > a.prefix.size();
  const std::string& lit = use_suffix ? a.suffix : a.prefix;
  size_t n = std::min(lit.size(), kMaxKey);
  const char* start = use_suffix ? lit.data() + lit.size() - n : lit.data();
  ShapeFor(use_suffix, n).keys.insert(Pack(start, n));
}

bool LiteralGate::MayMatch(std::string_view v) const {
  if (always_open_) return true;
  for (const Shape& s : shapes_) {
    if (v.size() < s.length) continue;
    const char* start = s.suffix ? v.data() + v.size() - s.length : v.data();
    if (s.keys.contains(Pack(start, s.length))) return true;
  }
  for (const std::string& lit : inner_) {
    auto it = std::search(v.begin(), v.end(), lit.begin(), lit.end(),
                          [](char x, char y) { return AsciiLower(x) == y; });
    if (it != v.end()) return true;
  }
  return false;
}

}  // namespace c2s::engine
