// The host contract of c2sieve.h: options by name, typed values, the
// enrichment as operations, per-rule counters and the periodic statistics
// line -- used exactly as a host would, through libc2sieve.so only.
#include "c2sieve.h"

#include <chrono>
#include <cstring>
#include <mutex>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

const char* kMatchingEvent =
    R"({"event":{"category":["network"]},"host":{"os":{"type":"windows"}},)"
    R"("dns":{"question":{"name":"pastebin.com"}},)"
    R"("process":{"name":"evil.exe","executable":"C:\\Users\\Public\\evil.exe"},"tags":["edr"]})";

struct Options {
  c2s_options* o = nullptr;
  Options() { EXPECT_EQ(c2s_options_create(&o), C2S_OK); }
  ~Options() { c2s_options_free(o); }
};

c2s_value Str(c2s_engine* e, const char* field, const char* s) {
  c2s_value v;
  std::memset(&v, 0, sizeof v);
  v.field = c2s_engine_field_index(e, field);
  v.type = C2S_VALUE_STRING;
  v.data = s;
  v.size = std::strlen(s);
  return v;
}

TEST(HostContract, EveryOptionIsListedWithHelpAndFlags) {
  ASSERT_GT(c2s_option_count(), 10u);
  std::vector<std::string> names;
  for (size_t i = 0; i < c2s_option_count(); ++i) {
    ASSERT_NE(c2s_option_name(i), nullptr);
    ASSERT_NE(c2s_option_help(i), nullptr);
    EXPECT_NE(std::string(c2s_option_help(i)).find("Value: "), std::string::npos);
    names.push_back(c2s_option_name(i));
  }
  EXPECT_EQ(c2s_option_name(c2s_option_count()), nullptr);
  for (const char* want : {"ruleset", "exclusions", "mode", "max-event-bytes", "only-matches",
                           "tag", "disable-rule", "watch-interval-ms", "stats-interval-s"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  size_t ruleset = std::find(names.begin(), names.end(), "ruleset") - names.begin();
  EXPECT_TRUE(c2s_option_flags(ruleset) & C2S_OPTION_REPEATABLE);
  size_t only = std::find(names.begin(), names.end(), "only-matches") - names.begin();
  EXPECT_TRUE(c2s_option_flags(only) & C2S_OPTION_FLAG);
  EXPECT_TRUE(c2s_option_flags(only) & C2S_OPTION_HOST);
}

TEST(HostContract, KeysInEveryHostsSpelling) {
  Options o;
  EXPECT_EQ(c2s_options_set(o.o, "MAX_EVENT_BYTES", "4096"), C2S_OK) << c2s_last_error();
  EXPECT_STREQ(c2s_options_get(o.o, "max-event-bytes"), "4096");
  EXPECT_EQ(c2s_options_set(o.o, "only_matches", "on"), C2S_OK);
  EXPECT_STREQ(c2s_options_get(o.o, "Only-Matches"), "true");
  EXPECT_STREQ(c2s_options_get(o.o, "mode"), "canonical");  // the default
  EXPECT_STREQ(c2s_options_get(o.o, "stats-interval-s"), "60");
  EXPECT_EQ(c2s_options_get(o.o, "nonsense"), nullptr);
}

TEST(HostContract, BadKeysAndValuesAreRefusedWithWhatIsValid) {
  Options o;
  EXPECT_EQ(c2s_options_set(o.o, "exclusion", "x.json"), C2S_E_INVALID_ARGUMENT);
  std::string err = c2s_last_error();
  EXPECT_NE(err.find("did you mean exclusions"), std::string::npos) << err;
  EXPECT_NE(err.find("the options are: ruleset, watch-ruleset, builtin"), std::string::npos) << err;
  EXPECT_EQ(c2s_options_set(o.o, "mode", "strict"), C2S_E_INVALID_ARGUMENT);
  EXPECT_NE(std::string(c2s_last_error()).find("canonical, parity"), std::string::npos);
  EXPECT_EQ(c2s_options_set(o.o, "max-depth", "0"), C2S_E_INVALID_ARGUMENT);
  EXPECT_NE(std::string(c2s_last_error()).find("between 1 and 4096"), std::string::npos);
  EXPECT_EQ(c2s_options_set(o.o, "max-depth", "-1"), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_options_set(o.o, "only-matches", "dropp"), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_options_set(o.o, "profile", ""), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_options_set(o.o, "profile", "sysmon-flat"), C2S_OK);
  EXPECT_EQ(c2s_options_set(o.o, "profile", "sysmon-flat"), C2S_E_INVALID_ARGUMENT);
  EXPECT_NE(std::string(c2s_last_error()).find("given twice"), std::string::npos);
  EXPECT_EQ(c2s_options_set(o.o, "tag", "a"), C2S_OK);
  EXPECT_EQ(c2s_options_set(o.o, "tag", "b"), C2S_OK);  // repeatable
  EXPECT_EQ(c2s_options_set(nullptr, "tag", "a"), C2S_E_INVALID_ARGUMENT);
}

TEST(HostContract, EngineFromOptionsAppliesThem) {
  Options o;
  ASSERT_EQ(c2s_options_set(o.o, "tag", "team:c2"), C2S_OK);
  ASSERT_EQ(c2s_options_set(o.o, "disable-rule", "8248323e-f888-4134-a26f-37a6362f7231"), C2S_OK);
  ASSERT_EQ(c2s_options_set(o.o, "stats-interval-s", "0"), C2S_OK);
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_with_options(o.o, &e), C2S_OK) << c2s_last_error();
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  c2s_output out;
  ASSERT_EQ(c2s_eval_json(s, kMatchingEvent, std::strlen(kMatchingEvent), &out), C2S_OK);
  std::string enriched(out.data, out.size);
  EXPECT_NE(enriched.find(R"("tags":["edr","c2sieve: commonly abused web service","team:c2"])"),
            std::string::npos)
      << enriched;
  // Per-rule counters: the Windows rule matched once, the disabled one never.
  size_t windows = 0;
  for (size_t i = 0; i < c2s_engine_rule_count(e); ++i)
    if (std::string(c2s_engine_rule_id(e, i)) == "66883649-f908-4a5b-a1e0-54090a1d3a32")
      windows = i;
  EXPECT_EQ(c2s_engine_rule_matches(e, windows), 1u);
  EXPECT_EQ(c2s_engine_rule_matches(e, windows == 0 ? 1 : 0), 0u);
  EXPECT_EQ(c2s_engine_rule_matches(e, 99), 0u);
  c2s_session_free(s);
  c2s_engine_free(e);
}

TEST(HostContract, EngineFromOptionsFailsOnBadFilesAndSettingsThatCannotWork) {
  {
    Options o;
    ASSERT_EQ(c2s_options_set(o.o, "ruleset", "/nonexistent/rules.json"), C2S_OK);
    c2s_engine* e = nullptr;
    EXPECT_EQ(c2s_engine_create_with_options(o.o, &e), C2S_E_IO);
    EXPECT_EQ(e, nullptr);
    EXPECT_NE(std::string(c2s_last_error()).find("/nonexistent/rules.json"), std::string::npos);
  }
  {
    Options o;
    ASSERT_EQ(c2s_options_set(o.o, "exclusions", "ftp://x/y.json"), C2S_OK);
    c2s_engine* e = nullptr;
    EXPECT_EQ(c2s_engine_create_with_options(o.o, &e), C2S_E_INVALID_ARGUMENT);
    EXPECT_NE(std::string(c2s_last_error()).find("exclusions"), std::string::npos);
  }
  {
    // A missing exclusions file: the engine runs (without them: more
    // matches, never fewer), the failure is counted and logged.
    Options o;
    ASSERT_EQ(c2s_options_set(o.o, "exclusions", "/nonexistent/exclusions.json"), C2S_OK);
    ASSERT_EQ(c2s_options_set(o.o, "stats-interval-s", "0"), C2S_OK);
    std::vector<std::string> logged;
    c2s_options_set_log(o.o, [](void* user, int, const char* m) {
      static_cast<std::vector<std::string>*>(user)->push_back(m);
    }, &logged);
    c2s_engine* e = nullptr;
    ASSERT_EQ(c2s_engine_create_with_options(o.o, &e), C2S_OK) << c2s_last_error();
    c2s_stats st;
    c2s_engine_stats(e, &st);
    EXPECT_EQ(st.exclusion_rejects, 1u);
    c2s_engine_free(e);
    ASSERT_FALSE(logged.empty());
    EXPECT_NE(logged[0].find("/nonexistent/exclusions.json"), std::string::npos);
  }
}

TEST(HostContract, ExclusionsAsFileUrlsLoadThePath) {
  // "file:///p" and "file://localhost/p" name the file /p.
  std::string path = C2S_SOURCE_DIR "/rulesets/examples/exclusions.json";
  for (std::string url : {"file://" + path, "file://localhost" + path}) {
    Options o;
    ASSERT_EQ(c2s_options_set(o.o, "exclusions", url.c_str()), C2S_OK) << url;
    ASSERT_EQ(c2s_options_set(o.o, "stats-interval-s", "0"), C2S_OK);
    c2s_engine* e = nullptr;
    ASSERT_EQ(c2s_engine_create_with_options(o.o, &e), C2S_OK) << c2s_last_error();
    c2s_exclusions_info info;
    c2s_engine_exclusions_info(e, &info);
    EXPECT_EQ(std::string(info.origin), url);  // named as given
    EXPECT_EQ(info.entries, 4u) << url;     // the example file, read
    c2s_stats st;
    c2s_engine_stats(e, &st);
    EXPECT_EQ(st.exclusion_rejects, 0u) << url;
    c2s_engine_free(e);
  }
}

TEST(HostContract, TypedNumbersAreWrittenByTheLibrarysFormatter) {
  // A ruleset on numbers: the typed value matches where its JSON text does.
  const char* rules = R"({"format":"c2sieve.ruleset/1","name":"n","rules":[{"id":"n-1",
    "name":"numbers","description":"d","risk_score":21,"severity":"low","query":{"all":[
    {"field":"destination.port","equals":["1000"]},
    {"field":"network.bytes","equals":["0.5"]},
    {"field":"network.packets","equals":["18446744073709551615"]},
    {"field":"source.port","equals":["-7"]}]}}]})";
  c2s_engine_config cfg;
  c2s_engine_config_init(&cfg);
  cfg.use_builtin_rulesets = 0;
  c2s_source src{"numbers", rules, std::strlen(rules)};
  cfg.rulesets = &src;
  cfg.ruleset_count = 1;
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create(&cfg, &e), C2S_OK) << c2s_last_error();
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  auto eval = [&](double port, double bytes, uint64_t packets, int64_t sport) {
    std::vector<c2s_value> v(4);
    std::memset(v.data(), 0, sizeof(c2s_value) * 4);
    v[0].field = c2s_engine_field_index(e, "destination.port");
    v[0].type = C2S_VALUE_DOUBLE;
    v[0].number.d = port;
    v[1].field = c2s_engine_field_index(e, "network.bytes");
    v[1].type = C2S_VALUE_DOUBLE;
    v[1].number.d = bytes;
    v[2].field = c2s_engine_field_index(e, "network.packets");
    v[2].type = C2S_VALUE_UINT;
    v[2].number.u = packets;
    v[3].field = c2s_engine_field_index(e, "source.port");
    v[3].type = C2S_VALUE_INT;
    v[3].number.i = sport;
    size_t matched = 0;
    EXPECT_EQ(c2s_eval_fields(s, v.data(), v.size(), &matched), C2S_OK) << c2s_last_error();
    return matched;
  };
  EXPECT_EQ(eval(1e3, 0.5, UINT64_MAX, -7), 1u);
  EXPECT_EQ(eval(1000.5, 0.5, UINT64_MAX, -7), 0u);
  EXPECT_EQ(eval(1e3, 0.25, UINT64_MAX, -7), 0u);
  // The same through JSON: one formatter for both.
  const char* json = R"({"destination":{"port":1000.0},"network":{"bytes":5e-1,)"
                     R"("packets":18446744073709551615},"source":{"port":-7}})";
  c2s_output out;
  ASSERT_EQ(c2s_eval_json(s, json, std::strlen(json), &out), C2S_OK);
  EXPECT_EQ(out.matched_rules, 1u);
  c2s_session_free(s);
  c2s_engine_free(e);
}

