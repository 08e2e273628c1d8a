#!/usr/bin/env bash
# Runs a wrapper's harness over the bundled sample, the source and CLI
# sample events, typed values and keys spelled every way (flattened, mixed,
# empty components: key-spellings.ndjson), against the c2sieve command's verdicts on the same events.
# Usage: run_wrapper_harness.sh lua|ruby C2SIEVE_CLI LIBC2SIEVE REPO
#   lua:  the Fluent Bit Lua script under LuaJIT, called as filter_lua does
#   ruby: the Logstash script inside the ruby filter plugin's own classes
#         (../shared/vendor/logstash-filter-ruby) under JRuby
set -euo pipefail
which=$1 cli=$2 lib=$3 repo=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat "$repo/samples/ecs-dns-events.ndjson" "$repo/tests/cli/sources.ndjson" \
    "$repo/tests/cli/events.ndjson" "$repo/tests/integration/typed-events.ndjson" \
    "$repo/tests/integration/key-spellings.ndjson" >"$work/in.ndjson"
"$cli" scan --quiet "$work/in.ndjson" >"$work/expected.ndjson"
case "$which" in
  lua)
    luajit "$repo/tests/integration/fluentbit_harness.lua" "$lib" \
      "$repo/integration/fluent-bit/c2sieve.lua" "$work/in.ndjson" "$work/expected.ndjson" ;;
  ruby)
    jruby "$repo/tests/integration/logstash_harness.rb" "$repo/integration/logstash/c2sieve.rb" \
      "$lib" "$work/in.ndjson" "$work/expected.ndjson" \
      "$repo/../shared/vendor/logstash-filter-ruby/lib" ;;
  *) echo "usage: $0 lua|ruby CLI LIB REPO" >&2; exit 2 ;;
esac
