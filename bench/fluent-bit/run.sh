#!/usr/bin/env bash
# The c2sieve integrations inside the real Fluent Bit (v5.1.1, Release, as
# scripts/build-fluent-bit.sh builds it), against baselines measured in the
# same run: the native plugin against a native filter that touches nothing
# (filter_noop.c) and, with 5 % matching, also against the same filter
# returning every chunk modified as a copy (`copy on`: Fluent Bit's own cost
# for a changed chunk, which no filter that enriches can avoid); the Lua
# wrapper against a Lua filter that returns 0 and, with 5 % matching, one
# that returns every 20th record (where the matches are) as modified and
# unchanged (Fluent Bit converting those records back to msgpack).
# Input: N generated ECS DNS events (~1 KB each) with 5 % and with 0 %
# matching, read by `tail` with the json parser to the `null` output. The
# figure is records per CPU second (user + sys of the whole process, from
# /usr/bin/time: the wall time is paced by Fluent Bit's flush timers).
# Usage: bench/fluent-bit/run.sh [EVENTS (default 1000000)] [ROUNDS (default 3)]
# Needs build/ (the library, CLI, gen_sample_events) and build/fluent-bit/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
events=${1:-1000000} rounds=${2:-3}
flb=$repo/build/fluent-bit/build/bin/fluent-bit
plugin_dir=$repo/build/fluent-bit/plugin
lib=$repo/build/plugin/libc2sieve.so
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The baseline filter, built beside the plugin against the same tree.
cmake -S "$repo/integration/fluent-bit/native" -B "$plugin_dir" -DC2SIEVE_NOOP_FILTER=ON >/dev/null
cmake --build "$plugin_dir" >/dev/null

# A pool of generated events split by verdict, then the inputs.
. "$repo/bench/fluent-bit/inputs.sh"
make_inputs "$repo" "$work" "$events" 5 0
printf 'function noop(tag, ts, record) return 0, ts, record end\n' >"$work/noop.lua"
cat >"$work/copy.lua" <<'LUA'
local n = 0
function copy(tag, ts, record)
  n = n + 1
  if n % 20 == 1 then return 2, ts, record end
  return 0, ts, record
end
LUA

conf() {  # conf NAME INPUT FILTER-LINES
  write_conf "$work/$1.conf" "$2" "$3"
}
for share in 5 0; do
  in=$work/in-$share.ndjson
  conf "noop-native-$share" "$in" "[FILTER]
    Name  noop
    Match dns"
  conf "copy-native-$share" "$in" "[FILTER]
    Name  noop
    copy  on
    Match dns"
  conf "c2sieve-native-$share" "$in" "[FILTER]
    Name  c2sieve
    Match dns
    stats_interval_s 0"
  conf "noop-lua-$share" "$in" "[FILTER]
    Name   lua
    Match  dns
    script $work/noop.lua
    call   noop
    enable_flb_null on"
  conf "copy-lua-$share" "$in" "[FILTER]
    Name   lua
    Match  dns
    script $work/copy.lua
    call   copy
    enable_flb_null on"
  conf "c2sieve-lua-$share" "$in" "[FILTER]
    Name   lua
    Match  dns
    script $repo/integration/fluent-bit/c2sieve.lua
    call   c2sieve_filter
    enable_flb_null on"
done

cpu() {  # cpu NAME ARGS...: CPU seconds of one run
  local name=$1
  shift
  /usr/bin/time -f "%U %S" -o "$work/time" "$@" >"$work/$name.log" 2>&1 ||
    { echo "$name failed" >&2; tail "$work/$name.log" >&2; exit 1; }
  awk '{ printf "%.2f", $1 + $2 }' "$work/time"
}
echo "events: $events per run; records per CPU second; $rounds rounds, alternating"
declare -A total
for r in $(seq 1 "$rounds"); do
  for share in 5 0; do
    natives="noop-native c2sieve-native"
    [ "$share" = 5 ] && natives="noop-native copy-native c2sieve-native"
    for which in $natives; do
      plugin=$plugin_dir/flb-filter_noop.so
      [ "$which" = c2sieve-native ] && plugin=$plugin_dir/flb-filter_c2sieve.so
      s=$(cpu "$which-$share" "$flb" -e "$plugin" -c "$work/$which-$share.conf")
      echo "round $r  $which  ${share}% matching  ${s} CPU s"
      total[$which-$share]=$(awk -v a="${total[$which-$share]:-0}" -v b="$s" 'BEGIN { print a + b }')
    done
    if [ "$share" = 5 ]; then
      for which in noop-lua copy-lua c2sieve-lua; do
        s=$(cpu "$which-$share" env C2SIEVE_LIBRARY="$lib" C2SIEVE_STATS_INTERVAL_S=0 \
              "$flb" -c "$work/$which-$share.conf")
        echo "round $r  $which  ${share}% matching  ${s} CPU s"
        total[$which-$share]=$(awk -v a="${total[$which-$share]:-0}" -v b="$s" 'BEGIN { print a + b }')
      done
    fi
  done
done
ratio() { awk -v a="${total[$1]}" -v b="${total[$2]}" 'BEGIN { printf "%.1f %%", 100 * b / a }'; }
echo
echo "native c2sieve, 5% matching: $(ratio c2sieve-native-5 noop-native-5) of the no-op native filter's records per CPU second"
echo "  the copying no-op, 5% matching: $(ratio copy-native-5 noop-native-5) of the no-op's (Fluent Bit's cost of changed chunks)"
echo "  native c2sieve, 5% matching: $(ratio c2sieve-native-5 copy-native-5) of the copying no-op's"
echo "native c2sieve, 0% matching: $(ratio c2sieve-native-0 noop-native-0) of the no-op native filter's records per CPU second"
echo "Lua c2sieve,    5% matching: $(ratio c2sieve-lua-5 noop-lua-5) of the no-op Lua filter's records per CPU second"
echo "  the Lua filter returning the matches' records modified: $(ratio copy-lua-5 noop-lua-5) of the no-op Lua filter's"
