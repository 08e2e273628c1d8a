// Arbitrary exclusions documents against the built-in rules: a clear error
// or a swap, never a crash; a rejected document leaves the version in force.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "rules/exclusions_loader.h"
#include "runtime/engine_core.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto core = [] {
    auto c = c2s::runtime::EngineCore::Create({});
    if (!c.ok()) std::abort();
    return *c;
  }();
  std::string text(reinterpret_cast<const char*>(data), size);
  auto before = core->generation();
  auto ex = c2s::rules::ParseExclusions(text, "fuzz.json");
  if (!ex.ok()) return 0;
  auto st = core->SetExclusions(&*ex);
  if (!st.ok() && core->generation() != before) std::abort();
  return 0;
}
