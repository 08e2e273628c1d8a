#include "import/elastic_rule.h"

#include <algorithm>
#include <cctype>

// Header-only, without exceptions: errors come back as values (the packaged
// library is built with exceptions, which this code does not use).
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include "import/eql.h"
#include "util/json_text.h"
#include "util/strings.h"

namespace c2s::import {

namespace {

absl::Status Fail(const std::string& origin, int line, int column, std::string_view message) {
  if (line > 0)
    return absl::InvalidArgumentError(Cat(origin, ":", line, ":", column, ": ", message));
  return absl::InvalidArgumentError(Cat(origin, ": ", message));
}

absl::Status FailAt(const std::string& origin, const toml::node* node, std::string_view message) {
  if (node == nullptr) return Fail(origin, 0, 0, message);
  const auto& begin = node->source().begin;
  return Fail(origin, static_cast<int>(begin.line), static_cast<int>(begin.column), message);
}

// A string at `path` ("rule.name"), required or not.
absl::Status GetString(const std::string& origin, const toml::table& root, const char* table,
                       const char* key, bool required, std::string* out) {
  const toml::node* t = root.get(table);
  const toml::node* n = t && t->is_table() ? t->as_table()->get(key) : nullptr;
  if (n == nullptr) {
    if (required) return Fail(origin, 0, 0, Cat("[", table, "] has no \"", key, "\""));
    return absl::OkStatus();
  }
  if (!n->is_string()) return FailAt(origin, n, Cat(table, ".", key, " must be a string"));
  *out = n->as_string()->get();
  return absl::OkStatus();
}

absl::Status GetStrings(const std::string& origin, const toml::table& rule, const char* key,
                        std::vector<std::string>* out) {
  const toml::node* n = rule.get(key);
  if (n == nullptr) return absl::OkStatus();
  if (!n->is_array()) return FailAt(origin, n, Cat("rule.", key, " must be an array of strings"));
  for (const toml::node& item : *n->as_array()) {
    if (!item.is_string()) return FailAt(origin, &item, Cat("rule.", key, " must hold strings"));
    out->push_back(item.as_string()->get());
  }
  return absl::OkStatus();
}

absl::Status ThreatItem(const std::string& origin, const toml::node& n, const char* what,
                        rules::ThreatItem* out) {
  const toml::table* t = n.as_table();
  if (t == nullptr) return FailAt(origin, &n, Cat(what, " must be a table"));
  for (auto [key, dst] : {std::pair{"id", &out->id}, {"name", &out->name},
                          {"reference", &out->reference}}) {
    const toml::node* v = t->get(key);
    if (v == nullptr || !v->is_string())
      return FailAt(origin, &n, Cat(what, " needs a string \"", key, "\""));
    *dst = v->as_string()->get();
  }
  return absl::OkStatus();
}

absl::Status Threats(const std::string& origin, const toml::table& rule,
                     std::vector<rules::Threat>* out) {
  const toml::node* n = rule.get("threat");
  if (n == nullptr) return absl::OkStatus();
  if (!n->is_array_of_tables()) return FailAt(origin, n, "rule.threat must be [[rule.threat]] tables");
  for (const toml::node& tn : *n->as_array()) {
    const toml::table& tt = *tn.as_table();
    rules::Threat t;
    if (const toml::node* f = tt.get("framework"); f && f->is_string()) t.framework = f->as_string()->get();
    const toml::node* tactic = tt.get("tactic");
    if (tactic == nullptr) return FailAt(origin, &tn, "a [[rule.threat]] has no tactic");
    if (auto st = ThreatItem(origin, *tactic, "rule.threat.tactic", &t.tactic); !st.ok()) return st;
    if (const toml::node* techs = tt.get("technique")) {
      if (!techs->is_array_of_tables())
        return FailAt(origin, techs, "rule.threat.technique must be [[...]] tables");
      for (const toml::node& te : *techs->as_array()) {
        rules::ThreatTechnique tech;
        if (auto st = ThreatItem(origin, te, "rule.threat.technique", &tech.technique); !st.ok())
          return st;
        if (const toml::node* subs = te.as_table()->get("subtechnique")) {
          if (!subs->is_array_of_tables())
            return FailAt(origin, subs, "rule.threat.technique.subtechnique must be [[...]] tables");
          for (const toml::node& s : *subs->as_array()) {
            rules::ThreatItem sub;
            if (auto st = ThreatItem(origin, s, "rule.threat.technique.subtechnique", &sub);
                !st.ok())
              return st;
            tech.subtechniques.push_back(std::move(sub));
          }
        }
        t.techniques.push_back(std::move(tech));
      }
    }
    out->push_back(std::move(t));
  }
  return absl::OkStatus();
}

// Where the query's text starts in the file (line, column), for errors.
void QueryStart(std::string_view toml, const toml::node* query, int* line, int* column) {
  const auto& begin = query->source().begin;
  *line = static_cast<int>(begin.line);
  *column = static_cast<int>(begin.column);
  size_t offset = 0;
  for (int l = 1; l < *line && offset < toml.size(); ++l) {
    size_t nl = toml.find('\n', offset);
    if (nl == std::string_view::npos) return;
    offset = nl + 1;
  }
  offset += static_cast<size_t>(*column - 1);
  std::string_view rest = toml.substr(std::min(offset, toml.size()));
  size_t skip = (rest.substr(0, 3) == "'''" || rest.substr(0, 3) == "\"\"\"") ? 3 : 1;
  *column += static_cast<int>(skip);
  rest.remove_prefix(std::min(skip, rest.size()));
  // A newline right after the opening delimiter is not part of the string.
  if (skip == 3 && (rest.substr(0, 1) == "\n" || rest.substr(0, 2) == "\r\n")) {
    ++*line;
    *column = 1;
  }
}

bool Holds(const CommentRule& c, const rules::Node& n) {
  return !c.field.empty() && n.field == c.field &&
         std::find(n.values.begin(), n.values.end(), c.contains) != n.values.end();
}

// Text toml++ must not see: the first byte outside ASCII that is not
// inside a string or a comment, or a string that is not closed (a
// single-line string must end on its line), as (line, column, reason);
// line 0 if none. Rule files carry non-ASCII text only in strings, and
// toml++ 3.3 (Debian 12) reaches undefined behaviour on some non-ASCII
// input outside them (an unterminated quote followed by non-ASCII bytes
// among it), so such input is refused before it is parsed.
struct Unparseable {
  int line = 0, column = 0;
  const char* reason = "";
};
Unparseable CheckBeforeToml(std::string_view t) {
  int line = 1, column = 0;
  size_t i = 0;
  auto step = [&]() {
    if (t[i] == '\n') {
      ++line;
      column = 0;
    } else {
      ++column;
    }
    ++i;
  };
  while (i < t.size()) {
    char c = t[i];
    if (c == '#') {
      while (i < t.size() && t[i] != '\n') step();
    } else if (c == '"' || c == '\'') {
      int open_line = line, open_column = column + 1;
      bool multi = t.substr(i, 3) == std::string(3, c);
      std::string_view delim = t.substr(i, multi ? 3 : 1);
      for (size_t k = 0; k < delim.size(); ++k) step();
      bool closed = false;
      while (i < t.size()) {
        if (t.substr(i, delim.size()) == delim) {
          closed = true;
          break;
        }
        if (!multi && (t[i] == '\n' || t[i] == '\r')) break;  // single-line strings end here
        if (c == '"' && t[i] == '\\' && i + 1 < t.size()) step();  // escaped character
        step();
      }
      if (!closed) return {open_line, open_column, "a string that is not closed"};
      for (size_t k = 0; k < delim.size() && i < t.size(); ++k) step();
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      return {line, column + 1, "a non-ASCII character outside strings and comments"};
    } else {
      step();
    }
  }
  return {};
}

void ApplyComments(const std::vector<CommentRule>& rules_, rules::Node* n) {
  for (const CommentRule& c : rules_) {
    if (!c.replace.empty() && n->comment == c.replace) n->comment = c.comment;
    if (!c.parent && Holds(c, *n)) n->comment = c.comment;
    if (c.parent)
      for (const auto& child : n->children)
        if (Holds(c, child)) n->comment = c.comment;
  }
  for (auto& child : n->children) ApplyComments(rules_, &child);
}

}  // namespace

absl::StatusOr<ImportSpec> ParseImportSpec(std::string_view text, const std::string& origin) {
  OrderedJson doc = OrderedJson::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return absl::InvalidArgumentError(Cat(origin, ": not a JSON object"));
  if (std::string dup = json_text::DuplicateKeyPointer(text); !dup.empty())
    return absl::InvalidArgumentError(Cat(origin, ":", json_text::LineOfPointer(text, dup), " ",
                                          dup, ": duplicate key (each key may appear once)"));
  auto format = doc.find("format");
  if (format == doc.end() || *format != "c2sieve.import/1")
    return absl::InvalidArgumentError(Cat(origin, ": \"format\" must be \"c2sieve.import/1\""));
  ImportSpec spec;
  for (const auto& [k, v] : doc.items()) {
    if (k == "format" || k == "comment" || k == "$schema") continue;  // $schema: editors only
    if (k == "document") {
      if (!v.is_object()) return absl::InvalidArgumentError(Cat(origin, ": /document must be an object"));
      spec.header = v;
    } else if (k == "rules") {
      if (!v.is_object()) return absl::InvalidArgumentError(Cat(origin, ": /rules must be an object"));
      for (const auto& [id, r] : v.items()) {
        RuleOverrides o;
        o.id = id;
        std::string ptr = "/rules/" + id;
        if (!r.is_object()) return absl::InvalidArgumentError(Cat(origin, ": ", ptr, " must be an object"));
        for (const auto& [rk, rv] : r.items()) {
          if (rk == "description" && rv.is_string()) {
            o.description = rv.get<std::string>();
          } else if (rk == "tags" && rv.is_array()) {
            for (const auto& t : rv) {
              if (!t.is_string()) return absl::InvalidArgumentError(Cat(origin, ": ", ptr, "/tags must hold strings"));
              o.tags.push_back(t.get<std::string>());
            }
          } else if (rk == "comments" && rv.is_array()) {
            for (const auto& c : rv) {
              CommentRule cr;
              if (!c.is_object() || !c.contains("comment") || !c["comment"].is_string())
                return absl::InvalidArgumentError(Cat(origin, ": ", ptr, "/comments: each needs a string \"comment\""));
              cr.comment = c["comment"].get<std::string>();
              auto text = [&](const char* key) {
                auto it = c.find(key);
                return it != c.end() && it->is_string() ? it->get<std::string>() : std::string();
              };
              cr.replace = text("replace");
              cr.field = text("field");
              cr.contains = text("contains");
              auto parent = c.find("parent");
              cr.parent = parent != c.end() && parent->is_boolean() && parent->get<bool>();
              if (cr.replace.empty() == cr.field.empty() || (!cr.field.empty() && cr.contains.empty()))
                return absl::InvalidArgumentError(Cat(origin, ": ", ptr, "/comments: each has either \"replace\" or \"field\" and \"contains\""));
              o.comments.push_back(std::move(cr));
            }
          } else {
            return absl::InvalidArgumentError(Cat(origin, ": ", ptr, "/", rk, ": unknown or mistyped key"));
          }
        }
        spec.rules.push_back(std::move(o));
      }
    } else {
      return absl::InvalidArgumentError(Cat(origin, ": unknown key \"", k, "\""));
    }
  }
  return spec;
}

absl::StatusOr<rules::Rule> ImportElasticRule(std::string_view text, const std::string& origin,
                                              const ImportSpec& spec) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark
  if (Unparseable u = CheckBeforeToml(text); u.line > 0)
    return Fail(origin, u.line, u.column, u.reason);
  toml::parse_result parsed = toml::parse(text, origin);
  if (!parsed) {
    const auto& err = parsed.error();
    return Fail(origin, static_cast<int>(err.source().begin.line),
                static_cast<int>(err.source().begin.column), err.description());
  }
  const toml::table& root = parsed.table();
  const toml::node* rule_node = root.get("rule");
  if (rule_node == nullptr || !rule_node->is_table())
    return Fail(origin, 0, 0, "no [rule] table: not an Elastic detection rule");
  const toml::table& rule = *rule_node->as_table();

