// The built-in rule, clause by clause, with Elasticsearch EQL semantics.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rules/ruleset_loader.h"
#include "test_util.h"

namespace c2s::testing {
namespace {


std::vector<std::string> BuiltinValues(const std::string& comment) {
  auto rs = rules::BuiltinRuleset();
  EXPECT_TRUE(rs.ok());
  const rules::Node* n = FindCommentedList(rs->rules[0].query, comment);
  EXPECT_NE(n, nullptr) << comment;
  return n ? n->values : std::vector<std::string>{};
}

// A concrete value each pattern matches: * -> "zz", ? -> "q".
std::string Instantiate(const std::string& pattern) {
  std::string s;
  for (char c : pattern) s += c == '*' ? std::string("zz") : c == '?' ? std::string("q") : std::string(1, c);
  return s;
}

// The Windows rule's semantics: its Linux companion is switched off here
// (see linux_rule_test.cc for the two together).
class RuleTest : public ::testing::Test {
 protected:
  Harness h{std::vector<rules::Ruleset>{*rules::BuiltinRuleset()}, /*builtin=*/false};
};

TEST_F(RuleTest, TheDefaultEventMatches) {
  auto r = h.Eval(Event());
  EXPECT_EQ(r.matched_rules, 1u);
  EXPECT_TRUE(r.enriched);
}

TEST_F(RuleTest, EveryDomainPatternMatches) {
  auto domains = BuiltinValues("commonly abused web services");
  ASSERT_EQ(domains.size(), 88u);
  for (const auto& d : domains) {
    std::string v = Instantiate(d);
    EXPECT_TRUE(h.Matches(Event().Domain(v))) << d << " as " << v;
    std::string upper = v;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(h.Matches(Event().Domain(upper))) << d << " as " << upper;
    ASSERT_EQ(h.session->matches().size(), 1u);
    EXPECT_EQ(h.session->matches()[0].field, "dns.question.name");
  }
}

TEST_F(RuleTest, UnlistedDomainsDoNotMatch) {
  for (const char* d : {"www.microsoft.com", "pastebin", "xpastebin.com",
                        "ngrok.io", "discord.com.evil.net", "evil-t.me",
                        "docs.live.net", "ab.docs.live.net", "raw.github.com", ""})
    EXPECT_FALSE(h.Matches(Event().Domain(d))) << d;
}

TEST_F(RuleTest, ReportsTheMatchedPattern) {
  ASSERT_TRUE(h.Matches(Event().Domain("X.NGROK.IO")));
  const auto& m = h.session->matches()[0];
  EXPECT_EQ(m.rule_id, "66883649-f908-4a5b-a1e0-54090a1d3a32");
  EXPECT_EQ(m.pattern, "*.ngrok.io");
  EXPECT_EQ(m.value, "x.ngrok.io");  // canonical: lowercased
  Harness parity("", event::MatchMode::kParity);
  ASSERT_TRUE(parity.Matches(Event().Domain("X.NGROK.IO")));
  EXPECT_EQ(parity.session->matches()[0].value, "X.NGROK.IO");
}

TEST_F(RuleTest, EveryProcessLocationExclusion) {
  auto execs = BuiltinValues("legitimate program locations");
  ASSERT_EQ(execs.size(), 19u);
  for (const auto& p : execs) {
    std::string v = Instantiate(p);
    EXPECT_FALSE(h.Matches(Event().Exe(v))) << p << " as " << v;
    // Lower case: `:` ignores ASCII case.
    std::string lower = v;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_FALSE(h.Matches(Event().Exe(lower))) << lower;
    // One character off at the start: no longer excluded.
    EXPECT_TRUE(h.Matches(Event().Exe("X" + v))) << "X" + v;
  }
}

// Each path with its verdict in canonical mode and in parity mode (raw
// strings, exactly as Elasticsearch EQL compares them). "match" means the
// rule fires: the path is not a legitimate program location.
struct PathCase {
  const char* path;
  bool canonical_match;
  bool parity_match;
};

const PathCase kPathCases[] = {
    {"C:\\Program Files\\x.exe", false, false},
    {"D:\\Program Files\\x.exe", false, false},  // ? is any drive
    {"C:\\Program Files (x86)\\a\\b.exe", false, false},
    {"c:\\program files\\X.EXE", false, false},  // : ignores case
    {"C:\\Program Files Evil\\x.exe", true, true},
    {"CC:\\Program Files\\x.exe", true, true},
    {"C:\\Program Files\\x.dll", true, true},
    {"C:\\ProgramData\\x.exe", true, true},
    {"C:\\Program Files \\evil.exe", true, true},    // trailing space: another directory
    {"C:\\Program Files (Arm)\\x.exe", true, true},  // not on the rule's list
    {"C:\\PROGRA~1\\evil.exe", true, true},          // 8.3 names are never assumed
    {"\\\\?\\C:\\Program Files\\x.exe", false, true},
    {"\\??\\C:\\Program Files\\x.exe", false, true},
    {"\\\\.\\C:\\Program Files\\x.exe", false, true},
    {"\\Device\\HarddiskVolume3\\Program Files\\x.exe", false, true},
    {"C:/Program Files/x.exe", false, true},
    {"C:\\\\Program Files\\\\x.exe", false, true},
    {"C:\\Program Files\\..\\Users\\Public\\evil.exe", true, false},
    {"C:\\Windows\\.\\System32\\svchost.exe", false, true},
    {"\\\\?\\C:\\Program Files\\..\\Temp\\x.exe", true, true},
};

TEST_F(RuleTest, ProgramFilesPrefixTraps) {
  Harness parity("", event::MatchMode::kParity);
  for (const PathCase& c : kPathCases) {
    EXPECT_EQ(h.Matches(Event().Exe(c.path)), c.canonical_match) << "canonical: " << c.path;
    EXPECT_EQ(parity.Matches(Event().Exe(c.path)), c.parity_match) << "parity: " << c.path;
  }
}

struct DomainCase {
  const char* domain;
  bool canonical_match;
  bool parity_match;
};

const DomainCase kDomainCases[] = {
    {"pastebin.com", true, true},
    {"PASTEBIN.COM", true, true},  // : ignores case in both modes
    {"pastebin.com.", true, true},  // "pastebin.*" takes the dot anyway
    {"api.telegram.org.", true, false},  // root dot
    {" api.telegram.org", true, false},  // surrounding whitespace
    {"api.telegram.org\t", true, false},
    {"T.ME.", true, false},
    {"xn--bcher-kva.ngrok.io", true, true},  // punycode as given
    {"b\xc3\xbc" "cher.ngrok.io", true, true},  // *.ngrok.io takes UTF-8 too
    {"\xc3\xa9.docs.live.net", true, true},  // ? is one code point
    {"api.telegram.org..", false, false},
    {"\xd1\x80" "aste.ee", false, false},  // a look-alike is another name
};

TEST_F(RuleTest, DomainForms) {
  Harness parity("", event::MatchMode::kParity);
  for (const DomainCase& c : kDomainCases) {
    EXPECT_EQ(h.Matches(Event().Domain(c.domain)), c.canonical_match) << "canonical: " << c.domain;
    EXPECT_EQ(parity.Matches(Event().Domain(c.domain)), c.parity_match) << "parity: " << c.domain;
  }
}

TEST_F(RuleTest, UnicodeNamesAlsoMatchTheirIdnaForm) {
  // A pattern written in punycode (as exclusions and threat feeds are)
  // matches the Unicode name Sysmon logs, in canonical mode only.
  const char* excl = R"({"format":"c2sieve.exclusions/1","exclusions":[
    {"reason":"r","dns.question.name":["xn--bcher-kva.ngrok.io"]}]})";
  Harness canonical(excl);
  Harness parity(excl, event::MatchMode::kParity);
  std::string unicode = "b\xc3\xbc" "cher.ngrok.io";
  EXPECT_FALSE(canonical.Matches(Event().Domain(unicode)));
  EXPECT_TRUE(parity.Matches(Event().Domain(unicode)));
}

