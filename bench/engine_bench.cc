// c2sieve against what users would otherwise run, on the same generated
// ~1 KB ECS DNS events (5 % matching, 10 % listed but excluded) in one run:
//   field-level: c2s_eval_fields vs. the same patterns (domain list, then
//                the process locations) through a loop of fnmatch(3), an
//                RE2::Set and one PCRE2 alternation (JIT);
//   JSON:        c2s_eval_json vs. simdjson parse + finding the rule's
//                fields (the floor of any JSON filter) and nlohmann_json
//                parse + serialize;
//   scale:       the built-in ruleset plus 1,000 / 10,000 / 100,000 extra
//                domain patterns (compile time, memory, per event).
// One iteration is one event: time/iteration is ns/event and
// items_per_second is events/s. bench/run_benchmarks.sh prints the ratios;
// `c2sieve_bench --dump DIR` writes the events and patterns for the LuaJIT
// comparison (bench/lua_bench.lua).
#include <fnmatch.h>
#include <unistd.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "bench_events.h"
#include "c2sieve.h"

namespace {

using c2s::bench::BenchEvent;

// Events cycled through. A host calls the library on a record it has just
// read, so the values are in cache: a ring that fits in L2 models that.
constexpr size_t kRing = 255;
// The mix: 5 % match, 10 % query a listed domain but are excluded, the rest
// query domains on no list (most DNS traffic).
constexpr int kMatchPercent = 5;
constexpr int kExcludedPercent = 10;

struct Fixture {
  c2s_engine* engine = nullptr;  // the defaults: both built-in rules
  std::vector<BenchEvent> events;
  // The Windows rule alone (its Linux companion switched off), for the cost
  // of the second built-in rule.
  c2s_engine* windows_only = nullptr;
  std::vector<BenchEvent> windows_only_events;
  // The same rules with the prefilter off (every event read in full).
  c2s_engine* no_prefilter = nullptr;
  // Other mixes, for the worst cases: no listed domain, half listed (25 %
  // match, 25 % excluded), and every event a match.
  std::vector<BenchEvent> listed0, listed50, all_match;
  c2s::bench::RulePatterns patterns;
  int dns = -1, exe = -1;
  Fixture() {
    if (c2s_engine_create_default(&engine) != C2S_OK) std::abort();
    events = c2s::bench::MakeEvents(engine, 4096, kMatchPercent, kExcludedPercent);
    listed0 = c2s::bench::MakeEvents(engine, 4096, 0, 0);
    listed50 = c2s::bench::MakeEvents(engine, 4096, 25, 25);
    all_match = c2s::bench::MakeEvents(engine, 4096, 100, 0);
    // The ring each benchmark cycles through must hold the mix it claims.
    for (auto [evs, want] : {std::pair{&events, kMatchPercent}, std::pair{&listed0, 0},
                             std::pair{&listed50, 25}, std::pair{&all_match, 100}}) {
      size_t m = 0;
      for (size_t k = 0; k <= kRing; ++k) m += (*evs)[k].expect_match;
      if (m * 100 / (kRing + 1) > static_cast<size_t>(want) + 1 ||
          m * 100 / (kRing + 1) + 1 < static_cast<size_t>(want)) {
        std::fprintf(stderr, "bench mix: %zu of %zu match, wanted %d %%\n", m, kRing + 1, want);
        std::abort();
      }
    }
    c2s_options* o = nullptr;
    if (c2s_options_create(&o) != C2S_OK || c2s_options_set(o, "prefilter", "off") != C2S_OK ||
        c2s_options_set(o, "stats-interval-s", "0") != C2S_OK ||
        c2s_engine_create_with_options(o, &no_prefilter) != C2S_OK)
      std::abort();
    c2s_options_free(o);
    c2s_engine_config cfg;
    c2s_engine_config_init(&cfg);
    cfg.disable_rules = "8248323e-f888-4134-a26f-37a6362f7231";
    if (c2s_engine_create(&cfg, &windows_only) != C2S_OK) std::abort();
    windows_only_events =
        c2s::bench::MakeEvents(windows_only, 4096, kMatchPercent, kExcludedPercent);
    patterns = c2s::bench::LoadRulePatterns();
    dns = c2s_engine_field_index(engine, "dns.question.name");
    exe = c2s_engine_field_index(engine, "process.executable");
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

struct Session {
  c2s_session* s = nullptr;
  explicit Session(c2s_engine* engine) {
    if (c2s_session_create(engine, &s) != C2S_OK) std::abort();
  }
  ~Session() { c2s_session_free(s); }
};

// The engine's two paths over an engine's events: one event per iteration.
void FieldLevelLoop(benchmark::State& state, c2s_engine* engine,
                    const std::vector<BenchEvent>& ev) {
  Session s(engine);
  size_t i = 0, matches = 0;
  for (auto _ : state) {
    const BenchEvent& e = ev[i++ & kRing];
    size_t n = 0;
    c2s_eval_fields(s.s, e.values.data(), e.values.size(), &n);
    matches += n;
  }
  benchmark::DoNotOptimize(matches);
  state.SetItemsProcessed(state.iterations());
}

void JsonLoop(benchmark::State& state, c2s_engine* engine, const std::vector<BenchEvent>& ev) {
  Session s(engine);
  size_t i = 0, bytes = 0, enriched = 0;
  for (auto _ : state) {
    const BenchEvent& e = ev[i++ & kRing];
    c2s_output out;
    c2s_eval_json(s.s, e.json.data(), e.json.size(), &out);
    enriched += out.enriched;
    bytes += e.json.size();
  }
  benchmark::DoNotOptimize(enriched);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

void BM_FieldLevel_C2sieve(benchmark::State& state) {
  FieldLevelLoop(state, F().engine, F().events);
}
BENCHMARK(BM_FieldLevel_C2sieve);

// The prefilter's part: the same mix with it off, and the other mixes.
void BM_FieldLevel_PrefilterOff(benchmark::State& state) {
  FieldLevelLoop(state, F().no_prefilter, F().events);
}
BENCHMARK(BM_FieldLevel_PrefilterOff);
void BM_FieldLevel_Listed0(benchmark::State& state) {
  FieldLevelLoop(state, F().engine, F().listed0);
}
BENCHMARK(BM_FieldLevel_Listed0);
void BM_FieldLevel_Listed50(benchmark::State& state) {
  FieldLevelLoop(state, F().engine, F().listed50);
}
BENCHMARK(BM_FieldLevel_Listed50);
void BM_FieldLevel_Listed50_PrefilterOff(benchmark::State& state) {
  FieldLevelLoop(state, F().no_prefilter, F().listed50);
}
BENCHMARK(BM_FieldLevel_Listed50_PrefilterOff);
void BM_FieldLevel_AllMatch(benchmark::State& state) {
  FieldLevelLoop(state, F().engine, F().all_match);
}
BENCHMARK(BM_FieldLevel_AllMatch);
void BM_FieldLevel_AllMatch_PrefilterOff(benchmark::State& state) {
  FieldLevelLoop(state, F().no_prefilter, F().all_match);
}
BENCHMARK(BM_FieldLevel_AllMatch_PrefilterOff);

void BM_FieldLevel_WindowsRuleOnly(benchmark::State& state) {
  FieldLevelLoop(state, F().windows_only, F().windows_only_events);
}
BENCHMARK(BM_FieldLevel_WindowsRuleOnly);

// What a hand-written filter would do: fnmatch each domain pattern, and for
// a listed domain fnmatch the process locations. (It skips the signer
// clauses, so it does less work than the rule asks.)
void BM_FieldLevel_FnmatchLoop(benchmark::State& state) {
  const auto& ev = F().events;
  const auto& p = F().patterns;
  const int flags = FNM_CASEFOLD | FNM_NOESCAPE;
  // fnmatch needs NUL-terminated strings: copy the views once, up front.
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& e : ev) {
    std::string d, x;
    for (const auto& v : e.values) {
      if (v.type != C2S_VALUE_STRING) continue;
      if (v.field == F().dns) d.assign(v.data, v.size);
      if (v.field == F().exe) x.assign(v.data, v.size);
    }
    fields.emplace_back(d, x);
  }
  size_t i = 0, matches = 0;
  for (auto _ : state) {
    const auto& [domain, exe] = fields[i++ & kRing];
    bool listed = false;
    for (const auto& pat : p.domains)
      if (fnmatch(pat.c_str(), domain.c_str(), flags) == 0) {
        listed = true;
        break;
      }
    if (listed) {
      bool excluded = false;
      for (const auto& pat : p.executables)
        if (fnmatch(pat.c_str(), exe.c_str(), flags) == 0) {
          excluded = true;
          break;
        }
      matches += !excluded;
    }
  }
  benchmark::DoNotOptimize(matches);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FieldLevel_FnmatchLoop);

// The domain and executable of each event of the ring, as the baselines
// read them.
struct DomainExe {
  std::string domain, exe;
};
const std::vector<DomainExe>& RingFields() {
  static const std::vector<DomainExe> fields = [] {
    std::vector<DomainExe> out;
    for (const auto& e : F().events) {
      DomainExe f;
      for (const auto& v : e.values) {
        if (v.type != C2S_VALUE_STRING) continue;
        if (v.field == F().dns) f.domain.assign(v.data, v.size);
        if (v.field == F().exe) f.exe.assign(v.data, v.size);
      }
      out.push_back(std::move(f));
    }
    return out;
  }();
  return fields;
}

// EQL wildcard -> regular expression (whole value; `*` any run, `?` one).
std::string WildcardRegex(const std::string& pattern) {
  std::string re;
  for (char c : pattern) {
    if (c == '*') re += ".*";
    else if (c == '?') re += ".";
    else if (std::strchr("\\^$.|+()[]{}", c)) { re += '\\'; re += c; }
    else re += c;
  }
  return re;
}

struct Re2Sets {
  std::unique_ptr<RE2::Set> domains, executables;
  Re2Sets() {
    RE2::Options o;
    o.set_case_sensitive(false);
    o.set_dot_nl(true);
    o.set_max_mem(256 << 20);
    domains = std::make_unique<RE2::Set>(o, RE2::ANCHOR_BOTH);
    executables = std::make_unique<RE2::Set>(o, RE2::ANCHOR_BOTH);
    for (const auto& p : F().patterns.domains)
      if (domains->Add(WildcardRegex(p), nullptr) < 0) std::abort();
    for (const auto& p : F().patterns.executables)
      if (executables->Add(WildcardRegex(p), nullptr) < 0) std::abort();
    if (!domains->Compile() || !executables->Compile()) std::abort();
  }
};

// RE2::Set: every domain pattern in one automaton, then the locations.
void BM_FieldLevel_Re2Set(benchmark::State& state) {
  static Re2Sets sets;
  const auto& fields = RingFields();
  std::vector<int> hits;
  size_t i = 0, matches = 0;
  for (auto _ : state) {
    const DomainExe& f = fields[i++ & kRing];
    if (sets.domains->Match(f.domain, nullptr) &&
        !sets.executables->Match(f.exe, nullptr))
      ++matches;
  }
  benchmark::DoNotOptimize(matches);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FieldLevel_Re2Set);

struct Pcre2Alternation {
  struct Code {
    pcre2_code* code = nullptr;
    pcre2_match_data* data = nullptr;
  };
  Code domains, executables;
  static Code Compile(const std::vector<std::string>& patterns) {
    std::string re = "^(?:";
    for (size_t i = 0; i < patterns.size(); ++i) {
      if (i) re += '|';
      re += WildcardRegex(patterns[i]);
    }
    re += ")$";
    int err = 0;
    PCRE2_SIZE offset = 0;
    Code c;
    c.code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(re.c_str()), re.size(),
                           PCRE2_CASELESS | PCRE2_DOTALL, &err, &offset, nullptr);
    if (!c.code || pcre2_jit_compile(c.code, PCRE2_JIT_COMPLETE) != 0) std::abort();
    c.data = pcre2_match_data_create_from_pattern(c.code, nullptr);
    return c;
  }
  static bool Match(const Code& c, const std::string& v) {
    return pcre2_jit_match(c.code, reinterpret_cast<PCRE2_SPTR>(v.data()), v.size(), 0, 0,
                           c.data, nullptr) >= 0;
  }
  Pcre2Alternation()
      : domains(Compile(F().patterns.domains)),
        executables(Compile(F().patterns.executables)) {}
};

// PCRE2: one anchored alternation of the domain patterns (JIT), then one of
// the locations.
void BM_FieldLevel_Pcre2Alternation(benchmark::State& state) {
  static Pcre2Alternation re;
  const auto& fields = RingFields();
  size_t i = 0, matches = 0;
  for (auto _ : state) {
    const DomainExe& f = fields[i++ & kRing];
    if (Pcre2Alternation::Match(re.domains, f.domain) &&
        !Pcre2Alternation::Match(re.executables, f.exe))
      ++matches;
  }
  benchmark::DoNotOptimize(matches);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FieldLevel_Pcre2Alternation);

void BM_Json_C2sieve(benchmark::State& state) { JsonLoop(state, F().engine, F().events); }
BENCHMARK(BM_Json_C2sieve);

void BM_Json_PrefilterOff(benchmark::State& state) {
  JsonLoop(state, F().no_prefilter, F().events);
}
BENCHMARK(BM_Json_PrefilterOff);
void BM_Json_Listed0(benchmark::State& state) { JsonLoop(state, F().engine, F().listed0); }
BENCHMARK(BM_Json_Listed0);
void BM_Json_Listed50(benchmark::State& state) { JsonLoop(state, F().engine, F().listed50); }
BENCHMARK(BM_Json_Listed50);
void BM_Json_Listed50_PrefilterOff(benchmark::State& state) {
  JsonLoop(state, F().no_prefilter, F().listed50);
}
BENCHMARK(BM_Json_Listed50_PrefilterOff);
void BM_Json_AllMatch(benchmark::State& state) { JsonLoop(state, F().engine, F().all_match); }
BENCHMARK(BM_Json_AllMatch);
void BM_Json_AllMatch_PrefilterOff(benchmark::State& state) {
  JsonLoop(state, F().no_prefilter, F().all_match);
}
BENCHMARK(BM_Json_AllMatch_PrefilterOff);

void BM_Json_WindowsRuleOnly(benchmark::State& state) {
  JsonLoop(state, F().windows_only, F().windows_only_events);
}
BENCHMARK(BM_Json_WindowsRuleOnly);

// The floor of any JSON filter: simdjson parses the event and finds the
// fields the rule reads (no matching, no output).
void BM_Json_SimdjsonFindFields(benchmark::State& state) {
  const auto& ev = F().events;
  std::vector<simdjson::padded_string> padded;
  for (size_t k = 0; k <= kRing; ++k) padded.emplace_back(ev[k].json);
  simdjson::dom::parser parser;
  static const char* kPointers[] = {
      "/dns/question/name", "/process/executable", "/process/name",
      "/process/code_signature/subject_name", "/process/code_signature/trusted",
      "/user/id", "/user/domain", "/host/os/type", "/event/category"};
  size_t i = 0, found = 0;
  for (auto _ : state) {
    simdjson::dom::element doc;
    if (parser.parse(padded[i++ & kRing]).get(doc)) continue;
    for (const char* p : kPointers) {
      simdjson::dom::element v;
      found += doc.at_pointer(p).get(v) == simdjson::SUCCESS;
    }
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Json_SimdjsonFindFields);

void BM_Json_NlohmannParseSerialize(benchmark::State& state) {
  const auto& ev = F().events;
  size_t i = 0, bytes = 0, out_bytes = 0;
  for (auto _ : state) {
    const BenchEvent& e = ev[i++ & kRing];
    auto doc = nlohmann::json::parse(e.json);
    out_bytes += doc.dump().size();
    bytes += e.json.size();
  }
  benchmark::DoNotOptimize(out_bytes);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Json_NlohmannParseSerialize);

// Batches of 1,000 lines through c2s_eval_ndjson (counted per event).
void BM_Ndjson_C2sieve(benchmark::State& state) {
  Session s(F().engine);
  std::string batch;
  for (size_t i = 0; i < 1000; ++i) batch += F().events[i].json + "\n";
  size_t lines = 0;
  for (auto _ : state) {
    c2s_batch_result r;
    c2s_eval_ndjson(s.s, batch.data(), batch.size(), 0, &r);
    lines += r.lines;
  }
  state.SetItemsProcessed(lines);
  state.SetBytesProcessed(state.iterations() * batch.size());
}
BENCHMARK(BM_Ndjson_C2sieve);

// ---- Scale: a threat-intel feed's worth of extra domain patterns ----------

// `n` deterministic patterns in the proportions feeds have: mostly exact
// domains, a quarter `*.zone` suffixes, a few with an inner wildcard.
std::string ExtraRuleset(size_t n) {
  nlohmann::json patterns = nlohmann::json::array();
  uint64_t x = 0x9E3779B97F4A7C15ull;
  const char* tlds[] = {"com", "net", "org", "io", "xyz", "top", "ru", "info"};
  for (size_t k = 0; k < n; ++k) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    std::string label = "ti" + std::to_string(k) + "-" + std::to_string(x % 100000);
    std::string tld = tlds[(x >> 20) % 8];
    switch (k % 20) {
      case 0: patterns.push_back("cdn-*." + label + "." + tld); break;
      case 1: case 2: case 3: case 4: case 5:
        patterns.push_back("*." + label + "." + tld); break;
      default: patterns.push_back(label + "." + tld);
    }
  }
  nlohmann::json rs = {
      {"format", "c2sieve.ruleset/1"}, {"name", "threat-intel"},
      {"rules", {{{"id", "ti-domains"}, {"name", "Threat intel domain"},
                  {"risk_score", 73}, {"severity", "high"},
                  {"query", {{"field", "dns.question.name"}, {"wildcard", patterns}}}}}}};
  return rs.dump();
}

long RssKiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4;
}

struct ScaleEngine {
  c2s_engine* engine = nullptr;
  double compile_s = 0;
  double rss_mib = 0;
  std::vector<BenchEvent> events;
};

ScaleEngine& Scale(size_t extra) {
  static std::map<size_t, std::unique_ptr<ScaleEngine>> engines;
  auto& slot = engines[extra];
  if (slot) return *slot;
  slot = std::make_unique<ScaleEngine>();
  std::string text = extra ? ExtraRuleset(extra) : "";
  c2s_source sources[1] = {{"threat-intel.json", text.data(), text.size()}};
  c2s_engine_config cfg;
  c2s_engine_config_init(&cfg);
  if (extra) {
    cfg.rulesets = sources;
    cfg.ruleset_count = 1;
  }
  long before = RssKiB();
  auto start = std::chrono::steady_clock::now();
  if (c2s_engine_create(&cfg, &slot->engine) != C2S_OK) {
    std::fprintf(stderr, "scale %zu: %s\n", extra, c2s_last_error());
    std::abort();
  }
  slot->compile_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  slot->rss_mib = (RssKiB() - before) / 1024.0;
  slot->events = c2s::bench::MakeEvents(slot->engine, 4096, kMatchPercent, kExcludedPercent);
  return *slot;
}

void BM_Scale_FieldLevel(benchmark::State& state) {
  ScaleEngine& e = Scale(static_cast<size_t>(state.range(0)));
  FieldLevelLoop(state, e.engine, e.events);
  state.counters["compile_s"] = e.compile_s;
  state.counters["engine_MiB"] = e.rss_mib;
}
BENCHMARK(BM_Scale_FieldLevel)->Arg(0)->Arg(1000)->Arg(10000)->Arg(100000);

void BM_Scale_Json(benchmark::State& state) {
  ScaleEngine& e = Scale(static_cast<size_t>(state.range(0)));
  JsonLoop(state, e.engine, e.events);
}
BENCHMARK(BM_Scale_Json)->Arg(0)->Arg(1000)->Arg(10000)->Arg(100000);

// ---- Feeds: a million threat-intelligence domains (issue 15) -------------

// `n` deterministic feed domains as feeds list them: registrable names of
// pronounceable labels (6 to 16 letters, a counter keeps them unique), TLDs
// in rough proportions of abuse feeds, a third with a subdomain, 5 % "*."
// wildcards; one in ten with metadata (id, confidence, a validity window
// open for years). `version` changes every id, for a swap.
std::string FeedRuleset(size_t n, int version = 1) {
  static const char* const kTlds[] = {"com", "net", "org", "ru", "xyz", "top", "info", "io", "online",
                                      "site", "shop", "cn", "de", "br", "tk", "co", "cc", "club", "pw", "live"};
  static const int kWeights[] = {40, 8, 5, 5, 5, 5, 4, 3, 3, 3, 2, 3, 2, 2, 2, 2, 2, 2, 1, 1};
  static const char* const kSubs[] = {"www", "cdn", "login", "mail", "api", "update", "secure", "portal"};
  static const char* const kSyllables[] = {"ka", "lo", "mi", "ra", "ne", "to", "su", "vi", "da", "ber",
                                           "con", "tek", "pay", "net", "soft", "zen", "ion", "ly", "max", "go"};
  std::string out = R"({"format":"c2sieve.ruleset/1","name":"bench-feed","rules":[{"id":"bench-feed",)"
                    R"("name":"Bench feed","severity":"high","risk_score":73,"indicators":{)"
                    R"("provider":"bench","items":[)";
  uint64_t x = 0x2545F4914F6CDD1Dull;
  for (size_t k = 0; k < n; ++k) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    std::string label;
    size_t want = 6 + x % 11;
    for (uint64_t y = x; label.size() < want; y /= 20) label += kSyllables[y % 20];
    label.resize(want);
    for (size_t c = k + 1; c; c /= 36) label += "0123456789abcdefghijklmnopqrstuvwxyz"[c % 36];
    int pick = static_cast<int>((x >> 24) % 100), t = 0;
    while (pick >= kWeights[t]) pick -= kWeights[t++];
    std::string name = label + "." + kTlds[t];
    if ((x >> 40) % 3 == 0) name = std::string(kSubs[(x >> 44) % 8]) + "." + name;
    if ((x >> 48) % 20 == 0) name = "*." + name;
    if (k) out += ',';
    if ((x >> 52) % 10 == 0)
      out += R"({"value":")" + name + R"(","id":"indicator--)" + std::to_string(version) + "-" +
             std::to_string(k) + R"(","confidence":"High","valid_until":"2099-01-01T00:00:00Z"})";
    else
      out += "\"" + name + "\"";
  }
  return out + "]}}]}";
}

