#include "import/kibana_exceptions.h"

#include <chrono>
#include <ctime>

#include "import/ruleset_writer.h"
#include "rules/exclusions_loader.h"
#include "rules/json_reader.h"
#include "util/json_text.h"
#include "util/strings.h"

namespace c2s::import {

namespace {

using Json = nlohmann::json;

// A member as text, or `fallback` when it is missing or not a string: an
// export edited by hand must give a clear report, not an exception.
std::string Str(const Json& j, const char* key, const char* fallback = "") {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string(fallback);
}

int64_t Count(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

struct Conversion {
  OrderedJson condition;  // one predicate (or a not of one)
  std::string problem;    // non-empty: cannot be converted
};

// Kibana wildcard values escape with backslashes: \\ is a backslash, \* and
// \? are literal. c2sieve wildcards (EQL's) read backslashes literally and
// cannot say a literal * or ?.
bool UnescapeWildcard(const std::string& in, std::string* out, std::string* problem) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\' || i + 1 >= in.size()) {
      *out += in[i];
      continue;
    }
    char next = in[i + 1];
    if (next == '\\') {
      *out += '\\';
      ++i;
    } else if (next == '*' || next == '?') {
      *problem = Cat("the wildcard \"", in, "\" holds an escaped ", std::string(1, next),
                     ", which c2sieve patterns cannot express");
      return false;
    } else {
      *out += '\\';  // a lone backslash stands for itself
    }
  }
  return true;
}

// ISO 8601 UTC ("2026-12-31T00:00:00.000Z") -> unix ms; -1 if unreadable.
int64_t ParseTime(const std::string& s) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

Conversion ConvertEntry(const Json& e, const std::string& prefix, const ExceptionsOptions& opts,
                        std::vector<std::string>* notes) {
  Conversion c;
  std::string type = Str(e, "type", "");
  std::string field = prefix + Str(e, "field", "");
  std::string op = Str(e, "operator", "included");
  if (type != "nested" && opts.known_field && !opts.known_field(field)) {
    c.problem = Cat("field ", field, " is not one the engine reads, so the entry could never hold");
    return c;
  }
  OrderedJson pred = OrderedJson::object();
  pred["field"] = field;
  if (type == "match" && e.contains("value") && e["value"].is_string() &&
      (e["value"] == "true" || e["value"] == "false")) {
    // "is true" on a boolean field: a term query that matches the boolean
    // (and the keyword "true"), which is what c2sieve's `is` does.
    pred["is"] = e["value"] == "true";
  } else if (type == "match" || type == "match_any") {
    OrderedJson values = OrderedJson::array();
    if (type == "match" && e.contains("value") && e["value"].is_string()) {
      values.push_back(e["value"].get<std::string>());
    } else if (type == "match_any" && e.contains("value") && e["value"].is_array()) {
      for (const auto& v : e["value"]) {
        if (!v.is_string()) {
          c.problem = Cat("a match_any value on ", field, " is not a string");
          return c;
        }
        values.push_back(v.get<std::string>());
      }
    } else {
      c.problem = Cat("the ", type, " entry on ", field, " has no usable value");
      return c;
    }
    pred["equals"] = values;
  } else if (type == "wildcard") {
    if (!e.contains("value") || !e["value"].is_string()) {
      c.problem = Cat("the wildcard entry on ", field, " has no value");
      return c;
    }
    std::string pattern;
    if (!UnescapeWildcard(e["value"].get<std::string>(), &pattern, &c.problem)) return c;
    pred["wildcard"] = OrderedJson::array({pattern});
    notes->push_back(Cat("the wildcard on ", field,
                         " ignores case here (EQL's `:`); Kibana runs it as an Elasticsearch "
                         "wildcard query, case-sensitive on keyword fields"));
  } else if (type == "exists") {
    pred["exists"] = true;
  } else if (type == "list") {
    std::string id = e.contains("list") ? Str(e["list"], "id", "?") : "?";
    c.problem = Cat("the entry on ", field, " uses value list \"", id,
                    "\", which is stored in Elasticsearch: export its values and write them "
                    "as a list instead");
    return c;
  } else {
    c.problem = Cat("entry type \"", type, "\" on ", field, " is not known");
    return c;
  }
  if (op == "excluded") {
    c.condition = OrderedJson{{"not", pred}};
  } else if (op == "included") {
    c.condition = pred;
  } else {
    c.problem = Cat("operator \"", op, "\" on ", field, " is not known");
  }
  return c;
}

}  // namespace

