#include "import/sigma.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "import/node_groups.h"
#include "util/strings.h"

namespace c2s::import {

namespace {

using rules::Node;
using rules::NodeKind;

absl::Status Refuse(const std::string& origin, const YAML::Node& at, std::string_view why) {
  if (at && at.Mark().line >= 0)
    return absl::InvalidArgumentError(Cat(origin, ":", at.Mark().line + 1, ":",
                                          at.Mark().column + 1, ": ", why));
  return absl::InvalidArgumentError(Cat(origin, ": ", why));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Sigma field -> ECS field as the engine's profiles present Sysmon events.
const std::map<std::string, std::string>& FieldMap() {
  static const std::map<std::string, std::string> m = {
      {"QueryName", "dns.question.name"},
      {"DestinationHostname", "dns.question.name"},
      {"Image", "process.executable"},
      {"Initiated", "network.direction"},
  };
  return m;
}

// ATT&CK tactics by the names Sigma tags use.
const std::map<std::string, std::pair<std::string, std::string>>& Tactics() {
  static const std::map<std::string, std::pair<std::string, std::string>> m = {
      {"command-and-control", {"TA0011", "Command and Control"}},
      {"command_and_control", {"TA0011", "Command and Control"}},
      {"exfiltration", {"TA0010", "Exfiltration"}},
      {"defense-evasion", {"TA0005", "Defense Evasion"}},
      {"defense_evasion", {"TA0005", "Defense Evasion"}},
      {"execution", {"TA0002", "Execution"}},
      {"persistence", {"TA0003", "Persistence"}},
      {"initial-access", {"TA0001", "Initial Access"}},
      {"initial_access", {"TA0001", "Initial Access"}},
      {"lateral-movement", {"TA0008", "Lateral Movement"}},
      {"lateral_movement", {"TA0008", "Lateral Movement"}},
      {"collection", {"TA0009", "Collection"}},
      {"discovery", {"TA0007", "Discovery"}},
  };
  return m;
}

// The techniques and sub-techniques these rules name; others keep their id
// as their name.
const std::map<std::string, std::string>& Techniques() {
  static const std::map<std::string, std::string> m = {
      {"T1071", "Application Layer Protocol"}, {"T1090", "Proxy"},
      {"T1102", "Web Service"}, {"T1105", "Ingress Tool Transfer"},
      {"T1567", "Exfiltration Over Web Service"}, {"T1572", "Protocol Tunneling"},
      {"T1219", "Remote Access Software"}, {"T1568", "Dynamic Resolution"},
      {"T1583", "Acquire Infrastructure"}, {"T1608", "Stage Capabilities"},
      {"T1071.001", "Web Protocols"}, {"T1071.004", "DNS"}, {"T1090.002", "External Proxy"},
      {"T1102.001", "Dead Drop Resolver"}, {"T1102.002", "Bidirectional Communication"},
      {"T1102.003", "One-Way Communication"}, {"T1567.001", "Exfiltration to Code Repository"},
      {"T1567.002", "Exfiltration to Cloud Storage"},
      {"T1567.003", "Exfiltration to Text Storage Sites"},
      {"T1568.002", "Domain Generation Algorithms"}, {"T1219.002", "Remote Desktop Software"},
  };
  return m;
}

class Converter {
 public:
  Converter(std::string origin, const YAML::Node& detection)
      : origin_(std::move(origin)), detection_(detection) {}

  // One search identifier's node.
  absl::StatusOr<Node> Search(const std::string& name) {
    YAML::Node s = detection_[name];
    absl::StatusOr<Node> n = Selection(s);
    if (n.ok()) n->comment = name;
    return n;
  }

  std::vector<std::string> Identifiers() const {
    std::vector<std::string> ids;
    for (const auto& kv : detection_) {
      std::string k = kv.first.as<std::string>();
      if (k != "condition" && k != "timeframe") ids.push_back(k);
    }
    return ids;
  }

  const std::string& origin() const { return origin_; }
  const YAML::Node& detection() const { return detection_; }

 private:
  absl::StatusOr<Node> Selection(const YAML::Node& s) {
    if (s.IsMap()) {
      Node all;
      all.kind = NodeKind::kAll;
      for (const auto& kv : s) {
        auto pred = Field(kv.first.as<std::string>(), kv.first, kv.second);
        if (!pred.ok()) return pred.status();
        all.children.push_back(std::move(*pred));
      }
      if (all.children.size() == 1) return std::move(all.children[0]);
      return all;
    }
    if (s.IsSequence()) {
      Node any;
      any.kind = NodeKind::kAny;
      for (const auto& item : s) {
        if (!item.IsMap())
          return Refuse(origin_, item, "keyword searches (values without a field) are not supported");
        auto n = Selection(item);
        if (!n.ok()) return n.status();
        any.children.push_back(std::move(*n));
      }
      return any;
    }
    return Refuse(origin_, s, "keyword searches (values without a field) are not supported");
  }

  // Sigma's escapes: \* and \? are literal (which c2sieve patterns cannot
  // say), \\ is one backslash; any other backslash is itself.
  absl::StatusOr<std::string> Pattern(const YAML::Node& at, const std::string& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 1 < v.size() && (v[i + 1] == '*' || v[i + 1] == '?'))
        return Refuse(origin_, at, Cat("the value \"", v, "\" holds an escaped ",
                                       std::string(1, v[i + 1]),
                                       ", which c2sieve patterns cannot express"));
      if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == '\\') {
        out += '\\';
        ++i;
        continue;
      }
      out += v[i];
    }
    return out;
  }

