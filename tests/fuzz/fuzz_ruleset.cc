// Arbitrary ruleset documents: a clear error or an engine, never a crash.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "rules/ruleset_loader.h"
#include "runtime/engine_core.h"
#include "runtime/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto rs = c2s::rules::ParseRuleset(text, "fuzz.json");
  if (!rs.ok()) {
    if (rs.status().message().find("fuzz.json:") != 0) std::abort();  // names the file
    return 0;
  }
  c2s::runtime::EngineCore::Options o;
  o.builtin_rulesets = false;
  o.rulesets.push_back(*rs);
  auto core = c2s::runtime::EngineCore::Create(std::move(o));
  if (core.ok()) {
    c2s::runtime::Session s(*core);
    s.EvalJson(R"({"dns":{"question":{"name":"pastebin.com"}},"process":{"name":"x.exe"}})");
  }
  return 0;
}
