// The prefilter's NameSet (runtime/name_set.h): long lists of names (a
// feed's) decided by hashes of the runs of domain characters around dots.
// "No" must be exact: every spelling the engine reads as a listed name is
// "maybe", in JSON text, msgpack and field values, in both modes, and over
// every corpus the prefilter never hides a match of a large feed.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "rules/indicators.h"
#include "rules/ruleset_loader.h"
#include "runtime/engine_core.h"
#include "runtime/name_set.h"
#include "runtime/session.h"
#include "test_util.h"

namespace c2s::runtime {
namespace {

TEST(NameSet, RunsAroundDotsAreLookedUpAsTheEngineReadsNames) {
  NameSet set;
  set.Add("evil.example");
  set.Add("*.tunnel.example");
  set.Add("xn--bcher-kva.example");
  set.Finish();
  auto json = [&](const std::string& s) { return set.AnyIn(s, true); };
  for (const char* yes : {
           R"({"q":"evil.example"})", R"({"q":"EVIL.Example."})", R"({"q":" evil.example "})",
           R"({"q":"https://user@Evil.Example:443/path?x=1"})", R"({"q":"type: A evil.example"})",
           R"({"q":"\tevil.example\n"})", R"({"q":"a.tunnel.example"})", R"({"q":"A.B.Tunnel.Example."})",
           R"({"q":".tunnel.example"})", R"({"q":"x:y.tunnel.example"})", R"({"q":"xn--bcher-kva.example"})",
           R"({"m":"{\"QueryName\":\"evil.example\"}"})", R"({"a":["x",["evil.example"]]})",
           R"(evil.example)"}) {
    EXPECT_TRUE(json(yes)) << yes;
  }
  for (const char* no : {R"({"q":"notevil.example"})", R"({"q":"evil.example.com"})",
                         R"({"q":"tunnel.example"})", R"({"q":"xtunnel.example"})",
                         R"({"q":"evil-example"})", R"({"q":"\\tevil.example"})", R"({})", ""}) {
    EXPECT_FALSE(json(no)) << no;
  }
  // Field values are unescaped text: a backslash is only a separator.
  EXPECT_TRUE(set.AnyIn("C:\\evil.example", false));
  EXPECT_TRUE(set.AnyIn("\\tevil.example", false) == false);
  // A run longer than any name still ends with a listed suffix.
  EXPECT_TRUE(json(R"({"q":")" + std::string(5000, 'a') + R"(.tunnel.example"})"));
}

// A feed of `n` names: the corpus's own first names, then generated ones.
rules::Ruleset Feed(const std::vector<std::string>& listed, size_t n) {
  nlohmann::json items = nlohmann::json::array();
  std::set<std::string> seen;
  for (const auto& name : listed)
    if (seen.insert(name).second) items.push_back(name);
  for (size_t k = 0; items.size() < n; ++k) {
    std::string name = "gen" + std::to_string(k) + (k % 7 == 0 ? ".example.net" : ".example.org");
    if (k % 10 == 3) name = "*." + name;
    items.push_back(name);
  }
  nlohmann::json doc = {{"format", "c2sieve.ruleset/1"},
                        {"name", "big-feed"},
                        {"rules", {{{"id", "big-feed"}, {"name", "Big feed"}, {"indicators", {{"items", items}}}}}}};
  auto rs = rules::ParseRuleset(doc.dump(), "big-feed.json");
  EXPECT_TRUE(rs.ok()) << rs.status();
  return *rs;
}

std::shared_ptr<EngineCore> Core(const rules::Ruleset& feed, event::MatchMode mode, bool prefilter) {
  EngineCore::Options o;
  o.mode = mode;
  o.prefilter = prefilter;
  o.rulesets.push_back(feed);
  o.builtin_rulesets = true;
  auto c = EngineCore::Create(std::move(o));
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

std::vector<std::string> CorpusFiles() { return c2s::testing::EventCorpora(); }

// Names the corpus's events ask for (ECS, and the raw Sysmon fields).
std::vector<std::string> CorpusNames(size_t max) {
  std::vector<std::string> names;
  for (const auto& f : CorpusFiles()) {
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line) && names.size() < max) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object()) continue;
      for (const char* ptr : {"/dns/question/name", "/QueryName", "/winlog/event_data/QueryName"}) {
        auto p = nlohmann::json::json_pointer(ptr);
        if (j.contains(p) && j[p].is_string()) {
          std::string n = j[p].get<std::string>();
          std::string lower;
          for (char c : n) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (lower.find('.') != std::string::npos && rules::IndicatorValueProblem(lower).empty())
            names.push_back(lower);
        }
      }
    }
  }
  return names;
}

