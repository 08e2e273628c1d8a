#!/usr/bin/env bash
# docker-compose "kibana-setup": once Kibana answers over TLS, imports
# - the data view, saved search, visualizations and dashboard
#   (kibana-saved-objects.ndjson),
# - c2sieve's detection rules (detection-rules.ndjson), so each match is an
#   alert in Security > Alerts,
# - and, for a side-by-side check, Elastic's own rules of the same ids
#   (installed from Elastic's prebuilt rules package, which needs Kibana to
#   reach the Elastic Package Registry), each duplicated, pointed at the
#   c2sieve data streams and enabled.
# Safe to re-run: imports overwrite, the side-by-side copies are made once.
# Usage: setup-kibana.sh KIBANA_URL CA_FILE   (ELASTIC_PASSWORD set; needs jq)
set -euo pipefail
kibana=${1:?usage: setup-kibana.sh KIBANA_URL CA_FILE}
ca=${2:?usage: setup-kibana.sh KIBANA_URL CA_FILE}
here=$(cd "$(dirname "$0")" && pwd)
side_by_side_tag="c2sieve: side by side"
elastic_rules=(66883649-f908-4a5b-a1e0-54090a1d3a32 8248323e-f888-4134-a26f-37a6362f7231)
api() {  # METHOD PATH [curl arguments...]: fails on an HTTP error, prints the answer
  local method=$1 path=$2
  shift 2
  curl -fsS --max-time 900 --cacert "$ca" -u "elastic:${ELASTIC_PASSWORD:?}" \
       -H 'kbn-xsrf: c2sieve' -X "$method" "$kibana$path" "$@"
}

for _ in $(seq 1 120); do
  api GET /api/status 2>/dev/null | jq -e '.status.overall.level == "available"' >/dev/null && break
  sleep 5
done
api GET /api/status | jq -e '.status.overall.level == "available"' >/dev/null

answer=$(api POST '/api/saved_objects/_import?overwrite=true' -F "file=@$here/kibana-saved-objects.ndjson")
if ! jq -e '.success == true' <<<"$answer" >/dev/null; then
  echo "kibana-setup: saved objects import failed: $answer" >&2
  exit 1
fi
echo "kibana-setup: $(jq -r .successCount <<<"$answer") saved objects imported (dashboard \"c2sieve: ...\")"

answer=$(api POST '/api/detection_engine/rules/_import?overwrite=true' -F "file=@$here/detection-rules.ndjson")
if ! jq -e '.success == true and (.errors | length) == 0' <<<"$answer" >/dev/null; then
  echo "kibana-setup: detection rules import failed: $answer" >&2
  exit 1
fi
echo "kibana-setup: $(jq -r .rules_count <<<"$answer") detection rules imported and enabled"

# Elastic's own rules beside them. Never fatal: c2sieve's alerts do not
# depend on them, and the shippers start only once this job succeeded.
side_by_side() {
  if ! api PUT /api/detection_engine/rules/prepackaged >/dev/null; then
    echo "Elastic's prebuilt rules could not be installed (is the Elastic Package Registry reachable?)"
    return 1
  fi
  local rule_id filter found original copy patch
  for rule_id in "${elastic_rules[@]}"; do
    filter=$(jq -rn --arg t "$side_by_side_tag" --arg r "$rule_id" \
               '"alert.attributes.tags:\"\($t)\" and alert.attributes.tags:\"\($r)\"" | @uri') || return 1
    found=$(api GET "/api/detection_engine/rules/_find?per_page=1&filter=$filter") || return 1
    if [ "$(jq -r .total <<<"$found")" != 0 ]; then
      echo "kibana-setup: side-by-side copy of Elastic's rule $rule_id already there"
      continue
    fi
    original=$(api GET "/api/detection_engine/rules?rule_id=$rule_id") || return 1
    copy=$(api POST /api/detection_engine/rules/_bulk_action -H 'Content-Type: application/json' \
             --data-binary "$(jq -c '{action: "duplicate", ids: [.id],
               duplicate: {include_exceptions: false, include_expired_exceptions: false}}' <<<"$original")" |
           jq -er '.attributes.results.created[0].id') || return 1
    patch=$(jq -c --arg id "$copy" --arg tag "$side_by_side_tag" --arg rule "$rule_id" '{
        id: $id,
        name: ("Elastic: " + .name + " (over c2sieve data)"),
        index: ["logs-c2sieve.dns-*"],
        max_signals: 1000,
        tags: (.tags + [$tag, $rule]),
        enabled: true}' <<<"$original") || return 1
    api PATCH /api/detection_engine/rules -H 'Content-Type: application/json' \
        --data-binary "$patch" >/dev/null || return 1
    echo "kibana-setup: Elastic's rule $rule_id copied over logs-c2sieve.dns-* and enabled"
  done
}
if ! side_by_side; then
  echo "kibana-setup: WARNING: no side-by-side copies of Elastic's rules; c2sieve's own rules," \
       "alerts and dashboard are in place" >&2
fi
