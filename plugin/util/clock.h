// Wall-clock time as the engine records it (Unix milliseconds).
#pragma once

#include <chrono>
#include <cstdint>

namespace c2s {

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace c2s
