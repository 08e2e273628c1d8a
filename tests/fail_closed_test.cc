// Reproducers of what an attacker and a new user found (issue 11): limits
// out of range, a failed pattern scan, signer fields mixed across
// signatures, valid JSON that was treated as an error, escaped keys
// written twice, and a stale match after a failed evaluation. Each test
// failed before its fix.
#include <hs/hs.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "event/json_repair.h"
#include "test_util.h"
#include "util/json_text.h"
#include "util/option_ranges.h"

namespace c2s {
namespace {

using testing::Event;
using testing::Harness;
using testing::HasDuplicateKeys;
using testing::IsValidJson;

// ---- 1. limits are checked at the door ----

TEST(FailClosed, LimitsOutOfRangeAreRefusedAtCreate) {
  for (uint64_t depth : {uint64_t{0}, uint64_t{4097}, uint64_t{4294967295u}, uint64_t{1000000000}}) {
    runtime::EngineCore::Options o;
    o.limits.max_depth = depth;
    auto core = runtime::EngineCore::Create(std::move(o));
    ASSERT_FALSE(core.ok()) << depth;
    EXPECT_TRUE(absl::IsOutOfRange(core.status()));
    EXPECT_NE(core.status().message().find("max-depth must be between 1 and 4096"),
              std::string::npos)
        << core.status();
  }
  for (uint64_t bytes : {uint64_t{0}, uint64_t{63}, (uint64_t{1} << 30) + 1, ~uint64_t{0}}) {
    runtime::EngineCore::Options o;
    o.limits.max_event_bytes = bytes;
    EXPECT_FALSE(runtime::EngineCore::Create(std::move(o)).ok()) << bytes;
  }
  runtime::EngineCore::Options edge;
  edge.limits.max_depth = 4096;
  edge.limits.max_event_bytes = 64;
  EXPECT_TRUE(runtime::EngineCore::Create(std::move(edge)).ok());
}

TEST(FailClosed, RangeParserRefusesSignsWrapsAndJunk) {
  uint64_t v = 0;
  for (const char* bad : {"-1", "4294967295", "1000000000", "", " 5", "5 ", "+5", "0x10", "1e3",
                          "99999999999999999999999"})
    EXPECT_FALSE(ParseInRange(kMaxDepth, bad, &v).ok()) << bad;
  ASSERT_TRUE(ParseInRange(kMaxDepth, "4096", &v).ok());
  EXPECT_EQ(v, 4096u);
  auto st = ParseInRange(kMaxDepth, "-1", &v);
  EXPECT_EQ(st.message(), "max-depth must be a whole number between 1 and 4096 (got \"-1\")");
}

// ---- 4. a failed scan is an error, never "no match" ----

hs_error_t FailingScan(const hs_database_t*, const char*, unsigned, unsigned, hs_scratch_t*,
                       match_event_handler, void*) {
  return HS_SCRATCH_IN_USE;
}

TEST(FailClosed, FailedPatternScanIsAnErrorNotANoMatch) {
  Harness h;
  // An event that needs a Hyperscan scan: a wildcard domain of the list.
  std::string event = Event().Domain("abc.ngrok.io");
  ASSERT_TRUE(h.Matches(event));
  h.session->evaluator().set_scan_function_for_testing(&FailingScan);
  auto before = h.core->Stats();
  auto r = h.Eval(event);
  EXPECT_EQ(r.status, event::ReadStatus::kScanError);
  EXPECT_EQ(r.matched_rules, 0u);
  EXPECT_FALSE(r.enriched);
  EXPECT_EQ(r.output, h.last_input);  // passed through unchanged
  EXPECT_EQ(h.core->Stats().errors, before.errors + 1);
}

// ---- 8. a subject and its trust verdict come from the same signature ----

std::string WithSignatures(const char* where, nlohmann::json sig) {
  Event e;
  e.Domain("graph.microsoft.com");
  e.Set(where, std::move(sig));
  return e;
}

const nlohmann::json kMixed = nlohmann::json::parse(R"([
  {"subject_name": "Microsoft Corporation", "trusted": false},
  {"subject_name": "Evil LLC", "trusted": true}])");

TEST(FailClosed, ExtSignaturesNeverExcludeInEitherMode) {
  // Elasticsearch's rule reads process.code_signature only: with the
  // signature in process.Ext it alerts, whatever Ext says.
  for (auto mode : {event::MatchMode::kCanonical, event::MatchMode::kParity}) {
    Harness h("", mode);
    EXPECT_TRUE(h.Matches(WithSignatures("/process/Ext/code_signature", kMixed)));
    nlohmann::json trusted_ms = {{{"subject_name", "Microsoft Corporation"}, {"trusted", true}}};
    EXPECT_TRUE(h.Matches(WithSignatures("/process/Ext/code_signature", trusted_ms)));
    // Subject in code_signature, trust only in Ext.
    Event split;
    split.Domain("graph.microsoft.com").Signer("Microsoft Corporation");
    split.Set("/process/Ext/code_signature", {{{"trusted", true}}});
    EXPECT_TRUE(h.Matches(split));
    // Control: the signature where the rule reads it excludes.
    EXPECT_FALSE(h.Matches(Event().Domain("graph.microsoft.com").Signer("Microsoft Corporation").Trusted(true)));
  }
}

TEST(FailClosed, MixedSignatureArrayPairsInCanonicalFlattensInParity) {
  std::string mixed = WithSignatures("/process/code_signature", kMixed);
  // Elasticsearch flattens the array per field: subject matches and
  // trusted holds, so it does not alert. Parity agrees.
  EXPECT_FALSE(Harness("", event::MatchMode::kParity).Matches(mixed));
  // Canonical pairs each subject with its own verdict: no trusted
  // Microsoft entry, so it alerts (stricter than Elasticsearch, never
  // looser).
  Harness canonical;
  EXPECT_TRUE(canonical.Matches(mixed));
  nlohmann::json both_trusted = nlohmann::json::parse(R"([
    {"subject_name": "Evil LLC", "trusted": false},
    {"subject_name": "Microsoft Corporation", "trusted": true}])");
  EXPECT_FALSE(canonical.Matches(WithSignatures("/process/code_signature", both_trusted)));
  nlohmann::json string_true = {{{"subject_name", "Microsoft Corporation"}, {"trusted", "true"}}};
  EXPECT_FALSE(canonical.Matches(WithSignatures("/process/code_signature", string_true)));
}

