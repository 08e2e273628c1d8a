#include "enrich/enrichment.h"

#include <algorithm>
#include <cstdlib>

#include "util/strings.h"
#include "enrich/splice.h"
#include "util/version.h"
#include "util/json_text.h"

namespace c2s::enrich {

namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  json_text::AppendQuoted(out, s);
  return out;
}

std::string Number(double v) {
  if (v == static_cast<double>(static_cast<long long>(v)))
    return Cat(static_cast<long long>(v));
  return Cat(v);
}

void AddLeaf(std::vector<Leaf>* out, std::string path, Merge merge,
             std::vector<std::string> values) {
  if (values.empty()) return;
  out->push_back(Leaf{std::move(path), merge, std::move(values)});
}

std::vector<std::string> QuotedAll(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    std::string q = Quoted(s);
    if (std::find(out.begin(), out.end(), q) == out.end())
      out.push_back(std::move(q));
  }
  return out;
}

std::vector<Leaf> LeavesOf(const rules::Rule& r) {
  std::vector<Leaf> l;
  AddLeaf(&l, "rule.id", Merge::kScalar, {Quoted(r.id)});
  AddLeaf(&l, "rule.uuid", Merge::kScalar, {Quoted(r.id)});
  AddLeaf(&l, "rule.name", Merge::kScalar, {Quoted(r.name)});
  if (!r.version.empty())
    AddLeaf(&l, "rule.version", Merge::kScalar, {Quoted(r.version)});
  AddLeaf(&l, "rule.ruleset", Merge::kScalar, {Quoted(r.ruleset)});
  if (!r.description.empty())
    AddLeaf(&l, "rule.description", Merge::kScalar, {Quoted(r.description)});
  AddLeaf(&l, "rule.author", Merge::kList, QuotedAll(r.author));
  if (!r.license.empty())
    AddLeaf(&l, "rule.license", Merge::kScalar, {Quoted(r.license)});
  AddLeaf(&l, "rule.reference", Merge::kList, QuotedAll(r.references));

  std::vector<std::string> framework, tactic_id, tactic_name, tactic_ref,
      tech_id, tech_name, tech_ref, sub_id, sub_name, sub_ref;
  for (const auto& t : r.threat) {
    framework.push_back(t.framework);
    tactic_id.push_back(t.tactic.id);
    tactic_name.push_back(t.tactic.name);
    if (!t.tactic.reference.empty()) tactic_ref.push_back(t.tactic.reference);
    for (const auto& te : t.techniques) {
      tech_id.push_back(te.technique.id);
      tech_name.push_back(te.technique.name);
      if (!te.technique.reference.empty())
        tech_ref.push_back(te.technique.reference);
      for (const auto& s : te.subtechniques) {
        sub_id.push_back(s.id);
        sub_name.push_back(s.name);
        if (!s.reference.empty()) sub_ref.push_back(s.reference);
      }
    }
  }
  AddLeaf(&l, "threat.framework", Merge::kScalar, QuotedAll(framework));
  AddLeaf(&l, "threat.tactic.id", Merge::kList, QuotedAll(tactic_id));
  AddLeaf(&l, "threat.tactic.name", Merge::kList, QuotedAll(tactic_name));
  AddLeaf(&l, "threat.tactic.reference", Merge::kList, QuotedAll(tactic_ref));
  AddLeaf(&l, "threat.technique.id", Merge::kList, QuotedAll(tech_id));
  AddLeaf(&l, "threat.technique.name", Merge::kList, QuotedAll(tech_name));
  AddLeaf(&l, "threat.technique.reference", Merge::kList, QuotedAll(tech_ref));
  AddLeaf(&l, "threat.technique.subtechnique.id", Merge::kList,
          QuotedAll(sub_id));
  AddLeaf(&l, "threat.technique.subtechnique.name", Merge::kList,
          QuotedAll(sub_name));
  AddLeaf(&l, "threat.technique.subtechnique.reference", Merge::kList,
          QuotedAll(sub_ref));
  AddLeaf(&l, "event.risk_score", Merge::kMax, {Number(r.risk_score)});
  AddLeaf(&l, "event.severity", Merge::kMax,
          {Number(SeverityNumber(r.severity))});
  AddLeaf(&l, "tags", Merge::kAppendTags, QuotedAll(r.tags));
  return l;
}

// One ECS threat.enrichments entry, as Elastic's indicator match rules
// write it: the indicator's own fields, what in the event matched it, and
// the feed (here: the rule) it came from. The source's labels stay in the
// ruleset: ECS has no field for them, and hosts take no arrays inside an
// enrichment value.
std::string IndicatorEnrichment(const rules::Rule& rule, const rules::Indicator& item,
                                std::string_view field, std::string_view atomic) {
  const rules::IndicatorSet& set = *rule.indicators;
  const rules::IndicatorMeta& m = set.meta(item);
  std::string o = "{\"feed\":{\"name\":";
  json_text::AppendQuoted(o, rule.name);
  o += "},\"indicator\":{\"type\":";
  json_text::AppendQuoted(o, set.type);
  auto add = [&](std::string_view key, const std::string& value) {
    if (value.empty()) return;
    o += ",\"";
    o += key;
    o += "\":";
    json_text::AppendQuoted(o, value);
  };
  add("provider", set.provider);
  add("reference", m.reference.empty() ? set.reference : m.reference);
  add("name", m.name);
  add("description", m.description);
  add("confidence", m.confidence);
  add("first_seen", m.first_seen);
  add("last_seen", m.last_seen);
  add("modified_at", m.modified_at);
  o += ",\"url\":{\"domain\":";
  json_text::AppendQuoted(o, item.value);
  o += "}},\"matched\":{\"atomic\":";
  json_text::AppendQuoted(o, atomic);
  o += ",\"field\":";
  json_text::AppendQuoted(o, field);
  add("id", m.id);
  o += ",\"type\":\"indicator_match_rule\"}}";
  return o;
}

}  // namespace

