#!/usr/bin/env bash
# The Logstash ruby-filter script under JRuby: its inline tests, then the
# sample and source events against the c2sieve command's verdicts.
# Usage: run_logstash_harness.sh C2SIEVE_CLI LIBC2SIEVE REPO
set -euo pipefail
cli=$1 lib=$2 repo=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat "$repo/samples/ecs-dns-events.ndjson" "$repo/tests/cli/sources.ndjson" "$repo/tests/cli/events.ndjson" >"$work/in.ndjson"
"$cli" scan --quiet "$work/in.ndjson" >"$work/expected.ndjson"
exec jruby "$repo/tests/integration/logstash_harness.rb" "$repo/integration/logstash/c2sieve.rb" \
  "$lib" "$work/in.ndjson" "$work/expected.ndjson"
