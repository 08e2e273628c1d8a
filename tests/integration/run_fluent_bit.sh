#!/usr/bin/env bash
# Runs the real Fluent Bit (v5.1.1 from ../shared/vendor, built by
# scripts/build-fluent-bit.sh) with each c2sieve integration, over the
# bundled sample, the recorded Sysmon events of ../shared and a hostile
# corpus, and checks that every record comes out exactly once, in order,
# with the verdict and enrichment `c2sieve scan` gives the same line.
# Usage: run_fluent_bit.sh FLUENT_BIT PLUGIN_SO LIBC2SIEVE C2SIEVE_CLI REPO
set -euo pipefail
flb=$1 plugin=$2 lib=$3 cli=$4 repo=$5
work=$(mktemp -d)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

# The corpus: one JSON object per line (what Fluent Bit's json parser reads).
python3 - "$repo" "$work/in.ndjson" <<'PY'
import json, sys
repo, out = sys.argv[1], sys.argv[2]
lines = []
for f in (f"{repo}/samples/ecs-dns-events.ndjson", f"{repo}/tests/cli/sources.ndjson",
          f"{repo}/../shared/data/sysmon-dns/otrf.ndjson",
          f"{repo}/../shared/data/sysmon-dns/sigma_regression.ndjson",
          f"{repo}/tests/integration/typed-events.ndjson",
          f"{repo}/tests/integration/key-spellings.ndjson"):
    for line in open(f, encoding="utf-8"):
        line = line.strip()
        if line.startswith("{"):
            lines.append(json.dumps(json.loads(line), ensure_ascii=False))
match = {"event": {"category": ["network"]}, "host": {"os": {"type": "windows"}},
         "dns": {"question": {"name": "pastebin.com"}},
         "process": {"name": "x.exe", "executable": "C:\\Users\\Public\\x.exe"}}
def hostile(**extra):
    d = json.loads(json.dumps(match)); d.update(extra); return json.dumps(d, ensure_ascii=False)
