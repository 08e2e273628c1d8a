// c2sieve import elastic: Elastic detection-rule TOML files -> a ruleset.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command_specs.h"
#include "cli/commands.h"
#include "cli/file_kind.h"
#include "rules/load_context.h"
#include "import/elastic_rule.h"
#include "import/feed.h"
#include "import/kibana_exceptions.h"
#include "import/sigma.h"
#include "rules/exclusions_loader.h"
#include "rules/ruleset_loader.h"

namespace c2s::cli {

namespace {

// Reads an input file; on failure prints why (no such file, a directory
// ...) and returns false.
bool ReadWhole(const std::string& path, std::string* out) {
  auto text = rules::ReadFile(path);
  if (!text.ok()) {
    std::fprintf(stderr, "c2sieve import: %s\n", SafeStatus(text.status()).c_str());
    return false;
  }
  *out = std::move(*text);
  return true;
}

// Reads an import spec file into *spec; an exit code on failure, else -1.
int ReadSpec(const std::string& path, import::ImportSpec* spec) {
  if (path.empty()) return -1;
  std::string text;
  if (!ReadWhole(path, &text)) return kExitIo;
  auto parsed = import::ParseImportSpec(text, path);
  if (!parsed.ok()) {
    std::fprintf(stderr, "c2sieve import: %s\n", std::string(parsed.status().message()).c_str());
    return kExitConfig;
  }
  *spec = std::move(*parsed);
  return -1;
}

int WriteRuleset(const std::string& doc, const std::string& out_path, size_t files);

int ImportElastic(const std::vector<std::string>& args) {
  const CommandSpec& cs = ImportElasticSpec();
  auto parsed = ParseArgs(cs, args);
  if (!parsed.ok()) return Usage(cs, parsed.status());
  const std::string spec_path = parsed->Value("--spec"), out_path = parsed->Value("-o"),
                    commit = parsed->Value("--source-commit");
  const std::vector<std::string>& files = parsed->operands();
  import::ImportSpec spec;
  if (int rc = ReadSpec(spec_path, &spec); rc >= 0) return rc;
  if (!commit.empty()) spec.header["source"]["commit"] = commit;
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const auto& f : files) {
    std::string text;
    if (!ReadWhole(f, &text)) return kExitIo;
    inputs.emplace_back(f, std::move(text));
  }
  auto doc = import::ImportElasticRuleset(inputs, spec);
  if (!doc.ok()) {
    std::fprintf(stderr, "c2sieve import: %s\n", std::string(doc.status().message()).c_str());
    return kExitConfig;
  }
  return WriteRuleset(*doc, out_path, files.size());
}

// Checks that a ruleset document loads and compiles, then writes it.
int WriteRuleset(const std::string& doc, const std::string& out_path, size_t files) {
  // An engine of this ruleset alone: loading and compiling as any host would.
  auto loaded = rules::ParseRuleset(doc, out_path.empty() ? "(import)" : out_path);
  if (loaded.ok()) {
    runtime::EngineCore::Options o;
    o.builtin_rulesets = false;
    o.rulesets.push_back(*loaded);
    if (auto core = runtime::EngineCore::Create(std::move(o)); !core.ok()) loaded = core.status();
  }
  if (!loaded.ok()) {
    std::fprintf(stderr, "c2sieve import: the result does not load: %s\n",
                 std::string(loaded.status().message()).c_str());
    return kExitConfig;
  }
  if (out_path.empty()) {
    std::fwrite(doc.data(), 1, doc.size(), stdout);
  } else {
    std::ofstream out(out_path, std::ios::binary);
    out << doc;
    if (!out) {
      std::fprintf(stderr, "c2sieve import: cannot write %s\n", out_path.c_str());
      return kExitIo;
    }
  }
  std::fprintf(stderr, "c2sieve import: %zu rule(s) from %zu file(s)%s%s\n", loaded->rules.size(),
               files, out_path.empty() ? "" : " -> ", out_path.c_str());
  return kExitOk;
}

int ImportSigma(const std::vector<std::string>& args) {
  const CommandSpec& cs = ImportSigmaSpec();
  auto parsed = ParseArgs(cs, args);
  if (!parsed.ok()) return Usage(cs, parsed.status());
  const std::string spec_path = parsed->Value("--spec"), out_path = parsed->Value("-o"),
                    commit = parsed->Value("--source-commit");
  const bool skip_refused = parsed->Has("--skip-refused");
  const std::vector<std::string>& files = parsed->operands();
  import::ImportSpec spec;
  if (int rc = ReadSpec(spec_path, &spec); rc >= 0) return rc;
  if (!spec.header.contains("name")) spec.header["name"] = "sigma";
  if (!commit.empty()) spec.header["source"]["commit"] = commit;
  std::vector<rules::Rule> converted;
  std::vector<std::string> refused;
  for (const auto& f : files) {
    std::string text;
    if (!ReadWhole(f, &text)) return kExitIo;
    auto r = import::ImportSigmaRule(text, f);
    if (!r.ok()) {
      if (!skip_refused) {
        std::fprintf(stderr, "c2sieve import: %s\n", std::string(r.status().message()).c_str());
        return kExitConfig;
      }
      refused.push_back(std::string(r.status().message()));
      continue;
    }
    import::ApplySpec(spec, &*r);
    converted.push_back(std::move(*r));
  }
  if (converted.empty()) {
    std::fprintf(stderr, "c2sieve import: no rule converted\n");
    for (const auto& why : refused) std::fprintf(stderr, "  refused: %s\n", why.c_str());
    return kExitConfig;
  }
  auto doc = import::RulesetDocument(spec.header, converted);
  if (!doc.ok()) {
    std::fprintf(stderr, "c2sieve import: %s\n", std::string(doc.status().message()).c_str());
    return kExitConfig;
  }
  int rc = WriteRuleset(*doc, out_path, files.size());
  for (const auto& why : refused) std::fprintf(stderr, "  refused: %s\n", why.c_str());
  if (rc == kExitOk && !refused.empty()) rc = kExitInvalid;
  return rc;
}

int ImportExceptions(const std::vector<std::string>& args) {
  const CommandSpec& cs = ImportExceptionsSpec();
  auto parsed = ParseArgs(cs, args);
  if (!parsed.ok()) return Usage(cs, parsed.status());
  EngineOptions engine_opts;
  if (auto st = EngineOptionsFrom(*parsed, &engine_opts); !st.ok()) return Usage(cs, st);
  import::ExceptionsOptions opts;
  opts.rule_ids = parsed->Values("--rule");
  const std::string out_path = parsed->Value("-o"), input = parsed->operands()[0];
  auto core = BuildEngine(engine_opts);
  if (!core.ok()) return Fail(cs, kExitConfig, core.status());
  const engine::FieldTable& fields = (*core)->fields();
  opts.known_field = [&](std::string_view f) { return fields.Find(std::string(f)) >= 0; };
  opts.now_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  std::string text;
  if (!ReadWhole(input, &text)) return kExitIo;
  import::ExceptionsReport report;
  auto doc = import::ConvertKibanaExceptions(text, input, opts, &report);
  if (!doc.ok()) {
    std::fprintf(stderr, "c2sieve import: %s\n", std::string(doc.status().message()).c_str());
    return kExitConfig;
  }
  // What is written must load and apply to this engine as it is.
  if (report.converted > 0) {
    auto set = rules::ParseExclusions(*doc, out_path.empty() ? "(import)" : out_path);
    absl::Status applied = set.ok() ? (*core)->SetExclusions(&*set) : set.status();
    if (!applied.ok()) {
      std::fprintf(stderr, "c2sieve import: the result does not apply: %s\n",
                   std::string(applied.message()).c_str());
      return kExitConfig;
    }
  }
  if (out_path.empty()) {
    std::fwrite(doc->data(), 1, doc->size(), stdout);
  } else {
    std::ofstream out(out_path, std::ios::binary);
    out << *doc;
    if (!out) {
      std::fprintf(stderr, "c2sieve import: cannot write %s\n", out_path.c_str());
      return kExitIo;
    }
  }
  std::fprintf(stderr, "c2sieve import: %zu list(s), %zu item(s): %zu converted, %zu not converted\n",
               report.lists, report.items, report.converted, report.not_converted.size());
  for (const auto& n : report.not_converted) std::fprintf(stderr, "  not converted: %s\n", n.c_str());
  for (const auto& w : report.warnings) std::fprintf(stderr, "  note: %s\n", w.c_str());
  return report.not_converted.empty() ? kExitOk : kExitInvalid;
}

// c2sieve import feed: a domain feed -> a ruleset of one rule.
int ImportFeed(const std::vector<std::string>& args) {
  const CommandSpec& cs = ImportFeedSpec();
  auto parsed = ParseArgs(cs, args);
  if (!parsed.ok()) return Usage(cs, parsed.status());
  import::FeedOptions opts;
  if (parsed->Has("--format")) opts.format = parsed->Value("--format");
  opts.column = parsed->Value("--column");
  opts.id = parsed->Value("--id");
  opts.name = parsed->Value("--name");
  opts.provider = parsed->Value("--provider");
  opts.reference = parsed->Value("--reference");
  if (parsed->Has("--severity")) opts.severity = parsed->Value("--severity");
  static const std::map<std::string, double> kRisk = {
      {"low", 21}, {"medium", 47}, {"high", 73}, {"critical", 99}};
  opts.risk_score = kRisk.at(opts.severity);
  if (opts.id.empty() || opts.name.empty())
    return Usage(cs, absl::InvalidArgumentError("--id and --name are required"));
  const std::string out_path = parsed->Value("-o"), input = parsed->operands()[0];
  std::string text;
  if (!ReadWhole(input, &text)) return kExitIo;
  auto feed = import::ParseFeed(text, input, opts);
  if (!feed.ok()) {
    std::fprintf(stderr, "c2sieve import: %s\n", std::string(feed.status().message()).c_str());
    return kExitConfig;
  }
  auto doc = import::FeedRuleset(*feed, opts, input);
  if (!doc.ok()) {
    std::fprintf(stderr, "c2sieve import: %s\n", std::string(doc.status().message()).c_str());
    return kExitConfig;
  }
  if (int rc = WriteRuleset(*doc, out_path, 1); rc != kExitOk) return rc;
  std::fprintf(stderr,
               "c2sieve import: %zu names, %zu wildcards, %zu duplicates, %zu system names, %zu skipped\n",
               feed->names.size(), feed->wildcards.size(), feed->duplicates, feed->system_names,
               feed->skipped.size());
  if (feed->expired > 0)
    std::fprintf(stderr,
                 "  note: %zu names are past their valid_until (kept; the engine leaves them out)\n",
                 feed->expired);
  for (const auto& s : feed->skipped) {
    std::string where = s.pointer.empty() ? Cat(input, ":", s.line) : Cat(input, ": ", s.pointer);
    std::fprintf(stderr, "  skipped: %s: %s: %s\n", where.c_str(), SafeMessage(s.entry).c_str(),
                 s.reason.c_str());
  }
  return feed->skipped.empty() ? kExitOk : kExitInvalid;
}

}  // namespace

