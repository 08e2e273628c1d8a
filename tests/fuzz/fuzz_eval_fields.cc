// Arbitrary field values through the field-level path: never a crash, and
// the enrichment of a match is valid JSON.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runtime/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto core = [] {
    auto c = c2s::runtime::EngineCore::Create({});
    if (!c.ok()) std::abort();
    return *c;
  }();
  static c2s::runtime::Session s(core);
  if (!s.BeginFields().ok()) std::abort();
  auto& fields = s.fields();
  const size_t slots = core->fields().size();
  // Records of: slot byte, type byte, length byte, bytes.
  size_t i = 0;
  while (i + 3 <= size) {
    uint32_t slot = data[i] % slots;
    auto type = static_cast<c2s::engine::ValueType>(data[i + 1] % 5);
    size_t len = data[i + 2];
    i += 3;
    if (len > size - i) len = size - i;
    fields.Add(slot, type, std::string_view(reinterpret_cast<const char*>(data + i), len));
    i += len;
  }
  if (s.EvaluateFields() > 0) {
    const std::string& e = s.EnrichmentJson();
    if (!nlohmann::json::accept(e)) std::abort();
    (void)s.matches();
  }
  return 0;
}
