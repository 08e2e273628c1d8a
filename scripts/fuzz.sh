#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a fixed time
# from seed corpora made of the test data. Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
# OSS-Fuzz's optimization and debug levels: quicker to build, same reports.
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" \
  -DC2S_BUILD_FUZZERS=ON -DC2S_BUILD_TESTS=OFF -DC2S_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_eval_json fuzz_eval_fields fuzz_ruleset \
  fuzz_exclusions fuzz_canonical fuzz_wildcard fuzz_import fuzz_prefilter fuzz_msgpack_reader >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{json,fields,ruleset,exclusions,canonical,wildcard,import,msgpack}
i=0
while IFS= read -r line && [ $i -lt 200 ]; do
  printf '%s' "$line" >"$work/json/s$i"; i=$((i + 1))
done < <(cat samples/ecs-dns-events.ndjson tests/cli/events.ndjson tests/cli/sources.ndjson)
cp rulesets/elastic/*.json tests/cli/bad-ruleset.json "$work/ruleset/"
cp rulesets/examples/exclusions.json tests/cli/bad-exclusions.json "$work/exclusions/"
for p in 'C:\Program Files\x.exe' '\\?\C:\a\..\b.exe' '\Device\HarddiskVolume3\x' 'C:/a//b/./c' \
         ' PasteBin.COM.' 'bücher.ngrok.io'; do
  printf '%s' "$p" >"$work/canonical/$(printf '%s' "$p" | md5sum | cut -c1-8)"
done
for p in 'pastebin.*' '*.ngrok.io' '?.docs.live.net' '*up.freeo*.space' '?:\Program Files\*.exe' \
         '*.portmap.*' '*.com'; do
  printf '%s\0%s' "$p" 'pastebin.com' >"$work/wildcard/$(printf '%s' "$p" | md5sum | cut -c1-8)"
done
head -c 300 samples/ecs-dns-events.ndjson >"$work/fields/seed"
# Field-level seeds: (slot, type, length, bytes) records holding listed and
# unlisted names, for the gate's differential.
for name in pastebin.com PASTEBIN.COM 'pastebin%2ecom' www.example.com x.ngrok.io; do
  { printf '\001'  # with the rest of a matching event
    for slot in $(seq 0 40); do
      printf "\\$(printf %03o $slot)\\000\\$(printf %03o ${#name})%s" "$name"
    done; } >"$work/fields/$name"
done
# The source test data's events and hostile spellings, for the prefilter.
for f in tests/data/sources/*.ndjson; do
  python3 -c 'import json,sys
for i,l in enumerate(open(sys.argv[1])):
    open(sys.argv[2]+"/src-%d-%s"%(i,sys.argv[3]),"w").write(json.dumps(json.loads(l)["event"]))' \
    "$f" "$work/json" "$(basename "$f" .ndjson)"
done
for name in 'pastebin\u002ecom' 'https:\/\/pastebin.com\/' 'Pastebin%2ecom' '\uff50astebin.com' \
            'paste\u00adbin.com'; do
  printf '{"event":{"category":["network"]},"host":{"os":{"type":"windows"}},"dns":{"question":{"name":"%s"}},"process":{"executable":"C:\\\\Users\\\\Public\\\\x.exe"}}' \
    "$name" >"$work/json/hostile-$(printf '%s' "$name" | md5sum | cut -c1-8)"
done
# Importer seeds: the first byte picks the importer (0 EQL, 1 TOML, 2 Sigma,
# 3 Kibana, 4 a domain list, 5 a hosts file, 6 a CSV feed, 7 STIX, 8 MISP).
printf '\000network where a : ("x*", "y") and not (b in~ ("Q") or c like "/u/*")' >"$work/import/eql"
{ printf '\001'; cat tests/data/import/network_tool_accept.toml; } >"$work/import/toml"
{ printf '\002'; cat tests/data/import/sigma_accept.yml; } >"$work/import/sigma"
{ printf '\003'; cat tests/data/import/kibana-exceptions.ndjson; } >"$work/import/kibana"
{ printf '\004'; cat tests/data/import/feeds/domains.txt; } >"$work/import/feed-list"
{ printf '\005'; cat tests/data/import/feeds/blocklist.hosts; } >"$work/import/feed-hosts"
{ printf '\006'; cat tests/data/import/feeds/indicators.csv; } >"$work/import/feed-csv"
{ printf '\007'; cat tests/data/import/feeds/bundle.stix.json; } >"$work/import/feed-stix"
{ printf '\010'; cat tests/data/import/feeds/event.misp.json; } >"$work/import/feed-misp"
# msgpack seeds (the first byte: how many items to skip): a record's body
# with nesting, and every header with a size of its own (str8, bin8, ext8,
# array16, map16, float64, fixext).
printf '\001\202\243dns\201\250question\201\244name\254pastebin.com\243tag\223\001\315\001\000\303' \
  >"$work/msgpack/record"
printf '\007\331\003abc\304\002xy\307\001\005z\334\000\002\300\302\336\000\001\241k\313\000\000\000\000\000\000\000\000\324\001\377' \
  >"$work/msgpack/headers"
# The prefilter fuzzes from the same events as eval_json, in a corpus of its
# own: libFuzzer adds what it finds to the corpus it is given.
cp -r "$work/json" "$work/prefilter"
# The targets run side by side, one per core; their reports in order.
parallel=$(nproc)
run() {
  local target=$1 corpus=$2 maxlen=$3
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  { "build-fuzz/tests/fuzz/$target" "$work/$corpus" -max_total_time="$seconds" \
      -max_len="$maxlen" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>"$work/$target.log" &&
      touch "$work/$target.passed"; } &
}
targets=(fuzz_eval_json fuzz_eval_fields fuzz_ruleset fuzz_exclusions fuzz_canonical fuzz_wildcard
  fuzz_import fuzz_prefilter fuzz_msgpack_reader)
run fuzz_eval_json json 65536
run fuzz_eval_fields fields 4096
run fuzz_ruleset ruleset 8192
run fuzz_exclusions exclusions 4096
run fuzz_canonical canonical 1024
run fuzz_wildcard wildcard 256
run fuzz_import import 8192
# The prefilter against the full path, from the same events (differential).
run fuzz_prefilter prefilter 65536
# The native plugin's msgpack skip against reading every item.
run fuzz_msgpack_reader msgpack 4096
wait
failed=0
for target in "${targets[@]}"; do
  echo "== $target (${seconds}s)"
  if [ -f "$work/$target.passed" ]; then
    grep -E "stat::number_of_executed_units" "$work/$target.log" || true
  else
    tail -40 "$work/$target.log"; echo "FAIL $target"; failed=$((failed + 1))
  fi
done
echo "$((${#targets[@]} - failed)) passed, $failed failed"
[ "$failed" = 0 ]
