// Rulesets and exclusions that fail must say where and why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rules/exclusions_loader.h"
#include "rules/ruleset_loader.h"
#include "runtime/engine_core.h"
#include "test_util.h"

namespace c2s::rules {
namespace {

using ::testing::HasSubstr;

std::string ErrorOfRuleset(const std::string& text) {
  auto r = ParseRuleset(text, "my.json");
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : std::string(r.status().message());
}

std::string ErrorOfExclusions(const std::string& text) {
  auto r = ParseExclusions(text, "excl.json");
  if (r.ok()) {
    // Some errors only show when compiled against the rules.
    runtime::EngineCore::Options o;
    o.exclusions = &*r;
    auto core = runtime::EngineCore::Create(std::move(o));
    EXPECT_FALSE(core.ok());
    return core.ok() ? "" : std::string(core.status().message());
  }
  return std::string(r.status().message());
}

const char* kMinimalRule = R"({
  "format": "c2sieve.ruleset/1",
  "name": "mine",
  "rules": [
    {
      "id": "r1",
      "name": "Rule one",
      "query": {"field": "dns.question.name", "wildcard": ["evil.*"]}
    }
  ]
})";

TEST(RulesetLoader, AcceptsAMinimalRuleset) {
  auto r = ParseRuleset(kMinimalRule, "my.json");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rules.size(), 1u);
  EXPECT_EQ(r->rules[0].severity, "low");
  EXPECT_EQ(r->rules[0].ruleset, "mine");
}

TEST(RulesetLoader, TheBuiltinRulesetLoads) {
  auto r = BuiltinRuleset();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rules[0].id, "66883649-f908-4a5b-a1e0-54090a1d3a32");
  EXPECT_EQ(r->rules[0].version, "2026/07/15");
}

TEST(RulesetLoader, SyntaxErrorNamesFileAndLine) {
  EXPECT_THAT(ErrorOfRuleset("{\n\"format\": \"c2sieve.ruleset/1\",\n\"name\": }"),
              HasSubstr("my.json:3: not valid JSON"));
}

TEST(RulesetLoader, ErrorsNameFileLineAndPointer) {
  std::string bad = kMinimalRule;
  bad.replace(bad.find("\"wildcard\""), 10, "\"wildcards\"");
  EXPECT_THAT(ErrorOfRuleset(bad),
              HasSubstr("my.json:8 /rules/0/query/wildcards: unknown key"));

  bad = kMinimalRule;
  bad.replace(bad.find("[\"evil.*\"]"), 10, "[]");
  EXPECT_THAT(ErrorOfRuleset(bad),
              HasSubstr("my.json:8 /rules/0/query/wildcard: must not be empty"));

  bad = kMinimalRule;
  bad.replace(bad.find("\"r1\""), 4, "42");
  EXPECT_THAT(ErrorOfRuleset(bad),
              HasSubstr("my.json:6 /rules/0/id: must be a non-empty string"));

  bad = kMinimalRule;
  bad.replace(bad.find("c2sieve.ruleset/1"), 17, "c2sieve.ruleset/9");
  EXPECT_THAT(ErrorOfRuleset(bad), HasSubstr("my.json:2 /format: expected"));

  bad = kMinimalRule;
  bad.replace(bad.find("dns.question.name"), 17, "dns..name");
  EXPECT_THAT(ErrorOfRuleset(bad), HasSubstr("/rules/0/query/field: not a dotted"));

  EXPECT_THAT(ErrorOfRuleset(R"({"format":"c2sieve.ruleset/1","name":"x","rules":[
    {"id":"a","name":"b","query":{"all":[{"field":"f","exists":false}]}}]})"),
              HasSubstr("/rules/0/query/all/0/exists: must be true"));
  EXPECT_THAT(ErrorOfRuleset(R"({"format":"c2sieve.ruleset/1","name":"x","rules":[
    {"id":"a","name":"b","query":{"all":[],"any":[]}}]})"),
              HasSubstr("exactly one of"));
  EXPECT_THAT(ErrorOfRuleset(R"({"format":"c2sieve.ruleset/1","name":"x","rules":[
    {"id":"a","name":"b","severity":"urgent","query":{"field":"f","exists":true}}]})"),
              HasSubstr("/rules/0/severity: must be one of"));
  EXPECT_THAT(ErrorOfRuleset(R"({"format":"c2sieve.ruleset/1","name":"x","rules":[
    {"id":"a","name":"b","query":{"field":"f","exists":true}},
    {"id":"a","name":"c","query":{"field":"f","exists":true}}]})"),
              HasSubstr("/rules/1/id: duplicate rule id a"));
}