// Applies operations to a tiny JSON-ish model to check their shape.
// mark-excluded: an event a rule's query matched but an exclusion covered
// carries c2sieve.excluded.rule_id and nothing of a match, on every path;
// off (the default), such an event passes through as it came.
TEST(HostContract, MarkExcludedMakesExclusionsCountableWithoutAMatch) {
  const std::string exclusions = std::string(C2S_SOURCE_DIR) + "/rulesets/examples/exclusions.json";
  const std::string excluded =
      R"({"event":{"category":["network"]},"host":{"os":{"type":"windows"}},)"
      R"("dns":{"question":{"name":"pastebin.com"}},"user":{"id":"S-1-5-21-1004336348-1177238915-682003330-5001"},)"
      R"("process":{"name":"evil.exe","executable":"C:\\Users\\Public\\evil.exe"}})";
  for (bool mark : {false, true}) {
    SCOPED_TRACE(mark ? "mark-excluded" : "default");
    Options o;
    ASSERT_EQ(c2s_options_set(o.o, "exclusions", exclusions.c_str()), C2S_OK) << c2s_last_error();
    ASSERT_EQ(c2s_options_set(o.o, "stats-interval-s", "0"), C2S_OK);
    if (mark) {
      ASSERT_EQ(c2s_options_set(o.o, "mark_excluded", "true"), C2S_OK);
    }
    c2s_engine* e = nullptr;
    ASSERT_EQ(c2s_engine_create_with_options(o.o, &e), C2S_OK) << c2s_last_error();
    c2s_session* s = nullptr;
    ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);

    c2s_output out;
    ASSERT_EQ(c2s_eval_json(s, excluded.data(), excluded.size(), &out), C2S_OK);
    EXPECT_EQ(out.matched_rules, 0u);
    EXPECT_EQ(out.enriched != 0, mark);
    std::string got(out.data, out.size);
    if (!mark) {
      EXPECT_EQ(got, excluded);
    } else {
      EXPECT_NE(got.find(R"("c2sieve":{"excluded":{"rule_id":["66883649-f908-4a5b-a1e0-54090a1d3a32"]})"),
                std::string::npos) << got;
      for (const char* absent : {"\"rule\"", "\"threat\"", "\"tags\"", "risk_score", "\"matches\""})
        EXPECT_EQ(got.find(absent), std::string::npos) << absent << " in " << got;
    }
    const char* json = nullptr;
    size_t json_size = 0;
    ASSERT_EQ(c2s_session_enrichment(s, &json, &json_size), C2S_OK);
    EXPECT_EQ(std::string(json, json_size) == "{}", !mark);

    // NDJSON: the marked line is written, but is no match, and only-matches
    // leaves it out; a real match beside it is counted as before.
    std::string batch = excluded + "\n" + kMatchingEvent + "\n";
    c2s_batch_result b;
    ASSERT_EQ(c2s_eval_ndjson(s, batch.data(), batch.size(), 0, &b), C2S_OK);
    EXPECT_EQ(b.lines, 2u);
    EXPECT_EQ(b.matched_lines, 1u);
    EXPECT_EQ(std::string(b.data, b.size).find("\"excluded\"") != std::string::npos, mark);
    ASSERT_EQ(c2s_eval_ndjson(s, batch.data(), batch.size(), 1, &b), C2S_OK);
    EXPECT_EQ(std::string(b.data, b.size).find("\"excluded\""), std::string::npos);
    EXPECT_NE(std::string(b.data, b.size).find("pastebin.com"), std::string::npos);

    // Field level: no match, and the operations carry the mark.
    std::vector<c2s_value> v = {
        Str(e, "event.category", "network"), Str(e, "host.os.type", "windows"),
        Str(e, "dns.question.name", "pastebin.com"), Str(e, "process.name", "evil.exe"),
        Str(e, "process.executable", "C:\\Users\\Public\\evil.exe"),
        Str(e, "user.id", "S-1-5-21-1004336348-1177238915-682003330-5001")};
    size_t matched = 9;
    ASSERT_EQ(c2s_eval_fields(s, v.data(), v.size(), &matched), C2S_OK);
    EXPECT_EQ(matched, 0u);
    const c2s_enrich_op* ops = nullptr;
    size_t n = 0;
    ASSERT_EQ(c2s_session_enrichment_ops(s, &ops, &n), C2S_OK);
    std::vector<std::string> paths;
    for (size_t i = 0; i < n; ++i) paths.push_back(ops[i].path);
    if (!mark) {
      EXPECT_EQ(n, 0u);
    } else {
      EXPECT_EQ(paths, (std::vector<std::string>{"c2sieve.excluded.rule_id", "c2sieve.version",
                                                 "c2sieve.profile"}));
    }
    c2s_stats st;
    c2s_engine_stats(e, &st);
    EXPECT_EQ(st.excluded, 4u);  // json, two batches, fields
    EXPECT_EQ(st.matches, 2u);
    c2s_session_free(s);
    c2s_engine_free(e);
  }
}

