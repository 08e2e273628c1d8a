#include "sample_events.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "engine/wildcard.h"
#include "rules/ruleset_loader.h"

namespace c2s::samples {

namespace {

using Json = nlohmann::ordered_json;

// splitmix64: tiny, fast, and identical on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[Below(v.size())]; }
  std::string Hex(size_t n) {
    static const char k[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) s += k[Below(16)];
    return s;
  }
  std::string Label(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += static_cast<char>('a' + Below(26));
    return s;
  }

 private:
  uint64_t s_;
};

const std::vector<std::string> kBenignDomains = {
    "www.microsoft.com", "login.microsoftonline.com", "outlook.office365.com",
    "www.google.com", "update.googleapis.net", "settings-win.data.microsoft.com",
    "ctldl.windowsupdate.com", "www.bing.com", "edge.microsoft.com",
    "teams.microsoft.com", "clients4.google.com", "ocsp.digicert.com",
    "time.windows.com", "wpad.corp.example.com", "fileserver01.corp.example.com",
    "www.wikipedia.org", "news.ycombinator.com", "slack.example.org",
    "pastebin-mirror.example.net", "githubusercontent.com"};

const std::vector<std::string> kUsers = {"alice", "bob", "carol", "dave",
                                         "erin", "frank"};

// Writable locations malware runs from.
const std::vector<std::string> kSuspiciousPaths = {
    "C:\\Users\\{u}\\AppData\\Local\\Temp\\{r}.exe",
    "C:\\Users\\Public\\{r}.exe",
    "C:\\ProgramData\\{r}\\{r}.exe",
    "C:\\Windows\\Temp\\{r}.exe",
    "C:\\Users\\{u}\\Downloads\\invoice_{r}.exe",
    "C:\\Program Files Evil\\{r}.exe",
    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
    "C:\\Windows\\System32\\rundll32.exe"};

struct Signed {
  const char* process;      // process.name
  const char* executable;   // where it lives (outside Program Files)
  const char* signer;
  std::vector<std::string> domains;  // the ones its exclusion allows
  const char* scenario;
};

// One entry per conditional exclusion of the built-in rule.
const std::vector<Signed> kSignedExclusions = {
    {"Discord.exe", "C:\\Users\\{u}\\AppData\\Local\\Discord\\app-1.0.9\\Discord.exe",
     "Discord Inc.", {"discord.com", "cdn.discordapp.com", "discordapp.com"}, "excluded:discord"},
    {"OneDrive.Sync.Service.exe", "C:\\Users\\{u}\\AppData\\Local\\Microsoft\\OneDrive\\24.1\\OneDrive.Sync.Service.exe",
     "Microsoft Corporation", {"onedrive.live.com"}, "excluded:sharepoint-onedrive"},
    {"Obsidian.exe", "C:\\Users\\{u}\\AppData\\Local\\Obsidian\\Obsidian.exe",
     "Dynalist Inc", {"raw.githubusercontent.com"}, "excluded:obsidian"},
    {"WebExperienceHostApp.exe", "C:\\Windows\\SystemApps\\MicrosoftWindows.Client.WebExperience\\WebExperienceHostApp.exe",
     "Microsoft Windows", {"onedrive.live.com"}, "excluded:webexperience"},
    {"idea64.exe", "C:\\Users\\{u}\\AppData\\Local\\JetBrains\\IntelliJ\\bin\\idea64.exe",
     "JetBrains s.r.o.", {"api.github.com", "raw.githubusercontent.com"}, "excluded:jetbrains"},
    {"Teams.exe", "C:\\Users\\{u}\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe",
     "Microsoft Corporation", {"graph.microsoft.com", "contoso.sharepoint.com", "login.live.com", "www.googleapis.com"}, "excluded:microsoft-signed"},
    {"python.exe", "C:\\Users\\{u}\\AppData\\Local\\Programs\\Python\\Python312\\python.exe",
     "Python Software Foundation", {"files.pythonhosted.org"}, "excluded:python"},
    {"Zoom.exe", "C:\\Users\\{u}\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe",
     "Zoom Video Communications, Inc.", {"www.googleapis.com", "graph.microsoft.com"}, "excluded:zoom"},
    {"Code.exe", "C:\\Users\\{u}\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe",
     "Microsoft Corporation", {"api.github.com", "raw.githubusercontent.com", "files.pythonhosted.org"}, "excluded:vscode"},
    {"terraform-provider-azuread_v2.47.0_x5.exe", "C:\\Users\\{u}\\.terraform\\providers\\terraform-provider-azuread_v2.47.0_x5.exe",
     "HashiCorp, Inc.", {"graph.microsoft.com"}, "excluded:terraform"},
    {"Telegram.exe", "C:\\Users\\{u}\\AppData\\Roaming\\Telegram Desktop\\Telegram.exe",
     "Telegram FZ-LLC", {"firebaseinstallations.googleapis.com"}, "excluded:telegram"},
    {"git-remote-https.exe", "C:\\Users\\{u}\\scoop\\apps\\git\\current\\mingw64\\libexec\\git-core\\git-remote-https.exe",
     "Johannes Schindelin", {"api.github.com", "raw.githubusercontent.com"}, "excluded:trusted-signer"},
    {"slack.exe", "C:\\Users\\{u}\\AppData\\Local\\slack\\app-4.41.105\\slack.exe",
     "Slack Technologies, LLC", {"slack.com", "api.slack.com"}, "excluded:trusted-signer"},
    {"claude.exe", "C:\\Users\\{u}\\AppData\\Local\\AnthropicClaude\\claude.exe",
     "Anthropic, PBC", {"api.github.com"}, "excluded:trusted-signer"},
};

const std::vector<std::string> kProgramFiles = {
    "C:\\Program Files\\Mozilla Firefox\\firefox.exe",
    "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
    "C:\\Program Files\\Git\\mingw64\\bin\\git.exe",
    "C:\\Users\\{u}\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe",
    "C:\\Windows\\system32\\svchost.exe",
    "C:\\Windows\\System32\\smartscreen.exe"};

// A built-in rule's domain patterns (its top-level dns.question.name list).
std::vector<std::string> DomainPatterns(absl::StatusOr<rules::Ruleset> rs) {
  std::vector<std::string> out;
  if (!rs.ok()) return out;
  for (const auto& c : rs->rules[0].query.children)
    if (c.kind == rules::NodeKind::kWildcard && c.field == "dns.question.name")
      out = c.values;
  return out;
}

std::vector<std::string> RuleDomainPatterns() { return DomainPatterns(rules::BuiltinRuleset()); }

// The Linux building-block rule's: whether a Linux host's query is on its
// list decides that scenario's verdict.
std::vector<std::string> LinuxDomainPatterns() {
  return DomainPatterns(rules::BuiltinLinuxRuleset());
}

// A concrete domain the pattern matches.
std::string Instantiate(const std::string& pattern, Rng& rng) {
  std::string s;
  for (char c : pattern) {
    if (c == '*') s += rng.Label(3 + rng.Below(5));
    else if (c == '?') s += rng.Label(1);
    else s += c;
  }
  // Vary case now and then: EQL `:` is case-insensitive.
  if (rng.Below(8) == 0)
    for (char& c : s)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return s;
}

std::string Fill(std::string t, const std::string& user, Rng& rng) {
  for (size_t p; (p = t.find("{u}")) != std::string::npos;) t.replace(p, 3, user);
  for (size_t p; (p = t.find("{r}")) != std::string::npos;)
    t.replace(p, 3, rng.Label(6));
  return t;
}

std::string BaseName(const std::string& path) {
  size_t p = path.find_last_of('\\');
  return p == std::string::npos ? path : path.substr(p + 1);
}

Json BaseEvent(size_t i, Rng& rng, const std::string& user) {
  char ts[64];
  std::snprintf(ts, sizeof ts, "2026-11-%02zuT%02zu:%02zu:%02zu.%03zuZ",
                1 + (i / 86400) % 28, (i / 3600) % 24, (i / 60) % 60, i % 60,
                rng.Below(1000));
  std::string host = "ws-" + std::to_string(100 + rng.Below(40));
  Json e;
  e["@timestamp"] = ts;
  e["agent"] = {{"id", rng.Hex(8) + "-" + rng.Hex(4) + "-" + rng.Hex(4) + "-" +
                           rng.Hex(4) + "-" + rng.Hex(12)},
                {"type", "endpoint"},
                {"version", "8.15.3"}};
  e["data_stream"] = {{"dataset", "endpoint.events.network"},
                      {"namespace", "default"},
                      {"type", "logs"}};
  e["ecs"] = {{"version", "8.11.0"}};
  e["event"] = {{"action", "lookup_requested"},
                {"category", {"network"}},
                {"dataset", "endpoint.events.network"},
                {"id", rng.Hex(20)},
                {"kind", "event"},
                {"module", "endpoint"},
                {"outcome", "unknown"},
                {"type", {"protocol", "info"}}};
  e["host"] = {{"hostname", host},
               {"name", host},
               {"id", rng.Hex(32)},
               {"os", {{"family", "windows"},
                       {"name", "Windows"},
                       {"type", "windows"},
                       {"version", "22H2"}}}};
  e["dns"] = {{"question", {{"name", ""}, {"type", "A"}}}};
  e["network"] = {{"protocol", "dns"}, {"direction", "egress"}};
  e["process"] = {{"entity_id", rng.Hex(24)},
                  {"executable", ""},
                  {"name", ""},
                  {"pid", 1000 + rng.Below(30000)},
                  {"parent", {{"pid", 500 + rng.Below(5000)}}}};
  e["user"] = {{"domain", "CORP"},
               {"id", "S-1-5-21-1004336348-1177238915-682003330-" +
                          std::to_string(1100 + rng.Below(50))},
               {"name", user}};
  e["message"] = "Endpoint DNS event";
  return e;
}

void SetProcess(Json& e, const std::string& exe) {
  e["process"]["executable"] = exe;
  e["process"]["name"] = BaseName(exe);
}

void Sign(Json& e, const std::string& signer, Json trusted) {
  e["process"]["code_signature"] = {{"exists", true},
                                    {"status", "trusted"},
                                    {"subject_name", signer},
                                    {"trusted", trusted}};
}

}  // namespace

