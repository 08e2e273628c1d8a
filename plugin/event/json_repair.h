// Valid JSON that simdjson refuses but Elasticsearch indexes: a lone UTF-16
// surrogate escape ("\udfff", stored by Elasticsearch as U+FFFD) and an
// integer outside 64 bits (Elasticsearch keeps its text). Called only after
// a parse failed, so well-formed events pay nothing; the event's own bytes
// are never changed (the repaired copy is only parsed).
#pragma once

#include <string>
#include <string_view>

namespace c2s::event {

// Writes into *out a copy of `json` in which every lone surrogate escape is
// "\ufffd" (same length) and every JSON integer (no leading zero) that fits
// neither int64 nor uint64 is a string of its digits (keyword text, as
// Elasticsearch indexes a number). Returns false, leaving *out unspecified, when there was
// nothing to repair; the text is not otherwise validated.
bool RepairForElasticsearch(std::string_view json, std::string* out);

// Length of a UTF-8 byte order mark at the start of `s` (0 or 3). JSON
// parsers that follow RFC 8259 may ignore it, and Elasticsearch does.
inline size_t ByteOrderMarkLength(std::string_view s) {
  return s.size() >= 3 && static_cast<unsigned char>(s[0]) == 0xEF &&
                 static_cast<unsigned char>(s[1]) == 0xBB &&
                 static_cast<unsigned char>(s[2]) == 0xBF
             ? 3
             : 0;
}

}  // namespace c2s::event