TEST(HostContract, EnrichmentOperationsCarryTheEnrichment) {
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  std::vector<c2s_value> v = {Str(e, "event.category", "network"),
                              Str(e, "host.os.type", "windows"),
                              Str(e, "dns.question.name", "pastebin.com"),
                              Str(e, "process.name", "evil.exe"),
                              Str(e, "process.executable", "C:\\Users\\Public\\evil.exe")};
  size_t matched = 0;
  ASSERT_EQ(c2s_eval_fields(s, v.data(), v.size(), &matched), C2S_OK);
  ASSERT_EQ(matched, 1u);
  const c2s_enrich_op* ops = nullptr;
  size_t n = 0;
  ASSERT_EQ(c2s_session_enrichment_ops(s, &ops, &n), C2S_OK);
  ASSERT_GT(n, 10u);
  bool saw_id = false, saw_tags = false, saw_risk = false, saw_matches = false;
  for (size_t i = 0; i < n; ++i) {
    std::string path = ops[i].path;
    std::string joined;
    for (size_t k = 0; k < ops[i].segment_count; ++k)
    {
      if (k) joined += '.';
      joined += ops[i].segments[k];
    }
    EXPECT_EQ(joined, path);
    if (path == "rule.id") {
      saw_id = true;
      EXPECT_EQ(ops[i].kind, C2S_OP_SET);
      EXPECT_EQ(ops[i].is_array, 0);
      ASSERT_EQ(ops[i].value_count, 1u);
      EXPECT_EQ(std::string(ops[i].values[0].data, ops[i].values[0].size),
                "66883649-f908-4a5b-a1e0-54090a1d3a32");
    }
    if (path == "tags") {
      saw_tags = true;
      EXPECT_EQ(ops[i].kind, C2S_OP_APPEND);
    }
    if (path == "event.risk_score") {
      saw_risk = true;
      ASSERT_EQ(ops[i].value_count, 1u);
      EXPECT_EQ(ops[i].values[0].type, C2S_VALUE_INT);
      EXPECT_EQ(ops[i].values[0].number.i, 21);  // the rule's risk_score
    }
    if (path == "c2sieve.matches") {
      saw_matches = true;
      EXPECT_EQ(ops[i].is_array, 1);
      ASSERT_EQ(ops[i].values[0].type, C2S_VALUE_OBJECT);
      const auto* members = reinterpret_cast<const c2s_member*>(ops[i].values[0].data);
      bool pattern = false;
      for (size_t k = 0; k < ops[i].values[0].size; ++k)
        if (std::string(members[k].key, members[k].key_size) == "pattern")
          pattern = std::string(members[k].value.data, members[k].value.size) == "pastebin.*";
      EXPECT_TRUE(pattern);
    }
  }
  EXPECT_TRUE(saw_id && saw_tags && saw_risk && saw_matches);
  // Nothing matched: no operations.
  std::vector<c2s_value> benign = {Str(e, "dns.question.name", "www.example.com")};
  ASSERT_EQ(c2s_eval_fields(s, benign.data(), benign.size(), &matched), C2S_OK);
  ASSERT_EQ(c2s_session_enrichment_ops(s, &ops, &n), C2S_OK);
  EXPECT_EQ(n, 0u);
  c2s_session_free(s);
  c2s_engine_free(e);
}

