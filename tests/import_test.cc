// The Elastic importer: the EQL subset it accepts (and what it builds), what
// it refuses (with line and column), the built-in ruleset regenerated from
// the upstream rule, every upstream version of it, and test fixtures in the
// shape of other Elastic rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "import/elastic_rule.h"
#include "import/feed.h"
#include "import/kibana_exceptions.h"
#include "import/sigma.h"
#include "import/eql.h"
#include "import/ruleset_writer.h"
#include "rules/ruleset_loader.h"
#include "test_util.h"

namespace c2s::testing {
namespace {

std::string Parsed(const std::string& query) {
  import::EqlError error;
  auto node = import::ParseEql(query, &error);
  if (!node.ok()) return "ERROR " + std::string(node.status().message());
  return import::NodeToJson(*node).dump();
}

TEST(EqlParser, AcceptsTheSingleEventSubset) {
  struct Case {
    const char* query;
    const char* json;
  } cases[] = {
      {R"(any where a == "x")", R"({"field":"a","equals":["x"]})"},
      {R"(network where a == "x")",
       R"({"all":[{"comment":"network where","field":"event.category","equals":["network"]},)"
       R"({"field":"a","equals":["x"]}]})"},
      {R"(any where a : "x*" and (b : ("y", "z") and c != null))",
       R"({"all":[{"field":"a","wildcard":["x*"]},{"field":"b","wildcard":["y","z"]},)"
       R"({"field":"c","exists":true}]})"},
      {R"(any where a like~ "X" or b in ("1", 2) or c in~ ("Q"))",
       R"({"any":[{"field":"a","wildcard":["X"]},{"field":"b","equals":["1","2"]},)"
       R"({"field":"c","equals":["Q"],"case_insensitive":true}]})"},
      {R"(any where not a == null and ?b.c != "v" and d not in ("1") and e == true and f == false)",
       R"({"all":[{"not":{"not":{"field":"a","exists":true}}},{"not":{"field":"b.c","equals":["v"]}},)"
       R"({"not":{"field":"d","equals":["1"]}},{"field":"e","is":true},{"field":"f","is":false}]})"},
      {"any where a : \"C:\\\\Users\\\\*\" and b == \"\\\"q\\\"\\t\\u{e9}\"",
       R"({"all":[{"field":"a","wildcard":["C:\\Users\\*"]},{"field":"b","equals":["\"q\"\té"]}]})"},
      {R"(any where a == """raw \n\ stays""")", R"({"field":"a","equals":["raw \\n\\ stays"]})"},
      {"any where /* the list */ a : \"x\" // trailing\n and b == \"y\"",
       R"({"all":[{"comment":"the list","field":"a","wildcard":["x"]},{"field":"b","equals":["y"]}]})"},
      {"any where /* group */ (a == \"1\" or b == \"2\") and c == \"3\"",
       R"({"all":[{"comment":"group","any":[{"field":"a","equals":["1"]},{"field":"b","equals":["2"]}]},)"
       R"({"field":"c","equals":["3"]}]})"},
      {R"(any where `odd-field` == "1")", R"({"field":"odd-field","equals":["1"]})"},
      {R"(any where a like ("/x/*", "/Y"))",
       R"({"field":"a","wildcard":["/x/*","/Y"],"case_sensitive":true})"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parsed(c.query), c.json) << c.query;
}

TEST(EqlParser, RefusesWithLineAndColumn) {
  struct Case {
    const char* query;
    const char* error;  // "line L, column C: message..." (prefix)
  } cases[] = {
      {"sequence by a [network where true]", "line 1, column 1: \"sequence\" queries are not supported"},
      {"sample by a [network where true]", "line 1, column 1: \"sample\" queries"},
      {"network where a == \"x\" | head 1", "line 1, column 24: pipes"},
      {"network where\n  length(a) > 3", "line 2, column 3: function length() is not supported"},
      {"network where a : wildcard(b)", "line 1, column 19: function wildcard() is not supported"},
      {"network where a regex~ \"x\"", "line 1, column 17: \"regex~\" is not supported"},
      {"network where a > 3", "line 1, column 17: ordering comparison"},
      {"network where a == 'x'", "line 1, column 20: single-quoted strings"},
      {"network where a == \"x", "line 1, column 20: unterminated string"},
      {"network where a == \"\\q\"", "line 1, column 20: unknown escape \\q"},
      {"network where a in (\"x\", true)", "line 1, column 26: lists hold strings and numbers only"},
      {"network a == \"x\"", "line 1, column 9: expected \"where\""},
      {"network where (a == \"x\"", "line 1, column 24: expected \")\""},
      {"network where a == \"x\" b", "line 1, column 24: unexpected \"b\""},
      {"network where a", "line 1, column 16: expected an operator"},
      {"network where /* open", "line 1, column 15: unterminated /* comment"},
      {"where a == \"x\"", "line 1, column 1: expected an event category"},
      {"network where `odd field` == \"x\"", "line 1, column 15: field name \"odd field\" cannot be used"},
      {"network where ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a == \"x\"",
       "line 1, column 75: conditions nested deeper than 60"},
  };
  for (const Case& c : cases) {
    std::string got = Parsed(c.query);
    EXPECT_EQ(got.rfind(std::string("ERROR ") + c.error, 0), 0u) << c.query << "\n  got: " << got;
  }
}

import::ImportSpec BuiltinSpec() {
  auto spec = import::ParseImportSpec(
      ReadFileOrDie(SourcePath("rulesets/elastic/command_and_control_common_webservices.import.json")),
      "spec");
  EXPECT_TRUE(spec.ok()) << spec.status();
  return *spec;
}

TEST(ElasticImport, BuiltinRulesetIsGeneratedFromTheUpstreamRule) {
  std::string toml = ReadFileOrDie(SharedPath("reference/elastic/command_and_control_common_webservices.toml"));
  auto doc = import::ImportElasticRuleset({{"upstream.toml", toml}}, BuiltinSpec());
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(*doc, ReadFileOrDie(SourcePath("rulesets/elastic/command_and_control_common_webservices.json")))
      << "regenerate it: c2sieve import elastic --spec "
         "rulesets/elastic/command_and_control_common_webservices.import.json "
         "-o rulesets/elastic/command_and_control_common_webservices.json "
         "../shared/reference/elastic/command_and_control_common_webservices.toml";
}

size_t DomainPatterns(const rules::Node& n) {
  size_t count = 0;
  if (n.kind == rules::NodeKind::kWildcard && n.field == "dns.question.name")
    count = std::max(count, n.values.size());
  for (const auto& c : n.children) count = std::max(count, DomainPatterns(c));
  return count;
}

TEST(ElasticImport, EveryUpstreamVersionImportsAndCompiles) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(SharedPath("reference/elastic/versions")))
    if (e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 10u);
  for (const auto& path : files) {
    auto doc = import::ImportElasticRuleset({{path.filename().string(), ReadFileOrDie(path.string())}},
                                            BuiltinSpec());
    ASSERT_TRUE(doc.ok()) << path << ": " << doc.status();
    auto rs = rules::ParseRuleset(*doc, path.string());
    ASSERT_TRUE(rs.ok()) << rs.status();
    ASSERT_EQ(rs->rules.size(), 1u);
    const rules::Rule& r = rs->rules[0];
    EXPECT_EQ(r.id, "66883649-f908-4a5b-a1e0-54090a1d3a32");
    EXPECT_FALSE(r.version.empty());
    runtime::EngineCore::Options o;
    o.builtin_rulesets = false;
    o.rulesets.push_back(*rs);
    auto engine = runtime::EngineCore::Create(std::move(o));
    EXPECT_TRUE(engine.ok()) << path << ": " << engine.status();
    EXPECT_GE(DomainPatterns(r.query), 50u) << path;
  }
}

std::string ImportFixture(const std::string& name) {
  std::string path = "tests/data/import/" + name;
  auto doc = import::ImportElasticRuleset({{path, ReadFileOrDie(SourcePath(path))}}, {});
  return doc.ok() ? *doc : "ERROR " + std::string(doc.status().message());
}

TEST(ElasticImport, FixturesAreAcceptedOrRefusedWithFileLineAndColumn) {
  EXPECT_EQ(ImportFixture("sequence_refuse.toml").rfind(
                "ERROR tests/data/import/sequence_refuse.toml:13:1: EQL: \"sequence\" queries", 0),
            0u);
  EXPECT_EQ(ImportFixture("function_refuse.toml").rfind(
                "ERROR tests/data/import/function_refuse.toml:12:7: EQL: function cidrmatch()", 0),
            0u);
  EXPECT_EQ(ImportFixture("pipe_refuse.toml").rfind(
                "ERROR tests/data/import/pipe_refuse.toml:10:47: EQL: pipes", 0),
            0u);
  EXPECT_EQ(ImportFixture("kuery_refuse.toml").rfind(
                "ERROR tests/data/import/kuery_refuse.toml:7:8: rule type \"query\" (language \"kuery\")", 0),
            0u);
  EXPECT_EQ(ImportFixture("broken_toml.toml").rfind("ERROR tests/data/import/broken_toml.toml:4:", 0), 0u);
  std::string ok = ImportFixture("network_tool_accept.toml");
  ASSERT_EQ(ok.rfind("ERROR", 0), std::string::npos) << ok;
  auto rs = rules::ParseRuleset(ok, "fixture");
  ASSERT_TRUE(rs.ok()) << rs.status();
  const rules::Rule& r = rs->rules[0];
  EXPECT_EQ(r.name, "Test: download tool to a file drop");
  EXPECT_EQ(r.version, "2026/11/01");
  EXPECT_EQ(r.severity, "medium");
  EXPECT_EQ(r.risk_score, 47);
  ASSERT_EQ(r.threat.size(), 1u);
  EXPECT_EQ(r.threat[0].tactic.id, "TA0011");
  EXPECT_EQ(r.threat[0].techniques[0].technique.id, "T1105");
  EXPECT_EQ(r.tags, std::vector<std::string>{"c2sieve: test: download tool to a file drop"});
}

// The imported fixture evaluated by the engine: in~ folds ASCII case,
// like~ is a case-insensitive wildcard, == false and != null hold as EQL
// says.
TEST(ElasticImport, ImportedRuleEvaluatesAsItsEqlSays) {
  auto rs = rules::ParseRuleset(ImportFixture("network_tool_accept.toml"), "fixture");
  ASSERT_TRUE(rs.ok()) << rs.status();
  Harness h({*rs}, /*builtin=*/false);
  auto event = [] {
    return Event()
        .Set("/event/action", "lookup_requested")
        .Set("/process/name", "curl.exe")
        .Set("/process/executable", "C:\\Tools\\curl.exe")
        .Set("/process/pid", 4242)
        .Set("/process/args_count", 3)
        .Set("/process/code_signature/exists", true)
        .Set("/process/code_signature/trusted", false)
        .Set("/dns/question/name", "Files.Transfer.Example")
        .Set("/dns/question/type", "a");
  };
  EXPECT_TRUE(h.Matches(event())) << h.last_input;
  EXPECT_TRUE(h.Matches(event().Set("/process/name", "Wget.EXE")));       // in~
  EXPECT_FALSE(h.Matches(event().Set("/process/name", "curl.exe.bak")));  // no wildcards in in~
  EXPECT_FALSE(h.Matches(event().Set("/dns/question/name", "transfer.example")));
  EXPECT_FALSE(h.Matches(event().Set("/process/code_signature/trusted", true)));
  EXPECT_FALSE(h.Matches(event().Set("/process/code_signature/exists", false)));  // != false
  EXPECT_TRUE(h.Matches(event().Set("/process/code_signature/exists", "true")));
  EXPECT_FALSE(h.Matches(event().Set("/process/parent/name", "explorer.exe")));
  EXPECT_TRUE(h.Matches(event().Set("/process/parent/name", "Explorer.exe")));  // != is exact
  EXPECT_FALSE(h.Matches(event().Erase("/process/pid")));                        // != null
  EXPECT_FALSE(h.Matches(event().Set("/process/args_count", 4)));
}

TEST(ElasticImport, SpecIsValidated) {
  for (const char* bad : {
           R"({"format":"c2sieve.import/2"})",
           R"({"format":"c2sieve.import/1","unknown":1})",
           R"({"format":"c2sieve.import/1","rules":{"x":{"comments":[{"comment":"c"}]}}})",
           R"({"format":"c2sieve.import/1","rules":{"x":{"comments":[{"field":"f","comment":"c"}]}}})",
           R"({"format":"c2sieve.import/1","rules":{"x":{"tags":"one"}}})",
           "not json"}) {
    EXPECT_FALSE(import::ParseImportSpec(bad, "spec.json").ok()) << bad;
  }
  EXPECT_TRUE(import::ParseImportSpec(R"({"format":"c2sieve.import/1"})", "spec.json").ok());
}

}  // namespace
}  // namespace c2s::testing

namespace c2s::testing {
namespace {

// Kibana exception list export -> exclusions: converted items apply through
// the engine as Kibana's would; what cannot be converted is reported with
// its item and reason, never silently dropped.
TEST(KibanaExceptions, ConvertsWhatItCanAndReportsTheRest) {
  Harness probe;  // the engine's fields: built-in rules, profiles, exclusions
  import::ExceptionsOptions opts;
  opts.known_field = [&](std::string_view f) {
    return probe.core->fields().Find(std::string(f)) >= 0;
  };
  opts.now_unix_ms = 1'795'000'000'000;  // 2026-11-18
  import::ExceptionsReport report;
  auto doc = import::ConvertKibanaExceptions(
      ReadFileOrDie(SourcePath("tests/data/import/kibana-exceptions.ndjson")), "export.ndjson",
      opts, &report);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(report.lists, 1u);
  EXPECT_EQ(report.items, 7u);
  EXPECT_EQ(report.converted, 3u);
  ASSERT_EQ(report.not_converted.size(), 4u);
  EXPECT_NE(report.not_converted[0].find("\"Jump hosts\""), std::string::npos);
  EXPECT_NE(report.not_converted[0].find("value list \"jump-hosts.txt\""), std::string::npos);
  EXPECT_NE(report.not_converted[1].find("expired at 2026-01-31"), std::string::npos);
  EXPECT_NE(report.not_converted[2].find("file.hash.sha256 is not one the engine reads"),
            std::string::npos);
  EXPECT_NE(report.not_converted[3].find("escaped *"), std::string::npos);
  // Two wildcards' case, one nested entry, and one item without a narrow
  // anchor (host and operator only), converted with an explicit
  // allow_catch_all for review.
  ASSERT_EQ(report.warnings.size(), 4u);
  size_t anchorless = 0;
  for (const auto& w : report.warnings)
    anchorless += w.find("pins no narrow anchor") != std::string::npos;
  EXPECT_EQ(anchorless, 1u);
  EXPECT_EQ(std::count(doc->begin(), doc->end(), '\n') > 0 &&
                doc->find("\"allow_catch_all\": true") != std::string::npos,
            true);

  Harness h(*doc);
  auto backup = [] {
    return Event()
        .Exe("C:\\Tools\\Backup\\v2\\backupagent.exe")
        .Domain("api.onedrive.com");
  };
  EXPECT_FALSE(h.Matches(backup()));  // excluded by "Backup agent"
  EXPECT_TRUE(h.Matches(backup().Domain("pastebin.com")));
  EXPECT_TRUE(h.Matches(backup().Name("BackupAgent.exe")));  // match is case-sensitive
  EXPECT_TRUE(h.Matches(backup().Exe("C:\\Other\\backupagent.exe")));  // wildcard path
  auto signed_tool = [] {
    return Event().Exe("C:\\Users\\a\\tool.exe").Signer("Example Corp").Domain("api.github.com");
  };
  EXPECT_FALSE(h.Matches(signed_tool().Trusted(true)));
  EXPECT_TRUE(h.Matches(signed_tool().Trusted(false)));
  auto build = [] {
    return Event().Exe("C:\\Users\\a\\x.exe").Domain("pastebin.com").Set("/host/name", "build-07");
  };
  EXPECT_FALSE(h.Matches(build().Set("/user/name", "alice")));
  EXPECT_TRUE(h.Matches(build().Set("/user/name", "svc-build")));  // operator excluded
}

TEST(KibanaExceptions, RefusesWhatIsNotAnExport) {
  import::ExceptionsReport report;
  auto doc = import::ConvertKibanaExceptions("{\"list_id\":\"x\"}\nnot json\n", "x.ndjson", {}, &report);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(std::string(doc.status().message()), "x.ndjson:2: not a JSON object");
}

}  // namespace
}  // namespace c2s::testing

namespace c2s::testing {
namespace {

std::string Sigma(const std::string& detection, const std::string& category = "dns_query") {
  std::string yaml = "title: T\nid: t-1\nlogsource:\n  product: windows\n  category: " + category +
                     "\ndetection:\n" + detection + "level: high\n";
  auto r = import::ImportSigmaRule(yaml, "t.yml");
  if (!r.ok()) return "ERROR " + std::string(r.status().message());
  // Only the detection: drop the category and OS conditions in front.
  rules::Node n = r->query;
  n.children.erase(n.children.begin(), n.children.begin() + 2);
  if (n.children.size() == 1) return import::NodeToJson(n.children[0]).dump();
  return import::NodeToJson(n).dump();
}

TEST(SigmaImport, SelectionsModifiersAndConditions) {
  struct Case {
    const char* detection;
    const char* json;
  } cases[] = {
      {"  selection:\n    QueryName: 'a.example'\n  condition: selection\n",
       R"({"comment":"selection","field":"dns.question.name","wildcard":["a.example"]})"},
      {"  sel:\n    QueryName|endswith:\n      - '.x'\n      - '.y'\n    Image|contains: '\\Temp\\'\n"
       "  condition: sel\n",
       R"({"comment":"sel","all":[{"field":"dns.question.name","wildcard":["*.x","*.y"]},)"
       R"({"field":"process.executable","wildcard":["*\\Temp\\*"]}]})"},
      {"  sel:\n    Image|startswith|all:\n      - 'C:\\a'\n      - 'C:\\a\\b'\n  condition: sel\n",
       R"({"comment":"sel","all":[{"field":"process.executable","wildcard":["C:\\a*"]},)"
       R"({"field":"process.executable","wildcard":["C:\\a\\b*"]}]})"},
      {"  sel:\n    - QueryName: 'a'\n    - Image: 'b'\n  condition: sel\n",
       R"({"comment":"sel","any":[{"field":"dns.question.name","wildcard":["a"]},)"
       R"({"field":"process.executable","wildcard":["b"]}]})"},
      {"  sel:\n    QueryName: 'a*'\n  f_1:\n    Image: null\n  f_2:\n    Image|exists: false\n"
       "  condition: sel and not 1 of f_*\n",
       R"({"all":[{"comment":"sel","field":"dns.question.name","wildcard":["a*"]},)"
       R"({"not":{"any":[{"comment":"f_1","not":{"field":"process.executable","exists":true}},)"
       R"({"comment":"f_2","not":{"field":"process.executable","exists":true}}]}}]})"},
      {"  s_a:\n    QueryName: 'a'\n  s_b:\n    Image: 'b'\n  _private:\n    Image: 'c'\n"
       "  condition: all of them\n",
       R"({"all":[{"comment":"s_a","field":"dns.question.name","wildcard":["a"]},)"
       R"({"comment":"s_b","field":"process.executable","wildcard":["b"]}]})"},
      {"  a:\n    QueryName: 'x'\n  b:\n    QueryName: 'y'\n  c:\n    Image: 'z'\n"
       "  condition: (a or b) and not c\n",
       R"({"all":[{"any":[{"comment":"a","field":"dns.question.name","wildcard":["x"]},)"
       R"({"comment":"b","field":"dns.question.name","wildcard":["y"]}]},)"
       R"({"not":{"comment":"c","field":"process.executable","wildcard":["z"]}}]})"},
      {"  s:\n    Image: 'C:\\\\x\\\\y.exe'\n  condition: s\n",
       R"({"comment":"s","field":"process.executable","wildcard":["C:\\x\\y.exe"]})"},
  };
  for (const Case& c : cases) EXPECT_EQ(Sigma(c.detection), c.json) << c.detection;
  EXPECT_EQ(Sigma("  s:\n    Initiated: 'true'\n    DestinationHostname|endswith: '.ngrok.io'\n"
                  "  condition: s\n",
                  "network_connection"),
            R"({"comment":"s","all":[{"field":"network.direction","equals":["egress","outbound"]},)"
            R"({"field":"dns.question.name","wildcard":["*.ngrok.io"]}]})");
}

TEST(SigmaImport, RefusesWhatItCannotConvertExactly) {
  struct Case {
    const char* detection;
    const char* error;
  } cases[] = {
      {"  s:\n    QueryName|re: '^a'\n  condition: s\n", "ERROR t.yml:8:5: modifier |re is not supported"},
      {"  s:\n    Image|windash: '-a'\n  condition: s\n", "ERROR t.yml:8:5: modifier |windash"},
      {"  s:\n    QueryName|cased: 'A'\n  condition: s\n", "ERROR t.yml:8:5: modifier |cased"},
      {"  s:\n    QueryName|base64offset|contains: 'a'\n  condition: s\n", "ERROR t.yml:8:5: modifier |base64offset"},
      {"  s:\n    CommandLine: 'x'\n  condition: s\n", "ERROR t.yml:8:5: field CommandLine has no ECS counterpart"},
      {"  s:\n    - 'keyword'\n  condition: s\n", "ERROR t.yml:8:7: keyword searches"},
      {"  s:\n    QueryName: 'a\\*b'\n  condition: s\n", "ERROR t.yml:8:16: the value \"a\\*b\" holds an escaped *"},
      {"  s:\n    QueryName: 'a'\n  condition: s | count() > 5\n", "ERROR t.yml:9:14: condition \"s | count() > 5\": aggregations"},
      {"  s:\n    QueryName: 'a'\n  condition: s and t\n", "ERROR t.yml:9:14: condition \"s and t\": no search identifier \"t\""},
      {"  s:\n    QueryName: 'a'\n  condition: 1 of x_*\n", "ERROR t.yml:9:14: condition \"1 of x_*\": no search identifier matches"},
      {"  s:\n    Initiated: 'maybe'\n  condition: s\n", "ERROR t.yml:8:16: Initiated takes"},
  };
  for (const Case& c : cases) {
    std::string got = Sigma(c.detection);
    EXPECT_EQ(got.rfind(c.error, 0), 0u) << c.detection << "\n  got: " << got;
  }
  auto linux_rule = import::ImportSigmaRule(
      "title: T\nid: x\nlogsource:\n  product: linux\n  category: dns_query\n"
      "detection:\n  s:\n    QueryName: a\n  condition: s\n",
      "l.yml");
  ASSERT_FALSE(linux_rule.ok());
  EXPECT_NE(std::string(linux_rule.status().message()).find("logsource linux/dns_query is not supported"),
            std::string::npos);
}

TEST(SigmaImport, ShippedRulesetIsGeneratedFromTheSigmaHQRules) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(SharedPath("reference/sigma")))
    if (e.path().extension() == ".yml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 10u);
  auto spec = import::ParseImportSpec(
      ReadFileOrDie(SourcePath("rulesets/sigma/c2_webservices.import.json")), "spec");
  ASSERT_TRUE(spec.ok()) << spec.status();
  std::vector<rules::Rule> converted;
  for (const auto& f : files) {
    auto r = import::ImportSigmaRule(ReadFileOrDie(f.string()), f.filename().string());
    ASSERT_TRUE(r.ok()) << r.status();
    import::ApplySpec(*spec, &*r);
    converted.push_back(std::move(*r));
  }
  EXPECT_EQ(*import::RulesetDocument(spec->header, converted),
            ReadFileOrDie(SourcePath("rulesets/sigma/c2_webservices.json")))
      << "regenerate: c2sieve import sigma --spec rulesets/sigma/c2_webservices.import.json "
         "-o rulesets/sigma/c2_webservices.json ../shared/reference/sigma/*.yml";
}

// The shipped Sigma rules beside the built-in rule, in one engine, on
// Sysmon events as NXLog ships them (flat keys), DNS and connections.
TEST(SigmaImport, ShippedRulesMatchSysmonEventsBesideTheBuiltinRule) {
  auto sigma = rules::LoadRulesetFile(SourcePath("rulesets/sigma/c2_webservices.json"));
  ASSERT_TRUE(sigma.ok()) << sigma.status();
  Harness h({*sigma}, /*builtin=*/true);
  nlohmann::json dns = {{"Channel", "Microsoft-Windows-Sysmon/Operational"}, {"EventID", 22},
                        {"QueryName", "abc123.devtunnels.ms"},
                        {"Image", "C:\\Users\\bob\\AppData\\Local\\Temp\\x.exe"},
                        {"User", "CORP\\bob"}};
  auto r = h.Eval(dns.dump());
  EXPECT_EQ(r.matched_rules, 2u);  // the built-in rule (*.devtunnels.ms) and Sigma's
  auto names = h.session->matches();
  std::set<std::string> ids;
  for (const auto& m : names) ids.insert(m.rule_id);
  EXPECT_TRUE(ids.count("66883649-f908-4a5b-a1e0-54090a1d3a32"));
  EXPECT_TRUE(ids.count("1cb0c6ce-3d00-44fc-ab9c-6d6d577bf20b"));

  Harness net({*sigma}, /*builtin=*/false, {"sysmon-network-flat"});
  nlohmann::json conn = {{"Channel", "Microsoft-Windows-Sysmon/Operational"}, {"EventID", 3},
                         {"DestinationHostname", "x1.ngrok-free.app"}, {"Initiated", "true"},
                         {"Image", "C:\\ProgramData\\a.exe"}, {"User", "CORP\\bob"}};
  auto hits = [&](const nlohmann::json& e) {
    net.Eval(e.dump());
    std::set<std::string> out;
    for (const auto& m : net.session->matches()) out.insert(m.rule_id);
    return out;
  };
  EXPECT_TRUE(hits(conn).count("18249279-932f-45e2-b37a-8925f2597670"));  // ngrok, initiated
  nlohmann::json inbound = conn;
  inbound["Initiated"] = "false";
  EXPECT_FALSE(hits(inbound).count("18249279-932f-45e2-b37a-8925f2597670"));
}

}  // namespace
}  // namespace c2s::testing

namespace c2s::testing {
namespace {

// `like` is a case-sensitive wildcard; `like~` and `:` ignore ASCII case;
// the same pattern under both is two patterns. Through the whole engine.
TEST(LikeOperators, CaseTable) {
  import::EqlError error;
  auto query = import::ParseEql(
      R"(any where a like ("/usr/bin/dockerd", "/snap/firefox/*/firefox", "x?z") or
                   b like~ ("/usr/bin/dockerd", "/snap/firefox/*/firefox") or
                   c : ("/usr/bin/dockerd", "/snap/firefox/*/firefox") or
                   d like "/Mixed/*" or d : "/mixed/one")",
      &error);
  ASSERT_TRUE(query.ok()) << query.status();
  rules::Rule rule;
  rule.id = "like-test";
  rule.name = "like test";
  rule.severity = "low";
  rule.query = *query;
  rules::Ruleset rs;
  rs.name = "t";
  rs.rules = {rule};
  Harness h({rs}, /*builtin=*/false, {});
  struct Case {
    const char* field;
    const char* value;
    bool match;
  } cases[] = {
      {"a", "/usr/bin/dockerd", true},   {"a", "/USR/bin/dockerd", false},
      {"a", "/usr/bin/Dockerd", false},  {"a", "/snap/firefox/123/firefox", true},
      {"a", "/snap/Firefox/123/firefox", false}, {"a", "/snap/firefox/1/FIREFOX", false},
      {"a", "xyz", true},                {"a", "xYz", true},  // ? takes any character
      {"a", "XYZ", false},
      {"b", "/usr/bin/dockerd", true},   {"b", "/USR/BIN/DOCKERD", true},
      {"b", "/snap/FIREFOX/9/Firefox", true}, {"b", "/usr/bin/dockerd2", false},
      {"c", "/USR/bin/dockerd", true},   {"c", "/Snap/firefox/x/firefox", true},
      {"d", "/Mixed/a", true},           {"d", "/mixed/a", false},
      {"d", "/mixed/one", true},         {"d", "/MIXED/ONE", true},
  };
  for (const Case& c : cases) {
    nlohmann::json e = {{c.field, c.value}};
    EXPECT_EQ(h.Matches(e.dump()), c.match) << c.field << " = " << c.value;
  }
}

}  // namespace
}  // namespace c2s::testing

namespace c2s::testing {
namespace {

// Inputs the importers' fuzz target crashed on, kept as regression tests.
TEST(ImportFuzzRegressions, InvalidUtf8InAnEqlStringIsRefused) {
  import::EqlError error;
  auto node = import::ParseEql("network where a : (\"\xab*\", \"y\")", &error);
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(std::string(node.status().message()), "line 1, column 20: string is not valid UTF-8");
}

TEST(ImportFuzzRegressions, KibanaMembersOfTheWrongTypeAreReportedNotThrown) {
  import::ExceptionsReport report;
  auto doc = import::ConvertKibanaExceptions(
      R"({"list_id":"x","name":["not","a","string"]})"
      "\n"
      R"({"item_id":7,"name":{"o":1},"entries":[{"field":3,"type":["match"],"operator":"included","value":"v"}]})"
      "\n"
      R"({"exported_exception_list_count":"one","missing_exception_list_item_count":"none"})"
      "\n",
      "x.ndjson", {}, &report);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(report.lists, 1u);
  EXPECT_EQ(report.items, 1u);
  ASSERT_EQ(report.not_converted.size(), 1u);
  EXPECT_NE(report.not_converted[0].find("has no name"), std::string::npos);
}

TEST(ImportFuzzRegressions, NonAsciiOutsideTomlStringsIsRefusedBeforeParsing) {
  auto r = import::ImportElasticRule("\xEF\xBB\xBF\xCE\x8A== eret\n", "x.toml", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::string(r.status().message()),
            "x.toml:1:1: a non-ASCII character outside strings and comments");
  // Non-ASCII inside strings and comments is ordinary text.
  auto ok = import::ImportElasticRule(
      "# caf\xC3\xA9\n[rule]\nname = \"caf\xC3\xA9\"\nrisk_score = 21\nrule_id = \"x\"\n"
      "severity = \"low\"\ntype = \"eql\"\nquery = '''any where a == \"\xC3\xA9\"'''\n",
      "ok.toml", {});
  EXPECT_TRUE(ok.ok()) << ok.status();
}

// Found by attack: an unterminated quote made the pre-check treat the rest
// of the file as a string, and toml++ reached undefined behaviour on the
// non-ASCII bytes after it (ASan/UBSan in CI).
TEST(ImportFuzzRegressions, UnterminatedStringsAreRefusedBeforeParsing) {
  struct Case {
    std::string text, message;
  } cases[] = {
      {"id =0\"\xca\xae", "u.toml:1:6: a string that is not closed"},
      {"a = 'x\xca\xae\nb = 1\n", "u.toml:1:5: a string that is not closed"},
      {"a = \"x\\\"\xca\xae", "u.toml:1:5: a string that is not closed"},
      {"a = \"\"\"multi\nline \xca\xae", "u.toml:1:5: a string that is not closed"},
      {"a = 1\nb = \"ok\" \xca\xae\n", "u.toml:2:10: a non-ASCII character outside strings and comments"},
  };
  for (const Case& c : cases) {
    auto r = import::ImportElasticRule(c.text, "u.toml", {});
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(std::string(r.status().message()), c.message);
  }
}

}  // namespace
}  // namespace c2s::testing

// ---- threat-intelligence domain feeds (issue 15, first step) ----

namespace feed_test {

using c2s::import::Feed;
using c2s::import::FeedOptions;


Feed Parse(const std::string& text, const std::string& format, const std::string& column = "") {
  FeedOptions o;
  o.format = format;
  o.column = column;
  auto f = c2s::import::ParseFeed(text, "feed.txt", o);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *f : Feed{};
}

std::string Reasons(const Feed& f) {
  std::string out;
  for (const auto& s : f.skipped) out += std::to_string(s.line) + " " + s.entry + ": " + s.reason + "\n";
  return out;
}

TEST(FeedImport, ListNamesAreCanonicalAndTheRestIsSkippedWithLineAndReason) {
  Feed f = Parse(
      "# comment\n"
      "Evil.Example.\n"
      "evil.example   # the same, with a comment\n"
      "*.Tunnel.Example\n"
      "b\xC3\xBC" "cher.example\n"
      "\n"
      "192.0.2.1\n"
      "2001:db8::1\n"
      "host.example:8080\n"
      "https://bad.example/x\n"
      "localhost\n"
      "a*b.example\n"
      "-bad.example\n"
      "two words\n"
      "under_score.example\n",
      "list");
  EXPECT_EQ(f.names, (std::vector<std::string>{"evil.example", "under_score.example",
                                               "xn--bcher-kva.example"}));
  EXPECT_EQ(f.wildcards, (std::vector<std::string>{"*.tunnel.example"}));
  EXPECT_EQ(f.duplicates, 1u);
  EXPECT_EQ(Reasons(f),
            "7 192.0.2.1: an IP address\n"
            "8 2001:db8::1: an IP address\n"
            "9 host.example:8080: a host with a port, not a domain name\n"
            "10 https://bad.example/x: a URL, not a domain name\n"
            "11 localhost: a single label, not a domain name\n"
            "12 a*b.example: a wildcard other than a leading \"*.\"\n"
            "13 -bad.example: a label starting or ending with '-'\n"
            "14 two words: more than one entry on the line\n");
}

TEST(FeedImport, HostsFilesGiveTheirNamesNotTheirAddressesOrSystemNames) {
  Feed f = Parse(
      "127.0.0.1 localhost localhost.localdomain\n"
      "::1 ip6-localhost\n"
      "0.0.0.0 0.0.0.0\n"
      "0.0.0.0 ads.example track.example # blocked\n"
      "0.0.0.0\tEVIL.example\n"
      "evil2.example\n",
      "hosts");
  EXPECT_EQ(f.names, (std::vector<std::string>{"ads.example", "evil.example", "track.example"}));
  EXPECT_EQ(f.system_names, 4u);
  EXPECT_EQ(Reasons(f), "6 evil2.example: not a hosts line (no address first)\n");
}

TEST(FeedImport, CsvColumnByHeaderNameOrNumberWithQuotedFields) {
  const std::string csv =
      "first_seen,domain,comment\n"
      "2026-11-01,evil.example,\"a comment, with a comma\"\n"
      "2026-11-02,\"quoted.example\",\"two\nlines\"\n"
      "2026-11-03,198.51.100.7,an address\n"
      "short\n"
      "2026-11-04,last.example,x\n";
  Feed by_name = Parse(csv, "csv", "domain");
  EXPECT_EQ(by_name.names, (std::vector<std::string>{"evil.example", "last.example", "quoted.example"}));
  EXPECT_EQ(Reasons(by_name), "5 198.51.100.7: an IP address\n6 short: no column 2 on the row\n");
  Feed by_number = Parse(csv, "csv", "2");  // no header: the header's "domain" is one label
  EXPECT_EQ(by_number.names, by_name.names);
  FeedOptions o;
  o.format = "csv";
  o.column = "fqdn";
  auto missing = c2s::import::ParseFeed(csv, "feed.csv", o);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "feed.csv:1: no column \"fqdn\" in the header (columns: first_seen, domain, comment)");
  o.column = "2";
  auto open_quote = c2s::import::ParseFeed("a,b\nx,\"never closed\n", "feed.csv", o);
  ASSERT_FALSE(open_quote.ok());
  EXPECT_EQ(open_quote.status().message(), "feed.csv:2: a quoted field is never closed");
  o.format = "stix";
  EXPECT_FALSE(c2s::import::ParseFeed("x", "feed", o).ok());
}

TEST(FeedImport, TheRuleMatchesListedNamesInAnySpellingTheEngineCanonicalizes) {
  FeedOptions o;
  o.id = "feed-test";
  o.name = "Test feed";
  o.provider = "Example CERT";
  Feed f = Parse("evil.example\n*.tunnel.example\nb\xC3\xBC" "cher.example\n", "list");
  auto doc = c2s::import::FeedRuleset(f, o, "feed.txt");
  ASSERT_TRUE(doc.ok()) << doc.status();
  auto rs = c2s::rules::ParseRuleset(*doc, "feed.json");
  ASSERT_TRUE(rs.ok()) << rs.status();
  c2s::testing::Harness h({*rs}, /*builtin=*/false);
  auto event = [](const std::string& name) {
    return R"({"event":{"category":["network"]},"host":{"os":{"type":"windows"}},"dns":{"question":{"name":")" +
           name + R"("}},"process":{"name":"x.exe","executable":"C:\\Program Files\\x.exe"}})";
  };
  for (const char* hit : {"evil.example", "EVIL.Example.", "a.tunnel.example", "xn--bcher-kva.example",
                          "b\xC3\xBC" "cher.example"})
    EXPECT_TRUE(h.Matches(event(hit))) << hit;
  for (const char* miss : {"tunnel.example", "notevil.example", "evil.example.com"})
    EXPECT_FALSE(h.Matches(event(miss))) << miss;
  // No name, or no id: refused.
  EXPECT_FALSE(c2s::import::FeedRuleset(Parse("192.0.2.1\n", "list"), o, "feed.txt").ok());
  o.id.clear();
  EXPECT_FALSE(c2s::import::FeedRuleset(f, o, "feed.txt").ok());
}

}  // namespace feed_test
