// EQL wildcard semantics, the Hyperscan translation, and the literal gate.
#include <hs/hs.h>

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/compiled_matcher.h"
#include "engine/evaluator.h"
#include "engine/literal_gate.h"
#include "engine/wildcard.h"
#include "rules/ruleset_loader.h"

namespace c2s::engine {
namespace {

struct Case {
  const char* pattern;
  const char* value;
  bool match;
};

const Case kCases[] = {
    {"pastebin.*", "pastebin.com", true},
    {"pastebin.*", "PASTEBIN.COM", true},
    {"pastebin.*", "pastebin.", true},          // * is also empty
    {"pastebin.*", "xpastebin.com", false},     // whole value
    {"pastebin.*", "pastebin", false},
    {"*.ngrok.io", "abc.ngrok.io", true},
    {"*.ngrok.io", ".ngrok.io", true},
    {"*.ngrok.io", "ngrok.io", false},
    {"*.ngrok.io", "abc.ngrok.io.evil.com", false},
    {"?.docs.live.net", "d.docs.live.net", true},
    {"?.docs.live.net", "dd.docs.live.net", false},
    {"?.docs.live.net", ".docs.live.net", false},
    {"?.docs.live.net", "\xc3\xa9.docs.live.net", true},  // one code point
    {"*serveo.net", "serveo.net", true},
    {"*serveo.net", "xyzserveo.net", true},
    {"*.portmap.*", "a.portmap.io", true},
    {"*.portmap.*", "portmap.io", false},
    {"*up.freeo*.space", "xup.freeoabc.space", true},
    {"*up.freeo*.space", "up.freeo.space", true},
    {"*up.freeo*.space", "up.freeo.spac", false},
    {"t.me", "t.me", true},
    {"t.me", "T.ME", true},
    {"t.me", "at.me", false},
    {"t.me", "t.me\n", false},                   // no line-end leniency
    {"?:\\Program Files\\*.exe", "C:\\Program Files\\x.exe", true},
    {"?:\\Program Files\\*.exe", "c:\\program files\\Sub\\Dir\\x.EXE", true},
    {"?:\\Program Files\\*.exe", "D:\\Program Files\\x.exe", true},
    {"?:\\Program Files\\*.exe", "C:\\Program Files Evil\\x.exe", false},
    {"?:\\Program Files\\*.exe", "\\\\?\\C:\\Program Files\\x.exe", false},
    {"?:\\Program Files\\*.exe", "CC:\\Program Files\\x.exe", false},
    {"?:\\Program Files\\*.exe", "C:\\Program Files\\x.exe.txt", false},
    {"?:\\Users\\*\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe",
     "C:\\Users\\a\\b\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe", true},
    {"Microsoft *", "Microsoft Corporation", true},
    {"Microsoft *", "Microsoft", false},
    {"Microsoft *", "microsoft windows", true},
    {"terraform-provider*.exe", "terraform-provider-azuread_v2.exe", true},
    {"a+b(c)[d]{e}|^$.", "A+B(C)[D]{E}|^$.", true},  // metacharacters literal
    {"a.b", "axb", false},
    {"*", "", true},
    {"*", "anything at all", true},
    {"", "", true},
    {"", "x", false},
    {"a*b*c", "abc", true},
    {"a*b*c", "aXXbYYc", true},
    {"a*b*c", "aXXbYY", false},
    {"*\\*", "C:\\dir\\", true},  // * matches backslashes; \ is not an escape
    {"\xc3\x89t\xc3\xa9", "\xc3\x89t\xc3\xa9", true},
    {"\xc3\x89t\xc3\xa9", "\xc3\xa9t\xc3\xa9", false},  // only ASCII folds
    // A literal between stars, found in more than one place: only its
    // place counts (the first occurrence is not always it).
    {"*.com", "a.com.b.com", true},
    {"*.com", "a.com.b", false},
    {"*abab", "ababab", true},
    {"ab*", "xabab", false},
    {"ab*", "abab", true},
    {"pastebin.*", "xpastebin.pastebin.", false},
    {"*aa*", "aaa", true},
    {"aa*", "a", false},
    {"*aa", "a", false},
    {"*.io", ".io.io", true},
    {"**.io", "x.IO", true},
    {"*\xc3\xa9*", "x\xc3\xa9y", true},
    {"*\xc3\xa9*", "x\xc3\x89y", false},
};

class HyperscanOne {
 public:
  explicit HyperscanOne(const std::string& pattern) {
    e_ = WildcardToHyperscan(pattern);
    if (e_.matches_everything) return;
    hs_compile_error_t* err = nullptr;
    EXPECT_EQ(hs_compile(e_.regex.c_str(), e_.flags, HS_MODE_BLOCK, nullptr,
                         &db_, &err),
              HS_SUCCESS)
        << pattern << " -> " << e_.regex << ": " << (err ? err->message : "");
    if (err) hs_free_compile_error(err);
    hs_alloc_scratch(db_, &scratch_);
  }
  ~HyperscanOne() {
    if (scratch_) hs_free_scratch(scratch_);
    if (db_) hs_free_database(db_);
  }
  bool Match(const std::string& v) {
    if (e_.matches_everything) return true;
    bool hit = false;
    hs_scan(db_, v.data(), v.size(), 0, scratch_,
            [](unsigned, unsigned long long, unsigned long long, unsigned,
               void* ctx) {
              *static_cast<bool*>(ctx) = true;
              return 0;
            },
            &hit);
    return hit;
  }

