// Differential: the prefilter never changes an output. For any input
// (events from the test data, mutated), in both match modes, the JSON path
// with the prefilter on and off must give byte-identical output and the same
// number of matched rules, and the prefilter's "no rule can match these
// bytes" must agree with the full path. msgpack reading of any bytes must
// never crash.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "runtime/engine_core.h"
#include "runtime/session.h"

namespace {

using c2s::event::MatchMode;
using c2s::runtime::Session;

Session& SessionFor(MatchMode mode, bool prefilter) {
  auto make = [](MatchMode m, bool p) {
    c2s::runtime::EngineCore::Options o;
    o.mode = m;
    o.prefilter = p;
    auto c = c2s::runtime::EngineCore::Create(std::move(o));
    if (!c.ok()) std::abort();
    return *c;
  };
  static Session canonical(make(MatchMode::kCanonical, true));
  static Session parity(make(MatchMode::kParity, true));
  static Session canonical_off(make(MatchMode::kCanonical, false));
  static Session parity_off(make(MatchMode::kParity, false));
  if (mode == MatchMode::kCanonical) return prefilter ? canonical : canonical_off;
  return prefilter ? parity : parity_off;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (auto mode : {MatchMode::kCanonical, MatchMode::kParity}) {
    auto& on = SessionFor(mode, true);
    auto& off = SessionFor(mode, false);
    bool may = on.MayMatch(bytes);
    auto a = on.EvalJson(bytes);
    std::string out_on(a.output);
    auto b = off.EvalJson(bytes);
    if (!may && b.matched_rules > 0) std::abort();  // a hidden match
    if (a.matched_rules != b.matched_rules || out_on != b.output) std::abort();
    // msgpack reading must never crash, whatever the bytes.
    (void)on.MayMatch(bytes, c2s::runtime::Prefilter::Encoding::kMsgpack);
  }
  return 0;
}
