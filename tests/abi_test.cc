// The public C ABI, used exactly as a host would: through libc2sieve.so and
// c2sieve.h only.
#include "c2sieve.h"

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

const char* kMatching =
    R"({"event":{"category":["network"]},"host":{"os":{"type":"windows"}},)"
    R"("dns":{"question":{"name":"pastebin.com"}},)"
    R"("process":{"name":"evil.exe","executable":"C:\\Users\\Public\\evil.exe"},)"
    R"("user":{"id":"S-1-5-21-1-2-3-1001"},"tags":["edr"]})";
const char* kBenign =
    R"({"event":{"category":["network"]},"host":{"os":{"type":"windows"}},)"
    R"("dns":{"question":{"name":"www.example.com"}},"process":{"name":"a.exe"}})";

const char* kExcludeEvil = R"({"format":"c2sieve.exclusions/1","exclusions":[
  {"reason":"test","process.name":["evil.exe"]}]})";
const char* kExcludeOther = R"({"format":"c2sieve.exclusions/1","exclusions":[
  {"reason":"test","process.name":["other.exe"]}]})";
const char* kBroken = R"({"format":"c2sieve.exclusions/1","exclusions":[{"reason":"x"}]})";

struct Engine {
  c2s_engine* e = nullptr;
  c2s_session* s = nullptr;
  Engine() {
    EXPECT_EQ(c2s_engine_create_default(&e), C2S_OK) << c2s_last_error();
    EXPECT_EQ(c2s_session_create(e, &s), C2S_OK);
  }
  ~Engine() {
    c2s_session_free(s);
    c2s_engine_free(e);
  }
};

c2s_source Buffer(const char* name, const char* text) {
  return c2s_source{name, text, std::strlen(text)};
}

TEST(Abi, VersionAndStatusNames) {
  // One version: CMake's project() -> the header's macros -> the library.
  EXPECT_STREQ(c2s_version(), C2S_PROJECT_VERSION);
  EXPECT_STREQ(C2S_VERSION_STRING, C2S_PROJECT_VERSION);
  EXPECT_EQ(c2s_version_number(), static_cast<unsigned>(C2S_VERSION_NUMBER));
  EXPECT_EQ(std::to_string(C2S_VERSION_MAJOR) + "." + std::to_string(C2S_VERSION_MINOR) + "." +
                std::to_string(C2S_VERSION_PATCH),
            C2S_PROJECT_VERSION);
  EXPECT_STREQ(c2s_status_name(C2S_E_EXCLUSIONS), "C2S_E_EXCLUSIONS");
  EXPECT_STREQ(c2s_status_name(999), "C2S_E_UNKNOWN");
}

TEST(Abi, FieldsAndRules) {
  Engine g;
  ASSERT_GE(c2s_engine_field_count(g.e), 9u);
  int dns = c2s_engine_field_index(g.e, "dns.question.name");
  ASSERT_GE(dns, 0);
  EXPECT_STREQ(c2s_engine_field_name(g.e, dns), "dns.question.name");
  EXPECT_EQ(c2s_engine_field_index(g.e, "no.such.field"), -1);
  EXPECT_EQ(c2s_engine_field_name(g.e, 10000), nullptr);
  EXPECT_GE(c2s_engine_field_index(g.e, "host.name"), 0);  // exclusion field
  ASSERT_EQ(c2s_engine_rule_count(g.e), 2u);  // the Windows rule and its Linux companion
  EXPECT_STREQ(c2s_engine_rule_id(g.e, 0), "66883649-f908-4a5b-a1e0-54090a1d3a32");
  EXPECT_STREQ(c2s_engine_rule_name(g.e, 0), "Connection to Commonly Abused Web Services");
  EXPECT_STREQ(c2s_engine_rule_id(g.e, 1), "8248323e-f888-4134-a26f-37a6362f7231");
  EXPECT_STREQ(c2s_engine_rule_name(g.e, 1), "DNS to Commonly Abused Web Services");
  EXPECT_EQ(c2s_engine_rule_id(g.e, 2), nullptr);
}

