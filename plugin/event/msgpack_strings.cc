#include "event/msgpack_strings.h"

#include <cstdint>

namespace c2s::event {

namespace {

uint64_t BigEndian(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int k = 0; k < n; ++k) v = (v << 8) | p[k];
  return v;
}

}  // namespace

bool AnyMsgpackString(std::string_view bytes, const std::function<bool(std::string_view)>& f) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  while (p < end) {
    unsigned char b = *p++;
    uint64_t payload = 0;  // bytes of a str/bin/ext payload that follow
    int extra = 0;         // fixed bytes after the header (numbers, ext type)
    if (b <= 0x7f || b >= 0xe0 || (b >= 0x80 && b <= 0x9f) || b == 0xc0 || b == 0xc2 ||
        b == 0xc3) {
      continue;  // fixints, fixmap, fixarray, nil, booleans: no payload
    }
    if (b >= 0xa0 && b <= 0xbf) {
      payload = b & 0x1f;
    } else {
      switch (b) {
        case 0xcc: case 0xd0: extra = 1; break;
        case 0xcd: case 0xd1: extra = 2; break;
        case 0xce: case 0xd2: case 0xca: extra = 4; break;
        case 0xcf: case 0xd3: case 0xcb: extra = 8; break;
        case 0xdc: case 0xde: extra = 2; break;  // array16 / map16 counts
        case 0xdd: case 0xdf: extra = 4; break;  // array32 / map32 counts
        case 0xd9: case 0xda: case 0xdb:          // str8/16/32
        case 0xc4: case 0xc5: case 0xc6: {        // bin8/16/32
          int n = 1 << ((b >= 0xd9 ? b - 0xd9 : b - 0xc4));
          if (end - p < n) return true;
          payload = BigEndian(p, n);
          p += n;
          break;
        }
        case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:  // fixext: type + 1..16
          if (end - p < 1) return true;
          ++p;
          payload = 1u << (b - 0xd4);
          break;
        case 0xc7: case 0xc8: case 0xc9: {  // ext8/16/32: length, type
          int n = 1 << (b - 0xc7);
          if (end - p < n + 1) return true;
          payload = BigEndian(p, n);
          p += n + 1;
          break;
        }
        default:
          return true;  // 0xc1 is never used
      }
    }
    if (extra) {
      if (end - p < extra) return true;
      p += extra;
      continue;
    }
    if (static_cast<uint64_t>(end - p) < payload) return true;
    if (f(std::string_view(reinterpret_cast<const char*>(p), payload))) return true;
    p += payload;
  }
  return false;
}

}  // namespace c2s::event
