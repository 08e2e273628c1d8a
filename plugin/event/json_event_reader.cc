#include "event/json_event_reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "event/json_repair.h"
#include "util/number_text.h"

namespace c2s::event {

using engine::ValueType;
using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {
// The value of a result whose type the caller has already checked. get()
// rather than value_unsafe(): the latter is missing from older simdjson
// (Debian 11's 0.7), which the portable build for the container images uses.
template <typename T, typename Result>
T Known(Result&& result) {
  T value{};
  if (std::forward<Result>(result).get(value)) return T{};
  return value;
}
}  // namespace

FieldPaths::FieldPaths(const engine::FieldTable& fields) {
  nodes_.emplace_back();  // the root
  for (size_t slot = 0; slot < fields.size(); ++slot) {
    std::string_view name = fields.name(slot);
    uint32_t at = kRoot;
    while (true) {
      size_t dot = name.find('.');
      at = Child(at, name.substr(0, dot), true);
      if (dot == std::string_view::npos) break;
      name.remove_prefix(dot + 1);
    }
    nodes_[at].slot = static_cast<int32_t>(slot);
  }
  for (Node& n : nodes_) {
    std::sort(n.children.begin(), n.children.end(), [&](uint32_t a, uint32_t b) {
      return static_cast<unsigned char>(nodes_[a].name[0]) <
             static_cast<unsigned char>(nodes_[b].name[0]);
    });
    if (n.children.size() <= 8 || n.children.size() > 255) continue;
    n.first_begin.assign(256, 0);
    n.first_end.assign(256, 0);
    for (size_t i = n.children.size(); i-- > 0;) {
      unsigned char c = static_cast<unsigned char>(nodes_[n.children[i]].name[0]);
      n.first_begin[c] = static_cast<uint8_t>(i);
      if (n.first_end[c] == 0) n.first_end[c] = static_cast<uint8_t>(i + 1);
    }
  }
}

uint32_t FieldPaths::Child(uint32_t from, std::string_view name, bool create) {
  for (uint32_t c : nodes_[from].children)
    if (nodes_[c].name == name) return c;
  if (!create) return UINT32_MAX;
  Node n;
  n.name = std::string(name);
  nodes_.push_back(std::move(n));
  uint32_t id = static_cast<uint32_t>(nodes_.size() - 1);
  nodes_[from].children.push_back(id);
  return id;
}

int32_t FieldPaths::Descend(uint32_t from, std::string_view key) const {
  uint32_t at = from;
  while (true) {
    // A child matches if the key starts with its name followed by the end
    // or a dot: no search for the dot first.
    uint32_t next = UINT32_MAX;
    const Node& node = nodes_[at];
    if (key.empty()) return -1;
    size_t begin = 0, end = node.children.size();
    if (!node.first_begin.empty()) {
      unsigned char c = static_cast<unsigned char>(key[0]);
      begin = node.first_begin[c];
      end = node.first_end[c];
    }
    for (size_t ci = begin; ci < end; ++ci) {
      uint32_t c = node.children[ci];
      const std::string& n = nodes_[c].name;
      if (key.size() >= n.size() && key[0] == n[0] &&
          (key.size() == n.size() || key[n.size()] == '.') &&
          std::memcmp(n.data(), key.data(), n.size()) == 0) {
        next = c;
        break;
      }
    }
    if (next == UINT32_MAX) return -1;
    at = next;
    size_t used = nodes_[at].name.size();
    if (used == key.size()) return static_cast<int32_t>(at);
    key.remove_prefix(used + 1);
    if (key.empty()) return -1;  // "dns." names no field
  }
}

const char* ReadStatusText(ReadStatus s) {
  switch (s) {
    case ReadStatus::kOk: return "ok";
    case ReadStatus::kNotJson: return "not valid JSON";
    case ReadStatus::kNotObject: return "not a JSON object";
    case ReadStatus::kTooBig: return "event larger than the size limit";
    case ReadStatus::kTooDeep: return "event nested deeper than the limit";
    case ReadStatus::kNoMemory: return "out of memory for the event";
    case ReadStatus::kScanError: return "pattern scan failed";
  }
  return "?";
}

JsonEventReader::JsonEventReader(const FieldPaths* paths, EventLimits limits)
    : paths_(paths), limits_(limits), parser_(limits.max_event_bytes) {
  // Sets the depth limit; capacity grows on demand up to max_event_bytes.
  // A failure here (limits out of reach of memory) makes every event an
  // error, never a silent pass.
  size_t initial = limits_.max_event_bytes < 4096 ? limits_.max_event_bytes : 4096;
  allocated_ = parser_.allocate(initial, limits_.max_depth) == simdjson::SUCCESS;
}

ReadStatus JsonEventReader::Parse(std::string_view data, element* root) {
  size_t need = data.size() + simdjson::SIMDJSON_PADDING;
  if (padded_.size() < need) padded_.resize(need);
  if (!data.empty()) std::memcpy(padded_.data(), data.data(), data.size());
  auto error = parser_.parse(padded_.data(), data.size(), false).get(*root);
  switch (error) {
    case simdjson::SUCCESS: return ReadStatus::kOk;
    case simdjson::DEPTH_ERROR: return ReadStatus::kTooDeep;
    case simdjson::CAPACITY: return ReadStatus::kTooBig;
    case simdjson::MEMALLOC: return ReadStatus::kNoMemory;
    default: return ReadStatus::kNotJson;
  }
}

ReadStatus JsonEventReader::Read(std::string_view data,
                                 engine::EventFields* out) {
  if (data.size() > limits_.max_event_bytes) return ReadStatus::kTooBig;
  if (!allocated_) return ReadStatus::kNoMemory;
  numbers_used_ = 0;
  data.remove_prefix(ByteOrderMarkLength(data));
  element root;
  ReadStatus status = Parse(data, &root);
  // Refused by simdjson, perhaps indexed by Elasticsearch: try the repaired
  // text (only failed events pay for this).
  if (status == ReadStatus::kNotJson && RepairForElasticsearch(data, &repaired_))
    status = Parse(repaired_, &root);
  if (status != ReadStatus::kOk) return status;
  simdjson::dom::object obj;
  if (root.get(obj)) return ReadStatus::kNotObject;
  WalkObject(obj, FieldPaths::kRoot, out);
  return ReadStatus::kOk;
}

void JsonEventReader::AddValue(int32_t slot, element v,
                               engine::EventFields* out) {
  switch (v.type()) {
    case element_type::STRING:
      out->Add(slot, ValueType::kString, Known<std::string_view>(v.get_string()));
      break;
    case element_type::BOOL:
      out->Add(slot, Known<bool>(v.get_bool()) ? ValueType::kTrue
                                                 : ValueType::kFalse,
               {});
      break;
    case element_type::NULL_VALUE:
      out->Add(slot, ValueType::kNull, {});
      break;
    case element_type::ARRAY: {
      // A field holding an array matches if any element does; nested
      // arrays are flattened, as Elasticsearch indexes them (depth is
      // bounded by the parser's limit).
      simdjson::dom::array items;
      if (v.get_array().get(items)) break;
      for (element e : items) AddValue(slot, e, out);
      break;
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      out->Add(slot, ValueType::kString, NumberText(v));
      break;
    default:
      out->Add(slot, ValueType::kOther, {});
  }
}

std::string_view JsonEventReader::NumberText(element v) {
  if (numbers_used_ == numbers_.size()) numbers_.emplace_back();
  auto& buf = numbers_[numbers_used_++];
  char* end = buf.data();
  switch (v.type()) {
    case element_type::INT64:
      end = std::to_chars(buf.data(), buf.data() + buf.size(), Known<int64_t>(v.get_int64())).ptr;
      break;
    case element_type::UINT64:
      end = std::to_chars(buf.data(), buf.data() + buf.size(), Known<uint64_t>(v.get_uint64())).ptr;
      break;
    default:
      end = util::ShortestDoubleText(buf.data(), buf.data() + buf.size(),
                                     Known<double>(v.get_double()));
      if (end == nullptr) end = buf.data();  // cannot happen: 40 bytes suffice
  }
  return std::string_view(buf.data(), end - buf.data());
}

void JsonEventReader::WalkObject(simdjson::dom::object obj, uint32_t from,
                                 engine::EventFields* out) {
  for (auto member : obj) {
    int32_t at = paths_->Descend(from, member.key);
    if (at < 0) continue;
    const FieldPaths::Node& n = paths_->node(static_cast<uint32_t>(at));
    if (n.slot >= 0) AddValue(n.slot, member.value, out);
    if (n.children.empty()) continue;
    simdjson::dom::object child;
    simdjson::dom::array items;
    if (!member.value.get_object().get(child)) {
      WalkObject(child, static_cast<uint32_t>(at), out);
    } else if (!member.value.get_array().get(items)) {
      WalkArray(items, static_cast<uint32_t>(at), out);
    }
  }
}

void JsonEventReader::PairEntries(std::string_view object_path, int32_t subject_slot,
                                  int32_t trusted_slot) {
  paired_node_ = subject_slot >= 0 && trusted_slot >= 0
                     ? paths_->Descend(FieldPaths::kRoot, object_path)
                     : -1;
  paired_subject_ = subject_slot;
  paired_trusted_ = trusted_slot;
}

void JsonEventReader::WalkArray(simdjson::dom::array items, uint32_t at,
                                engine::EventFields* out) {
  // Arrays of objects (and arrays of those): Elasticsearch flattens them,
  // so do we (entries of a paired object are kept together, see
  // PairEntries).
  const bool paired = static_cast<int32_t>(at) == paired_node_;
  for (element item : items) {
    simdjson::dom::object child;
    simdjson::dom::array inner;
    if (!item.get_object().get(child)) {
      if (!paired) {
        WalkObject(child, at, out);
        continue;
      }
      size_t subjects_before = out->values(static_cast<uint32_t>(paired_subject_)).size();
      size_t trusted_before = out->values(static_cast<uint32_t>(paired_trusted_)).size();
      WalkObject(child, at, out);
      const auto& trusted = out->values(static_cast<uint32_t>(paired_trusted_));
      bool entry_trusted = false;
      for (size_t i = trusted_before; i < trusted.size(); ++i)
        entry_trusted |= trusted[i].type == ValueType::kTrue ||
                         (trusted[i].type == ValueType::kString && trusted[i].text == "true");
      if (!entry_trusted)
        out->mutable_values(static_cast<uint32_t>(paired_subject_)).resize(subjects_before);
    } else if (!item.get_array().get(inner)) {
      WalkArray(inner, at, out);
    }
  }
}

}  // namespace c2s::event