  absl::StatusOr<Node> Field(const std::string& key, const YAML::Node& key_node,
                             const YAML::Node& value) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
      size_t bar = key.find('|', start);
      parts.push_back(key.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    const std::string& sigma_field = parts[0];
    auto mapped = FieldMap().find(sigma_field);
    if (mapped == FieldMap().end())
      return Refuse(origin_, key_node, Cat("field ", sigma_field, " has no ECS counterpart here"));
    std::string field = mapped->second;
    std::string position;  // contains, startswith, endswith
    bool all = false, exists = false;
    for (size_t i = 1; i < parts.size(); ++i) {
      const std::string& m = parts[i];
      if (m == "contains" || m == "startswith" || m == "endswith") {
        position = m;
      } else if (m == "all") {
        all = true;
      } else if (m == "exists") {
        exists = true;
      } else {
        return Refuse(origin_, key_node, Cat("modifier |", m, " is not supported"));
      }
    }
    Node pred;
    pred.field = field;
    if (exists) {
      if (!value.IsScalar() || (value.as<std::string>() != "true" && value.as<std::string>() != "false"))
        return Refuse(origin_, value, "|exists takes true or false");
      pred.kind = NodeKind::kExists;
      if (value.as<std::string>() == "true") return pred;
      Node no;
      no.kind = NodeKind::kNot;
      no.children.push_back(std::move(pred));
      return no;
    }
    std::vector<YAML::Node> values;
    if (value.IsSequence()) {
      for (const auto& v : value) values.push_back(v);
    } else {
      values.push_back(value);
    }
    if (values.empty()) return Refuse(origin_, value, "an empty list of values");
    std::vector<std::string> texts;
    bool has_null = false;
    for (const auto& v : values) {
      if (v.IsNull()) {
        has_null = true;
        continue;
      }
      if (!v.IsScalar()) return Refuse(origin_, v, "values must be scalars");
      texts.push_back(v.as<std::string>());
    }
    if (has_null) {
      if (!texts.empty() || !position.empty())
        return Refuse(origin_, value, "null mixed with other values or modifiers is not supported");
      Node present;
      present.kind = NodeKind::kExists;
      present.field = field;
      Node no;
      no.kind = NodeKind::kNot;
      no.children.push_back(std::move(present));
      return no;
    }
    if (sigma_field == "Initiated") {
      if (!position.empty() || texts.size() != 1 ||
          (Lower(texts[0]) != "true" && Lower(texts[0]) != "false"))
        return Refuse(origin_, value, "Initiated takes 'true' or 'false'");
      pred.kind = NodeKind::kEquals;
      pred.values = Lower(texts[0]) == "true" ? std::vector<std::string>{"egress", "outbound"}
                                              : std::vector<std::string>{"ingress", "inbound"};
      return pred;
    }
    pred.kind = NodeKind::kWildcard;
    for (const auto& t : texts) {
      auto p = Pattern(value, t);
      if (!p.ok()) return p.status();
      if (position == "contains") *p = "*" + *p + "*";
      else if (position == "startswith") *p = *p + "*";
      else if (position == "endswith") *p = "*" + *p;
      pred.values.push_back(std::move(*p));
    }
    if (!all || pred.values.size() == 1) return pred;
    Node every;
    every.kind = NodeKind::kAll;
    for (const auto& p : pred.values) {
      Node one;
      one.kind = NodeKind::kWildcard;
      one.field = field;
      one.values = {p};
      every.children.push_back(std::move(one));
    }
    return every;
  }

