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

absl::Status EnrichmentOps::Convert(simdjson::dom::element e, Converted* into, c2s_value* out) {
  using simdjson::dom::element_type;
  *out = Empty();
  // get(x) rather than value_unsafe(): the portable build's older simdjson
  // has only the former.
  switch (e.type()) {
    case element_type::STRING: {
      std::string_view s;
      if (e.get(s)) break;
      out->type = C2S_VALUE_STRING;
      out->data = into->strings.emplace_back(s).c_str();
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
      auto& members = into->member_lists.emplace_back();
      for (auto m : obj) {
        c2s_member mem;
        mem.key = into->strings.emplace_back(m.key).c_str();
        mem.key_size = m.key.size();
        if (auto st = Convert(m.value, into, &mem.value); !st.ok()) return st;
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

absl::StatusOr<const EnrichmentOps::Converted*> EnrichmentOps::ValueOf(const std::string& raw) {
  auto it = values_.find(raw);
  if (it != values_.end()) return it->second.get();
  auto converted = std::make_unique<Converted>();
  simdjson::dom::element e;
  if (auto err = parser_.parse(raw).get(e))
    return absl::InternalError(std::string("enrichment value: ") + simdjson::error_message(err));
  if (auto st = Convert(e, converted.get(), &converted->value); !st.ok()) return st;
  return values_.emplace(raw, std::move(converted)).first->second.get();
}

const EnrichmentOps::Path& EnrichmentOps::PathOf(const std::string& dotted) {
  auto it = paths_.find(dotted);
  if (it != paths_.end()) return *it->second;
  auto path = std::make_unique<Path>();
  path->dotted = dotted;
  for (size_t b = 0; b <= dotted.size();) {
    size_t e = dotted.find('.', b);
    if (e == std::string::npos) e = dotted.size();
    path->segments.push_back(path->segment_strings.emplace_back(dotted.substr(b, e - b)).c_str());
    b = e + 1;
  }
  return *paths_.emplace(dotted, std::move(path)).first->second;
}

absl::Status EnrichmentOps::OpOf(const enrich::Leaf& leaf, std::vector<c2s_value>* values,
                                 c2s_enrich_op* op) {
  std::memset(op, 0, sizeof *op);
  const Path& path = PathOf(leaf.path);
  op->path = path.dotted.c_str();
  op->segments = path.segments.data();
  op->segment_count = path.segments.size();
  op->kind = leaf.merge == enrich::Merge::kAppendTags ? C2S_OP_APPEND : C2S_OP_SET;
  op->is_array = leaf.merge == enrich::Merge::kList ||
                 (leaf.merge == enrich::Merge::kScalar && leaf.values.size() > 1);
  values->reserve(leaf.values.size());
  for (const std::string& raw : leaf.values) {
    auto converted = ValueOf(raw);
    if (!converted.ok()) return converted.status();
    values->push_back((*converted)->value);
  }
  op->values = values->data();
  op->value_count = values->size();
  return absl::OkStatus();
}

absl::Status EnrichmentOps::Build(const std::vector<const enrich::Leaf*>& leaves,
                                  size_t rule_leaves, std::shared_ptr<const void> owner) {
  ops_.clear();
  value_lists_used_ = 0;
  shared_ = 0;
  // Emptied here, before anything of this Build is handed out: what the
  // last Build handed out is no longer valid from now on. A rule leaf's
  // operation points into the caches, so it goes with them, and with the
  // leaves' owner.
  if (values_.size() > kCacheLimit || paths_.size() > kCacheLimit ||
      rule_leaf_ops_.size() > kCacheLimit || owner != rule_leaves_owner_) {
    rule_leaf_ops_.clear();
    ++generation_;
    rule_leaves_owner_ = owner;
    if (values_.size() > kCacheLimit) values_.clear();
    if (paths_.size() > kCacheLimit) paths_.clear();
  }
  if (!owner) rule_leaves = 0;
  ops_.reserve(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    const enrich::Leaf* leaf = leaves[i];
    if (i < rule_leaves) {
      auto& cached = rule_leaf_ops_[leaf];
      if (!cached) {
        auto built = std::make_unique<RuleLeafOp>();
        if (auto st = OpOf(*leaf, &built->values, &built->op); !st.ok()) {
          rule_leaf_ops_.erase(leaf);
          ++generation_;  // nothing freed may look current
          return st;
        }
        cached = std::move(built);
      }
      ops_.push_back(cached->op);
      continue;
    }
    if (value_lists_used_ == value_lists_.size()) value_lists_.emplace_back();
    std::vector<c2s_value>* values = &value_lists_[value_lists_used_++];
    values->clear();
    c2s_enrich_op op;
    if (auto st = OpOf(*leaf, values, &op); !st.ok()) return st;
    ops_.push_back(op);
  }
  shared_ = rule_leaves;
  return absl::OkStatus();
}

}  // namespace c2s::abi
