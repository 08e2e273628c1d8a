#include "rules/exclusions_loader.h"

#include "util/strings.h"
#include "rules/json_reader.h"

namespace c2s::rules {

namespace {

constexpr std::string_view kFormat = "c2sieve.exclusions/1";

constexpr ExclusionField kFields[] = {
    {"process.executable", NodeKind::kWildcard},
    {"process.name", NodeKind::kWildcard},
    {"process.code_signature.subject_name", NodeKind::kWildcard},
    {"process.code_signature.trusted", NodeKind::kIsTrue},
    {"dns.question.name", NodeKind::kWildcard},
    {"user.id", NodeKind::kEquals},
    {"user.name", NodeKind::kWildcard},
    {"host.name", NodeKind::kWildcard},
};

// A pattern that matches (nearly) any value: only wildcards and path or
// name punctuation ("*", "?:\\*", "*.*").
bool IsCatchAll(const std::string& pattern) {
  for (char c : pattern)
    if (c != '*' && c != '?' && c != ':' && c != '\\' && c != '/' && c != '.') return false;
  return pattern.find('*') != std::string::npos;
}

// True when no condition of the entry narrows it: each is a catch-all
// pattern list or a bare boolean. Such an entry would blind the rule.
bool BlindsTheRule(const Node& condition) {
  for (const Node& c : condition.children) {
    if (c.kind == NodeKind::kWildcard) {
      bool all_narrow = true;
      for (const auto& p : c.values) all_narrow &= !IsCatchAll(p);
      if (all_narrow) return false;
    } else if (c.kind == NodeKind::kIsTrue ||
               (c.kind == NodeKind::kNot && !c.children.empty() &&
                c.children[0].kind == NodeKind::kIsTrue)) {
      continue;
    } else {
      return false;  // equals, or a `when` the author wrote in full
    }
  }
  return true;
}

absl::Status ReadEntry(const LoadContext& ctx, const Json& v,
                       const std::string& ptr, Exclusion* out,
                       std::vector<std::string>* warnings) {
  if (!v.is_object()) return ctx.Fail(ptr, "an exclusion must be an object");
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& key = it.key();
    std::string kp = ChildPointer(ptr, key);
    if (key == "reason" || key == "comment" || key == "allow_catch_all") continue;
    if (key == "rules") {
      if (auto st = ReadStringList(ctx, *it, kp, &out->rule_ids); !st.ok())
        return st;
      continue;
    }
    if (key == "when") {
      Node n;
      if (auto st = ReadNode(ctx, *it, kp, &n); !st.ok()) return st;
      out->condition.children.push_back(std::move(n));
      continue;
    }
    const ExclusionField* f = nullptr;
    for (const auto& candidate : kFields)
      if (key == candidate.field) f = &candidate;
    if (f == nullptr) {
      std::string list;
      for (const auto& c : kFields) Append(&list, c.field, ", ");
      return ctx.Fail(kp, Cat("unknown key \"", key,
                                       "\" (expected reason, rules, when, ",
                                       list, "allow_catch_all, comment)"));
    }
    Node n;
    n.field = f->field;
    n.kind = f->kind;
    n.where = ctx.Where(kp);
    if (f->kind == NodeKind::kIsTrue) {
      if (!it->is_boolean())
        return ctx.Fail(kp, "must be true or false");
      if (!it->get<bool>()) {
        Node neg;
        neg.kind = NodeKind::kNot;
        neg.where = n.where;
        neg.children.push_back(std::move(n));
        n = std::move(neg);
      }
    } else {
      if (auto st = ReadStringList(ctx, *it, kp, &n.values); !st.ok())
        return st;
    }
    out->condition.children.push_back(std::move(n));
  }
  if (auto st = ReadString(ctx, v, ptr, "reason", true, &out->reason);
      !st.ok())
    return st;
  if (out->condition.children.empty()) {
    return ctx.Fail(ptr,
                    "an exclusion needs at least one condition; an empty one "
                    "would exclude every event");
  }
  out->condition.kind = NodeKind::kAll;
  out->condition.comment = out->reason;
  out->condition.where = ctx.Where(ptr);
  if (BlindsTheRule(out->condition)) {
    auto allow = v.find("allow_catch_all");
    if (allow != v.end() && !allow->is_boolean())
      return ctx.Fail(ChildPointer(ptr, "allow_catch_all"), "must be true or false");
    if (allow == v.end() || !allow->get<bool>()) {
      return ctx.Fail(ptr,
                      "this exclusion matches (nearly) every event and would blind "
                      "the rule; narrow it, or set \"allow_catch_all\": true");
    }
    warnings->push_back(Cat(ctx.Where(ptr), ": catch-all exclusion applied (allow_catch_all): ",
                            out->reason));
  }
  return absl::OkStatus();
}

}  // namespace

const ExclusionField* ExclusionFields(size_t* count) {
  *count = sizeof(kFields) / sizeof(kFields[0]);
  return kFields;
}

absl::StatusOr<ExclusionSet> ParseExclusions(std::string_view text,
                                             const std::string& origin) {
  LoadContext ctx(origin, text);
  Json doc;
  if (auto st = ParseDocument(ctx, text, kFormat,
                              {"$schema", "format", "exclusions", "comment"},
                              &doc);
      !st.ok())
    return st;
  if (!doc.contains("exclusions"))
    return ctx.Fail("", "missing required \"exclusions\"");
  const Json& list = doc["exclusions"];
  if (!list.is_array()) return ctx.Fail("/exclusions", "must be an array");
  ExclusionSet set;
  set.origin = origin;
  for (size_t i = 0; i < list.size(); ++i) {
    Exclusion e;
    if (auto st = ReadEntry(ctx, list[i], ChildPointer("/exclusions", i), &e, &set.warnings);
        !st.ok())
      return st;
    set.entries.push_back(std::move(e));
  }
  return set;
}

absl::StatusOr<ExclusionSet> LoadExclusionsFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseExclusions(*text, path);
}

}  // namespace c2s::rules
