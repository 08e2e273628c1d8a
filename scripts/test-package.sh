#!/usr/bin/env bash
# CI: builds the Debian packages (scripts/build-deb.sh) and uses them as a
# user would, in a clean Debian 12 root made with debootstrap:
#  - apt installs the three .debs, their dependencies from the archive
#    (the Depends dpkg-shlibdeps computed must be enough);
#  - the installed c2sieve tags the sample exactly as the main build does,
#    checks the installed rulesets, and has its man pages and completions
#    where man, bash and zsh look;
#  - the installed Lua wrapper, with no library path given, finds the
#    library by its SONAME and passes the wrapper harness;
#  - the two consumer programs (tests/consumers) build against the
#    installed package with find_package and with pkg-config, and tag the
#    sample as the command does;
#  - apt purge removes every file the packages installed.
# Needs root (chroot), debootstrap and a Debian mirror; the main build
# (scripts/test.sh) must exist. The debootstrapped base is kept in
# build-package/base.tar and unpacked afresh for every run;
# `test-package.sh --base-only` makes it and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
mirror=${C2S_DEBIAN_MIRROR:-http://deb.debian.org/debian}
state=$repo/build-package
root=$state/root
mkdir -p "$state"

if [ ! -s "$state/base.tar" ]; then
  echo "test-package: debootstrap Debian 12 into $state" >&2
  rm -rf "$state/base" && mkdir -p "$state/base"
  debootstrap --variant=minbase bookworm "$state/base" "$mirror" >"$state/debootstrap.log" 2>&1 ||
    { tail -20 "$state/debootstrap.log" >&2; exit 1; }
  tar -C "$state/base" -cf "$state/base.tar.part" . && mv "$state/base.tar.part" "$state/base.tar"
  rm -rf "$state/base"
fi
# --base-only: make the base and stop (CI makes it while it compiles).
[ "${1:-}" != --base-only ] || exit 0

main_cli=$repo/build/cli/c2sieve
[ -x "$main_cli" ] || { echo "test-package: build the main tree first (scripts/test.sh)" >&2; exit 2; }
bash scripts/build-deb.sh "$state/debs" >&2
rm -rf "$root" && mkdir -p "$root"
tar -C "$root" -xf "$state/base.tar"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# What the root gets: the packages, and the inputs of the checks (no source
# tree, no build: the consumers are the only sources compiled there).
in=$root/c2s
mkdir -p "$in/debs" "$in/consumers"
cp "$state"/debs/*.deb "$in/debs/"
cp -r tests/consumers/. "$in/consumers/"
cat samples/ecs-dns-events.ndjson tests/cli/sources.ndjson tests/cli/events.ndjson \
    tests/integration/typed-events.ndjson >"$in/events.ndjson"
cp tests/integration/fluentbit_harness.lua "$in/"
cp samples/ecs-dns-events.ndjson "$in/sample.ndjson"
"$main_cli" scan --quiet "$in/sample.ndjson" >"$in/sample.want"
"$main_cli" scan --quiet "$in/events.ndjson" >"$in/events.want"
version=$("$main_cli" version | sed 's/^c2sieve //')

run() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
          DEBIAN_FRONTEND=noninteractive /bin/bash -euo pipefail -c "$1"; }
passed=0
check() {
  local name=$1
  if run "$2" >"$state/check.log" 2>&1; then
    echo "ok   $name"; passed=$((passed + 1))
  else
    echo "FAIL $name"; cat "$state/check.log"; exit 1
  fi
}

# One version: each package's is the project's (plus the Debian revision).
for deb in "$state"/debs/*.deb; do
  [ "$(dpkg-deb -f "$deb" Version)" = "$version-1" ] ||
    { echo "FAIL $(basename "$deb"): version $(dpkg-deb -f "$deb" Version), project $version"; exit 1; }
done
echo "ok   package versions are $version-1"; passed=$((passed + 1))

echo "test-package: apt install the packages" >&2
run "apt-get update -qq && apt-get install -y -qq --no-install-recommends /c2s/debs/*.deb >/dev/null"
run "dpkg -L libc2sieve0 libc2sieve-dev c2sieve | sort -u | while read -r f; do [ -d \"\$f\" ] || echo \"\$f\"; done" \
  >"$state/installed-files"
echo "test-package: $(wc -l <"$state/installed-files") files installed" >&2

check "installed c2sieve version is $version" "test \"\$(c2sieve version)\" = 'c2sieve $version'"
check "installed c2sieve scan on the sample == the main build's" \
  "c2sieve scan --quiet /c2s/sample.ndjson | cmp - /c2s/sample.want"
check "installed c2sieve scan on every test corpus == the main build's" \
  "c2sieve scan --quiet /c2s/events.ndjson | cmp - /c2s/events.want"
check "installed c2sieve checks the installed rulesets and examples" \
  "c2sieve check /usr/share/c2sieve/rulesets/elastic/command_and_control_common_webservices.json \
     /usr/share/c2sieve/rulesets/sigma/c2_webservices.json /usr/share/c2sieve/rulesets/examples/exclusions.json \
     /usr/share/c2sieve/rulesets/profiles/builtin.json"
check "installed c2sieve scans with an installed exclusions file" \
  "c2sieve scan --quiet --exclusions /usr/share/c2sieve/rulesets/examples/exclusions.json /c2s/events.ndjson >/dev/null"
check "the library is in the linker cache by its SONAME" "ldconfig -p | grep -q 'libc2sieve.so.0 '"
check "man pages where man looks" \
  "test -f /usr/share/man/man1/c2sieve.1.gz && test -f /usr/share/man/man1/c2sieve-import-feed.1.gz"
check "completions where bash and zsh look" \
  "test -f /usr/share/bash-completion/completions/c2sieve && test -f /usr/share/zsh/vendor-completions/_c2sieve"

echo "test-package: the installed Lua wrapper, library found by SONAME" >&2
run "apt-get install -y -qq --no-install-recommends luajit lua-cjson >/dev/null"
check "installed Lua wrapper passes the harness (no C2SIEVE_LIBRARY)" \
  "cd /c2s && luajit fluentbit_harness.lua - /usr/share/c2sieve/c2sieve.lua events.ndjson events.want | tail -2"

echo "test-package: consumers against the installed package" >&2
run "apt-get install -y -qq --no-install-recommends gcc libc6-dev cmake make pkg-config >/dev/null"
check "find_package(c2sieve CONFIG) consumer builds and tags the sample" \
  "cmake -S /c2s/consumers/cmake -B /tmp/cmake-consumer >/dev/null && cmake --build /tmp/cmake-consumer >/dev/null &&
   /tmp/cmake-consumer/consumer </c2s/events.ndjson | cmp - /c2s/events.want"
check "cc \$(pkg-config --cflags --libs c2sieve) consumer builds and tags the sample" \
  "cc -std=c99 -Wall -Werror /c2s/consumers/consumer.c \$(pkg-config --cflags --libs c2sieve) \
     -o /tmp/pc-consumer && /tmp/pc-consumer </c2s/events.ndjson | cmp - /c2s/events.want"

echo "test-package: apt purge" >&2
run "apt-get purge -y -qq c2sieve libc2sieve-dev libc2sieve0 >/dev/null"
left=$(while read -r f; do [ -e "$root$f" ] || [ -L "$root$f" ] && echo "$f"; done <"$state/installed-files" || true)
[ -z "$left" ] || { echo "FAIL purge left: $left"; exit 1; }
echo "ok   purge removes every installed file"; passed=$((passed + 1))
check "nothing of c2sieve left in dpkg or the linker cache" \
  "! dpkg -l | grep -q c2sieve && ! ldconfig -p | grep -q libc2sieve && ! command -v c2sieve"
echo "test-package: $passed passed"
