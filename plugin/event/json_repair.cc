#include "event/json_repair.h"

#include <cstdint>

#include "util/json_text.h"

namespace c2s::event {

namespace {

bool IsHigh(int32_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool IsLow(int32_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

// Whether the digits (with an optional leading '-') fit int64 or uint64.
bool FitsSixtyFourBits(std::string_view token) {
  bool negative = !token.empty() && token[0] == '-';
  std::string_view digits = negative ? token.substr(1) : token;
  while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
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
      bool integer = true;
      while (end < s.size()) {
        char d = s[end];
        if (d >= '0' && d <= '9') {
          ++end;
        } else if (d == '.' || d == 'e' || d == 'E' || d == '+' || d == '-') {
          integer = false;
          ++end;
        } else {
          break;
        }
      }
      std::string_view token = s.substr(i, end - i);
      if (integer && token != "-" && !FitsSixtyFourBits(token)) {
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
