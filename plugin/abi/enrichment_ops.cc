#include "abi/enrichment_ops.h"

#include <cstring>

namespace c2s::abi {

namespace {

c2s_value Empty() {
  c2s_value v;
  std::memset(&v, 0, sizeof v);
  v.field = -1;
  return v;
}

}  // namespace

const char* EnrichmentOps::Keep(std::string_view s) {
  strings_.emplace_back(s);
  return strings_.back().c_str();
}

absl::Status EnrichmentOps::Convert(simdjson::dom::element e, c2s_value* out) {
  using simdjson::dom::element_type;
  *out = Empty();
  // get(x) rather than value_unsafe(): the portable build's older simdjson
  // has only the former.
  switch (e.type()) {
    case element_type::STRING: {
      std::string_view s;
      if (e.get(s)) break;
      out->type = C2S_VALUE_STRING;
      out->data = Keep(s);
      out->size = s.size();
      return absl::OkStatus();
    }
    case element_type::INT64: {
      int64_t i = 0;
      if (e.get(i)) break;
      out->type = C2S_VALUE_INT;
      out->number.i = i;
      return absl::OkStatus();
    }
    case element_type::UINT64: {
      uint64_t u = 0;
      if (e.get(u)) break;
      out->type = C2S_VALUE_UINT;
      out->number.u = u;
      return absl::OkStatus();
    }
    case element_type::DOUBLE: {
      double d = 0;
      if (e.get(d)) break;
      out->type = C2S_VALUE_DOUBLE;
      out->number.d = d;
      return absl::OkStatus();
    }
    case element_type::BOOL: {
      bool b = false;
      if (e.get(b)) break;
      out->type = b ? C2S_VALUE_TRUE : C2S_VALUE_FALSE;
      return absl::OkStatus();
    }
    case element_type::NULL_VALUE:
      out->type = C2S_VALUE_NULL;
      return absl::OkStatus();
    case element_type::OBJECT: {
      simdjson::dom::object obj;
      if (e.get_object().get(obj)) return absl::InternalError("enrichment object unreadable");
      member_lists_.emplace_back();
      auto& members = member_lists_.back();
      for (auto m : obj) {
        c2s_member mem;
        mem.key = Keep(m.key);
        mem.key_size = m.key.size();
        if (auto st = Convert(m.value, &mem.value); !st.ok()) return st;
        members.push_back(mem);
      }
      out->type = C2S_VALUE_OBJECT;
      out->data = reinterpret_cast<const char*>(members.data());
      out->size = members.size();
      return absl::OkStatus();
    }
    default:
      break;  // the enricher writes no arrays inside values
  }
  return absl::InternalError("enrichment value of an unexpected kind");
}

absl::Status EnrichmentOps::Build(const std::vector<const enrich::Leaf*>& leaves) {
  ops_.clear();
  strings_.clear();
  value_lists_.clear();
  member_lists_.clear();
  segment_lists_.clear();
  for (const enrich::Leaf* leaf : leaves) {
    c2s_enrich_op op;
    std::memset(&op, 0, sizeof op);
    op.path = Keep(leaf->path);
    segment_lists_.emplace_back();
    auto& segments = segment_lists_.back();
    for (size_t b = 0; b <= leaf->path.size();) {
      size_t e = leaf->path.find('.', b);
      if (e == std::string::npos) e = leaf->path.size();
      segments.push_back(Keep(std::string_view(leaf->path).substr(b, e - b)));
      b = e + 1;
    }
    op.segments = segments.data();
    op.segment_count = segments.size();
    op.kind = leaf->merge == enrich::Merge::kAppendTags ? C2S_OP_APPEND : C2S_OP_SET;
    op.is_array = leaf->merge == enrich::Merge::kList ||
                  (leaf->merge == enrich::Merge::kScalar && leaf->values.size() > 1);
    value_lists_.emplace_back();
    auto& values = value_lists_.back();
    for (const std::string& raw : leaf->values) {
      simdjson::dom::element e;
      if (auto err = parser_.parse(raw).get(e))
        return absl::InternalError(std::string("enrichment value: ") + simdjson::error_message(err));
      c2s_value v;
      if (auto st = Convert(e, &v); !st.ok()) return st;
      values.push_back(v);
    }
    op.values = values.data();
    op.value_count = values.size();
    ops_.push_back(op);
  }
  return absl::OkStatus();
}

}  // namespace c2s::abi
