#!/usr/bin/env bash
# docker-compose "setup": once Elasticsearch answers over TLS, sets the
# kibana_system password, makes the shippers' role and user, and installs
# the ingest pipeline, component template and index template of the data
# streams logs-c2sieve.dns-*. Every request is checked; safe to re-run.
# Usage: setup-elasticsearch.sh ES_URL CA_FILE
#        (ELASTIC_PASSWORD, KIBANA_PASSWORD, SHIPPER_PASSWORD set)
set -euo pipefail
es=${1:?usage: setup-elasticsearch.sh ES_URL CA_FILE}
ca=${2:?usage: setup-elasticsearch.sh ES_URL CA_FILE}
here=$(cd "$(dirname "$0")" && pwd)
curl_es() {  # METHOD PATH [BODY_FILE]: fails on an HTTP error, prints the answer
  local method=$1 path=$2
  curl -fsS --cacert "$ca" -u "elastic:${ELASTIC_PASSWORD:?}" -X "$method" \
       -H 'Content-Type: application/json' "$es$path" ${3:+--data-binary "@$3"}
  echo
}

for _ in $(seq 1 120); do
  curl -fs --cacert "$ca" -u "elastic:${ELASTIC_PASSWORD:?}" \
       "$es/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null && break
  sleep 2
done
curl_es GET /_cluster/health >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '{"password":"%s"}' "${KIBANA_PASSWORD:?}" >"$work/kibana.json"
curl_es POST /_security/user/kibana_system/_password "$work/kibana.json" >/dev/null
echo "setup: kibana_system password set"

curl_es PUT /_security/role/c2sieve_shipper "$here/shipper-role.json" >/dev/null
printf '{"password":"%s","roles":["c2sieve_shipper"],"full_name":"c2sieve shippers"}' \
  "${SHIPPER_PASSWORD:?}" >"$work/shipper.json"
curl_es PUT /_security/user/c2sieve_shipper "$work/shipper.json" >/dev/null
echo "setup: role and user c2sieve_shipper (writes logs-c2sieve.dns-* only)"

curl_es PUT /_ingest/pipeline/logs-c2sieve.dns@pipeline "$here/ingest-pipeline.json" >/dev/null
curl_es PUT /_component_template/logs-c2sieve.dns@mappings "$here/component-template.json" >/dev/null
# A single-node demo: no replicas, so the data streams are green. This is
# the site hook (the @custom template), not part of c2sieve's own mapping.
echo '{"template":{"settings":{"index":{"number_of_replicas":0}}},"_meta":{"description":"docker-compose demo: single node"}}' \
  >"$work/custom.json"
curl_es PUT /_component_template/logs-c2sieve.dns@custom "$work/custom.json" >/dev/null
curl_es PUT /_index_template/logs-c2sieve.dns "$here/index-template.json" >/dev/null
echo "setup: index template logs-c2sieve.dns (data streams logs-c2sieve.dns-*) installed"
