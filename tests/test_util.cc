#include "test_util.h"

#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "rules/exclusions_loader.h"
#include "util/json_text.h"

namespace c2s::testing {

std::string SourcePath(std::string_view relative) {
  return std::string(C2S_SOURCE_DIR) + "/" + std::string(relative);
}

std::string SharedPath(std::string_view relative) {
  return std::string(C2S_SHARED_DIR) + "/" + std::string(relative);
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const rules::Node* FindCommentedList(const rules::Node& n, const std::string& comment) {
  if (n.comment == comment) {
    if (n.kind == rules::NodeKind::kWildcard) return &n;
    for (const auto& c : n.children)
      if (c.kind == rules::NodeKind::kWildcard && c.field != "dns.question.name") return &c;
  }
  for (const auto& c : n.children)
    if (const auto* f = FindCommentedList(c, comment)) return f;
  return nullptr;
}

bool IsValidJson(std::string_view text) {
  return nlohmann::json::accept(text.begin(), text.end());
}

namespace {
bool DuplicatesIn(std::string_view s, size_t i) {
  i = json_text::SkipSpace(s, i);
  if (i >= s.size()) return false;
  bool dup = false;
  if (s[i] == '{') {
    std::set<std::string_view> keys;
    json_text::ForEachMember(s, i, [&](const json_text::Member& m) {
      if (!keys.insert(m.raw_key).second) dup = true;
      if (DuplicatesIn(s, m.value_begin)) dup = true;
      return !dup;
    });
  } else if (s[i] == '[') {
    json_text::ForEachElement(s, i, [&](size_t b, size_t) {
      if (DuplicatesIn(s, b)) dup = true;
      return !dup;
    });
  }
  return dup;
}
}  // namespace

bool HasDuplicateKeys(std::string_view text) { return DuplicatesIn(text, 0); }

Harness::Harness(const std::string& exclusions_json, event::MatchMode mode,
                 std::string force_profile, std::vector<std::string> enable_profiles,
                 bool prefilter) {
  runtime::EngineCore::Options o;
  o.prefilter = prefilter;
  o.mode = mode;
  o.force_profile = std::move(force_profile);
  o.enable_profiles = std::move(enable_profiles);
  rules::ExclusionSet ex;
  if (!exclusions_json.empty()) {
    auto parsed = rules::ParseExclusions(exclusions_json, "test-exclusions");
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    if (parsed.ok()) {
      ex = *parsed;
      o.exclusions = &ex;
    }
  }
  auto c = runtime::EngineCore::Create(std::move(o));
  EXPECT_TRUE(c.ok()) << c.status();
  core = *c;
  session = std::make_unique<runtime::Session>(core);
}

Harness::Harness(std::vector<rules::Ruleset> rulesets, bool builtin,
                 std::vector<std::string> enable_profiles) {
  runtime::EngineCore::Options o;
  o.builtin_rulesets = builtin;
  o.rulesets = std::move(rulesets);
  o.enable_profiles = std::move(enable_profiles);
  auto c = runtime::EngineCore::Create(std::move(o));
  EXPECT_TRUE(c.ok()) << c.status();
  core = *c;
  session = std::make_unique<runtime::Session>(core);
}

Event::Event() {
  doc_ = nlohmann::ordered_json::parse(R"({
    "@timestamp": "2026-11-28T10:00:00.000Z",
    "event": {"category": ["network"], "action": "lookup_requested", "kind": "event"},
    "host": {"name": "ws-001", "os": {"type": "windows", "family": "windows"}},
    "dns": {"question": {"name": "pastebin.com", "type": "A"}},
    "process": {"executable": "C:\\Users\\Public\\evil.exe", "name": "evil.exe", "pid": 4242},
    "user": {"domain": "CORP", "id": "S-1-5-21-1-2-3-1001", "name": "alice"}
  })");
}

Event& Event::Exe(std::string v) {
  size_t slash = v.find_last_of('\\');
  Set("/process/name", slash == std::string::npos ? v : v.substr(slash + 1));
  return Set("/process/executable", v);
}

Event& Event::Set(const std::string& pointer, nlohmann::json v) {
  doc_[nlohmann::ordered_json::json_pointer(pointer)] = v;
  return *this;
}

Event& Event::Erase(const std::string& pointer) {
  auto p = nlohmann::ordered_json::json_pointer(pointer);
  doc_[p.parent_pointer()].erase(p.back());
  return *this;
}

}  // namespace c2s::testing

namespace c2s::testing {

std::vector<std::string> EventCorpora() {
  return {C2S_SOURCE_DIR "/samples/ecs-dns-events.ndjson", C2S_SOURCE_DIR "/tests/cli/sources.ndjson",
          C2S_SOURCE_DIR "/tests/cli/events.ndjson",
          C2S_SOURCE_DIR "/tests/integration/typed-events.ndjson",
          C2S_SHARED_DIR "/data/sysmon-dns/otrf.ndjson",
          C2S_SHARED_DIR "/data/sysmon-dns/sigma_regression.ndjson"};
}

}  // namespace c2s::testing
