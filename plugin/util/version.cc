#include "util/version.h"

#include "c2sieve.h"

#define C2S_STR2(x) #x
#define C2S_STR(x) C2S_STR2(x)

namespace c2s {

const char* LibraryVersion() {
  return C2S_STR(C2S_VERSION_MAJOR) "." C2S_STR(C2S_VERSION_MINOR) "." C2S_STR(
      C2S_VERSION_PATCH);
}

}  // namespace c2s