absl::StatusOr<std::string> ConvertKibanaExceptions(std::string_view ndjson,
                                                    const std::string& origin,
                                                    const ExceptionsOptions& opts,
                                                    ExceptionsReport* report) {
  OrderedJson exclusions = OrderedJson::array();
  std::vector<std::string> list_names;
  size_t line_no = 0, pos = 0;
  while (pos < ndjson.size()) {
    size_t nl = ndjson.find('\n', pos);
    if (nl == std::string_view::npos) nl = ndjson.size();
    std::string_view line = ndjson.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Json doc = Json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      return absl::InvalidArgumentError(Cat(origin, ":", line_no, ": not a JSON object"));
    if (std::string dup = json_text::DuplicateKeyPointer(line); !dup.empty())
      return absl::InvalidArgumentError(Cat(origin, ":", line_no, " ", dup,
                                            ": duplicate key (each key may appear once)"));
    if (doc.contains("exported_exception_list_count")) {
      if (Count(doc, "missing_exception_list_item_count") > 0 ||
          Count(doc, "missing_exception_list_count") > 0)
        report->warnings.push_back(Cat(origin, ":", line_no,
                                       ": Kibana reports items or lists missing from this export"));
      continue;
    }
    if (!doc.contains("entries")) {  // a list
      ++report->lists;
      list_names.push_back(Cat(Str(doc, "name", "?"), " (", Str(doc, "list_id", "?"), ")"));
      continue;
    }
    ++report->items;
    std::string name = Str(doc, "name", "");
    std::string label = Cat("item \"", name, "\" (", Str(doc, "item_id", "?"), ", line ", line_no, ")");
    if (name.empty()) {
      report->not_converted.push_back(Cat(label, ": has no name to give as its reason"));
      continue;
    }
    if (doc.contains("expire_time") && doc["expire_time"].is_string()) {
      int64_t expires = ParseTime(doc["expire_time"].get<std::string>());
      if (expires >= 0 && expires < opts.now_unix_ms) {
        report->not_converted.push_back(Cat(label, ": expired at ", doc["expire_time"].get<std::string>()));
        continue;
      }
      report->warnings.push_back(Cat(label, ": expires at ", doc["expire_time"].get<std::string>(),
                                     "; c2sieve does not expire exclusions, remove it then"));
    }
    const Json& entries = doc["entries"];
    if (!entries.is_array() || entries.empty()) {
      report->not_converted.push_back(Cat(label, ": has no entries"));
      continue;
    }
    OrderedJson all = OrderedJson::array();
    std::string problem;
    std::vector<std::string> notes;
    for (const auto& e : entries) {
      if (!e.is_object()) {
        problem = "an entry is not an object";
        break;
      }
      if (Str(e, "type", "") == "nested") {
        std::string parent = Str(e, "field", "");
        if (!e.contains("entries") || !e["entries"].is_array()) {
          problem = Cat("the nested entry on ", parent, " has no entries");
          break;
        }
        notes.push_back(Cat("the nested entries under ", parent,
                            " are no longer required to hold in the same object"));
        for (const auto& sub : e["entries"]) {
          Conversion c = ConvertEntry(sub, parent + ".", opts, &notes);
          if (!c.problem.empty()) {
            problem = c.problem;
            break;
          }
          all.push_back(std::move(c.condition));
        }
        if (!problem.empty()) break;
        continue;
      }
      Conversion c = ConvertEntry(e, "", opts, &notes);
      if (!c.problem.empty()) {
        problem = c.problem;
        break;
      }
      all.push_back(std::move(c.condition));
    }
    if (!problem.empty()) {
      report->not_converted.push_back(Cat(label, ": ", problem));
      continue;
    }
    if (doc.contains("os_types") && doc["os_types"].is_array() && !doc["os_types"].empty()) {
      OrderedJson os = OrderedJson::array();
      for (const auto& o : doc["os_types"])
        if (o.is_string()) os.push_back(o.get<std::string>());
      all.push_back({{"field", "host.os.type"}, {"equals", os}});
    }
    OrderedJson when = all.size() == 1 ? all[0] : OrderedJson{{"all", all}};
    // Kibana applies such an item to Elastic's rule as it is; c2sieve
    // refuses an entry without a narrow anchor unless it says so, so the
    // breadth is made explicit for review (and logged at every load).
    bool anchored = false;
    {
      std::string text = when.dump();
      rules::LoadContext ctx(label, text);
      rules::Node node;
      if (rules::ReadNode(ctx, rules::Json::parse(text), "", &node).ok())
        anchored = rules::HasNarrowAnchor(node);
    }
    if (!anchored)
      notes.push_back("it pins no narrow anchor (an exact domain, executable file name, process "
                      "name, user id, or a trusted signer): converted with \"allow_catch_all\": "
                      "true; review it, it may blind the rule");
    for (const auto& n : notes) report->warnings.push_back(Cat(label, ": ", n));
    OrderedJson x = OrderedJson::object();
    std::string reason = name;
    if (doc.contains("description") && doc["description"].is_string() &&
        !doc["description"].get<std::string>().empty() && doc["description"].get<std::string>() != name)
      reason += " -- " + doc["description"].get<std::string>();
    x["reason"] = reason;
    if (!opts.rule_ids.empty()) x["rules"] = opts.rule_ids;
    x["when"] = std::move(when);
    if (!anchored) x["allow_catch_all"] = true;
    exclusions.push_back(std::move(x));
    ++report->converted;
  }
  OrderedJson out = OrderedJson::object();
  out["format"] = "c2sieve.exclusions/1";
  std::string lists;
  for (const auto& l : list_names) lists += (lists.empty() ? "" : ", ") + l;
  out["comment"] = Cat("Converted by c2sieve import exceptions from ", origin,
                       lists.empty() ? "" : Cat(" (Kibana exception list ", lists, ")"),
                       ". Review before pushing.");
  out["exclusions"] = std::move(exclusions);
  return out.dump(2) + "\n";
}

}  // namespace c2s::import
