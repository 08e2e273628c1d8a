// Engine versions: rules are compiled once; a pushed exclusions version
// compiles only itself and is consulted only when a rule's query held.
#include <gtest/gtest.h>

#include "rules/exclusions_loader.h"
#include "rules/ruleset_loader.h"
#include "test_util.h"

namespace c2s::testing {
namespace {

rules::ExclusionSet Exclusions(const std::string& json) {
  auto set = rules::ParseExclusions(json, "test.json");
  EXPECT_TRUE(set.ok()) << set.status();
  return *set;
}

TEST(EngineCore, RulesAreCompiledOnceAndSharedByEveryExclusionsVersion) {
  Harness h;
  auto first = h.core->Current();
  EXPECT_EQ(first->exclusions, nullptr);
  rules::ExclusionSet a = Exclusions(R"({"format":"c2sieve.exclusions/1","exclusions":[
      {"reason":"a","process.name":["evil.exe"]}]})");
  ASSERT_TRUE(h.core->SetExclusions(&a).ok());
  auto second = h.core->Current();
  EXPECT_EQ(second->matcher, first->matcher);          // not recompiled
  EXPECT_EQ(second->enrichments, first->enrichments);  // not rebuilt
  ASSERT_NE(second->exclusions, nullptr);
  // One exclusions entry per rule, in the rules' order.
  ASSERT_EQ(second->exclusions->rules().size(), first->matcher->rules().size());
  EXPECT_EQ(second->exclusions->rules()[0].rule.id, first->matcher->rules()[0].rule.id);
  EXPECT_NE(second->exclusions->rules()[0].root, engine::CompiledRule::kNoNode);

  ASSERT_TRUE(h.core->SetExclusions(nullptr).ok());
  auto third = h.core->Current();
  EXPECT_EQ(third->matcher, first->matcher);
  EXPECT_EQ(third->exclusions, nullptr);
}

TEST(EngineCore, ExclusionsForOneRuleLeaveTheOthersWithoutANode) {
  auto loaded = rules::ParseRuleset(R"({"format":"c2sieve.ruleset/1","name":"extra","rules":[
      {"id":"extra-1","name":"Extra","risk_score":21,"severity":"low",
       "query":{"field":"dns.question.name","wildcard":["*.example"]}}]})",
                                    "extra.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  Harness h({*loaded}, /*builtin=*/true);
  rules::ExclusionSet only_extra = Exclusions(R"({"format":"c2sieve.exclusions/1","exclusions":[
      {"reason":"x","rules":["extra-1"],"process.name":["a.exe"]}]})");
  ASSERT_TRUE(h.core->SetExclusions(&only_extra).ok());
  const auto& ex = h.core->Current()->exclusions->rules();
  ASSERT_EQ(ex.size(), 3u);  // the two built-in rules and extra-1
  for (const auto& r : ex) {
    EXPECT_EQ(r.root != engine::CompiledRule::kNoNode, r.rule.id == "extra-1") << r.rule.id;
  }
}

}  // namespace
}  // namespace c2s::testing
