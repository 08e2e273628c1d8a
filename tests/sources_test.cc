// Every source the rule is run on: each sample event is read with the
// profile its shape calls for and gets the same verdict as the same facts
// written in ECS, in canonical and in parity mode. Then the 2,062 recorded
// Sysmon events of ../shared, against ECS equivalents built here, apart
// from the profiles.
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "profiles/profile_loader.h"
#include "test_util.h"

namespace c2s::testing {
namespace {

using nlohmann::json;

struct Row {
  std::string file, case_name, profile, enable;
  std::string event, ecs;
};

std::vector<Row> LoadRows() {
  std::vector<Row> rows;
  for (const char* f : {"ecs", "sysmon-winlogbeat", "sysmon-azure-monitor",
                        "sysmon-fluentbit-winevtlog", "sysmon-flat", "sentinelone-raw",
                        "sentinelone-ecs", "sysmon-network-winlogbeat", "ecs-connection"}) {
    std::ifstream in(SourcePath(std::string("tests/data/sources/") + f + ".ndjson"));
    EXPECT_TRUE(in) << f;
    for (std::string line; std::getline(in, line);) {
      json j = json::parse(line);
      rows.push_back(Row{f, j["case"], j["profile"], j.value("enable", ""),
                         j["event"].dump(), j["ecs"].dump()});
    }
  }
  return rows;
}

class SourcesTest : public ::testing::TestWithParam<event::MatchMode> {};

// Profiles are checked with the prefilter off (an event it rules out is
// never read, so it has no profile); the verdicts with it on and off.
TEST_P(SourcesTest, EverySourceGivesItsEcsEquivalentsVerdict) {
  // By enabled profile and prefilter.
  std::map<std::pair<std::string, bool>, std::unique_ptr<Harness>> engines;
  auto engine = [&](const std::string& enable, bool prefilter) -> Harness& {
    auto& h = engines[{enable, prefilter}];
    if (!h) {
      std::vector<std::string> on;
      if (!enable.empty()) on.push_back(enable);
      h = std::make_unique<Harness>("", GetParam(), "", on, prefilter);
    }
    return *h;
  };
  std::map<std::string, int> matches_per_source;
  for (const Row& r : LoadRows()) {
    SCOPED_TRACE(r.file + ": " + r.case_name);
    Harness& h = engine(r.enable, false);
    bool ecs_verdict = h.Matches(r.ecs);
    EXPECT_EQ(h.session->profile_name(), "ecs");
    bool source_verdict = h.Matches(r.event);
    EXPECT_EQ(h.session->profile_name(), r.profile);
    EXPECT_EQ(source_verdict, ecs_verdict);
    Harness& fast = engine(r.enable, true);
    EXPECT_EQ(fast.Matches(r.ecs), ecs_verdict);
    EXPECT_EQ(fast.Matches(r.event), source_verdict);
    matches_per_source[r.file] += source_verdict;
  }
  // The cases hold matches and non-matches for every source.
  for (const auto& [file, n] : matches_per_source) {
    EXPECT_GE(n, 2) << file;
    EXPECT_LE(n, 6) << file;
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, SourcesTest,
                         ::testing::Values(event::MatchMode::kCanonical,
                                           event::MatchMode::kParity),
                         [](const auto& info) {
                           return std::string(event::MatchModeName(info.param));
                         });

TEST(Sources, ConnectionProfilesAreOffUnlessEnabled) {
  Harness h;
  for (const Row& r : LoadRows()) {
    if (r.enable.empty()) continue;
    h.Matches(r.event);
    EXPECT_NE(h.session->profile_name(), r.profile) << r.case_name;
  }
}

TEST(Sources, SysmonUserIdIsTheServiceNotTheQueryingUser) {
  // Winlogbeat writes user.id S-1-5-18 (Sysmon's own account) on every
  // event: read as ECS, every Sysmon event would count as SYSTEM.
  Harness h;
  std::string event;
  for (const Row& r : LoadRows())
    if (r.file == "sysmon-winlogbeat" && r.case_name == "powershell from System32 to raw GitHub")
      event = r.event;
  ASSERT_FALSE(event.empty());
  EXPECT_TRUE(h.Matches(event));
  Harness forced_ecs("", event::MatchMode::kCanonical, "ecs");
  EXPECT_FALSE(forced_ecs.Matches(event));
}

// ECS equivalent of a recorded Sysmon DNS event, built without the
// profiles: QueryName, Image and User from wherever this shape keeps them.
std::string EcsOfRecorded(const json& e) {
  json data = e;
  if (e.contains("EventData") && e["EventData"].is_string())
    data = json::parse(e["EventData"].get<std::string>());
  json out = {{"event", {{"category", "network"}}}, {"host", {{"os", {{"type", "windows"}}}}}};
  if (data.contains("QueryName")) out["dns"]["question"]["name"] = data["QueryName"];
  if (data.contains("Image")) {
    std::string image = data["Image"];
    out["process"]["executable"] = image;
    out["process"]["name"] = image.substr(image.find_last_of('\\') + 1);
  }
  if (data.contains("User") && data["User"].is_string()) {
    std::string user = data["User"];
    size_t slash = user.find('\\');
    if (slash != std::string::npos) {
      out["user"]["domain"] = user.substr(0, slash);
      out["user"]["name"] = user.substr(slash + 1);
    } else {
      out["user"]["name"] = user;
    }
  }
  return out.dump();
}

TEST(Sources, RecordedSysmonEventsMatchTheirEcsEquivalents) {
  std::ifstream a(SharedPath("data/sysmon-dns/otrf.ndjson"));
  std::ifstream b(SharedPath("data/sysmon-dns/sigma_regression.ndjson"));
  if (!a || !b) GTEST_SKIP() << "../shared is not beside the checkout";
  Harness h("", event::MatchMode::kCanonical, "", {}, /*prefilter=*/false);
  Harness fast;  // the prefilter on: the same verdicts
  std::map<std::string, int> profiles;
  int events = 0, matches = 0, system_excluded = 0;
  for (std::ifstream* in : {&a, &b}) {
    for (std::string line; std::getline(*in, line);) {
      ++events;
      json e = json::parse(line);
      std::string ecs = EcsOfRecorded(e);
      bool want = h.Matches(ecs);
      bool got = h.Matches(line);
      ++profiles[std::string(h.session->profile_name())];
      EXPECT_EQ(got, want) << line;
      EXPECT_EQ(fast.Matches(line), got) << line;
      matches += got;
      if (!got && line.find("NT AUTHORITY\\\\SYSTEM") != std::string::npos &&
          line.find("raw.githubusercontent.com") != std::string::npos)
        ++system_excluded;
    }
  }
  EXPECT_EQ(events, 2062);
  // NXLog and .evtx exports are flat, the Azure rows carry EventData.
  EXPECT_EQ(profiles["sysmon-flat"], 2060);
  EXPECT_EQ(profiles["sysmon-azure-monitor"], 2);
  // Queries by user-profile OneDrive updaters to g.live.com, PowerShell to
  // raw.githubusercontent.com from Sysmon builds without User, ...
  EXPECT_GE(matches, 30);
  EXPECT_LE(matches, 60);
}

}  // namespace
}  // namespace c2s::testing

namespace c2s::testing {
namespace {

TEST(Sources, AUserProfileNeedsNoRecompile) {
  // A home-grown shipper writing {"q": ..., "exe": ..., "os": ...}.
  auto mine = profiles::ParseProfiles(R"({"format":"c2sieve.profiles/1","profiles":[
    {"name":"acme-dns","priority":100,"detect":{"field":"acme.kind","equals":["dns"]},
     "fields":{"dns.question.name":[{"from":"acme.q"}],
               "process.executable":[{"from":"acme.exe"}],
               "process.name":[{"from":"acme.exe","transform":"basename"}]},
     "defaults":{"host.os.type":"windows","event.category":"network"}}]})", "acme.json");
  ASSERT_TRUE(mine.ok()) << mine.status();
  runtime::EngineCore::Options o;
  o.profiles = *mine;
  auto core = runtime::EngineCore::Create(std::move(o));
  ASSERT_TRUE(core.ok()) << core.status();
  runtime::Session s(*core);
  std::string event = R"({"acme":{"kind":"dns","q":"PASTEBIN.com.","exe":"C:/Temp/x.exe"}})";
  auto r = s.EvalJson(event);
  ASSERT_EQ(r.matched_rules, 1u);
  EXPECT_EQ(s.profile_name(), "acme-dns");
  // The event keeps its own fields; the enrichment is ECS.
  json out = json::parse(r.output);
  EXPECT_EQ(out["acme"]["q"], "PASTEBIN.com.");
  EXPECT_EQ(out["rule"]["id"], "66883649-f908-4a5b-a1e0-54090a1d3a32");
  EXPECT_EQ(out["c2sieve"]["profile"], "acme-dns");
  EXPECT_EQ(out["c2sieve"]["matches"][0]["value"], "pastebin.com");
}

TEST(Sources, ForcedAndEnabledProfilesMustExist) {
  runtime::EngineCore::Options o;
  o.force_profile = "no-such-profile";
  auto core = runtime::EngineCore::Create(std::move(o));
  ASSERT_FALSE(core.ok());
  EXPECT_NE(std::string(core.status().message()).find("no-such-profile"), std::string::npos);
  runtime::EngineCore::Options e;
  e.enable_profiles = {"nope"};
  EXPECT_FALSE(runtime::EngineCore::Create(std::move(e)).ok());
}

TEST(Sources, ProfileErrorsNameFileLineAndPointer) {
  auto bad = profiles::ParseProfiles(R"({"format":"c2sieve.profiles/1","profiles":[
    {"name":"p","fields":{"dns.question.name":[{"from":"q","transform":"upper"}]}}]})",
                                     "p.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message())
                .find("p.json:2 /profiles/0/fields/dns.question.name/0/transform: must be one of"),
            std::string::npos)
      << bad.status();
  bad = profiles::ParseProfiles(R"({"format":"c2sieve.profiles/1","profiles":[{"name":"a"},
    {"name":"a"}]})", "p.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("duplicate profile name a"), std::string::npos);
}

}  // namespace
}  // namespace c2s::testing