lines += [
    hostile(event={"category": ["x"] * 600 + ["network"]}),           # > 512 values
    hostile(dns={"question": {"name": [["pastebin.com"]]}}),         # nested arrays
    hostile(huge="a" * (1 << 20)),                                   # a 1 MiB field
    hostile(deep=json.loads("[" * 100 + "]" * 100)),                 # deep nesting
    hostile(process={"name": 7, "executable": True}),                # wrong types
    hostile(user={"id": 18446744073709551615}),                      # a big number
    hostile(rule="str"), hostile(tags={"a": "x"}), hostile(tags=5),  # odd shapes
    hostile(note="caf\u00e9 \u00fc\u2603"),                          # non-ASCII
    json.dumps({"dns": {"question": {"name": "www.example.com"}}}),  # no match
]
open(out, "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
cp "$repo/integration/fluent-bit/parsers.conf" "$work/parsers.conf"

# compare NAME OUTPUT [lua]: records out == lines in, in order, each equal
# (as JSON values) to c2sieve scan's line for the record Fluent Bit read.
# With "lua", integers beyond 2^53 are not compared: filter_lua hands a
# record to Lua as Lua numbers (doubles) and re-encodes a changed record
# from them, so Fluent Bit itself turns 18446744073709551615 into
# -9223372036854775808 in a matching record (the native plugin keeps it).
compare() {
  python3 - "$work/in.ndjson" "$work/expected.ndjson" "$2" "$1" "${3:-}" "${only:-}" <<'PY'
import json, sys
inp, exp, got_file, name, mode, only = sys.argv[1:7]
def lossy(v):
    if isinstance(v, bool): return v
    if isinstance(v, int) and abs(v) > 2**53: return "(integer beyond 2^53)"
    if isinstance(v, list): return [lossy(x) for x in v]
    if isinstance(v, dict): return {k: lossy(x) for k, x in v.items()}
    return v
norm = lossy if mode == "lua" else (lambda v: v)
ins = [json.loads(l) for l in open(inp, encoding="utf-8")]
want = [norm(json.loads(l)) for l in open(exp, encoding="utf-8")]
got = [norm(json.loads(l)) for l in open(got_file, encoding="utf-8") if l.strip()]
problems = []
if len(got) != (len(want) if only else len(ins)):
    problems.append(f"{len(got)} records out for {len(ins)} in ({len(want)} expected)")
for i, (g, w) in enumerate(zip(got, want)):
    if g != w:
        keys = sorted(set(g) ^ set(w)) or [k for k in w if g.get(k) != w.get(k)]
        problems.append(f"line {i + 1}: differs in {keys[:5]}")
matched = sum(1 for w in want if "c2sieve" in w and isinstance(w["c2sieve"], dict) and "matches" in w["c2sieve"])
for p in problems[:10]:
    print(f"  {name}: {p}")
print(f"  {name}: {len(got)} records, {matched} matches expected, {len(problems)} problems")
sys.exit(1 if problems or matched == 0 else 0)
PY
}

# run NAME MODE ARGS...: Fluent Bit reads the corpus once and exits at its end.
run() {
  local name=$1 mode=$2
  shift 2
  rm -f "$work/out.json"
  if timeout 300 "$@" >"$work/$name.log" 2>&1 && [ -s "$work/out.json" ] &&
     compare "$name" "$work/out.json" "$mode"; then
    ok "$name"
  else
    bad "$name"; tail -15 "$work/$name.log"
  fi
}

# classic NAME FILTER-LINES [INPUT OUTPUT-FILE TAIL-LINES]: a classic .conf,
# INPUT tail (by default over in.ndjson to its end), the FILTER given,
# OUTPUT file (by default out.json)
classic() {
  local in=${3:-$work/in.ndjson} out=${4:-out.json} tail_lines=${5:-"    Exit_On_Eof  On
    Buffer_Max_Size 4M"}
  cat >"$work/$1.conf" <<EOF
[SERVICE]
    Flush        1
    Grace        1
    Log_Level    info
    Parsers_File $work/parsers.conf

[INPUT]
    Name         tail
    Path         $in
    Parser       json
    Tag          dns
    Read_from_Head On
$tail_lines

$2

[OUTPUT]
    Name         file
    Match        dns
    Path         $work
    File         $out
    Format       plain
EOF
}

# What Fluent Bit itself makes of each line (its json parser turns what it
# cannot read, e.g. 100 levels of nesting, into a "log" string): the
# records the filters are given, scanned by the c2sieve command.
classic plain ""
timeout 300 "$flb" -c "$work/plain.conf" >"$work/plain.log" 2>&1 || { tail "$work/plain.log"; exit 1; }
mv "$work/out.json" "$work/as-read.ndjson"
if [ "$(wc -l <"$work/as-read.ndjson")" = "$(wc -l <"$work/in.ndjson")" ]; then
  ok "fluent-bit-reads-every-line"
else
  bad "fluent-bit-reads-every-line"
fi
"$cli" scan --quiet "$work/as-read.ndjson" >"$work/expected.ndjson"

classic lua "[FILTER]
    Name         lua
    Match        dns
    script       $repo/integration/fluent-bit/c2sieve.lua
    call         c2sieve_filter
    enable_flb_null on"
run lua-classic lua env C2SIEVE_LIBRARY="$lib" "$flb" -c "$work/lua.conf"

classic native "[FILTER]
    Name         c2sieve
    Match        dns"
run native-classic-e exact "$flb" -e "$plugin" -c "$work/native.conf"

yaml() {  # YAML: the same pipeline; $2 a plugins: list or "", $3 the filter
  cat >"$work/$1.yaml" <<EOF
service:
  flush: 1
  grace: 1
  log_level: info
  parsers_file: $work/parsers.conf
$2
pipeline:
  inputs:
    - name: tail
      path: $work/in.ndjson
      parser: json
      tag: dns
      read_from_head: on
      exit_on_eof: on
      buffer_max_size: 4M
  filters:
$3
  outputs:
    - name: file
      match: dns
      path: $work
      file: out.json
      format: plain
EOF
}

yaml lua-yaml "" "    - name: lua
      match: dns
      script: $repo/integration/fluent-bit/c2sieve.lua
      call: c2sieve_filter
      enable_flb_null: on"
run lua-yaml lua env C2SIEVE_LIBRARY="$lib" "$flb" -c "$work/lua-yaml.yaml"

yaml native-yaml-plugins "plugins:
  - $plugin" "    - name: c2sieve
      match: dns"
run native-yaml-plugins exact "$flb" -c "$work/native-yaml-plugins.yaml"

printf '[PLUGINS]\n    Path %s\n' "$plugin" >"$work/plugins.conf"
sed "s|^\[SERVICE\]|[SERVICE]\n    Plugins_File $work/plugins.conf|" "$work/native.conf" >"$work/native-plugins-file.conf"
run native-plugins-file exact "$flb" -c "$work/native-plugins-file.conf"

# Parity mode, chosen in each integration, against c2sieve scan --parity.
"$cli" scan --quiet --parity "$work/as-read.ndjson" >"$work/expected.ndjson"
classic native-parity "[FILTER]
    Name         c2sieve
    Match        dns
    mode         parity"
run native-parity exact "$flb" -e "$plugin" -c "$work/native-parity.conf"
run lua-parity lua env C2SIEVE_LIBRARY="$lib" C2SIEVE_MODE=parity "$flb" -c "$work/lua.conf"
# refused NAME KEY VALUE MESSAGE: the native filter with KEY VALUE stops
# Fluent Bit at start, saying MESSAGE.
refused() {
  classic "$1" "[FILTER]
    Name         c2sieve
    Match        dns
    $2 $3"
  if timeout 60 "$flb" -e "$plugin" -c "$work/$1.conf" >"$work/$1.log" 2>&1; then
    bad "native: $2 $3 refused"
  else
    grep -q "$4" "$work/$1.log" && ok "native: $2 $3 refused" ||
      { bad "native: $2 $3 refused"; tail -5 "$work/$1.log"; }
  fi
}
# A value outside the choices: Fluent Bit does not start.
refused native-bad-mode mode strict "mode must be one of canonical, parity"
# mark_excluded, which the native plugin does not do yet: refused at start,
# never silently ignored.
refused native-mark-excluded mark_excluded true "mark_excluded is not supported by the native plugin"

# Options by the library's names, as Fluent Bit writes keys: a repeatable
# option given twice (classic) and as a YAML list; only_matches drops the
# rest. Expected: c2sieve scan with the same options.
"$cli" scan --quiet --only-matches --tag team:c2 --tag soc "$work/as-read.ndjson" >"$work/expected.ndjson"
classic native-options "[FILTER]
    Name         c2sieve
    Match        dns
    tag          team:c2
    tag          soc
    only_matches on"
run_only() {  # like run, the expected output holding only the matches
  only=1
  run "$@"
  only=
}
run_only native-options-classic exact "$flb" -e "$plugin" -c "$work/native-options.conf"
yaml native-options-yaml "plugins:
  - $plugin" "    - name: c2sieve
      match: dns
      tag: [team:c2, soc]
      only_matches: true"
run_only native-options-yaml exact "$flb" -c "$work/native-options-yaml.yaml"
cat >"$work/lua-options.lua" <<EOF
C2SIEVE_TAG = { "team:c2", "soc" }
C2SIEVE_ONLY_MATCHES = true
dofile("$repo/integration/fluent-bit/c2sieve.lua")
EOF
classic lua-options "[FILTER]
    Name         lua
    Match        dns
    script       $work/lua-options.lua
    call         c2sieve_filter
    enable_flb_null on"
run_only lua-options lua env C2SIEVE_LIBRARY="$lib" "$flb" -c "$work/lua-options.conf"

# A threat-intelligence feed watched by each integration (watch_ruleset,
# the library's option): its matches carry threat.enrichments, as c2sieve
# scan --watch-ruleset gives them. The feed lists names of the corpus.
python3 - "$work/as-read.ndjson" "$work/feed.txt" <<'PY'
import json, sys
names = []
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        n = json.loads(line)["dns"]["question"]["name"]
    except Exception:
        continue
    if isinstance(n, str) and n not in names and "." in n:
        names.append(n)
open(sys.argv[2], "w").write("\n".join(names[:40]) + "\n")
PY
"$cli" import feed --id corpus-feed --name "Corpus feed" --provider "c2sieve tests" \
  -o "$work/feed.json" "$work/feed.txt" 2>/dev/null || true
"$cli" scan --quiet --watch-ruleset "$work/feed.json" "$work/as-read.ndjson" >"$work/expected.ndjson"
if [ "$(grep -c '"threat":{"enrichments"' "$work/expected.ndjson")" -gt 0 ]; then
  ok "feed: scan --watch-ruleset enriches with threat.enrichments"
else
  bad "feed: scan --watch-ruleset enriches with threat.enrichments"
fi
classic native-feed "[FILTER]
    Name          c2sieve
    Match         dns
    watch_ruleset $work/feed.json"
run native-feed exact "$flb" -e "$plugin" -c "$work/native-feed.conf"
run lua-feed lua env C2SIEVE_LIBRARY="$lib" C2SIEVE_WATCH_RULESET="$work/feed.json" "$flb" -c "$work/lua.conf"

# A watched ruleset replaced while Fluent Bit runs, by a version that
# decides on another field (host.name instead of the domain). Both
# integrations read only the gate's fields for most records; the library
# tells them (c2s_eval_gate's 2) that the rules now gate on a field they did
# not read. The record matches both versions, so each record out -- before,
# at and after the swap -- must be a match: a stale answer taken as "no
# match" shows as a record without one.
publish() {  # publish FILE TEXT: whole, by rename, as a deployment does
  printf '%s' "$2" >"$1.tmp" && mv "$1.tmp" "$1"
}
live() {  # live NAME FILTER-LINES COMMAND...: COMMAND -c CONF runs Fluent Bit
  local name=$1 filter=$2 in="$work/$1-in.ndjson" out="$work/$1-out.json" sent=0 i
  shift 2
  local record='{"event":{"category":["network"]},"host":{"name":"x.gate.example"},"dns":{"question":{"name":"a.example"}}}'
  publish "$work/$name.json" '{"format":"c2sieve.ruleset/1","name":"live","rules":[{"id":"live-feed","name":"Live feed","severity":"high","risk_score":73,"indicators":{"items":["a.example"]}}]}'
  : >"$in"
  rm -f "$out"
  classic "$name" "$filter" "$in" "$name-out.json" "    Refresh_Interval 1"
  "$@" -c "$work/$name.conf" >"$work/$name.log" 2>&1 &
  local pid=$!
  send() {  # one record in, and wait for it to come out
    echo "$record" >>"$in"
    sent=$((sent + 1))
    for i in $(seq 1 100); do
      [ -f "$out" ] && [ "$(wc -l <"$out")" -ge "$sent" ] && return 0
      sleep 0.1
    done
    return 1
  }
  send || true
  publish "$work/$name.json" '{"format":"c2sieve.ruleset/1","name":"live","rules":[{"id":"live-host","name":"Live host","severity":"high","risk_score":73,"query":{"all":[{"field":"host.name","wildcard":["*.gate.example"]}]}}]}'
  for i in $(seq 1 40); do
    send || break
    tail -1 "$out" | grep -q '"id":"live-host"' && break
    sleep 0.2
  done
  send || true  # and one after the gate's fields were asked for again
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  if python3 - "$out" "$sent" <<'PY'
import json, sys
got = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
ids = [g["rule"].get("id") if isinstance(g.get("rule"), dict) else None for g in got]
print(f"  {len(got)} records out of {sys.argv[2]}: {ids}")
sys.exit(0 if len(got) == int(sys.argv[2]) and None not in ids and ids[0] == "live-feed"
         and ids[-2:] == ["live-host", "live-host"] else 1)
PY
  then ok "$name"; else bad "$name"; tail -5 "$work/$name.log"; fi
}
live native-live-gate "[FILTER]
    Name         c2sieve
    Match        dns
    watch_ruleset $work/native-live-gate.json
    watch_interval_ms 10" "$flb" -e "$plugin"
live lua-live-gate "[FILTER]
    Name         lua
    Match        dns
    script       $repo/integration/fluent-bit/c2sieve.lua
    call         c2sieve_filter
    enable_flb_null on" env C2SIEVE_LIBRARY="$lib" C2SIEVE_WATCH_RULESET="$work/lua-live-gate.json" \
  C2SIEVE_WATCH_INTERVAL_MS=10 "$flb"

# A key that is no option, and a value out of range: Fluent Bit does not
# start, and says what is valid.
refused() {  # refused NAME EXPECTED-TEXT FILTER-LINES
  classic "$1" "[FILTER]
    Name         c2sieve
    Match        dns
$3"
  if timeout 60 "$flb" -e "$plugin" -c "$work/$1.conf" >"$work/$1.log" 2>&1; then
    bad "$1"
  elif grep -q "$2" "$work/$1.log"; then
    ok "$1"
  else
    bad "$1"; tail -5 "$work/$1.log"
  fi
}
refused native-unknown-key "unknown configuration property 'exclusion'" "    exclusion    x.json"
refused native-depth-range "max_depth: max-depth must be a whole number between 1 and 4096" "    max_depth    0"
refused native-twice "configuration property 'profile' is set 2 times" "    profile      sysmon-flat
    profile      ecs"
# The help is the library's.
if "$flb" -e "$plugin" -F c2sieve -h 2>&1 | sed 's/\x1b\[[0-9;]*m//g' |
   grep -q "^stats_interval_s .*log the counters every N seconds"; then
  ok "native-help-is-the-librarys"
else
  bad "native-help-is-the-librarys"
fi

# Metrics: Fluent Bit's own HTTP server shows the plugin's counters; they
# agree with the corpus. (Fluent Bit keeps running here: no Exit_On_Eof.)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$cli" scan --quiet "$work/as-read.ndjson" >"$work/expected.ndjson"
sed -e 's/^    Exit_On_Eof  On$//' \
    -e "s|^\[SERVICE\]|[SERVICE]\n    HTTP_Server  On\n    HTTP_Listen  127.0.0.1\n    HTTP_Port    $port|" \
    "$work/native.conf" >"$work/native-metrics.conf"
rm -f "$work/out.json"
"$flb" -e "$plugin" -c "$work/native-metrics.conf" >"$work/native-metrics.log" 2>&1 &
flb_pid=$!
lines=$(wc -l <"$work/in.ndjson")
for _ in $(seq 1 120); do
  [ -f "$work/out.json" ] && [ "$(wc -l <"$work/out.json")" -ge "$lines" ] && break
  sleep 0.5
done
sleep 1
curl -fsS "http://127.0.0.1:$port/api/v2/metrics/prometheus" >"$work/metrics.txt" || true
kill "$flb_pid" 2>/dev/null; wait "$flb_pid" 2>/dev/null || true
if python3 - "$work/metrics.txt" "$work/expected.ndjson" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
want = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
def metric(name, **labels):
    for line in text.splitlines():
        m = re.match(r'^(\w+)\{([^}]*)\} (\S+)', line)
        if not m or m.group(1) != name: continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        if all(got.get(k) == v for k, v in labels.items()): return float(m.group(3))
    return None
matches = sum(1 for w in want if isinstance(w.get("c2sieve"), dict) and "matches" in w["c2sieve"])
per_rule = {}
for w in want:
    if isinstance(w.get("c2sieve"), dict):
        for rid in {m["rule_id"] for m in w["c2sieve"].get("matches", [])}:
            per_rule[rid] = per_rule.get(rid, 0) + 1
checks = [
    ("records", metric("fluentbit_c2sieve_records_total"), len(want)),
    ("matches", metric("fluentbit_c2sieve_matches_total"), matches),
    ("errors", metric("fluentbit_c2sieve_errors_total"), 0),
    ("reloads", metric("fluentbit_c2sieve_exclusions_reloads_total"), 0),
    ("version", metric("fluentbit_c2sieve_exclusions_version", hash="none"), 1),
] + [(f"rule {r}", metric("fluentbit_c2sieve_rule_matches_total", rule_id=r), n)
     for r, n in per_rule.items()]
bad = [(n, g, w) for n, g, w in checks if g != w]
for n, g, w in checks: print(f"  metrics: {n} = {g} (expected {w})")
sys.exit(1 if bad or not per_rule else 0)
PY
then ok "native-metrics-at-api-v2"; else bad "native-metrics-at-api-v2"; tail -5 "$work/native-metrics.log"; fi

# The Lua wrapper logs the same counters, in the library's one format.
matches_expected=$(python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if isinstance(json.loads(l).get("c2sieve"), dict)
          and "matches" in json.loads(l)["c2sieve"]))' "$work/expected.ndjson")
printf 'C2SIEVE_STATS_INTERVAL_S = 1\ndofile("%s")\n' "$repo/integration/fluent-bit/c2sieve.lua" >"$work/lua-stats.lua"
sed -e 's/^    Exit_On_Eof  On$//' -e "s|script       .*|script       $work/lua-stats.lua|" \
    "$work/lua.conf" >"$work/lua-stats.conf"
rm -f "$work/out.json"
C2SIEVE_LIBRARY="$lib" "$flb" -c "$work/lua-stats.conf" >"$work/lua-stats.log" 2>&1 &
flb_pid=$!
for _ in $(seq 1 120); do
  [ -f "$work/out.json" ] && [ "$(wc -l <"$work/out.json")" -ge "$lines" ] && break
  sleep 0.5
done
sleep 2.5
kill "$flb_pid" 2>/dev/null; wait "$flb_pid" 2>/dev/null || true
if grep -q "c2sieve info: stats: records=$lines matches=$matches_expected" "$work/lua-stats.log"; then
  ok "lua-logs-the-counters"
else
  bad "lua-logs-the-counters"; grep "stats:" "$work/lua-stats.log" | tail -2
fi

# The README's example configurations, run as they are: only the input file,
# the output (a file instead of stdout), the paths of the script, plugin and
# exclusions, the HTTP port, and Exit_On_Eof are changed.
example() {  # example SOURCE DEST
  python3 - "$1" "$2" "$work" "$repo" "$plugin" "$port" <<'PY'
import re, sys
src, dst, work, repo, plugin, port = sys.argv[1:7]
t = open(src).read()
t = t.replace("/var/log/dns/*.ndjson", f"{work}/in.ndjson")
t = t.replace("/etc/fluent-bit/c2sieve.lua", f"{repo}/integration/fluent-bit/c2sieve.lua")
t = t.replace("/etc/c2sieve/exclusions.json", f"{repo}/rulesets/examples/exclusions.json")
t = t.replace("/usr/local/lib/fluent-bit/plugins/flb-filter_c2sieve.so", plugin)
t = re.sub(r"(?im)^(\s*)(parsers_file[:\s]+)parsers\.conf", rf"\g<1>\g<2>{work}/parsers.conf", t)
t = re.sub(r"(?im)^(\s*)(http_port[:\s]+)2020", rf"\g<1>\g<2>{port}", t)
if src.endswith(".conf"):
    t = t.replace("Read_from_Head On", "Read_from_Head On\n    Exit_On_Eof  On\n    Buffer_Max_Size 4M")
    t = re.sub(r"\[OUTPUT\].*", f"[OUTPUT]\n    Name file\n    Match dns\n    Path {work}\n    File out.json\n    Format plain\n", t, flags=re.S)
else:
    t = t.replace("read_from_head: true", "read_from_head: true\n      exit_on_eof: on\n      buffer_max_size: 4M")
    t = re.sub(r"  outputs:.*", f"  outputs:\n    - name: file\n      match: dns\n      path: {work}\n      file: out.json\n      format: plain\n", t, flags=re.S)
open(dst, "w").write(t)
PY
}
"$cli" scan --quiet "$work/as-read.ndjson" >"$work/expected.ndjson"
example "$repo/integration/fluent-bit/fluent-bit.conf" "$work/example-lua.conf"
run example-fluent-bit.conf lua env C2SIEVE_LIBRARY="$lib" "$flb" -c "$work/example-lua.conf"
example "$repo/integration/fluent-bit/fluent-bit.yaml" "$work/example-lua.yaml"
run example-fluent-bit.yaml lua env C2SIEVE_LIBRARY="$lib" "$flb" -c "$work/example-lua.yaml"
"$cli" scan --quiet --exclusions "$repo/rulesets/examples/exclusions.json" --tag via-fluent-bit \
  "$work/as-read.ndjson" >"$work/expected.ndjson"
example "$repo/integration/fluent-bit/native.conf" "$work/example-native.conf"
run example-native.conf exact "$flb" -e "$plugin" -c "$work/example-native.conf"
example "$repo/integration/fluent-bit/native.yaml" "$work/example-native.yaml"
run example-native.yaml exact "$flb" -c "$work/example-native.yaml"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