  std::string origin_;
  YAML::Node detection_;
};

// The condition: or > and > not > primary; `1 of X*` / `all of X*` /
// `them`; identifiers may hold * wildcards only in `of` clauses.
class ConditionParser {
 public:
  ConditionParser(Converter* c, const YAML::Node& at, std::string text)
      : c_(c), at_(at), text_(std::move(text)) {
    size_t i = 0;
    while (i < text_.size()) {
      char ch = text_[i];
      if (std::isspace(static_cast<unsigned char>(ch))) {
        ++i;
      } else if (ch == '(' || ch == ')' || ch == '|') {
        tokens_.push_back(std::string(1, ch));
        ++i;
      } else {
        size_t b = i;
        while (i < text_.size() && !std::isspace(static_cast<unsigned char>(text_[i])) &&
               text_[i] != '(' && text_[i] != ')' && text_[i] != '|')
          ++i;
        tokens_.push_back(text_.substr(b, i - b));
      }
    }
  }

  absl::StatusOr<Node> Parse() {
    auto n = Or();
    if (!n.ok()) return n;
    if (pos_ < tokens_.size()) {
      if (tokens_[pos_] == "|")
        return Fail("aggregations (| count() ...) are not supported");
      return Fail(Cat("unexpected \"", tokens_[pos_], "\""));
    }
    return n;
  }

 private:
  absl::Status Fail(std::string_view why) {
    return Refuse(c_->origin(), at_, Cat("condition \"", text_, "\": ", why));
  }
  bool Is(const char* word) const { return pos_ < tokens_.size() && Lower(tokens_[pos_]) == word; }

  // A chain of `word`-joined operands (`next` parses one) as a `kind` group;
  // a single operand stands as it is.
  absl::StatusOr<Node> Chain(const char* word, NodeKind kind,
                             absl::StatusOr<Node> (ConditionParser::*next)()) {
    auto first = (this->*next)();
    if (!first.ok() || !Is(word)) return first;
    Node group;
    group.kind = kind;
    JoinInto(kind, std::move(*first), &group);
    while (Is(word)) {
      ++pos_;
      auto operand = (this->*next)();
      if (!operand.ok()) return operand;
      JoinInto(kind, std::move(*operand), &group);
    }
    return group;
  }
  absl::StatusOr<Node> Or() { return Chain("or", NodeKind::kAny, &ConditionParser::And); }
  absl::StatusOr<Node> And() { return Chain("and", NodeKind::kAll, &ConditionParser::Not); }

  absl::StatusOr<Node> Not() {
    // Each nesting level recurses: a bound keeps hostile input off the stack.
    if (++depth_ > 60) return Fail("nested deeper than 60 levels");
    struct Leave {
      int* d;
      ~Leave() { --*d; }
    } leave{&depth_};
    if (Is("not")) {
      ++pos_;
      auto inner = Not();
      if (!inner.ok()) return inner;
      Node n;
      n.kind = NodeKind::kNot;
      n.children.push_back(std::move(*inner));
      return n;
    }
    return Primary();
  }

  static bool Glob(const std::string& pattern, const std::string& name) {
    if (pattern.empty()) return name.empty();
    if (pattern[0] == '*') {
      for (size_t i = 0; i <= name.size(); ++i)
        if (Glob(pattern.substr(1), name.substr(i))) return true;
      return false;
    }
    return !name.empty() && pattern[0] == name[0] && Glob(pattern.substr(1), name.substr(1));
  }

