#include "import/ruleset_writer.h"

namespace c2s::import {

OrderedJson NodeToJson(const rules::Node& n) {
  OrderedJson j = OrderedJson::object();
  if (!n.comment.empty()) j["comment"] = n.comment;
  switch (n.kind) {
    case rules::NodeKind::kAll:
    case rules::NodeKind::kAny: {
      OrderedJson children = OrderedJson::array();
      for (const auto& c : n.children) children.push_back(NodeToJson(c));
      j[n.kind == rules::NodeKind::kAll ? "all" : "any"] = std::move(children);
      break;
    }
    case rules::NodeKind::kNot:
      j["not"] = NodeToJson(n.children.at(0));
      break;
    case rules::NodeKind::kWildcard:
      j["field"] = n.field;
      j["wildcard"] = n.values;
      if (n.case_sensitive) j["case_sensitive"] = true;
      break;
    case rules::NodeKind::kEquals:
      j["field"] = n.field;
      j["equals"] = n.values;
      if (n.case_insensitive) j["case_insensitive"] = true;
      break;
    case rules::NodeKind::kExists:
      j["field"] = n.field;
      j["exists"] = true;
      break;
    case rules::NodeKind::kIsTrue:
    case rules::NodeKind::kIsFalse:
      j["field"] = n.field;
      j["is"] = n.kind == rules::NodeKind::kIsTrue;
      break;
  }
  return j;
}

OrderedJson IndicatorsToJson(const rules::IndicatorSet& set) {
  OrderedJson j = OrderedJson::object();
  j["field"] = set.field;
  j["type"] = set.type;
  if (!set.provider.empty()) j["provider"] = set.provider;
  if (!set.reference.empty()) j["reference"] = set.reference;
  OrderedJson items = OrderedJson::array();
  for (const auto& i : set.items) {
    if (i.meta == 0) {  // a bare name: a plain list stays a plain list
      items.push_back(i.value);
      continue;
    }
    const rules::IndicatorMeta& m = set.meta(i);
    OrderedJson item = OrderedJson::object();
    item["value"] = i.value;
    for (auto [key, value] :
         {std::pair{"id", &m.id}, {"name", &m.name}, {"description", &m.description},
          {"confidence", &m.confidence}, {"first_seen", &m.first_seen},
          {"last_seen", &m.last_seen}, {"modified_at", &m.modified_at},
          {"valid_from", &m.valid_from}, {"valid_until", &m.valid_until},
          {"reference", &m.reference}})
      if (!value->empty()) item[key] = *value;
    if (!m.labels.empty()) item["labels"] = m.labels;
    items.push_back(std::move(item));
  }
  j["items"] = std::move(items);
  return j;
}

OrderedJson RuleToJson(const rules::Rule& r) {
  OrderedJson j = OrderedJson::object();
  j["id"] = r.id;
  j["name"] = r.name;
  if (!r.version.empty()) j["version"] = r.version;
  if (!r.description.empty()) j["description"] = r.description;
  if (!r.author.empty()) j["author"] = r.author;
  if (!r.license.empty()) j["license"] = r.license;
  // Risk scores are whole numbers in every rule source; keep them so.
  if (r.risk_score == static_cast<double>(static_cast<int64_t>(r.risk_score)))
    j["risk_score"] = static_cast<int64_t>(r.risk_score);
  else
    j["risk_score"] = r.risk_score;
  j["severity"] = r.severity;
  if (!r.references.empty()) j["references"] = r.references;
  if (!r.threat.empty()) {
    OrderedJson threats = OrderedJson::array();
    for (const auto& t : r.threat) {
      OrderedJson tj = OrderedJson::object();
      tj["framework"] = t.framework;
      tj["tactic"] = {{"id", t.tactic.id}, {"name", t.tactic.name},
                      {"reference", t.tactic.reference}};
      OrderedJson techniques = OrderedJson::array();
      for (const auto& tech : t.techniques) {
        OrderedJson te = {{"id", tech.technique.id}, {"name", tech.technique.name},
                          {"reference", tech.technique.reference}};
        if (!tech.subtechniques.empty()) {
          OrderedJson subs = OrderedJson::array();
          for (const auto& s : tech.subtechniques)
            subs.push_back({{"id", s.id}, {"name", s.name}, {"reference", s.reference}});
          te["subtechniques"] = std::move(subs);
        }
        techniques.push_back(std::move(te));
      }
      if (!techniques.empty()) tj["techniques"] = std::move(techniques);
      threats.push_back(std::move(tj));
    }
    j["threat"] = std::move(threats);
  }
  if (!r.tags.empty()) j["tags"] = r.tags;
  if (!r.building_block_type.empty()) j["building_block_type"] = r.building_block_type;
  bool own_query = !(r.query.kind == rules::NodeKind::kAll && r.query.children.empty());
  if (!r.indicators || own_query) j["query"] = NodeToJson(r.query);
  if (r.indicators) j["indicators"] = IndicatorsToJson(*r.indicators);
  return j;
}

absl::StatusOr<std::string> RulesetDocument(const OrderedJson& header,
                                            const std::vector<rules::Rule>& rules) {
  OrderedJson doc = OrderedJson::object();
  if (header.contains("$schema")) doc["$schema"] = header["$schema"];
  doc["format"] = "c2sieve.ruleset/1";
  for (const auto& [k, v] : header.items())
    if (k != "$schema" && k != "format") doc[k] = v;
  OrderedJson list = OrderedJson::array();
  for (const auto& r : rules) list.push_back(RuleToJson(r));
  doc["rules"] = std::move(list);
  try {
    return doc.dump(2) + "\n";
  } catch (const nlohmann::json::type_error& e) {
    return absl::InvalidArgumentError(
        std::string("a name, value or pattern is not valid UTF-8 (") + e.what() + ")");
  }
}

}  // namespace c2s::import