struct Conditional {
  std::string name;
  std::string process;  // "" when the clause does not look at process.name
  std::string signer;
  std::string domain;
};

const std::vector<Conditional> kConditionals = {
    {"Discord", "Discord.exe", "Discord Inc.", "cdn.discordapp.com"},
    {"SharePoint", "Microsoft.SharePoint.exe", "Microsoft Corporation", "onedrive.live.com"},
    {"OneDrive", "OneDrive.Sync.Service.exe", "Microsoft Corporation", "onedrive.live.com"},
    {"Obsidian", "Obsidian.exe", "Dynalist Inc", "raw.githubusercontent.com"},
    {"WebExperience", "WebExperienceHostApp.exe", "Microsoft Windows", "onedrive.live.com"},
    {"JetBrains", "", "JetBrains s.r.o.", "api.github.com"},
    {"Microsoft *", "", "Microsoft Something", "tenant.sharepoint.com"},
    {"Python", "", "Python Software Foundation", "files.pythonhosted.org"},
    {"Anaconda", "", "Anaconda, Inc.", "files.pythonhosted.org"},
    {"Zoom", "Zoom.exe", "Zoom Communications, Inc.", "graph.microsoft.com"},
    {"VS Code", "Code.exe", "Microsoft Corporation", "api.github.com"},
    {"Terraform", "terraform-provider-aws_v5.exe", "HashiCorp, Inc.", "graph.microsoft.com"},
    {"Telegram", "Telegram.exe", "Telegram FZ-LLC", "x.googleapis.com"},
    {"trusted signer", "", "Anysphere, Inc.", "pastebin.com"},
};