 private:
  HyperscanExpression e_;
  hs_database_t* db_ = nullptr;
  hs_scratch_t* scratch_ = nullptr;
};

// Every pattern of a list compiled into one matcher, as a ruleset's are (the
// literal look-ups, the literal-mode database of `*lit`, `lit*`, `*lit*`
// with its position checks, the expression database and the gates), each
// once case-insensitive (`:`) and once case-sensitive (`like`): one rule per
// pattern and case, so the rules that match are the patterns that match.
class MatcherOf {
 public:
  explicit MatcherOf(const std::vector<std::string>& patterns) : patterns_(patterns) {
    FieldTable fields;
    fields.Add("f");
    rules::Ruleset rs;
    rs.name = "patterns";
    for (size_t i = 0; i < patterns.size(); ++i) {
      for (bool cs : {false, true}) {
        rules::Rule r;
        r.id = std::to_string(i) + (cs ? "-like" : "-colon");
        r.name = r.id;
        r.query.kind = rules::NodeKind::kWildcard;
        r.query.field = "f";
        r.query.values = {patterns[i]};
        r.query.case_sensitive = cs;
        rs.rules.push_back(r);
      }
    }
    auto m = CompiledMatcher::CompileRules(fields, {rs});
    EXPECT_TRUE(m.ok()) << m.status();
    if (m.ok()) matcher_ = *m;
    if (matcher_) {
      EXPECT_TRUE(evaluator_.Bind(matcher_, nullptr).ok());
    }
  }
  // The patterns (and cases) the engine says `v` matches, written as the
  // reference's differences: empty when they agree on every pattern.
  std::string Disagreements(std::string_view v) {
    if (!matcher_) return "no matcher";
    evaluator_.fields().Clear();
    evaluator_.fields().Add(0, ValueType::kString, v);
    std::vector<bool> hit(patterns_.size() * 2, false);
    for (const RuleMatch& m : evaluator_.Evaluate()) hit[m.rule] = true;
    if (evaluator_.scan_failed()) return "scan failed";
    std::string out;
    for (size_t i = 0; i < hit.size(); ++i) {
      const std::string& p = patterns_[i / 2];
      const bool cs = i % 2 == 1;
      if (hit[i] != WildcardMatch(p, v, cs))
        out += "\n  " + p + (cs ? " (like)" : " (:)") + (hit[i] ? " matched" : " missed");
    }
    return out;
  }

