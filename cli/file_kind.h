// What kind of file a path holds, so a file given to the wrong option (or
// to the wrong command) is answered with what it is and what to do with it,
// never with the parser's complaint about its bytes.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace c2s::cli {

enum class FileKind {
  kRuleset,      // c2sieve.ruleset/1
  kExclusions,   // c2sieve.exclusions/1
  kProfiles,     // c2sieve.profiles/1
  kImportSpec,   // c2sieve.import/1
  kOtherJson,    // JSON of no c2sieve format
  kNdjson,       // several JSON lines (events)
  kYaml,         // a Sigma rule, most likely
  kToml,         // an Elastic rule, most likely
  kGzip,
  kBinary,
  kUnknown,      // text that is none of the above (perhaps broken JSON)
};

FileKind SniffKind(std::string_view text);

// Reads a configuration file for `option` ("--exclusions", "check") that
// must be of kind `want`: a file of another kind is refused with what it is
// and what to pass it to instead; unreadable files say why (missing, a
// directory, not a regular file). Broken JSON (kUnknown) is returned for
// the loader to report with its line.
absl::StatusOr<std::string> ReadConfigFor(const std::string& path, FileKind want,
                                          std::string_view option);

// What `kind` is and how to use it, for messages ("a ruleset: pass it with
// --ruleset").
std::string KindAdvice(FileKind kind, const std::string& path);

// A message safe to print: bytes outside printable ASCII become \xNN, and a
// parser's quotation of the input ("last read: '...'", "saw '...'") is cut,
// so an error never echoes the bytes of the file it read.
std::string SafeMessage(std::string_view message);
// The same for a status's message.
std::string SafeStatus(const absl::Status& status);

}  // namespace c2s::cli
