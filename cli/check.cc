// c2sieve check: validate ruleset, exclusions and profile files the way the
// engine would load them (parse, schema rules, compile), reported in the
// order given. Exclusions are checked against every ruleset given (and the
// built-in ones), with the share of each rule's probe events they would
// suppress.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command_specs.h"
#include "cli/commands.h"
#include "cli/file_kind.h"
#include "profiles/profile_loader.h"
#include "rules/exclusions_loader.h"
#include "rules/load_context.h"
#include "rules/ruleset_loader.h"
#include "util/strings.h"

namespace c2s::cli {

namespace {

struct Report {
  bool ok = false;
  std::string text;  // the line(s) printed for the file
};

Report Invalid(const absl::Status& st) { return {false, "INVALID " + SafeStatus(st)}; }

Report CheckProfiles(const std::string& f, const std::string& text) {
  auto ps = profiles::ParseProfiles(text, f);
  if (!ps.ok()) return Invalid(ps.status());
  runtime::EngineCore::Options o;
  o.builtin_profiles = false;  // the file on its own (it may be builtin.json)
  o.profiles = *ps;
  auto core = runtime::EngineCore::Create(std::move(o));
  if (!core.ok()) return Invalid(core.status());
  return {true, Cat("OK      ", SafeMessage(f), ": ", ps->size(), " profile(s)")};
}

Report CheckExclusions(const std::string& f, const std::string& text,
                       const std::vector<rules::Ruleset>& rulesets) {
  auto ex = rules::ParseExclusions(text, f);
  if (!ex.ok()) return Invalid(ex.status());
  runtime::EngineCore::Options o;
  // Check against the built-in rules too, unless a file given here is (a
  // version of) the built-in ruleset itself.
  o.builtin_rulesets = true;
  if (auto builtin = rules::BuiltinRuleset(); builtin.ok())
    for (const auto& rs : rulesets)
      for (const auto& r : rs.rules)
        for (const auto& b : builtin->rules)
          if (r.id == b.id) o.builtin_rulesets = false;
  o.rulesets = rulesets;
  auto core = runtime::EngineCore::Create(std::move(o));
  if (!core.ok()) return Invalid(core.status());
  // One compile and one measurement give both the shares and the verdict
  // the engine would give the push.
  auto measured = (*core)->MeasureExclusions(*ex);
  if (!measured.ok()) return Invalid(measured.status());
  absl::Status applies =
      ex->allow_broad ? absl::OkStatus() : runtime::ProbeEvents::Check(*measured, f);
  Report r{applies.ok(), ""};
  r.text = applies.ok() ? Cat("OK      ", SafeMessage(f), ": ", ex->entries.size(), " exclusion(s)")
                        : "INVALID " + SafeStatus(applies);
  for (const auto& m : *measured) {
    char line[160];
    std::snprintf(line, sizeof line, "\n          would suppress %5.1f%% of rule %s's probe events (%zu of %zu)",
                  m.share() * 100, m.rule_id.c_str(), m.suppressed, m.probes);
    r.text += line;
  }
  for (const auto& w : ex->warnings) r.text += "\n          warning: " + SafeMessage(w);
  return r;
}

}  // namespace

int RunCheck(const std::vector<std::string>& args) {
  const CommandSpec& spec = CheckSpec();
  auto parsed = ParseArgs(spec, args);
  if (!parsed.ok()) return Usage(spec, parsed.status());
  const std::vector<std::string>& files = parsed->operands();
  // Rulesets are loaded first, so exclusions are checked against every rule
  // given; the reports still come out in the order of the files.
  std::vector<Report> reports(files.size());
  std::vector<std::string> texts(files.size());
  std::vector<FileKind> kinds(files.size(), FileKind::kUnknown);
  std::vector<bool> pending(files.size(), false);
  std::vector<rules::Ruleset> rulesets;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& f = files[i];
    auto text = rules::ReadFile(f);
    if (!text.ok()) {
      reports[i] = Invalid(text.status());
      continue;
    }
    kinds[i] = SniffKind(*text);
    switch (kinds[i]) {
      case FileKind::kExclusions:
        texts[i] = std::move(*text);
        pending[i] = true;
        continue;
      case FileKind::kProfiles:
        reports[i] = CheckProfiles(f, *text);
        continue;
      case FileKind::kRuleset:
      case FileKind::kUnknown:    // broken JSON: the loader gives its line
      case FileKind::kOtherJson:  // the loader names the missing "format"
        break;
      default:
        reports[i] = {false, Cat("INVALID ", SafeMessage(f), ": not a file check reads: ",
                                 KindAdvice(kinds[i], f))};
        continue;
    }
    auto rs = rules::ParseRuleset(*text, f);
    if (!rs.ok()) {
      reports[i] = Invalid(rs.status());
      continue;
    }
    runtime::EngineCore::Options o;
    o.builtin_rulesets = false;
    o.rulesets.push_back(*rs);
    auto core = runtime::EngineCore::Create(std::move(o));
    if (!core.ok()) {
      reports[i] = Invalid(core.status());
      continue;
    }
    reports[i] = {true, Cat("OK      ", SafeMessage(f), ": ruleset \"", SafeMessage(rs->name),
                            "\", ", rs->rules.size(), " rule(s)\n          prefilter ",
                            SafeMessage((*core)->prefilter_description()))};
    rulesets.push_back(std::move(*rs));
  }
  for (size_t i = 0; i < files.size(); ++i)
    if (pending[i]) reports[i] = CheckExclusions(files[i], texts[i], rulesets);
  int failures = 0;
  for (const Report& r : reports) {
    std::printf("%s\n", r.text.c_str());
    failures += !r.ok;
  }
  return failures ? kExitInvalid : kExitOk;
}

}  // namespace c2s::cli
