#!/usr/bin/env bash
# Runs every benchmark and prints each path as a ratio to its baselines from
# the same run: Google Benchmark (engine paths, fnmatch, RE2::Set, PCRE2,
# simdjson, nlohmann, scale), the LuaJIT filters (bench/lua_bench.lua), and
# `c2sieve scan` of ~1 GB of the same events (5 % matching) against `cat` of
# the same file.
# Usage: bench/run_benchmarks.sh [BUILD_DIR] [REPETITIONS] [SCAN_EVENTS]
#   SCAN_EVENTS (default 1000000, ~1 GB); 0 skips the scan comparison.
set -euo pipefail
build=${1:-build-release}
reps=${2:-5}
scan_events=${3:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
cmake -S "$here/.." -B "$build" -DCMAKE_BUILD_TYPE=Release -DC2S_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target c2sieve_bench c2sieve_cli -j"$(nproc)" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$build/bench/c2sieve_bench" --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true --benchmark_min_time=0.3 \
  --benchmark_format=json >"$work/bench.json"

"$build/bench/c2sieve_bench" --dump "$work"
for _ in $(seq "$reps"); do
  luajit "$here/lua_bench.lua" "$build/plugin/libc2sieve.so" \
    "$here/../integration/fluent-bit/c2sieve.lua" "$work/events.ndjson" "$work/patterns.json" 1
done >"$work/lua.jsonl"

if [ "$scan_events" -gt 0 ]; then
  "$build/bench/c2sieve_bench" --dump-scan "$work/scan.ndjson" "$scan_events"
  python3 - "$build/cli/c2sieve" "$work/scan.ndjson" "$reps" >"$work/scan.json" <<'PY'
import json, os, subprocess, sys, time
cli, path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
def run(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, shell=True, check=True)
    return time.perf_counter() - start
cases = {
    "cat_pipe": f"cat '{path}' | cat >/dev/null",
    "scan_pipe": f"'{cli}' scan --quiet '{path}' | cat >/dev/null",
    "cat_devnull": f"cat '{path}' >/dev/null",
    "scan_devnull": f"'{cli}' scan --quiet '{path}' >/dev/null",
}
run(cases["cat_devnull"])  # page cache
times = {k: [] for k in cases}
for _ in range(reps):
    for k, cmd in cases.items():  # interleaved: the machine's noise hits all
        times[k].append(run(cmd))
med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
med["bytes"] = os.path.getsize(path)
print(json.dumps(med))
PY
fi

python3 - "$work" "$reps" "$scan_events" <<'PY'
import json, os, sys
work, reps, scan_events = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(f"{work}/bench.json"))
med = {b["run_name"]: b for b in d["benchmarks"] if b.get("aggregate_name") == "median"}
def eps(name): return med[name]["items_per_second"]
def ns(name): return 1e9 / eps(name)
ctx = d["context"]
print(f"host: {ctx.get('num_cpus')} cpus at {ctx.get('mhz_per_cpu')} MHz; c2sieve built Release; "
      f"{reps} repetitions, medians")
print()
print("| benchmark | ns/event | events/s |")
print("|---|---:|---:|")
for name in ["BM_FieldLevel_C2sieve", "BM_FieldLevel_PrefilterOff", "BM_FieldLevel_WindowsRuleOnly",
             "BM_FieldLevel_FnmatchLoop", "BM_FieldLevel_Re2Set",
             "BM_FieldLevel_Pcre2Alternation", "BM_Json_C2sieve", "BM_Json_PrefilterOff",
             "BM_Json_WindowsRuleOnly", "BM_Json_SimdjsonFindFields",
             "BM_Json_NlohmannParseSerialize", "BM_Ndjson_C2sieve"]:
    print(f"| {name} | {ns(name):,.0f} | {eps(name):,.0f} |")
print()
c = eps("BM_FieldLevel_C2sieve")
print("| ratio (same run) | measured |")
print("|---|---:|")
print(f"| field level vs. fnmatch loop | {c / eps('BM_FieldLevel_FnmatchLoop'):.1f}x |")
print(f"| field level vs. RE2::Set | {c / eps('BM_FieldLevel_Re2Set'):.2f}x |")
print(f"| field level vs. PCRE2 alternation (JIT) | {c / eps('BM_FieldLevel_Pcre2Alternation'):.1f}x |")
j = eps("BM_Json_C2sieve")
print(f"| JSON vs. simdjson parse + find the fields | {j / eps('BM_Json_SimdjsonFindFields'):.2f}x |")
print(f"| JSON vs. nlohmann parse + serialize | {j / eps('BM_Json_NlohmannParseSerialize'):.1f}x |")
print(f"| JSON events/s (one core) | {j / 1e6:.2f} M |")
print(f"| NDJSON batch vs. JSON path, per event | {eps('BM_Ndjson_C2sieve') / j:.2f}x |")
print(f"| prefilter on vs. off, field level | {c / eps('BM_FieldLevel_PrefilterOff'):.2f}x |")
print(f"| prefilter on vs. off, JSON | {j / eps('BM_Json_PrefilterOff'):.2f}x |")
print(f"| both built-in rules vs. the Windows rule alone, field level | "
      f"{ns('BM_FieldLevel_C2sieve') / ns('BM_FieldLevel_WindowsRuleOnly'):.2f}x cost |")
print(f"| both built-in rules vs. the Windows rule alone, JSON | "
      f"{ns('BM_Json_C2sieve') / ns('BM_Json_WindowsRuleOnly'):.2f}x cost |")