TEST(RulesetLoader, MissingFileIsAnIoError) {
  auto r = LoadRulesetFile("/nonexistent/rules.json");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsNotFound(r.status()));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("/nonexistent/rules.json"));
}

TEST(ExclusionsLoader, TheExampleFileLoadsAndCompiles) {
  auto r = LoadExclusionsFile(testing::SourcePath("rulesets/examples/exclusions.json"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GE(r->entries.size(), 3u);
  runtime::EngineCore::Options o;
  o.exclusions = &*r;
  auto core = runtime::EngineCore::Create(std::move(o));
  EXPECT_TRUE(core.ok()) << core.status();
}

TEST(ExclusionsLoader, ErrorsNameFileLineAndPointer) {
  EXPECT_THAT(ErrorOfExclusions(R"({"format":"c2sieve.exclusions/1","exclusions":[
    {"reason":"x","process.exe":["a"]}]})"),
              HasSubstr("excl.json:2 /exclusions/0/process.exe: unknown key"));
  EXPECT_THAT(ErrorOfExclusions(R"({"format":"c2sieve.exclusions/1","exclusions":[
    {"process.name":["a"]}]})"),
              HasSubstr("excl.json:2 /exclusions/0: missing required \"reason\""));
  EXPECT_THAT(ErrorOfExclusions(R"({"format":"c2sieve.exclusions/1","exclusions":[
    {"reason":"everything"}]})"),
              HasSubstr("/exclusions/0: an exclusion needs at least one condition"));
  EXPECT_THAT(ErrorOfExclusions(R"({"format":"c2sieve.exclusions/1","exclusions":[
    {"reason":"r","process.name":"a.exe"}]})"),
              HasSubstr("/exclusions/0/process.name: must be an array of strings"));
  EXPECT_THAT(ErrorOfExclusions(R"({"format":"c2sieve.exclusions/1","exclusions":[
    {"reason":"r","process.code_signature.trusted":"yes"}]})"),
              HasSubstr("/exclusions/0/process.code_signature.trusted: must be true or false"));
  EXPECT_THAT(ErrorOfExclusions(R"({"format":"c2sieve.exclusions/1","exclusions":[
    {"reason":"r","rules":["no-such-rule"],"process.name":["a.exe"]}]})"),
              HasSubstr("excl.json:2 /exclusions/0: rule \"no-such-rule\" is not loaded"));
  EXPECT_THAT(ErrorOfExclusions(R"({"format":"c2sieve.exclusions/1","exclusions":[
    {"reason":"r","process.name":["a.exe"],"when":{"field":"process.parent.name","wildcard":["x"]}}]})"),
              HasSubstr("/exclusions/0/when: field \"process.parent.name\" is not one the engine"));
  EXPECT_THAT(ErrorOfExclusions("{\"format\":\"c2sieve.exclusions/1\",\n\"exclusions\":[\n{]}"),
              HasSubstr("excl.json:3: not valid JSON"));
}

}  // namespace
}  // namespace c2s::rules