 private:
  std::vector<std::string> patterns_;
  std::shared_ptr<const CompiledMatcher> matcher_;
  Evaluator evaluator_;
};

TEST(Wildcard, LiteralShapes) {
  struct Shape {
    const char* pattern;
    LiteralPlace place;
    const char* literal;
  } shapes[] = {
      {"*.ngrok.io", LiteralPlace::kSuffix, ".ngrok.io"},
      {"**.ngrok.io", LiteralPlace::kSuffix, ".ngrok.io"},
      {"pastebin.*", LiteralPlace::kPrefix, "pastebin."},
      {"Pastebin.**", LiteralPlace::kPrefix, "Pastebin."},
      {"*.portmap.*", LiteralPlace::kInfix, ".portmap."},
      {"*up.freeo*.space", LiteralPlace::kNone, ""},   // a star inside
      {"?.docs.live.net", LiteralPlace::kNone, ""},    // `?` is no literal
      {"*?.io", LiteralPlace::kNone, ""},
      {"t.me", LiteralPlace::kNone, ""},               // no star: looked up whole
      {"*", LiteralPlace::kNone, ""},                  // everything
      {"***", LiteralPlace::kNone, ""},
      {"", LiteralPlace::kNone, ""},
  };
  for (const Shape& s : shapes) {
    LiteralShape got = LiteralShapeOf(s.pattern);
    EXPECT_EQ(got.place, s.place) << s.pattern;
    EXPECT_EQ(got.literal, s.literal) << s.pattern;
  }
}

// Each pattern of the case table against each value of it: the compiled
// matcher and the reference agree on all of them, in both cases.
TEST(Wildcard, CompiledMatcherAgreesOnTheCaseTable) {
  std::vector<std::string> patterns;
  for (const Case& c : kCases) patterns.push_back(c.pattern);
  MatcherOf m(patterns);
  for (const Case& c : kCases) EXPECT_EQ(m.Disagreements(c.value), "") << "value " << c.value;
  EXPECT_EQ(m.Disagreements(std::string_view("x.ngrok.io\0.ngrok.io", 20)), "");
}

TEST(Wildcard, ReferenceMatcherFollowsEqlSemantics) {
  for (const Case& c : kCases)
    EXPECT_EQ(WildcardMatch(c.pattern, c.value), c.match)
        << c.pattern << " vs " << c.value;
}

TEST(Wildcard, HyperscanTranslationAgreesOnTheCaseTable) {
  for (const Case& c : kCases) {
    HyperscanOne hs(c.pattern);
    EXPECT_EQ(hs.Match(c.value), c.match) << c.pattern << " vs " << c.value;
  }
}

// Every pattern of the built-in rules, against values built to almost
// match: Hyperscan and the reference must agree on all of them.
std::vector<std::string> AllBuiltinPatterns() {
  std::vector<std::string> out;
  auto rs = rules::BuiltinRuleset();
  EXPECT_TRUE(rs.ok());
  std::vector<const rules::Node*> stack;
  for (const rules::Rule& r : rs->rules) stack.push_back(&r.query);
  while (!stack.empty()) {
    const rules::Node* n = stack.back();
    stack.pop_back();
    if (n->kind == rules::NodeKind::kWildcard)
      out.insert(out.end(), n->values.begin(), n->values.end());
    for (const auto& c : n->children) stack.push_back(&c);
  }
  return out;
}

std::string Mutate(const std::string& pattern, std::mt19937_64& rng) {
  static const std::string alphabet = "abcXYZ.\\-_ :?*\xc3\xa9";
  std::string s;
  for (char c : pattern) {
    if (c == '*') {
      size_t n = rng() % 4;
      for (size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
    } else if (c == '?') {
      if (rng() % 5) s += static_cast<char>('a' + rng() % 26);
    } else {
      s += (rng() % 2) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    }
    if (rng() % 40 == 0) s += alphabet[rng() % alphabet.size()];
  }
  if (rng() % 10 == 0 && !s.empty()) s.pop_back();
  return s;
}

TEST(Wildcard, HyperscanAgreesWithReferenceOnBuiltinPatterns) {
  std::mt19937_64 rng(7);
  size_t matched = 0, total = 0;
  for (const std::string& p : AllBuiltinPatterns()) {
    HyperscanOne hs(p);
    for (int i = 0; i < 60; ++i) {
      std::string v = Mutate(p, rng);
      bool want = WildcardMatch(p, v);
      ASSERT_EQ(hs.Match(v), want) << p << " vs " << v;
      matched += want;
      ++total;
    }
  }
  // The mutation must produce both outcomes often, or the test proves little.
  EXPECT_GT(matched, total / 5);
  EXPECT_LT(matched, total * 4 / 5);
}

// All the built-in rules' patterns in one matcher, as the engine compiles
// them, against values built to almost match each: the engine and the
// reference agree on every pattern for every value.
TEST(Wildcard, CompiledMatcherAgreesWithReferenceOnBuiltinPatterns) {
  std::vector<std::string> patterns = AllBuiltinPatterns();
  MatcherOf m(patterns);
  std::mt19937_64 rng(13);
  for (const std::string& p : patterns)
    for (int i = 0; i < 20; ++i) {
      std::string v = Mutate(p, rng);
      ASSERT_EQ(m.Disagreements(v), "") << "value " << v;
    }
}

TEST(Wildcard, AnchorsAreTheLiteralEnds) {
  WildcardAnchors a = AnchorsOf("Raw.GitHubusercontent.*");
  EXPECT_EQ(a.prefix, "raw.githubusercontent.");
  EXPECT_EQ(a.suffix, "");
  a = AnchorsOf("*up.freeo*.space");
  EXPECT_EQ(a.prefix, "");
  EXPECT_EQ(a.suffix, ".space");
  EXPECT_EQ(a.longest_inner, "up.freeo");
  a = AnchorsOf("t.me");
  EXPECT_FALSE(a.has_wildcard);
  EXPECT_EQ(a.prefix, "t.me");
  EXPECT_EQ(a.suffix, "t.me");
}

TEST(LiteralGate, NeverRejectsAValueSomePatternMatches) {
  std::vector<std::string> patterns = AllBuiltinPatterns();
  LiteralGate gate;
  for (const auto& p : patterns) gate.Add(p);
  std::mt19937_64 rng(11);
  size_t rejected = 0;
  for (int round = 0; round < 40; ++round) {
    for (const auto& p : patterns) {
      std::string v = Mutate(p, rng);
      bool any = false;
      for (const auto& q : patterns) any |= WildcardMatch(q, v);
      if (any) ASSERT_TRUE(gate.MayMatch(v)) << v;
      else rejected += !gate.MayMatch(v);
    }
  }
  EXPECT_GT(rejected, 0u);
}

TEST(LiteralGate, RejectsOrdinaryDomains) {
  LiteralGate gate;
  for (const auto& p : AllBuiltinPatterns()) gate.Add(p);
  ASSERT_FALSE(gate.always_open());
  for (const char* d : {"www.microsoft.com", "login.microsoftonline.com",
                        "ctldl.windowsupdate.com", "www.wikipedia.org",
                        "a", ""})
    EXPECT_FALSE(gate.MayMatch(d)) << d;
  for (const char* d : {"pastebin.com", "X.NGROK.IO", "a.portmap.io", "t.me"})
    EXPECT_TRUE(gate.MayMatch(d)) << d;
}

TEST(LiteralGate, StarAloneOpensTheGate) {
  LiteralGate gate;
  gate.Add("pastebin.*");
  EXPECT_FALSE(gate.MayMatch("example.com"));
  gate.Add("*");
  EXPECT_TRUE(gate.always_open());
  EXPECT_TRUE(gate.MayMatch("example.com"));
}

}  // namespace
}  // namespace c2s::engine