  absl::StatusOr<Node> Primary() {
    if (pos_ >= tokens_.size()) return Fail("ends too early");
    const std::string t = tokens_[pos_];
    if (t == "(") {
      ++pos_;
      auto n = Or();
      if (!n.ok()) return n;
      if (pos_ >= tokens_.size() || tokens_[pos_] != ")") return Fail("missing \")\"");
      ++pos_;
      return n;
    }
    if ((t == "1" || Lower(t) == "all" || Lower(t) == "any") && pos_ + 2 < tokens_.size() + 1 &&
        pos_ + 1 < tokens_.size() && Lower(tokens_[pos_ + 1]) == "of") {
      if (pos_ + 2 >= tokens_.size()) return Fail("\"of\" needs a name pattern or \"them\"");
      std::string target = tokens_[pos_ + 2];
      pos_ += 3;
      std::vector<std::string> names;
      for (const auto& id : c_->Identifiers()) {
        bool pick = target == "them" ? id.rfind('_', 0) != 0 : Glob(target, id);
        if (pick) names.push_back(id);
      }
      if (names.empty()) return Fail(Cat("no search identifier matches \"", target, "\""));
      Node group;
      group.kind = Lower(t) == "all" ? NodeKind::kAll : NodeKind::kAny;
      for (const auto& name : names) {
        auto n = c_->Search(name);
        if (!n.ok()) return n;
        group.children.push_back(std::move(*n));
      }
      if (group.children.size() == 1) return std::move(group.children[0]);
      return group;
    }
    if (t == ")" || t == "|" || Is("and") || Is("or")) return Fail(Cat("unexpected \"", t, "\""));
    if (t.find('*') != std::string::npos)
      return Fail(Cat("a pattern (", t, ") is only allowed after \"1 of\" or \"all of\""));
    if (!c_->detection()[t]) return Fail(Cat("no search identifier \"", t, "\""));
    ++pos_;
    return c_->Search(t);
  }

  Converter* c_;
  YAML::Node at_;
  std::string text_;
  std::vector<std::string> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

// The deepest nesting of YAML flow collections ([ and {) outside quotes:
// yaml-cpp parses them recursively, so hostile depth must be refused first.
int FlowDepth(std::string_view text) {
  int depth = 0, deepest = 0;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == '\n') {
      quote = 0;
    }
  }
  return deepest;
}

}  // namespace

