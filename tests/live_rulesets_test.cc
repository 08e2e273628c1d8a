// Live rulesets through the ABI (issue 15): a watched feed replaced while
// evaluations run on other threads -- good and bad versions alternating --
// never mis-tags an event and never loses the built-in rule's match;
// indicators whose validity ends drop out without a push; a version that
// reads a field the engine does not is refused; a URL feed is polled with
// conditional requests from a real nginx.
#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "c2sieve.h"
#include "live_test_util.h"

namespace {

using namespace c2s::live_test;

const char* const kBuiltinEvent = kBuiltinMatch;

std::string DnsEvent(const std::string& name) {
  return R"({"dns":{"question":{"name":")" + name + R"("}}})";
}

// A feed ruleset of version `v` listing `names`, each indicator's id
// "<name>-v<v>", and the rule named "Feed v<v>": an enrichment that mixed
// two versions would show two different numbers.
std::string Feed(int v, const std::vector<std::string>& names, const std::string& extra_item = "",
                 const std::string& id = "feed") {
  std::string items;
  for (const auto& n : names)
    items += (items.empty() ? "" : ",") + std::string(R"({"value":")") + n + R"(","id":")" + n +
             "-v" + std::to_string(v) + R"("})";
  if (!extra_item.empty()) items += (items.empty() ? "" : ",") + extra_item;
  return R"({"format":"c2sieve.ruleset/1","name":")" + id + R"(","rules":[{"id":")" + id +
         R"(","name":"Feed v)" +
         std::to_string(v) + R"(","severity":"high","risk_score":73,"indicators":{"items":[)" + items +
         "]}}]}";
}

fs::path RulesetTempDir() {
  char tmpl[] = "/tmp/c2s-live-rulesets-XXXXXX";
  return fs::path(mkdtemp(tmpl));
}

c2s_engine* Engine(const std::string& source, Logs* logs, uint32_t interval_ms = 10) {
  c2s_options* o = nullptr;
  EXPECT_EQ(c2s_options_create(&o), C2S_OK);
  EXPECT_EQ(c2s_options_set(o, "builtin", "true"), C2S_OK);
  EXPECT_EQ(c2s_options_set(o, "watch-ruleset", source.c_str()), C2S_OK);
  EXPECT_EQ(c2s_options_set(o, "watch-interval-ms", std::to_string(interval_ms).c_str()), C2S_OK);
  c2s_options_set_log(o, &Logs::Fn, logs);
  c2s_engine* e = nullptr;
  EXPECT_EQ(c2s_engine_create_with_options(o, &e), C2S_OK) << c2s_last_error();
  c2s_options_free(o);
  return e;
}

c2s_ruleset_info Info(c2s_engine* e) {
  c2s_ruleset_info info;
  EXPECT_EQ(c2s_engine_live_ruleset_count(e), 1u);
  EXPECT_EQ(c2s_engine_live_ruleset_info(e, 0, &info), C2S_OK);
  return info;
}

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout = 5000ms) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

// The output of one evaluation ("" when nothing matched).
std::string Eval(c2s_session* s, const std::string& event) {
  c2s_output out;
  if (c2s_eval_json(s, event.data(), event.size(), &out) != C2S_OK) return "error";
  return out.matched_rules ? std::string(out.data, out.size) : "";
}

// The number after `key` in `text` ("" if absent).
std::string NumberAfter(const std::string& text, const std::string& key) {
  size_t at = text.find(key);
  if (at == std::string::npos) return "";
  at += key.size();
  size_t end = at;
  while (end < text.size() && isdigit(static_cast<unsigned char>(text[end]))) ++end;
  return text.substr(at, end - at);
}

// A feed file (version 1 lists a.example) and an engine with the built-in
// rules watching it; both gone when the test ends.
class WatchedFeed : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = RulesetTempDir();
    feed = dir / "feed.json";
    WriteByRename(feed, Feed(1, {"a.example"}));
    e = Engine(feed.string(), &logs);
    ASSERT_NE(e, nullptr);
  }
  void TearDown() override {
    c2s_engine_free(e);
    fs::remove_all(dir);
  }
  fs::path dir, feed;
  Logs logs;
  c2s_engine* e = nullptr;
};

