#!/usr/bin/env bash
# Runs the real Fluent Bit with docker-compose's own configuration
# (integration/docker/fluent-bit/fluent-bit.yaml, unchanged: paths and
# addresses through its STACK_* variables) against a stand-in Elasticsearch
# _bulk endpoint over TLS with a CA made here, and checks what the compose
# stack promises:
#   - every sample event arrives once, by "create", as the writer-only user,
#     into logs-c2sieve.dns-fluentbit, with @timestamp and the data_stream
#     fields; its _id and event_hash are the SHA-256 of its line; the
#     matches and the events marked excluded are c2sieve scan's with the
#     same exclusions (as docker-compose.yml sets them);
#   - a restart sends nothing again (tail's position database), and lines
#     appended meanwhile arrive once;
#   - with the position lost, everything is sent again under the same _ids,
#     which the data stream refuses (409): still one document per event;
#   - a server certificate from another CA gets nothing (TLS is verified);
#   - with PLUGIN, the native image's configuration (fluent-bit-native.yaml,
#     the plugin through its plugins list) delivers every event once with
#     c2sieve scan's matches.
# Usage: run_stack_shipping.sh FLUENT_BIT LIBC2SIEVE C2SIEVE_CLI REPO [PLUGIN]
set -euo pipefail
flb=$1 lib=$2 cli=$3 repo=$(cd "$4" && pwd) plugin=${5:-}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

# A CA and a server certificate for 127.0.0.1, and a second, unrelated CA.
bash "$repo/tests/integration/make_test_ca.sh" "$work/pki"
bash "$repo/tests/integration/make_test_ca.sh" "$work/other-pki"
password=shipper-test-password

start_standin() {  # PKI_DIR LOG
  rm -f "$work/port"
  python3 "$repo/tests/integration/es_bulk_standin.py" "$work/port" "$1/server.crt" "$1/server.key" \
    "c2sieve_shipper:$password" "$2" &
  standin=$!
  pids+=("$standin")
  for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
  port=$(cat "$work/port")
}

start_fluent_bit() {  # LOG [CONFIG]
  C2SIEVE_WATCH_INTERVAL_MS=2000 STACK_SAMPLES="$work/events.ndjson" STACK_STATE_DIR="$work/state" \
  STACK_PARSERS="$repo/integration/docker/fluent-bit/parsers.conf" \
  STACK_LUA_SCRIPT="$repo/integration/fluent-bit/c2sieve.lua" \
  STACK_ES_HOST=127.0.0.1 STACK_ES_PORT="$port" STACK_CA_FILE="$work/pki/ca.crt" \
  SHIPPER_PASSWORD="$password" C2SIEVE_LIBRARY="$lib" \
  C2SIEVE_EXCLUSIONS="$repo/rulesets/examples/exclusions.json" C2SIEVE_MARK_EXCLUDED=true \
    "$flb" -c "${2:-$repo/integration/docker/fluent-bit/fluent-bit.yaml}" -H -P 0 >"$1" 2>&1 &
  fluent_bit=$!
  pids+=("$fluent_bit")
}

stop_fluent_bit() {
  kill -TERM "$fluent_bit" 2>/dev/null || true
  wait "$fluent_bit" 2>/dev/null || true
}

# How many actions with STATUS (or any, with "") LOG holds.
count() {  # LOG [STATUS]
  python3 - "$1" "${2:-}" <<'PY'
import json, sys
n = 0
try:
    for line in open(sys.argv[1]):
        for a in json.loads(line)["actions"]:
            n += sys.argv[2] == "" or str(a["status"]) == sys.argv[2]
except FileNotFoundError:
    pass
print(n)
PY
}

wait_for() {  # LOG STATUS N SECONDS: until LOG holds N actions of STATUS
  local deadline=$((SECONDS + $4))
  while [ "$(count "$1" "$2")" -lt "$3" ] && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
}

cp "$repo/samples/ecs-dns-events.ndjson" "$work/events.ndjson"
mkdir -p "$work/state"
total=$(grep -c . "$work/events.ndjson")
start_standin "$work/pki" "$work/bulk.log"

