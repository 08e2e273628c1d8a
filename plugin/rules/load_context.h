// What a loader needs to report an error the way users can act on it:
// "file:line: /json/pointer: reason".
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "util/json_text.h"

namespace c2s::rules {

class LoadContext {
 public:
  LoadContext(std::string origin, std::string_view text)
      : origin_(std::move(origin)), lines_(text) {}

  const std::string& origin() const { return origin_; }

  // "origin:line pointer", for error messages and Node::where. (The line
  // index it keeps makes a context single-threaded, as a load is.)
  std::string Where(std::string_view pointer) const;

  // InvalidArgument naming origin, line and pointer.
  absl::Status Fail(std::string_view pointer, std::string_view reason) const;

 private:
  std::string origin_;
  mutable json_text::PointerLines lines_;  // every node asks: one index
};

// Largest configuration file read (rulesets, profiles); exclusions have a
// smaller cap of their own (kMaxExclusionsBytes).
inline constexpr size_t kMaxConfigFileBytes = size_t{256} << 20;

// Reads a whole configuration file; the error names the path and says why.
// Only regular files are read, opened without blocking: a FIFO, socket or
// device (a symlink to /dev/zero) is refused, since reading it could block
// a watcher forever or never end; so is a file larger than max_bytes.
absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     size_t max_bytes = kMaxConfigFileBytes);

}  // namespace c2s::rules
