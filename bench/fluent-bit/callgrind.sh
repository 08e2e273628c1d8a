#!/usr/bin/env bash
# Instructions, not seconds: the Lua wrapper inside the real Fluent Bit
# under callgrind, for A/B comparisons this 2-core machine's noise hides
# from run.sh (whose CPU seconds vary by 10-30 % between runs of the same
# configuration). N generated events (5 % matching, as run.sh makes them)
# through `tail` + json parser, a Lua filter, the `null` output; for each
# script: the instructions of Fluent Bit's filter stage per record
# (flb_filter_do, inclusive: the msgpack <-> Lua conversion, the script,
# the library) and of the script call alone (lua_pcall per record), beside
# a Lua filter that returns 0 (the whole process's count includes the
# start-up: the library compiling its rules, about 18,000 instructions a
# record at 30,000 records). Counts exclude the kernel, and differ by a
# few per cent between runs of the same configuration (garbage collection
# and trace timing); compare in one run.
# Then the native plugin against the no-op native filter, at 0 % and at
# 5 % matching (whole-process instructions, the start-up left out); at 5 %
# also against the no-op returning every chunk modified as a copy of
# itself (`copy on`: Fluent Bit's own cost of taking a modified chunk).
# Usage: bench/fluent-bit/callgrind.sh [EVENTS (default 30000)] [SCRIPT...]
#   SCRIPT: Lua wrappers to compare (default integration/fluent-bit/c2sieve.lua),
#   e.g. an older one from `git show REV:integration/fluent-bit/c2sieve.lua`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
events=${1:-30000}
shift || true
scripts=("$@")
[ ${#scripts[@]} -eq 0 ] && scripts=("$repo/integration/fluent-bit/c2sieve.lua")
flb=$repo/build/fluent-bit/build/bin/fluent-bit
lib=$repo/build/plugin/libc2sieve.so
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. "$repo/bench/fluent-bit/inputs.sh"
make_inputs "$repo" "$work" "$events" 5 0
printf 'function noop(tag, ts, record) return 0, ts, record end\n' >"$work/noop.lua"

# run NAME SCRIPT CALL: "process filter-stage script" instructions per record
run() {
  write_conf "$work/$1.conf" "$work/in-5.ndjson" "[FILTER]
    Name   lua
    Match  dns
    script $2
    call   $3
    enable_flb_null on"
  env C2SIEVE_LIBRARY="$lib" C2SIEVE_STATS_INTERVAL_S=0 \
    valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$work/$1.cg" \
    "$flb" -c "$work/$1.conf" >"$work/$1.log" 2>&1 ||
    { echo "$1 failed" >&2; tail "$work/$1.log" >&2; exit 1; }
  local total
  total=$(awk '/Collected :/ { print $4 }' "$work/$1.log")
  callgrind_annotate --inclusive=yes "$work/$1.cg" 2>/dev/null | tr -d , | awk -v n="$events" -v t="$total" '
    /flb_filter.c:flb_filter_do / && !f { f = $1 }
    index($0, "lj_api.c:lua_pcall (" n "x)") && !s { s = $1 }
    END { printf "%d %d %d", t / n, f / n, s / n }'
}

echo "events: $events; instructions per record (callgrind)"
read -r base_total base_filter base_script <<<"$(run noop "$work/noop.lua" noop)"
echo "no-op Lua filter: filter stage $base_filter, script $base_script (process $base_total)"
i=0
for s in "${scripts[@]}"; do
  i=$((i + 1))
  read -r total filter script <<<"$(run "s$i" "$s" c2sieve_filter)"
  awk -v s="$s" -v bt="$base_total" -v bf="$base_filter" -v t="$total" -v f="$filter" -v c="$script" 'BEGIN {
    printf "%s: filter stage %d, script %d (process %d, with the start-up)\n", s, f, c, t
    printf "  the no-op'"'"'s filter stage is %.1f %% of it\n", 100 * bf / f }'
done

# The native plugin against the no-op native filter (built beside it, as
# run.sh builds it): whole-process instructions per record without the
# plugin's one-off start-up (the library compiling its rules).
plugin_dir=$repo/build/fluent-bit/plugin
cmake -S "$repo/integration/fluent-bit/native" -B "$plugin_dir" -DC2SIEVE_NOOP_FILTER=ON >/dev/null
cmake --build "$plugin_dir" >/dev/null
native() {  # native NAME SHARE PLUGIN FILTER-LINES: "process start-up filter-stage" per record
  write_conf "$work/$1.conf" "$work/in-$2.ndjson" "$4"
  valgrind --tool=callgrind --callgrind-out-file="$work/$1.cg" \
    "$flb" -e "$3" -c "$work/$1.conf" >"$work/$1.log" 2>&1 ||
    { echo "$1 failed" >&2; tail "$work/$1.log" >&2; exit 1; }
  local total
  total=$(awk '/Collected :/ { print $4 }' "$work/$1.log")
  callgrind_annotate --inclusive=yes "$work/$1.cg" 2>/dev/null | tr -d , | awk -v n="$events" -v t="$total" '
    /flb_filter.c:flb_filter_do / && !f { f = $1 }
    /:c2s_engine_create_with_options \[/ && !c { c = $1 }
    END { printf "%d %d %d", t / n, c / n, f / n }'
}
for share in 0 5; do
  read -r noop_total _ noop_filter <<<"$(native "native-noop-$share" "$share" "$plugin_dir/flb-filter_noop.so" "[FILTER]
    Name  noop
    Match dns")"
  read -r c2s_total c2s_startup c2s_filter <<<"$(native "native-c2sieve-$share" "$share" "$plugin_dir/flb-filter_c2sieve.so" "[FILTER]
    Name  c2sieve
    Match dns
    stats_interval_s 0")"
  awk -v s="$share" -v nt="$noop_total" -v nf="$noop_filter" -v ct="$c2s_total" -v cs="$c2s_startup" -v cf="$c2s_filter" 'BEGIN {
    printf "native, %s %% matching: no-op filter: process %d, filter stage %d\n", s, nt, nf
    printf "native, %s %% matching: c2sieve: process %d without its start-up (%d), filter stage %d\n", s, ct - cs, cs, cf
    printf "  the no-op'"'"'s process is %.1f %% of it\n", 100 * nt / (ct - cs) }'
  if [ "$share" = 5 ]; then
    read -r copy_total _ copy_filter <<<"$(native native-copy-5 5 "$plugin_dir/flb-filter_noop.so" "[FILTER]
    Name  noop
    Match dns
    copy  on")"
    awk -v nt="$copy_total" -v nf="$copy_filter" -v ct="$c2s_total" -v cs="$c2s_startup" 'BEGIN {
      printf "native, 5 %% matching: copying no-op filter: process %d, filter stage %d\n", nt, nf
      printf "  the copying no-op'"'"'s process is %.1f %% of c2sieve'"'"'s\n", 100 * nt / (ct - cs) }'
  fi
done
