// Differential: the Hyperscan translation of a wildcard pattern and the
// reference matcher agree on every value. Input: pattern, NUL, value.
#include <hs/hs.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/literal_gate.h"
#include "engine/wildcard.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* p = reinterpret_cast<const char*>(data);
  const char* nul = static_cast<const char*>(std::memchr(p, 0, size));
  if (!nul || nul - p > 64) return 0;
  std::string pattern(p, nul - p);
  std::string value(nul + 1, p + size);
  bool want = c2s::engine::WildcardMatch(pattern, value);
  c2s::engine::LiteralGate gate;
  gate.Add(pattern);
  if (want && !gate.MayMatch(value)) std::abort();  // the gate never rejects a match
  auto e = c2s::engine::WildcardToHyperscan(pattern);
  if (e.matches_everything) {
    if (!want) std::abort();
    return 0;
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile(e.regex.c_str(), e.flags, HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    hs_free_compile_error(err);
    return 0;  // the loader reports these; nothing to compare
  }
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  bool got = false;
  hs_scan(db, value.data(), static_cast<unsigned>(value.size()), 0, scratch,
          [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
            *static_cast<bool*>(ctx) = true;
            return 0;
          },
          &got);
  hs_free_scratch(scratch);
  hs_free_database(db);
  if (got != want) std::abort();
  return 0;
}
