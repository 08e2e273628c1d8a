// One event's bytes through the JSON path: never a crash; a non-matching
// or malformed event comes back as the very input; an enriched one is
// valid JSON with no key written twice.
//
// Validity is judged with every \uXXXX escape taken as well-formed: a lone
// surrogate (\udbc2) is within JSON's grammar, Elasticsearch's parser takes
// it, and so does the engine (it reads it as U+FFFD and may match), while
// nlohmann::json rejects it. The input's escapes come back untouched, so
// this oracle only sets aside nlohmann's stricter reading of them.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
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

// The text with the four digits of every \u escape inside a string made
// "0041", so nlohmann's surrogate check does not reject what JSON allows.
std::string WithPlainEscapes(std::string_view s) {
  std::string out(s);
  bool in_string = false;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!in_string) {
      in_string = out[i] == '"';
    } else if (out[i] == '"') {
      in_string = false;
    } else if (out[i] == '\\' && i + 1 < out.size()) {
      if (out[i + 1] == 'u' && i + 5 < out.size() &&
          std::all_of(out.begin() + i + 2, out.begin() + i + 6,
                      [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
        out.replace(i + 2, 4, "0041");
      }
      ++i;
    }
  }
  return out;
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
  if (!nlohmann::json::accept(WithPlainEscapes(r.output))) std::abort();
  // Duplicates the input already had are its own; ours must add none.
  if (NoDuplicates(in, 0) && !NoDuplicates(r.output, 0)) std::abort();
  return 0;
}
