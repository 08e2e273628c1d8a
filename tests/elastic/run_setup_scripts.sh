#!/usr/bin/env bash
# Runs docker-compose's setup jobs (integration/elastic/setup-elasticsearch.sh
# and setup-kibana.sh) against a stand-in for the Elasticsearch and Kibana
# APIs over TLS with a CA made here (tests/elastic/setup_standin.py), and
# checks what each sends: every request authenticated and TLS-verified, the
# shipped files as the bodies, the shippers' user with its role, the imports,
# the side-by-side copies of Elastic's rules made once (a second run makes
# none), a refused request failing the job, and Elastic's prebuilt rules out
# of reach leaving the rest in place with a warning.
# Usage: run_setup_scripts.sh REPO   (needs curl, jq, openssl)
set -euo pipefail
repo=$(cd "$1" && pwd)
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

bash "$repo/tests/integration/make_test_ca.sh" "$work"
export ELASTIC_PASSWORD=elastic-test KIBANA_PASSWORD=kibana-test SHIPPER_PASSWORD=shipper-test
python3 "$repo/tests/elastic/setup_standin.py" "$work/port" "$work/server.crt" "$work/server.key" \
  "elastic:$ELASTIC_PASSWORD" "$work/requests.log" "$work/refuse" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
url="https://localhost:$(cat "$work/port")"

# check NAME PYTHON: the Python reads the requests since the last mark as
# `reqs` and prints what is wrong (nothing: ok).
check() {
  local problems
  problems=$(python3 - "$work/requests.log" "$repo" "$(cat "$work/mark" 2>/dev/null || echo 0)" <<PY
import json, sys
lines = open(sys.argv[1]).read().splitlines()
repo, mark = sys.argv[2], int(sys.argv[3])
reqs = [json.loads(l) for l in lines[mark:]]
def body_of(method, prefix):
    return [r["body"] for r in reqs if r["method"] == method and r["path"].startswith(prefix)]
def same_json(text, path):
    return json.loads(text) == json.load(open(f"{repo}/integration/elastic/{path}"))
problems = []
if not reqs: problems.append("no request made")
if any(not r["auth_ok"] for r in reqs): problems.append("a request without the elastic user's credentials")
$2
print("; ".join(problems))
PY
)
  if [ -z "$problems" ]; then ok "$1"; else bad "$1: $problems"; fi
  wc -l <"$work/requests.log" >"$work/mark"
}

# Elasticsearch setup.
bash "$repo/integration/elastic/setup-elasticsearch.sh" "$url" "$work/ca.crt" >"$work/es.out" 2>&1 ||
  bad "setup-elasticsearch.sh failed: $(tail -3 "$work/es.out")"
check "setup-elasticsearch.sh: passwords, shipper user, pipeline and templates as shipped" '
kb = body_of("POST", "/_security/user/kibana_system/_password")
if [json.loads(b) for b in kb] != [{"password": "kibana-test"}]: problems.append(f"kibana_system password {kb}")
role = body_of("PUT", "/_security/role/c2sieve_shipper")
if len(role) != 1 or not same_json(role[0], "shipper-role.json"): problems.append("role body")
user = [json.loads(b) for b in body_of("PUT", "/_security/user/c2sieve_shipper")]
if len(user) != 1 or user[0]["roles"] != ["c2sieve_shipper"] or user[0]["password"] != "shipper-test":
    problems.append(f"shipper user {user}")
for method, path, f in (("PUT", "/_ingest/pipeline/logs-c2sieve.dns@pipeline", "ingest-pipeline.json"),
                        ("PUT", "/_component_template/logs-c2sieve.dns@mappings", "component-template.json"),
                        ("PUT", "/_index_template/logs-c2sieve.dns", "index-template.json")):
    got = body_of(method, path)
    if len(got) != 1 or not same_json(got[0], f): problems.append(f"{path} is not {f}")
order = [r["path"] for r in reqs if r["method"] == "PUT"]
if order.index("/_index_template/logs-c2sieve.dns") < order.index("/_component_template/logs-c2sieve.dns@mappings"):
    problems.append("the index template went in before its component template")