// The operations as the JSON object they stand for, merged as c2sieve.h
// says a host merges them into an empty record.
nlohmann::json ValueJson(const c2s_value& v) {
  switch (v.type) {
    case C2S_VALUE_STRING: return std::string(v.data, v.size);
    case C2S_VALUE_INT: return v.number.i;
    case C2S_VALUE_UINT: return v.number.u;
    case C2S_VALUE_DOUBLE: return v.number.d;
    case C2S_VALUE_TRUE: return true;
    case C2S_VALUE_FALSE: return false;
    case C2S_VALUE_OBJECT: {
      nlohmann::json o = nlohmann::json::object();
      const auto* m = reinterpret_cast<const c2s_member*>(v.data);
      for (size_t k = 0; k < v.size; ++k) o[std::string(m[k].key, m[k].key_size)] = ValueJson(m[k].value);
      return o;
    }
    default: return nullptr;
  }
}

nlohmann::json OpsJson(const c2s_enrich_op* ops, size_t n) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i < n; ++i) {
    nlohmann::json* at = &out;
    for (size_t k = 0; k < ops[i].segment_count; ++k) at = &(*at)[ops[i].segments[k]];
    if (ops[i].kind == C2S_OP_APPEND || ops[i].is_array) {
      for (size_t k = 0; k < ops[i].value_count; ++k) at->push_back(ValueJson(ops[i].values[k]));
    } else {
      *at = ValueJson(ops[i].values[0]);
    }
  }
  return out;
}

