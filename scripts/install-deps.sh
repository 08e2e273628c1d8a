#!/usr/bin/env bash
# Installs what c2sieve needs to build and test, from Debian 12 packages.
# Does nothing when everything is already installed.
set -euo pipefail

hyperscan=libhyperscan-dev
# Hyperscan is x86-only; Vectorscan is its API-compatible port for ARM.
case "$(dpkg --print-architecture)" in
  amd64 | i386) ;;
  *) hyperscan=libvectorscan-dev ;;
esac

packages=(
  build-essential cmake pkg-config
  "$hyperscan" libsimdjson-dev nlohmann-json3-dev libabsl-dev
  libcurl4-openssl-dev libidn2-dev zlib1g-dev libtomlplusplus-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev libre2-dev libpcre2-dev
  python3 python3-jsonschema python3-yaml
  docker-compose debootstrap
  nginx
  luajit lua-cjson jruby
  clang libclang-rt-14-dev
  flex bison libyaml-dev libssl-dev libsqlite3-dev openssl jq
  zsh groff-base file
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# nginx is only for the tests (they run their own on 127.0.0.1): do not
# leave the system service we just installed running on port 80.
if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null &&
   [ -d /run/systemd/system ]; then
  $sudo systemctl disable --now nginx >/dev/null 2>&1 || true
fi