std::vector<c2s_value> Values(c2s_engine* e, const char* domain, const char* exe) {
  auto str = [&](const char* f, const char* v) {
    return c2s_value{c2s_engine_field_index(e, f), C2S_VALUE_STRING, v, std::strlen(v), {}};
  };
  std::string name = std::string(exe).substr(std::string(exe).find_last_of('\\') + 1);
  static thread_local std::string keep;
  keep = name;
  return {str("event.category", "network"), str("host.os.type", "windows"),
          str("dns.question.name", domain), str("process.executable", exe),
          str("process.name", keep.c_str())};
}

TEST(Abi, FieldLevelEvaluation) {
  Engine g;
  auto v = Values(g.e, "X.NGROK.IO", "C:\\Users\\Public\\a.exe");
  size_t n = 99;
  ASSERT_EQ(c2s_eval_fields(g.s, v.data(), v.size(), &n), C2S_OK);
  ASSERT_EQ(n, 1u);
  c2s_match m;
  ASSERT_EQ(c2s_session_match(g.s, 0, &m), C2S_OK);
  EXPECT_STREQ(m.rule_id, "66883649-f908-4a5b-a1e0-54090a1d3a32");
  EXPECT_STREQ(m.field, "dns.question.name");
  EXPECT_STREQ(m.pattern, "*.ngrok.io");
  EXPECT_STREQ(m.value, "x.ngrok.io");  // canonical: lowercased
  EXPECT_EQ(c2s_session_match(g.s, 1, &m), C2S_E_INVALID_ARGUMENT);
  const char* json = nullptr;
  size_t size = 0;
  ASSERT_EQ(c2s_session_enrichment(g.s, &json, &size), C2S_OK);
  std::string enrichment(json, size);
  EXPECT_NE(enrichment.find("\"rule\":{\"id\":\"66883649"), std::string::npos);
  EXPECT_NE(enrichment.find("\"tags\":["), std::string::npos);
  EXPECT_NE(enrichment.find("\"pattern\":\"*.ngrok.io\""), std::string::npos);

  v = Values(g.e, "X.NGROK.IO", "C:\\Program Files\\a.exe");
  ASSERT_EQ(c2s_eval_fields(g.s, v.data(), v.size(), &n), C2S_OK);
  EXPECT_EQ(n, 0u);
  ASSERT_EQ(c2s_session_enrichment(g.s, &json, &size), C2S_OK);
  EXPECT_STREQ(json, "{}");
}

TEST(Abi, FieldLevelArraysAndBooleans) {
  Engine g;
  auto v = Values(g.e, "example.com", "C:\\Users\\Public\\a.exe");
  int dns = c2s_engine_field_index(g.e, "dns.question.name");
  v.push_back({dns, C2S_VALUE_STRING, "pastebin.com", 12, {}});  // second element
  size_t n = 0;
  ASSERT_EQ(c2s_eval_fields(g.s, v.data(), v.size(), &n), C2S_OK);
  EXPECT_EQ(n, 1u);
  int signer = c2s_engine_field_index(g.e, "process.code_signature.subject_name");
  int trusted = c2s_engine_field_index(g.e, "process.code_signature.trusted");
  v.push_back({signer, C2S_VALUE_STRING, "Google LLC", 10, {}});
  v.push_back({trusted, C2S_VALUE_TRUE, nullptr, 0, {}});
  ASSERT_EQ(c2s_eval_fields(g.s, v.data(), v.size(), &n), C2S_OK);
  EXPECT_EQ(n, 0u);
  v.back().type = C2S_VALUE_FALSE;
  ASSERT_EQ(c2s_eval_fields(g.s, v.data(), v.size(), &n), C2S_OK);
  EXPECT_EQ(n, 1u);
}

TEST(Abi, FieldLevelRejectsBadInput) {
  Engine g;
  size_t n = 7;
  c2s_value bad{9999, C2S_VALUE_STRING, "x", 1, {}};
  EXPECT_EQ(c2s_eval_fields(g.s, &bad, 1, &n), C2S_E_INVALID_ARGUMENT);
  EXPECT_NE(std::string(c2s_last_error()).find("out of range"), std::string::npos);
  EXPECT_EQ(n, 0u);
  c2s_value bad_type{0, 42, "x", 1, {}};
  EXPECT_EQ(c2s_eval_fields(g.s, &bad_type, 1, &n), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_eval_fields(nullptr, nullptr, 0, &n), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_eval_fields(g.s, nullptr, 0, &n), C2S_OK);  // no fields: no match
  EXPECT_EQ(n, 0u);
}