Event SignedEvent(const Conditional& c) {
  Event e;
  e.Exe("C:\\Users\\alice\\AppData\\Roaming\\app\\" +
        (c.process.empty() ? std::string("tool.exe") : c.process));
  e.Domain(c.domain).Signer(c.signer).Trusted(true);
  return e;
}

TEST_F(RuleTest, EveryConditionalExclusionAndEachOfItsConditions) {
  for (const auto& c : kConditionals) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(h.Matches(SignedEvent(c))) << "exclusion applies";
    EXPECT_FALSE(h.Matches(SignedEvent(c).Signer(c.signer + "").Trusted("true")))
        << "the string \"true\" is a boolean in Elasticsearch";
    EXPECT_TRUE(h.Matches(SignedEvent(c).Trusted(false))) << "untrusted";
    EXPECT_TRUE(h.Matches(SignedEvent(c).Trusted("false"))) << "string false";
    EXPECT_TRUE(h.Matches(SignedEvent(c).Erase("/process/code_signature/trusted")))
        << "trusted missing";
    EXPECT_TRUE(h.Matches(SignedEvent(c).Signer("Evil " + c.signer))) << "signer";
    if (!c.process.empty()) {
      EXPECT_TRUE(h.Matches(SignedEvent(c).Name("evil.exe"))) << "process name";
    }
    if (c.name != "trusted signer") {
      EXPECT_TRUE(h.Matches(SignedEvent(c).Domain("pastebin.com"))) << "domain";
    }
  }
}

TEST_F(RuleTest, EveryTrustedSigner) {
  auto signers = BuiltinValues("trusted signers");
  ASSERT_EQ(signers.size(), 17u);
  for (const auto& s : signers) {
    Conditional c{"signer", "", s, "pastebin.com"};
    EXPECT_FALSE(h.Matches(SignedEvent(c))) << s;
    EXPECT_TRUE(h.Matches(SignedEvent(c).Trusted(false))) << s;
  }
}

TEST_F(RuleTest, SignerNameCaseIsIgnored) {
  Conditional c{"d", "DISCORD.EXE", "discord inc.", "DISCORD.COM"};
  EXPECT_FALSE(h.Matches(SignedEvent(c)));
}

TEST_F(RuleTest, SystemAccountsAreExcludedCaseSensitively) {
  for (const char* id : {"S-1-5-18", "S-1-5-19", "S-1-5-20"})
    EXPECT_FALSE(h.Matches(Event().UserId(id))) << id;
  EXPECT_TRUE(h.Matches(Event().UserId("s-1-5-18")));  // == is case-sensitive
  EXPECT_TRUE(h.Matches(Event().UserId("S-1-5-180")));
  EXPECT_FALSE(h.Matches(Event().UserDomain("NT AUTHORITY")));
  EXPECT_TRUE(h.Matches(Event().UserDomain("nt authority")));
  EXPECT_FALSE(h.Matches(Event().Set("/user/id", nullptr).UserDomain("NT AUTHORITY")));
}

TEST_F(RuleTest, MissingOrNullFields) {
  // A predicate on a missing field is false; not(false) is true.
  EXPECT_TRUE(h.Matches(Event().Erase("/user")));
  EXPECT_TRUE(h.Matches(Event().Set("/user", nullptr)));
  EXPECT_TRUE(h.Matches(Event().Erase("/process/executable")));
  // Required fields.
  EXPECT_FALSE(h.Matches(Event().Erase("/dns/question/name")));
  EXPECT_FALSE(h.Matches(Event().Domain("").Set("/dns/question/name", nullptr)));
  EXPECT_FALSE(h.Matches(Event().Erase("/process/name")));
  EXPECT_FALSE(h.Matches(Event().Set("/process/name", nullptr)));
  EXPECT_FALSE(h.Matches(Event().Erase("/host/os/type")));
  EXPECT_FALSE(h.Matches(Event().Erase("/event/category")));
}

