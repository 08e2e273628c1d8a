// The prefilter through the ABI, on and off, must give the same verdicts,
// the same enrichment and the same output bytes: the JSON path over every
// corpus, and the field level (the gate over the caller's values before
// anything else) over the same events flattened into typed values the way
// a host holds them.
#include "c2sieve.h"

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

struct PrefilterEngine {
  c2s_engine* e = nullptr;
  c2s_session* s = nullptr;
  PrefilterEngine(bool prefilter, const char* mode, const char* exclusions = nullptr) {
    c2s_options* o = nullptr;
    EXPECT_EQ(c2s_options_create(&o), C2S_OK);
    if (exclusions) {
      EXPECT_EQ(c2s_options_set(o, "exclusions", exclusions), C2S_OK);
    }
    EXPECT_EQ(c2s_options_set(o, "prefilter", prefilter ? "on" : "off"), C2S_OK);
    EXPECT_EQ(c2s_options_set(o, "mode", mode), C2S_OK);
    EXPECT_EQ(c2s_options_set(o, "stats-interval-s", "0"), C2S_OK);
    EXPECT_EQ(c2s_engine_create_with_options(o, &e), C2S_OK) << c2s_last_error();
    c2s_options_free(o);
    EXPECT_EQ(c2s_session_create(e, &s), C2S_OK);
  }
  ~PrefilterEngine() {
    c2s_session_free(s);
    c2s_engine_free(e);
  }
  c2s_stats Stats() const {
    c2s_stats st;
    c2s_engine_stats(e, &st);
    return st;
  }
};

// An event's leaves as the values a host would give: dotted keys, every
// element of an array, numbers typed, objects in arrays as OTHER.
class Flattener {
 public:
  explicit Flattener(c2s_engine* e) : e_(e) {}
  const std::vector<c2s_value>& Of(const nlohmann::json& j) {
    values_.clear();
    texts_.clear();
    texts_.reserve(4096);  // views into it must not move
    Walk("", j);
    return values_;
  }

 private:
  void Walk(const std::string& path, const nlohmann::json& j) {
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it)
        Walk(path.empty() ? it.key() : path + "." + it.key(), it.value());
      return;
    }
    if (j.is_array()) {
      for (const auto& x : j) Walk(path, x.is_object() ? nlohmann::json::array() : x);
      return;
    }
    int field = c2s_engine_field_index(e_, path.c_str());
    if (field < 0 || texts_.size() == texts_.capacity()) return;
    c2s_value v{};
    v.field = field;
    if (j.is_string()) {
      texts_.push_back(j.get<std::string>());
      v.type = C2S_VALUE_STRING;
      v.data = texts_.back().data();
      v.size = texts_.back().size();
    } else if (j.is_boolean()) {
      v.type = j.get<bool>() ? C2S_VALUE_TRUE : C2S_VALUE_FALSE;
    } else if (j.is_null()) {
      v.type = C2S_VALUE_NULL;
    } else if (j.is_number_unsigned()) {
      v.type = C2S_VALUE_UINT;
      v.number.u = j.get<uint64_t>();
    } else if (j.is_number_integer()) {
      v.type = C2S_VALUE_INT;
      v.number.i = j.get<int64_t>();
    } else if (j.is_number_float()) {
      v.type = C2S_VALUE_DOUBLE;
      v.number.d = j.get<double>();
    } else {
      v.type = C2S_VALUE_OTHER;  // an empty array stands for an object
    }
    values_.push_back(v);
  }
  c2s_engine* e_;
  std::vector<c2s_value> values_;
  std::vector<std::string> texts_;
};

std::string Enrichment(c2s_session* s) {
  const char* json = nullptr;
  size_t len = 0;
  EXPECT_EQ(c2s_session_enrichment(s, &json, &len), C2S_OK);
  return std::string(json ? json : "", len);
}

