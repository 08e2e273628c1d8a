// Differential: the prefilter over raw bytes never hides a match. For any
// input (events from the test data, mutated), in both match modes and both
// encodings the prefilter reads, "no rule can match these bytes" must agree
// with the full path's verdict on the same JSON.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "runtime/engine_core.h"
#include "runtime/session.h"

namespace {

c2s::runtime::Session& SessionFor(c2s::event::MatchMode mode) {
  auto make = [](c2s::event::MatchMode m) {
    c2s::runtime::EngineCore::Options o;
    o.mode = m;
    auto c = c2s::runtime::EngineCore::Create(std::move(o));
    if (!c.ok()) std::abort();
    return *c;
  };
  static c2s::runtime::Session canonical(make(c2s::event::MatchMode::kCanonical));
  static c2s::runtime::Session parity(make(c2s::event::MatchMode::kParity));
  return mode == c2s::event::MatchMode::kCanonical ? canonical : parity;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (auto mode : {c2s::event::MatchMode::kCanonical, c2s::event::MatchMode::kParity}) {
    auto& s = SessionFor(mode);
    bool may = s.MayMatch(bytes);
    auto r = s.EvalJson(bytes);
    if (!may && r.matched_rules > 0) std::abort();  // a hidden match
    // msgpack reading must never crash, whatever the bytes.
    (void)s.MayMatch(bytes, c2s::runtime::Prefilter::Encoding::kMsgpack);
  }
  return 0;
}
