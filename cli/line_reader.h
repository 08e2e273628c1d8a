// Reading NDJSON input line by line, and the progress bar the commands that
// read long inputs (scan, tune) draw on a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace c2s::cli {

// An input file or standard input: gzip-compressed input (recognised by its
// first two bytes) is decompressed through zlib; anything else is read with
// plain read(2), as fast as before.
class Input {
 public:
  // "-" is standard input. The error says why a path cannot be read (no
  // such file, a directory ...).
  static absl::StatusOr<std::unique_ptr<Input>> Open(const std::string& path);
  ~Input();
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  // Up to n bytes of content; 0 at the end, -1 on a read error.
  long Read(char* buf, size_t n);
  // The file's size on disk if it is a regular file, else 0 (unknown), and
  // how much of it has been consumed: for the progress bar.
  uint64_t size() const { return size_; }
  uint64_t consumed() const;
  const std::string& name() const { return name_; }

 private:
  Input() = default;
  int fd_ = -1;
  void* gz_ = nullptr;  // gzFile, for gzip input only
  char peeked_[2];      // bytes read to recognise gzip, handed out first
  size_t peeked_size_ = 0, peeked_used_ = 0;
  uint64_t consumed_ = 0;  // plain input: bytes read
  uint64_t size_ = 0;
  std::string name_;
};

// Calls on_line for every line of `in` (without its '\n'; a last line
// without one too), and after each block read on_block(input consumed so
// far), which returns false to stop. Returns false on a read error.
bool ReadLines(Input& in, const std::function<void(std::string_view)>& on_line,
               const std::function<bool(uint64_t)>& on_block);

// The same, telling on_line whether the line lies in the block just read
// with its '\n' right after it: such lines of one block are contiguous, so a
// caller may copy a run of them as one span until on_block is called.
bool ReadLinesInBlock(Input& in,
                      const std::function<void(std::string_view, bool in_block)>& on_line,
                      const std::function<bool(uint64_t)>& on_block);

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