const char* kCorpora[] = {
    C2S_SOURCE_DIR "/samples/ecs-dns-events.ndjson",
    C2S_SOURCE_DIR "/tests/cli/sources.ndjson",
    C2S_SOURCE_DIR "/tests/cli/events.ndjson",
    C2S_SOURCE_DIR "/tests/integration/typed-events.ndjson",
    C2S_SOURCE_DIR "/tests/data/sources/ecs.ndjson",
    C2S_SOURCE_DIR "/tests/data/sources/ecs-connection.ndjson",
    C2S_SOURCE_DIR "/tests/data/sources/elastic-defend-linux.ndjson",
    C2S_SOURCE_DIR "/tests/data/sources/sentinelone-ecs.ndjson",
    C2S_SOURCE_DIR "/tests/data/sources/sentinelone-raw.ndjson",
    C2S_SOURCE_DIR "/tests/data/sources/sysmon-azure-monitor.ndjson",
    C2S_SOURCE_DIR "/tests/data/sources/sysmon-flat.ndjson",
    C2S_SOURCE_DIR "/tests/data/sources/sysmon-fluentbit-winevtlog.ndjson",
    C2S_SOURCE_DIR "/tests/data/sources/sysmon-network-winlogbeat.ndjson",
    C2S_SOURCE_DIR "/tests/data/sources/sysmon-winlogbeat.ndjson",
    C2S_SHARED_DIR "/data/sysmon-dns/otrf.ndjson",
    C2S_SHARED_DIR "/data/sysmon-dns/sigma_regression.ndjson",
};

std::vector<std::string> Lines() {
  std::vector<std::string> lines;
  for (const char* f : kCorpora) {
    std::ifstream in(f);
    EXPECT_TRUE(in) << f;
    for (std::string l; std::getline(in, l);) {
      lines.push_back(l);
      // The test data's source files hold the event inside a case record.
      auto j = nlohmann::json::parse(l, nullptr, false);
      if (j.is_object() && j.contains("event") && j.contains("case")) {
        lines.push_back(j["event"].dump());
        lines.push_back(j["ecs"].dump());
      }
    }
  }
  return lines;
}

class PrefilterAbi : public ::testing::TestWithParam<const char*> {};

TEST_P(PrefilterAbi, JsonPathGivesTheSameBytesOnAndOff) {
  PrefilterEngine on(true, GetParam()), off(false, GetParam());
  size_t matches = 0, n = 0;
  for (const std::string& line : Lines()) {
    c2s_output a, b;
    c2s_status sa = c2s_eval_json(on.s, line.data(), line.size(), &a);
    c2s_status sb = c2s_eval_json(off.s, line.data(), line.size(), &b);
    ASSERT_EQ(a.matched_rules, b.matched_rules) << line.substr(0, 300);
    ASSERT_EQ(std::string(a.data, a.size), std::string(b.data, b.size)) << line.substr(0, 300);
    // An event read by both gives the same status.
    if (sa == C2S_OK && sb != C2S_OK) {
      EXPECT_EQ(sb, C2S_E_EVENT);
    }
    matches += a.matched_rules > 0;
    ++n;
  }
  EXPECT_GT(matches, 100u);
  EXPECT_GT(on.Stats().prefiltered, n / 2) << "the prefilter decides too little to matter";
  EXPECT_EQ(off.Stats().prefiltered, 0u);
}

TEST_P(PrefilterAbi, FieldLevelGivesTheSameVerdictsOnAndOff) {
  PrefilterEngine on(true, GetParam()), off(false, GetParam());
  Flattener fa(on.e), fb(off.e);
  size_t matches = 0, events = 0;
  for (const std::string& line : Lines()) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    ++events;
    const auto& va = fa.Of(j);
    const auto& vb = fb.Of(j);
    size_t na = 0, nb = 0;
    ASSERT_EQ(c2s_eval_fields(on.s, va.data(), va.size(), &na), C2S_OK) << c2s_last_error();
    ASSERT_EQ(c2s_eval_fields(off.s, vb.data(), vb.size(), &nb), C2S_OK) << c2s_last_error();
    ASSERT_EQ(na, nb) << line.substr(0, 300);
    ASSERT_EQ(Enrichment(on.s), Enrichment(off.s)) << line.substr(0, 300);
    matches += na > 0;
  }
  EXPECT_GT(matches, 100u);
  EXPECT_GT(on.Stats().prefiltered, events / 2);
}

