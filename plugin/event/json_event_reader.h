// Finds an event's rule fields in its JSON text: nested ECS objects,
// flattened dotted keys ("dns.question.name") or any mix, arrays of values
// and arrays of objects. Parses with simdjson into a reused DOM, so the
// field values are views into the parser's memory (valid until the next
// event) and nothing is allocated per event once buffers have grown.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event_fields.h"
#include "engine/field_table.h"

namespace c2s::event {

struct EventLimits {
  size_t max_event_bytes = 16u << 20;  // larger events pass through
  size_t max_depth = 128;              // deeper events pass through
};

// Which dotted paths lead to a field slot, as a trie of path components.
// A key is walked component by component from the current node, so nested
// objects, flattened dotted keys and mixes ("dns": {"question.name": ..})
// all reach the same node without building path strings. Shared, immutable.
class FieldPaths {
 public:
  explicit FieldPaths(const engine::FieldTable& fields);

  struct Node {
    std::string name;               // one path component
    int32_t slot = -1;              // >= 0: this path is a field
    std::vector<uint32_t> children; // sorted by first byte
    // For wide nodes (the root holds every source's top-level keys): where
    // the children starting with each byte begin in `children`, so a key is
    // compared with a few candidates only. Empty for narrow nodes.
    std::vector<uint8_t> first_begin, first_end;
  };
  static constexpr uint32_t kRoot = 0;

  // The node `key` (one or more dot-separated components) leads to from
  // `from`, or -1.
  int32_t Descend(uint32_t from, std::string_view key) const;
  const Node& node(uint32_t i) const { return nodes_[i]; }

 private:
  uint32_t Child(uint32_t from, std::string_view name, bool create);
  std::vector<Node> nodes_;
};

enum class ReadStatus { kOk, kNotJson, kNotObject, kTooBig, kTooDeep, kNoMemory, kScanError };
const char* ReadStatusText(ReadStatus s);

class JsonEventReader {
 public:
  JsonEventReader(const FieldPaths* paths, EventLimits limits);

  // Parses one event (surrounding whitespace and a leading UTF-8 byte
  // order mark allowed) and adds its rule fields to `out` (which the caller
  // has cleared). The bytes are copied into a padded buffer first, so `data`
  // need not be padded. JSON that Elasticsearch indexes but simdjson
  // refuses (lone surrogate escapes, integers beyond 64 bits) is read as
  // Elasticsearch reads it (see json_repair.h).
  ReadStatus Read(std::string_view data, engine::EventFields* out);

  // Canonical mode: when `object_path` (e.g. "process.code_signature")
  // holds an array of objects, a subject counts only together with its own
  // entry's trust verdict: subjects of entries that are not trusted are
  // dropped, so an untrusted "Microsoft Corporation" beside a trusted
  // "Evil LLC" cannot satisfy "subject : X and trusted == true". Parity
  // mode leaves Elasticsearch's per-field flattening as it is.
  void PairEntries(std::string_view object_path, int32_t subject_slot, int32_t trusted_slot);

 private:
  ReadStatus Parse(std::string_view data, simdjson::dom::element* root);
  void WalkObject(simdjson::dom::object obj, uint32_t node,
                  engine::EventFields* out);
  void WalkArray(simdjson::dom::array items, uint32_t node,
                 engine::EventFields* out);
  void AddValue(int32_t slot, simdjson::dom::element v,
                engine::EventFields* out);

  // Numbers are compared as their decimal text (as a keyword field indexes
  // them); the text lives here until the next event.
  std::string_view NumberText(simdjson::dom::element v);

  const FieldPaths* paths_;
  EventLimits limits_;
  std::deque<std::array<char, 40>> numbers_;
  size_t numbers_used_ = 0;
  // PairEntries: the trie node of the object, or -1.
  int32_t paired_node_ = -1;
  int32_t paired_subject_ = -1, paired_trusted_ = -1;
  simdjson::dom::parser parser_;
  bool allocated_ = false;  // the parser's first allocation succeeded
  std::vector<char> padded_;
  std::string repaired_;    // a failed event, repaired (rare)
};

}  // namespace c2s::event
