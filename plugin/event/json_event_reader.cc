#include "event/json_event_reader.h"

#include <cstring>

namespace c2s::event {

using engine::ValueType;
using simdjson::dom::element;
using simdjson::dom::element_type;

FieldPaths::FieldPaths(const engine::FieldTable& fields) {
  for (size_t slot = 0; slot < fields.size(); ++slot) {
    const std::string& name = fields.name(slot);
    if (name.size() >= kMaxPath) continue;
    entries_[name].slot = static_cast<int32_t>(slot);
    length_seen_[name.size()] = true;
    for (size_t dot = name.find('.'); dot != std::string::npos;
         dot = name.find('.', dot + 1)) {
      entries_[name.substr(0, dot)].is_prefix = true;
      length_seen_[dot] = true;
    }
  }
}

const char* ReadStatusText(ReadStatus s) {
  switch (s) {
    case ReadStatus::kOk: return "ok";
    case ReadStatus::kNotJson: return "not valid JSON";
    case ReadStatus::kNotObject: return "not a JSON object";
    case ReadStatus::kTooBig: return "event larger than the size limit";
    case ReadStatus::kTooDeep: return "event nested deeper than the limit";
  }
  return "?";
}

JsonEventReader::JsonEventReader(const FieldPaths* paths, EventLimits limits)
    : paths_(paths), limits_(limits), parser_(limits.max_event_bytes) {
  path_.reserve(FieldPaths::kMaxPath);
  // Sets the depth limit; capacity grows on demand up to max_event_bytes.
  if (parser_.allocate(4096, limits_.max_depth) != simdjson::SUCCESS) {
    // Left unallocated, the parser allocates on first use instead.
  }
}

ReadStatus JsonEventReader::Read(std::string_view data,
                                 engine::EventFields* out) {
  if (data.size() > limits_.max_event_bytes) return ReadStatus::kTooBig;
  size_t need = data.size() + simdjson::SIMDJSON_PADDING;
  if (padded_.size() < need) padded_.resize(need);
  if (!data.empty()) std::memcpy(padded_.data(), data.data(), data.size());
  element root;
  auto error = parser_.parse(padded_.data(), data.size(), false).get(root);
  if (error == simdjson::DEPTH_ERROR) return ReadStatus::kTooDeep;
  if (error == simdjson::CAPACITY) return ReadStatus::kTooBig;
  if (error) return ReadStatus::kNotJson;
  simdjson::dom::object obj;
  if (root.get(obj)) return ReadStatus::kNotObject;
  path_.clear();
  WalkObject(obj, 0, out);
  return ReadStatus::kOk;
}

void JsonEventReader::AddValue(int32_t slot, element v,
                               engine::EventFields* out) {
  switch (v.type()) {
    case element_type::STRING:
      out->Add(slot, ValueType::kString, v.get_string().value_unsafe());
      break;
    case element_type::BOOL:
      out->Add(slot, v.get_bool().value_unsafe() ? ValueType::kTrue
                                                 : ValueType::kFalse,
               {});
      break;
    case element_type::NULL_VALUE:
      out->Add(slot, ValueType::kNull, {});
      break;
    case element_type::ARRAY: {
      // A field holding an array matches if any element does.
      simdjson::dom::array items;
      if (v.get_array().get(items)) break;
      for (element e : items) {
        if (e.type() != element_type::ARRAY) AddValue(slot, e, out);
      }
      break;
    }
    default:
      out->Add(slot, ValueType::kOther, {});
  }
}

void JsonEventReader::WalkObject(simdjson::dom::object obj, size_t prefix_len,
                                 engine::EventFields* out) {
  for (auto member : obj) {
    path_.resize(prefix_len);
    path_.append(member.key);
    const FieldPaths::Entry* e = paths_->Find(path_);
    if (e == nullptr) continue;
    if (e->slot >= 0) AddValue(e->slot, member.value, out);
    if (!e->is_prefix) continue;
    size_t child_prefix = path_.size() + 1;
    if (child_prefix >= FieldPaths::kMaxPath) continue;
    simdjson::dom::object child;
    simdjson::dom::array items;
    if (!member.value.get_object().get(child)) {
      path_ += '.';
      WalkObject(child, child_prefix, out);
    } else if (!member.value.get_array().get(items)) {
      // Arrays of objects: Elasticsearch flattens them, so do we.
      for (element item : items) {
        if (item.get_object().get(child)) continue;
        path_.resize(child_prefix - 1);
        path_ += '.';
        WalkObject(child, child_prefix, out);
      }
    }
  }
}

}  // namespace c2s::event
