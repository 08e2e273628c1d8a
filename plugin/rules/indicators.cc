#include "rules/indicators.h"

#include <algorithm>
#include <numeric>

#include "absl/time/time.h"
#include "util/strings.h"

namespace c2s::rules {

const Indicator* IndicatorSet::Find(const std::string& value) const {
  auto it = std::lower_bound(items.begin(), items.end(), value,
                             [](const Indicator& i, const std::string& v) { return i.value < v; });
  return it != items.end() && it->value == value ? &*it : nullptr;
}

absl::StatusOr<int64_t> ParseTimestampMs(const std::string& text) {
  absl::Time t;
  std::string err;
  // RFC 3339 needs a date, a time and a zone; Abseil's parser also takes
  // a lowercase 't'/'z', which RFC 3339 allows.
  if (text.size() < 20 || !absl::ParseTime(absl::RFC3339_full, text, &t, &err))
    return absl::InvalidArgumentError(
        Cat("\"", text, "\" is not an RFC 3339 date-time (such as 2026-01-31T12:00:00Z)"));
  return absl::ToUnixMillis(t);
}

bool IsEcsConfidence(const std::string& w) {
  return w == "Not Specified" || w == "None" || w == "Low" || w == "Medium" || w == "High";
}

std::string ConfidenceWord(int64_t c) {
  if (c <= 0) return "None";
  if (c < 30) return "Low";
  if (c < 70) return "Medium";
  return "High";
}

std::string IndicatorValueProblem(const std::string& v) {
  std::string_view name = v;
  if (name.size() > 2 && name[0] == '*' && name[1] == '.') name.remove_prefix(2);
  if (name.empty()) return "is empty";
  if (name.size() > 253) return "is longer than 253 characters";
  size_t label = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0) return "has an empty label";
      if (label > 63) return "has a label longer than 63 characters";
      if (name[i - label] == '-' || name[i - 1] == '-')
        return "has a label starting or ending with '-'";
      label = 0;
      continue;
    }
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok)
      return c >= 'A' && c <= 'Z'
                 ? "is not lowercase (write names as the engine compares them)"
                 : Cat("holds '", std::string(1, c),
                       "': write a lowercase ASCII name (IDN names as A-labels), "
                       "with \"*.\" only in front");
    ++label;
  }
  if (name.find('.') == std::string_view::npos) return "is a single label, not a domain name";
  // No top-level domain is a number: "10.1.2" is an address's spelling
  // (and a number's text could spell it too).
  std::string_view tld = name.substr(name.rfind('.') + 1);
  if (tld.find_first_not_of("0123456789") == std::string_view::npos)
    return "ends in a number, not a top-level domain";
  return "";
}

