#!/usr/bin/env bash
# Builds the native filter plugin, flb-filter_c2sieve.so, against one Fluent
# Bit source tree. A plugin must be compiled with the very build options of
# the fluent-bit binary that loads it (they decide the layout of the structs
# it shares), so the options come with it:
#   --flags official   the options of the official fluent/fluent-bit image
#                      of that source's version (its dockerfiles/Dockerfile;
#                      checked against it, so a version whose image is built
#                      differently stops here instead of building a plugin
#                      that would crash it)
#   --flb-build DIR    a Fluent Bit build tree already configured (and
#                      built): the one of the binary that will load it
# Only a configure is needed (plus jemalloc's headers when it is on), not a
# build of Fluent Bit. Fluent Bit's configure writes flb_info.h into its
# *source* tree, so with --flags official the source must be a tarball
# (unpacked under --work) or a tree used for nothing else. The
# integration/docker/Dockerfile stage and CI run this same script.
#
# Usage: build-fluent-bit-plugin.sh --source FLUENT_BIT_SOURCE(.tar.*|DIR)
#          (--flags official | --flb-build DIR) --c2sieve DIR --work DIR
#          [--extra-flag -DX=Y]... [--install PREFIX]
#   --c2sieve   an installed c2sieve (its prefix: lib/cmake/c2sieve) or a
#               c2sieve build tree
#   --work      where Fluent Bit is configured and the plugin built
#   --install   cmake --install the plugin: PREFIX/lib/fluent-bit/plugins/
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src="" flags="" flb_build="" c2sieve="" work="" install="" extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --source) src=$(realpath "$2"); shift 2 ;;
    --flags) flags=$2; shift 2 ;;
    --flb-build) flb_build=$(cd "$2" && pwd); shift 2 ;;
    --c2sieve) c2sieve=$(cd "$2" && pwd); shift 2 ;;
    --work) mkdir -p "$2"; work=$(cd "$2" && pwd); shift 2 ;;
    --extra-flag) extra+=("$2"); shift 2 ;;
    --install) install=$2; shift 2 ;;
    *) echo "build-fluent-bit-plugin.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$src" ] || [ -z "$c2sieve" ] || [ -z "$work" ] || { [ -z "$flags" ] && [ -z "$flb_build" ]; }; then
  sed -n '/^# Usage/,/^# *--install/p' "$0" >&2; exit 2
fi

# The official image's options (fluent-bit's dockerfiles/Dockerfile, builder
# stage), with its build arguments at their defaults.
official=(-DFLB_SIMD=On -DFLB_RELEASE=On -DFLB_JEMALLOC=On -DFLB_TLS=On -DFLB_SHARED_LIB=Off
  -DFLB_EXAMPLES=Off -DFLB_HTTP_SERVER=On -DFLB_IN_EXEC=Off -DFLB_IN_SYSTEMD=On -DFLB_OUT_KAFKA=On
  -DFLB_OUT_PGSQL=On -DFLB_NIGHTLY_BUILD= -DFLB_LOG_NO_CONTROL_CHARS=On -DFLB_CHUNK_TRACE=On
  -DFLB_JEMALLOC_OPTIONS=)

if [ -f "$src" ]; then
  # A release tarball: unpacked once under --work.
  if [ ! -d "$work/source" ]; then
    rm -rf "$work/source.part" && mkdir -p "$work/source.part"
    tar -C "$work/source.part" --strip-components=1 -xf "$src"
    mv "$work/source.part" "$work/source"
  fi
  src="$work/source"
fi

if [ -z "$flb_build" ]; then
  [ "$flags" = official ] || { echo "build-fluent-bit-plugin.sh: --flags official or --flb-build" >&2; exit 2; }
  dockerfile="$src/dockerfiles/Dockerfile"
  # The -DFLB_* options of the builder's cmake command, build arguments
  # replaced by their defaults in that Dockerfile.
  theirs=$(sed -n '/^FROM .* AS builder$/,/^FROM /p' "$dockerfile" | grep -oE -- '-DFLB_[A-Z_]+=[^ \\]*' |
    sed -E 's/"\$FLB_CHUNK_TRACE"/On/; s/"\$[A-Z_]+"//' | sort)
  ours=$(printf '%s\n' "${official[@]}" | sort)
  if [ "$theirs" != "$ours" ]; then
    echo "build-fluent-bit-plugin.sh: $dockerfile builds the official image with other options than this script:" >&2
    diff <(echo "$ours") <(echo "$theirs") >&2 || true
    exit 1
  fi
  flb_build="$work/fluent-bit"
  if [ ! -f "$flb_build/CMakeCache.txt" ]; then
    cmake -S "$src" -B "$flb_build" "${official[@]}" "${extra[@]}" >"$work/fluent-bit-configure.log" 2>&1 ||
      { tail -30 "$work/fluent-bit-configure.log" >&2; exit 1; }
  fi
  # jemalloc's headers (flb_mem.h includes them) are installed by its build.
  if grep -q '^#define FLB_HAVE_JEMALLOC' "$src/include/fluent-bit/flb_info.h" &&
     [ ! -f "$flb_build/include/jemalloc/jemalloc.h" ]; then
    cmake --build "$flb_build" --target jemalloc -j"$(nproc)" >"$work/jemalloc.log" 2>&1 ||
      { tail -30 "$work/jemalloc.log" >&2; exit 1; }
  fi
fi

if [ -f "$c2sieve/CMakeCache.txt" ]; then
  package=(-DC2SIEVE_BUILD="$c2sieve")
else
  package=(-DCMAKE_PREFIX_PATH="$c2sieve")
fi
cmake -S "$here/integration/fluent-bit/native" -B "$work/plugin" -DCMAKE_BUILD_TYPE=Release \
  -DFLB_SOURCE="$src" -DFLB_BUILD="$flb_build" "${package[@]}" >/dev/null
cmake --build "$work/plugin" -j"$(nproc)" >"$work/plugin-build.log" 2>&1 ||
  { cat "$work/plugin-build.log" >&2; exit 1; }
if [ -n "$install" ]; then
  cmake --install "$work/plugin" --prefix "$install" >/dev/null
  echo "plugin: $install/$(cd "$work/plugin" && grep -m1 '^CMAKE_INSTALL_LIBDIR:' CMakeCache.txt | cut -d= -f2)/fluent-bit/plugins/flb-filter_c2sieve.so"
else
  echo "plugin: $work/plugin/flb-filter_c2sieve.so"
fi