// Two-phase: the gate's values first, then (when it says so) every value.
// Whatever the gate decides must be what the full evaluation decides, for
// every event of every corpus; each event is counted once.
TEST_P(PrefilterAbi, GateThenFieldsGivesTheVerdictsOfFields) {
  PrefilterEngine two(true, GetParam()), one(false, GetParam());
  Flattener ft(two.e), fo(one.e);
  const int32_t* gate = nullptr;
  size_t gate_count = 0;
  ASSERT_EQ(c2s_session_gate_fields(two.s, &gate, &gate_count), C2S_OK) << c2s_last_error();
  ASSERT_GT(gate_count, 0u);
  std::vector<bool> in_gate(c2s_engine_field_count(two.e), false);
  for (size_t i = 0; i < gate_count; ++i) in_gate.at(static_cast<size_t>(gate[i])) = true;
  EXPECT_TRUE(in_gate[static_cast<size_t>(c2s_engine_field_index(two.e, "dns.question.name"))]);
  EXPECT_TRUE(
      in_gate[static_cast<size_t>(c2s_engine_field_index(two.e, "winlog.event_data.QueryName"))]);
  EXPECT_FALSE(in_gate[static_cast<size_t>(c2s_engine_field_index(two.e, "process.executable"))]);
  size_t events = 0, decided = 0, matches = 0;
  for (const std::string& line : Lines()) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    ++events;
    const auto& all = ft.Of(j);
    std::vector<c2s_value> gated;
    for (const auto& v : all)
      if (in_gate[static_cast<size_t>(v.field)]) gated.push_back(v);
    int may = -1;
    ASSERT_EQ(c2s_eval_gate(two.s, gated.data(), gated.size(), &may), C2S_OK) << c2s_last_error();
    ASSERT_TRUE(may == 0 || may == 1) << may;
    size_t n2 = 0, n1 = 0;
    const auto& vo = fo.Of(j);
    ASSERT_EQ(c2s_eval_fields(one.s, vo.data(), vo.size(), &n1), C2S_OK) << c2s_last_error();
    if (may == 0) {
      ++decided;
      c2s_match m;
      EXPECT_EQ(c2s_session_match(two.s, 0, &m), C2S_E_INVALID_ARGUMENT);
      ASSERT_EQ(n1, 0u) << "the gate passed over a match: " << line.substr(0, 300);
      ASSERT_EQ(Enrichment(one.s), "{}") << line.substr(0, 300);
      continue;
    }
    ASSERT_EQ(c2s_eval_fields(two.s, all.data(), all.size(), &n2), C2S_OK) << c2s_last_error();
    ASSERT_EQ(n2, n1) << line.substr(0, 300);
    ASSERT_EQ(Enrichment(two.s), Enrichment(one.s)) << line.substr(0, 300);
    matches += n2 > 0;
  }
  EXPECT_GT(matches, 100u);
  EXPECT_GT(decided, events / 2) << "the gate decides too little to matter";
  c2s_stats st = two.Stats();
  EXPECT_EQ(st.events, events);
  EXPECT_EQ(st.prefiltered, decided);
}

// The fields a host was handed, as a lookup by field index.
std::vector<bool> Handed(c2s_engine* e, const int32_t* fields, size_t count) {
  std::vector<bool> in(c2s_engine_field_count(e), false);
  for (size_t i = 0; i < count; ++i) in.at(static_cast<size_t>(fields[i])) = true;
  return in;
}

std::vector<c2s_value> Only(const std::vector<c2s_value>& all, const std::vector<bool>& in) {
  std::vector<c2s_value> out;
  for (const auto& v : all)
    if (in[static_cast<size_t>(v.field)]) out.push_back(v);
  return out;
}

