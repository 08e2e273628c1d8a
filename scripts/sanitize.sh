#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer, and the
# concurrency tests (live swaps, watched exclusions) under ThreadSanitizer.
# The wrapper harnesses load the library into LuaJIT / JRuby and the
# allocation-counting test replaces operator new: those run in the plain
# build only, as do the stack files' mutation cases and the setup-job tests
# (Python and shell over files: no code of the library's of their own).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build-asan -DC2S_SANITIZE=address -DC2S_BUILD_BENCHMARKS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs" -E 'lua_wrapper|ruby_script|schema|NoAllocation|stack\.files_mutations|stack\.setup_scripts')
cmake -S . -B build-tsan -DC2S_SANITIZE=thread -DC2S_BUILD_BENCHMARKS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-tsan -j"$jobs" --target c2sieve_abi_tests c2sieve_live_tests >/dev/null
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1 \
  ctest --output-on-failure -j"$jobs" -R 'Concurrent|Swap|LiveExclusions|LiveRulesets')
