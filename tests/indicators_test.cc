// Threat-intelligence indicators (issue 15): the ruleset's "indicators",
// their validity windows at compile time, the STIX 2.1 and MISP importers,
// and the ECS threat.enrichments a match carries.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "import/feed.h"
#include "rules/indicators.h"
#include "rules/ruleset_loader.h"
#include "test_util.h"

namespace c2s::testing {
namespace {

std::string FeedRuleset(const std::string& items, const std::string& extra = "") {
  return R"({"format":"c2sieve.ruleset/1","name":"feed","rules":[{"id":"f1","name":"Feed one",)"
         R"("severity":"high","risk_score":73,)" +
         extra + R"("indicators":{"provider":"Example CERT","reference":"https://cert.example/feed",)"
                 R"("items":)" +
         items + "}}]}";
}

std::string LoadError(const std::string& doc) {
  auto rs = rules::ParseRuleset(doc, "feed.json");
  return rs.ok() ? "" : std::string(rs.status().message());
}

TEST(Indicators, ItemsAreCheckedAndRefusalsNameTheItem) {
  EXPECT_EQ(LoadError(FeedRuleset(R"(["evil.example","*.tunnel.example"])")), "");
  struct Case {
    const char* items;
    const char* says;
  } cases[] = {
      {R"(["Evil.example"])", "/rules/0/indicators/items/0: \"Evil.example\" is not lowercase"},
      {R"(["a?b.example"])", "/rules/0/indicators/items/0: \"a?b.example\" holds '?'"},
      {R"(["a.*.example"])", "holds '*'"},
      {R"(["evil.example."])", "has an empty label"},
      {R"(["localhost"])", "is a single label"},
      {R"(["10.1.2"])", "ends in a number, not a top-level domain"},
      {R"(["x.example","y.example","x.example"])",
       "/rules/0/indicators/items/2: \"x.example\" is listed twice (also at /rules/0/indicators/items/0)"},
      {R"([{"value":"x.example","confidence":"very"}])",
       "/rules/0/indicators/items/0/confidence: must be one of Not Specified, None, Low, Medium, High"},
      {R"([{"value":"x.example","valid_until":"tomorrow"}])",
       "/rules/0/indicators/items/0/valid_until: \"tomorrow\" is not an RFC 3339 date-time"},
      {R"([{"value":"x.example","valid_from":"2026-02-01T00:00:00Z","valid_until":"2026-01-01T00:00:00Z"}])",
       "/rules/0/indicators/items/0/valid_until: must be later than valid_from"},
      {R"([{"name":"no value"}])", "missing required \"value\""},
      {R"([{"value":"x.example","colour":"red"}])", "colour"},
      {R"([])", "/rules/0/indicators/items: must be a non-empty array"},
      {R"([42])", "an indicator is a domain name or an object"},
  };
  for (const auto& c : cases) {
    std::string err = LoadError(FeedRuleset(c.items));
    EXPECT_NE(err.find(c.says), std::string::npos) << c.items << " -> " << err;
    EXPECT_EQ(err.rfind("feed.json:", 0), 0u) << err;  // names the file and line
  }
  std::string wrong_type = R"({"format":"c2sieve.ruleset/1","name":"feed","rules":[{"id":"f1","name":"F",)"
                           R"("indicators":{"type":"ipv4-addr","items":["x.example"]}}]})";
  EXPECT_NE(LoadError(wrong_type).find("must be \"domain-name\""), std::string::npos);
  std::string neither = R"({"format":"c2sieve.ruleset/1","name":"r","rules":[{"id":"r1","name":"R"}]})";
  EXPECT_NE(LoadError(neither).find("missing required \"query\" (or \"indicators\")"), std::string::npos);
}

TEST(Indicators, OnlyIndicatorsInForceAreCompiledAndTheNextChangeIsKnown) {
  auto rs = rules::ParseRuleset(
      FeedRuleset(R"(["always.example",
        {"value":"expired.example","valid_until":"2026-01-01T00:00:00Z"},
        {"value":"current.example","valid_from":"2025-01-01T00:00:00Z","valid_until":"2026-06-01T00:00:00+02:00"},
        {"value":"future.example","valid_from":"2026-03-01T00:00:00Z"}])"),
      "feed.json");
  ASSERT_TRUE(rs.ok()) << rs.status();
  int64_t feb = *rules::ParseTimestampMs("2026-02-01T00:00:00Z");
  auto active = rules::Activate({*rs}, feb);
  ASSERT_EQ(active.rulesets.size(), 1u);
  const rules::Node& q = active.rulesets[0].rules[0].query;
  ASSERT_EQ(q.kind, rules::NodeKind::kAll);
  ASSERT_EQ(q.children.size(), 1u);
  EXPECT_EQ(q.children[0].field, "dns.question.name");
  EXPECT_EQ(q.children[0].values, (std::vector<std::string>{"always.example", "current.example"}));
  EXPECT_EQ(active.indicators_active, 2u);
  EXPECT_EQ(active.indicators_inactive, 2u);
  EXPECT_EQ(active.next_change_ms, *rules::ParseTimestampMs("2026-03-01T00:00:00Z"));
  // After the future one opens, the next change is current's end (22:00 UTC).
  auto march = rules::Activate({*rs}, *rules::ParseTimestampMs("2026-03-01T00:00:00Z"));
  EXPECT_EQ(march.rulesets[0].rules[0].query.children[0].values,
            (std::vector<std::string>{"always.example", "current.example", "future.example"}));
  EXPECT_EQ(march.next_change_ms, *rules::ParseTimestampMs("2026-05-31T22:00:00Z"));
  // A feed rule with nothing in force is left out, and said so.
  auto only_expired = rules::ParseRuleset(
      FeedRuleset(R"([{"value":"expired.example","valid_until":"2026-01-01T00:00:00Z"}])"), "feed.json");
  ASSERT_TRUE(only_expired.ok());
  auto none = rules::Activate({*only_expired}, feb);
  EXPECT_TRUE(none.rulesets.empty());
  EXPECT_EQ(none.idle_rules, (std::vector<std::string>{"f1"}));
  // A rule's own query stays a condition beside the indicators.
  auto with_query = rules::ParseRuleset(
      FeedRuleset(R"(["always.example"])", R"("query":{"field":"host.os.type","equals":["windows"]},)"),
      "feed.json");
  ASSERT_TRUE(with_query.ok()) << with_query.status();
  auto with_query_active = rules::Activate({*with_query}, feb);
  const rules::Node& wq = with_query_active.rulesets[0].rules[0].query;
  ASSERT_EQ(wq.children.size(), 2u);
  EXPECT_EQ(wq.children[0].field, "host.os.type");
  EXPECT_EQ(wq.children[1].values, (std::vector<std::string>{"always.example"}));
}

TEST(Indicators, EnginesLeaveOutWhatIsNotInForce) {
  auto rs = rules::ParseRuleset(
      FeedRuleset(R"(["always.example",{"value":"expired.example","valid_until":"2020-01-01T00:00:00Z"},
                     {"value":"future.example","valid_from":"2999-01-01T00:00:00Z"}])"),
      "feed.json");
  ASSERT_TRUE(rs.ok()) << rs.status();
  Harness h({*rs}, /*builtin=*/false);
  auto dns = [](const std::string& name) { return R"({"dns":{"question":{"name":")" + name + R"("}}})"; };
  EXPECT_TRUE(h.Matches(dns("ALWAYS.example.")));
  EXPECT_FALSE(h.Matches(dns("expired.example")));
  EXPECT_FALSE(h.Matches(dns("future.example")));
}

