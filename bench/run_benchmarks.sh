#!/usr/bin/env bash
# Runs the benchmarks and prints each engine path as a ratio to its baseline
# from the same run. Usage: bench/run_benchmarks.sh [BUILD_DIR] [REPETITIONS]
set -euo pipefail
build=${1:-build-release}
reps=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
cmake -S "$here/.." -B "$build" -DCMAKE_BUILD_TYPE=Release -DC2S_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target c2sieve_bench -j"$(nproc)" >/dev/null
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$build/bench/c2sieve_bench" --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true --benchmark_min_time=0.3 \
  --benchmark_format=json >"$out"
python3 - "$out" "$reps" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
reps = sys.argv[2]
med = {b["run_name"]: b for b in d["benchmarks"] if b.get("aggregate_name") == "median"}
def ns(name): return med[name]["cpu_time"]  # ns per event (one event per iteration, ndjson: per batch)
def eps(name): return med[name]["items_per_second"]
ctx = d["context"]
print(f"host: {ctx.get('num_cpus')} cpus at {ctx.get('mhz_per_cpu')} MHz; c2sieve built Release; {reps} repetitions, medians")
print("| benchmark | ns/event (median) | events/s |")
print("|---|---:|---:|")
for name in ["BM_FieldLevel_C2sieve", "BM_FieldLevel_FnmatchLoop", "BM_Json_C2sieve",
             "BM_Json_NlohmannParseSerialize", "BM_Ndjson_C2sieve"]:
    b = med[name]
    per = 1e9 / eps(name)
    print(f"| {name} | {per:,.0f} | {eps(name):,.0f} |")
print()
print(f"field level: c2sieve is {eps('BM_FieldLevel_C2sieve') / eps('BM_FieldLevel_FnmatchLoop'):.1f}x the fnmatch loop")
print(f"JSON: c2sieve is {eps('BM_Json_C2sieve') / eps('BM_Json_NlohmannParseSerialize'):.1f}x nlohmann parse+serialize")
print(f"NDJSON batch: {eps('BM_Ndjson_C2sieve') / eps('BM_Json_NlohmannParseSerialize'):.1f}x nlohmann parse+serialize")
PY