'
echo "PUT /_index_template/" >"$work/refuse"
if bash "$repo/integration/elastic/setup-elasticsearch.sh" "$url" "$work/ca.crt" >"$work/es2.out" 2>&1; then
  bad "setup-elasticsearch.sh: a refused template still ended in success"
else
  ok "setup-elasticsearch.sh: a refused request fails the job"
fi
rm -f "$work/refuse"
wc -l <"$work/requests.log" >"$work/mark"

# Kibana setup, first run.
bash "$repo/integration/elastic/setup-kibana.sh" "$url" "$work/ca.crt" >"$work/kb1.out" 2>&1 ||
  bad "setup-kibana.sh failed: $(tail -3 "$work/kb1.out")"
check "setup-kibana.sh: saved objects, detection rules, two side-by-side copies" '
if any(r["xsrf"] is None for r in reqs if r["method"] != "GET"): problems.append("a change without kbn-xsrf")
so = body_of("POST", "/api/saved_objects/_import?overwrite=true")
if so != [open(f"{repo}/integration/elastic/kibana-saved-objects.ndjson").read()]: problems.append("saved objects upload")
dr = body_of("POST", "/api/detection_engine/rules/_import?overwrite=true")
if dr != [open(f"{repo}/integration/elastic/detection-rules.ndjson").read()]: problems.append("rules upload")
dup = [json.loads(b) for b in body_of("POST", "/api/detection_engine/rules/_bulk_action")]
want = {"66883649-f908-4a5b-a1e0-54090a1d3a32", "8248323e-f888-4134-a26f-37a6362f7231"}
if sorted(d["ids"][0] for d in dup) != sorted(f"installed-{i}" for i in want) or any(d["action"] != "duplicate" for d in dup):
    problems.append(f"duplicates {dup}")
for p in [json.loads(b) for b in body_of("PATCH", "/api/detection_engine/rules")]:
    rid = p["tags"][-1]
    if (p["id"] != f"copy-of-installed-{rid}" or p["index"] != ["logs-c2sieve.dns-*"] or p["enabled"] is not True
            or "c2sieve: side by side" not in p["tags"] or not p["name"].startswith("Elastic: ")):
        problems.append(f"patch {p}")
    want.discard(rid)
if want: problems.append(f"no copy of {sorted(want)}")
'
# Second run: nothing copied again.
bash "$repo/integration/elastic/setup-kibana.sh" "$url" "$work/ca.crt" >"$work/kb2.out" 2>&1 ||
  bad "setup-kibana.sh failed on the second run: $(tail -3 "$work/kb2.out")"
check "setup-kibana.sh again: imports overwrite, no second copy" '
if body_of("POST", "/api/detection_engine/rules/_bulk_action") or body_of("PATCH", "/api/detection_engine/rules"):
    problems.append("copied again")
if len(body_of("POST", "/api/saved_objects/_import")) != 1: problems.append("saved objects not imported again")
'
# The package registry out of reach: a warning, the rest in place.
echo "PUT /api/detection_engine/rules/prepackaged" >"$work/refuse"
if bash "$repo/integration/elastic/setup-kibana.sh" "$url" "$work/ca.crt" >"$work/kb3.out" 2>&1 &&
   grep -q "WARNING: no side-by-side copies" "$work/kb3.out"; then
  ok "setup-kibana.sh: without Elastic's prebuilt rules, a warning and success"
else
  bad "setup-kibana.sh without prebuilt rules: $(tail -3 "$work/kb3.out")"
fi
wc -l <"$work/requests.log" >"$work/mark"
# A failed import fails the job (the shippers then do not start).
echo "POST /api/detection_engine/rules/_import" >"$work/refuse"
if bash "$repo/integration/elastic/setup-kibana.sh" "$url" "$work/ca.crt" >"$work/kb4.out" 2>&1; then
  bad "setup-kibana.sh: a refused rules import still ended in success"
else
  ok "setup-kibana.sh: a refused rules import fails the job"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