int RunImport(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::string usage = "usage: c2sieve import elastic|sigma|exceptions|feed [OPTIONS] FILE...\n"
                        "  c2sieve import FORMAT --help shows a format's options\n";
    std::fputs(usage.c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (WantsHelp(args)) {
    const CommandSpec* spec = args[0] == "elastic"      ? &ImportElasticSpec()
                              : args[0] == "sigma"      ? &ImportSigmaSpec()
                              : args[0] == "exceptions" ? &ImportExceptionsSpec()
                              : args[0] == "feed"       ? &ImportFeedSpec()
                                                        : nullptr;
    if (spec) {
      std::fputs(HelpText(*spec).c_str(), stdout);
      return kExitOk;
    }
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "elastic") return ImportElastic(rest);
  if (args[0] == "exceptions") return ImportExceptions(rest);
  if (args[0] == "sigma") return ImportSigma(rest);
  if (args[0] == "feed") return ImportFeed(rest);
  std::string near = Nearest(args[0], {"elastic", "exceptions", "sigma", "feed"});
  std::fprintf(stderr, "c2sieve import: unknown format '%s'%s (elastic, exceptions, sigma, feed)\n",
               SafeMessage(args[0]).c_str(), near.empty() ? "" : ("; did you mean " + near + "?").c_str());
  return kExitUsage;
}

}  // namespace c2s::cli
