// The library version as a string, from the C2S_VERSION_* macros.
#pragma once

namespace c2s {
const char* LibraryVersion();
}