TEST_F(WatchedFeed, FeedReplacedWhileEvaluatingNeverMisTagsOrLosesAMatch) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> evaluations{0}, mixed{0}, lost_builtin{0}, errors{0}, a_hits{0}, b_hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&] {
      c2s_session* s = nullptr;
      if (c2s_session_create(e, &s) != C2S_OK) {
        ++errors;
        return;
      }
      while (!stop.load()) {
        if (Eval(s, kBuiltinEvent).find("\"rule\"") == std::string::npos) ++lost_builtin;
        for (const char* name : {"a.example", "b.example"}) {
          std::string out = Eval(s, DnsEvent(name));
          ++evaluations;
          if (out == "error") ++errors;
          if (out.empty() || out == "error") continue;
          (name[0] == 'a' ? a_hits : b_hits)++;
          // The rule's version and the indicator's must be the same one.
          std::string rule_v = NumberAfter(out, "\"name\":\"Feed v");
          std::string ind_v = NumberAfter(out, std::string("\"id\":\"") + name + "-v");
          if (rule_v.empty() || rule_v != ind_v) ++mixed;
        }
      }
      c2s_session_free(s);
    });
  // Good and bad versions alternating: a bad document, and a rule reading
  // a field the engine does not read, are refused; the last good stays.
  const std::string bad_json = "{\"format\":";
  const std::string new_field =
      R"({"format":"c2sieve.ruleset/1","name":"feed","rules":[{"id":"feed","name":"Feed v9",)"
      R"("query":{"field":"url.full","wildcard":["*evil*"]}}]})";
  uint64_t swaps = Info(e).swaps, rejects = 0;
  for (int round = 0; round < 6; ++round) {
    int v = 2 + round;
    WriteByRename(feed, Feed(v, round % 2 ? std::vector<std::string>{"b.example"}
                                          : std::vector<std::string>{"a.example", "b.example"}));
    ASSERT_TRUE(WaitFor([&] { return Info(e).swaps > swaps; })) << "version " << v << " not applied";
    swaps = Info(e).swaps;
    std::this_thread::sleep_for(20ms);
    WriteByRename(feed, round % 2 ? bad_json : new_field);
    ASSERT_TRUE(WaitFor([&] { return Info(e).rejects > rejects; })) << "bad version not refused";
    rejects = Info(e).rejects;
    std::this_thread::sleep_for(20ms);
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_GT(evaluations.load(), 100u);
  EXPECT_GT(a_hits.load(), 0u);
  EXPECT_GT(b_hits.load(), 0u);
  EXPECT_EQ(mixed.load(), 0u);
  EXPECT_EQ(lost_builtin.load(), 0u);
  EXPECT_EQ(errors.load(), 0u);
  c2s_ruleset_info info = Info(e);
  EXPECT_EQ(info.rejects, 6u);
  EXPECT_EQ(info.rules, 1u);
  // The last good version (v7: b only) is in force.
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  EXPECT_EQ(Eval(s, DnsEvent("a.example")), "");
  EXPECT_NE(Eval(s, DnsEvent("b.example")).find("\"id\":\"b.example-v7\""), std::string::npos);
  c2s_session_free(s);
  EXPECT_TRUE(logs.Contains("url.full"));  // the refusal names the field
  EXPECT_TRUE(logs.Contains("not valid JSON"));
}

