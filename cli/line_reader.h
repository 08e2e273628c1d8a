// Reading NDJSON input line by line, and the progress bar the commands that
// read long inputs (scan, tune) draw on a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string_view>

namespace c2s::cli {

// Calls on_line for every line of `in` (without its '\n'; a last line
// without one too), and after each block read on_block(bytes read so far),
// which returns false to stop. Returns false on a read error.
bool ReadLines(FILE* in, const std::function<void(std::string_view)>& on_line,
               const std::function<bool(uint64_t)>& on_block);

// The size of `in` if it is a regular file, else 0 (unknown).
uint64_t InputSize(FILE* in);

class Progress {
 public:
  Progress(bool enabled, uint64_t total) : enabled_(enabled), total_(total) {}
  void Update(uint64_t done, uint64_t events);
  void Clear();

 private:
  bool enabled_;
  uint64_t total_;
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

}  // namespace c2s::cli
