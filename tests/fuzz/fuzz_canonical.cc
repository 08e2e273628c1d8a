// The canonicalizers: never a crash, and canonical forms are fixed points.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "event/canonical.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  std::string b1, b2;
  std::string p1(c2s::event::CanonicalPath(in, &b1));
  std::string p2(c2s::event::CanonicalPath(p1, &b2));
  if (p1 != p2) std::abort();
  std::string d1(c2s::event::CanonicalDomain(in, &b1));
  for (bool transitional : {false, true}) {
    std::string idna;
    if (!c2s::event::DomainToAscii(d1, transitional, &idna)) continue;
    for (char c : idna)
      if (static_cast<unsigned char>(c) >= 0x80) std::abort();  // UTS #46 ToASCII is ASCII
  }
  return 0;
}
