#!/usr/bin/env bash
# Golden tests of the c2sieve command.
# Usage: run_cli_tests.sh C2SIEVE REPO [PROJECT_VERSION]
# Set C2S_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.
set -u
bin=$1
repo=$2
here="$repo/tests/cli"
golden="$here/golden"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
# The enrichment's c2sieve.version is the library's version: the golden
# files hold @VERSION@ in its place, so a version bump changes no golden.
version=$("$bin" version | sed 's/^c2sieve //')

# run NAME EXPECTED_EXIT COMMAND...: stdout, stderr (rates removed) and the
# exit code must equal golden/NAME.{out,err}.
run() {
  local name=$1 want=$2
  shift 2
  (cd "$repo" && "$@") >"$work/$name.out" 2>"$work/$name.raw-err"
  local got=$?
  sed -E 's/[0-9]+ events\/s/N events\/s/' "$work/$name.raw-err" >"$work/$name.err"
  sed -i "s/\"version\":\"${version//./\\.}\"/\"version\":\"@VERSION@\"/g" "$work/$name.out" "$work/$name.err"
  if [ "${C2S_UPDATE_GOLDEN:-}" = 1 ]; then
    cp "$work/$name.out" "$golden/$name.out"
    cp "$work/$name.err" "$golden/$name.err"
  fi
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: exit $got, expected $want"; cat "$work/$name.raw-err"; failed=$((failed + 1)); return
  fi
  if ! diff -u "$golden/$name.out" "$work/$name.out" >"$work/$name.diff" ||
     ! diff -u "$golden/$name.err" "$work/$name.err" >>"$work/$name.diff"; then
    echo "FAIL $name: output differs from golden"; head -40 "$work/$name.diff"; failed=$((failed + 1)); return
  fi
  echo "ok   $name"; passed=$((passed + 1))
}