TEST(NameSet, ALargeFeedUsesItAndNeverHidesAMatchInAnyCorpus) {
  rules::Ruleset feed = Feed(CorpusNames(400), 25000);
  for (auto mode : {event::MatchMode::kCanonical, event::MatchMode::kParity}) {
    auto core = Core(feed, mode, true);
    EXPECT_NE(core->prefilter_description().find("listed names"), std::string::npos)
        << core->prefilter_description();
    Session s(core);
    Session full_path(Core(feed, mode, false));
    size_t lines = 0, skipped = 0, feed_matches = 0;
    for (const auto& f : CorpusFiles()) {
      std::ifstream in(f);
      ASSERT_TRUE(in) << f;
      std::string line;
      while (std::getline(in, line)) {
        ++lines;
        bool may = s.MayMatch(line);
        auto r = full_path.EvalJson(line);
        for (const auto& m : full_path.matches()) feed_matches += m.rule_id == "big-feed";
        if (!may) {
          ++skipped;
          EXPECT_EQ(r.matched_rules, 0u) << f << ": " << line.substr(0, 200);
        }
      }
    }
    EXPECT_GT(feed_matches, 100u);
    EXPECT_GT(skipped, lines / 20) << "the prefilter decides too little to matter";
  }
}

TEST(NameSet, EverySpellingOfAListedNameReachesTheFullPath) {
  rules::Ruleset feed = Feed({"evil.example", "*.tunnel.example"}, 25000);
  auto core = Core(feed, event::MatchMode::kCanonical, true);
  Session s(core);
  Session full_path(Core(feed, event::MatchMode::kCanonical, false));
  auto event = [](const std::string& name_json) {
    return R"({"dns":{"question":{"name":)" + name_json + "}}}";
  };
  for (const char* name : {R"("evil.example")", R"("EVIL.EXAMPLE.")", R"("evil\u002eexample")",
                           R"("https:\/\/evil.example\/x")", R"("https://u@evil.example:8443/x")",
                           R"("Evil%2eExample")", R"("ｅｖｉｌ.example")", R"("evil。example")",
                           R"(["x", ["a.b.tunnel.example"]])", R"("\n a.tunnel.example\t")",
                           R"("gen14.example.net")", R"("x.gen3.example.org")"}) {
    bool full = full_path.EvalJson(event(name)).matched_rules > 0;
    EXPECT_TRUE(full) << name;
    EXPECT_TRUE(s.MayMatch(event(name))) << name;
    EXPECT_EQ(s.EvalJson(event(name)).matched_rules > 0, full) << name;
  }
  for (const char* name : {R"("www.example.com")", R"("notevil.example")", R"("gen3.example.org")"}) {
    EXPECT_EQ(full_path.EvalJson(event(name)).matched_rules, 0u) << name;
  }
  EXPECT_FALSE(s.MayMatch(event(R"("www.example.com")")));
  // Field level: each value on its own.
  ASSERT_TRUE(s.BeginFields().ok());
  int32_t slot = core->fields().Find("dns.question.name");
  ASSERT_GE(slot, 0);
  s.fields().Add(static_cast<uint32_t>(slot), engine::ValueType::kString, "EVIL.example.");
  EXPECT_EQ(s.EvaluateFields(), 1u);
}

}  // namespace
}  // namespace c2s::runtime
