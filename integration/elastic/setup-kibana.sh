#!/usr/bin/env bash
# docker-compose "kibana-setup": waits for Kibana and imports the c2sieve data
# view and saved search (kibana-saved-objects.ndjson). Safe to re-run.
# Usage: setup-kibana.sh KIBANA_URL   (ELASTIC_PASSWORD set)
set -euo pipefail
kibana=${1:?usage: setup-kibana.sh KIBANA_URL}
here=$(cd "$(dirname "$0")" && pwd)
auth="elastic:${ELASTIC_PASSWORD:?}"

for _ in $(seq 1 120); do
  curl -fs -u "$auth" "$kibana/api/status" | grep -q '"level":"available"' && break
  sleep 5
done
answer=$(curl -fsS -u "$auth" -H 'kbn-xsrf: true' \
              -X POST "$kibana/api/saved_objects/_import?overwrite=true" \
              -F "file=@$here/kibana-saved-objects.ndjson")
echo "$answer"
case "$answer" in
  *'"success":true'*) echo "kibana-setup: saved objects imported" ;;
  *) echo "kibana-setup: import failed" >&2; exit 1 ;;
esac
