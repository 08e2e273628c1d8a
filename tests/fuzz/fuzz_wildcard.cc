// Differential: the Hyperscan translation of a wildcard pattern, the engine's
// compiled matcher (which answers `*lit`, `lit*` and `*lit*` from a
// literal-mode database) and the reference matcher agree on every value, in
// both cases. Input: pattern, NUL, value.
#include <hs/hs.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/compiled_matcher.h"
#include "engine/evaluator.h"
#include "engine/literal_gate.h"
#include "engine/wildcard.h"

namespace {

// The engine's answer for `pattern` (one rule, `:` or `like`) on `value`;
// -1 when the pattern does not compile.
int EngineMatch(const std::string& pattern, const std::string& value, bool case_sensitive) {
  c2s::engine::FieldTable fields;
  fields.Add("f");
  c2s::rules::Ruleset rs;
  rs.name = "fuzz";
  c2s::rules::Rule r;
  r.id = r.name = "r";
  r.query.kind = c2s::rules::NodeKind::kWildcard;
  r.query.field = "f";
  r.query.values = {pattern};
  r.query.case_sensitive = case_sensitive;
  rs.rules.push_back(r);
  auto m = c2s::engine::CompiledMatcher::CompileRules(fields, {rs});
  if (!m.ok()) return -1;
  c2s::engine::Evaluator evaluator;
  if (!evaluator.Bind(*m, nullptr).ok()) std::abort();
  evaluator.fields().Add(0, c2s::engine::ValueType::kString, value);
  bool hit = !evaluator.Evaluate().empty();
  if (evaluator.scan_failed()) std::abort();
  return hit ? 1 : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* p = reinterpret_cast<const char*>(data);
  const char* nul = static_cast<const char*>(std::memchr(p, 0, size));
  if (!nul || nul - p > 64) return 0;
  std::string pattern(p, nul - p);
  std::string value(nul + 1, p + size);
  bool want = c2s::engine::WildcardMatch(pattern, value);
  bool want_like = c2s::engine::WildcardMatch(pattern, value, true);
  int engine = EngineMatch(pattern, value, false);
  if (engine >= 0 && engine != (want ? 1 : 0)) std::abort();
  engine = EngineMatch(pattern, value, true);
  if (engine >= 0 && engine != (want_like ? 1 : 0)) std::abort();
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
