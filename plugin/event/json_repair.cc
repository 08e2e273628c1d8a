#include "event/json_repair.h"

#include <cstdint>

#include "util/json_text.h"

namespace c2s::event {

namespace {

bool IsHigh(int32_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool IsLow(int32_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

// Whether `token` (digits and number punctuation) is a JSON integer,
// -?(0|[1-9][0-9]*): a leading zero before more digits is no number at all,
// and must stay the parse error it is (Elasticsearch refuses it too).
bool IsJsonInteger(std::string_view token) {
  if (!token.empty() && token[0] == '-') token.remove_prefix(1);
  if (token.empty() || (token[0] == '0' && token.size() > 1)) return false;
  for (char d : token) {
    if (d < '0' || d > '9') return false;
  }
  return true;
}

// Whether a JSON integer fits int64 or uint64.
bool FitsSixtyFourBits(std::string_view token) {
  bool negative = !token.empty() && token[0] == '-';
  std::string_view digits = negative ? token.substr(1) : token;
  constexpr std::string_view kMaxUnsigned = "18446744073709551615";
  constexpr std::string_view kMinSigned = "9223372036854775808";
  std::string_view limit = negative ? kMinSigned : kMaxUnsigned;
  if (digits.size() != limit.size()) return digits.size() < limit.size();
  return digits <= limit;
}

}  // namespace

bool RepairForElasticsearch(std::string_view s, std::string* out) {
  out->clear();
  out->reserve(s.size() + 16);
  bool changed = false;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') {  // a string: copy it, mending lone surrogates
      out->push_back(c);
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] != '\\') {
          out->push_back(s[i++]);
          continue;
        }
        int32_t unit = json_text::EscapedUnit(s, i);
        if (unit < 0) {  // another escape: copy it whole
          out->push_back(s[i++]);
          if (i < s.size()) out->push_back(s[i++]);
          continue;
        }
        if (IsHigh(unit) && IsLow(json_text::EscapedUnit(s, i + 6))) {
          out->append(s.substr(i, 12));  // a proper pair
          i += 12;
          continue;
        }
        if (IsHigh(unit) || IsLow(unit)) {
          out->append("\\ufffd");
          changed = true;
        } else {
          out->append(s.substr(i, 6));
        }
        i += 6;
      }
      if (i < s.size()) out->push_back(s[i++]);
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {  // a number token
      size_t end = i + 1;
      while (end < s.size()) {
        char d = s[end];
        if ((d >= '0' && d <= '9') || d == '.' || d == 'e' || d == 'E' || d == '+' || d == '-') {
          ++end;
        } else {
          break;
        }
      }
      std::string_view token = s.substr(i, end - i);
      if (IsJsonInteger(token) && !FitsSixtyFourBits(token)) {
        out->push_back('"');
        out->append(token);
        out->push_back('"');
        changed = true;
      } else {
        out->append(token);
      }
      i = end;
      continue;
    }
    out->push_back(c);
    ++i;
  }
  return changed;
}

}  // namespace c2s::event
