#!/usr/bin/env bash
# Builds the Debian packages (cmake/packaging.cmake): libc2sieve0,
# libc2sieve-dev and c2sieve, for the Debian release this runs on, into
# OUT_DIR (default build-deb/packages). Release build, installed under /usr.
# Usage: scripts/build-deb.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-deb/packages}
bash scripts/install-deps.sh
cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DC2S_BUILD_TESTS=OFF -DC2S_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-deb -j"$(nproc)" >/dev/null
rm -rf build-deb/_CPack_Packages
(cd build-deb && cpack -G DEB -B "$PWD/cpack" >cpack.log 2>&1) || { tail -30 build-deb/cpack.log >&2; exit 1; }
mkdir -p "$out"
rm -f "$out"/*.deb
cp build-deb/cpack/*.deb "$out/"
for deb in "$out"/*.deb; do
  echo "$deb: $(dpkg-deb -f "$deb" Package Version Depends | tr '\n' ' ')"
done