TEST_F(RuleTest, HostAndCategoryAreCaseSensitive) {
  EXPECT_FALSE(h.Matches(Event().Set("/host/os/type", "Windows")));
  EXPECT_FALSE(h.Matches(Event().Set("/host/os/type", "linux")));
  EXPECT_FALSE(h.Matches(Event().Set("/event/category", "Network")));
  EXPECT_TRUE(h.Matches(Event().Set("/event/category", "network")));
  EXPECT_TRUE(h.Matches(Event().Set("/event/category", {"process", "network"})));
  EXPECT_FALSE(h.Matches(Event().Set("/event/category", {"process", "file"})));
}

TEST_F(RuleTest, ArraysMatchIfAnyElementMatches) {
  EXPECT_TRUE(h.Matches(Event().Domain("x").Set("/dns/question/name",
                                                {"example.com", "pastebin.com"})));
  EXPECT_FALSE(h.Matches(Event().Set("/dns/question/name",
                                     {"example.com", "example.org"})));
  // Any element of user.id being SYSTEM excludes (must_not of a term query).
  EXPECT_FALSE(h.Matches(Event().Set("/user/id", {"S-1-5-21-9", "S-1-5-18"})));
  // Arrays of objects are flattened, as Elasticsearch does.
  EXPECT_FALSE(h.Matches(Event().Set("/process/code_signature",
      nlohmann::json::parse(R"([{"subject_name":"Google LLC","trusted":true}])"))));
}

TEST_F(RuleTest, NestedFlattenedAndMixedKeys) {
  const char* flat = R"({"event.category":"network","host.os.type":"windows",
    "dns.question.name":"pastebin.com","process.name":"a.exe",
    "process.executable":"C:\\Users\\Public\\a.exe","user.id":"S-1-5-21-5"})";
  EXPECT_TRUE(h.Matches(flat));
  const char* mixed = R"({"event":{"category":"network"},"host.os":{"type":"windows"},
    "dns":{"question.name":"pastebin.com"},"process.name":"a.exe",
    "process":{"executable":"C:\\Users\\Public\\a.exe"}})";
  EXPECT_TRUE(h.Matches(mixed));
  std::string excluded = R"({"event.category":"network","host.os.type":"windows",
    "dns.question.name":"pastebin.com","process.name":"a.exe",
    "process.executable":"C:\\Program Files\\a.exe"})";
  EXPECT_FALSE(h.Matches(excluded));
  const char* flat_system = R"({"event.category":"network","host.os.type":"windows",
    "dns.question.name":"pastebin.com","process.name":"a.exe","user.id":"S-1-5-18"})";
  EXPECT_FALSE(h.Matches(flat_system));
}

TEST_F(RuleTest, NonStringValuesMatchNoPattern) {
  EXPECT_FALSE(h.Matches(Event().Set("/dns/question/name", 42)));
  EXPECT_FALSE(h.Matches(Event().Set("/dns/question/name", true)));
  EXPECT_FALSE(h.Matches(Event().Set("/dns/question/name", nlohmann::json::object())));
  // A number as process.name still exists (the rule only asks != null).
  EXPECT_TRUE(h.Matches(Event().Set("/process/name", 7)));
}

TEST_F(RuleTest, EscapedJsonStringsAreCompared) {
  const char* e = R"({"event":{"category":"network"},"host":{"os":{"type":"windows"}},
    "dns":{"question":{"name":"past\u0065bin.com"}},"process":{"name":"a.exe",
    "executable":"C:\u005cProgram Files\u005ca.exe"}})";
  EXPECT_FALSE(h.Matches(e));  // excluded: the path unescapes to Program Files
  std::string m = e;
  m.replace(m.find("Program Files"), 13, "Users");
  EXPECT_TRUE(h.Matches(m));
}

}  // namespace
}  // namespace c2s::testing