  rules::Rule r;
  std::string type, language;
  for (auto [key, dst, required] :
       {std::tuple{"rule_id", &r.id, true}, {"name", &r.name, true},
        {"description", &r.description, false}, {"license", &r.license, false},
        {"severity", &r.severity, true}, {"type", &type, true},
        {"language", &language, false},
        {"building_block_type", &r.building_block_type, false}}) {
    if (auto st = GetString(origin, root, "rule", key, required, dst); !st.ok()) return st;
  }
  if (auto st = GetString(origin, root, "metadata", "updated_date", false, &r.version); !st.ok())
    return st;
  r.description = std::string(TrimSpace(r.description));
  if (type != "eql" || (!language.empty() && language != "eql"))
    return FailAt(origin, rule.get("type"),
                  Cat("rule type \"", type, "\"", language.empty() ? "" : Cat(" (language \"", language, "\")"),
                      " is not supported: only EQL rules (type = \"eql\") can be imported"));
  if (r.severity != "low" && r.severity != "medium" && r.severity != "high" &&
      r.severity != "critical")
    return FailAt(origin, rule.get("severity"), "severity must be low, medium, high or critical");
  const toml::node* score = rule.get("risk_score");
  if (score == nullptr || !(score->is_integer() || score->is_floating_point()))
    return FailAt(origin, score ? score : rule_node, "rule.risk_score must be a number");
  r.risk_score = score->is_integer() ? static_cast<double>(score->as_integer()->get())
                                     : score->as_floating_point()->get();
  for (auto [key, dst] : {std::pair{"author", &r.author}, {"references", &r.references}}) {
    if (auto st = GetStrings(origin, rule, key, dst); !st.ok()) return st;
  }
  if (auto st = Threats(origin, rule, &r.threat); !st.ok()) return st;