std::string Rfc3339(std::time_t t) {
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

TEST(LiveRulesets, IndicatorsComeAndGoWithTheirWindowWithoutAPush) {
  // The window opens and closes `window` seconds after the feed is written.
  // Under a sanitizer on a loaded machine, starting the engine can take
  // longer than that; the test then cannot see the state before the
  // boundary and tries again with a wider window (it never skips).
  for (int window : {2, 6, 20}) {
    SCOPED_TRACE("window " + std::to_string(window) + " s");
    fs::path dir = RulesetTempDir();
    fs::path feed = dir / "feed.json";
    std::time_t boundary = std::time(nullptr) + window;
    std::string at = Rfc3339(boundary);
    WriteByRename(feed, Feed(1, {"always.example"},
                             R"({"value":"ending.example","valid_until":")" + at + R"("},)"
                             R"({"value":"starting.example","valid_from":")" + at + R"("})"));
    Logs logs;
    c2s_engine* e = Engine(feed.string(), &logs, 50);
    ASSERT_NE(e, nullptr);
    c2s_session* s = nullptr;
    ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
    std::string ending = Eval(s, DnsEvent("ending.example"));
    std::string starting = Eval(s, DnsEvent("starting.example"));
    // The window is [valid_from, valid_until): both evaluations above ran
    // before the boundary if the clock has not reached it yet.
    bool before_boundary = std::time(nullptr) < boundary;
    if (before_boundary) {
      EXPECT_NE(ending, "");
      EXPECT_EQ(starting, "");
      // No new version is written; the watcher's next look after the window
      // changes recompiles.
      EXPECT_TRUE(WaitFor([&] { return Eval(s, DnsEvent("ending.example")).empty(); },
                          std::chrono::seconds(window + 5)))
          << "an expired indicator still matches";
      EXPECT_NE(Eval(s, DnsEvent("starting.example")), "");
      EXPECT_NE(Eval(s, DnsEvent("always.example")), "");
      EXPECT_NE(Eval(s, kBuiltinEvent), "");
      EXPECT_EQ(Info(e).swaps, 0u);  // nothing was pushed
      EXPECT_TRUE(logs.Contains("rules recompiled"));
    }
    c2s_session_free(s);
    c2s_engine_free(e);
    fs::remove_all(dir);
    if (before_boundary) return;
  }
  FAIL() << "the engine never started before its feed's window changed, even with 20 s";
}

TEST_F(WatchedFeed, RulesKeepTheirIndexAndCountsAcrossVersions) {
  size_t before = c2s_engine_rule_count(e);
  size_t feed_index = before;
  for (size_t i = 0; i < before; ++i)
    if (std::string(c2s_engine_rule_id(e, i)) == "feed") feed_index = i;
  ASSERT_LT(feed_index, before);
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  EXPECT_NE(Eval(s, DnsEvent("a.example")), "");
  // A version with another rule id: the old id stays listed with its count.
  WriteByRename(feed, R"({"format":"c2sieve.ruleset/1","name":"feed","rules":[{"id":"feed-2","name":"Feed two",)"
                      R"("indicators":{"items":["c.example"]}}]})");
  ASSERT_TRUE(WaitFor([&] { return Info(e).swaps == 1; }));
  EXPECT_NE(Eval(s, DnsEvent("c.example")), "");
  EXPECT_NE(Eval(s, DnsEvent("c.example")), "");
  EXPECT_EQ(Eval(s, DnsEvent("a.example")), "");
  ASSERT_EQ(c2s_engine_rule_count(e), before + 1);
  EXPECT_STREQ(c2s_engine_rule_id(e, before), "feed-2");
  EXPECT_STREQ(c2s_engine_rule_id(e, feed_index), "feed");
  EXPECT_EQ(c2s_engine_rule_matches(e, feed_index), 1u);
  EXPECT_EQ(c2s_engine_rule_matches(e, before), 2u);
  c2s_session_free(s);
}

// A rule's enrichment operations are built once and reused for its later
// matches: a new version of the rule (same id, new name) must bring its
// own, at the first match after the swap.
TEST_F(WatchedFeed, EnrichmentOperationsFollowEachVersionOfARule) {
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  auto rule_name = [&]() -> std::string {
    const std::string event = DnsEvent("a.example");
    c2s_output out;
    if (c2s_eval_json(s, event.data(), event.size(), &out) != C2S_OK || out.matched_rules != 1)
      return "no match";
    const c2s_enrich_op* ops = nullptr;
    size_t n = 0;
    if (c2s_session_enrichment_ops(s, &ops, &n) != C2S_OK) return "error";
    for (size_t i = 0; i < n; ++i)
      if (std::string(ops[i].path) == "rule.name" && ops[i].value_count == 1)
        return std::string(ops[i].values[0].data, ops[i].values[0].size);
    return "no rule.name";
  };
  EXPECT_EQ(rule_name(), "Feed v1");
  EXPECT_EQ(rule_name(), "Feed v1");  // reused
  // Several versions: one freed may leave its memory to a later one.
  for (int v = 2; v <= 6; ++v) {
    WriteByRename(feed, Feed(v, {"a.example"}));
    ASSERT_TRUE(WaitFor([&] { return Info(e).swaps == static_cast<uint64_t>(v - 1); }))
        << Info(e).last_error;
    EXPECT_EQ(rule_name(), "Feed v" + std::to_string(v));
    EXPECT_EQ(rule_name(), "Feed v" + std::to_string(v));
  }
  c2s_session_free(s);
}

// A host that reads only one phase's fields (c2s_eval_gate, then
// c2s_eval_query) is told when a new version reads another field, before
// it could miss a match there: the phase answers 2 until the host has asked
// for the fields again.
using FieldsFn = c2s_status (*)(c2s_session*, const int32_t**, size_t*);
using PhaseFn = c2s_status (*)(c2s_session*, const c2s_value*, size_t, int*);

void PhaseIsStaleWhenANewVersionReadsAnotherField(c2s_engine* e, const fs::path& feed,
                                                  FieldsFn fields_of, PhaseFn phase) {
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  const int host = c2s_engine_field_index(e, "host.name");
  ASSERT_GE(host, 0);
  auto listed = [&](const int32_t* fields, size_t n) {
    for (size_t i = 0; i < n; ++i)
      if (fields[i] == host) return true;
    return false;
  };
  const int32_t* fields = nullptr;
  size_t n = 0;
  ASSERT_EQ(fields_of(s, &fields, &n), C2S_OK);
  EXPECT_FALSE(listed(fields, n));
  const c2s_value value{host, C2S_VALUE_STRING, "x.phase.example", 15, {}};
  int may = -1;
  ASSERT_EQ(phase(s, &value, 1, &may), C2S_OK);
  EXPECT_EQ(may, 0);  // no rule reads host.name yet
  WriteByRename(feed,
                R"({"format":"c2sieve.ruleset/1","name":"feed","rules":[{"id":"host-phase","name":"Host",)"
                R"("severity":"high","risk_score":73,"query":{"all":[)"
                R"({"field":"host.name","wildcard":["*.phase.example"]}]}}]})");
  ASSERT_TRUE(WaitFor([&] { return Info(e).swaps == 1; })) << Info(e).last_error;
  // The host still holds the old list: it is told to evaluate in full.
  ASSERT_EQ(phase(s, &value, 1, &may), C2S_OK);
  EXPECT_EQ(may, 2);
  size_t matched = 0;
  ASSERT_EQ(c2s_eval_fields(s, &value, 1, &matched), C2S_OK);
  EXPECT_EQ(matched, 1u);
  ASSERT_EQ(fields_of(s, &fields, &n), C2S_OK);
  EXPECT_TRUE(listed(fields, n));
  ASSERT_EQ(phase(s, &value, 1, &may), C2S_OK);
  EXPECT_EQ(may, 1);
  c2s_session_free(s);
}

TEST_F(WatchedFeed, TheGateIsStaleWhenANewVersionReadsAnotherField) {
  PhaseIsStaleWhenANewVersionReadsAnotherField(e, feed, &c2s_session_gate_fields, &c2s_eval_gate);
}

TEST_F(WatchedFeed, TheQueryIsStaleWhenANewVersionReadsAnotherField) {
  PhaseIsStaleWhenANewVersionReadsAnotherField(e, feed, &c2s_session_query_fields,
                                               &c2s_eval_query);
}

TEST(LiveRulesets, BadSourcesAreErrorsAndWatchingByCallWorks) {
  fs::path dir = RulesetTempDir();
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  Logs logs;
  c2s_engine_set_log(e, &Logs::Fn, &logs);
  c2s_watch_options w;
  c2s_watch_options_init(&w);
  w.interval_ms = 10;
  std::string missing = (dir / "missing.json").string();
  w.source = missing.c_str();
  EXPECT_EQ(c2s_engine_watch_ruleset(e, &w), C2S_E_IO);
  w.source = "ftp://x.example/feed.json";
  EXPECT_EQ(c2s_engine_watch_ruleset(e, &w), C2S_E_INVALID_ARGUMENT);
  std::string good = (dir / "feed.json").string();
  WriteByRename(good, Feed(1, {"a.example"}));
  w.source = good.c_str();
  ASSERT_EQ(c2s_engine_watch_ruleset(e, &w), C2S_OK) << c2s_last_error();
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  EXPECT_NE(Eval(s, DnsEvent("a.example")), "");
  // A second feed whose rule id the first has is refused, naming the id.
  WriteByRename(missing, Feed(3, {"m.example"}));
  w.source = missing.c_str();
  EXPECT_EQ(c2s_engine_watch_ruleset(e, &w), C2S_E_RULESET);
  EXPECT_NE(std::string(c2s_last_error()).find("missing.json:1 /rules/0/indicators: rule id feed is already loaded"), std::string::npos)
      << "[" << c2s_last_error() << "]";
  EXPECT_EQ(Eval(s, DnsEvent("m.example")), "");
  WriteByRename(missing, Feed(3, {"m.example"}, "", "feed-m"));
  EXPECT_EQ(c2s_engine_watch_ruleset(e, &w), C2S_OK) << c2s_last_error();
  EXPECT_NE(Eval(s, DnsEvent("m.example")), "");
  EXPECT_EQ(c2s_engine_live_ruleset_count(e), 2u);
  c2s_engine_unwatch_ruleset(e, nullptr);
  EXPECT_NE(Eval(s, DnsEvent("a.example")), "");  // rules stay after unwatching
  c2s_session_free(s);
  c2s_engine_free(e);
  fs::remove_all(dir);
}

TEST(LiveRulesets, UrlFeedPolledWithConditionalRequests) {
  if (access("/usr/sbin/nginx", X_OK) != 0) GTEST_SKIP() << "nginx is not installed";
  fs::path dir = RulesetTempDir();
  Nginx nginx(dir);
  ASSERT_TRUE(nginx.Accepts()) << "nginx did not start";
  WriteByRename(nginx.www() / "feed.json", Feed(1, {"a.example"}));
  Logs logs;
  c2s_engine* e = Engine(nginx.Url("feed.json"), &logs, 20);
  ASSERT_NE(e, nullptr);
  // Fetched on the watcher's thread, not at creation.
  ASSERT_TRUE(WaitFor([&] { return Info(e).swaps == 1; })) << "feed never fetched";
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  EXPECT_NE(Eval(s, DnsEvent("a.example")), "");
  std::this_thread::sleep_for(100ms);
  EXPECT_NE(nginx.AccessLog().find("\" 304 "), std::string::npos) << "no conditional request";
  // nginx's ETag is the file's mtime in seconds plus its size: a new
  // version written within the same second at the same size would be
  // answered 304. The new version is longer, as a real publisher's
  // next feed may not be (see README, live rulesets).
  WriteByRename(nginx.www() / "feed.json", Feed(2, {"b.example", "bb.example"}));
  ASSERT_TRUE(WaitFor([&] { return Info(e).swaps == 2; }));
  EXPECT_EQ(Eval(s, DnsEvent("a.example")), "");
  EXPECT_NE(Eval(s, DnsEvent("b.example")).find("b.example-v2"), std::string::npos);
  // The server gone: counted, logged, the version in force kept.
  nginx.Stop();
  ASSERT_TRUE(WaitFor([&] { return Info(e).fetch_failures > 0; }));
  EXPECT_NE(Eval(s, DnsEvent("b.example")), "");
  EXPECT_GT(Info(e).consecutive_failures, 0u);
  c2s_session_free(s);
  c2s_engine_free(e);
  fs::remove_all(dir);
}

}  // namespace