TEST(Indicators, AMatchCarriesEachMatchedIndicatorIntoThreatEnrichments) {
  auto rs = rules::ParseRuleset(
      FeedRuleset(R"([{"value":"a.tunnel.example","id":"indicator--1","confidence":"High",
                       "first_seen":"2026-01-02T03:04:05Z","last_seen":"2026-01-03T00:00:00Z",
                       "name":"Tunnel host","description":"d","reference":"https://cti.example/1",
                       "labels":["c2"]},
                      "*.tunnel.example","other.example"])"),
      "feed.json");
  ASSERT_TRUE(rs.ok()) << rs.status();
  Harness h({*rs}, /*builtin=*/false);
  auto r = h.Eval(R"({"dns":{"question":{"name":"A.Tunnel.Example"}},"threat":{"framework":"x"}})");
  ASSERT_EQ(r.matched_rules, 1u);
  auto out = nlohmann::json::parse(r.output);
  // The exact name and the wildcard both match; the entry names the
  // indicator the engine found first (exact names are looked up first).
  const auto& entries = out["threat"]["enrichments"];
  ASSERT_EQ(entries.size(), 1u) << out.dump();
  EXPECT_EQ(entries[0], nlohmann::json::parse(R"({
    "feed":{"name":"Feed one"},
    "indicator":{"type":"domain-name","provider":"Example CERT","reference":"https://cti.example/1",
                 "name":"Tunnel host","description":"d","confidence":"High",
                 "first_seen":"2026-01-02T03:04:05Z","last_seen":"2026-01-03T00:00:00Z",
                 "url":{"domain":"a.tunnel.example"}},
    "matched":{"atomic":"a.tunnel.example","field":"dns.question.name","id":"indicator--1",
               "type":"indicator_match_rule"}})"));
  auto w = nlohmann::json::parse(h.Eval(R"({"dns":{"question":{"name":"b.tunnel.example"}}})").output);
  ASSERT_EQ(w["threat"]["enrichments"].size(), 1u);
  EXPECT_EQ(w["threat"]["enrichments"][0], nlohmann::json::parse(R"({
    "feed":{"name":"Feed one"},
    "indicator":{"type":"domain-name","provider":"Example CERT","reference":"https://cert.example/feed",
                 "url":{"domain":"*.tunnel.example"}},
    "matched":{"atomic":"b.tunnel.example","field":"dns.question.name","type":"indicator_match_rule"}})"));
  EXPECT_EQ(out["threat"]["framework"], "x");  // the event's own threat fields stay
  EXPECT_EQ(out["rule"]["id"], "f1");
  // A rule without indicators adds no enrichment entry.
  Harness builtin;
  auto b = builtin.Eval(Event().Domain("pastebin.com"));
  ASSERT_EQ(b.matched_rules, 1u);
  EXPECT_FALSE(nlohmann::json::parse(b.output)["threat"].contains("enrichments"));
}