// The operations reuse the values a rule's matches share (rule.*, threat.*)
// and keep their cache bounded: over more distinct matches than the cache
// holds, every match's operations still say exactly what its JSON
// enrichment says, and those of one evaluation stay valid until the next.
TEST(HostContract, EnrichmentOperationsStayExactOverManyMatches) {
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  for (int i = 0; i < 9000; ++i) {
    std::string domain = "h" + std::to_string(i) + ".blob.core.windows.net";
    std::string exe = "C:\\Users\\Public\\e" + std::to_string(i % 7) + ".exe";
    std::vector<c2s_value> v = {Str(e, "event.category", "network"),
                                Str(e, "host.os.type", "windows"),
                                Str(e, "dns.question.name", domain.c_str()),
                                Str(e, "process.name", "e.exe"),
                                Str(e, "process.executable", exe.c_str())};
    size_t matched = 0;
    ASSERT_EQ(c2s_eval_fields(s, v.data(), v.size(), &matched), C2S_OK);
    ASSERT_EQ(matched, 1u) << domain;
    const c2s_enrich_op* ops = nullptr;
    size_t n = 0;
    ASSERT_EQ(c2s_session_enrichment_ops(s, &ops, &n), C2S_OK);
    nlohmann::json from_ops = OpsJson(ops, n);
    const char* json = nullptr;
    size_t size = 0;
    ASSERT_EQ(c2s_session_enrichment(s, &json, &size), C2S_OK);
    nlohmann::json want = nlohmann::json::parse(std::string(json, size));
    ASSERT_EQ(from_ops, want) << "match " << i;
    ASSERT_EQ(from_ops["c2sieve"]["matches"][0]["value"], domain);
  }
  c2s_session_free(s);
  c2s_engine_free(e);
}