// Found when attacked: after a failed c2s_eval_fields, c2s_session_match
// still returned the previous event's match.
TEST(Abi, FailedEvaluationLeavesNoStaleMatch) {
  Engine g;
  auto v = Values(g.e, "pastebin.com", "C:\\Users\\Public\\a.exe");
  size_t n = 0;
  ASSERT_EQ(c2s_eval_fields(g.s, v.data(), v.size(), &n), C2S_OK);
  ASSERT_EQ(n, 1u);
  v.push_back({9999, C2S_VALUE_STRING, "x", 1, {}});
  EXPECT_EQ(c2s_eval_fields(g.s, v.data(), v.size(), &n), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(n, 0u);
  c2s_match m;
  EXPECT_EQ(c2s_session_match(g.s, 0, &m), C2S_E_INVALID_ARGUMENT);
  const char* json = nullptr;
  ASSERT_EQ(c2s_session_enrichment(g.s, &json, nullptr), C2S_OK);
  EXPECT_STREQ(json, "{}");
  // Same after a malformed JSON event.
  ASSERT_EQ(c2s_eval_fields(g.s, v.data(), v.size() - 1, &n), C2S_OK);
  c2s_output out;
  EXPECT_EQ(c2s_eval_json(g.s, "{bad", 4, &out), C2S_E_EVENT);
  EXPECT_EQ(c2s_session_match(g.s, 0, &m), C2S_E_INVALID_ARGUMENT);
}

// Found when attacked: max_depth of 4294967295 (or a huge max_event_bytes)
// crashed the host on its first c2s_eval_json. Out-of-range limits are
// refused by c2s_engine_create, naming the range.
TEST(Abi, LimitsOutOfRangeAreInvalidArguments) {
  for (uint32_t depth : {4097u, 4294967295u, 1000000000u}) {
    c2s_engine_config config;
    c2s_engine_config_init(&config);
    config.max_depth = depth;
    c2s_engine* e = nullptr;
    EXPECT_EQ(c2s_engine_create(&config, &e), C2S_E_INVALID_ARGUMENT) << depth;
    EXPECT_EQ(e, nullptr);
    EXPECT_NE(std::string(c2s_last_error()).find("max-depth must be between 1 and 4096"),
              std::string::npos)
        << c2s_last_error();
  }
  for (size_t bytes : {size_t{10}, (size_t{1} << 30) + 1, ~size_t{0}}) {
    c2s_engine_config config;
    c2s_engine_config_init(&config);
    config.max_event_bytes = bytes;
    c2s_engine* e = nullptr;
    EXPECT_EQ(c2s_engine_create(&config, &e), C2S_E_INVALID_ARGUMENT) << bytes;
  }
  c2s_engine_config config;
  c2s_engine_config_init(&config);
  config.max_depth = 4096;
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create(&config, &e), C2S_OK) << c2s_last_error();
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  std::string deep = "{\"a\":" + std::string(4000, '[') + std::string(4000, ']') + "}";
  c2s_output out;
  EXPECT_EQ(c2s_eval_json(s, deep.data(), deep.size(), &out), C2S_OK);
  c2s_session_free(s);
  c2s_engine_free(e);
}

TEST(Abi, JsonEvaluation) {
  Engine g;
  c2s_output out;
  ASSERT_EQ(c2s_eval_json(g.s, kBenign, std::strlen(kBenign), &out), C2S_OK);
  EXPECT_EQ(out.data, kBenign);  // not copied, not re-serialized
  EXPECT_EQ(out.size, std::strlen(kBenign));
  EXPECT_EQ(out.enriched, 0);

  ASSERT_EQ(c2s_eval_json(g.s, kMatching, std::strlen(kMatching), &out), C2S_OK);
  EXPECT_EQ(out.enriched, 1);
  EXPECT_EQ(out.matched_rules, 1u);
  std::string enriched(out.data, out.size);
  EXPECT_NE(enriched.find("\"tags\":[\"edr\",\"c2sieve: commonly abused web service\"]"),
            std::string::npos) << enriched;
  EXPECT_NE(enriched.find("\"risk_score\":21"), std::string::npos);

  const char* garbage = "{\"dns\": ";
  ASSERT_EQ(c2s_eval_json(g.s, garbage, std::strlen(garbage), &out), C2S_E_EVENT);
  EXPECT_EQ(out.data, garbage);
  EXPECT_NE(std::string(c2s_last_error()).find("not valid JSON"), std::string::npos);
  const char* array = "[1,2]";
  EXPECT_EQ(c2s_eval_json(g.s, array, 5, &out), C2S_E_EVENT);
  EXPECT_EQ(out.data, array);

  c2s_stats st;
  c2s_engine_stats(g.e, &st);
  EXPECT_EQ(st.events, 4u);
  EXPECT_EQ(st.matches, 1u);
  EXPECT_EQ(st.errors, 2u);
}

