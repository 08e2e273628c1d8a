#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer, and the
# concurrency tests (live swaps, watched exclusions) under ThreadSanitizer.
# The wrapper harnesses load the library into LuaJIT / JRuby and the
# allocation-counting test replaces operator new: those run in the plain
# build only, as do the tests that run no code of c2sieve's the others do
# not run under the sanitizers: the schemas, the stack files (Python, shell
# and docker-compose over files and the command's output), the man pages and
# completions (made from --help) and the staged install (cmake --install).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# -O1 with line tables, as OSS-Fuzz builds for its sanitizers: what a report
# needs (function, file, line), in 40 % of the compile time of -O2 -g under
# ASan + UBSan's instrumentation.
level=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG")
cmake -S . -B build-asan -DC2S_SANITIZE=address -DC2S_BUILD_BENCHMARKS=OFF "${level[@]}" >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs" -E 'lua_wrapper|ruby_script|schema|NoAllocation|stack\.|cli\.man_and_completions|install\.staged_prefix')
# One file at a time here (every other build compiles in batches): a file
# that builds only beside another one's includes fails. The importers are
# built too, for that alone.
cmake -S . -B build-tsan -DC2S_SANITIZE=thread -DC2S_BUILD_BENCHMARKS=OFF "${level[@]}" \
  -DCMAKE_UNITY_BUILD=OFF >/dev/null
cmake --build build-tsan -j"$jobs" --target c2sieve_abi_tests c2sieve_live_tests \
  c2sieve_import >/dev/null
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1 \
  ctest --output-on-failure -j"$jobs" -R 'Concurrent|Swap|LiveExclusions|LiveRulesets')
