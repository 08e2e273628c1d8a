// c2sieve check: validate ruleset and exclusions files the way the engine
// would load them (parse, schema rules, compile).
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "rules/exclusions_loader.h"
#include "rules/load_context.h"
#include "rules/ruleset_loader.h"
#include "profiles/profile_loader.h"

namespace c2s::cli {

namespace {

// "ruleset", "exclusions" or "" from the document's "format".
std::string KindOf(const std::string& text) {
  try {
    auto doc = nlohmann::json::parse(text);
    if (doc.is_object() && doc.contains("format") && doc["format"].is_string()) {
      std::string f = doc["format"];
      if (f.rfind("c2sieve.ruleset/", 0) == 0) return "ruleset";
      if (f.rfind("c2sieve.exclusions/", 0) == 0) return "exclusions";
      if (f.rfind("c2sieve.profiles/", 0) == 0) return "profiles";
    }
  } catch (...) {
  }
  return "";
}

}  // namespace

int RunCheck(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  for (const auto& a : args) {
    if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "c2sieve check: unknown option %s\n", a.c_str());
      return kExitUsage;
    }
    files.push_back(a);
  }
  if (files.empty()) {
    std::fprintf(stderr, "c2sieve check: no file given\n");
    return kExitUsage;
  }
  // Rulesets first, so exclusions are checked against every rule given.
  std::vector<rules::Ruleset> rulesets;
  std::vector<std::pair<std::string, std::string>> exclusion_files;
  int failures = 0;
  for (const auto& f : files) {
    auto text = rules::ReadFile(f);
    if (!text.ok()) {
      std::printf("INVALID %s\n", std::string(text.status().message()).c_str());
      ++failures;
      continue;
    }
    std::string kind = KindOf(*text);
    if (kind == "exclusions") {
      exclusion_files.emplace_back(f, std::move(*text));
      continue;
    }
    if (kind == "profiles") {
      auto ps = profiles::ParseProfiles(*text, f);
      runtime::EngineCore::Options o;
      o.builtin_profiles = false;  // the file on its own (it may be builtin.json)
      if (ps.ok()) o.profiles = *ps;
      auto core = ps.ok() ? runtime::EngineCore::Create(std::move(o))
                          : absl::StatusOr<std::shared_ptr<runtime::EngineCore>>(ps.status());
      if (!core.ok()) {
        std::printf("INVALID %s\n", std::string(core.status().message()).c_str());
        ++failures;
      } else {
        std::printf("OK      %s: %zu profile(s)\n", f.c_str(), ps->size());
      }
      continue;
    }
    // Anything else is checked as a ruleset: its errors say what is wrong.
    auto rs = rules::ParseRuleset(*text, f);
    if (!rs.ok()) {
      std::printf("INVALID %s\n", std::string(rs.status().message()).c_str());
      ++failures;
      continue;
    }
    runtime::EngineCore::Options o;
    o.builtin_rulesets = false;
    o.rulesets.push_back(*rs);
    auto core = runtime::EngineCore::Create(std::move(o));
    if (!core.ok()) {
      std::printf("INVALID %s\n", std::string(core.status().message()).c_str());
      ++failures;
      continue;
    }
    std::printf("OK      %s: ruleset \"%s\", %zu rule(s)\n", f.c_str(),
                rs->name.c_str(), rs->rules.size());
    rulesets.push_back(std::move(*rs));
  }
  for (const auto& [f, text] : exclusion_files) {
    auto ex = rules::ParseExclusions(text, f);
    if (!ex.ok()) {
      std::printf("INVALID %s\n", std::string(ex.status().message()).c_str());
      ++failures;
      continue;
    }
    runtime::EngineCore::Options o;
    // Check against the built-in rules too, unless a file given here is
    // (a version of) the built-in ruleset itself.
    o.builtin_rulesets = true;
    if (auto builtin = rules::BuiltinRuleset(); builtin.ok()) {
      for (const auto& rs : rulesets)
        for (const auto& r : rs.rules)
          for (const auto& b : builtin->rules)
            if (r.id == b.id) o.builtin_rulesets = false;
    }
    o.rulesets = rulesets;
    o.exclusions = &*ex;
    auto core = runtime::EngineCore::Create(std::move(o));
    if (!core.ok()) {
      std::printf("INVALID %s\n", std::string(core.status().message()).c_str());
      ++failures;
      continue;
    }
    std::printf("OK      %s: %zu exclusion(s)\n", f.c_str(), ex->entries.size());
  }
  return failures ? kExitInvalid : kExitOk;
}

}  // namespace c2s::cli