TEST(Indicators, ImportedFeedsWriteBackWhatTheyRead) {
  import::FeedOptions o;
  o.format = "stix";
  o.id = "stix";
  o.name = "STIX";
  std::string bundle = ReadFileOrDie(SourcePath("tests/data/import/feeds/bundle.stix.json"));
  auto feed = import::ParseFeed(bundle, "bundle.json", o);
  ASSERT_TRUE(feed.ok()) << feed.status();
  auto doc = import::FeedRuleset(*feed, o, "bundle.json");
  ASSERT_TRUE(doc.ok()) << doc.status();
  auto rs = rules::ParseRuleset(*doc, "stix.json");
  ASSERT_TRUE(rs.ok()) << rs.status();
  const rules::IndicatorSet& set = *rs->rules[0].indicators;
  EXPECT_EQ(set.provider, "Example CTI Team");  // the bundle's identity
  const rules::Indicator* stage2 = set.Find("stage2.evil-cdn.example");
  ASSERT_NE(stage2, nullptr);
  const rules::IndicatorMeta& m = set.meta(*stage2);
  EXPECT_EQ(m.id, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
  EXPECT_EQ(m.confidence, "High");  // 85
  EXPECT_EQ(m.labels, (std::vector<std::string>{"loader", "c2"}));
  EXPECT_EQ(m.reference, "https://cti.example/reports/42");
  EXPECT_EQ(m.valid_from, "2026-02-01T08:00:00Z");
  const rules::Indicator* expired = set.Find("expired.example");
  ASSERT_NE(expired, nullptr);
  EXPECT_EQ(set.meta(*expired).valid_until, "2020-06-01T00:00:00Z");
  EXPECT_EQ(feed->expired, 1u);
  EXPECT_NE(set.Find("xn--bcher-kva.example"), nullptr);
  EXPECT_EQ(set.Find("revoked.example"), nullptr);
}

std::vector<std::string> Reasons(const import::Feed& f) {
  std::vector<std::string> out;
  for (const auto& s : f.skipped) out.push_back(s.pointer + " " + s.reason);
  return out;
}

import::Feed Stix(const std::string& patterns_json) {
  std::string doc = R"({"type":"bundle","id":"bundle--1","objects":[)";
  auto patterns = nlohmann::json::parse(patterns_json);
  for (size_t i = 0; i < patterns.size(); ++i) {
    nlohmann::json ind = {{"type", "indicator"}, {"id", "indicator--" + std::to_string(i)},
                          {"pattern", patterns[i]}, {"pattern_type", "stix"},
                          {"valid_from", "2026-01-01T00:00:00Z"}};
    doc += (i ? "," : "") + ind.dump();
  }
  doc += "]}";
  import::FeedOptions o;
  o.format = "stix";
  auto f = import::ParseFeed(doc, "b.json", o);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *f : import::Feed{};
}

TEST(StixImport, OnlyPatternsThatListDomainNamesAreTaken) {
  import::Feed f = Stix(R"([
    "[domain-name:value = 'it\\'s.example']",
    "  [ domain-name:value='spaced.example' ]  OR[domain-name:value = 'Joined.Example']",
    "[domain-name:value LIKE '%.evil.example']",
    "[domain-name:value = 'a.example'] AND [domain-name:value = 'b.example']",
    "[domain-name:value = 'a.example'] WITHIN 10 SECONDS",
    "[domain-name:value = 'never closed]",
    "[url:value = 'http://x.example/']",
    "[domain-name:value != 'not.example']",
    "domain-name:value = 'bare.example'",
    "[domain-name:value = 'spaced.example']"
  ])");
  EXPECT_EQ(f.names, (std::vector<std::string>{"joined.example", "spaced.example"}));
  EXPECT_EQ(f.duplicates, 1u);
  EXPECT_EQ(Reasons(f), (std::vector<std::string>{
                            "/objects/0/pattern the character '''",
                            "/objects/2/pattern the pattern only '=' comparisons are taken, found \"LIKE '%.evil.example']\"",
                            "/objects/3/pattern the pattern expected OR between observations, found \"AND [domain-name:value =\"",
                            "/objects/4/pattern the pattern expected OR between observations, found \"WITHIN 10 SECONDS\"",
                            "/objects/5/pattern the pattern a string is never closed",
                            "/objects/6/pattern the pattern compares url:value, not domain-name:value",
                            "/objects/7/pattern the pattern only '=' comparisons are taken, found \"!= 'not.example']\"",
                            "/objects/8/pattern the pattern expected '[' (an observation expression)",
                        }));
}