struct FeedEngine {
  c2s_engine* engine = nullptr;
  double compile_s = 0, rss_mib = 0;
  std::vector<BenchEvent> events;  // the usual mix, with this engine's field indices
};

FeedEngine& Feed(size_t n) {
  static std::map<size_t, std::unique_ptr<FeedEngine>> engines;
  auto& slot = engines[n];
  if (slot) return *slot;
  slot = std::make_unique<FeedEngine>();
  std::string text = n ? FeedRuleset(n) : "";
  c2s_source sources[1] = {{"feed.json", text.data(), text.size()}};
  c2s_engine_config cfg;
  c2s_engine_config_init(&cfg);
  cfg.use_builtin_rulesets = 1;
  if (n) {
    cfg.rulesets = sources;
    cfg.ruleset_count = 1;
  }
  long before = RssKiB();
  auto start = std::chrono::steady_clock::now();
  if (c2s_engine_create(&cfg, &slot->engine) != C2S_OK) {
    std::fprintf(stderr, "feed %zu: %s\n", n, c2s_last_error());
    std::abort();
  }
  slot->compile_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  slot->rss_mib = (RssKiB() - before) / 1024.0;
  slot->events = c2s::bench::MakeEvents(slot->engine, 4096, kMatchPercent, kExcludedPercent);
  return *slot;
}

