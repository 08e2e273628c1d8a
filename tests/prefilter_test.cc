// The prefilter over raw bytes never changes a verdict: every spelling that
// could hide a listed value from a literal scan falls back to the full
// path, and over every corpus the project has, an event the prefilter
// passes as "cannot match" is one the full path does not match either.
#include "runtime/prefilter.h"

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rules/ruleset_loader.h"
#include "runtime/engine_core.h"
#include "runtime/session.h"
#include "test_util.h"

namespace c2s::runtime {
namespace {

std::shared_ptr<EngineCore> Core(event::MatchMode mode, bool prefilter = true) {
  EngineCore::Options o;
  o.mode = mode;
  o.prefilter = prefilter;
  auto c = EngineCore::Create(std::move(o));
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

std::string Event(const std::string& name_json) {
  return R"({"event":{"category":["network"]},"host":{"os":{"type":"windows"}},)"
         R"("dns":{"question":{"name":)" + name_json +
         R"(}},"process":{"name":"x.exe","executable":"C:\\Users\\Public\\x.exe"}})";
}

TEST(Prefilter, OnForTheBuiltInRulesWithTheDomainLists) {
  auto core = Core(event::MatchMode::kCanonical);
  EXPECT_TRUE(core->prefilter()->enabled());
  EXPECT_NE(core->prefilter()->description().find("dns.question.name"), std::string::npos)
      << core->prefilter()->description();
}

TEST(Prefilter, EverySpellingOfAListedDomainReachesTheFullPath) {
  for (auto mode : {event::MatchMode::kCanonical, event::MatchMode::kParity}) {
    auto core = Core(mode);
    Session s(core);
    Session full_path(Core(mode, false));
    // Spellings the bytes hide the literal behind. In canonical mode each
    // must reach the full path (most are pastebin.com to it); in parity mode
    // (raw values) a spelling the full path does not match may stop early.
    for (const char* name : {
             R"("pastebin.com")", R"("PASTEBIN.COM")", R"("pastebin\u002ecom")",
             R"("\u0070astebin.com")", R"("https:\/\/pastebin.com\/raw")",
             R"("Pastebin%2ecom")", R"("ｐａｓｔｅｂｉｎ.com")", R"("pastebin。com")",
             R"("paste\u00adbin.com")", R"(["x", ["pastebin.com"]])",
             R"("{\"q\":\"pastebin\\u002ecom\"}")"}) {
      bool may = s.MayMatch(Event(name));
      bool full = full_path.EvalJson(Event(name)).matched_rules > 0;
      EXPECT_EQ(s.EvalJson(Event(name)).matched_rules > 0, full) << name;
      if (mode == event::MatchMode::kCanonical) {
        EXPECT_TRUE(may) << name;
      }
      EXPECT_TRUE(may || !full) << name;
    }
    // A name on no list, plainly written: decided without parsing.
    EXPECT_FALSE(s.MayMatch(Event(R"("www.example.com")")));
    EXPECT_FALSE(s.MayMatch(R"({"not json at all)"));
  }
}

// msgpack bytes of {"dns":{"question":{"name":NAME}},"n":300}: header bytes
// are >= 0x80 and must not read as non-ASCII text; string payloads must.
std::string Msgpack(const std::string& name) {
  auto str = [](const std::string& t) {
    std::string out;
    if (t.size() < 32) {
      out += static_cast<char>(0xa0 | t.size());
    } else {
      out += static_cast<char>(0xd9);
      out += static_cast<char>(t.size());
    }
    return out + t;
  };
  std::string m;
  m += static_cast<char>(0x82);
  m += str("dns") + static_cast<char>(0x81) + str("question") + static_cast<char>(0x81) +
       str("name") + str(name);
  m += str("n");
  m += static_cast<char>(0xcd);  // uint16 300
  m += static_cast<char>(0x01);
  m += static_cast<char>(0x2c);
  return m;
}

TEST(Prefilter, MsgpackStringsAreCheckedNotItsHeaders) {
  auto core = Core(event::MatchMode::kCanonical);
  Session s(core);
  using E = Prefilter::Encoding;
  EXPECT_FALSE(s.MayMatch(Msgpack("www.example.com"), E::kMsgpack));
  EXPECT_TRUE(s.MayMatch(Msgpack("www.example.com"), E::kJson));  // headers read as text
  EXPECT_TRUE(s.MayMatch(Msgpack("pastebin.com"), E::kMsgpack));
  EXPECT_TRUE(s.MayMatch(Msgpack("PasteBin.COM"), E::kMsgpack));
  EXPECT_TRUE(s.MayMatch(Msgpack("ｐａｓｔｅｂｉｎ.com"), E::kMsgpack));     // non-ASCII payload
  EXPECT_TRUE(s.MayMatch(Msgpack("pastebin%2ecom"), E::kMsgpack));  // %-encoded host
  EXPECT_TRUE(s.MayMatch(Msgpack("{\"q\":\"pastebin\\u002ecom\"}"), E::kMsgpack));
  std::string cut = Msgpack("www.example.com");
  cut.pop_back();  // a truncated item: cannot rule anything out
  EXPECT_TRUE(s.MayMatch(cut, E::kMsgpack));
}

TEST(Prefilter, NumbersBooleansAndProfileDefaultsAreNoLiterals) {
  // A rule on a number and a boolean-like word gives no usable literal:
  // the prefilter is off rather than blind to 1e3 or true.
  const char* text = R"({"format":"c2sieve.ruleset/1","name":"n","rules":[{"id":"n-1",
    "name":"n","description":"d","risk_score":21,"severity":"low","query":{"all":[
    {"field":"destination.port","equals":["1000"]}]}}]})";
  auto rs = rules::ParseRuleset(text, "numbers");
  ASSERT_TRUE(rs.ok()) << rs.status();
  EngineCore::Options o;
  o.builtin_rulesets = false;
  o.rulesets.push_back(std::move(*rs));
  auto core = EngineCore::Create(std::move(o));
  ASSERT_TRUE(core.ok());
  EXPECT_FALSE((*core)->prefilter()->enabled());
  EXPECT_NE((*core)->prefilter()->description().find("in rule(s) n-1"), std::string::npos);
}

// Every line of every corpus: "cannot match" from the prefilter implies no
// match on the full path, in both modes.
TEST(Prefilter, NeverHidesAMatchInAnyCorpus) {
  // (prefilter_abi_test.cc compares whole outputs, on and off, through the ABI.)
  std::vector<std::string> files = c2s::testing::EventCorpora();
  for (auto mode : {event::MatchMode::kCanonical, event::MatchMode::kParity}) {
    auto core = Core(mode);
    Session s(core);
    Session full_path(Core(mode, false));
    size_t lines = 0, skipped = 0, matches = 0;
    for (const auto& f : files) {
      std::ifstream in(f);
      ASSERT_TRUE(in) << f;
      std::string line;
      while (std::getline(in, line)) {
        ++lines;
        bool may = s.MayMatch(line);
        auto r = full_path.EvalJson(line);
        matches += r.matched_rules > 0;
        if (!may) {
          ++skipped;
          EXPECT_EQ(r.matched_rules, 0u) << f << ": " << line.substr(0, 200);
        }
      }
    }
    EXPECT_GT(matches, 100u);
    EXPECT_GT(skipped, lines / 10) << "the prefilter decides too little to matter";
  }
}

// Found by UBSan: a session whose first event the prefilter decided is
// bound to no matcher yet; asking for its matches must not touch one.
TEST(Prefilter, AFirstEventDecidedUnreadHasNoDetails) {
  auto core = Core(event::MatchMode::kCanonical);
  Session s(core);
  auto r = s.EvalJson(Event(R"("www.example.com")"));
  EXPECT_EQ(r.matched_rules, 0u);
  EXPECT_EQ(core->Stats().prefiltered, 1u);
  EXPECT_TRUE(s.matches().empty());
  EXPECT_EQ(s.EnrichmentJson(), "{}");
  EXPECT_TRUE(s.EnrichmentLeaves().empty());
}

TEST(Prefilter, OffWhenSwitchedOff) {
  auto core = Core(event::MatchMode::kCanonical, false);
  EXPECT_FALSE(core->prefilter()->enabled());
  EXPECT_NE(core->prefilter()->description().find("switched off"), std::string::npos);
  Session s(core);
  EXPECT_TRUE(s.MayMatch(Event(R"("www.example.com")")));
}

// Only well-framed JSON objects are decided from their bytes; control bytes
// (malformed JSON) send an event to the full path, which counts it.
TEST(Prefilter, OnlyWellFramedPlainObjectsAreDecidedUnread) {
  EXPECT_TRUE(Prefilter::FramedAsObject(" {\"a\":1}\r\n"));
  EXPECT_TRUE(Prefilter::FramedAsObject("{}"));
  EXPECT_FALSE(Prefilter::FramedAsObject("{\"a\":1"));
  EXPECT_FALSE(Prefilter::FramedAsObject("[{}]"));
  EXPECT_FALSE(Prefilter::FramedAsObject("{"));
  EXPECT_FALSE(Prefilter::FramedAsObject(""));
  auto core = Core(event::MatchMode::kCanonical);
  const Prefilter& p = *core->prefilter();
  for (char c = 1; c < 0x20; ++c) {
    std::string text = std::string("{\"a\":\"x") + c + "yyyyyyyyyyyyyyyy\"}";
    bool allowed = c == '\t' || c == '\n' || c == '\r';
    EXPECT_EQ(p.UnsafeSpelling(text, true), !allowed) << int(c);
    EXPECT_FALSE(p.UnsafeSpelling(text, false)) << int(c);
  }
  Session s(core);
  std::string nul("{\"a\":\"x\0y\"}", 12);
  auto r = s.EvalJson(nul);
  EXPECT_EQ(r.status, event::ReadStatus::kNotJson);
  EXPECT_EQ(core->Stats().errors, 1u);
  EXPECT_EQ(core->Stats().prefiltered, 0u);
}

}  // namespace
}  // namespace c2s::runtime
