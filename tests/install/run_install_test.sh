#!/usr/bin/env bash
# `cmake --install` into a staging prefix, then what a user does with it:
# the layout the README documents, the SONAME the wrappers fall back to,
# the installed command on the sample, and two programs built against the
# installed tree only (find_package and pkg-config) that must tag the
# sample exactly as the command does.
# Usage: run_install_test.sh BUILD_DIR REPO
set -u
build=$1
repo=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/prefix"
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name"; fi; }

if ! cmake --install "$build" --prefix "$stage" >"$work/install.log" 2>&1; then
  cat "$work/install.log"; echo "FAIL cmake --install"; exit 1
fi
ok "cmake --install"
libdir=$(cd "$stage" && dirname "$(find . -name 'libc2sieve.so.0' | head -1)" | sed 's|^\./||')
[ -n "$libdir" ] && ok "library in $libdir" || { fail "no libc2sieve.so.0 installed"; exit 1; }

# The layout (README: Install).
missing=()
for f in bin/c2sieve include/c2sieve.h include/c2sieve_version.h \
         "$libdir/libc2sieve.so" "$libdir/pkgconfig/c2sieve.pc" \
         "$libdir/cmake/c2sieve/c2sieveConfig.cmake" "$libdir/cmake/c2sieve/c2sieveConfigVersion.cmake" \
         share/c2sieve/rulesets/elastic/command_and_control_common_webservices.json \
         share/c2sieve/rulesets/schema/ruleset.schema.json share/c2sieve/rulesets/profiles/builtin.json \
         share/c2sieve/rulesets/examples/exclusions.json \
         share/c2sieve/c2sieve.lua share/c2sieve/c2sieve.rb share/c2sieve/elastic/index-template.json \
         share/man/man1/c2sieve.1.gz share/man/man1/c2sieve-scan.1.gz share/man/man1/c2sieve-import-feed.1.gz \
         share/bash-completion/completions/c2sieve share/zsh/site-functions/_c2sieve \
         share/doc/c2sieve/README.md share/doc/c2sieve/CHANGELOG.md; do
  [ -e "$stage/$f" ] || missing+=("$f")
done
[ ${#missing[@]} -eq 0 ] && ok "layout" || fail "not installed: ${missing[*]}"
# Every file the install wrote is in the manifest (what a package holds).
check "install_manifest lists every file" bash -c \
  "diff <(sort '$build/install_manifest.txt' | sed 's|^$stage/||') <(cd '$stage' && find . ! -type d | sed 's|^\./||' | sort)"

# One version: the SONAME is libc2sieve.so.<major>, the file name carries
# the full version, and the wrappers fall back to the SONAME.
version=$("$build/cli/c2sieve" version | sed 's/^c2sieve //')
soname=$(readelf -d "$stage/$libdir/libc2sieve.so.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libc2sieve.so.${version%%.*}" ] && ok "SONAME $soname" || fail "SONAME '$soname' for version $version"
check "library file libc2sieve.so.$version" test -f "$stage/$libdir/libc2sieve.so.$version"
check "lua wrapper falls back to the SONAME" grep -q "return \"$soname\"" "$stage/share/c2sieve/c2sieve.lua"
check "ruby wrapper falls back to the SONAME" grep -q "|| \"$soname\"" "$stage/share/c2sieve/c2sieve.rb"
check "pkg-config version" test "$(PKG_CONFIG_PATH="$stage/$libdir/pkgconfig" pkg-config --modversion c2sieve)" = "$version"
# Only c2s_* is exported (the installed file, not the build tree's).
check "installed library exports only c2s_*" bash -c \
  "! nm -D --defined-only '$stage/$libdir/libc2sieve.so.0' | awk '{print \$3}' | grep -v '^c2s_'"

# The installed command (its library from the staging prefix) writes what
# the build tree's writes.
export LD_LIBRARY_PATH="$stage/$libdir"
sample="$repo/samples/ecs-dns-events.ndjson"
"$build/cli/c2sieve" scan --quiet "$sample" >"$work/want.ndjson"
check "installed c2sieve scan == build's" bash -c "'$stage/bin/c2sieve' scan --quiet '$sample' | cmp - '$work/want.ndjson'"
check "installed c2sieve checks the installed rulesets" "$stage/bin/c2sieve" check \
  "$stage/share/c2sieve/rulesets/elastic/command_and_control_common_webservices.json" \
  "$stage/share/c2sieve/rulesets/examples/exclusions.json"
check "installed man page renders" bash -c "MANPATH='$stage/share/man' man -w c2sieve-scan | grep -q '$stage'"

# A sanitized build's library needs its runtime loaded first: the consumers
# are then built with the same sanitizer (and so run under it too).
sanitize=""
case "$(sed -n 's/^C2S_SANITIZE:[A-Z]*=//p' "$build/CMakeCache.txt")" in
  address) sanitize="-fsanitize=address,undefined" ;;
  thread) sanitize="-fsanitize=thread" ;;
esac

# Consumer 1: CMake, find_package(c2sieve CONFIG) -> c2sieve::c2sieve.
if cmake -S "$repo/tests/consumers/cmake" -B "$work/cmake-consumer" -DCMAKE_PREFIX_PATH="$stage" \
     -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_EXE_LINKER_FLAGS="$sanitize" \
     >"$work/cmake-consumer.log" 2>&1 &&
   cmake --build "$work/cmake-consumer" >>"$work/cmake-consumer.log" 2>&1; then
  ok "find_package consumer builds"
  check "find_package consumer tags the sample as c2sieve scan" bash -c \
    "'$work/cmake-consumer/consumer' <'$sample' | cmp - '$work/want.ndjson'"
  check "find_package found the staged package" grep -q "$stage" "$work/cmake-consumer/CMakeCache.txt"
else
  cat "$work/cmake-consumer.log"; fail "find_package consumer builds"
fi

# Consumer 2: cc $(pkg-config --cflags --libs c2sieve).
flags=$(PKG_CONFIG_PATH="$stage/$libdir/pkgconfig" pkg-config --cflags --libs c2sieve)
# shellcheck disable=SC2086
if cc -std=c99 -Wall -Werror $sanitize "$repo/tests/consumers/consumer.c" \
     $flags -o "$work/pc-consumer" 2>"$work/pc.log"; then
  ok "pkg-config consumer builds ($flags)"
  check "pkg-config consumer tags the sample as c2sieve scan" bash -c \
    "'$work/pc-consumer' <'$sample' | cmp - '$work/want.ndjson'"
  check "pkg-config consumer loads the staged library" bash -c \
    "ldd '$work/pc-consumer' | grep -q '$stage/$libdir/libc2sieve.so.0'"
else
  cat "$work/pc.log"; fail "pkg-config consumer builds"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