namespace {

absl::Status ReadTime(const LoadContext& ctx, const Json& item, const std::string& ptr,
                      const char* key, std::string* text, int64_t* ms) {
  if (auto st = ReadString(ctx, item, ptr, key, false, text); !st.ok()) return st;
  if (text->empty()) return absl::OkStatus();
  auto parsed = ParseTimestampMs(*text);
  if (!parsed.ok()) return ctx.Fail(ChildPointer(ptr, key), std::string(parsed.status().message()));
  if (ms) *ms = *parsed;
  return absl::OkStatus();
}

absl::Status ReadItem(const LoadContext& ctx, const Json& v, const std::string& ptr,
                      IndicatorSet* set) {
  Indicator item;
  if (v.is_string()) {
    item.value = v.get<std::string>();
  } else if (v.is_object()) {
    if (auto st = CheckKeys(ctx, v, ptr,
                            {"value", "id", "name", "description", "confidence", "first_seen",
                             "last_seen", "modified_at", "reference", "labels", "valid_from",
                             "valid_until"});
        !st.ok())
      return st;
    if (auto st = ReadString(ctx, v, ptr, "value", true, &item.value); !st.ok()) return st;
    IndicatorMeta m;
    for (auto [key, dst] : {std::pair{"id", &m.id}, {"name", &m.name},
                            {"description", &m.description}, {"confidence", &m.confidence},
                            {"reference", &m.reference}})
      if (auto st = ReadString(ctx, v, ptr, key, false, dst); !st.ok()) return st;
    if (!m.confidence.empty() && !IsEcsConfidence(m.confidence))
      return ctx.Fail(ChildPointer(ptr, "confidence"),
                      "must be one of Not Specified, None, Low, Medium, High");
    for (auto [key, dst] : {std::pair{"first_seen", &m.first_seen}, {"last_seen", &m.last_seen},
                            {"modified_at", &m.modified_at}})
      if (auto st = ReadTime(ctx, v, ptr, key, dst, nullptr); !st.ok()) return st;
    if (auto st = ReadTime(ctx, v, ptr, "valid_from", &m.valid_from, &m.valid_from_ms); !st.ok())
      return st;
    if (auto st = ReadTime(ctx, v, ptr, "valid_until", &m.valid_until, &m.valid_until_ms);
        !st.ok())
      return st;
    if (m.valid_until_ms <= m.valid_from_ms)
      return ctx.Fail(ChildPointer(ptr, "valid_until"), "must be later than valid_from");
    if (auto it = v.find("labels"); it != v.end())
      if (auto st = ReadStringList(ctx, *it, ChildPointer(ptr, "labels"), &m.labels); !st.ok())
        return st;
    item.meta = static_cast<uint32_t>(set->metas.size());
    set->metas.push_back(std::move(m));
  } else {
    return ctx.Fail(ptr, "an indicator is a domain name or an object with a \"value\"");
  }
  if (std::string why = IndicatorValueProblem(item.value); !why.empty())
    return ctx.Fail(v.is_string() ? ptr : ChildPointer(ptr, "value"),
                    Cat("\"", item.value, "\" ", why));
  set->items.push_back(std::move(item));
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadIndicators(const LoadContext& ctx, const Json& v, const std::string& ptr,
                            IndicatorSet* out) {
  if (!v.is_object()) return ctx.Fail(ptr, "must be an object");
  if (auto st = CheckKeys(ctx, v, ptr,
                          {"field", "type", "provider", "reference", "items", "comment"});
      !st.ok())
    return st;
  if (auto st = ReadString(ctx, v, ptr, "field", false, &out->field); !st.ok()) return st;
  if (!IsFieldName(out->field))
    return ctx.Fail(ChildPointer(ptr, "field"), Cat("\"", out->field, "\" is not a field name"));
  if (auto st = ReadString(ctx, v, ptr, "type", false, &out->type); !st.ok()) return st;
  if (out->type != "domain-name")
    return ctx.Fail(ChildPointer(ptr, "type"), "must be \"domain-name\" (the one type supported)");
  for (auto [key, dst] : {std::pair{"provider", &out->provider}, {"reference", &out->reference}})
    if (auto st = ReadString(ctx, v, ptr, key, false, dst); !st.ok()) return st;
  std::string items_ptr = ChildPointer(ptr, "items");
  auto items = v.find("items");
  if (items == v.end()) return ctx.Fail(ptr, "missing required \"items\"");
  if (!items->is_array() || items->empty())
    return ctx.Fail(items_ptr, "must be a non-empty array of indicators");
  out->metas.assign(1, IndicatorMeta{});
  out->items.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i)
    if (auto st = ReadItem(ctx, (*items)[i], ChildPointer(items_ptr, i), out); !st.ok())
      return st;
  // Sorted for look-ups by value; a value listed twice is refused (which
  // of its two entries' metadata would a match carry?).
  std::vector<uint32_t> order(out->items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return out->items[a].value < out->items[b].value;
  });
  for (size_t k = 1; k < order.size(); ++k)
    if (out->items[order[k]].value == out->items[order[k - 1]].value)
      return ctx.Fail(ChildPointer(items_ptr, order[k]),
                      Cat("\"", out->items[order[k]].value, "\" is listed twice (also at ",
                          ChildPointer(items_ptr, order[k - 1]), ")"));
  std::vector<Indicator> sorted;
  sorted.reserve(order.size());
  for (uint32_t i : order) sorted.push_back(std::move(out->items[i]));
  out->items = std::move(sorted);
  return absl::OkStatus();
}

ActiveRulesets Activate(const std::vector<Ruleset>& rulesets, int64_t now_ms) {
  ActiveRulesets out;
  for (const Ruleset& rs : rulesets) {
    Ruleset active;
    active.name = rs.name;
    active.origin = rs.origin;
    for (const Rule& r : rs.rules) {
      if (!r.indicators) {
        active.rules.push_back(r);
        continue;
      }
      Node clause;
      clause.kind = NodeKind::kWildcard;
      clause.field = r.indicators->field;
      clause.comment = "the feed's indicators in force";
      clause.where = r.query.where;
      for (const Indicator& i : r.indicators->items) {
        const IndicatorMeta& m = r.indicators->meta(i);
        if (now_ms < m.valid_from_ms) {
          out.next_change_ms = std::min(out.next_change_ms, m.valid_from_ms);
          ++out.indicators_inactive;
        } else if (now_ms >= m.valid_until_ms) {
          ++out.indicators_inactive;
        } else {
          if (m.valid_until_ms != std::numeric_limits<int64_t>::max())
            out.next_change_ms = std::min(out.next_change_ms, m.valid_until_ms);
          clause.values.push_back(i.value);
          ++out.indicators_active;
        }
      }
      if (clause.values.empty()) {
        out.idle_rules.push_back(r.id);
        continue;
      }
      Rule compiled = r;
      if (compiled.query.kind != NodeKind::kAll) {
        Node all;
        all.kind = NodeKind::kAll;
        all.where = compiled.query.where;
        all.children.push_back(std::move(compiled.query));
        compiled.query = std::move(all);
      }
      compiled.query.children.push_back(std::move(clause));
      active.rules.push_back(std::move(compiled));
    }
    if (!active.rules.empty()) out.rulesets.push_back(std::move(active));
  }
  return out;
}

}  // namespace c2s::rules
