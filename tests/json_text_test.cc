#include "util/json_text.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <random>

#include "util/utf8.h"

namespace c2s::json_text {
namespace {

TEST(JsonText, SkipValueFindsTheEndOfEachKind) {
  std::string_view s = R"({"a":"x\"}","b":[1,{"c":null}],"d":-1.5e3,"e":true})";
  EXPECT_EQ(SkipValue(s, 0), s.size());
  EXPECT_EQ(SkipValue(R"("ab\\")", 0), 6u);
  EXPECT_EQ(SkipValue("123 ", 0), 3u);
  EXPECT_EQ(SkipValue("[1,2", 0), kNpos);
  EXPECT_EQ(SkipValue("\"open", 0), kNpos);
}

TEST(JsonText, DeepNestingNeedsNoStack) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  EXPECT_EQ(SkipValue(deep, 0), deep.size());
}

TEST(JsonText, MembersAndTheirRanges) {
  std::string_view s = R"( { "k1" : "v" , "k\"2":{"x":[1]} } )";
  std::vector<std::pair<std::string, std::string>> got;
  size_t end = ForEachMember(s, SkipSpace(s, 0), [&](const Member& m) {
    got.emplace_back(std::string(m.raw_key),
                     std::string(s.substr(m.value_begin, m.value_end - m.value_begin)));
    return true;
  });
  EXPECT_EQ(end, s.size() - 1);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (std::pair<std::string, std::string>{"k1", "\"v\""}));
  EXPECT_EQ(got[1], (std::pair<std::string, std::string>{"k\\\"2", R"({"x":[1]})"}));
}

TEST(JsonText, LineOfPointer) {
  std::string_view s = "{\n  \"rules\": [\n    {\"id\": 1},\n    {\n      \"id\": 2\n    }\n  ]\n}";
  EXPECT_EQ(LineOfPointer(s, ""), 1);
  EXPECT_EQ(LineOfPointer(s, "/rules"), 2);
  EXPECT_EQ(LineOfPointer(s, "/rules/0/id"), 3);
  EXPECT_EQ(LineOfPointer(s, "/rules/1/id"), 5);
  EXPECT_EQ(LineOfPointer(s, "/rules/1/missing"), 4);  // deepest that exists
  EXPECT_EQ(LineOfPointer(s, "/rules/7"), 2);
}

TEST(JsonText, PointerLinesAnswersManyQuestionsAsLineOfPointer) {
  std::string_view s =
      "\n {\"a~b\": {\"x/y\": 1},\n \"dup\": 1,\n \"dup\": 2,\n \"k\\\"q\": 3,\n"
      " \"list\": [\n  0,\n  [1,\n   2],\n  {\"in\": \"v\"}\n ]}\n";
  PointerLines lines(s);
  // Asked twice each, in an order that revisits containers.
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(lines.Line(""), 2);
    EXPECT_EQ(lines.Line("/a~0b/x~1y"), 2);  // ~0 is ~, ~1 is /
    EXPECT_EQ(lines.Line("/dup"), 3);        // the first of a repeated key
    EXPECT_EQ(lines.Line("/k\\\"q"), 5);     // keys compare as written
    EXPECT_EQ(lines.Line("/list/1/1"), 9);
    EXPECT_EQ(lines.Line("/list/0"), 7);
    EXPECT_EQ(lines.Line("/list/2/in"), 10);
    EXPECT_EQ(lines.Line("/list/3"), 6);     // deepest that exists
    EXPECT_EQ(lines.Line("/list/x"), 6);     // not an index
    EXPECT_EQ(lines.Line("/list/0/deeper"), 7);  // a scalar has no children
    EXPECT_EQ(lines.Line("/missing/0"), 2);
  }
  for (std::string_view p : {"", "/a~0b/x~1y", "/dup", "/list/1/1", "/list/3", "/list/0/deeper"})
    EXPECT_EQ(LineOfPointer(s, p), lines.Line(p)) << p;
}

TEST(JsonText, QuotingEscapesAndRepairsUtf8) {
  std::string out;
  AppendQuoted(out, std::string_view("a\"b\\c\n\x01\xc3\xa9", 9));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
  out.clear();
  AppendQuoted(out, std::string_view("x\xff\xc3", 3));  // invalid UTF-8
  EXPECT_EQ(out, "\"x\xef\xbf\xbd\xef\xbf\xbd\"");  // U+FFFD twice
}

// A reference for the quoting, written another way: one byte at a time,
// escapes from a table, other control bytes as \u00XX by snprintf.
std::string QuotedByteByByte(std::string_view v) {
  static const std::map<char, std::string> kEscapes = {
      {'"', "\\\""}, {'\\', "\\\\"}, {'\n', "\\n"}, {'\r', "\\r"},
      {'\t', "\\t"}, {'\b', "\\b"}, {'\f', "\\f"}};
  std::string out = "\"";
  size_t i = 0;
  while (i < v.size()) {
    unsigned char c = static_cast<unsigned char>(v[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(v, i);
      out += n == 0 ? std::string("\xef\xbf\xbd") : std::string(v.substr(i, n));
      i += n == 0 ? 1 : n;
      continue;
    }
    auto escape = kEscapes.find(static_cast<char>(c));
    if (escape != kEscapes.end()) {
      out += escape->second;
    } else if (c < 0x20) {
      char u[8];
      std::snprintf(u, sizeof u, "\\u%04x", c);
      out += u;
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  return out + "\"";
}

TEST(JsonText, QuotingAgreesWithTheByteByByteReferenceOnRandomBytes) {
  std::mt19937 rng(12);
  // Mostly plain text with every kind of byte mixed in: escapes, controls,
  // valid and broken UTF-8 sequences, runs ending at the last byte.
  const std::string pieces[] = {"a", "pastebin.com", "\"", "\\", "\n", "\x01", "\x1f",
                                "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", " ", "\t"};
  for (int round = 0; round < 20000; ++round) {
    std::string v;
    int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) v += pieces[rng() % (sizeof pieces / sizeof pieces[0])];
    std::string out = "prefix";
    AppendQuoted(out, v);
    ASSERT_EQ(out, "prefix" + QuotedByteByByte(v)) << round;
  }
}

}  // namespace
}  // namespace c2s::json_text
