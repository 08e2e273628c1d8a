// Elastic's Linux companion rule ("DNS to Commonly Abused Web Services",
// a building block) beside the Windows rule: its exclusions are
// case-sensitive `like` patterns, its paths canonical without case folding,
// both rules evaluate in one pass and an event can match both.
#include <gtest/gtest.h>

#include "import/elastic_rule.h"
#include "rules/ruleset_loader.h"
#include "test_util.h"

namespace c2s::testing {
namespace {

constexpr char kWindowsRule[] = "66883649-f908-4a5b-a1e0-54090a1d3a32";
constexpr char kLinuxRule[] = "8248323e-f888-4134-a26f-37a6362f7231";

// An Elastic Defend Linux DNS event the Linux rule matches.
nlohmann::json LinuxEvent() {
  return nlohmann::json::parse(R"({
    "@timestamp": "2026-11-28T10:00:00.000Z",
    "event": {"category": ["network"], "action": "lookup_requested", "kind": "event"},
    "host": {"name": "srv-01", "os": {"type": "linux", "family": "debian"}},
    "dns": {"question": {"name": "pastebin.com", "type": "A"}},
    "process": {"executable": "/tmp/.x/agent", "name": "agent", "pid": 4242},
    "user": {"name": "www-data", "id": "33"}
  })");
}

std::set<std::string> Matched(Harness& h, const nlohmann::json& e) {
  h.Eval(e.dump());
  std::set<std::string> ids;
  for (const auto& m : h.session->matches()) ids.insert(m.rule_id);
  return ids;
}

TEST(LinuxRule, BuiltInAndGeneratedFromTheUpstreamRule) {
  std::string toml = ReadFileOrDie(
      SharedPath("reference/elastic/linux-bbr.command_and_control_dns_to_commonly_abused_webservices.toml"));
  auto spec = import::ParseImportSpec(
      ReadFileOrDie(SourcePath(
          "rulesets/elastic/command_and_control_dns_to_commonly_abused_webservices.import.json")),
      "spec");
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto doc = import::ImportElasticRuleset({{"upstream.toml", toml}}, *spec);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(*doc, ReadFileOrDie(SourcePath(
                      "rulesets/elastic/command_and_control_dns_to_commonly_abused_webservices.json")))
      << "regenerate it with c2sieve import elastic --spec ... (README, Importing Elastic rules)";
  auto rs = rules::BuiltinLinuxRuleset();
  ASSERT_TRUE(rs.ok()) << rs.status();
  const rules::Rule& r = rs->rules[0];
  EXPECT_EQ(r.id, kLinuxRule);
  EXPECT_EQ(r.building_block_type, "default");
  EXPECT_EQ(r.version, "2026/05/26");
  const rules::Node* domains = FindCommentedList(r.query, "commonly abused web services");
  ASSERT_NE(domains, nullptr);
  EXPECT_EQ(domains->values.size(), 218u);
  EXPECT_FALSE(domains->case_sensitive);
  const rules::Node* programs = FindCommentedList(r.query, "known Linux programs");
  ASSERT_NE(programs, nullptr);
  EXPECT_EQ(programs->values.size(), 14u);
  EXPECT_TRUE(programs->case_sensitive);
}

TEST(LinuxRule, EveryExclusionExactlyAndWithACaseChange) {
  Harness h;
  EXPECT_EQ(Matched(h, LinuxEvent()), std::set<std::string>{kLinuxRule});
  auto rs = rules::BuiltinLinuxRuleset();
  ASSERT_TRUE(rs.ok());
  const rules::Node* programs = FindCommentedList(rs->rules[0].query, "known Linux programs");
  ASSERT_NE(programs, nullptr);
  for (std::string path : programs->values) {
    for (char& c : path)
      if (c == '*') c = '7';  // one concrete path the pattern names
    nlohmann::json e = LinuxEvent();
    e["process"]["executable"] = path;
    EXPECT_TRUE(Matched(h, e).empty()) << path;
    // /usr/bin/dockerd -> /USR/bin/dockerd: another file on Linux.
    std::string changed = path;
    size_t letter = changed.find_first_of("abcdefghijklmnopqrstuvwxyz");
    ASSERT_NE(letter, std::string::npos);
    changed[letter] = static_cast<char>(changed[letter] - 32);
    e["process"]["executable"] = changed;
    EXPECT_EQ(Matched(h, e), std::set<std::string>{kLinuxRule}) << changed;
  }
}

TEST(LinuxRule, DomainsIgnoreCaseAndPathsAreCanonicalWithoutFolding) {
  Harness canonical;
  Harness parity("", event::MatchMode::kParity);
  nlohmann::json e = LinuxEvent();
  e["dns"]["question"]["name"] = "PasteBin.COM.";
  EXPECT_EQ(Matched(canonical, e), std::set<std::string>{kLinuxRule});
  e = LinuxEvent();
  e["process"]["executable"] = "/usr//bin/./dockerd";
  EXPECT_TRUE(Matched(canonical, e).empty());                          // canonical: /usr/bin/dockerd
  EXPECT_EQ(Matched(parity, e), std::set<std::string>{kLinuxRule});    // as Elasticsearch: not the same text
  e["process"]["executable"] = "/usr/lib/../bin/dockerd";
  EXPECT_TRUE(Matched(canonical, e).empty());
  e["process"]["executable"] = "/USR/bin/dockerd";
  EXPECT_EQ(Matched(canonical, e), std::set<std::string>{kLinuxRule});
}

TEST(LinuxRule, AMixedStreamMatchesEachEventByItsOwnRule) {
  Harness h;
  std::map<std::string, int> by_rule;
  for (int i = 0; i < 50; ++i) {
    nlohmann::json linux_event = LinuxEvent();
    linux_event["dns"]["question"]["name"] = i % 2 ? "transfer.sh" : "www.example.org";
    for (const auto& id : Matched(h, linux_event)) ++by_rule[id];
    std::string windows_event = Event().Domain(i % 2 ? "transfer.sh" : "www.example.org");
    for (const auto& id : Matched(h, nlohmann::json::parse(windows_event))) ++by_rule[id];
  }
  EXPECT_EQ(by_rule[kLinuxRule], 25);
  EXPECT_EQ(by_rule[kWindowsRule], 25);
  EXPECT_EQ(by_rule.size(), 2u);
}

// An event both rules match (host.os.type holds both values, as EQL reads
// arrays): both enrichments, merged as documented.
TEST(LinuxRule, AnEventMatchingBothCarriesBothEnrichments) {
  Harness h;
  nlohmann::json e = nlohmann::json::parse(std::string(Event().Domain("transfer.sh")));
  e["host"]["os"]["type"] = {"windows", "linux"};
  auto r = h.Eval(e.dump());
  ASSERT_EQ(r.matched_rules, 2u);
  auto out = nlohmann::json::parse(r.output);
  EXPECT_EQ(out["rule"]["id"], nlohmann::json({kWindowsRule, kLinuxRule}));
  EXPECT_EQ(out["rule"]["name"], nlohmann::json({"Connection to Commonly Abused Web Services",
                                                  "DNS to Commonly Abused Web Services"}));
  EXPECT_EQ(out["event"]["risk_score"], 21);
  EXPECT_EQ(out["tags"], nlohmann::json({"c2sieve: commonly abused web service"}));
  ASSERT_EQ(out["c2sieve"]["matches"].size(), 2u);
  EXPECT_FALSE(out["c2sieve"]["matches"][0].contains("building_block"));
  EXPECT_EQ(out["c2sieve"]["matches"][1]["building_block"], true);
  EXPECT_EQ(out["c2sieve"]["matches"][1]["rule_id"], kLinuxRule);
  EXPECT_FALSE(HasDuplicateKeys(r.output));
}

TEST(LinuxRule, BuildingBlockMatchesCanBeKeptAsTagsOnly) {
  runtime::EngineCore::Options o;
  o.building_blocks_as_tags = true;
  auto core = runtime::EngineCore::Create(std::move(o));
  ASSERT_TRUE(core.ok()) << core.status();
  runtime::Session s(*core);
  std::string in = LinuxEvent().dump();
  auto r = s.EvalJson(in);
  ASSERT_TRUE(r.enriched);
  auto out = nlohmann::json::parse(r.output);
  EXPECT_FALSE(out.contains("rule"));
  EXPECT_FALSE(out.contains("threat"));
  EXPECT_FALSE(out["event"].contains("risk_score"));
  EXPECT_EQ(out["tags"], nlohmann::json({"c2sieve: commonly abused web service"}));
  EXPECT_EQ(out["c2sieve"]["matches"][0]["building_block"], true);
  // The Windows rule is no building block: fully enriched as ever.
  std::string win = Event();
  auto w = s.EvalJson(win);
  EXPECT_TRUE(nlohmann::json::parse(w.output).contains("rule"));
}

}  // namespace
}  // namespace c2s::testing
