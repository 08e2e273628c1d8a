#include "util/number_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace c2s::util {

namespace {

char* Put(char* first, char* last, std::string_view text) {
  if (static_cast<size_t>(last - first) < text.size()) return nullptr;
  std::memcpy(first, text.data(), text.size());
  return first + text.size();
}

}  // namespace

char* ShortestDoubleTextPortable(char* first, char* last, double value) {
  if (std::isnan(value)) return Put(first, last, "nan");
  if (std::isinf(value)) return Put(first, last, value < 0 ? "-inf" : "inf");
  // The fewest significant digits that read back exactly: "%.{p-1}e".
  char sci[40];
  int digits_wanted = 1;
  for (; digits_wanted <= 17; ++digits_wanted) {
    std::snprintf(sci, sizeof sci, "%.*e", digits_wanted - 1, value);
    if (std::strtod(sci, nullptr) == value) break;
  }
  // sci is [-]d[.ddd]e±XX: take the sign, the digits and the exponent.
  const char* p = sci;
  bool negative = *p == '-';
  if (negative) ++p;
  char digits[20];
  int n = 0;
  for (; *p != 'e'; ++p) {
    if (*p != '.') digits[n++] = *p;
  }
  int exponent = std::atoi(p + 1);
  while (n > 1 && digits[n - 1] == '0') --n;  // "%.*e" may pad with zeros

  // Scientific: d[.ddd]e±XX, as printf writes it (two exponent digits at least).
  char scientific[40];
  int s = 0;
  if (negative) scientific[s++] = '-';
  scientific[s++] = digits[0];
  if (n > 1) {
    scientific[s++] = '.';
    for (int i = 1; i < n; ++i) scientific[s++] = digits[i];
  }
  s += std::snprintf(scientific + s, sizeof scientific - s, "e%c%02d",
                     exponent < 0 ? '-' : '+', std::abs(exponent));

  // Fixed: the same digits placed around the decimal point.
  char fixed[400];
  int f = 0;
  if (negative) fixed[f++] = '-';
  if (exponent < 0) {
    fixed[f++] = '0';
    fixed[f++] = '.';
    for (int i = 0; i < -exponent - 1; ++i) fixed[f++] = '0';
    for (int i = 0; i < n; ++i) fixed[f++] = digits[i];
  } else if (n <= exponent + 1) {
    // An integer wider than its shortest digits: to_chars writes its exact
    // value (printf's "%.0f"), not the digits padded with zeros.
    f = std::snprintf(fixed, sizeof fixed, "%.0f", value);
  } else {
    for (int i = 0; i <= exponent; ++i) fixed[f++] = digits[i];
    fixed[f++] = '.';
    for (int i = exponent + 1; i < n; ++i) fixed[f++] = digits[i];
  }
  return f <= s ? Put(first, last, std::string_view(fixed, f))
                : Put(first, last, std::string_view(scientific, s));
}

char* ShortestDoubleText(char* first, char* last, double value) {
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
  if (std::isnan(value) || std::isinf(value))
    return ShortestDoubleTextPortable(first, last, value);
  auto [end, error] = std::to_chars(first, last, value);
  return error == std::errc() ? end : nullptr;
#else
  return ShortestDoubleTextPortable(first, last, value);
#endif
}

}  // namespace c2s::util
