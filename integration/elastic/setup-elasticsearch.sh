#!/usr/bin/env bash
# docker-compose "setup": waits for Elasticsearch, sets the kibana_system
# user's password and installs the c2sieve index template. Safe to re-run.
# Usage: setup-elasticsearch.sh ES_URL   (ELASTIC_PASSWORD, KIBANA_PASSWORD set)
set -euo pipefail
es=${1:?usage: setup-elasticsearch.sh ES_URL}
here=$(cd "$(dirname "$0")" && pwd)
auth="elastic:${ELASTIC_PASSWORD:?}"
json=(-H 'Content-Type: application/json')

for _ in $(seq 1 120); do
  curl -fs -u "$auth" "$es/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null && break
  sleep 2
done
curl -fsS -u "$auth" "$es/_cluster/health" >/dev/null

printf '{"password":"%s"}' "${KIBANA_PASSWORD:?}" |
  curl -fsS -u "$auth" "${json[@]}" -X POST "$es/_security/user/kibana_system/_password" \
       --data-binary @- >/dev/null
echo "setup: kibana_system password set"

curl -fsS -u "$auth" "${json[@]}" -X PUT "$es/_index_template/c2sieve" \
     --data-binary "@$here/index-template.json"
echo
echo "setup: index template c2sieve installed (indices c2sieve-*)"