TEST(StixImport, ConfidenceNumbersBecomeEcsWordsAndBadTimesAreSkipped) {
  EXPECT_EQ(rules::ConfidenceWord(0), "None");
  EXPECT_EQ(rules::ConfidenceWord(29), "Low");
  EXPECT_EQ(rules::ConfidenceWord(30), "Medium");
  EXPECT_EQ(rules::ConfidenceWord(70), "High");
  std::string doc = R"({"type":"bundle","objects":[
    {"type":"indicator","id":"indicator--a","pattern":"[domain-name:value = 'a.example']","pattern_type":"stix",
     "valid_from":"yesterday"},
    {"type":"indicator","id":"indicator--b","pattern":"[domain-name:value = 'b.example']","pattern_type":"stix",
     "valid_from":"2026-01-01T00:00:00Z","valid_until":"2025-01-01T00:00:00Z"},
    "not an object"]})";
  import::FeedOptions o;
  o.format = "stix";
  auto f = import::ParseFeed(doc, "b.json", o);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->names.empty());
  EXPECT_EQ(Reasons(*f), (std::vector<std::string>{
                             "/objects/0 /objects/0/valid_from: \"yesterday\" is not an RFC 3339 date-time (such as 2026-01-31T12:00:00Z)",
                             "/objects/1 /objects/1/valid_until: not later than valid_from",
                             "/objects/2 not an object"}));
  auto not_bundle = import::ParseFeed(R"({"type":"indicator"})", "b.json", o);
  ASSERT_FALSE(not_bundle.ok());
  EXPECT_NE(not_bundle.status().message().find("not a STIX 2.1 bundle"), std::string::npos);
  auto not_json = import::ParseFeed("{\n\"type\": bundle}", "b.json", o);
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.status().message().find("b.json:2"), std::string::npos) << not_json.status();
}