namespace {

// A feed as published -- a plain list, then a STIX bundle -- watched
// without converting it: one rule named after the file.
TEST(LiveRulesets, FeedsAreWatchedAsPublished) {
  fs::path dir = RulesetTempDir();
  fs::path feed = dir / "cert-domains.txt";
  WriteByRename(feed, "# CERT list\nEvil.Example.\n192.0.2.7\n");
  Logs logs;
  c2s_engine* e = Engine(feed.string(), &logs);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(logs.Contains("1 entries skipped, the first at line 3: an IP address")) ;
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  std::string out = Eval(s, DnsEvent("evil.example"));
  EXPECT_NE(out.find("\"rule\":{\"id\":\"feed-cert-domains\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"type\":\"indicator_match_rule\""), std::string::npos) << out;
  WriteByRename(feed, R"({"type":"bundle","id":"bundle--1","objects":[
    {"type":"indicator","id":"indicator--9","pattern":"[domain-name:value = 'other.example']",
     "pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","confidence":90}]})");
  ASSERT_TRUE(WaitFor([&] { return Info(e).swaps == 1; })) << Info(e).last_error;
  EXPECT_EQ(Eval(s, DnsEvent("evil.example")), "");
  out = Eval(s, DnsEvent("other.example"));
  EXPECT_NE(out.find("\"id\":\"indicator--9\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"confidence\":\"High\""), std::string::npos) << out;
  c2s_session_free(s);
  c2s_engine_free(e);
  fs::remove_all(dir);
}

}  // namespace
