#include "event/profile_resolver.h"

#include <algorithm>
#include <cstring>

#include "engine/wildcard.h"
#include "event/canonical.h"
#include "util/strings.h"

namespace c2s::event {

using engine::EventFields;
using engine::FieldValue;
using engine::ValueType;
using profiles::Source;

const char* MatchModeName(MatchMode m) {
  return m == MatchMode::kCanonical ? "canonical" : "parity";
}

bool ProfileSet::ValuesComeFromEventText(uint32_t slot) const {
  for (const auto& p : profiles_) {
    for (const auto& d : p.defaults)
      if (d.target == slot) return false;
    for (const auto& m : p.mappings)
      if (m.target == slot)
        for (const auto& src : m.sources)
          if (!src.map.empty()) return false;
  }
  return true;
}

std::vector<uint32_t> ProfileSet::SourceSlotsOf(uint32_t slot) const {
  std::vector<uint32_t> out{slot};
  for (const auto& p : profiles_)
    for (const auto& m : p.mappings)
      if (m.target == slot)
        for (const auto& src : m.sources)
          if (std::find(out.begin(), out.end(), src.slot) == out.end()) out.push_back(src.slot);
  return out;
}

std::vector<uint32_t> ProfileSet::DetectSlots() const {
  std::vector<uint32_t> out;
  if (forced_ >= 0) return out;
  std::vector<const DetectNode*> todo;
  for (uint32_t i : detect_order_)
    if (profiles_[i].has_detect) todo.push_back(&profiles_[i].detect);
  while (!todo.empty()) {
    const DetectNode* n = todo.back();
    todo.pop_back();
    for (const auto& c : n->children) todo.push_back(&c);
    bool reads_field = n->kind != rules::NodeKind::kAll && n->kind != rules::NodeKind::kAny &&
                       n->kind != rules::NodeKind::kNot;
    if (reads_field && std::find(out.begin(), out.end(), n->slot) == out.end())
      out.push_back(n->slot);
  }
  return out;
}

FieldKind KindOfField(std::string_view f) {
  if (f == "process.executable" || f == "process.parent.executable" ||
      f == "file.path" || f == "dll.path")
    return FieldKind::kPath;
  if (f == "dns.question.name" || f == "destination.domain" || f == "url.domain" ||
      f == "tls.client.server_name")
    return FieldKind::kDomain;
  return FieldKind::kPlain;
}

absl::Status ProfileSet::CompileNode(const rules::Node& n, engine::FieldTable* fields,
                                     DetectNode* out) {
  out->kind = n.kind;
  if (!n.field.empty()) out->slot = fields->Add(n.field);
  out->values = n.values;
  for (const auto& c : n.children) {
    out->children.emplace_back();
    if (auto st = CompileNode(c, fields, &out->children.back()); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<ProfileSet>> ProfileSet::Build(
    Options options, engine::FieldTable* fields) {
  auto set = std::make_shared<ProfileSet>();
  set->mode_ = options.mode;
  std::stable_sort(options.profiles.begin(), options.profiles.end(),
                   [](const auto& a, const auto& b) { return a.priority > b.priority; });
  for (const auto& p : options.profiles) {
    for (const auto& seen : set->profiles_)
      if (seen.name == p.name)
        return absl::InvalidArgumentError(
            Cat(p.origin, ": profile \"", p.name, "\" is defined twice"));
    Compiled c;
    c.name = p.name;
    c.has_detect = p.has_detect;
    if (p.has_detect) {
      if (auto st = CompileNode(p.detect, fields, &c.detect); !st.ok()) return st;
    }
    for (const auto& m : p.mappings) {
      Mapping cm;
      cm.target = fields->Add(m.field);
      for (const auto& s : m.sources)
        cm.sources.push_back(Source{fields->Add(s.path), s.index, s.json_key, s.transform, s.map});
      const Source* first = cm.sources.empty() ? nullptr : &cm.sources[0];
      cm.identity_first = first && first->slot == cm.target && first->index < 0 &&
                          first->json_key.empty() && first->map.empty() &&
                          first->transform == profiles::Source::Transform::kNone;
      c.mappings.push_back(std::move(cm));
    }
    for (const auto& [field, value] : p.defaults)
      c.defaults.push_back(Default{fields->Add(field), value});
    set->profiles_.push_back(std::move(c));
  }
  for (const std::string& want : options.enabled) {
    bool known = false;
    for (const auto& p : options.profiles) known |= p.name == want;
    if (!known)
      return absl::InvalidArgumentError(Cat("enabled profile \"", want, "\" does not exist"));
  }
  for (uint32_t i = 0; i < options.profiles.size(); ++i) {
    const auto& p = options.profiles[i];
    bool enabled = p.auto_detect ||
                   std::find(options.enabled.begin(), options.enabled.end(), p.name) !=
                       options.enabled.end();
    if (!enabled) continue;
    if (!p.has_detect) {
      if (set->fallback_ < 0) set->fallback_ = static_cast<int32_t>(i);
      continue;
    }
    set->detect_order_.push_back(i);
  }
  if (!options.forced.empty()) {
    for (uint32_t i = 0; i < set->profiles_.size(); ++i)
      if (set->profiles_[i].name == options.forced) set->forced_ = static_cast<int32_t>(i);
    if (set->forced_ < 0)
      return absl::InvalidArgumentError(
          Cat("forced profile \"", options.forced, "\" does not exist"));
  }
  return set;
}

std::vector<uint32_t> ProfileSet::RequiredAny(const DetectNode& n) {
  switch (n.kind) {
    case rules::NodeKind::kAll:
      for (const auto& c : n.children) {
        auto r = RequiredAny(c);
        if (!r.empty()) return r;
      }
      return {};
    case rules::NodeKind::kAny: {
      std::vector<uint32_t> all;
      for (const auto& c : n.children) {
        auto r = RequiredAny(c);
        if (r.empty()) return {};
        all.insert(all.end(), r.begin(), r.end());
      }
      return all;
    }
    case rules::NodeKind::kNot:
      return {};
    default:
      return {n.slot};  // every predicate needs a value to hold
  }
}

void ProfileSet::Finish(const engine::FieldTable& fields) {
  for (auto& p : profiles_)
    if (p.has_detect) p.required_any = RequiredAny(p.detect);
  kind_of_slot_.assign(fields.size(), FieldKind::kPlain);
  for (uint32_t s = 0; s < fields.size(); ++s) {
    kind_of_slot_[s] = KindOfField(fields.name(s));
    if (kind_of_slot_[s] != FieldKind::kPlain) canonical_slots_.push_back(s);
  }
}

ProfileResolver::ProfileResolver(std::shared_ptr<const ProfileSet> set)
    : set_(std::move(set)) {}

std::string_view ProfileResolver::Keep(std::string_view v) {
  if (arena_used_ == arena_.size()) arena_.emplace_back();
  std::string& s = arena_[arena_used_++];
  s.assign(v);
  return s;
}

bool ProfileResolver::Detect(const ProfileSet::DetectNode& n, const EventFields& f) const {
  switch (n.kind) {
    case rules::NodeKind::kAll:
      for (const auto& c : n.children)
        if (!Detect(c, f)) return false;
      return true;
    case rules::NodeKind::kAny:
      for (const auto& c : n.children)
        if (Detect(c, f)) return true;
      return false;
    case rules::NodeKind::kNot:
      return !Detect(n.children[0], f);
    default:
      break;
  }
  for (const FieldValue& v : f.values(n.slot)) {
    switch (n.kind) {
      case rules::NodeKind::kExists:
        if (v.type != ValueType::kNull) return true;
        break;
      case rules::NodeKind::kIsTrue:
        if (v.type == ValueType::kTrue || (v.type == ValueType::kString && v.text == "true"))
          return true;
        break;
      case rules::NodeKind::kIsFalse:
        if (v.type == ValueType::kFalse || (v.type == ValueType::kString && v.text == "false"))
          return true;
        break;
      case rules::NodeKind::kEquals:
        if (v.type == ValueType::kString)
          for (const auto& want : n.values)
            if (v.text == want) return true;
        break;
      case rules::NodeKind::kWildcard:
        if (v.type == ValueType::kString)
          for (const auto& want : n.values)
            if (engine::WildcardMatch(want, v.text)) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

void ProfileResolver::StageShaped(const ProfileSet::Source& s, FieldValue v) {
  if (v.type == ValueType::kString) {
    std::string_view t = v.text;
    switch (s.transform) {
      case Source::Transform::kNone:
        break;
      case Source::Transform::kBasename: {
        size_t p = t.find_last_of("\\/");
        if (p != std::string_view::npos) t.remove_prefix(p + 1);
        break;
      }
      case Source::Transform::kAccountDomain: {
        size_t p = t.find('\\');
        if (p == std::string_view::npos) return;  // no domain part
        t = t.substr(0, p);
        break;
      }
      case Source::Transform::kAccountName: {
        size_t p = t.find('\\');
        if (p != std::string_view::npos) t.remove_prefix(p + 1);
        break;
      }
      case Source::Transform::kLastWord: {
        size_t e = t.find_last_not_of(" \t");
        if (e == std::string_view::npos) return;
        t = t.substr(0, e + 1);
        size_t p = t.find_last_of(" \t");
        if (p != std::string_view::npos) t.remove_prefix(p + 1);
        break;
      }
    }
    v.text = t;
  }
  if (!s.map.empty()) {
    std::string_view key = v.type == ValueType::kString ? v.text
                           : v.type == ValueType::kTrue ? std::string_view("true")
                           : v.type == ValueType::kFalse ? std::string_view("false")
                                                         : std::string_view();
    for (const auto& [from, to] : s.map) {
      if (key != from) continue;
      if (to == "true") staged_.push_back(FieldValue{ValueType::kTrue, {}});
      else if (to == "false") staged_.push_back(FieldValue{ValueType::kFalse, {}});
      else staged_.push_back(FieldValue{ValueType::kString, to});
      return;
    }
    return;  // unmapped values are dropped
  }
  staged_.push_back(v);
}

bool ProfileResolver::StageSource(const ProfileSet::Source& s, const EventFields& fields) {
  const auto& values = fields.values(s.slot);
  size_t before = staged_.size();
  size_t first = 0, last = values.size();
  if (s.index >= 0) {
    if (static_cast<size_t>(s.index) >= values.size()) return false;
    first = static_cast<size_t>(s.index);
    last = first + 1;
  }
  for (size_t i = first; i < last; ++i) {
    FieldValue v = values[i];
    if (v.type == ValueType::kNull) continue;
    if (!s.json_key.empty()) {
      // A JSON object in a string (Azure Monitor's EventData).
      if (v.type != ValueType::kString) continue;
      json_buf_.resize(v.text.size() + simdjson::SIMDJSON_PADDING);
      std::memcpy(json_buf_.data(), v.text.data(), v.text.size());
      simdjson::dom::element doc;
      if (json_parser_.parse(json_buf_.data(), v.text.size(), false).get(doc)) continue;
      simdjson::dom::element field;
      if (doc[s.json_key].get(field)) continue;
      std::string_view text;
      if (field.get_string().get(text)) continue;
      v.text = Keep(text);  // the parser is reused: keep a copy
    }
    StageShaped(s, v);
  }
  return staged_.size() > before;
}

namespace {

// One pass over a domain: whether CanonicalDomain or the IDNA form could
// change anything. Most names are lower-case ASCII without a root dot.
void ScanDomain(std::string_view v, bool* needs_canonical, bool* non_ascii) {
  // Eight bytes at a time: any byte >= 0x80, any byte in 'A'..'Z', any of
  // ":/%@" (URL-shaped values reduce to their host).
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x80 * kOnes;
  auto has_byte = [](uint64_t x, uint64_t c) {
    uint64_t y = x ^ (kOnes * c);
    return (y - kOnes) & ~y & kHigh;
  };
  uint64_t high_bits = 0, upper_bits = 0, url_bits = 0;
  size_t i = 0;
  for (; i + 8 <= v.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, v.data() + i, 8);
    uint64_t heptets = x & (0x7f * kOnes);
    uint64_t above_z = heptets + (0x80 - 'Z' - 1) * kOnes;
    uint64_t from_a = heptets + (0x80 - 'A') * kOnes;
    high_bits |= x;
    upper_bits |= ~x & (from_a ^ above_z);
    // Bytes >= 0x80 can make has_byte report a false hit; they send the
    // value to the canonical path anyway.
    url_bits |= has_byte(x, ':') | has_byte(x, '/') | has_byte(x, '%') | has_byte(x, '@');
  }
  bool upper = (upper_bits & kHigh) != 0;
  bool high = (high_bits & kHigh) != 0;
  bool url = url_bits != 0;
  for (; i < v.size(); ++i) {
    char c = v[i];
    upper |= (c >= 'A' && c <= 'Z');
    high |= static_cast<unsigned char>(c) >= 0x80;
    url |= c == ':' || c == '/' || c == '%' || c == '@';
  }
  bool edges = !v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' ||
                              v.back() == '\t' || v.back() == '.' || v.back() == '\r' ||
                              v.back() == '\n' || v.front() == '\r' || v.front() == '\n');
  *needs_canonical = upper || edges || url;
  *non_ascii = high;
}

}  // namespace

void ProfileResolver::Canonicalize(EventFields* fields, std::vector<uint32_t>* deferred) {
  for (uint32_t slot : set_->canonical_slots_) {
    if (fields->values(slot).empty()) continue;
    if (deferred && set_->kind_of_slot_[slot] == FieldKind::kPath) {
      deferred->push_back(slot);
      continue;
    }
    CanonicalizeSlot(slot, fields);
  }
}

void ProfileResolver::CanonicalizeSlot(uint32_t slot, EventFields* fields) {
  FieldKind kind = set_->kind_of_slot_[slot];
  if (kind == FieldKind::kPlain || set_->mode_ != MatchMode::kCanonical) return;
  auto& values = fields->mutable_values(slot);
  size_t n = values.size();
  for (size_t i = 0; i < n; ++i) {
    if (values[i].type != ValueType::kString) continue;
    std::string_view in = values[i].text;
    bool non_ascii = false;
    if (kind == FieldKind::kDomain) {
      bool needs = false;
      ScanDomain(in, &needs, &non_ascii);
      if (!needs && !non_ascii) continue;
    }
    if (arena_used_ == arena_.size()) arena_.emplace_back();
    std::string& buf = arena_[arena_used_++];
    std::string_view out = kind == FieldKind::kPath ? CanonicalPath(in, &buf)
                                                    : CanonicalDomain(in, &buf);
    if (out.data() != buf.data()) --arena_used_;  // a view of the input: no copy
    values[i].text = out;
    if (non_ascii) {
      // A name with non-ASCII text also matches as its UTS #46 forms
      // (libidn2), non-transitional and transitional: more spellings of a
      // listed name can only add matches.
      for (bool transitional : {false, true}) {
        if (arena_used_ == arena_.size()) arena_.emplace_back();
        std::string& idna = arena_[arena_used_++];
        bool added = DomainToAscii(out, transitional, &idna) && idna != out;
        for (size_t k = n; added && k < values.size(); ++k) added &= values[k].text != idna;
        if (added)
          values.push_back(FieldValue{ValueType::kString, idna});
        else
          --arena_used_;
      }
    }
  }
}

int32_t ProfileResolver::Resolve(EventFields* fields, std::vector<uint32_t>* deferred) {
  arena_used_ = 0;
  const ProfileSet& set = *set_;
  int32_t chosen = set.forced_;
  if (chosen < 0) {
    for (uint32_t i : set.detect_order_) {
      const ProfileSet::Compiled& p = set.profiles_[i];
      if (!p.required_any.empty()) {
        // Cheap pre-check: the detect needs one of these fields present.
        bool present = false;
        for (uint32_t slot : p.required_any) present |= !fields->values(slot).empty();
        if (!present) continue;
      }
      if (Detect(p.detect, *fields)) {
        chosen = static_cast<int32_t>(i);
        break;
      }
    }
    if (chosen < 0) chosen = set.fallback_;
  }
  if (chosen >= 0) {
    const ProfileSet::Compiled& p = set.profiles_[chosen];
    // Stage every mapping first, so each reads the event's own values.
    staged_.clear();
    staged_ranges_.clear();
    for (const auto& m : p.mappings) {
      if (m.identity_first) {
        bool present = false;
        for (const FieldValue& v : fields->values(m.target)) present |= v.type != ValueType::kNull;
        if (present) continue;  // read as it is
      }
      size_t before = staged_.size();
      for (const auto& s : m.sources)
        if (StageSource(s, *fields)) break;
      staged_ranges_.emplace_back(m.target, static_cast<uint32_t>(staged_.size() - before));
    }
    size_t at = 0;
    for (const auto& [target, count] : staged_ranges_) {
      fields->Replace(target, staged_.data() + at, count);
      at += count;
    }
    for (const auto& d : p.defaults) {
      bool present = false;
      for (const FieldValue& v : fields->values(d.target)) present |= v.type != ValueType::kNull;
      if (!present) fields->Add(d.target, ValueType::kString, d.value);
    }
  }
  if (set.mode_ == MatchMode::kCanonical) Canonicalize(fields, deferred);
  return chosen;
}

}  // namespace c2s::event
