// The bundled sample is what the generator writes, and every sample event
// gets the verdict its scenario promises.
#include <gtest/gtest.h>

#include <sstream>

#include "sample_events.h"
#include "test_util.h"

namespace c2s::testing {
namespace {

TEST(Samples, BundledFileIsTheGeneratorsOutput) {
  std::string bundled = ReadFileOrDie(SourcePath("samples/ecs-dns-events.ndjson"));
  std::string generated;
  for (const auto& e : samples::Generate(2026, 1000)) generated += e.json + "\n";
  EXPECT_TRUE(bundled == generated)
      << "regenerate with: build/tools/gen_sample_events --seed 2026 --count 1000 "
         "> samples/ecs-dns-events.ndjson";
}

TEST(Samples, GenerationIsDeterministic) {
  auto a = samples::Generate(7, 300);
  auto b = samples::Generate(7, 300);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].json, b[i].json);
  EXPECT_NE(samples::Generate(8, 1)[0].json, a[0].json);
}

TEST(Samples, EveryScenarioGetsItsVerdict) {
  Harness plain;
  Harness tuned(ReadFileOrDie(SourcePath("rulesets/examples/exclusions.json")));
  std::map<std::string, int> seen;
  for (const auto& e : samples::Generate(2026, 3000)) {
    ++seen[e.scenario];
    auto r = plain.Eval(e.json);
    ASSERT_EQ(r.status, event::ReadStatus::kOk);
    EXPECT_EQ(r.matched_rules > 0, e.expect_match) << e.scenario << ": " << e.json;
    EXPECT_EQ(tuned.Matches(e.json), e.expect_match_with_example_exclusions)
        << e.scenario << ": " << e.json;
    if (r.enriched) {
      EXPECT_TRUE(IsValidJson(r.output));
      EXPECT_FALSE(HasDuplicateKeys(r.output));
    } else {
      EXPECT_EQ(r.output.data(), plain.last_input.data());  // the same bytes
    }
  }
  // Every exclusion kind of the rule is exercised.
  for (const char* s : {"excluded:discord", "excluded:sharepoint-onedrive",
                        "excluded:obsidian", "excluded:webexperience",
                        "excluded:jetbrains", "excluded:microsoft-signed",
                        "excluded:python", "excluded:zoom", "excluded:vscode",
                        "excluded:terraform", "excluded:telegram",
                        "excluded:trusted-signer", "excluded:program-location",
                        "excluded:system-account", "excluded:string-boolean-trusted",
                        "match:suspicious-path", "match:untrusted-signature",
                        "match:flattened-keys", "match:no-user-object",
                        "example-exclusion:corp-updater"})
    EXPECT_GT(seen[s], 0) << s;
}

}  // namespace
}  // namespace c2s::testing
