#!/usr/bin/env bash
# CI: the native plugin as the Fluent Bit image's Dockerfile stage builds it
# (scripts/build-fluent-bit-plugin.sh --flags official), here against the
# released Fluent Bit source in ../shared/vendor and an installed c2sieve
# laid out as the image's /opt/c2sieve; no Docker needed. Checks the
# plugin it installs (what it needs, where it finds libc2sieve, what it
# exports), that the image's Fluent Bit version is the vendored source's,
# and that the script refuses a source whose official image is built with
# other options. (The plugin is not loaded here: that needs a Fluent Bit
# built with the official image's options; the integration tests load the
# same plugin source built by the same script against CI's Fluent Bit.)
# Usage: scripts/test-fluent-bit-image-plugin.sh [C2SIEVE_BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=$(cd "${1:-build}" && pwd)
version=5.1.1
tarball="$repo/../shared/vendor/fluent-bit-$version.tar.xz"
work="$build/fluent-bit-image"
opt="$work/opt-c2sieve"
mkdir -p "$work"
passed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; exit 1; }

image_version=$(sed -n 's/^FLUENT_BIT_VERSION=//p' .env)
[ "$image_version" = "$version" ] && ok "the image's Fluent Bit ($image_version) is the vendored source's" ||
  fail "docker-compose's FLUENT_BIT_VERSION $image_version, vendored source $version"
grep -q 'scripts/build-fluent-bit-plugin.sh .*--flags official' integration/docker/Dockerfile &&
  ok "the Dockerfile builds the plugin with this script" || fail "the Dockerfile does not run build-fluent-bit-plugin.sh --flags official"

rm -rf "$opt"
cmake --install "$build" --prefix "$opt" >/dev/null
(cd "$repo/../shared/vendor" && sha256sum -c "fluent-bit-$version.tar.xz.sha256" >/dev/null)
# The vendored tree lacks sqlite3.c (../shared/vendor/SOURCES.md): the
# system's SQLite instead, which changes nothing a filter plugin sees.
bash scripts/build-fluent-bit-plugin.sh --source "$tarball" --flags official \
  --extra-flag -DFLB_PREFER_SYSTEM_LIB_SQLITE=On --c2sieve "$opt" --work "$work" --install "$opt"
plugin="$opt/lib/fluent-bit/plugins/flb-filter_c2sieve.so"
[ -f "$plugin" ] && ok "installed at lib/fluent-bit/plugins/" || fail "no $plugin"
grep -q '^#define FLB_HAVE_JEMALLOC' "$work/source/include/fluent-bit/flb_info.h" &&
  grep -q '^#define FLB_HAVE_CHUNK_TRACE' "$work/source/include/fluent-bit/flb_info.h" &&
  ok "configured as the official image (jemalloc, chunk trace)" || fail "flb_info.h is not the official image's"
readelf -d "$plugin" | grep -q 'NEEDED.*\[libc2sieve.so.0\]' && ok "needs libc2sieve.so.0" ||
  fail "does not need libc2sieve.so.0"
readelf -d "$plugin" | grep -q 'R.*PATH.*\[\$ORIGIN/../..\]' && ok "finds it at \$ORIGIN/../.. (the bundle's lib/)" ||
  fail "RUNPATH is not \$ORIGIN/../..: $(readelf -d "$plugin" | grep PATH)"
[ "$(ldd "$plugin" | awk '/libc2sieve/ {print $3}' | xargs realpath)" = "$(realpath "$opt/lib/libc2sieve.so.0")" ] &&
  ok "libc2sieve resolves inside the bundle" || fail "libc2sieve resolves elsewhere: $(ldd "$plugin" | grep c2sieve)"
nm -D --defined-only "$plugin" | grep -q ' filter_c2sieve_plugin$' && ok "exports filter_c2sieve_plugin" ||
  fail "filter_c2sieve_plugin not exported"

# A source whose official image takes other options is refused.
cp -r "$work/source/dockerfiles" "$work/dockerfiles.orig"
sed -i 's/-DFLB_IN_EXEC=Off/-DFLB_IN_EXEC=On/' "$work/source/dockerfiles/Dockerfile"
if bash scripts/build-fluent-bit-plugin.sh --source "$work/source" --flags official --c2sieve "$opt" \
     --work "$work/refused" >"$work/refused.log" 2>&1; then
  rm -rf "$work/source/dockerfiles" && mv "$work/dockerfiles.orig" "$work/source/dockerfiles"
  fail "built against a source whose official image has other options"
fi
rm -rf "$work/source/dockerfiles" "$work/refused" && mv "$work/dockerfiles.orig" "$work/source/dockerfiles"
grep -q 'FLB_IN_EXEC=On' "$work/refused.log" && ok "refuses other official options, naming them" ||
  fail "refusal does not name the option: $(cat "$work/refused.log")"
echo "test-fluent-bit-image-plugin: $passed passed"
