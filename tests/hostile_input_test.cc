// Hostile input through the NDJSON ABI and the c2sieve command: one output
// line per input line, every line that is not enriched byte for byte
// unchanged, every enriched one valid JSON, and the error counter equal to
// the number of bad events (with the prefilter off; with it on, bad events
// that are well-framed objects holding none of the rules' literals are
// passed on unread and counted as prefiltered). Limits are configurable.
#include "c2sieve.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

const std::string kMatch =
    R"({"event":{"category":["network"]},"host":{"os":{"type":"windows"}},)"
    R"("dns":{"question":{"name":"pastebin.com"}},"process":{"name":"x.exe"}})";

struct Line {
  std::string text;
  bool bad;      // must be counted as an error (prefilter off)
  bool matches;  // must be enriched
  bool unread = false;  // bad, but the prefilter passes it on unread
};

std::vector<Line> Corpus() {
  std::vector<Line> c;
  c.push_back({kMatch, false, true});
  c.push_back({kMatch.substr(0, kMatch.size() / 2), true, false});           // truncated
  c.push_back({"{\"dns\":\"\xff\xfe\xfd\"}", true, false});                  // invalid UTF-8
  c.push_back({std::string("{\"a\":\"x\0y\"}", 11), true, false});            // raw NUL
  c.push_back({"", false, false});                                            // empty line
  c.push_back({"   \t", false, false});                                       // blank line
  c.push_back({kMatch + "\r", false, true});                                  // CRLF
  std::string big = kMatch;
  big.insert(big.size() - 1, ",\"padding\":\"" + std::string(10u << 20, 'a') + "\"");
  c.push_back({big, false, true});                                            // 10 MB field
  std::string huge = kMatch;
  huge.insert(huge.size() - 1, ",\"padding\":\"" + std::string(17u << 20, 'b') + "\"");
  c.push_back({huge, true, false});                                           // over 16 MiB
  c.push_back({"{\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}", true, false,
               true});
  // Too deep, but it holds a listed domain: read, and counted.
  c.push_back({"{\"a\":" + std::string(10000, '[') + "\"pastebin.com\"" +
                   std::string(10000, ']') + "}",
               true, false});
  c.push_back({R"({"dns":{"question":{"name":"x.com"}},"dns":{"question":{"name":"pastebin.com"}},)"
               R"("event":{"category":"network"},"host":{"os":{"type":"windows"}},"process":{"name":"a"}})",
               false, true});                                                 // duplicate keys
  c.push_back({R"({"event":{"category":7},"host":{"os":{"type":1.5}},"dns":{"question":{"name":42}},)"
               R"("process":{"name":true}})", false, false});                 // numbers for strings
  c.push_back({"[1,2,3]", true, false});
  c.push_back({"\"just a string\"", true, false});
  c.push_back({"{} {}", true, false, true});
  c.push_back({"{\"n\":\"pastebin.com\"} {}", true, false});
  c.push_back({"not json", true, false});
  // JSON's grammar allows it, but no double holds it (Elasticsearch would
  // refuse it too): passed through and counted.
  c.push_back({"{\"k\":1e999}", true, false, true});
  c.push_back({"{\"k\":1e999,\"dns\":\"pastebin.com\"}", true, false});
  c.push_back({std::string("{\"k\":\"\x01\"}"), true, false});  // raw control byte
  return c;
}

std::string Joined(const std::vector<Line>& lines) {
  std::string s;
  for (const auto& l : lines) s += l.text + "\n";
  return s;
}

void CheckOutput(const std::vector<Line>& lines, const std::string& out) {
  std::vector<std::string> got;
  size_t p = 0;
  for (size_t nl; (nl = out.find('\n', p)) != std::string::npos; p = nl + 1)
    got.push_back(out.substr(p, nl - p));
  ASSERT_EQ(got.size(), lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    bool enriched = got[i].find("\"c2sieve\":{") != std::string::npos &&
                    lines[i].text.find("\"c2sieve\":{") == std::string::npos;
    EXPECT_EQ(enriched, lines[i].matches) << "line " << i;
    if (enriched) {
      EXPECT_TRUE(nlohmann::json::accept(got[i])) << "line " << i;
    } else {
      EXPECT_TRUE(got[i] == lines[i].text) << "line " << i << " changed";
    }
  }
}

