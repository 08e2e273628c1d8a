#!/usr/bin/env bash
# Builds the released Fluent Bit v5.1.1 from ../shared/vendor (outside the
# source tree, under build/fluent-bit/; reused when already built) with the
# plugins the integration tests run, optimized as the official images are,
# then the native c2sieve filter plugin against that exact tree.
# Usage: scripts/build-fluent-bit.sh [C2SIEVE_BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
c2sieve_build=$(cd "${1:-build}" && pwd)
vendor="$repo/../shared/vendor"
version=5.1.1
root="$c2sieve_build/fluent-bit"
src="$root/fluent-bit-$version"
bld="$root/build"

# FLB_RELEASE: without it FLB_DEBUG forces an unoptimized build. out_es and
# modify, parser, content_modifier: the docker-compose configuration runs in
# tests (TLS, _id, create).
options=(-DFLB_RELEASE=On -DFLB_MINIMAL=On
  -DFLB_IN_TAIL=On -DFLB_IN_DUMMY=On -DFLB_FILTER_LUA=On -DFLB_LUAJIT=On -DFLB_FILTER_MODIFY=On
  -DFLB_FILTER_PARSER=On -DFLB_PROCESSOR_CONTENT_MODIFIER=On
  -DFLB_OUT_NULL=On -DFLB_OUT_FILE=On -DFLB_OUT_STDOUT=On -DFLB_OUT_HTTP=On -DFLB_OUT_ES=On
  -DFLB_HTTP_SERVER=On -DFLB_PREFER_SYSTEM_LIB_SQLITE=On -DFLB_KAFKA=Off
  -DFLB_USE_SIMDUTF=No -DFLB_SHARED_LIB=Off -DFLB_EXAMPLES=Off)
# Reused when built with these very options.
if [ ! -x "$bld/bin/fluent-bit" ] || [ "$(cat "$root/options" 2>/dev/null)" != "${options[*]}" ]; then
  mkdir -p "$root"
  if [ ! -d "$src" ]; then
    (cd "$vendor" && sha256sum -c "fluent-bit-$version.tar.xz.sha256" >/dev/null)
    tar -C "$root" -xJf "$vendor/fluent-bit-$version.tar.xz"
  fi
  cmake -S "$src" -B "$bld" "${options[@]}" >"$root/configure.log" 2>&1 ||
    { tail -30 "$root/configure.log"; exit 1; }
  cmake --build "$bld" -j"$(nproc)" >"$root/build.log" 2>&1 || { tail -40 "$root/build.log"; exit 1; }
  echo "${options[*]}" >"$root/options"
fi
# The plugin, by the script the Fluent Bit image's Dockerfile stage runs.
bash "$repo/scripts/build-fluent-bit-plugin.sh" --source "$src" --flb-build "$bld" \
  --c2sieve "$c2sieve_build" --work "$root" >/dev/null
echo "fluent-bit: $bld/bin/fluent-bit"
echo "plugin:     $root/plugin/flb-filter_c2sieve.so"