TEST(MispImport, EventsSearchResponsesAndListsAreRead) {
  import::FeedOptions o;
  o.format = "misp";
  const std::string event =
      R"({"Event":{"info":"Campaign","Orgc":{"name":"ISAC"},"Attribute":[
           {"type":"domain","value":"one.example","to_ids":true,"uuid":"u1","timestamp":"1767225600",
            "last_seen":"2026-01-02T00:00:00.000000+00:00"},
           {"type":"hostname","value":"two.example","to_ids":"0"}]}})";
  for (const std::string& doc : {event, R"({"response":[)" + event + "]}", "[" + event + "]"}) {
    auto f = import::ParseFeed(doc, "m.json", o);
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_EQ(f->names, (std::vector<std::string>{"one.example"}));
    EXPECT_EQ(f->source_provider, "ISAC");
    const auto& m = f->meta.at("one.example");
    EXPECT_EQ(m.id, "u1");
    EXPECT_EQ(m.name, "Campaign");
    EXPECT_EQ(m.modified_at, "2026-01-01T00:00:00Z");
    EXPECT_EQ(m.last_seen, "2026-01-02T00:00:00.000000+00:00");
    ASSERT_EQ(f->skipped.size(), 1u);
    EXPECT_EQ(f->skipped[0].reason, "to_ids is not set: not meant for detection");
  }
  auto not_misp = import::ParseFeed(R"({"objects":[]})", "m.json", o);
  ASSERT_FALSE(not_misp.ok());
  EXPECT_NE(not_misp.status().message().find("not a MISP event"), std::string::npos);
}

}  // namespace
}  // namespace c2s::testing

#include "config/feed_source.h"

namespace c2s::testing {
namespace {

TEST(FeedSource, RulesetsAndFeedsAsPublishedAreToldApart) {
  EXPECT_EQ(config::FeedRuleId("https://x.example/f/abuse-domains.txt?key=1"), "feed-abuse-domains");
  EXPECT_EQ(config::FeedRuleId("/etc/c2sieve/cti.stix.json"), "feed-cti");
  EXPECT_EQ(config::FeedRuleId("https://x.example/"), "feed-x");
  auto kind = [](const std::string& text) {
    auto doc = config::ReadRulesetOrFeed(text, "/feeds/f.txt");
    return doc.ok() ? doc->kind : std::string(doc.status().message());
  };
  EXPECT_EQ(kind("# list\nevil.example\n"), "list");
  EXPECT_EQ(kind("\n# hosts\n0.0.0.0 evil.example\n"), "hosts");
  EXPECT_EQ(kind(R"({"type":"bundle","objects":[{"type":"domain-name","value":"a.example"}]})"), "stix");
  EXPECT_EQ(kind(R"({"Event":{"Attribute":[{"type":"domain","value":"a.example","to_ids":true}]}})"), "misp");
  EXPECT_EQ(kind(R"({"format":"c2sieve.ruleset/1","name":"r","rules":[{"id":"r1","name":"R",)"
                 R"("indicators":{"items":["a.example"]}}]})"),
            "ruleset");
  // What is neither is refused with the reason.
  EXPECT_NE(kind(R"({"hello":1})").find("format"), std::string::npos);
  EXPECT_NE(kind("192.0.2.1\n").find("no domain name in the feed"), std::string::npos);
  auto doc = config::ReadRulesetOrFeed("evil.example\n", "https://cert.example/domains.txt");
  ASSERT_TRUE(doc.ok());
  const rules::Rule& r = doc->ruleset.rules.at(0);
  EXPECT_EQ(r.id, "feed-domains");
  EXPECT_EQ(r.indicators->reference, "https://cert.example/domains.txt");
  EXPECT_NE(r.indicators->Find("evil.example"), nullptr);
}

}  // namespace
}  // namespace c2s::testing
