// Reproducers of what an attacker and a new user found (issue 11): limits
// out of range, a failed pattern scan, signer fields mixed across
// signatures, valid JSON that was treated as an error, escaped keys
// written twice, and a stale match after a failed evaluation. Each test
// failed before its fix.
#include <hs/hs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "event/json_repair.h"
#include "profiles/profile_loader.h"
#include "rules/exclusions_loader.h"
#include "rules/load_context.h"
#include "rules/ruleset_loader.h"
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

// Found by fuzz_eval_json: a long integer with a leading zero is no JSON
// number (Elasticsearch refuses it), yet the big-integer repair turned it
// into text and the event was read and enriched.
TEST(FailClosed, LongIntegersWithLeadingZerosStayMalformed) {
  Harness h;
  std::string digits(40, '8');
  for (std::string n : std::vector<std::string>{"0" + digits, "-0" + digits, "00", "-"}) {
    std::string e = Event();
    e.insert(e.size() - 1, ",\"counter\":" + n);
    auto r = h.Eval(e);
    EXPECT_EQ(r.status, event::ReadStatus::kNotJson) << n;
    EXPECT_FALSE(r.enriched) << n;
    EXPECT_EQ(r.output, e) << n;
  }
  std::string repaired;
  EXPECT_FALSE(event::RepairForElasticsearch("{\"a\":0" + digits + "}", &repaired));
  EXPECT_TRUE(event::RepairForElasticsearch("{\"a\":-" + digits + "}", &repaired));
  EXPECT_EQ(repaired, "{\"a\":\"-" + digits + "\"}");
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

namespace c2s {
namespace {

using testing::Harness;

// ---- 6. pushes that would blind the rule ----

std::string Doc(const std::string& entries, const std::string& top = "") {
  return R"({"format":"c2sieve.exclusions/1",)" + top + R"("exclusions":[)" + entries + "]}";
}

absl::Status Push(const std::string& doc) {
  auto parsed = rules::ParseExclusions(doc, "push.json");
  if (!parsed.ok()) return parsed.status();
  runtime::EngineCore::Options o;
  auto core = runtime::EngineCore::Create(std::move(o));
  if (!core.ok()) return core.status();
  return (*core)->SetExclusions(&*parsed);
}

TEST(FailClosed, PushesThatWouldBlindTheRuleAreRefused) {
  // Every example of the report: each left 0-12 of the sample's 186
  // matches, and each was accepted without allow_catch_all.
  const char* blinding[] = {
      R"({"reason":"r","process.executable":["C:\\*"]})",
      R"({"reason":"r","process.name":["*.exe"]})",
      R"({"reason":"r","process.name":["*e"]})",
      R"({"reason":"r","process.name":["*a","*b","*c","*d","*e","*f","*g","*h","*i","*j","*k","*l","*m","*n","*o","*p","*q","*r","*s","*t","*u","*v","*w","*x","*y","*z"]})",
      R"({"reason":"r","host.name":["*-*"]})",
      R"({"reason":"r","when":{"any":[{"field":"process.name","wildcard":["*"]},{"field":"host.name","wildcard":["x"]}]}})",
      R"({"reason":"r","when":{"field":"process.name","exists":true}})",
      R"({"reason":"r","when":{"field":"event.category","equals":["network"]}})",
      R"({"reason":"r","when":{"not":{"field":"user.id","equals":["nobody"]}}})",
      R"({"reason":"r","dns.question.name":["*.com","*.io","*.org"]})",
      R"({"reason":"r","process.code_signature.subject_name":["Microsoft *"]})",
      R"({"reason":"r","process.code_signature.subject_name":["*"],"process.code_signature.trusted":true})",
  };
  for (const char* e : blinding) {
    auto st = Push(Doc(e));
    ASSERT_FALSE(st.ok()) << e;
    EXPECT_NE(st.message().find("too broad"), std::string::npos) << e << ": " << st;
  }
  // Anchored, but still most of a rule: refused by the probe share.
  auto st = Push(Doc(R"({"reason":"r","process.executable":["C:\\Users\\*"]})"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("suppress 50% of rule 66883649-f908-4a5b-a1e0-54090a1d3a32's probe events"),
            std::string::npos)
      << st;
  EXPECT_NE(st.message().find("allow_broad"), std::string::npos);
  // ... unless the document allows it, which is logged.
  auto allowed = rules::ParseExclusions(
      Doc(R"({"reason":"r","process.executable":["C:\\Users\\*"]})", R"("allow_broad":true,)"), "p");
  ASSERT_TRUE(allowed.ok());
  ASSERT_EQ(allowed->warnings.size(), 1u);
  EXPECT_NE(allowed->warnings[0].find("allow_broad"), std::string::npos);
  runtime::EngineCore::Options o;
  auto core = runtime::EngineCore::Create(std::move(o));
  ASSERT_TRUE(core.ok());
  EXPECT_TRUE((*core)->SetExclusions(&*allowed).ok());
  // Narrow ones pass, and the example file passes.
  for (const char* e : {
           R"({"reason":"r","process.executable":["C:\\Tools\\CorpUpdater\\updater.exe"]})",
           R"({"reason":"r","dns.question.name":["pastebin.com"]})",
           R"({"reason":"r","process.code_signature.subject_name":["Microsoft *"],"process.code_signature.trusted":true,"dns.question.name":["graph.microsoft.com"]})",
           R"({"reason":"r","process.code_signature.subject_name":["Example Corp"],"process.code_signature.trusted":true})",
       })
    EXPECT_TRUE(Push(Doc(e)).ok()) << e << ": " << Push(Doc(e));
}

TEST(FailClosed, ProbeShareIsMeasuredPerRule) {
  runtime::EngineCore::Options o;
  auto core = runtime::EngineCore::Create(std::move(o));
  ASSERT_TRUE(core.ok());
  auto one_domain = rules::ParseExclusions(Doc(R"({"reason":"r","dns.question.name":["api.telegram.org"]})"), "d");
  ASSERT_TRUE(one_domain.ok());
  auto measured = (*core)->MeasureExclusions(*one_domain);
  ASSERT_TRUE(measured.ok());
  ASSERT_EQ(measured->size(), 2u);  // the Windows and the Linux rule
  for (const auto& m : *measured) {
    EXPECT_GT(m.probes, 100u) << m.rule_id;
    EXPECT_GT(m.suppressed, 0u) << m.rule_id;
    EXPECT_LT(m.share(), 0.05) << m.rule_id;
  }
}

TEST(FailClosed, DuplicateKeysAreRefusedInEveryConfigurationDocument) {
  auto ex = rules::ParseExclusions(
      R"({"format":"c2sieve.exclusions/1","exclusions":[{"reason":"r",)"
      R"("process.executable":["*"],"process.executable":["C:\\x\\evil.exe"]}]})",
      "dup.json");
  ASSERT_FALSE(ex.ok());
  EXPECT_NE(ex.status().message().find("/exclusions/0/process.executable: duplicate key"),
            std::string::npos)
      << ex.status();
  // Keys compare decoded.
  EXPECT_FALSE(rules::ParseExclusions(
                   R"({"format":"c2sieve.exclusions/1","exclusions":[],"excl\u0075sions":[]})", "d")
                   .ok());
  auto rs = rules::ParseRuleset(R"({"format":"c2sieve.ruleset/1","name":"a","name":"b","rules":[]})",
                                "dup-ruleset.json");
  ASSERT_FALSE(rs.ok());
  EXPECT_NE(rs.status().message().find("dup-ruleset.json:1 /name: duplicate key"), std::string::npos)
      << rs.status();
  auto profiles = profiles::ParseProfiles(
      R"({"format":"c2sieve.profiles/1","profiles":[],"profiles":[]})", "dup-profiles.json");
  EXPECT_FALSE(profiles.ok());
  EXPECT_EQ(json_text::DuplicateKeyPointer(R"({"a":[{"b":1},{"c":{"d":1,"d":2}}]})"), "/a/1/c/d");
  EXPECT_EQ(json_text::DuplicateKeyPointer(R"({"a":{"b":1},"c":{"b":1}})"), "");
}

// ---- 2. watched and loaded files: regular files only, bounded ----

TEST(FailClosed, ConfigurationFilesMustBeRegularAndBounded) {
  auto dir_read = rules::ReadFile("/tmp");
  ASSERT_FALSE(dir_read.ok());
  EXPECT_NE(dir_read.status().message().find("is a directory"), std::string::npos);
  auto dev = rules::ReadFile("/dev/zero");
  ASSERT_FALSE(dev.ok());
  EXPECT_NE(dev.status().message().find("not a regular file"), std::string::npos);
  std::string fifo = ::testing::TempDir() + "/c2s-fifo";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = rules::ReadFile(fifo);  // must not block
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("not a regular file"), std::string::npos);
  ::unlink(fifo.c_str());
  std::string big = ::testing::TempDir() + "/c2s-big.json";
  {
    std::FILE* out = std::fopen(big.c_str(), "w");
    ASSERT_NE(out, nullptr);
    std::string chunk(1 << 20, ' ');
    for (int i = 0; i < 17; ++i) std::fwrite(chunk.data(), 1, chunk.size(), out);
    std::fclose(out);
  }
  auto ex = rules::LoadExclusionsFile(big);
  ASSERT_FALSE(ex.ok());
  EXPECT_NE(ex.status().message().find("larger than the limit of 16777216 bytes"), std::string::npos)
      << ex.status();
  ::unlink(big.c_str());
  auto missing = rules::LoadExclusionsFile("/nonexistent/exclusions.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no such file"), std::string::npos);
}

// ---- 3. a compile budget per push ----

TEST(FailClosed, ExclusionsHaveACompileBudget) {
  std::string many = R"({"reason":"r","dns.question.name":[)";
  for (size_t i = 0; i <= rules::kMaxExclusionPatterns; ++i)
    many += (i ? "," : "") + std::string("\"h") + std::to_string(i) + ".example.org\"";
  many += "]}";
  auto r = rules::ParseExclusions(Doc(many), "big.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than 10000 patterns"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace c2s

namespace c2s {
namespace {

using testing::Event;
using testing::Harness;

// ---- 12. spellings UTS #46 maps to a listed name (canonical mode) ----

TEST(FailClosed, Uts46SpellingsOfListedNamesMatchInCanonicalMode) {
  Harness canonical;
  Harness parity("", event::MatchMode::kParity);
  const char* spellings[] = {
      "\xef\xbd\x81\xef\xbd\x90\xef\xbd\x89.telegram.org",          // full-width "api"
      "api\xe3\x80\x82telegram\xe3\x80\x82org",                       // ideographic full stops
      "api.tele\xe2\x80\x8bgram.org",                                 // zero-width space
      "api.tele\xc2\xadgram.org",                                     // soft hyphen
      "API.TELEGRAM.ORG\xef\xbc\x8e",                                 // full-width root dot
      "\xef\xbc\xa1\xef\xbc\xb0\xef\xbc\xa9.telegram.org",          // full-width capitals
  };
  for (const char* d : spellings) {
    EXPECT_TRUE(canonical.Matches(Event().Domain(d))) << d;
    EXPECT_FALSE(parity.Matches(Event().Domain(d))) << d;  // as Elasticsearch compares
  }
  // Four spellings of one IDN against a rule listing its A-label.
  rules::Ruleset rs;
  rs.name = "idn";
  rules::Rule r;
  r.id = "idn-1";
  r.name = "idn";
  r.query.kind = rules::NodeKind::kWildcard;
  r.query.field = "dns.question.name";
  r.query.values = {"xn--bcher-kva.example"};
  rs.rules.push_back(r);
  Harness idn({rs}, false);
  for (const char* d : {"xn--bcher-kva.example", "XN--BCHER-KVA.example", "b\xc3\xbc" "cher.example",
                        "bu\xcc\x88" "cher.example", "B\xc3\x9c" "CHER.example"})
    EXPECT_TRUE(idn.Matches(R"({"dns":{"question":{"name":")" + std::string(d) + R"("}}})")) << d;
}

TEST(FailClosed, UrlShapedConnectionValuesReduceToTheirHost) {
  Harness h("", event::MatchMode::kCanonical, "", {"ecs-connection"});
  for (const char* v : {"https://pastebin.com/raw/abc", "pastebin.com:443", "pastebin%2ecom",
                        "http://u@PASTEBIN.com:8080/"}) {
    Event e;
    e.Erase("/dns");
    e.Set("/url/domain", v);
    EXPECT_TRUE(h.Matches(e)) << v;
  }
}

}  // namespace
}  // namespace c2s