# 1. First run: every event once.
start_fluent_bit "$work/fb1.log"
wait_for "$work/bulk.log" 201 "$total" 60
sleep 2  # anything beyond the events would show now
stop_fluent_bit
python3 - "$work/bulk.log" "$total" "$cli" "$work/events.ndjson" "$repo" >"$work/check1" 2>&1 <<'PY' && ok "first run: $(cat "$work/check1")" || bad "first run: $(cat "$work/check1")"
import hashlib, json, subprocess, sys
log, total, cli, events, repo = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
actions = [a for l in open(log) for a in json.loads(l)["actions"]]
users = {json.loads(l)["user"] for l in open(log)}
problems = []
if len(actions) != total or any(a["status"] != 201 for a in actions):
    problems.append(f"{len(actions)} actions for {total} events, statuses {sorted({a['status'] for a in actions})}")
if {a["index"] for a in actions} != {"logs-c2sieve.dns-fluentbit"}:
    problems.append(f"indices {sorted({a['index'] for a in actions})}")
line_hashes = [hashlib.sha256(l.rstrip("\n").encode()).hexdigest() for l in open(events, encoding="utf-8")]
if [a["id"] for a in actions] != line_hashes:
    problems.append("the _ids are not the SHA-256 of the lines, in order")
if any(a["doc"].get("event_hash") != a["id"] for a in actions):
    problems.append("event_hash (event.hash once the ingest pipeline moved it) differs from the _id")
for a in actions:
    ds = {k: a["doc"].get(f"data_stream.{k}") for k in ("type", "dataset", "namespace")}
    if ds != {"type": "logs", "dataset": "c2sieve.dns", "namespace": "fluentbit"}:
        problems.append(f"data_stream fields {ds}"); break
scanned = [json.loads(l) for l in subprocess.run(
    [cli, "scan", "--quiet", "--mark-excluded", "--exclusions", f"{repo}/rulesets/examples/exclusions.json",
     events], capture_output=True, check=True).stdout.splitlines()]
def kinds(docs):
    c2 = [d.get("c2sieve") for d in docs]
    return (sum(1 for c in c2 if isinstance(c, dict) and "matches" in c),
            sum(1 for c in c2 if isinstance(c, dict) and "excluded" in c))
want, got = kinds(scanned), kinds([a["doc"] for a in actions])
if got != want or want[1] == 0:
    problems.append(f"(matches, excluded) {got}, c2sieve scan gives {want}")
if problems:
    print("; ".join(problems)); sys.exit(1)
print(f"{total} documents created once as {sorted(users)}, _id = SHA-256 of the line, "
      f"{got[0]} matches and {got[1]} marked excluded (= c2sieve scan)")
PY

# 2. Restart with the position kept: nothing again; appended lines once.
before=$(count "$work/bulk.log")
start_fluent_bit "$work/fb2.log"
sleep 8  # tail's refresh (5 s) and a flush (1 s) have passed
resent=$(( $(count "$work/bulk.log") - before ))
{ head -2 "$repo/samples/ecs-dns-events.ndjson" | sed 's/"@timestamp":"[^"]*"/"@timestamp":"2026-12-01T00:00:00.000Z"/'
  echo 'a line that is no JSON {"dns":'; } >>"$work/events.ndjson"
