#include "engine/wildcard.h"

#include <hs/hs.h>

#include <vector>

namespace c2s::engine {

namespace {

bool IsWild(char c) { return c == '*' || c == '?'; }

// One code point of valid UTF-8, as Hyperscan sees bytes.
constexpr const char* kOneCodePoint =
    "(?:[\\x00-\\x7f]|[\\xc2-\\xdf][\\x80-\\xbf]|[\\xe0-\\xef][\\x80-\\xbf]{2}"
    "|[\\xf0-\\xf4][\\x80-\\xbf]{3})";

void AppendLiteral(std::string& out, unsigned char c) {
  static const char kHex[] = "0123456789abcdef";
  bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
               (c >= 'A' && c <= 'Z');
  if (alnum) {
    out += static_cast<char>(c);
  } else {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
}

// Length of the UTF-8 code point starting at v[i], as kOneCodePoint
// accepts it; 0 if v[i] does not start one.
size_t CodePointLength(std::string_view v, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(v[k]); };
  unsigned char c = b(i);
  size_t n = c < 0x80 ? 1 : (c >= 0xc2 && c <= 0xdf) ? 2
             : (c >= 0xe0 && c <= 0xef)               ? 3
             : (c >= 0xf0 && c <= 0xf4)               ? 4
                                                      : 0;
  if (n == 0 || i + n > v.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  return n;
}

}  // namespace

HyperscanExpression WildcardToHyperscan(std::string_view pattern, bool case_sensitive) {
  HyperscanExpression e;
  e.flags = HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH;
  if (!case_sensitive) e.flags |= HS_FLAG_CASELESS;
  size_t b = 0, end = pattern.size();
  while (b < end && pattern[b] == '*') ++b;
  if (b == end && end > 0) {
    e.matches_everything = true;
    return e;
  }
  bool open_start = b > 0;
  size_t last = end;
  while (last > b && pattern[last - 1] == '*') --last;
  bool open_end = last < end;
  if (!open_start) e.regex += '^';
  for (size_t i = b; i < last; ++i) {
    char c = pattern[i];
    if (c == '*') {
      if (i > b && pattern[i - 1] == '*') continue;
      e.regex += ".*";
    } else if (c == '?') {
      e.regex += kOneCodePoint;
    } else {
      AppendLiteral(e.regex, static_cast<unsigned char>(c));
    }
  }
  if (!open_end) e.regex += "\\z";
  if (pattern.empty()) e.flags |= HS_FLAG_ALLOWEMPTY;
  return e;
}

LiteralShape LiteralShapeOf(std::string_view pattern) {
  LiteralShape shape;
  size_t b = 0, e = pattern.size();
  while (b < e && pattern[b] == '*') ++b;
  while (e > b && pattern[e - 1] == '*') --e;
  const bool open_start = b > 0, open_end = e < pattern.size();
  if (b == e || (!open_start && !open_end)) return shape;  // `*`, or no star
  for (size_t i = b; i < e; ++i)
    if (IsWild(pattern[i])) return shape;
  shape.place = open_start && open_end ? LiteralPlace::kInfix
                : open_start           ? LiteralPlace::kSuffix
                                       : LiteralPlace::kPrefix;
  shape.literal.assign(pattern.substr(b, e - b));
  return shape;
}

bool WildcardMatch(std::string_view p, std::string_view v, bool case_sensitive) {
  // Iterative glob with single-star backtracking; `?` eats one code point.
  size_t pi = 0, vi = 0;
  size_t star_p = std::string_view::npos, star_v = 0;
  while (vi < v.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star_p = pi++;
      star_v = vi;
      continue;
    }
    if (pi < p.size() && p[pi] == '?') {
      size_t n = CodePointLength(v, vi);
      if (n > 0) {
        ++pi;
        vi += n;
        continue;
      }
    } else if (pi < p.size() && (case_sensitive ? p[pi] == v[vi]
                                                : AsciiLower(p[pi]) == AsciiLower(v[vi]))) {
      ++pi;
      ++vi;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p + 1;
    vi = ++star_v;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

WildcardAnchors AnchorsOf(std::string_view pattern) {
  WildcardAnchors a;
  size_t first = 0;
  while (first < pattern.size() && !IsWild(pattern[first])) ++first;
  a.has_wildcard = first < pattern.size();
  for (size_t i = 0; i < first; ++i) a.prefix += AsciiLower(pattern[i]);
  if (!a.has_wildcard) {
    a.suffix = a.prefix;
    return a;
  }
  size_t last = pattern.size();
  while (last > 0 && !IsWild(pattern[last - 1])) --last;
  for (size_t i = last; i < pattern.size(); ++i)
    a.suffix += AsciiLower(pattern[i]);
  size_t run_start = first;
  for (size_t i = first; i <= last; ++i) {
    if (i == last || IsWild(pattern[i])) {
      if (i > run_start && i - run_start > a.longest_inner.size()) {
        a.longest_inner.clear();
        for (size_t k = run_start; k < i; ++k)
          a.longest_inner += AsciiLower(pattern[k]);
      }
      run_start = i + 1;
    }
  }
  return a;
}

}  // namespace c2s::engine