TEST(Abi, NdjsonBatchKeepsEveryLineInOrder) {
  Engine g;
  std::string in = std::string(kBenign) + "\n\nnot json\n" + kMatching + "\r\n" + kBenign;
  c2s_batch_result r;
  ASSERT_EQ(c2s_eval_ndjson(g.s, in.data(), in.size(), 0, &r), C2S_OK);
  EXPECT_EQ(r.lines, 5u);
  EXPECT_EQ(r.matched_lines, 1u);
  EXPECT_EQ(r.error_lines, 1u);
  std::string out(r.data, r.size);
  std::vector<std::string> lines;
  for (size_t p = 0, nl; (nl = out.find('\n', p)) != std::string::npos; p = nl + 1)
    lines.push_back(out.substr(p, nl - p));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], kBenign);
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[2], "not json");
  EXPECT_NE(lines[3].find("\"rule\":{"), std::string::npos);
  EXPECT_EQ(lines[4], kBenign);

  ASSERT_EQ(c2s_eval_ndjson(g.s, in.data(), in.size(), 1, &r), C2S_OK);
  out.assign(r.data, r.size);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
}

TEST(Abi, EngineFromBuffersAndFiles) {
  const char* rules = R"({"format":"c2sieve.ruleset/1","name":"mine","rules":[
    {"id":"mine-1","name":"Evil domain","risk_score":73,"severity":"high",
     "query":{"field":"dns.question.name","wildcard":["*.evil.test"]}}]})";
  c2s_source rs[2] = {Buffer("mine.json", rules), {nullptr, nullptr, 0}};
  std::string path = std::string(C2S_SOURCE_DIR) +
                     "/rulesets/elastic/command_and_control_common_webservices.json";
  rs[1].name = path.c_str();
  c2s_engine_config cfg;
  c2s_engine_config_init(&cfg);
  cfg.use_builtin_rulesets = 0;
  cfg.rulesets = rs;
  cfg.ruleset_count = 2;
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create(&cfg, &e), C2S_OK) << c2s_last_error();
  EXPECT_EQ(c2s_engine_rule_count(e), 2u);
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  // One event matching both rules: both enrichments, one pass.
  std::string both = kMatching;
  both.replace(both.find("pastebin.com"), 12, "a.evil.test");
  c2s_output out;
  ASSERT_EQ(c2s_eval_json(s, both.data(), both.size(), &out), C2S_OK);
  EXPECT_EQ(out.matched_rules, 1u);  // the Elastic list lacks evil.test
  ASSERT_EQ(c2s_eval_json(s, kMatching, std::strlen(kMatching), &out), C2S_OK);
  EXPECT_EQ(out.matched_rules, 1u);
  c2s_session_free(s);
  c2s_engine_free(e);

  // Duplicate rule ids across rulesets are refused.
  cfg.use_builtin_rulesets = 1;
  cfg.rulesets = &rs[1];
  cfg.ruleset_count = 1;
  EXPECT_EQ(c2s_engine_create(&cfg, &e), C2S_E_COMPILE);
  EXPECT_EQ(e, nullptr);
  EXPECT_NE(std::string(c2s_last_error()).find("already loaded"), std::string::npos);
}

TEST(Abi, BadConfigurationNamesTheFile) {
  c2s_source bad = Buffer("team-rules.json", "{\"format\": \"c2sieve.ruleset/1\",\n\"name\": 5}");
  c2s_engine_config cfg;
  c2s_engine_config_init(&cfg);
  cfg.rulesets = &bad;
  cfg.ruleset_count = 1;
  c2s_engine* e = nullptr;
  EXPECT_EQ(c2s_engine_create(&cfg, &e), C2S_E_RULESET);
  EXPECT_STREQ(c2s_last_error(), "team-rules.json:2 /name: must be a non-empty string");

  c2s_source missing{"/nonexistent/excl.json", nullptr, 0};
  c2s_engine_config_init(&cfg);
  cfg.exclusions = &missing;
  EXPECT_EQ(c2s_engine_create(&cfg, &e), C2S_E_IO);
  EXPECT_NE(std::string(c2s_last_error()).find("/nonexistent/excl.json"), std::string::npos);

  c2s_engine_config zero;
  std::memset(&zero, 0, sizeof zero);
  EXPECT_EQ(c2s_engine_create(&zero, &e), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_engine_create(nullptr, &e), C2S_E_INVALID_ARGUMENT);
}