# check NAME CONDITION-COMMAND...: a plain assertion.
check() {
  local name=$1
  shift
  if "$@" >/dev/null 2>&1; then echo "ok   $name"; passed=$((passed + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}

# One version, set in CMake's project(): the CLI prints it, and the
# enrichment carries it (checked through @VERSION@ in the golden files).
if [ -n "${3:-}" ]; then
  check version-is-project-version test "$("$bin" version)" = "c2sieve $3"
fi
check version-in-enrichment bash -c "cd '$repo' && '$bin' scan --quiet --only-matches tests/cli/events.ndjson | head -1 | grep -q '\"version\":\"$version\",\"profile\"'"
run scan 0 "$bin" scan tests/cli/events.ndjson
run scan-only-matches 0 "$bin" scan --only-matches --quiet tests/cli/events.ndjson
run scan-exclusions 0 "$bin" scan --only-matches --exclusions rulesets/examples/exclusions.json tests/cli/events.ndjson
run scan-stdin 0 bash -c "\"$bin\" scan --quiet - < tests/cli/events.ndjson"
run explain-match 0 "$bin" explain tests/cli/events.ndjson
run explain-excluded 0 bash -c "sed -n 7p tests/cli/events.ndjson | \"$bin\" explain -"
run check-good 0 "$bin" check rulesets/elastic/command_and_control_common_webservices.json rulesets/examples/exclusions.json rulesets/profiles/builtin.json
run scan-sources-parity 0 "$bin" scan --only-matches --quiet --parity tests/cli/sources.ndjson
# --mode parity is --parity; --tag adds to every match's tags.
run scan-sources-mode-parity-tag 0 "$bin" scan --only-matches --quiet --mode parity --tag team:c2 --tag soc tests/cli/sources.ndjson
run usage-mode-choice 2 "$bin" scan --mode strict tests/cli/sources.ndjson
run scan-sources-canonical 0 "$bin" scan --only-matches --quiet tests/cli/sources.ndjson
run explain-sysmon 0 bash -c "sed -n 2p tests/cli/sources.ndjson | \"$bin\" explain -"
run check-bad 1 "$bin" check tests/cli/bad-ruleset.json tests/cli/bad-exclusions.json
# The prefilter: an event it passes on unread, a ruleset it cannot serve
# (a path-only rule in canonical mode), and scan with it off (same output).
run explain-unread 0 bash -c "sed -n 2p tests/cli/events.ndjson | \"$bin\" explain -"
run check-prefilter-off 0 "$bin" check tests/cli/path-ruleset.json
run scan-prefilter-off 0 "$bin" scan --prefilter off tests/cli/events.ndjson
# mark-excluded: the sample's 18 excluded events carry c2sieve.excluded and
# are no matches (the summary says 168); --only-matches leaves them out.
run scan-mark-excluded 0 bash -c "\"$bin\" scan --mark-excluded --exclusions rulesets/examples/exclusions.json samples/ecs-dns-events.ndjson 2>&1 >/dev/null | sed -n 1p | sed 's/, [0-9]* events\/s//'; \"$bin\" scan --quiet --mark-excluded --exclusions rulesets/examples/exclusions.json samples/ecs-dns-events.ndjson | grep -c '\"excluded\":{\"rule_id\"'; \"$bin\" scan --quiet --only-matches --mark-excluded --exclusions rulesets/examples/exclusions.json samples/ecs-dns-events.ndjson | grep -c '\"excluded\"' || true"
# Lines are independent: scanning 12 copies of the inputs (several 1 MiB
# read blocks, lines across block ends, pass-through runs copied as spans)
# gives 12 copies of the output.
# (events.ndjson ends without a newline: one is added after it.)
{ cat "$repo/samples/ecs-dns-events.ndjson" "$repo/tests/cli/events.ndjson"; echo; } >"$work/once.ndjson"
for _ in $(seq 12); do cat "$work/once.ndjson"; done >"$work/many.ndjson"
"$bin" scan --quiet "$work/once.ndjson" >"$work/once.out"
for _ in $(seq 12); do cat "$work/once.out"; done >"$work/many.want"
check scan-multi-block-spans bash -c "'$bin' scan --quiet '$work/many.ndjson' | cmp - '$work/many.want'"
check scan-prefilter-same-output bash -c "cmp <(cd '$repo' && '$bin' scan --quiet tests/cli/events.ndjson) <(cd '$repo' && '$bin' scan --quiet --prefilter off tests/cli/events.ndjson)"
run scan-bad-exclusions 3 "$bin" scan --exclusions tests/cli/bad-exclusions.json tests/cli/events.ndjson
run scan-missing-input 4 "$bin" scan tests/cli/no-such-file.ndjson
run usage-unknown-option 2 "$bin" scan --frobnicate
run usage-no-command 2 "$bin"
run import-elastic-fixture 0 "$bin" import elastic tests/data/import/network_tool_accept.toml
run import-elastic-refused 3 "$bin" import elastic tests/data/import/function_refuse.toml
run import-sigma 1 "$bin" import sigma --skip-refused tests/data/import/sigma_accept.yml tests/data/import/sigma_refuse.yml
run import-sigma-refused 3 "$bin" import sigma tests/data/import/sigma_refuse.yml
run import-exceptions 1 "$bin" import exceptions tests/data/import/kibana-exceptions.ndjson
# Domain feeds: names canonical, the rest skipped with line and reason (exit 1).
run import-feed-list 1 "$bin" import feed --id feed-test --name "Test feed" --provider "Example CERT" \
  --reference https://cert.example/feed tests/data/import/feeds/domains.txt
run import-feed-hosts 0 "$bin" import feed --format hosts --id blocklist --name Blocklist \
  tests/data/import/feeds/blocklist.hosts
run import-feed-csv 1 "$bin" import feed --format csv --column domain --severity critical \
  --id indicators --name Indicators tests/data/import/feeds/indicators.csv
run import-feed-no-column 3 "$bin" import feed --format csv --column fqdn --id i --name I \
  tests/data/import/feeds/indicators.csv
run import-feed-no-id 2 "$bin" import feed tests/data/import/feeds/domains.txt
# What the imported rule matches: the listed names in any spelling.
run scan-feed 0 bash -c "\"$bin\" import feed --id feed-test --name 'Test feed' -o \"$work/feed.json\" \
  tests/data/import/feeds/domains.txt 2>/dev/null; for d in EVIL.example. a.tunnel.example tunnel.example \
  xn--bcher-kva.example example.com; do printf '{\"dns\":{\"question\":{\"name\":\"%s\"}}}\n' \$d; done |
  \"$bin\" scan --quiet --only-matches --ruleset \"$work/feed.json\" -"
# STIX 2.1 and MISP: domain indicators with their metadata; other types,
# revoked, deleted and to_ids-false entries skipped with their JSON pointer.
run import-feed-stix 1 "$bin" import feed --format stix --id stix-test --name "STIX test" \
  tests/data/import/feeds/bundle.stix.json
run import-feed-misp 1 "$bin" import feed --format misp --id misp-test --name "MISP test" \
  tests/data/import/feeds/event.misp.json
run import-feed-not-stix 3 "$bin" import feed --format stix --id s --name S tests/data/import/feeds/event.misp.json
# A match carries its indicator into threat.enrichments; the expired
# indicator matches nothing.
run scan-feed-stix 0 bash -c "\"$bin\" import feed --format stix --id stix-test --name 'STIX test' \
  -o \"$work/stix.json\" tests/data/import/feeds/bundle.stix.json 2>/dev/null; for d in stage2.EVIL-CDN.example \
  b.tunnel.example expired.example observed.example; do printf '{\"dns\":{\"question\":{\"name\":\"%s\"}}}\n' \$d; done |
  \"$bin\" scan --quiet --only-matches --ruleset \"$work/stix.json\" -"
run scan-feed-misp 0 bash -c "\"$bin\" import feed --format misp --id misp-test --name 'MISP test' \
  -o \"$work/misp.json\" tests/data/import/feeds/event.misp.json 2>/dev/null; for d in cdn.login-portal.example \
  panel.example benign-context.example; do printf '{\"dns\":{\"question\":{\"name\":\"%s\"}}}\n' \$d; done |
  \"$bin\" scan --quiet --only-matches --ruleset \"$work/misp.json\" -"
run tune-sample 0 "$bin" tune --min-count 3 -o /dev/stdout samples/ecs-dns-events.ndjson
run tune-nothing-to-propose 0 "$bin" tune --min-count 1000 -o tests/cli/never-written.json samples/ecs-dns-events.ndjson
check tune-wrote-nothing [ ! -e "$repo/tests/cli/never-written.json" ]

# A new user's paper cuts: help per subcommand, typos answered with the
# nearest name, numbers range-checked, a wrong file named for what it is,
# files checked in the order given, no file bytes echoed.
run usage-did-you-mean-command 2 "$bin" scna tests/cli/events.ndjson
run usage-did-you-mean-option 2 "$bin" scan --exclusion rulesets/examples/exclusions.json tests/cli/events.ndjson
run usage-number-out-of-range 2 "$bin" scan --max-depth -1 tests/cli/events.ndjson
run usage-tune-format 2 "$bin" tune --format xml samples/ecs-dns-events.ndjson
run help-scan 0 "$bin" scan --help
run help-import-sigma 0 "$bin" import sigma --help
run scan-exclusions-is-a-ruleset 3 "$bin" scan --exclusions rulesets/elastic/command_and_control_common_webservices.json tests/cli/events.ndjson
run scan-exclusions-is-yaml 3 "$bin" scan --exclusions tests/data/import/sigma_accept.yml tests/cli/events.ndjson
run scan-exclusions-is-a-directory 3 "$bin" scan --exclusions tests/cli tests/cli/events.ndjson
run scan-input-is-a-directory 4 "$bin" scan tests/cli
run check-in-the-order-given 0 "$bin" check rulesets/examples/exclusions.json rulesets/profiles/builtin.json rulesets/elastic/command_and_control_common_webservices.json
run check-never-echoes-file-bytes 1 "$bin" check tests/cli/binary-bytes.json tests/data/import/sigma_accept.yml
check check-output-is-printable bash -c "! LC_ALL=C grep -qP '[^\\x09\\x0a\\x20-\\x7e]' '$golden/check-never-echoes-file-bytes.out'"
gzip -c "$repo/tests/cli/events.ndjson" >"$work/events.ndjson.gz"
"$bin" scan --quiet "$work/events.ndjson.gz" >"$work/gz.out"
"$bin" scan --quiet "$repo/tests/cli/events.ndjson" >"$work/plain.out"
check scan-reads-gzip cmp "$work/gz.out" "$work/plain.out"
head -c 100 "$work/events.ndjson.gz" >"$work/truncated.gz"
check scan-gzip-on-a-pipe-is-refused-clearly bash -c "cat '$work/events.ndjson.gz' | \"$bin\" scan - 2>&1 >/dev/null | grep -q 'decompress it first'"
check scan-plain-stdin-still-read bash -c "\"$bin\" scan --quiet - < '$repo/tests/cli/events.ndjson' | cmp - '$work/plain.out'"
check scan-truncated-gzip-is-an-error bash -c "! \"$bin\" scan --quiet '$work/truncated.gz' >/dev/null 2>&1"
# tune on Sysmon: hosts from the source's own host field, and no signature
# data is not "unsigned"; the report on stdout in three formats.
sysmon="$repo/../shared/data/sysmon-dns/otrf.ndjson"
if [ -f "$sysmon" ]; then
  run tune-sysmon-table 0 "$bin" tune --min-count 1 --top 5 -o /dev/null "$sysmon"
  run tune-sysmon-csv 0 "$bin" tune --min-count 1 --top 5 --format csv -o /dev/null "$sysmon"
  "$bin" tune --min-count 1 --format json -o /dev/null "$sysmon" >"$work/tune.json" 2>/dev/null
  check tune-sysmon-json /usr/bin/python3 -c "
import json
d = json.load(open('$work/tune.json'))
assert d['matches'] > 0 and d['top'], d
for g in d['top']:
    assert g['hosts'] >= 1, g
    assert g['signer'] == '(no signature data)', g
    assert g['verdict'] == 'not proposed: no signature data in this source', g
"
fi
# The README's synopsis names every subcommand and every option --help lists.
for sub in scan check explain tune "import elastic" "import sigma" "import exceptions"; do
  for opt in $("$bin" $sub --help | sed -nE 's/^  (-[-a-z]+)(, (--[a-z-]+))?.*/\1 \3/p'); do
    check "readme-synopsis-has-$(echo $sub | tr ' ' -)-$opt" grep -qe "$opt" "$repo/README.md"
  done
  check "readme-synopsis-has-$(echo $sub | tr ' ' -)" grep -q "c2sieve $sub" "$repo/README.md"
done

# The bundled sample: one line out per line in, and every line that was not
# enriched is byte-for-byte the input line.
"$bin" scan --quiet "$repo/samples/ecs-dns-events.ndjson" >"$work/sample.out"
check sample-line-count [ "$(wc -l <"$work/sample.out")" = "$(wc -l <"$repo/samples/ecs-dns-events.ndjson")" ]
paste -d '\n' "$repo/samples/ecs-dns-events.ndjson" "$work/sample.out" |
  awk 'NR % 2 == 1 { in_line = $0; next } index($0, "\"c2sieve\":{") == 0 && $0 != in_line { bad++ } END { exit bad > 0 }'
check sample-unmatched-lines-unchanged [ $? = 0 ]
check sample-has-matches [ "$(grep -c '"c2sieve":{' "$work/sample.out")" -gt 100 ]
check help-exit-0 "$bin" --help

# tune's proposal, applied, removes exactly the matches it says it covers and
# no others; every entry is narrow (process, trusted signer and domain).
"$bin" tune --min-count 3 -o "$work/proposal.json" "$repo/samples/ecs-dns-events.ndjson" >/dev/null 2>"$work/tune.err"
covered=$(sed -nE 's/.*covering ([0-9]+) of ([0-9]+) matches.*/\1/p' "$work/tune.err")
total=$(sed -nE 's/.*covering ([0-9]+) of ([0-9]+) matches.*/\2/p' "$work/tune.err")
after=$("$bin" scan --quiet --only-matches --exclusions "$work/proposal.json" "$repo/samples/ecs-dns-events.ndjson" | wc -l)
check tune-proposal-covers-what-it-says [ -n "$covered" -a "$((${total:-0} - ${covered:-0}))" = "$after" ]
check tune-proposal-entries-are-narrow /usr/bin/python3 -c "
import json, sys
for e in json.load(open('$work/proposal.json'))['exclusions']:
    assert e['process.code_signature.trusted'] is True
    assert e['process.code_signature.subject_name'] and e['dns.question.name']
    assert e.get('process.executable') or e.get('process.name')
    for k, v in e.items():
        if isinstance(v, list):
            assert all(x.strip('*?') for x in v), (k, v)
"

# A progress bar on a terminal only: script(1) gives the command a pty.
if command -v script >/dev/null; then
  script -qec "\"$bin\" scan --only-matches \"$repo/samples/ecs-dns-events.ndjson\" >/dev/null" /dev/null >"$work/tty.txt" 2>&1
  check progress-bar-on-a-terminal grep -q '100.0%' "$work/tty.txt"
  script -qec "\"$bin\" tune -o \"$work/p.json\" \"$repo/samples/ecs-dns-events.ndjson\"" /dev/null >"$work/tty-tune.txt" 2>&1
  check tune-progress-bar-on-a-terminal grep -q '100.0%' "$work/tty-tune.txt"
  check no-progress-bar-off-a-terminal bash -c "! grep -q '%' '$golden/scan.err'"
fi

# The README's dependency list names every package the build installs.
for pkg in $(sed -n '/^packages=(/,/^)/p' "$repo/scripts/install-deps.sh" | tr -d '()"' |
             sed 's/packages=//; s/\$hyperscan/libhyperscan-dev libvectorscan-dev/'); do
  check "readme-names-package-$pkg" grep -q -- "\`$pkg\`" "$repo/README.md"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
