// Enrichment is spliced into the original bytes: merged into existing
// objects, appended to tags, never duplicating a key or losing a value.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "enrich/splice.h"
#include "test_util.h"

namespace c2s::testing {
namespace {

using nlohmann::json;

const std::vector<const enrich::Leaf*>& SomeLeaves() {
  static const std::vector<enrich::Leaf> leaves = {
      {"rule.id", enrich::Merge::kScalar, {"\"r1\""}},
      {"rule.name", enrich::Merge::kScalar, {"\"Rule one\""}},
      {"threat.tactic.id", enrich::Merge::kList, {"\"TA0011\""}},
      {"event.risk_score", enrich::Merge::kMax, {"21"}},
      {"tags", enrich::Merge::kAppendTags, {"\"c2sieve\""}},
      {"c2sieve.matches", enrich::Merge::kList, {"{\"pattern\":\"x\"}"}},
  };
  static const std::vector<const enrich::Leaf*> view = [] {
    std::vector<const enrich::Leaf*> v;
    for (const auto& l : leaves) v.push_back(&l);
    return v;
  }();
  return view;
}

std::string Splice(std::string_view event) {
  std::string out;
  EXPECT_TRUE(enrich::SpliceInto(event, SomeLeaves(), &out)) << event;
  EXPECT_TRUE(IsValidJson(out)) << out;
  EXPECT_FALSE(HasDuplicateKeys(out)) << out;
  return out;
}

TEST(Splice, AddsObjectsWhereNoneExist) {
  std::string out = Splice(R"({"a":1})");
  EXPECT_EQ(out,
            R"({"a":1,"rule":{"id":"r1","name":"Rule one"},"threat":{"tactic":{"id":["TA0011"]}},)"
            R"("event":{"risk_score":21},"tags":["c2sieve"],"c2sieve":{"matches":[{"pattern":"x"}]}})");
}

TEST(Splice, KeepsOriginalBytesOfUntouchedMembers) {
  std::string in = R"({"num":1.50e+3,"s":"\u00e9\n","arr":[ 1 , 2 ],"event":{"category":["network"] ,"kind":"event"}})";
  std::string out = Splice(in);
  EXPECT_NE(out.find(R"("num":1.50e+3)"), std::string::npos);
  EXPECT_NE(out.find(R"("s":"\u00e9\n")"), std::string::npos);
  EXPECT_NE(out.find(R"("arr":[ 1 , 2 ])"), std::string::npos);
  EXPECT_NE(out.find(R"("event":{"category":["network"],"kind":"event","risk_score":21})"),
            std::string::npos) << out;
}

TEST(Splice, MergesIntoExistingObjectsAndKeepsOverwrittenValues) {
  // Winlogbeat writes Sysmon's RuleName into rule.name.
  json out = json::parse(Splice(R"({"rule":{"name":"technique_id=T1071","category":"x"}})"));
  EXPECT_EQ(out["rule"]["name"], "Rule one");
  EXPECT_EQ(out["rule"]["category"], "x");
  EXPECT_EQ(out["rule"]["id"], "r1");
  EXPECT_EQ(out["c2sieve"]["displaced"]["rule.name"], "technique_id=T1071");
}

TEST(Splice, FlattenedKeysAreReplacedInPlace) {
  json out = json::parse(Splice(R"({"rule.name":"old","event.kind":"event"})"));
  EXPECT_EQ(out["rule.name"], "Rule one");
  EXPECT_EQ(out["rule"]["id"], "r1");
  EXPECT_FALSE(out["rule"].contains("name"));
  EXPECT_EQ(out["event.kind"], "event");
  EXPECT_EQ(out["event"]["risk_score"], 21);
}

TEST(Splice, TagsAreAppendedNeverReplaced) {
  EXPECT_EQ(json::parse(Splice(R"({"tags":["a","b"]})"))["tags"],
            json::parse(R"(["a","b","c2sieve"])"));
  EXPECT_EQ(json::parse(Splice(R"({"tags":"solo"})"))["tags"],
            json::parse(R"(["solo","c2sieve"])"));
  EXPECT_EQ(json::parse(Splice(R"({"tags":["c2sieve","a"]})"))["tags"],
            json::parse(R"(["c2sieve","a"])"));
  EXPECT_EQ(json::parse(Splice(R"({"tags":null})"))["tags"],
            json::parse(R"(["c2sieve"])"));
}

TEST(Splice, ScalarsWhereEcsHasObjectsAreDisplaced) {
  json out = json::parse(Splice(R"({"threat":"high","rule":7})"));
  EXPECT_EQ(out["threat"]["tactic"]["id"][0], "TA0011");
  EXPECT_EQ(out["rule"]["id"], "r1");
  EXPECT_EQ(out["c2sieve"]["displaced"]["threat"], "high");
  EXPECT_EQ(out["c2sieve"]["displaced"]["rule"], 7);
}

TEST(Splice, ReEnrichingIsStable) {
  std::string once = Splice(R"({"tags":["x"]})");
  std::string twice = Splice(once);
  EXPECT_EQ(json::parse(once), json::parse(twice));
}

TEST(Splice, ExistingC2sieveObjectGetsFlattenedDisplacedKey) {
  json out = json::parse(Splice(R"({"c2sieve":{"note":1},"rule":{"name":"old"}})"));
  EXPECT_EQ(out["c2sieve"]["note"], 1);
  EXPECT_EQ(out["c2sieve"]["matches"][0]["pattern"], "x");
  EXPECT_EQ(out["c2sieve.displaced"]["rule.name"], "old");
}

TEST(Splice, RefusesNonObjects) {
  std::string out;
  EXPECT_FALSE(enrich::SpliceInto("[1,2]", SomeLeaves(), &out));
  EXPECT_FALSE(enrich::SpliceInto("  ", SomeLeaves(), &out));
  EXPECT_TRUE(out.empty());
}

TEST(Splice, WhitespaceAroundTheEventIsAllowed) {
  std::string out;
  ASSERT_TRUE(enrich::SpliceInto(" \t{ \"a\" : 1 }\r", SomeLeaves(), &out));
  EXPECT_EQ(out.substr(0, 7), "{\"a\":1,");
}

}  // namespace
}  // namespace c2s::testing
