#include "rules/json_reader.h"

#include "util/strings.h"
#include "util/json_text.h"

namespace c2s::rules {

namespace {

constexpr size_t kMaxNodeDepth = 64;
constexpr size_t kMaxPatternBytes = 1024;


absl::Status ReadNodeAt(const LoadContext& ctx, const Json& v,
                        std::string_view ptr, size_t depth, Node* out) {
  if (depth > kMaxNodeDepth)
    return ctx.Fail(ptr, "conditions nested too deep (max 64)");
  if (!v.is_object()) return ctx.Fail(ptr, "a condition must be an object");
  out->where = ctx.Where(ptr);
  if (auto c = v.find("comment"); c != v.end()) {
    if (!c->is_string())
      return ctx.Fail(ChildPointer(ptr, "comment"), "must be a string");
    out->comment = c->get<std::string>();
  }
  int shapes = v.contains("all") + v.contains("any") + v.contains("not") +
               v.contains("field");
  if (shapes != 1) {
    return ctx.Fail(ptr,
                    "a condition has exactly one of \"all\", \"any\", "
                    "\"not\" or \"field\"");
  }
  for (const char* group : {"all", "any"}) {
    auto it = v.find(group);
    if (it == v.end()) continue;
    if (auto st = CheckKeys(ctx, v, ptr, {group, "comment"}); !st.ok())
      return st;
    std::string gp = ChildPointer(ptr, group);
    if (!it->is_array()) return ctx.Fail(gp, "must be an array of conditions");
    if (it->empty()) return ctx.Fail(gp, "must not be empty");
    out->kind = group[1] == 'l' ? NodeKind::kAll : NodeKind::kAny;
    for (size_t i = 0; i < it->size(); ++i) {
      Node child;
      auto st = ReadNodeAt(ctx, (*it)[i], ChildPointer(gp, i), depth + 1,
                           &child);
      if (!st.ok()) return st;
      out->children.push_back(std::move(child));
    }
    return absl::OkStatus();
  }
  if (auto it = v.find("not"); it != v.end()) {
    if (auto st = CheckKeys(ctx, v, ptr, {"not", "comment"}); !st.ok())
      return st;
    out->kind = NodeKind::kNot;
    out->children.emplace_back();
    return ReadNodeAt(ctx, *it, ChildPointer(ptr, "not"), depth + 1,
                      &out->children.back());
  }
  // A predicate.
  if (auto st = CheckKeys(ctx, v, ptr,
                          {"field", "wildcard", "equals", "exists", "is",
                           "case_insensitive", "case_sensitive", "comment"});
      !st.ok())
    return st;
  if (auto st = ReadString(ctx, v, ptr, "field", true, &out->field); !st.ok())
    return st;
  if (!IsFieldName(out->field)) {
    return ctx.Fail(ChildPointer(ptr, "field"),
                    "not a dotted field name (letters, digits, _ - @ .)");
  }
  int ops = v.contains("wildcard") + v.contains("equals") +
            v.contains("exists") + v.contains("is");
  if (ops != 1) {
    return ctx.Fail(ptr,
                    "a field condition has exactly one of \"wildcard\", "
                    "\"equals\", \"exists\" or \"is\"");
  }
  if (auto cs = v.find("case_sensitive"); cs != v.end()) {
    if (!v.contains("wildcard") || !cs->is_boolean())
      return ctx.Fail(ChildPointer(ptr, "case_sensitive"),
                      "must be a boolean, beside \"wildcard\"");
    out->case_sensitive = cs->get<bool>();
  }
  if (auto it = v.find("wildcard"); it != v.end()) {
    out->kind = NodeKind::kWildcard;
    std::string wp = ChildPointer(ptr, "wildcard");
    if (auto st = ReadStringList(ctx, *it, wp, &out->values); !st.ok()) return st;
    // A bound on pathological patterns, far above any real domain or path.
    for (size_t i = 0; i < out->values.size(); ++i)
      if (out->values[i].size() > kMaxPatternBytes)
        return ctx.Fail(ChildPointer(wp, i), Cat("pattern longer than ", kMaxPatternBytes,
                                                 " bytes"));
    return absl::OkStatus();
  }
  if (auto ci = v.find("case_insensitive"); ci != v.end()) {
    if (!v.contains("equals") || !ci->is_boolean())
      return ctx.Fail(ChildPointer(ptr, "case_insensitive"),
                      "must be a boolean, beside \"equals\"");
    out->case_insensitive = ci->get<bool>();
  }
  if (auto it = v.find("equals"); it != v.end()) {
    out->kind = NodeKind::kEquals;
    return ReadStringList(ctx, *it, ChildPointer(ptr, "equals"),
                          &out->values);
  }
  if (auto it = v.find("exists"); it != v.end()) {
    if (!it->is_boolean() || !it->get<bool>()) {
      return ctx.Fail(ChildPointer(ptr, "exists"),
                      "must be true (write {\"not\": ...} for absence)");
    }
    out->kind = NodeKind::kExists;
    return absl::OkStatus();
  }
  auto it = v.find("is");
  if (!it->is_boolean()) return ctx.Fail(ChildPointer(ptr, "is"), "must be true or false");
  out->kind = it->get<bool>() ? NodeKind::kIsTrue : NodeKind::kIsFalse;
  return absl::OkStatus();
}

}  // namespace

bool IsFieldName(std::string_view f) {
  if (f.empty() || f.size() > 200 || f.front() == '.' || f.back() == '.')
    return false;
  for (char c : f) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
              c == '@';
    if (!ok) return false;
  }
  return f.find("..") == std::string_view::npos;
}

