// String helpers that take std::string_view. (Debian's Abseil is built with
// its own absl::string_view, which std::string_view does not convert to, so
// absl::StrCat and absl's transparent string hashing are not used.)
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace c2s {

namespace strings_internal {
inline void AppendOne(std::string& out, std::string_view s) { out.append(s); }
inline void AppendOne(std::string& out, const char* s) { out.append(s); }
inline void AppendOne(std::string& out, const std::string& s) { out.append(s); }
inline void AppendOne(std::string& out, absl::string_view s) { out.append(s.data(), s.size()); }
inline void AppendOne(std::string& out, char c) { out.push_back(c); }
template <typename T,
          typename = std::enable_if_t<std::is_arithmetic_v<T> &&
                                      !std::is_same_v<T, char>>>
void AppendOne(std::string& out, T v) {
  if constexpr (std::is_floating_point_v<T>) {
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v));
    out.append(buf, n > 0 ? static_cast<size_t>(n) : 0);
  } else {
    out.append(std::to_string(v));
  }
}
}  // namespace strings_internal

// Concatenates strings, string_views, chars and numbers.
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (strings_internal::AppendOne(out, args), ...);
  return out;
}

template <typename... Args>
void Append(std::string* out, const Args&... args) {
  (strings_internal::AppendOne(*out, args), ...);
}

// Transparent hash and equality, so maps keyed by std::string can be
// searched with a std::string_view without building a string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return absl::Hash<std::string_view>{}(s);
  }
};
struct StringEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    return a == b;
  }
};

// ASCII white space: space, \t \n \v \f \r (isspace in the C locale).
inline bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// `s` without the ASCII white space at either end.
inline std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

template <typename V>
using StringMap = absl::flat_hash_map<std::string, V, StringHash, StringEq>;
using StringSet = absl::flat_hash_set<std::string, StringHash, StringEq>;

}  // namespace c2s