std::vector<SampleEvent> Generate(uint64_t seed, size_t count) {
  Rng rng(seed);
  const std::vector<std::string> patterns = RuleDomainPatterns();
  const std::vector<std::string> linux_patterns = LinuxDomainPatterns();
  std::vector<SampleEvent> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const std::string& user = rng.Pick(kUsers);
    Json e = BaseEvent(i, rng, user);
    SampleEvent s;
    s.expect_match = false;
    auto listed = [&]() { return Instantiate(rng.Pick(patterns), rng); };
    size_t roll = rng.Below(100);
    if (roll < 62) {
      s.scenario = "benign:unlisted-domain";
      e["dns"]["question"]["name"] = rng.Pick(kBenignDomains);
      SetProcess(e, Fill(rng.Pick(kSuspiciousPaths), user, rng));
    } else if (roll < 72) {
      s.scenario = "match:suspicious-path";
      e["dns"]["question"]["name"] = listed();
      SetProcess(e, Fill(rng.Pick(kSuspiciousPaths), user, rng));
      s.expect_match = true;
    } else if (roll < 78) {
      s.scenario = "excluded:program-location";
      e["dns"]["question"]["name"] = listed();
      SetProcess(e, Fill(rng.Pick(kProgramFiles), user, rng));
    } else if (roll < 88) {
      const Signed& sg = rng.Pick(kSignedExclusions);
      SetProcess(e, Fill(sg.executable, user, rng));
      e["process"]["name"] = sg.process;
      e["dns"]["question"]["name"] = rng.Pick(sg.domains);
      bool untrusted = rng.Below(4) == 0;
      Sign(e, sg.signer, untrusted ? Json(false) : Json(true));
      s.scenario = untrusted ? std::string("match:untrusted-signature")
                             : std::string(sg.scenario);
      s.expect_match = untrusted;
    } else if (roll < 91) {
      s.scenario = "excluded:system-account";
      e["dns"]["question"]["name"] = listed();
      SetProcess(e, Fill(rng.Pick(kSuspiciousPaths), user, rng));
      if (rng.Below(2)) {
        e["user"] = {{"domain", "NT AUTHORITY"}, {"id", "S-1-5-18"}, {"name", "SYSTEM"}};
      } else {
        e["user"]["id"] = rng.Below(2) ? "S-1-5-19" : "S-1-5-20";
      }
    } else if (roll < 93) {
      // The Windows rule never matches a Linux host; its Linux companion
      // does when the domain is on its own (longer) list, since a hidden
      // file in /tmp is no known program.
      std::string domain = listed();
      e["dns"]["question"]["name"] = domain;
      SetProcess(e, "/tmp/." + rng.Label(6));
      e["host"]["os"] = {{"family", "debian"}, {"type", "linux"}};
      bool on_linux_list = false;
      for (const auto& p : linux_patterns) on_linux_list |= engine::WildcardMatch(p, domain);
      s.scenario = on_linux_list ? "match:linux-host" : "no-match:linux-host";
      s.expect_match = on_linux_list;
    } else if (roll < 95) {
      s.scenario = "match:flattened-keys";
      std::string exe = Fill(rng.Pick(kSuspiciousPaths), user, rng);
      Json flat;
      flat["@timestamp"] = e["@timestamp"];
      flat["event.category"] = "network";
      flat["host.os.type"] = "windows";
      flat["host.name"] = e["host"]["name"];
      flat["dns.question.name"] = listed();
      flat["process.executable"] = exe;
      flat["process.name"] = BaseName(exe);
      flat["user.id"] = e["user"]["id"];
      flat["user.name"] = user;
      e = std::move(flat);
      s.expect_match = true;
    } else if (roll < 97) {
      s.scenario = "match:no-user-object";
      e["dns"]["question"]["name"] = listed();
      SetProcess(e, Fill(rng.Pick(kSuspiciousPaths), user, rng));
      e.erase("user");
      s.expect_match = true;
    } else if (roll < 98) {
      s.scenario = "excluded:string-boolean-trusted";
      const Signed& sg = kSignedExclusions[0];
      SetProcess(e, Fill(sg.executable, user, rng));
      e["process"]["name"] = sg.process;
      e["dns"]["question"]["name"] = sg.domains[0];
      Sign(e, sg.signer, Json("true"));
    } else {
      s.scenario = "example-exclusion:corp-updater";
      e["dns"]["question"]["name"] = "api.github.com";
      SetProcess(e, "C:\\Tools\\CorpUpdater\\updater.exe");
      Sign(e, "Example Corp", Json(true));
      s.expect_match = true;
    }
    s.expect_match_with_example_exclusions =
        s.expect_match && s.scenario != "example-exclusion:corp-updater";
    s.json = e.dump();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace c2s::samples
