#!/usr/bin/env bash
# CI: builds the portable bundle exactly as the docker-compose build stage
# does (scripts/build-portable.sh), in a Debian 11 chroot made with
# debootstrap, then checks on this machine that:
#  - no ELF file in it needs a glibc symbol newer than 2.31 (objdump -T), and
#    the check itself fails for a lower limit;
#  - every library it loads, but glibc's own, resolves inside the bundle;
#  - its c2sieve command writes byte for byte what the main build writes for
#    the bundled sample and every test corpus;
#  - the Fluent Bit Lua wrapper (LuaJIT) and the Logstash script (JRuby) pass
#    their harnesses with the bundled library.
# Needs root (chroot), debootstrap and a Debian mirror; the main build
# (scripts/test.sh) must exist. The chroot is kept in build-portable-root/
# and reused; `test-portable.sh --root-only` makes it and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
root=$repo/build-portable-root
mirror=${C2S_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ ! -x "$root/usr/bin/apt-get" ]; then
  rm -rf "$root" "$root.part" && mkdir -p "$root.part"
  echo "test-portable: debootstrap Debian 11 into $root" >&2
  debootstrap --variant=minbase bullseye "$root.part" "$mirror" >"$root.part/debootstrap.log" 2>&1 ||
    { tail -20 "$root.part/debootstrap.log" >&2; exit 1; }
  mv "$root.part" "$root"
fi
# --root-only: make the chroot and stop (CI makes it while it compiles).
[ "${1:-}" != --root-only ] || exit 0
main_cli=$repo/build/cli/c2sieve
[ -x "$main_cli" ] || { echo "test-portable: build the main tree first (scripts/test.sh)" >&2; exit 2; }
cp /etc/resolv.conf "$root/etc/resolv.conf"

# The sources as the Dockerfile's COPY sees them: tracked and new files, no builds.
rm -rf "$root/src" "$root/out"
mkdir "$root/src"
git ls-files -z --cached --others --exclude-standard | xargs -0 tar -c --ignore-failed-read 2>/dev/null |
  tar -x -C "$root/src"
chroot "$root" /bin/bash /src/scripts/build-portable.sh /out
out=$root/out

echo "test-portable: glibc symbol versions" >&2
bash scripts/check-glibc.sh "$out" 2.31
if bash scripts/check-glibc.sh "$out" 2.2.5 >/dev/null 2>&1; then
  echo "test-portable: check-glibc.sh accepted a 2.2.5 limit: the check cannot fail" >&2
  exit 1
fi

echo "test-portable: every library resolves inside the bundle" >&2
bad=0
for elf in "$out/lib/libc2sieve.so.0" "$out/bin/c2sieve"; do
  while read -r name arrow path _; do
    case "$name" in
      libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | libresolv.so.* | \
      libutil.so.* | libnsl.so.* | libanl.so.* | linux-vdso.so.* | /lib*/ld-linux* | ld-linux*) continue ;;
    esac
    [ "$arrow" = "=>" ] || continue
    case "$(readlink -f "$path" 2>/dev/null)" in
      "$(readlink -f "$out/lib")"/*) ;;
      *) echo "test-portable: ${elf#"$out"/} loads $name from $path, not from the bundle" >&2; bad=1 ;;
    esac
  done < <(ldd "$elf")
done
[ "$bad" = 0 ]

echo "test-portable: the bundle's verdicts equal the main build's" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inputs=(samples/ecs-dns-events.ndjson tests/cli/*.ndjson tests/data/sources/*.ndjson)
for input in "${inputs[@]}"; do
  "$out/bin/c2sieve" scan --quiet --exclusions rulesets/examples/exclusions.json "$input" >"$work/bundle.ndjson" || true
  "$main_cli" scan --quiet --exclusions rulesets/examples/exclusions.json "$input" >"$work/main.ndjson" || true
  cmp -s "$work/bundle.ndjson" "$work/main.ndjson" ||
    { echo "test-portable: outputs differ for $input" >&2; diff "$work/bundle.ndjson" "$work/main.ndjson" | head -5 >&2; exit 1; }
done
echo "test-portable: ${#inputs[@]} inputs identical" >&2

echo "test-portable: wrappers with the bundled library" >&2
bash tests/integration/run_wrapper_harness.sh lua "$main_cli" "$out/lib/libc2sieve.so" "$repo"
bash tests/integration/run_wrapper_harness.sh ruby "$main_cli" "$out/lib/libc2sieve.so" "$repo"
echo "test-portable: passed"
