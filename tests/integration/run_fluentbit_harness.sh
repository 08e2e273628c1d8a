#!/usr/bin/env bash
# The Fluent Bit Lua wrapper over the bundled sample and the source samples,
# checked against the c2sieve command's verdicts on the same events.
# Usage: run_fluentbit_harness.sh C2SIEVE_CLI LIBC2SIEVE REPO
set -euo pipefail
cli=$1 lib=$2 repo=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat "$repo/samples/ecs-dns-events.ndjson" "$repo/tests/cli/sources.ndjson" "$repo/tests/cli/events.ndjson" >"$work/in.ndjson"
"$cli" scan --quiet "$work/in.ndjson" >"$work/expected.ndjson"
exec luajit "$repo/tests/integration/fluentbit_harness.lua" "$lib" \
  "$repo/integration/fluent-bit/c2sieve.lua" "$work/in.ndjson" "$work/expected.ndjson"