TEST(Abi, ProfilesAndModes) {
  // A flat Sysmon event with a raw device path into Program Files.
  const char* sysmon =
      R"({"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":22,"QueryName":"pastebin.com",)"
      R"("Image":"\\Device\\HarddiskVolume2\\Program Files\\x.exe","User":"CORP\\bob"})";
  auto matches = [&](const c2s_engine_config& cfg) {
    c2s_engine* e = nullptr;
    c2s_session* s = nullptr;
    EXPECT_EQ(c2s_engine_create(&cfg, &e), C2S_OK) << c2s_last_error();
    EXPECT_EQ(c2s_session_create(e, &s), C2S_OK);
    c2s_output out;
    EXPECT_EQ(c2s_eval_json(s, sysmon, std::strlen(sysmon), &out), C2S_OK);
    size_t n = out.matched_rules;
    c2s_session_free(s);
    c2s_engine_free(e);
    return n > 0;
  };
  c2s_engine_config cfg;
  c2s_engine_config_init(&cfg);
  EXPECT_FALSE(matches(cfg));  // canonical: ?:\Program Files\x.exe is excluded
  cfg.mode = C2S_MODE_PARITY;
  EXPECT_TRUE(matches(cfg));   // parity: the raw device path is not
  cfg.mode = C2S_MODE_CANONICAL;
  cfg.force_profile = "ecs";
  EXPECT_FALSE(matches(cfg));  // read as ECS it has no dns.question.name
  cfg.force_profile = nullptr;
  c2s_source prof = Buffer("mine.json", R"({"format":"c2sieve.profiles/1","profiles":[
    {"name":"mine","priority":1000,"detect":{"field":"Channel","exists":true},"fields":{}}]})");
  cfg.profiles = &prof;
  cfg.profile_count = 1;
  EXPECT_FALSE(matches(cfg));  // "mine" maps nothing: no ECS fields either
  cfg.mode = 7;
  c2s_engine* e = nullptr;
  EXPECT_EQ(c2s_engine_create(&cfg, &e), C2S_E_INVALID_ARGUMENT);
  cfg.mode = C2S_MODE_CANONICAL;
  c2s_source broken = Buffer("broken.json", R"({"format":"c2sieve.profiles/1","profiles":[{}]})");
  cfg.profiles = &broken;
  EXPECT_EQ(c2s_engine_create(&cfg, &e), C2S_E_PROFILE);
  EXPECT_NE(std::string(c2s_last_error()).find("broken.json:1 /profiles/0"), std::string::npos)
      << c2s_last_error();
  cfg.profiles = nullptr;
  cfg.profile_count = 0;
  cfg.enable_profiles = "ecs-connection, sysmon-network-flat";
  EXPECT_FALSE(matches(cfg));
  cfg.enable_profiles = "nope";
  EXPECT_EQ(c2s_engine_create(&cfg, &e), C2S_E_COMPILE);
}

TEST(Abi, ExclusionsSwapLiveAndBadPushesKeepTheLastGood) {
  Engine g;
  c2s_output out;
  auto matches = [&] {
    EXPECT_EQ(c2s_eval_json(g.s, kMatching, std::strlen(kMatching), &out), C2S_OK);
    return out.matched_rules > 0;
  };
  EXPECT_TRUE(matches());
  c2s_source ex = Buffer("push-1.json", kExcludeEvil);
  ASSERT_EQ(c2s_engine_set_exclusions(g.e, &ex), C2S_OK) << c2s_last_error();
  EXPECT_FALSE(matches());
  c2s_source broken = Buffer("push-2.json", kBroken);
  EXPECT_EQ(c2s_engine_set_exclusions(g.e, &broken), C2S_E_EXCLUSIONS);
  EXPECT_NE(std::string(c2s_last_error()).find("push-2.json:1 /exclusions/0"),
            std::string::npos) << c2s_last_error();
  EXPECT_FALSE(matches());  // push-1 still in force
  ASSERT_EQ(c2s_engine_set_exclusions(g.e, nullptr), C2S_OK);
  EXPECT_TRUE(matches());
  c2s_stats st;
  c2s_engine_stats(g.e, &st);
  EXPECT_EQ(st.exclusion_swaps, 2u);
  EXPECT_EQ(st.exclusion_rejects, 1u);
}