TEST(FailClosed, SentinelOneEcsSignerNeverComesFromTheRawSource) {
  // ECS subject, no ECS trust verdict, the raw SentinelOne status says
  // signed: Elasticsearch sees no trusted == true and alerts.
  Event e;
  e.Domain("graph.microsoft.com").Signer("Microsoft Corporation");
  e.Set("/data_stream/dataset", "sentinel_one_cloud_funnel.event");
  e.Set("/sentinel_one_cloud_funnel/event/src/process/signed_status", "signed");
  e.Set("/sentinel_one_cloud_funnel/event/src/process/user", "NT AUTHORITY\\SYSTEM");
  e.Erase("/user/domain");
  for (auto mode : {event::MatchMode::kCanonical, event::MatchMode::kParity})
    EXPECT_TRUE(Harness("", mode).Matches(e));
}

// ---- 9. valid JSON that Elasticsearch indexes is evaluated ----

TEST(FailClosed, LoneSurrogateEscapesAreReadAsElasticsearchReadsThem) {
  Harness h;
  for (const char* escape : {"\\udfff", "\\ud800", "\\uDBFF\\u0041", "\\udc00\\udc00"}) {
    std::string e = Event();
    e.insert(e.size() - 1, std::string(",\"note\":\"x") + escape + "y\"");
    auto r = h.Eval(e);
    EXPECT_EQ(r.status, event::ReadStatus::kOk) << escape;
    EXPECT_TRUE(r.enriched) << escape;
    // Valid JSON once read as Elasticsearch reads it (nlohmann, like
    // simdjson, refuses lone surrogates).
    std::string readable;
    ASSERT_TRUE(event::RepairForElasticsearch(r.output, &readable));
    EXPECT_TRUE(IsValidJson(readable)) << readable;
    // The event's own bytes are kept.
    EXPECT_NE(r.output.find(escape), std::string_view::npos);
  }
  // A lone surrogate in the domain itself: U+FFFD, as Elasticsearch stores.
  std::string in_domain = Event();
  in_domain.replace(in_domain.find("pastebin.com"), 12, "x\\udfff.ngrok.io");
  EXPECT_TRUE(h.Matches(in_domain));
  // A proper pair is left to simdjson (no repair needed).
  std::string repaired;
  EXPECT_FALSE(event::RepairForElasticsearch(R"({"a":"\ud83d\ude00"})", &repaired));
  // Escaped backslash then "udfff" is not an escape.
  EXPECT_FALSE(event::RepairForElasticsearch(R"({"a":"\\udfff"})", &repaired));
}

TEST(FailClosed, IntegersBeyondSixtyFourBitsAreKeywordText) {
  Harness h;
  for (const char* n : {"18446744073709551616", "-9223372036854775809",
                        "123456789012345678901234567890"}) {
    std::string e = Event();
    e.insert(e.size() - 1, std::string(",\"counter\":") + n);
    auto r = h.Eval(e);
    EXPECT_EQ(r.status, event::ReadStatus::kOk) << n;
    EXPECT_TRUE(r.enriched) << n;
    EXPECT_NE(r.output.find(std::string("\"counter\":") + n), std::string_view::npos);
  }
  // In a rule field the digits are compared as text, as a keyword indexes.
  std::string e = Event();
  e.replace(e.find("\"S-1-5-21-1-2-3-1001\""), 21, "18446744073709551616");
  EXPECT_TRUE(h.Matches(e));
  // What no double holds stays an error, as Elasticsearch refuses it.
  std::string inf = Event();
  inf.insert(inf.size() - 1, ",\"x\":1e999");
  EXPECT_EQ(h.Eval(inf).status, event::ReadStatus::kNotJson);
}

