#!/usr/bin/env bash
# Builds libc2sieve and the c2sieve command on Debian 11 (glibc 2.31) and
# bundles every library they load except glibc's own, so that the result runs
# on any x86-64/arm64 Linux with glibc >= 2.31: the Fluent Bit image (Debian 12),
# the Logstash 8 image (Ubuntu 20.04, glibc 2.31), Logstash 9 (UBI 9, 2.34).
#
# Runs where Debian 11 runs: the build stage of integration/docker/Dockerfile,
# or the chroot that scripts/test-portable.sh makes for CI.
# Usage: scripts/build-portable.sh OUT_DIR
#   OUT_DIR is the `cmake --install` tree (README: Install) with lib/ for
#   its library directory: lib/libc2sieve.so.0 and the libraries it loads
#   (RPATH $ORIGIN), lib/cmake/c2sieve and lib/pkgconfig (to build the
#   native Fluent Bit plugin against it), bin/c2sieve, include/,
#   share/c2sieve/ (wrappers, rulesets, Elastic files), man pages.
set -euo pipefail
out=${1:?usage: build-portable.sh OUT_DIR}
cd "$(dirname "$0")/.."
. /etc/os-release
if [ "${VERSION_CODENAME:-}" != bullseye ]; then
  echo "build-portable.sh: needs Debian 11 (bullseye) for glibc 2.31; this is ${PRETTY_NAME:-unknown}" >&2
  exit 2
fi

arch=$(dpkg --print-architecture)
if [ "$arch" != amd64 ]; then
  # Debian 11 has Hyperscan for x86-64 only, and no Vectorscan at all.
  echo "build-portable.sh: Debian 11 has no Hyperscan or Vectorscan for $arch; the portable build is x86-64 only" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  g++ cmake make pkg-config binutils patchelf ca-certificates \
  libhyperscan-dev libsimdjson-dev nlohmann-json3-dev libabsl-dev libcurl4-openssl-dev \
  libidn2-dev zlib1g-dev >/dev/null

cmake -S . -B build-portable -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_LIBDIR=lib \
  -DC2S_BUILD_TESTS=OFF -DC2S_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-portable -j"$(nproc)" --target c2sieve c2sieve_cli c2sieve_docs

rm -rf "$out"
cmake --install build-portable --prefix "$out" >/dev/null

# Every library they load, but glibc's own: those must come from the system
# they run on (the bundle only needs glibc 2.31 or newer there).
ldd "$out/lib/libc2sieve.so.0" "$out/bin/c2sieve" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' |
  sort -u | while read -r dep; do
    case "$(basename "$dep")" in
      libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | \
      libresolv.so.* | libutil.so.* | libnsl.so.* | libanl.so.* | ld-linux*) ;;
      *) cp -L "$dep" "$out/lib/" ;;
    esac
  done
# DT_RPATH (not RUNPATH) on our two files only: the loader also searches it
# for the libraries those libraries need, so the bundle is found as a whole
# without rewriting third-party files.
patchelf --force-rpath --set-rpath '$ORIGIN' "$(readlink -f "$out/lib/libc2sieve.so.0")"
patchelf --force-rpath --set-rpath '$ORIGIN/../lib' "$out/bin/c2sieve"

bash scripts/check-glibc.sh "$out" 2.31
echo "portable bundle: $out ($(ls "$out/lib" | wc -l) files in lib)"