absl::Status ParseJsonText(const LoadContext& ctx, std::string_view text,
                           Json* out) {
  try {
    *out = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    size_t at = e.byte > 0 ? e.byte - 1 : 0;
    std::string what = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at
    // line L, column C: "; keep only the reason after the position.
    if (auto colon = what.find(": "); colon != std::string::npos)
      what = what.substr(colon + 2);
    // nlohmann quotes the bytes it read ("; last read: '...'"): an error
    // names the position, never echoes the file.
    if (auto quote = what.find("; last read: "); quote != std::string::npos)
      what.erase(quote);
    return absl::InvalidArgumentError(
        Cat(ctx.origin(), ":", json_text::LineOfOffset(text, at),
                     ": not valid JSON: ", what));
  } catch (const Json::exception& e) {
    // Not a syntax error but a value nlohmann cannot hold (a number out of
    // range): no position is known.
    std::string what = e.what();
    if (auto b = what.find("] "); b != std::string::npos) what = what.substr(b + 2);
    return absl::InvalidArgumentError(Cat(ctx.origin(), ": not valid JSON: ", what));
  }
  if (std::string dup = json_text::DuplicateKeyPointer(text); !dup.empty())
    return ctx.Fail(dup, "duplicate key: each key may appear once per object (parsers disagree "
                         "on which value counts, so a repeated key could hide an entry)");
  return absl::OkStatus();
}

absl::Status ParseDocument(const LoadContext& ctx, std::string_view text,
                           std::string_view format,
                           std::initializer_list<std::string_view> allowed,
                           Json* doc) {
  if (auto st = ParseJsonText(ctx, text, doc); !st.ok()) return st;
  if (!doc->is_object()) return ctx.Fail("", "the document must be a JSON object");
  if (auto st = CheckKeys(ctx, *doc, "", allowed); !st.ok()) return st;
  std::string got;
  if (auto st = ReadString(ctx, *doc, "", "format", true, &got); !st.ok())
    return st;
  if (got != format)
    return ctx.Fail("/format", Cat("expected \"", format, "\""));
  return absl::OkStatus();
}

std::string ChildPointer(std::string_view parent, std::string_view key) {
  std::string p(parent);
  p += '/';
  json_text::AppendPointerToken(p, key);
  return p;
}

std::string ChildPointer(std::string_view parent, size_t index) {
  return Cat(parent, "/", index);
}

absl::Status CheckKeys(const LoadContext& ctx, const Json& obj,
                       std::string_view pointer,
                       std::initializer_list<std::string_view> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (auto a : allowed) known |= (it.key() == a);
    if (!known) {
      std::string list;
      for (auto a : allowed) Append(&list, list.empty() ? "" : ", ", a);
      return ctx.Fail(ChildPointer(pointer, it.key()),
                      Cat("unknown key \"", it.key(),
                                   "\" (expected one of: ", list, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadString(const LoadContext& ctx, const Json& obj,
                        std::string_view pointer, std::string_view key,
                        bool required, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (!required) return absl::OkStatus();
    return ctx.Fail(pointer, Cat("missing required \"", key, "\""));
  }
  if (!it->is_string() || it->get_ref<const std::string&>().empty())
    return ctx.Fail(ChildPointer(pointer, key), "must be a non-empty string");
  *out = it->get<std::string>();
  return absl::OkStatus();
}

absl::Status ReadStringList(const LoadContext& ctx, const Json& value,
                            std::string_view pointer,
                            std::vector<std::string>* out) {
  if (!value.is_array()) return ctx.Fail(pointer, "must be an array of strings");
  if (value.empty()) return ctx.Fail(pointer, "must not be empty");
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string())
      return ctx.Fail(ChildPointer(pointer, i), "must be a string");
    out->push_back(value[i].get<std::string>());
  }
  return absl::OkStatus();
}

absl::Status ReadNode(const LoadContext& ctx, const Json& value,
                      std::string_view pointer, Node* out) {
  return ReadNodeAt(ctx, value, pointer, 0, out);
}

}  // namespace c2s::rules