  const toml::node* query = rule.get("query");
  if (query == nullptr || !query->is_string()) return Fail(origin, 0, 0, "rule.query is missing");
  EqlError error;
  auto node = ParseEql(query->as_string()->get(), &error);
  if (!node.ok()) {
    int line = 0, column = 0;
    QueryStart(text, query, &line, &column);
    int at_line = line + error.line - 1;
    int at_column = error.line == 1 ? column + error.column - 1 : error.column;
    return Fail(origin, at_line, at_column, Cat("EQL: ", error.message));
  }
  r.query = std::move(*node);

  std::string lower = r.name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.tags = {"c2sieve: " + lower};
  ApplySpec(spec, &r);
  return r;
}

void ApplySpec(const ImportSpec& spec, rules::Rule* r) {
  const RuleOverrides* o = nullptr;
  for (const auto& candidate : spec.rules)
    if (candidate.id == r->id) o = &candidate;
  if (o == nullptr) return;
  if (!o->description.empty()) r->description = o->description;
  if (!o->tags.empty()) r->tags = o->tags;
  ApplyComments(o->comments, &r->query);
}

absl::StatusOr<std::string> ImportElasticRuleset(
    const std::vector<std::pair<std::string, std::string>>& files, const ImportSpec& spec) {
  std::vector<rules::Rule> rules;
  for (const auto& [origin, text] : files) {
    auto r = ImportElasticRule(text, origin, spec);
    if (!r.ok()) return r.status();
    for (const auto& seen : rules)
      if (seen.id == r->id)
        return absl::InvalidArgumentError(Cat(origin, ": rule id ", r->id, " is imported twice"));
    rules.push_back(std::move(*r));
  }
  OrderedJson header = spec.header;
  if (!header.contains("name")) header["name"] = "elastic";
  return RulesetDocument(header, rules);
}

}  // namespace c2s::import