// A host may keep its own form of a rule's operations, keyed by the first
// one's `values` pointer and the generation: within a generation the same
// key always stands for the same operations (over more distinct matches
// than the caches hold, so the generation changes on the way), and two
// rules never share a key.
TEST(HostContract, SharedOperationsAreTheSameWithinAGeneration) {
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  size_t shared = 9;
  uint64_t generation = 0, first_generation = 0;
  ASSERT_EQ(c2s_session_enrichment_ops_shared(s, &shared, &generation), C2S_OK);
  EXPECT_EQ(shared, 0u);  // nothing handed out yet
  EXPECT_EQ(c2s_session_enrichment_ops_shared(nullptr, &shared, &generation),
            C2S_E_INVALID_ARGUMENT);
  // key (generation, pointer) -> the shared operations as JSON, and the rule
  std::map<std::pair<uint64_t, const void*>, std::pair<nlohmann::json, std::string>> seen;
  size_t generations = 0;
  for (int i = 0; i < 9000; ++i) {
    bool linux_rule = i % 5 == 0;
    std::string domain = "h" + std::to_string(i) + ".blob.core.windows.net";
    std::string exe = "C:\\Users\\Public\\e" + std::to_string(i % 7) + ".exe";
    std::vector<c2s_value> v = {Str(e, "event.category", "network"),
                                Str(e, "host.os.type", linux_rule ? "linux" : "windows"),
                                Str(e, "dns.question.name",
                                    linux_rule ? "api.dropboxapi.com" : domain.c_str()),
                                Str(e, "process.name", "e.exe"),
                                Str(e, "process.executable", exe.c_str())};
    size_t matched = 0;
    ASSERT_EQ(c2s_eval_fields(s, v.data(), v.size(), &matched), C2S_OK);
    ASSERT_EQ(matched, 1u) << i;
    ASSERT_EQ(c2s_session_enrichment_ops_shared(s, &shared, &generation), C2S_OK);
    EXPECT_EQ(shared, 0u);  // evaluated, not yet handed out
    const c2s_enrich_op* ops = nullptr;
    size_t n = 0;
    ASSERT_EQ(c2s_session_enrichment_ops(s, &ops, &n), C2S_OK);
    ASSERT_EQ(c2s_session_enrichment_ops_shared(s, &shared, &generation), C2S_OK);
    ASSERT_GT(shared, 10u);
    ASSERT_LT(shared, n);  // the verdict's own: c2sieve.matches, version
    if (i == 0) first_generation = generation;
    std::string rule_id(ops[0].values[0].data, ops[0].values[0].size);
    EXPECT_EQ(std::string(ops[0].path), "rule.id");
    auto key = std::make_pair(generation, static_cast<const void*>(ops[0].values));
    nlohmann::json shared_json = OpsJson(ops, shared);
    auto [it, added] = seen.emplace(key, std::make_pair(shared_json, rule_id));
    if (added) {
      ++generations;
    } else {
      ASSERT_EQ(it->second.first, shared_json) << "match " << i;
      ASSERT_EQ(it->second.second, rule_id) << "match " << i;
    }
  }
  // Both rules, and the caches' bound passed at least once.
  EXPECT_GT(generation, first_generation);
  EXPECT_GE(generations, 4u);
  c2s_session_free(s);
  c2s_engine_free(e);
}