int SeverityNumber(std::string_view label) {
  // Elastic's default mapping of severity to risk: 21 / 47 / 73 / 99.
  if (label == "critical") return 99;
  if (label == "high") return 73;
  if (label == "medium") return 47;
  return 21;
}

RuleEnrichments::RuleEnrichments(const engine::CompiledMatcher& matcher,
                                 bool building_blocks_as_tags,
                                 const std::vector<std::string>& extra_tags) {
  for (const auto& cr : matcher.rules()) {
    rules::Rule rule = cr.rule;
    rule.tags.insert(rule.tags.end(), extra_tags.begin(), extra_tags.end());
    if (building_blocks_as_tags && !rule.building_block_type.empty()) {
      std::vector<Leaf> tags_only;
      AddLeaf(&tags_only, "tags", Merge::kAppendTags, QuotedAll(rule.tags));
      per_rule_.push_back(std::move(tags_only));
    } else {
      per_rule_.push_back(LeavesOf(rule));
    }
  }
}

void Enrichment::AddValue(std::string_view path, Merge merge, std::string raw) {
  Leaf* leaf = nullptr;
  for (Leaf& l : owned_)
    if (l.path == path) leaf = &l;
  if (leaf == nullptr) {
    owned_.push_back(Leaf{std::string(path), merge, {}});
    leaf = &owned_.back();
  }
  if (leaf->merge == Merge::kMax && !leaf->values.empty()) {
    if (std::strtod(raw.c_str(), nullptr) >
        std::strtod(leaf->values[0].c_str(), nullptr))
      leaf->values[0] = std::move(raw);
    return;
  }
  if (std::find(leaf->values.begin(), leaf->values.end(), raw) ==
      leaf->values.end())
    leaf->values.push_back(std::move(raw));
}

void Enrichment::Build(const RuleEnrichments& rules,
                       const engine::CompiledMatcher& m,
                       const std::vector<engine::RuleMatch>& matches,
                       const std::vector<engine::PatternHit>& hits,
                       std::string_view profile) {
  Clear();
  if (matches.size() > 1) {
    for (const auto& rm : matches)
      for (const Leaf& l : rules.leaves(rm.rule))
        for (const std::string& v : l.values) AddValue(l.path, l.merge, v);
  }
  for (const auto& h : hits) {
    const auto& rule = m.rules()[h.rule].rule;
    std::string o = "{\"rule_id\":";
    json_text::AppendQuoted(o, rule.id);
    o += ",\"field\":";
    json_text::AppendQuoted(o, m.fields().name(h.slot));
    o += ",\"pattern\":";
    json_text::AppendQuoted(o, m.field_patterns()[h.slot].patterns[h.pattern]);
    o += ",\"value\":";
    json_text::AppendQuoted(o, h.value);
    if (!rule.building_block_type.empty()) o += ",\"building_block\":true";
    o += '}';
    AddValue("c2sieve.matches", Merge::kList, std::move(o));
    // A feed rule's hit on its indicators' field names the indicator.
    if (rule.indicators && m.fields().name(h.slot) == rule.indicators->field) {
      const std::string& pattern = m.field_patterns()[h.slot].patterns[h.pattern];
      if (const rules::Indicator* item = rule.indicators->Find(pattern))
        AddValue("threat.enrichments", Merge::kList,
                 IndicatorEnrichment(rule, *item, m.fields().name(h.slot), h.value));
    }
  }
  AddVersionAndProfile(profile);
  // owned_ is complete: pointers into it stay valid from here on.
  if (matches.size() == 1)
    for (const Leaf& l : rules.leaves(matches[0].rule)) view_.push_back(&l);
  rule_leaves_ = view_.size();
  for (const Leaf& l : owned_) view_.push_back(&l);
}

void Enrichment::BuildExcluded(const engine::CompiledMatcher& m,
                               const std::vector<uint32_t>& rules,
                               std::string_view profile) {
  Clear();
  for (uint32_t r : rules) {
    std::string quoted;
    json_text::AppendQuoted(quoted, m.rules()[r].rule.id);
    AddValue("c2sieve.excluded.rule_id", Merge::kList, std::move(quoted));
  }
  AddVersionAndProfile(profile);
  for (const Leaf& l : owned_) view_.push_back(&l);
}

void Enrichment::AddVersionAndProfile(std::string_view profile) {
  static const std::string* const kQuotedVersion =
      new std::string(Cat("\"", LibraryVersion(), "\""));
  AddValue("c2sieve.version", Merge::kScalar, *kQuotedVersion);
  if (!profile.empty()) {
    std::string quoted;
    json_text::AppendQuoted(quoted, profile);
    AddValue("c2sieve.profile", Merge::kScalar, std::move(quoted));
  }
}

void RenderLeafValue(const Leaf& leaf, std::string* out) {
  bool array = leaf.merge == Merge::kList || leaf.merge == Merge::kAppendTags ||
               (leaf.merge == Merge::kScalar && leaf.values.size() > 1);
  if (!array) {
    *out += leaf.values.empty() ? "null" : leaf.values[0];
    return;
  }
  *out += '[';
  for (size_t i = 0; i < leaf.values.size(); ++i) {
    if (i) *out += ',';
    *out += leaf.values[i];
  }
  *out += ']';
}

void Enrichment::RenderObject(std::string* out) const {
  SpliceInto("{}", view_, out);
}

}  // namespace c2s::enrich
