// c2sieve against the baselines the core-engine issue names, on the same
// generated ~1 KB ECS DNS events (5 % matching, 10 % listed but excluded)
// in one run:
//   field-level: c2s_eval_fields vs. a loop of fnmatch(3) over the same
//                patterns (domain list, then the process locations);
//   JSON:        c2s_eval_json vs. nlohmann_json parse + serialize.
// One iteration is one event: time/iteration is ns/event and
// items_per_second is events/s. bench/run_benchmarks.sh prints the ratios.
#include <fnmatch.h>

#include <cstring>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

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
  c2s_engine* engine = nullptr;
  std::vector<BenchEvent> events;
  c2s::bench::RulePatterns patterns;
  int dns = -1, exe = -1;
  Fixture() {
    if (c2s_engine_create_default(&engine) != C2S_OK) std::abort();
    events = c2s::bench::MakeEvents(engine, 4096, kMatchPercent, kExcludedPercent);
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
  Session() {
    if (c2s_session_create(F().engine, &s) != C2S_OK) std::abort();
  }
  ~Session() { c2s_session_free(s); }
};

void BM_FieldLevel_C2sieve(benchmark::State& state) {
  Session s;
  const auto& ev = F().events;
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
BENCHMARK(BM_FieldLevel_C2sieve);

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

void BM_Json_C2sieve(benchmark::State& state) {
  Session s;
  const auto& ev = F().events;
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
BENCHMARK(BM_Json_C2sieve);

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
  Session s;
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

}  // namespace

BENCHMARK_MAIN();