TEST(Abi, SessionsOutliveTheEngineHandle) {
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  c2s_engine_free(e);
  c2s_output out;
  EXPECT_EQ(c2s_eval_json(s, kMatching, std::strlen(kMatching), &out), C2S_OK);
  EXPECT_EQ(out.matched_rules, 1u);
  c2s_session_free(s);
}

// Evaluators on several threads while exclusions alternate between two
// valid versions and a broken one that would exclude "target.exe": every
// evaluation succeeds, and the broken version never applies.
TEST(Abi, ConcurrentEvaluationDuringSwaps) {
  Engine g;
  std::string target = kMatching;
  target.replace(target.find("evil.exe"), 8, "target.exe");
  const char* broken_with_target = R"({"format":"c2sieve.exclusions/1","exclusions":[
    {"reason":"would hide target","process.name":["target.exe"]},
    {"reason":"names a rule that is not loaded","rules":["nope"],"process.name":["x"]}]})";
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> evaluations{0}, failures{0}, target_excluded{0}, evil_seen[2] = {{0}, {0}};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      c2s_session* s = nullptr;
      if (c2s_session_create(g.e, &s) != C2S_OK) {
        ++failures;
        return;
      }
      c2s_output a, b;
      while (!stop.load()) {
        if (c2s_eval_json(s, kMatching, std::strlen(kMatching), &a) != C2S_OK ||
            c2s_eval_json(s, target.data(), target.size(), &b) != C2S_OK) {
          ++failures;
          continue;
        }
        if (b.matched_rules == 0) ++target_excluded;
        ++evil_seen[a.matched_rules > 0 ? 1 : 0];
        evaluations += 2;
      }
      c2s_session_free(s);
    });
  }
  c2s_source versions[3] = {Buffer("evil.json", kExcludeEvil),
                            Buffer("broken.json", broken_with_target),
                            Buffer("other.json", kExcludeOther)};
  int rejected = 0;
  for (int i = 0; i < 30; ++i) {
    c2s_status st = c2s_engine_set_exclusions(g.e, &versions[i % 3]);
    if (i % 3 == 1) {
      EXPECT_EQ(st, C2S_E_EXCLUSIONS);
      ++rejected;
    } else {
      EXPECT_EQ(st, C2S_OK) << c2s_last_error();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0u);
  EXPECT_EQ(target_excluded.load(), 0u);
  EXPECT_GT(evaluations.load(), 0u);
  // Both valid versions were seen by the evaluators.
  EXPECT_GT(evil_seen[0].load(), 0u);
  EXPECT_GT(evil_seen[1].load(), 0u);
  c2s_stats st;
  c2s_engine_stats(g.e, &st);
  EXPECT_EQ(st.exclusion_rejects, static_cast<uint64_t>(rejected));
  EXPECT_EQ(st.events, evaluations.load());
}

