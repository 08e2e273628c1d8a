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

bool HasWildcard(std::string_view p) { return p.find_first_of("*?") != std::string_view::npos; }

bool NarrowDomain(std::string_view p) {
  if (p.substr(0, 2) == "*.") p.remove_prefix(2);
  else if (!p.empty() && p[0] == '*') p.remove_prefix(1);
  size_t dot = p.find('.');
  return !HasWildcard(p) && dot != std::string_view::npos && dot > 0 && p.back() != '.' &&
         p.find("..") == std::string_view::npos;
}

// A literal file name ("*\\Zoom\\bin\\Zoom.exe"), or a literal folder
// under the root ("C:\\Tools\\*", "?:\\Tools\\*", "/opt/agent/*"); not
// "C:\\*", "*.exe" or "*\\*".
bool NarrowExecutable(std::string_view p) {
  size_t sep = p.find_last_of("\\/");
  std::string_view name = sep == std::string_view::npos ? p : p.substr(sep + 1);
  if (!name.empty() && !HasWildcard(name)) return true;
  size_t root = 0;
  if (p.size() >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
      (p[0] == '?' || (p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')))
    root = 3;
  else if (!p.empty() && (p[0] == '/' || p[0] == '\\'))
    root = 1;
  else
    return false;
  std::string_view rest = p.substr(root);
  std::string_view literal = rest.substr(0, rest.find_first_of("*?"));
  size_t folder_end = literal.find_first_of("\\/");
  return folder_end != std::string_view::npos && folder_end > 0;
}

bool NarrowSigner(std::string_view p) {
  size_t first = p.find_first_of("*?");
  return (first == std::string_view::npos ? p.size() : first) >= 4;
}

template <typename Pred>
bool Every(const Node& n, Pred pred) {
  if (n.values.empty()) return false;
  for (const auto& v : n.values)
    if (!pred(v)) return false;
  return true;
}

bool IsTrustedTrue(const Node& n) {
  return n.kind == NodeKind::kIsTrue && n.field == "process.code_signature.trusted";
}

// Predicates of a conjunction, through nested "all".
void Conjuncts(const Node& n, std::vector<const Node*>* out) {
  if (n.kind == NodeKind::kAll) {
    for (const Node& c : n.children) Conjuncts(c, out);
  } else {
    out->push_back(&n);
  }
}

bool AnchorPredicate(const Node& p, bool trusted_in_conjunction) {
  bool wildcard_or_equals = p.kind == NodeKind::kWildcard || p.kind == NodeKind::kEquals;
  if (!wildcard_or_equals) return false;
  if (p.field == "dns.question.name") return Every(p, NarrowDomain);
  if (p.field == "process.executable") return Every(p, NarrowExecutable);
  if (p.field == "process.name" || p.field == "user.id")
    return Every(p, [](std::string_view v) { return !v.empty() && !HasWildcard(v); });
  if (p.field == "process.code_signature.subject_name")
    return trusted_in_conjunction && Every(p, NarrowSigner);
  return false;
}

}  // namespace

bool HasNarrowAnchor(const Node& condition) {
  std::vector<const Node*> parts;
  Conjuncts(condition, &parts);
  bool trusted = false;
  for (const Node* p : parts) trusted |= IsTrustedTrue(*p);
  for (const Node* p : parts) {
    if (p->kind == NodeKind::kAny) {
      bool all_anchored = !p->children.empty();
      for (const Node& branch : p->children) all_anchored &= HasNarrowAnchor(branch);
      if (all_anchored) return true;
      continue;
    }
    if (AnchorPredicate(*p, trusted)) return true;
  }
  return false;
}

namespace {

void CountPatterns(const Node& n, size_t* patterns, size_t* bytes) {
  *patterns += n.values.size();
  for (const auto& v : n.values) *bytes += v.size();
  for (const auto& c : n.children) CountPatterns(c, patterns, bytes);
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
  auto allow = v.find("allow_catch_all");
  if (allow != v.end() && !allow->is_boolean())
    return ctx.Fail(ChildPointer(ptr, "allow_catch_all"), "must be true or false");
  if (!HasNarrowAnchor(out->condition)) {
    if (allow == v.end() || !allow->get<bool>()) {
      return ctx.Fail(ptr,
                      "too broad: this exclusion pins no narrow anchor and could blind the "
                      "rule. Add one of: an exact domain or *.domain (dns.question.name), an "
                      "executable path ending in a literal file name (process.executable), an "
                      "exact process.name, an exact user.id, or a signer "
                      "(process.code_signature.subject_name) together with "
                      "process.code_signature.trusted: true. To apply it anyway, set "
                      "\"allow_catch_all\": true in the entry (logged)");
    }
    warnings->push_back(Cat(ctx.Where(ptr), ": exclusion without a narrow anchor applied "
                            "(allow_catch_all): ", out->reason));
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
  if (text.size() > kMaxExclusionsBytes)
    return ctx.Fail("", Cat("document of ", text.size(), " bytes, larger than the limit of ",
                            kMaxExclusionsBytes, " bytes"));
  if (auto st = ParseDocument(ctx, text, kFormat,
                              {"$schema", "format", "exclusions", "comment", "allow_broad"},
                              &doc);
      !st.ok())
    return st;
  if (!doc.contains("exclusions"))
    return ctx.Fail("", "missing required \"exclusions\"");
  const Json& list = doc["exclusions"];
  if (!list.is_array()) return ctx.Fail("/exclusions", "must be an array");
  ExclusionSet set;
  set.origin = origin;
  if (auto ab = doc.find("allow_broad"); ab != doc.end()) {
    if (!ab->is_boolean()) return ctx.Fail("/allow_broad", "must be true or false");
    set.allow_broad = ab->get<bool>();
    if (set.allow_broad)
      set.warnings.push_back(Cat(ctx.Where("/allow_broad"), ": \"allow_broad\": the check that "
                                 "these exclusions leave each rule most of its probe events is off"));
  }
  size_t patterns = 0, pattern_bytes = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    Exclusion e;
    std::string ptr = ChildPointer("/exclusions", i);
    if (auto st = ReadEntry(ctx, list[i], ptr, &e, &set.warnings); !st.ok())
      return st;
    CountPatterns(e.condition, &patterns, &pattern_bytes);
    if (patterns > kMaxExclusionPatterns)
      return ctx.Fail(ptr, Cat("the document holds more than ", kMaxExclusionPatterns,
                               " patterns (the compile budget of one exclusions push); "
                               "split it or narrow it"));
    if (pattern_bytes > kMaxExclusionPatternBytes)
      return ctx.Fail(ptr, Cat("the document's patterns exceed ", kMaxExclusionPatternBytes,
                               " bytes (the compile budget of one exclusions push)"));
    set.entries.push_back(std::move(e));
  }
  return set;
}

absl::StatusOr<ExclusionSet> LoadExclusionsFile(const std::string& path) {
  auto text = ReadFile(path, kMaxExclusionsBytes);
  if (!text.ok()) return text.status();
  return ParseExclusions(*text, path);
}

}  // namespace c2s::rules