absl::StatusOr<rules::Rule> ImportSigmaRule(std::string_view text, const std::string& origin) {
  if (FlowDepth(text) > 32)
    return absl::InvalidArgumentError(Cat(origin, ": YAML nested deeper than 32 levels"));
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(Cat(origin, ":", e.mark.line + 1, ":", e.mark.column + 1,
                                          ": ", e.msg));
  }
  if (!doc.IsMap()) return absl::InvalidArgumentError(Cat(origin, ": not a Sigma rule"));
  try {
    for (const char* key : {"title", "id", "logsource", "detection"})
      if (!doc[key]) return Refuse(origin, doc, Cat("missing \"", key, "\""));
    YAML::Node ls = doc["logsource"];
    std::string product = ls["product"] ? ls["product"].as<std::string>() : "";
    std::string category = ls["category"] ? ls["category"].as<std::string>() : "";
    if (product != "windows" || (category != "dns_query" && category != "network_connection"))
      return Refuse(origin, ls, Cat("logsource ", product.empty() ? "?" : product, "/",
                                    category.empty() ? "?" : category,
                                    " is not supported: windows/dns_query or "
                                    "windows/network_connection only"));
    YAML::Node detection = doc["detection"];
    if (!detection.IsMap() || !detection["condition"])
      return Refuse(origin, detection, "detection needs a condition");
    YAML::Node cond = detection["condition"];
    if (cond.IsSequence()) {
      if (cond.size() != 1) return Refuse(origin, cond, "several conditions are not supported");
      cond = cond[0];
    }
    Converter conv(origin, detection);
    ConditionParser parser(&conv, cond, cond.as<std::string>());
    auto condition = parser.Parse();
    if (!condition.ok()) return condition.status();

    rules::Rule r;
    r.id = doc["id"].as<std::string>();
    r.name = doc["title"].as<std::string>();
    r.version = doc["modified"] ? doc["modified"].as<std::string>()
                                : (doc["date"] ? doc["date"].as<std::string>() : "");
    r.description = Cat("SigmaHQ rule \"", r.name, "\" (", r.id, "), ", category,
                        " events, converted by c2sieve import sigma.");
    if (doc["author"]) r.author = {doc["author"].as<std::string>()};
    r.license = "Detection Rule License 1.1";
    std::string level = doc["level"] ? doc["level"].as<std::string>() : "medium";
    static const std::map<std::string, std::pair<std::string, double>> levels = {
        {"informational", {"low", 21}}, {"low", {"low", 21}}, {"medium", {"medium", 47}},
        {"high", {"high", 73}}, {"critical", {"critical", 99}}};
    auto lv = levels.find(level);
    if (lv == levels.end()) return Refuse(origin, doc["level"], Cat("unknown level ", level));
    r.severity = lv->second.first;
    r.risk_score = lv->second.second;
    if (doc["references"] && doc["references"].IsSequence())
      for (const auto& ref : doc["references"]) r.references.push_back(ref.as<std::string>());
    // ATT&CK: one threat entry per tactic, each with every technique named.
    std::vector<rules::ThreatTechnique> techniques;
    std::vector<std::pair<std::string, std::string>> tactics;
    if (doc["tags"] && doc["tags"].IsSequence()) {
      for (const auto& t : doc["tags"]) {
        std::string tag = Lower(t.as<std::string>());
        if (tag.rfind("attack.", 0) != 0) continue;
        std::string rest = tag.substr(7);
        if (rest.size() > 1 && rest[0] == 't' && std::isdigit(static_cast<unsigned char>(rest[1]))) {
          std::string id = "T" + rest.substr(1);
          for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          size_t dot = id.find('.');
          std::string base = id.substr(0, dot);
          auto name = Techniques().find(base);
          std::string url = "https://attack.mitre.org/techniques/" + base + "/" +
                            (dot == std::string::npos ? "" : id.substr(dot + 1) + "/");
          if (dot == std::string::npos) {
            techniques.push_back({{id, name != Techniques().end() ? name->second : id, url}, {}});
          } else {
            // A sub-technique: under its technique.
            auto parent = std::find_if(techniques.begin(), techniques.end(),
                                       [&](const auto& x) { return x.technique.id == base; });
            if (parent == techniques.end()) {
              techniques.push_back({{base, name != Techniques().end() ? name->second : base,
                                     "https://attack.mitre.org/techniques/" + base + "/"},
                                    {}});
              parent = techniques.end() - 1;
            }
            auto sub_name = Techniques().find(id);
            parent->subtechniques.push_back(
                {id, sub_name != Techniques().end() ? sub_name->second : id, url});
          }
        } else if (auto tac = Tactics().find(rest); tac != Tactics().end()) {
          if (std::find(tactics.begin(), tactics.end(), tac->second) == tactics.end())
            tactics.push_back(tac->second);
        }
      }
    }
    for (size_t i = 0; i < tactics.size(); ++i) {
      rules::Threat th;
      th.framework = "MITRE ATT&CK";
      th.tactic = {tactics[i].first, tactics[i].second,
                   "https://attack.mitre.org/tactics/" + tactics[i].first + "/"};
      if (i == 0) th.techniques = techniques;  // techniques once, under the first tactic
      r.threat.push_back(std::move(th));
    }
    r.tags = {"c2sieve: sigma: " + Lower(r.name)};

    Node cat;
    cat.kind = NodeKind::kEquals;
    cat.field = "event.category";
    cat.values = {"network"};
    cat.comment = "logsource windows/" + category;
    Node os;
    os.kind = NodeKind::kEquals;
    os.field = "host.os.type";
    os.values = {"windows"};
    r.query.kind = NodeKind::kAll;
    r.query.children.push_back(std::move(cat));
    r.query.children.push_back(std::move(os));
    JoinInto(NodeKind::kAll, std::move(*condition), &r.query);
    return r;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(Cat(origin, ":", e.mark.line + 1, ":", e.mark.column + 1,
                                          ": ", e.msg));
  }
}

}  // namespace c2s::import