TEST(FailClosed, NestedArraysAreFlattened) {
  for (auto mode : {event::MatchMode::kCanonical, event::MatchMode::kParity}) {
    Harness h("", mode);
    EXPECT_TRUE(h.Matches(Event().Set("/dns/question/name", nlohmann::json::parse(R"([["pastebin.com"]])"))));
    EXPECT_TRUE(h.Matches(Event().Set("/dns/question/name", nlohmann::json::parse(R"([[], [["x.org", ["pastebin.com"]]]])"))));
    EXPECT_TRUE(h.Matches(Event().Set("/event/category", nlohmann::json::parse(R"([["network"]])"))));
    // Arrays of arrays of objects.
    Event e;
    e.Erase("/dns");
    e.Set("/dns", nlohmann::json::parse(R"([[{"question": {"name": "pastebin.com"}}]])"));
    EXPECT_TRUE(h.Matches(e));
    // An excluding value nested in arrays still excludes.
    EXPECT_FALSE(h.Matches(Event().Set("/user/id", nlohmann::json::parse(R"([["S-1-5-18"]])"))));
  }
}

TEST(FailClosed, ByteOrderMarkIsIgnoredAndKept) {
  Harness h;
  std::string e = "\xEF\xBB\xBF" + std::string(Event());
  auto r = h.Eval(e);
  EXPECT_EQ(r.status, event::ReadStatus::kOk);
  ASSERT_TRUE(r.enriched);
  EXPECT_EQ(r.output.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_TRUE(IsValidJson(r.output.substr(3)));
}

// ---- 10. keys are compared decoded ----

// True if some object of `s` (valid JSON) repeats a key, comparing keys
// decoded.
bool DecodedDuplicateKeys(std::string_view s, size_t at = 0) {
  at = json_text::SkipSpace(s, at);
  bool dup = false;
  if (s[at] == '{') {
    std::vector<std::string> keys;
    json_text::ForEachMember(s, at, [&](const json_text::Member& m) {
      std::string k = json_text::Unescape(m.raw_key);
      for (const auto& seen : keys) dup |= seen == k;
      keys.push_back(k);
      dup |= DecodedDuplicateKeys(s, m.value_begin);
      return !dup;
    });
  } else if (s[at] == '[') {
    json_text::ForEachElement(s, at, [&](size_t b, size_t) {
      dup |= DecodedDuplicateKeys(s, b);
      return !dup;
    });
  }
  return dup;
}

TEST(FailClosed, EscapedKeysAreNotWrittenTwice) {
  Harness h;
  const char* cases[] = {
      R"("t\u0061gs":["a"])",             R"("\u0074ags":"x")",
      R"("r\u0075le":{"x":1})",           R"("rule.n\u0061me":"old")",
      R"("c2siev\u0065":{"old":1})",      R"("thr\u0065at":{"framework":"x"})",
      R"("tags\u0000":["b"])",            R"("t\/ags":["c"])",
      R"("ev\u0065nt.risk_score":3)",     R"("\u0065vent.severity":1)",
      R"("c2sieve.m\u0061tches":[])",     R"("\u0072ule":"scalar")",
      R"("thre\u0061t.framework":"x")",   R"("r\u0075le.id":"x")",
  };
  for (const char* member : cases) {
    std::string e = Event();
    e.insert(e.size() - 1, std::string(",") + member);
    ASSERT_FALSE(DecodedDuplicateKeys(e)) << e;
    auto r = h.Eval(e);
    ASSERT_TRUE(r.enriched) << member;
    ASSERT_TRUE(IsValidJson(r.output)) << r.output;
    EXPECT_FALSE(DecodedDuplicateKeys(r.output)) << member << " -> " << r.output;
  }
}

TEST(FailClosed, UnescapeDecodesJsonStrings) {
  EXPECT_EQ(json_text::Unescape(R"(t\u0061gs)"), "tags");
  EXPECT_EQ(json_text::Unescape(R"(a\"b\\c\/d\n)"), "a\"b\\c/d\n");
  EXPECT_EQ(json_text::Unescape(R"(\ud83d\ude00)"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(json_text::Unescape(R"(\udfff)"), "\xEF\xBF\xBD");
  EXPECT_EQ(json_text::Unescape(R"(\ud800x)"), "\xEF\xBF\xBDx");
  EXPECT_EQ(json_text::Unescape(R"(\uZZ)"), R"(\uZZ)");
}

// ---- 11. no stale verdict after a failure ----

TEST(FailClosed, FailedEvaluationForgetsThePreviousMatch) {
  Harness h;
  ASSERT_TRUE(h.Matches(Event()));
  EXPECT_EQ(h.session->matches().size(), 1u);
  auto r = h.Eval("{not json");
  EXPECT_EQ(r.status, event::ReadStatus::kNotJson);
  EXPECT_TRUE(h.session->matches().empty());
  EXPECT_EQ(h.session->EnrichmentJson(), "{}");
}

}  // namespace
}  // namespace c2s
