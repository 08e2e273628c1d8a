#!/usr/bin/env bash
# The README's first command: install dependencies, build, and run the main
# job (scan the bundled sample with the built-in ruleset).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target c2sieve_cli c2sieve >/dev/null
echo "== c2sieve scan --only-matches samples/ecs-dns-events.ndjson > build/matches.ndjson" >&2
build/cli/c2sieve scan --only-matches samples/ecs-dns-events.ndjson > build/matches.ndjson
echo "== first match, pretty-printed:" >&2
head -n 1 build/matches.ndjson | python3 -m json.tool
