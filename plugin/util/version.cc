#include "util/version.h"

#include "c2sieve.h"

namespace c2s {

const char* LibraryVersion() { return C2S_VERSION_STRING; }

}  // namespace c2s
