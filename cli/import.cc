// c2sieve import elastic: Elastic detection-rule TOML files -> a ruleset.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "import/elastic_rule.h"
#include "import/kibana_exceptions.h"
#include "import/sigma.h"
#include "rules/exclusions_loader.h"
#include "rules/ruleset_loader.h"

namespace c2s::cli {

namespace {

bool ReadWhole(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

// Reads an import spec file into *spec; an exit code on failure, else -1.
int ReadSpec(const std::string& path, import::ImportSpec* spec) {
  if (path.empty()) return -1;
  std::string text;
  if (!ReadWhole(path, &text)) {
    std::fprintf(stderr, "c2sieve import: cannot read %s\n", path.c_str());
    return kExitIo;
  }
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
  std::string spec_path, out_path, commit;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* dst) {
      if (i + 1 >= args.size()) return false;
      *dst = args[++i];
      return true;
    };
    if (a == "--spec") {
      if (!value(&spec_path)) return std::fprintf(stderr, "c2sieve import: --spec needs a file\n"), kExitUsage;
    } else if (a == "-o" || a == "--output") {
      if (!value(&out_path)) return std::fprintf(stderr, "c2sieve import: -o needs a file\n"), kExitUsage;
    } else if (a == "--source-commit") {
      if (!value(&commit)) return std::fprintf(stderr, "c2sieve import: --source-commit needs a value\n"), kExitUsage;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "c2sieve import: unknown option %s\n", a.c_str());
      return kExitUsage;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: c2sieve import elastic [--spec FILE] [--source-commit SHA] "
                         "[-o FILE] RULE.toml...\n");
    return kExitUsage;
  }
  import::ImportSpec spec;
  if (int rc = ReadSpec(spec_path, &spec); rc >= 0) return rc;
  if (!commit.empty()) spec.header["source"]["commit"] = commit;
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const auto& f : files) {
    std::string text;
    if (!ReadWhole(f, &text)) {
      std::fprintf(stderr, "c2sieve import: cannot read %s\n", f.c_str());
      return kExitIo;
    }
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
  std::string spec_path, out_path, commit;
  bool skip_refused = false;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--spec" && i + 1 < args.size()) spec_path = args[++i];
    else if ((a == "-o" || a == "--output") && i + 1 < args.size()) out_path = args[++i];
    else if (a == "--source-commit" && i + 1 < args.size()) commit = args[++i];
    else if (a == "--skip-refused") skip_refused = true;
    else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "c2sieve import: unknown option %s\n", a.c_str());
      return kExitUsage;
    } else files.push_back(a);
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: c2sieve import sigma [--skip-refused] [--spec FILE] "
                         "[--source-commit SHA] [-o FILE] RULE.yml...\n");
    return kExitUsage;
  }
  import::ImportSpec spec;
  if (int rc = ReadSpec(spec_path, &spec); rc >= 0) return rc;
  if (!spec.header.contains("name")) spec.header["name"] = "sigma";
  if (!commit.empty()) spec.header["source"]["commit"] = commit;
  std::vector<rules::Rule> converted;
  std::vector<std::string> refused;
  for (const auto& f : files) {
    std::string text;
    if (!ReadWhole(f, &text)) {
      std::fprintf(stderr, "c2sieve import: cannot read %s\n", f.c_str());
      return kExitIo;
    }
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
  std::string out_path, input;
  EngineOptions engine_opts;
  import::ExceptionsOptions opts;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string error;
    if (ParseEngineOption(args, &i, &engine_opts, &error)) {
      if (!error.empty()) return std::fprintf(stderr, "c2sieve import: %s\n", error.c_str()), kExitUsage;
      continue;
    }
    if ((a == "-o" || a == "--output") && i + 1 < args.size()) {
      out_path = args[++i];
    } else if (a == "--rule" && i + 1 < args.size()) {
      opts.rule_ids.push_back(args[++i]);
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "c2sieve import: unknown option %s\n", a.c_str());
      return kExitUsage;
    } else if (input.empty()) {
      input = a;
    } else {
      std::fprintf(stderr, "c2sieve import exceptions: one export file at a time\n");
      return kExitUsage;
    }
  }
  if (input.empty()) {
    std::fprintf(stderr, "usage: c2sieve import exceptions [--rule ID]... [engine options] "
                         "[-o FILE] EXPORT.ndjson\n");
    return kExitUsage;
  }
  auto core = BuildEngine(engine_opts);
  if (!core.ok()) {
    std::fprintf(stderr, "c2sieve import: %s\n", std::string(core.status().message()).c_str());
    return kExitConfig;
  }
  const engine::FieldTable& fields = (*core)->fields();
  opts.known_field = [&](std::string_view f) { return fields.Find(std::string(f)) >= 0; };
  opts.now_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  std::string text;
  if (!ReadWhole(input, &text)) {
    std::fprintf(stderr, "c2sieve import: cannot read %s\n", input.c_str());
    return kExitIo;
  }
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

}  // namespace

int RunImport(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fprintf(stderr, "usage: c2sieve import elastic ...\n");
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "elastic") return ImportElastic(rest);
  if (args[0] == "exceptions") return ImportExceptions(rest);
  if (args[0] == "sigma") return ImportSigma(rest);
  std::fprintf(stderr, "c2sieve import: unknown format '%s' (elastic, exceptions, sigma)\n", args[0].c_str());
  return kExitUsage;
}

}  // namespace c2s::cli
