// One hexadecimal digit's value: JSON \uXXXX escapes, URL %XX escapes.
#pragma once

namespace c2s {

// 0..15, or -1 when `c` is not a hexadecimal digit.
inline int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace c2s