// The built-in rules alone (0) and with a million feed domains, over the
// same events (the usual 5 % / 10 % mix).
void BM_Feed_Json(benchmark::State& state) {
  FeedEngine& e = Feed(static_cast<size_t>(state.range(0)));
  JsonLoop(state, e.engine, e.events);
  state.counters["compile_s"] = e.compile_s;
  state.counters["engine_MiB"] = e.rss_mib;
}
BENCHMARK(BM_Feed_Json)->Arg(0)->Arg(1000000)->Unit(benchmark::kNanosecond);

void BM_Feed_FieldLevel(benchmark::State& state) {
  FeedEngine& e = Feed(static_cast<size_t>(state.range(0)));
  FieldLevelLoop(state, e.engine, e.events);
}
BENCHMARK(BM_Feed_FieldLevel)->Arg(0)->Arg(1000000);

// A swap of a million-domain feed while a thread evaluates: the longest
// single evaluation while the new version is read and compiled (on the
// watcher's thread) and swapped in, against the longest in as long a
// stretch without a swap, in the same run.
void BM_Feed_SwapLongestEvaluation(benchmark::State& state) {
  char dir_template[] = "/tmp/c2s-feed-bench-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  std::string path = dir + "/feed.json";
  auto write = [&](int version) {
    std::ofstream(path + ".tmp") << FeedRuleset(1000000, version);
    std::rename((path + ".tmp").c_str(), path.c_str());
  };
  write(1);
  c2s_options* o = nullptr;
  c2s_options_create(&o);
  c2s_options_set(o, "builtin", "true");
  c2s_options_set(o, "watch-ruleset", path.c_str());
  c2s_options_set(o, "watch-interval-ms", "50");
  c2s_engine* engine = nullptr;
  if (c2s_engine_create_with_options(o, &engine) != C2S_OK) {
    state.SkipWithError(c2s_last_error());
    return;
  }
  c2s_options_free(o);
  auto swaps = [&] {
    c2s_ruleset_info info;
    c2s_engine_live_ruleset_info(engine, 0, &info);
    return info.swaps;
  };
  for (auto _ : state) {
    std::atomic<int> phase{0};  // 0 quiet, 1 swapping, 2 stop
    std::atomic<double> longest[2] = {0, 0};
    std::atomic<uint64_t> evaluations[2] = {0, 0};
    std::thread evaluator([&] {
      Session s(engine);
      const auto& ev = F().events;
      size_t i = 0;
      c2s_output out;
      for (int p; (p = phase.load()) < 2;) {
        const BenchEvent& e = ev[i++ & kRing];
        auto t0 = std::chrono::steady_clock::now();
        c2s_eval_json(s.s, e.json.data(), e.json.size(), &out);
        double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
        if (us > longest[p].load()) longest[p].store(us);
        ++evaluations[p];
      }
    });
    uint64_t before = swaps();
    auto quiet_start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(3));
    double quiet_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - quiet_start).count();
    phase = 1;
    auto swap_start = std::chrono::steady_clock::now();
    write(2);
    while (swaps() == before) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    double swap_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - swap_start).count();
    phase = 2;
    evaluator.join();
    state.counters["quiet_s"] = quiet_s;
    state.counters["swap_s"] = swap_s;
    state.counters["longest_eval_us_quiet"] = longest[0].load();
    state.counters["longest_eval_us_swapping"] = longest[1].load();
    state.counters["evals_quiet"] = static_cast<double>(evaluations[0].load());
    state.counters["evals_swapping"] = static_cast<double>(evaluations[1].load());
  }
  c2s_engine_free(engine);
  std::remove(path.c_str());
  rmdir(dir.c_str());
}
BENCHMARK(BM_Feed_SwapLongestEvaluation)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Writes the ring's events and the rule's patterns for bench/lua_bench.lua.
int Dump(const std::string& dir) {
  std::ofstream events(dir + "/events.ndjson");
  for (size_t k = 0; k <= kRing; ++k) events << F().events[k].json << "\n";
  nlohmann::json p = {{"domains", F().patterns.domains},
                      {"executables", F().patterns.executables}};
  std::ofstream(dir + "/patterns.json") << p.dump() << "\n";
  return events.good() ? 0 : 1;
}

// Writes `count` lines cycling through all 4,096 events (the same 5 % / 10 %
// mix), for the `c2sieve scan` against `cat` comparison.
int DumpScan(const std::string& path, size_t count) {
  std::ofstream out(path);
  const auto& ev = F().events;
  for (size_t k = 0; k < count; ++k) out << ev[k % ev.size()].json << "\n";
  return out.good() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--dump") == 0) return Dump(argv[2]);
  if (argc == 4 && std::strcmp(argv[1], "--dump-scan") == 0)
    return DumpScan(argv[2], std::strtoull(argv[3], nullptr, 10));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  F();  // set up before any benchmark, so that profiles of one show its loop only
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