wait_for "$work/bulk.log" 201 $((total + 3)) 30
sleep 2
stop_fluent_bit
added=$(( $(count "$work/bulk.log") - before - resent ))
kept=$(python3 -c 'import json,sys
docs=[a["doc"] for l in open(sys.argv[1]) for a in json.loads(l)["actions"]]
print(sum(d.get("log") == sys.argv[2] for d in docs))' "$work/bulk.log" 'a line that is no JSON {"dns":')
if [ "$resent" -eq 0 ] && [ "$added" -eq 3 ] && [ "$(count "$work/bulk.log" 201)" -eq $((total + 3)) ] &&
   [ "$kept" -eq 1 ]; then
  ok "restart: nothing sent again, the 3 appended lines once (the one that is no JSON as it was read)"
else
  bad "restart: $resent sent again, $added after appending 3 lines, $kept kept as read (fb2.log: $(tail -3 "$work/fb2.log"))"
fi

# 3. Position lost: all sent again, all refused as duplicates.
rm -rf "$work/state" && mkdir -p "$work/state"
before=$(count "$work/bulk.log")
start_fluent_bit "$work/fb3.log"
wait_for "$work/bulk.log" 409 $((total + 3)) 60
sleep 2
stop_fluent_bit
python3 - "$work/bulk.log" "$before" "$((total + 3))" >"$work/check3" 2>&1 <<'PY' && ok "position lost: $(cat "$work/check3")" || bad "position lost: $(cat "$work/check3")"
import json, sys
log, before, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
actions = [a for l in open(log) for a in json.loads(l)["actions"]]
first, again = actions[:before], actions[before:]
stored = {a["id"] for a in actions if a["status"] == 201}
# Fluent Bit counts only 200/201 items as success: a chunk of nothing but
# duplicates is retried (up to retry_limit), each time refused again.
if {a["id"] for a in again} != stored or any(a["status"] != 409 for a in again) or len(stored) != total:
    print(f"{len(again)} sent again for {total}, statuses {sorted({a['status'] for a in again})}, "
          f"same ids: {({a['id'] for a in again} == stored)}, {len(stored)} stored")
    sys.exit(1)
print(f"all {total} sent again under the same _ids ({len(again)} requests with retries), all refused (409): "
      f"{len(stored)} documents, no duplicate")
PY
kill "$standin" 2>/dev/null || true

# 4. A server certificate the configured CA did not sign: nothing delivered.
start_standin "$work/other-pki" "$work/bulk-other.log"
rm -rf "$work/state" && mkdir -p "$work/state"
start_fluent_bit "$work/fb4.log"
sleep 6
stop_fluent_bit
if [ "$(count "$work/bulk-other.log")" -eq 0 ] && grep -qi "tls\|certificate" "$work/fb4.log"; then
  ok "unknown CA: nothing delivered, Fluent Bit logs the TLS failure"
else
  bad "unknown CA: $(count "$work/bulk-other.log") actions delivered (fb4.log: $(tail -3 "$work/fb4.log"))"
fi

kill "$standin" 2>/dev/null || true

# 5. The native image's configuration: the same pipeline through the plugin.
if [ -n "$plugin" ]; then
  start_standin "$work/pki" "$work/bulk-native.log"
  rm -rf "$work/state" && mkdir -p "$work/state"
  lines=$(grep -c . "$work/events.ndjson")
  # The file as the image has it, but for where the plugin is here.
  sed "s|/opt/c2sieve/lib/fluent-bit/plugins/flb-filter_c2sieve.so|$plugin|" \
    "$repo/integration/docker/fluent-bit/fluent-bit-native.yaml" >"$work/fluent-bit-native.yaml"
  cmp -s "$work/fluent-bit-native.yaml" "$repo/integration/docker/fluent-bit/fluent-bit-native.yaml" &&
    bad "fluent-bit-native.yaml does not list the image's plugin path"
  start_fluent_bit "$work/fb5.log" "$work/fluent-bit-native.yaml"
  wait_for "$work/bulk-native.log" 201 "$lines" 60
  sleep 2
  stop_fluent_bit
  python3 - "$work/bulk-native.log" "$lines" "$cli" "$work/events.ndjson" "$repo" >"$work/check5" 2>&1 <<'PY' && ok "native image configuration: $(cat "$work/check5")" || bad "native image configuration: $(cat "$work/check5") (fb5.log: $(tail -3 "$work/fb5.log"))"
import hashlib, json, subprocess, sys
log, total, cli, events, repo = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
actions = [a for l in open(log) for a in json.loads(l)["actions"]]
problems = []
if len(actions) != total or any(a["status"] != 201 for a in actions):
    problems.append(f"{len(actions)} actions for {total} lines")
line_hashes = [hashlib.sha256(l.rstrip("\n").encode()).hexdigest() for l in open(events, encoding="utf-8")]
if [a["id"] for a in actions] != line_hashes:
    problems.append("the _ids are not the SHA-256 of the lines, in order")
scanned = subprocess.run([cli, "scan", "--quiet", "--exclusions", f"{repo}/rulesets/examples/exclusions.json",
                          events], capture_output=True, check=True).stdout.splitlines()
def matched(doc):
    return isinstance(doc.get("c2sieve"), dict) and "matches" in doc["c2sieve"]
want = [l.startswith(b"{") and matched(json.loads(l)) for l in scanned]  # a line that is no JSON stays one
got = [matched(a["doc"]) for a in actions]
if got != want or sum(want) == 0:
    problems.append(f"{sum(got)} matches, c2sieve scan gives {sum(want)} (same events: {got == want})")
if problems:
    print("; ".join(problems)); sys.exit(1)
print(f"{total} documents created once, {sum(got)} matches, the same events as c2sieve scan's")
PY
  kill "$standin" 2>/dev/null || true
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
