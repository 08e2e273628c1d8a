# Sourced by run.sh and callgrind.sh: the benchmark's inputs and Fluent Bit
# configurations, the same for both.

# make_inputs REPO WORK EVENTS SHARE...: WORK/in-SHARE.ndjson for each SHARE
# (a percentage), EVENTS generated ECS DNS events (~1 KB each) of which every
# (100/SHARE)th is one c2sieve matches; the others are not matched (about a
# quarter of them query a listed domain from a legitimate location). Also
# WORK/parsers.conf.
make_inputs() {
  local repo=$1 work=$2 events=$3
  shift 3
  "$repo/build/tools/gen_sample_events" --seed 7 --count 20000 >"$work/pool.ndjson"
  "$repo/build/cli/c2sieve" scan --quiet "$work/pool.ndjson" >"$work/pool.out"
  python3 - "$work" "$events" "$@" <<'PY'
import sys
work, n, shares = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
pool = open(f"{work}/pool.ndjson").read().splitlines()
out = open(f"{work}/pool.out").read().splitlines()
hit = [p for p, o in zip(pool, out) if p != o]
miss = [p for p, o in zip(pool, out) if p == o]
for share in shares:
    with open(f"{work}/in-{share}.ndjson", "w") as f:
        every = int(100 / float(share)) if float(share) else 0
        h = m = 0
        for i in range(n):
            if every and i % every == 0:
                f.write(hit[h % len(hit)] + "\n"); h += 1
            else:
                f.write(miss[m % len(miss)] + "\n"); m += 1
PY
  printf '[PARSER]\n    Name json\n    Format json\n' >"$work/parsers.conf"
}

# write_conf FILE INPUT FILTER-LINES: `tail` with the json parser over INPUT
# to the end of the file, the filter, the `null` output.
write_conf() {
  cat >"$1" <<CONF
[SERVICE]
    Flush        1
    Grace        1
    Log_Level    warn
    Parsers_File $(dirname "$1")/parsers.conf
[INPUT]
    Name         tail
    Path         $2
    Parser       json
    Tag          dns
    Read_from_Head On
    Exit_On_Eof  On
    Buffer_Max_Size 4M
$3
[OUTPUT]
    Name         null
    Match        dns
CONF
}