// Three phases: the gate's values, then the query's, then every value.
// Each phase's "no match" must be the full evaluation's, for every event
// of every corpus; the query's "evaluate" must be a match (no exclusions
// here: a query that holds is a match), so it decides every event it can;
// the query also decides alone, without the gate; each event is counted
// once.
TEST_P(PrefilterAbi, GateQueryThenFieldsGivesTheVerdictsOfFields) {
  PrefilterEngine three(true, GetParam()), query_only(false, GetParam()), one(false, GetParam());
  Flattener ft(three.e), fq(query_only.e), fo(one.e);
  const int32_t* fields = nullptr;
  size_t count = 0;
  ASSERT_EQ(c2s_session_gate_fields(three.s, &fields, &count), C2S_OK) << c2s_last_error();
  const std::vector<bool> in_gate = Handed(three.e, fields, count);
  ASSERT_EQ(c2s_session_query_fields(three.s, &fields, &count), C2S_OK) << c2s_last_error();
  const std::vector<bool> in_query = Handed(three.e, fields, count);
  auto field = [&](const char* name) {
    return static_cast<size_t>(c2s_engine_field_index(three.e, name));
  };
  // The rules' fields, what profiles build them from, what detects them.
  for (const char* name : {"dns.question.name", "process.executable", "user.id",
                           "process.code_signature.trusted", "winlog.event_data.Image",
                           "winlog.channel", "src.process.image.path"})
    EXPECT_TRUE(in_query[field(name)]) << name;
  EXPECT_FALSE(in_query[field("host.name")]);  // read by exclusions only
  for (size_t i = 0; i < in_gate.size(); ++i)
    if (in_gate[i]) {
      EXPECT_TRUE(in_query[i]) << "the query leaves out a gate field";
    }
  ASSERT_EQ(c2s_session_query_fields(query_only.s, &fields, &count), C2S_OK);
  EXPECT_EQ(Handed(query_only.e, fields, count), in_query) << "the prefilter changed the query";
  size_t events = 0, by_gate = 0, by_query = 0, alone = 0, matches = 0;
  for (const std::string& line : Lines()) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    ++events;
    const auto& vo = fo.Of(j);
    size_t n1 = 0;
    ASSERT_EQ(c2s_eval_fields(one.s, vo.data(), vo.size(), &n1), C2S_OK) << c2s_last_error();
    const std::string expected = Enrichment(one.s);
    matches += n1 > 0;
    // The query alone.
    const auto& vq = fq.Of(j);
    std::vector<c2s_value> queried = Only(vq, in_query);
    int may = -1;
    ASSERT_EQ(c2s_eval_query(query_only.s, queried.data(), queried.size(), &may), C2S_OK);
    ASSERT_TRUE(may == 0 || may == 1) << may;
    ASSERT_EQ(may == 1, n1 > 0) << "the query alone: " << line.substr(0, 300);
    if (may == 0) {
      ++alone;
    } else {
      size_t n = 0;
      ASSERT_EQ(c2s_eval_fields(query_only.s, vq.data(), vq.size(), &n), C2S_OK);
      ASSERT_EQ(Enrichment(query_only.s), expected) << line.substr(0, 300);
    }
    // Gate, query, fields.
    const auto& all = ft.Of(j);
    std::vector<c2s_value> gated = Only(all, in_gate);
    ASSERT_EQ(c2s_eval_gate(three.s, gated.data(), gated.size(), &may), C2S_OK);
    ASSERT_TRUE(may == 0 || may == 1) << may;
    if (may == 0) {
      ++by_gate;
      ASSERT_EQ(n1, 0u) << "the gate passed over a match: " << line.substr(0, 300);
      continue;
    }
    queried = Only(all, in_query);
    ASSERT_EQ(c2s_eval_query(three.s, queried.data(), queried.size(), &may), C2S_OK);
    ASSERT_TRUE(may == 0 || may == 1) << may;
    ASSERT_EQ(may == 1, n1 > 0) << "after the gate: " << line.substr(0, 300);
    if (may == 0) {
      ++by_query;
      c2s_match m;
      EXPECT_EQ(c2s_session_match(three.s, 0, &m), C2S_E_INVALID_ARGUMENT);
      EXPECT_EQ(Enrichment(three.s), "{}");
      continue;
    }
    size_t n3 = 0;
    ASSERT_EQ(c2s_eval_fields(three.s, all.data(), all.size(), &n3), C2S_OK);
    ASSERT_EQ(n3, n1) << line.substr(0, 300);
    ASSERT_EQ(Enrichment(three.s), expected) << line.substr(0, 300);
  }
  EXPECT_GT(matches, 100u);
  EXPECT_GT(by_query, 50u) << "the query decides too little after the gate to matter";
  EXPECT_EQ(alone, events - matches);
  c2s_stats st = three.Stats();
  EXPECT_EQ(st.events, events);
  EXPECT_EQ(st.prefiltered, by_gate);
  EXPECT_EQ(st.matches, matches);
  EXPECT_EQ(query_only.Stats().events, events);
}

INSTANTIATE_TEST_SUITE_P(Modes, PrefilterAbi, ::testing::Values("canonical", "parity"));

