// Byte-level walking of JSON text that is already known to be valid: find
// members and their exact byte ranges without building a tree, so a matched
// event can be spliced and an error can be given a line number.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace c2s::json_text {

inline constexpr size_t kNpos = std::string_view::npos;

// Index of the first non-whitespace byte at or after i.
size_t SkipSpace(std::string_view s, size_t i);

// s[i] starts a value; returns the index one past its end, or kNpos if the
// text ends first. Iterative: nesting depth costs no stack.
size_t SkipValue(std::string_view s, size_t i);

struct Member {
  std::string_view raw_key;  // between the quotes, escapes left as written
  size_t value_begin;
  size_t value_end;
};

// Calls f(const Member&) for each member of the object starting at s[i]
// ('{'); f returns false to stop. Returns the index one past '}', or kNpos.
template <typename F>
size_t ForEachMember(std::string_view s, size_t i, F&& f);

// Calls f(begin, end) for each element of the array at s[i] ('[').
template <typename F>
size_t ForEachElement(std::string_view s, size_t i, F&& f);

// 1-based line of the value a JSON pointer (RFC 6901) names; if the path
// does not exist, the line of its deepest existing ancestor.
int LineOfPointer(std::string_view s, std::string_view pointer);

// LineOfPointer for one document asked many times (a loader names the line
// of every node it reads). Each container on an asked path is walked once
// and its children's offsets kept, and lines come from a table of line
// starts: asking for every element of an n-element array costs O(n), not
// O(n^2). Only the containers asked through are indexed. Not thread-safe;
// `s` must outlive it.
class PointerLines {
 public:
  explicit PointerLines(std::string_view s) : s_(s) {}
  int Line(std::string_view pointer);

 private:
  struct Child {
    std::string_view raw_key;  // as written; empty for array elements
    size_t begin;
  };
  const std::vector<Child>& ChildrenOf(size_t container);
  int LineAt(size_t pos);

  std::string_view s_;
  std::unordered_map<size_t, std::vector<Child>> children_;
  std::vector<size_t> line_starts_;  // built on first use
};

// 1-based line of byte offset `pos`.
int LineOfOffset(std::string_view s, size_t pos);

// Appends `v` as a JSON string literal (quotes included), escaping what
// JSON requires; invalid UTF-8 bytes become U+FFFD.
void AppendQuoted(std::string& out, std::string_view v);

// The UTF-16 code unit of the escape "\uXXXX" starting at s[i] (s[i] is
// the backslash), or -1 when there is none.
int EscapedUnit(std::string_view s, size_t i);

// Decodes the text between a JSON string's quotes (escapes as written) into
// UTF-8; a lone surrogate escape becomes U+FFFD, as Elasticsearch stores
// it. A malformed escape is kept as written.
std::string Unescape(std::string_view raw);

// For valid JSON text: the JSON pointer of the first member whose key
// (decoded) repeats an earlier key of the same object, or "" if none.
// Configuration refuses such documents: parsers disagree on which value
// counts, so a duplicate can hide an entry from review.
std::string DuplicateKeyPointer(std::string_view s);

// Appends one JSON pointer token, escaped (~0 ~1).
void AppendPointerToken(std::string& out, std::string_view token);

// ---- template implementations ----

template <typename F>
size_t ForEachMember(std::string_view s, size_t i, F&& f) {
  if (i >= s.size() || s[i] != '{') return kNpos;
  i = SkipSpace(s, i + 1);
  if (i < s.size() && s[i] == '}') return i + 1;
  while (i < s.size()) {
    if (s[i] != '"') return kNpos;
    size_t key_end = SkipValue(s, i);
    if (key_end == kNpos) return kNpos;
    Member m{s.substr(i + 1, key_end - i - 2), 0, 0};
    i = SkipSpace(s, key_end);
    if (i >= s.size() || s[i] != ':') return kNpos;
    m.value_begin = SkipSpace(s, i + 1);
    m.value_end = SkipValue(s, m.value_begin);
    if (m.value_end == kNpos) return kNpos;
    if (!f(m)) return m.value_end;
    i = SkipSpace(s, m.value_end);
    if (i < s.size() && s[i] == ',') {
      i = SkipSpace(s, i + 1);
      continue;
    }
    if (i < s.size() && s[i] == '}') return i + 1;
    return kNpos;
  }
  return kNpos;
}

template <typename F>
size_t ForEachElement(std::string_view s, size_t i, F&& f) {
  if (i >= s.size() || s[i] != '[') return kNpos;
  i = SkipSpace(s, i + 1);
  if (i < s.size() && s[i] == ']') return i + 1;
  while (i < s.size()) {
    size_t end = SkipValue(s, i);
    if (end == kNpos) return kNpos;
    if (!f(i, end)) return end;
    i = SkipSpace(s, end);
    if (i < s.size() && s[i] == ',') {
      i = SkipSpace(s, i + 1);
      continue;
    }
    if (i < s.size() && s[i] == ']') return i + 1;
    return kNpos;
  }
  return kNpos;
}

}  // namespace c2s::json_text
