// One event's bytes through the JSON path: never a crash; a non-matching
// or malformed event comes back as the very input; an enriched one is
// valid JSON with no key written twice.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runtime/session.h"
#include "util/json_text.h"

namespace {

bool NoDuplicates(std::string_view s, size_t i) {
  using namespace c2s::json_text;
  i = SkipSpace(s, i);
  bool ok = true;
  if (i < s.size() && s[i] == '{') {
    std::set<std::string_view> keys;
    ForEachMember(s, i, [&](const Member& m) {
      ok = keys.insert(m.raw_key).second && NoDuplicates(s, m.value_begin);
      return ok;
    });
  } else if (i < s.size() && s[i] == '[') {
    ForEachElement(s, i, [&](size_t b, size_t) { return ok = NoDuplicates(s, b); });
  }
  return ok;
}

c2s::runtime::Session& Session() {
  static auto core = [] {
    auto c = c2s::runtime::EngineCore::Create({});
    if (!c.ok()) std::abort();
    return *c;
  }();
  static c2s::runtime::Session s(core);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = Session().EvalJson(in);
  if (!r.enriched) {
    if (r.output.data() != in.data() || r.output.size() != in.size()) std::abort();
    return 0;
  }
  if (!nlohmann::json::accept(r.output.begin(), r.output.end())) std::abort();
  // Duplicates the input already had are its own; ours must add none.
  if (NoDuplicates(in, 0) && !NoDuplicates(r.output, 0)) std::abort();
  return 0;
}