namespace c2s::rules {
namespace {

// Found by fuzz_ruleset: a number nlohmann cannot hold threw out of the
// loader instead of an error naming the file.
TEST(RulesetLoader, NumberOutOfRangeIsAnErrorNotAnException) {
  auto r = ParseRuleset("999e9999", "big.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("big.json: not valid JSON"));
  auto e = ParseExclusions(R"({"format":"c2sieve.exclusions/1","exclusions":[1e999]})", "x.json");
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(std::string(e.status().message()), HasSubstr("x.json"));
}

}  // namespace
}  // namespace c2s::rules

namespace c2s::rules {
namespace {

TEST(ExclusionsLoader, CatchAllEntriesWouldBlindTheRule) {
  for (const char* entry : {
           R"({"reason":"r","process.executable":["?:\\*"]})",
           R"({"reason":"r","process.executable":["*"]})",
           R"({"reason":"r","dns.question.name":["*.*"],"process.name":["*"]})",
           R"({"reason":"r","process.code_signature.trusted":false})",
           R"({"reason":"r","host.name":["*"],"process.code_signature.trusted":true})",
           R"({"reason":"r","when":{"field":"process.name","wildcard":["*"]}})"}) {
    std::string doc = std::string(R"({"format":"c2sieve.exclusions/1","exclusions":[)") + entry + "]}";
    auto r = ParseExclusions(doc, "e.json");
    ASSERT_FALSE(r.ok()) << entry;
    EXPECT_THAT(std::string(r.status().message()),
                HasSubstr("e.json:1 /exclusions/0: too broad: this exclusion pins no narrow anchor"))
        << entry;
    doc.insert(doc.find(R"("reason")"), R"("allow_catch_all":true,)");
    r = ParseExclusions(doc, "e.json");
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->warnings.size(), 1u);
    EXPECT_THAT(r->warnings[0], HasSubstr("exclusion without a narrow anchor applied"));
  }
  // Narrowed by something specific: fine.
  for (const char* entry : {
           R"({"reason":"r","process.executable":["*"],"process.name":["tool.exe"]})",
           R"({"reason":"r","process.executable":["?:\\Tools\\*"]})",
           R"({"reason":"r","user.id":["S-1-5-21-1"]})",
           // `when` is held to the same anchors: an "any" whose every branch
           // is anchored, an "all" with one anchor.
           R"({"reason":"r","when":{"any":[{"field":"process.name","wildcard":["a.exe"]},)"
           R"({"field":"dns.question.name","wildcard":["*.example.org"]}]}})",
           R"({"reason":"r","when":{"all":[{"field":"host.name","wildcard":["b*"]},)"
           R"({"field":"process.executable","wildcard":["*\\bin\\tool.exe"]}]}})"}) {
    std::string doc = std::string(R"({"format":"c2sieve.exclusions/1","exclusions":[)") + entry + "]}";
    auto r = ParseExclusions(doc, "e.json");
    EXPECT_TRUE(r.ok()) << entry << ": " << r.status();
  }
}

}  // namespace
}  // namespace c2s::rules

namespace c2s::rules {
namespace {

std::string RulesetWith(const std::vector<std::string>& patterns) {
  nlohmann::json doc = {{"format", "c2sieve.ruleset/1"}, {"name", "p"},
                        {"rules", {{{"id", "p1"}, {"name", "p"},
                                    {"query", {{"field", "dns.question.name"},
                                               {"wildcard", patterns}}}}}}};
  return doc.dump();
}

absl::Status Compile(const std::string& text) {
  auto rs = ParseRuleset(text, "p.json");
  if (!rs.ok()) return rs.status();
  runtime::EngineCore::Options o;
  o.builtin_rulesets = false;
  o.rulesets.push_back(*rs);
  return runtime::EngineCore::Create(std::move(o)).status();
}

TEST(PathologicalRulesets, FailClearlyOrCompile) {
  auto st = Compile(RulesetWith({std::string(1025, 'a') + "*"}));
  EXPECT_THAT(std::string(st.message()),
              HasSubstr("p.json:1 /rules/0/query/wildcard/0: pattern longer than 1024 bytes"));
  // Within the length bound but beyond what Hyperscan takes: a clear error
  // naming the pattern (shortened) and the field, not a hang.
  st = Compile(RulesetWith({std::string(900, '?')}));
  EXPECT_THAT(std::string(st.message()), HasSubstr("... (900 bytes)\" on dns.question.name cannot be compiled"));
  // Many patterns compile.
  std::vector<std::string> many;
  for (int i = 0; i < 3000; ++i) many.push_back("*.feed" + std::to_string(i) + ".example");
  EXPECT_TRUE(Compile(RulesetWith(many)).ok());
}

}  // namespace
}  // namespace c2s::rules
