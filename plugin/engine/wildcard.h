// EQL wildcard patterns (`field : "pattern"`): whole-value match, ASCII
// case-insensitive, `*` any run of characters (also empty), `?` exactly one
// character (one UTF-8 code point), every other character literal.
#pragma once

#include <string>
#include <string_view>

namespace c2s::engine {

struct HyperscanExpression {
  std::string regex;
  unsigned flags = 0;
  bool matches_everything = false;  // only `*`: true for any value
};

// The expression Hyperscan compiles for `pattern`. A leading `*` becomes an
// unanchored start and a trailing `*` an unanchored end (cheaper than `.*`).
HyperscanExpression WildcardToHyperscan(std::string_view pattern, bool case_sensitive = false);

// A pattern whose only wildcards are `*` before and/or after one literal
// (`*.ngrok.io`, `pastebin.*`, `*.portmap.*`): a value matches when it ends
// with, starts with or contains the literal. Hyperscan's literal mode
// compiles these in a fraction of an expression's time; the position is
// checked on each reported end offset.
enum class LiteralPlace { kNone, kSuffix, kPrefix, kInfix };
struct LiteralShape {
  LiteralPlace place = LiteralPlace::kNone;  // kNone: no such shape
  std::string literal;                       // as written (case kept)
};
LiteralShape LiteralShapeOf(std::string_view pattern);

// Straightforward reference matcher with the same semantics, for tests,
// `explain` and checking Hyperscan's answers.
bool WildcardMatch(std::string_view pattern, std::string_view value, bool case_sensitive = false);

// The literal text a value must start / end with to match (ASCII
// lowercased), and the longest literal run inside the pattern.
struct WildcardAnchors {
  std::string prefix;
  std::string suffix;
  std::string longest_inner;
  bool has_wildcard = false;
};
WildcardAnchors AnchorsOf(std::string_view pattern);

inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

}  // namespace c2s::engine
