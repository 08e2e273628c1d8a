// c2sieve import elastic: Elastic detection-rule TOML files -> a ruleset.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "engine/compiled_matcher.h"
#include "engine/field_table.h"
#include "import/elastic_rule.h"
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

void AddFields(const rules::Node& n, engine::FieldTable* t) {
  if (!n.field.empty()) t->Add(n.field);
  for (const auto& c : n.children) AddFields(c, t);
}

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
  if (!spec_path.empty()) {
    std::string text;
    if (!ReadWhole(spec_path, &text)) {
      std::fprintf(stderr, "c2sieve import: cannot read %s\n", spec_path.c_str());
      return kExitIo;
    }
    auto parsed = import::ParseImportSpec(text, spec_path);
    if (!parsed.ok()) {
      std::fprintf(stderr, "c2sieve import: %s\n", std::string(parsed.status().message()).c_str());
      return kExitConfig;
    }
    spec = std::move(*parsed);
  }
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
  // What is written must load and compile as it is.
  auto loaded = rules::ParseRuleset(*doc, out_path.empty() ? "(import)" : out_path);
  if (loaded.ok()) {
    engine::FieldTable fields;
    for (const auto& r : loaded->rules) AddFields(r.query, &fields);
    auto compiled = engine::CompiledMatcher::CompileRules(fields, {*loaded});
    if (!compiled.ok()) loaded = compiled.status();
  }
  if (!loaded.ok()) {
    std::fprintf(stderr, "c2sieve import: the result does not load: %s\n",
                 std::string(loaded.status().message()).c_str());
    return kExitConfig;
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
  std::fprintf(stderr, "c2sieve import: %zu rule(s) from %zu file(s)%s%s\n", loaded->rules.size(),
               files.size(), out_path.empty() ? "" : " -> ", out_path.c_str());
  return kExitOk;
}

}  // namespace

int RunImport(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fprintf(stderr, "usage: c2sieve import elastic ...\n");
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "elastic") return ImportElastic(rest);
  std::fprintf(stderr, "c2sieve import: unknown format '%s' (elastic)\n", args[0].c_str());
  return kExitUsage;
}

}  // namespace c2s::cli