// Events counted as errors with the prefilter on or off.
size_t Bad(const std::vector<Line>& lines, bool prefilter) {
  size_t n = 0;
  for (const auto& l : lines) n += l.bad && !(prefilter && l.unread);
  return n;
}

TEST(HostileInput, ThroughTheNdjsonAbi) {
  auto lines = Corpus();
  std::string in = Joined(lines);
  for (bool prefilter : {true, false}) {
    SCOPED_TRACE(prefilter ? "prefilter on" : "prefilter off");
    c2s_options* o = nullptr;
    ASSERT_EQ(c2s_options_create(&o), C2S_OK);
    ASSERT_EQ(c2s_options_set(o, "prefilter", prefilter ? "on" : "off"), C2S_OK);
    c2s_engine* e = nullptr;
    c2s_session* s = nullptr;
    ASSERT_EQ(c2s_engine_create_with_options(o, &e), C2S_OK) << c2s_last_error();
    c2s_options_free(o);
    ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
    c2s_batch_result r;
    ASSERT_EQ(c2s_eval_ndjson(s, in.data(), in.size(), 0, &r), C2S_OK);
    EXPECT_EQ(r.lines, lines.size());
    EXPECT_EQ(r.error_lines, Bad(lines, prefilter));
    CheckOutput(lines, std::string(r.data, r.size));
    c2s_stats st;
    c2s_engine_stats(e, &st);
    EXPECT_EQ(st.errors, Bad(lines, prefilter));
    c2s_session_free(s);
    c2s_engine_free(e);
  }
}

TEST(HostileInput, ThroughTheCommand) {
  auto lines = Corpus();
  std::string dir = ::testing::TempDir();
  std::string in_path = dir + "/hostile.ndjson", out_path = dir + "/hostile.out",
              err_path = dir + "/hostile.err";
  std::ofstream(in_path, std::ios::binary) << Joined(lines);
  for (bool prefilter : {true, false}) {
    std::string cmd = std::string(C2S_CLI) + " scan --no-progress --prefilter " +
                      (prefilter ? "on " : "off ") + in_path + " > " + out_path + " 2> " +
                      err_path;
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream out(out_path, std::ios::binary), err(err_path);
    std::string o((std::istreambuf_iterator<char>(out)), {}),
        summary((std::istreambuf_iterator<char>(err)), {});
    CheckOutput(lines, o);
    EXPECT_NE(summary.find(std::to_string(Bad(lines, prefilter)) + " errors"),
              std::string::npos)
        << summary;
  }
}

TEST(HostileInput, LimitsAreConfigurable) {
  c2s_engine_config cfg;
  c2s_engine_config_init(&cfg);
  cfg.max_event_bytes = 200;
  cfg.max_depth = 4;  // kMatch nests objects three deep
  c2s_engine* e = nullptr;
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_engine_create(&cfg, &e), C2S_OK);
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  c2s_output out;
  EXPECT_EQ(c2s_eval_json(s, kMatch.data(), kMatch.size(), &out), C2S_OK);  // 150-odd bytes
  EXPECT_EQ(out.matched_rules, 1u);
  std::string longer = kMatch;
  longer.insert(longer.size() - 1, ",\"pad\":\"" + std::string(100, 'x') + "\"");
  EXPECT_EQ(c2s_eval_json(s, longer.data(), longer.size(), &out), C2S_E_EVENT);
  EXPECT_NE(std::string(c2s_last_error()).find("size limit"), std::string::npos);
  std::string deep = R"({"a":{"b":{"c":{"d":{"e":"pastebin.com"}}}}})";
  EXPECT_EQ(c2s_eval_json(s, deep.data(), deep.size(), &out), C2S_E_EVENT);
  EXPECT_NE(std::string(c2s_last_error()).find("deeper"), std::string::npos);
  EXPECT_EQ(out.data, deep.data());
  // No listed domain in its bytes: the prefilter passes it on unread.
  std::string unlisted = R"({"a":{"b":{"c":{"d":{"e":"example.org"}}}}})";
  EXPECT_EQ(c2s_eval_json(s, unlisted.data(), unlisted.size(), &out), C2S_OK);
  EXPECT_EQ(out.matched_rules, 0u);
  c2s_session_free(s);
  c2s_engine_free(e);
}

}  // namespace
