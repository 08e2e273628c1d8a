// Arbitrary field values through the field-level path: never a crash, the
// enrichment of a match is valid JSON, and the prefilter's gate over the
// values (on) gives the same verdict and enrichment as evaluating every
// event (off).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runtime/session.h"

namespace {

// The first byte's low bit adds the rest of a matching Windows event (so
// that a listed name in a record is a match, and the gate has something to
// hide); then records of: slot byte, type byte, length byte, bytes.
size_t Evaluate(c2s::runtime::Session& s, const uint8_t* data, size_t size) {
  if (!s.BeginFields().ok()) std::abort();
  auto& fields = s.fields();
  const auto& table = s.core()->fields();
  const size_t slots = table.size();
  size_t i = 0;
  if (size > 0 && (data[0] & 1)) {
    for (auto [f, v] : {std::pair<const char*, const char*>{"event.category", "network"},
                        {"host.os.type", "windows"},
                        {"process.executable", "C:\\Users\\Public\\x.exe"},
                        {"process.name", "x.exe"}})
      if (int32_t slot = table.Find(f); slot >= 0)
        fields.Add(static_cast<uint32_t>(slot), c2s::engine::ValueType::kString, v);
  }
  if (size > 0) i = 1;
  while (i + 3 <= size) {
    uint32_t slot = data[i] % slots;
    auto type = static_cast<c2s::engine::ValueType>(data[i + 1] % 5);
    size_t len = data[i + 2];
    i += 3;
    if (len > size - i) len = size - i;
    fields.Add(slot, type, std::string_view(reinterpret_cast<const char*>(data + i), len));
    i += len;
  }
  return s.EvaluateFields();
}

std::shared_ptr<c2s::runtime::EngineCore> Make(bool prefilter) {
  c2s::runtime::EngineCore::Options o;
  o.prefilter = prefilter;
  auto c = c2s::runtime::EngineCore::Create(std::move(o));
  if (!c.ok()) std::abort();
  return *c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static c2s::runtime::Session on(Make(true)), off(Make(false));
  size_t a = Evaluate(on, data, size), b = Evaluate(off, data, size);
  if (a != b) std::abort();  // the gate changed a verdict
  if (a > 0) {
    const std::string& e = on.EnrichmentJson();
    if (!nlohmann::json::accept(e)) std::abort();
    if (e != off.EnrichmentJson()) std::abort();
    (void)on.matches();
  }
  return 0;
}