print()
print("Other mixes (share of events querying a listed domain), prefilter on and off:")
print()
print("| mix | field ns/event | off | field vs. RE2::Set | JSON ns/event | off | JSON vs. simdjson find |")
print("|---|---:|---:|---:|---:|---:|---:|")
re2 = eps("BM_FieldLevel_Re2Set"); sj = eps("BM_Json_SimdjsonFindFields")
for label, suffix, off in [("0 % listed", "Listed0", None), ("15 % listed (5 % match; the default)", "", "PrefilterOff"),
                           ("50 % listed (25 % match)", "Listed50", "Listed50_PrefilterOff"),
                           ("100 % match", "AllMatch", "AllMatch_PrefilterOff")]:
    fname = f"BM_FieldLevel_{suffix}" if suffix else "BM_FieldLevel_C2sieve"
    jname = f"BM_Json_{suffix}" if suffix else "BM_Json_C2sieve"
    foff = f"{ns('BM_FieldLevel_' + off):,.0f}" if off else "-"
    joff = f"{ns('BM_Json_' + off):,.0f}" if off else "-"
    print(f"| {label} | {ns(fname):,.0f} | {foff} | {eps(fname) / re2:.2f}x | "
          f"{ns(jname):,.0f} | {joff} | {eps(jname) / sj:.2f}x |")

lua = [json.loads(l) for l in open(f"{work}/lua.jsonl")]
def lmed(k): v = sorted(r[k] for r in lua); return v[len(v) // 2]
print()
print("LuaJIT, per record, filter function only (bench/lua_bench.lua):")
print()
print("| filter | ns/record |")
print("|---|---:|")
for k in ["noop", "pure_lua", "wrapper"]:
    print(f"| {k} | {lmed(k + '_ns'):,.0f} |")
print()
print(f"wrapper (c2sieve.lua + libc2sieve) is {lmed('pure_lua_ns') / lmed('wrapper_ns'):.1f}x "
      f"the pure-Lua matcher")

print()
print("Scale: built-in ruleset plus N extra domain patterns")
print()
print("| extra patterns | compile s | engine MiB | field ns/event | x built-in | JSON ns/event | x built-in |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for n in [0, 1000, 10000, 100000]:
    f = med[f"BM_Scale_FieldLevel/{n}"]
    fj = med[f"BM_Scale_Json/{n}"]
    base_f = eps("BM_Scale_FieldLevel/0"); base_j = eps("BM_Scale_Json/0")
    print(f"| {n:,} | {f['compile_s']:.2f} | {f['engine_MiB']:.1f} | "
          f"{1e9 / f['items_per_second']:,.0f} | {base_f / f['items_per_second']:.2f} | "
          f"{1e9 / fj['items_per_second']:,.0f} | {base_j / fj['items_per_second']:.2f} |")

print()
print("Feeds: built-in rules plus 1,000,000 threat-intel domains (issue 15; aims: compile < 30 s,")
print("per event < 1.3x the built-in rules alone, a swap that never blocks an evaluation)")
print()
fj0, fj1 = med["BM_Feed_Json/0"], med["BM_Feed_Json/1000000"]
ff0, ff1 = med["BM_Feed_FieldLevel/0"], med["BM_Feed_FieldLevel/1000000"]
sw = med["BM_Feed_SwapLongestEvaluation/iterations:1/real_time"]
print("| measure | built-in alone | with 1 M feed domains | ratio |")
print("|---|---:|---:|---:|")
print(f"| compile s (engine create, JSON parse included) | {fj0['compile_s']:.2f} | {fj1['compile_s']:.2f} | |")
print(f"| engine resident MiB | {fj0['engine_MiB']:.1f} | {fj1['engine_MiB']:.0f} | |")
print(f"| JSON ns/event | {1e9 / fj0['items_per_second']:,.0f} | {1e9 / fj1['items_per_second']:,.0f} | "
      f"{fj0['items_per_second'] / fj1['items_per_second']:.2f}x |")
print(f"| field level ns/event | {1e9 / ff0['items_per_second']:,.0f} | {1e9 / ff1['items_per_second']:,.0f} | "
      f"{ff0['items_per_second'] / ff1['items_per_second']:.2f}x |")
print(f"| swap of the 1 M feed (read, parse, compile on the watcher's thread) s | | {sw['swap_s']:.2f} | |")
print(f"| longest single evaluation, us: {sw['quiet_s']:.0f} s without a swap / during the swap | "
      f"{sw['longest_eval_us_quiet']:,.0f} | {sw['longest_eval_us_swapping']:,.0f} | "
      f"{sw['longest_eval_us_swapping'] / sw['longest_eval_us_quiet']:.2f}x |")
print(f"| evaluations during the swap | | {sw['evals_swapping']:,.0f} | |")

if scan_events > 0:
    s = json.load(open(f"{work}/scan.json"))
    gb = s["bytes"] / 1e9
    print()
    print(f"c2sieve scan of {gb:.2f} GB ({scan_events:,} events), page-cached, medians:")
    print()
    print("| output to | cat s | scan s | scan / cat | scan events/s |")
    print("|---|---:|---:|---:|---:|")
    for sink in ["pipe", "devnull"]:
        cat, scan = s[f"cat_{sink}"], s[f"scan_{sink}"]
        label = "a pipe (`| cat >/dev/null`)" if sink == "pipe" else "`/dev/null`"
        print(f"| {label} | {cat:.2f} | {scan:.2f} | {scan / cat:.1f}x | {scan_events / scan:,.0f} |")
PY
