// The sieve answers exactly as a caseless literal search: a text holding a
// literal, in any ASCII case, is found; one holding none is not.
#include "runtime/gram_sieve.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/engine_core.h"
#include "runtime/prefilter.h"

namespace c2s::runtime {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

bool HoldsCaseless(const std::string& text, const std::string& lit) {
  if (lit.size() > text.size()) return false;
  for (size_t i = 0; i + lit.size() <= text.size(); ++i) {
    size_t k = 0;
    while (k < lit.size() && Lower(text[i + k]) == Lower(lit[k])) ++k;
    if (k == lit.size()) return true;
  }
  return false;
}

TEST(GramSieve, AnswersAsACaselessSearchDoes) {
  std::mt19937 rng(12345);
  // A small alphabet, so texts often share windows with literals without
  // holding them (the near misses a sieve could get wrong).
  const std::string alphabet = "abcdeABCDE.-_019xyz";
  // Texts also hold bytes >= 0x80 whose low seven bits are letters (0xC1
  // is 'A' | 0x80): no case to fold, never equal to a literal's byte.
  const std::string text_alphabet = alphabet + "\xc1\xe1\x80\xff";
  auto pick_from = [&](const std::string& from, size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += from[rng() % from.size()];
    return s;
  };
  auto pick = [&](size_t n) { return pick_from(alphabet, n); };
  size_t held = 0, without = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> literals;
    size_t n = 1 + rng() % 60;
    for (size_t i = 0; i < n; ++i) literals.push_back(pick(GramSieve::kWindow + rng() % 12));
    GramSieve sieve;
    sieve.Build(literals);
    ASSERT_TRUE(sieve.enabled());
    for (int t = 0; t < 400; ++t) {
      std::string text = pick_from(text_alphabet, rng() % (GramSieve::kMaxText + 1));
      if (t % 2 == 0 && !literals.empty()) {
        // A literal inside, its letters' case flipped at random.
        std::string lit = literals[rng() % literals.size()];
        for (char& c : lit)
          if (rng() % 2 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) c ^= 0x20;
        size_t at = text.empty() ? 0 : rng() % text.size();
        text.insert(at, lit);
        if (text.size() > GramSieve::kMaxText) text.resize(GramSieve::kMaxText);
      }
      bool holds = false;
      for (const auto& l : literals) holds = holds || HoldsCaseless(text, l);
      held += holds;
      without += !holds;
      ASSERT_EQ(sieve.Check(text),
                holds ? GramSieve::Answer::kFound : GramSieve::Answer::kNone)
          << "\"" << text << "\"";
    }
  }
  EXPECT_GT(held, 10000u);
  EXPECT_GT(without, 10000u);
}

TEST(GramSieve, OffWhenALiteralIsShorterThanAWindowOrTooManyLiterals) {
  GramSieve sieve;
  sieve.Build({"pastebin.com", "t.me"});
  EXPECT_TRUE(sieve.enabled());
  sieve.Build({"pastebin.com", "abc"});
  EXPECT_FALSE(sieve.enabled());
  EXPECT_EQ(sieve.Check("www.example.org"), GramSieve::Answer::kUndecided);
  std::vector<std::string> many;
  for (size_t i = 0; i <= GramSieve::kMaxLiterals; ++i) many.push_back("name" + std::to_string(i));
  sieve.Build(many);
  EXPECT_FALSE(sieve.enabled());
  EXPECT_EQ(sieve.Check("www.example.org"), GramSieve::Answer::kUndecided);
  sieve.Build({});
  EXPECT_FALSE(sieve.enabled());
}

TEST(GramSieve, LongTextsAreLeftToTheScan) {
  GramSieve sieve;
  sieve.Build({"pastebin.com"});
  EXPECT_EQ(sieve.Check(std::string(GramSieve::kMaxText, 'q')), GramSieve::Answer::kNone);
  EXPECT_EQ(sieve.Check(std::string(GramSieve::kMaxText + 1, 'q')),
            GramSieve::Answer::kUndecided);
  EXPECT_EQ(sieve.Check("abc"), GramSieve::Answer::kNone);  // shorter than any literal
  EXPECT_EQ(sieve.Check(""), GramSieve::Answer::kNone);
  // At the text's ends, and a near miss.
  EXPECT_EQ(sieve.Check("PasteBin.COM"), GramSieve::Answer::kFound);
  EXPECT_EQ(sieve.Check("x.pastebin.com"), GramSieve::Answer::kFound);
  EXPECT_EQ(sieve.Check("pastebin.co"), GramSieve::Answer::kNone);
  EXPECT_EQ(sieve.Check("pastebin-mirror.example.net"), GramSieve::Answer::kNone);
}

// With the built-in rules the gate's literals are sieved: names are
// decided without the scan, the listed ones found, near misses not.
TEST(GramSieve, DecidesCommonNamesUnderTheBuiltInRules) {
  EngineCore::Options o;
  auto core = EngineCore::Create(std::move(o));
  ASSERT_TRUE(core.ok()) << core.status();
  const GramSieve& sieve = (*core)->prefilter()->sieve();
  ASSERT_TRUE(sieve.enabled());
  for (const char* name : {"www.microsoft.com", "ocsp.digicert.com", "www.bing.com",
                           "time.windows.com", "update.googleapis.net",
                           "pastebin-mirror.example.net", "ctldl.windowsupdate.com"})
    EXPECT_EQ(sieve.Check(name), GramSieve::Answer::kNone) << name;
  for (const char* name : {"pastebin.com", "RAW.GITHUBUSERCONTENT.COM", "api.telegram.org",
                           "x.ngrok.io", "cdn.discordapp.com"})
    EXPECT_EQ(sieve.Check(name), GramSieve::Answer::kFound) << name;
}

}  // namespace
}  // namespace c2s::runtime