// Exclusions replaced every millisecond, valid and invalid versions in turn
// (broken JSON, a catch-all that would blind the rule, an unknown field, a
// rule that is not loaded), while four threads evaluate: each evaluation
// that saw one version in force before and after it must carry that
// version's verdict, no evaluation fails, and no invalid version is ever in
// force.
TEST(Abi, VerdictsFollowTheVersionInForceDuringMillisecondSwaps) {
  Engine g;
  struct Version {
    const char* name;
    const char* text;
    bool valid;
    bool matches;  // kMatching's verdict under it
  };
  const Version versions[] = {
      {"evil.json", kExcludeEvil, true, false},
      {"broken-json.json", R"({"format":"c2sieve.exclusions/1","exclusions":[)", false, false},
      {"other.json", kExcludeOther, true, true},
      {"catch-all.json", R"({"format":"c2sieve.exclusions/1","exclusions":[
         {"reason":"blinds the rule","process.executable":["*"]}]})", false, false},
      {"evil.json", kExcludeEvil, true, false},
      {"unknown-field.json", R"({"format":"c2sieve.exclusions/1","exclusions":[
         {"reason":"typo","process.exectuable":["C:\\x.exe"]}]})", false, false},
      {"other.json", kExcludeOther, true, true},
      {"unknown-rule.json", R"({"format":"c2sieve.exclusions/1","exclusions":[
         {"reason":"not loaded","rules":["nope"],"process.name":["evil.exe"]}]})", false, false},
  };
  const size_t n = sizeof(versions) / sizeof(versions[0]);
  c2s_source first = Buffer("other.json", kExcludeOther);
  ASSERT_EQ(c2s_engine_set_exclusions(g.e, &first), C2S_OK);

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> failures{0}, checked{0}, wrong{0}, invalid_in_force{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      c2s_session* s = nullptr;
      if (c2s_session_create(g.e, &s) != C2S_OK) {
        ++failures;
        return;
      }
      c2s_exclusions_info before, after;
      c2s_output out;
      while (!stop.load(std::memory_order_relaxed)) {
        c2s_engine_exclusions_info(g.e, &before);
        if (c2s_eval_json(s, kMatching, std::strlen(kMatching), &out) != C2S_OK) {
          ++failures;
          continue;
        }
        c2s_engine_exclusions_info(g.e, &after);
        const Version* in_force = nullptr;
        for (const Version& v : versions) {
          if (std::strcmp(v.name, before.origin) == 0) in_force = &v;
        }
        if (in_force == nullptr || !in_force->valid) {
          ++invalid_in_force;
          continue;
        }
        if (before.generation != after.generation) continue;  // swapped meanwhile
        ++checked;
        if ((out.matched_rules > 0) != in_force->matches) ++wrong;
      }
      c2s_session_free(s);
    });
  }
  uint64_t rejected = 0, applied = 1;
  for (size_t i = 0; i < 50 * n; ++i) {
    const Version& v = versions[i % n];
    c2s_source src = Buffer(v.name, v.text);
    c2s_status st = c2s_engine_set_exclusions(g.e, &src);
    if (v.valid) {
      EXPECT_EQ(st, C2S_OK) << v.name << ": " << c2s_last_error();
      ++applied;
    } else {
      EXPECT_EQ(st, C2S_E_EXCLUSIONS) << v.name;
      ++rejected;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0u);
  EXPECT_EQ(invalid_in_force.load(), 0u);
  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_GT(checked.load(), 100u);
  c2s_stats st;
  c2s_engine_stats(g.e, &st);
  EXPECT_EQ(st.exclusion_rejects, rejected);
  EXPECT_EQ(st.exclusion_swaps, applied);
}

// Either built-in rule (Windows, Linux) can be switched off by configuration.
TEST(Abi, EitherBuiltinRuleCanBeSwitchedOff) {
  for (const char* off : {"66883649-f908-4a5b-a1e0-54090a1d3a32", "8248323e-f888-4134-a26f-37a6362f7231"}) {
    c2s_engine_config cfg;
    c2s_engine_config_init(&cfg);
    cfg.disable_rules = off;
    c2s_engine* e = nullptr;
    ASSERT_EQ(c2s_engine_create(&cfg, &e), C2S_OK) << c2s_last_error();
    ASSERT_EQ(c2s_engine_rule_count(e), 1u);
    EXPECT_STRNE(c2s_engine_rule_id(e, 0), off);
    c2s_engine_free(e);
  }
  c2s_engine_config cfg;
  c2s_engine_config_init(&cfg);
  cfg.disable_rules = " 8248323e-f888-4134-a26f-37a6362f7231 , no-such-rule";
  c2s_engine* e = nullptr;
  EXPECT_EQ(c2s_engine_create(&cfg, &e), C2S_E_INVALID_ARGUMENT);
  EXPECT_NE(std::string(c2s_last_error()).find("cannot disable rule no-such-rule"), std::string::npos)
      << c2s_last_error();
  cfg.disable_rules = "66883649-f908-4a5b-a1e0-54090a1d3a32,8248323e-f888-4134-a26f-37a6362f7231";
  EXPECT_EQ(c2s_engine_create(&cfg, &e), C2S_E_INVALID_ARGUMENT);  // nothing left to run
}

}  // namespace