TEST(HostContract, StatisticsAreLoggedPeriodicallyInOneFormat) {
  Options o;
  ASSERT_EQ(c2s_options_set(o.o, "stats-interval-s", "1"), C2S_OK);
  struct Sink {
    std::mutex mu;
    std::vector<std::string> lines;
  } sink;
  c2s_options_set_log(o.o, [](void* user, int level, const char* m) {
    auto* s = static_cast<Sink*>(user);
    std::lock_guard<std::mutex> lock(s->mu);
    if (level == 0) s->lines.push_back(m);
  }, &sink);
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_with_options(o.o, &e), C2S_OK);
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  c2s_output out;
  ASSERT_EQ(c2s_eval_json(s, kMatchingEvent, std::strlen(kMatchingEvent), &out), C2S_OK);
  std::string line;
  for (int i = 0; i < 50 && line.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard<std::mutex> lock(sink.mu);
    if (!sink.lines.empty()) line = sink.lines.back();
  }
  c2s_session_free(s);
  c2s_engine_free(e);
  EXPECT_EQ(line,
            "stats: records=1 matches=1 excluded=0 errors=0 prefiltered=0 reloads=0 rejected_reloads=0 "
            "exclusions=none@1 rule.66883649-f908-4a5b-a1e0-54090a1d3a32=1 "
            "rule.8248323e-f888-4134-a26f-37a6362f7231=0");
}

}  // namespace

namespace {

TEST(HostContract, PrefilterDecidesMostEventsFromTheirBytes) {
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  EXPECT_EQ(std::string(c2s_engine_prefilter_info(e)).rfind("on: ", 0), 0u)
      << c2s_engine_prefilter_info(e);
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  // A match first, then an event the prefilter decides: no stale match.
  c2s_output out;
  ASSERT_EQ(c2s_eval_json(s, kMatchingEvent, std::strlen(kMatchingEvent), &out), C2S_OK);
  ASSERT_EQ(out.matched_rules, 1u);
  const char* benign = R"({"dns":{"question":{"name":"www.example.com"}}})";
  int may = -1;
  ASSERT_EQ(c2s_eval_prefilter(s, benign, std::strlen(benign), C2S_ENCODING_JSON, &may), C2S_OK);
  EXPECT_EQ(may, 0);
  c2s_match m;
  EXPECT_EQ(c2s_session_match(s, 0, &m), C2S_E_INVALID_ARGUMENT);
  const c2s_enrich_op* ops = nullptr;
  size_t n = 1;
  ASSERT_EQ(c2s_session_enrichment_ops(s, &ops, &n), C2S_OK);
  EXPECT_EQ(n, 0u);
  ASSERT_EQ(c2s_eval_prefilter(s, kMatchingEvent, std::strlen(kMatchingEvent), C2S_ENCODING_JSON, &may), C2S_OK);
  EXPECT_EQ(may, 1);
  c2s_stats st;
  c2s_engine_stats(e, &st);
  EXPECT_EQ(st.events, 2u);  // the JSON evaluation and the decided event
  EXPECT_EQ(st.matches, 1u);
  EXPECT_EQ(c2s_eval_prefilter(s, nullptr, 3, C2S_ENCODING_JSON, &may), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(may, 1);  // an error never reads as "cannot match"
  c2s_session_free(s);
  c2s_engine_free(e);
}

}  // namespace
