#include "rules/ruleset_loader.h"

#include "util/strings.h"
#include "rules/builtin_rulesets.h"
#include "rules/indicators.h"
#include "rules/json_reader.h"

namespace c2s::rules {

namespace {

constexpr std::string_view kFormat = "c2sieve.ruleset/1";

absl::Status ReadThreatItem(const LoadContext& ctx, const Json& v,
                            const std::string& ptr, ThreatItem* out) {
  if (!v.is_object()) return ctx.Fail(ptr, "must be an object");
  if (auto st = CheckKeys(ctx, v, ptr,
                          {"id", "name", "reference", "subtechniques"});
      !st.ok())
    return st;
  if (auto st = ReadString(ctx, v, ptr, "id", true, &out->id); !st.ok())
    return st;
  if (auto st = ReadString(ctx, v, ptr, "name", true, &out->name); !st.ok())
    return st;
  return ReadString(ctx, v, ptr, "reference", false, &out->reference);
}

absl::Status ReadThreat(const LoadContext& ctx, const Json& v,
                        const std::string& ptr, Threat* out) {
  if (!v.is_object()) return ctx.Fail(ptr, "must be an object");
  if (auto st = CheckKeys(ctx, v, ptr, {"framework", "tactic", "techniques"});
      !st.ok())
    return st;
  if (auto st = ReadString(ctx, v, ptr, "framework", true, &out->framework);
      !st.ok())
    return st;
  if (!v.contains("tactic"))
    return ctx.Fail(ptr, "missing required \"tactic\"");
  if (auto st = ReadThreatItem(ctx, v["tactic"], ChildPointer(ptr, "tactic"),
                               &out->tactic);
      !st.ok())
    return st;
  if (auto it = v.find("techniques"); it != v.end()) {
    std::string tp = ChildPointer(ptr, "techniques");
    if (!it->is_array()) return ctx.Fail(tp, "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      std::string ip = ChildPointer(tp, i);
      ThreatTechnique t;
      if (auto st = ReadThreatItem(ctx, (*it)[i], ip, &t.technique); !st.ok())
        return st;
      if (auto s = (*it)[i].find("subtechniques"); s != (*it)[i].end()) {
        std::string sp = ChildPointer(ip, "subtechniques");
        if (!s->is_array()) return ctx.Fail(sp, "must be an array");
        for (size_t k = 0; k < s->size(); ++k) {
          ThreatItem sub;
          std::string kp = ChildPointer(sp, k);
          if ((*s)[k].contains("subtechniques"))
            return ctx.Fail(kp, "subtechniques do not nest");
          if (auto st = ReadThreatItem(ctx, (*s)[k], kp, &sub); !st.ok())
            return st;
          t.subtechniques.push_back(std::move(sub));
        }
      }
      out->techniques.push_back(std::move(t));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadOptionalStrings(const LoadContext& ctx, const Json& obj,
                                 const std::string& ptr, std::string_view key,
                                 std::vector<std::string>* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return absl::OkStatus();
  return ReadStringList(ctx, *it, ChildPointer(ptr, key), out);
}

absl::Status ReadRule(const LoadContext& ctx, const Json& v,
                      const std::string& ptr, Rule* out) {
  if (!v.is_object()) return ctx.Fail(ptr, "a rule must be an object");
  if (auto st = CheckKeys(ctx, v, ptr,
                          {"id", "name", "version", "description", "author",
                           "license", "risk_score", "severity", "references",
                           "threat", "tags", "building_block_type", "query",
                           "indicators", "comment"});
      !st.ok())
    return st;
  for (auto [key, dst, required] :
       {std::tuple{"id", &out->id, true}, {"name", &out->name, true},
        {"version", &out->version, false},
        {"description", &out->description, false},
        {"license", &out->license, false},
        {"building_block_type", &out->building_block_type, false}}) {
    if (auto st = ReadString(ctx, v, ptr, key, required, dst); !st.ok())
      return st;
  }
  if (auto it = v.find("risk_score"); it != v.end()) {
    if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 100)
      return ctx.Fail(ChildPointer(ptr, "risk_score"),
                      "must be a number from 0 to 100");
    out->risk_score = it->get<double>();
  }
  out->severity = "low";
  if (auto st = ReadString(ctx, v, ptr, "severity", false, &out->severity);
      !st.ok())
    return st;
  if (out->severity != "low" && out->severity != "medium" &&
      out->severity != "high" && out->severity != "critical")
    return ctx.Fail(ChildPointer(ptr, "severity"),
                    "must be one of low, medium, high, critical");
  for (auto [key, dst] : {std::pair{"author", &out->author},
                          {"references", &out->references},
                          {"tags", &out->tags}}) {
    if (auto st = ReadOptionalStrings(ctx, v, ptr, key, dst); !st.ok())
      return st;
  }
  if (auto it = v.find("threat"); it != v.end()) {
    std::string tp = ChildPointer(ptr, "threat");
    if (!it->is_array()) return ctx.Fail(tp, "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      Threat t;
      if (auto st = ReadThreat(ctx, (*it)[i], ChildPointer(tp, i), &t);
          !st.ok())
        return st;
      out->threat.push_back(std::move(t));
    }
  }
  // A feed's rule may have indicators and no query of its own (its query
  // is then "always", and the indicators' clause decides).
  if (auto it = v.find("indicators"); it != v.end()) {
    auto set = std::make_shared<IndicatorSet>();
    if (auto st = ReadIndicators(ctx, *it, ChildPointer(ptr, "indicators"), set.get()); !st.ok())
      return st;
    out->indicators = std::move(set);
    if (!v.contains("query")) {
      out->query.where = ctx.Where(ChildPointer(ptr, "indicators"));  // for messages
      return absl::OkStatus();
    }
  }
  if (!v.contains("query"))
    return ctx.Fail(ptr, "missing required \"query\" (or \"indicators\")");
  return ReadNode(ctx, v["query"], ChildPointer(ptr, "query"), &out->query);
}

}  // namespace

absl::StatusOr<Ruleset> ParseRuleset(std::string_view text,
                                     const std::string& origin) {
  LoadContext ctx(origin, text);
  Json doc;
  if (auto st = ParseDocument(ctx, text, kFormat,
                              {"$schema", "format", "name", "source", "rules",
                               "comment"},
                              &doc);
      !st.ok())
    return st;
  Ruleset rs;
  rs.origin = origin;
  if (auto st = ReadString(ctx, doc, "", "name", true, &rs.name); !st.ok())
    return st;
  if (!doc.contains("rules")) return ctx.Fail("", "missing required \"rules\"");
  const Json& rules = doc["rules"];
  if (!rules.is_array() || rules.empty())
    return ctx.Fail("/rules", "must be a non-empty array of rules");
  for (size_t i = 0; i < rules.size(); ++i) {
    Rule r;
    if (auto st = ReadRule(ctx, rules[i], ChildPointer("/rules", i), &r);
        !st.ok())
      return st;
    r.ruleset = rs.name;
    for (const Rule& seen : rs.rules) {
      if (seen.id == r.id)
        return ctx.Fail(ChildPointer(ChildPointer("/rules", i), "id"),
                        Cat("duplicate rule id ", r.id));
    }
    rs.rules.push_back(std::move(r));
  }
  return rs;
}

absl::StatusOr<Ruleset> LoadRulesetFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseRuleset(*text, path);
}

absl::StatusOr<Ruleset> BuiltinRuleset() {
  return ParseRuleset(kBuiltinElasticRuleset, kBuiltinElasticRulesetName);
}

absl::StatusOr<Ruleset> BuiltinLinuxRuleset() {
  return ParseRuleset(kBuiltinLinuxRuleset, kBuiltinLinuxRulesetName);
}

absl::StatusOr<std::vector<Ruleset>> BuiltinRulesets() {
  std::vector<Ruleset> all;
  for (auto load : {&BuiltinRuleset, &BuiltinLinuxRuleset}) {
    auto rs = load();
    if (!rs.ok()) return rs.status();
    all.push_back(std::move(*rs));
  }
  return all;
}

}  // namespace c2s::rules