namespace c2s::testing {
namespace {

TEST(MultipleRulesets, OneEventMatchingTwoRulesCarriesBoth) {
  auto mine = rules::ParseRuleset(R"({"format":"c2sieve.ruleset/1","name":"team","rules":[
    {"id":"team-1","name":"Paste sites from scripts","risk_score":73,"severity":"high",
     "tags":["team: paste"],
     "threat":[{"framework":"MITRE ATT&CK","tactic":{"id":"TA0010","name":"Exfiltration"}}],
     "query":{"all":[{"field":"dns.question.name","wildcard":["paste*"]},
                     {"field":"process.name","wildcard":["*.exe"]}]}}]})", "team.json");
  ASSERT_TRUE(mine.ok()) << mine.status();
  Harness h({*mine}, /*builtin=*/true);
  auto r = h.Eval(Event().Domain("pastebin.com"));
  ASSERT_EQ(r.matched_rules, 2u);
  auto out = nlohmann::json::parse(r.output);
  EXPECT_EQ(out["rule"]["id"], nlohmann::json::parse(
      R"(["66883649-f908-4a5b-a1e0-54090a1d3a32","team-1"])"));
  EXPECT_EQ(out["rule"]["ruleset"], nlohmann::json::parse(R"(["elastic","team"])"));
  EXPECT_EQ(out["event"]["risk_score"], 73);  // the highest
  EXPECT_EQ(out["event"]["severity"], 73);
  EXPECT_EQ(out["threat"]["tactic"]["id"], nlohmann::json::parse(R"(["TA0011","TA0010"])"));
  EXPECT_EQ(out["tags"], nlohmann::json::parse(
      R"(["c2sieve: commonly abused web service","team: paste"])"));
  ASSERT_EQ(out["c2sieve"]["matches"].size(), 3u);  // builtin domain + team domain + name
  EXPECT_FALSE(HasDuplicateKeys(r.output));
  // Only the team rule: ordinary scalars.
  r = h.Eval(Event().Domain("paste.example").Exe("C:\\Program Files\\x.exe"));
  ASSERT_EQ(r.matched_rules, 1u);
  out = nlohmann::json::parse(r.output);
  EXPECT_EQ(out["rule"]["id"], "team-1");
  EXPECT_EQ(out["event"]["risk_score"], 73);
}

// With the prefilter off every malformed event is read and counted. With it
// on (the default), a well-framed object ({ ... }, ASCII, no control byte)
// that holds none of the rules' literals is passed on unread: one too deep
// or two objects on one line then count as prefiltered, not as errors (no
// rule could match them either way); truncated, binary, non-ASCII and
// non-object lines are still read and counted.
TEST(HostileEvents, PassThroughAndAreCounted) {
  for (bool prefilter : {false, true}) {
    SCOPED_TRACE(prefilter ? "prefilter on" : "prefilter off");
    Harness h("", event::MatchMode::kCanonical, "", {}, prefilter);
    std::string huge = Event().Domain(std::string(2 << 20, 'a') + ".pastebin.com").Json();
    auto r = h.Eval(huge);
    EXPECT_EQ(r.status, event::ReadStatus::kOk);
    EXPECT_EQ(r.matched_rules, 0u);
    std::string deep(5000, '[');
    r = h.Eval("{\"a\":" + deep + "}");
    EXPECT_EQ(r.status, prefilter ? event::ReadStatus::kOk : event::ReadStatus::kTooDeep);
    EXPECT_EQ(r.output.data(), h.last_input.data());
    r = h.Eval(std::string("{\"dns\":\"a\0b\"}", 14));  // raw NUL in a string
    EXPECT_EQ(r.status, event::ReadStatus::kNotJson);
    r = h.Eval("{\"dns\":\"\xff\xfe\"}");  // invalid UTF-8
    EXPECT_EQ(r.status, event::ReadStatus::kNotJson);
    r = h.Eval("{\"a\":1} {\"b\":2}");  // two documents on one line
    EXPECT_EQ(r.status, prefilter ? event::ReadStatus::kOk : event::ReadStatus::kNotJson);
    r = h.Eval("{\"a\":1");  // truncated
    EXPECT_EQ(r.status, event::ReadStatus::kNotJson);
    r = h.Eval("");
    EXPECT_EQ(r.status, event::ReadStatus::kNotJson);
    EXPECT_EQ(h.core->Stats().errors, prefilter ? 4u : 6u);
    EXPECT_EQ(h.core->Stats().prefiltered, prefilter ? 2u : 0u);
    // Duplicate keys: both values count, as any-of.
    EXPECT_TRUE(h.Matches(R"({"event":{"category":"network"},"host":{"os":{"type":"windows"}},
    "dns":{"question":{"name":"example.com"}},"dns":{"question":{"name":"pastebin.com"}},
    "process":{"name":"a.exe"}})"));
  }
}

}  // namespace
}  // namespace c2s::testing