// The gate before it was asked for, with the prefilter off, and its
// arguments.
TEST(PrefilterAbiGate, UnaskedOffAndBadArguments) {
  PrefilterEngine on(true, "canonical"), off(false, "canonical");
  int dns = c2s_engine_field_index(on.e, "dns.question.name");
  c2s_value benign{dns, C2S_VALUE_STRING, "example.org", 11, {}};
  int may = -1;
  // Never asked for the gate: the host cannot have read its fields.
  ASSERT_EQ(c2s_eval_gate(on.s, &benign, 1, &may), C2S_OK);
  EXPECT_EQ(may, 2);
  const int32_t* gate = nullptr;
  size_t count = 99;
  ASSERT_EQ(c2s_session_gate_fields(on.s, &gate, &count), C2S_OK);
  ASSERT_EQ(c2s_eval_gate(on.s, &benign, 1, &may), C2S_OK);
  EXPECT_EQ(may, 0);
  c2s_value listed{dns, C2S_VALUE_STRING, "pastebin.com", 12, {}};
  ASSERT_EQ(c2s_eval_gate(on.s, &listed, 1, &may), C2S_OK);
  EXPECT_EQ(may, 1);
  // Off: no gate, every event evaluated.
  ASSERT_EQ(c2s_session_gate_fields(off.s, &gate, &count), C2S_OK);
  EXPECT_EQ(count, 0u);
  ASSERT_EQ(c2s_eval_gate(off.s, &benign, 1, &may), C2S_OK);
  EXPECT_EQ(may, 1);
  EXPECT_EQ(off.Stats().events, 0u);
  // Bad arguments: an error, and "evaluate" all the same.
  c2s_value bad{9999, C2S_VALUE_STRING, "x", 1, {}};
  may = 0;
  EXPECT_EQ(c2s_eval_gate(on.s, &bad, 1, &may), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(may, 1);
  EXPECT_EQ(c2s_eval_gate(on.s, nullptr, 1, &may), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_eval_gate(on.s, &benign, 1, nullptr), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_session_gate_fields(on.s, nullptr, &count), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_session_gate_fields(nullptr, &gate, &count), C2S_E_INVALID_ARGUMENT);
}

// The query before it was asked for, its answers on the rule's clauses,
// with the prefilter off, with an exclusion, and its arguments.
TEST(PrefilterAbiQuery, UnaskedClausesExclusionsAndBadArguments) {
  PrefilterEngine on(true, "canonical"), off(false, "canonical");
  auto value = [&](const PrefilterEngine& p, const char* field, const char* text) {
    return c2s_value{c2s_engine_field_index(p.e, field), C2S_VALUE_STRING, text,
                     std::strlen(text), {}};
  };
  auto event = [&](const PrefilterEngine& p, const char* domain, const char* executable) {
    return std::vector<c2s_value>{
        value(p, "event.category", "network"), value(p, "host.os.type", "windows"),
        value(p, "dns.question.name", domain), value(p, "process.name", "x.exe"),
        value(p, "user.id", "S-1-5-21-1"), value(p, "process.executable", executable)};
  };
  const auto temp = event(on, "pastebin.com", "C:\\Users\\a\\AppData\\Local\\Temp\\x.exe");
  const auto program_files = event(on, "pastebin.com", "C:\\Program Files\\x\\x.exe");
  const auto benign = event(on, "example.org", "C:\\Users\\a\\x.exe");
  int may = -1;
  // Never asked for: the host cannot have read its fields.
  ASSERT_EQ(c2s_eval_query(on.s, temp.data(), temp.size(), &may), C2S_OK);
  EXPECT_EQ(may, 2);
  const int32_t* fields = nullptr;
  size_t count = 0;
  ASSERT_EQ(c2s_session_query_fields(on.s, &fields, &count), C2S_OK);
  ASSERT_EQ(c2s_eval_query(on.s, temp.data(), temp.size(), &may), C2S_OK);
  EXPECT_EQ(may, 1);
  ASSERT_EQ(c2s_eval_query(on.s, program_files.data(), program_files.size(), &may), C2S_OK);
  EXPECT_EQ(may, 0);
  ASSERT_EQ(c2s_eval_query(on.s, benign.data(), benign.size(), &may), C2S_OK);
  EXPECT_EQ(may, 0);
  // A system account, and a field the query needs left out.
  auto system = temp;
  system[4] = value(on, "user.id", "S-1-5-18");
  ASSERT_EQ(c2s_eval_query(on.s, system.data(), system.size(), &may), C2S_OK);
  EXPECT_EQ(may, 0);
  auto no_os = temp;
  no_os.erase(no_os.begin() + 1);
  ASSERT_EQ(c2s_eval_query(on.s, no_os.data(), no_os.size(), &may), C2S_OK);
  EXPECT_EQ(may, 0);
  c2s_stats st = on.Stats();
  EXPECT_EQ(st.events, 4u);  // the answers 0; a 1 is counted by the full evaluation
  EXPECT_EQ(st.prefiltered, 0u);
  // Off: the query is the rules', whatever the prefilter.
  ASSERT_EQ(c2s_session_query_fields(off.s, &fields, &count), C2S_OK);
  EXPECT_GT(count, 0u);
  const auto off_temp = event(off, "pastebin.com", "C:\\Users\\a\\AppData\\Local\\Temp\\x.exe");
  ASSERT_EQ(c2s_eval_query(off.s, off_temp.data(), off_temp.size(), &may), C2S_OK);
  EXPECT_EQ(may, 1);
  // Excluded: the query held, so the full evaluation decides (and counts
  // the exclusion), reading fields the query does not.
  PrefilterEngine excluding(true, "canonical",
                            C2S_SOURCE_DIR "/rulesets/examples/exclusions.json");
  auto red_team = event(excluding, "pastebin.com", "C:\\Users\\a\\x.exe");
  red_team[4] = value(excluding, "user.id", "S-1-5-21-1004336348-1177238915-682003330-5001");
  ASSERT_EQ(c2s_session_query_fields(excluding.s, &fields, &count), C2S_OK);
  ASSERT_EQ(c2s_eval_query(excluding.s, red_team.data(), red_team.size(), &may), C2S_OK);
  EXPECT_EQ(may, 1);
  size_t matched = 9;
  ASSERT_EQ(c2s_eval_fields(excluding.s, red_team.data(), red_team.size(), &matched), C2S_OK);
  EXPECT_EQ(matched, 0u);
  EXPECT_EQ(excluding.Stats().excluded, 1u);
  EXPECT_EQ(excluding.Stats().events, 1u);
  // Bad arguments: an error, and "evaluate" all the same.
  c2s_value bad{9999, C2S_VALUE_STRING, "x", 1, {}};
  may = 0;
  EXPECT_EQ(c2s_eval_query(on.s, &bad, 1, &may), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(may, 1);
  EXPECT_EQ(c2s_eval_query(on.s, nullptr, 1, &may), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_eval_query(on.s, temp.data(), temp.size(), nullptr), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_session_query_fields(on.s, nullptr, &count), C2S_E_INVALID_ARGUMENT);
  EXPECT_EQ(c2s_session_query_fields(nullptr, &fields, &count), C2S_E_INVALID_ARGUMENT);
}

// Each spelling that hides a listed domain from a literal scan, given as a
// caller's value (not JSON: the text itself), reaches the full path.
TEST(PrefilterAbiFields, EverySpellingOfAListedDomainIsEvaluated) {
  for (const char* mode : {"canonical", "parity"}) {
    PrefilterEngine on(true, mode), off(false, mode);
    for (const char* name : {"pastebin.com", "PASTEBIN.COM", "Pastebin%2ecom",
                             "ｐａｓｔｅｂｉｎ.com", "pastebin。com", "paste\u00adbin.com",
                             "pastebin.com.", "xn--pastebin-.com"}) {
      for (const char* field : {"dns.question.name", "winlog.event_data.QueryName"}) {
        int dns = c2s_engine_field_index(on.e, field);
        if (dns < 0) continue;
        auto values = [&](c2s_engine* e) {
          auto s = [&](const char* f, const char* v) {
            return c2s_value{c2s_engine_field_index(e, f), C2S_VALUE_STRING, v, std::strlen(v),
                             {}};
          };
          std::vector<c2s_value> v = {s("event.category", "network"),
                                      s("host.os.type", "windows"), s(field, name),
                                      s("process.executable", "C:\\Users\\Public\\x.exe"),
                                      s("process.name", "x.exe")};
          if (std::strcmp(field, "winlog.event_data.QueryName") == 0) {
            v.push_back(s("winlog.channel", "Microsoft-Windows-Sysmon/Operational"));
            v.push_back(s("winlog.event_id", "22"));
            v.push_back(s("winlog.event_data.Image", "C:\\Users\\Public\\x.exe"));
          }
          return v;
        };
        auto va = values(on.e), vb = values(off.e);
        size_t na = 0, nb = 0;
        ASSERT_EQ(c2s_eval_fields(on.s, va.data(), va.size(), &na), C2S_OK);
        ASSERT_EQ(c2s_eval_fields(off.s, vb.data(), vb.size(), &nb), C2S_OK);
        EXPECT_EQ(na, nb) << mode << " " << field << " " << name;
      }
    }
  }
}

}  // namespace
