// Finds an event's rule fields in its JSON text: nested ECS objects,
// flattened dotted keys ("dns.question.name") or any mix, arrays of values
// and arrays of objects. Parses with simdjson into a reused DOM, so the
// field values are views into the parser's memory (valid until the next
// event) and nothing is allocated per event once buffers have grown.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/strings.h"
#include "engine/event_fields.h"
#include "engine/field_table.h"

namespace c2s::event {

struct EventLimits {
  size_t max_event_bytes = 16u << 20;  // larger events pass through
  size_t max_depth = 128;              // deeper events pass through
};

// Which dotted paths lead to a field slot. Shared, immutable.
class FieldPaths {
 public:
  explicit FieldPaths(const engine::FieldTable& fields);

  struct Entry {
    int32_t slot = -1;       // >= 0: this path is a field
    bool is_prefix = false;  // some field lies below this path
  };
  const Entry* Find(std::string_view path) const {
    if (path.size() >= kMaxPath || !length_seen_[path.size()]) return nullptr;
    auto it = entries_.find(path);
    return it == entries_.end() ? nullptr : &it->second;
  }
  static constexpr size_t kMaxPath = 256;

 private:
  StringMap<Entry> entries_;
  bool length_seen_[kMaxPath] = {};  // cheap rejection before hashing
};

enum class ReadStatus { kOk, kNotJson, kNotObject, kTooBig, kTooDeep };
const char* ReadStatusText(ReadStatus s);

class JsonEventReader {
 public:
  JsonEventReader(const FieldPaths* paths, EventLimits limits);

  // Parses one event (surrounding whitespace allowed) and adds its rule
  // fields to `out` (which the caller has cleared). The bytes are copied
  // into a padded buffer first, so `data` need not be padded.
  ReadStatus Read(std::string_view data, engine::EventFields* out);

 private:
  void WalkObject(simdjson::dom::object obj, size_t prefix_len,
                  engine::EventFields* out);
  void AddValue(int32_t slot, simdjson::dom::element v,
                engine::EventFields* out);

  const FieldPaths* paths_;
  EventLimits limits_;
  simdjson::dom::parser parser_;
  std::vector<char> padded_;
  std::string path_;
};

}  // namespace c2s::event
