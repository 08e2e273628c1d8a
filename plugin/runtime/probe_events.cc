#include "runtime/probe_events.h"

#include <algorithm>
#include <cstdio>

#include "engine/evaluator.h"
#include "util/strings.h"

namespace c2s::runtime {

namespace {

// Domain patterns of dns.question.name anywhere in a rule's query.
void CollectDomains(const rules::Node& n, std::vector<std::string>* out) {
  if (n.field == "dns.question.name" &&
      (n.kind == rules::NodeKind::kWildcard || n.kind == rules::NodeKind::kEquals))
    for (const auto& v : n.values) out->push_back(v);
  for (const auto& c : n.children) CollectDomains(c, out);
}

// A concrete name the pattern matches: "*" becomes a label-like word, "?"
// one letter; escapes are taken literally.
std::string Concrete(const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '*') out += "c2probe";
    else if (c == '?') out += 'x';
    else if (c == '\\' && i + 1 < pattern.size()) out += pattern[++i];
    else out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

struct ProcessVariant {
  const char* os;
  const char* executable;
  const char* name;
};
// Programs where droppers live, named unlike anything an exclusion would
// pin: an exclusion that removes them all is one that removes everything.
constexpr ProcessVariant kProcesses[] = {
    {"windows", "C:\\Users\\alice\\AppData\\Local\\Temp\\winupdate.exe", "winupdate.exe"},
    {"windows", "C:\\ProgramData\\Intel\\igfxtask.exe", "igfxtask.exe"},
    {"windows", "C:\\Users\\Public\\Downloads\\invoice_2291.scr", "invoice_2291.scr"},
    {"windows", "D:\\tools\\sync\\rclone", "rclone"},
    {"linux", "/tmp/.cache/kworkerd", "kworkerd"},
    {"linux", "/dev/shm/.x/agent", "agent"},
    {"linux", "/home/bob/.local/bin/syncd", "syncd"},
};
constexpr const char* kHosts[] = {"ws-001", "WKS042", "db01.corp.example", "laptop7f3k"};
struct User {
  const char* id;
  const char* domain;
  const char* name;
};
constexpr User kUsers[] = {
    {"S-1-5-21-3623811015-3361044348-30300820-1013", "CORP", "alice"},
    {"S-1-5-21-3623811015-3361044348-30300820-1106", "CORP", "svc_backup"},
    {"1000", "", "bob"},
};

}  // namespace

absl::StatusOr<std::unique_ptr<ProbeEvents>> ProbeEvents::Build(
    const engine::FieldTable& fields, const std::vector<rules::Ruleset>& rulesets,
    std::shared_ptr<const engine::CompiledMatcher> rules) {
  auto probes = std::unique_ptr<ProbeEvents>(new ProbeEvents());
  probes->rules_ = rules;
  // Each rule's own domain patterns, at most kPerRule of them evenly spread
  // over its list: enough to measure a share, and bounded whatever the
  // list's size (a rule of 100,000 feed domains gets 256 probes' worth).
  constexpr size_t kPerRule = 256;
  std::vector<std::string> domains;
  for (const auto& rs : rulesets)
    for (const auto& r : rs.rules) {
      std::vector<std::string> own;
      CollectDomains(r.query, &own);
      std::sort(own.begin(), own.end());
      own.erase(std::unique(own.begin(), own.end()), own.end());
      if (own.size() <= kPerRule) {
        domains.insert(domains.end(), own.begin(), own.end());
        continue;
      }
      for (size_t i = 0; i < kPerRule; ++i) domains.push_back(own[i * own.size() / kPerRule]);
    }
  std::sort(domains.begin(), domains.end());
  domains.erase(std::unique(domains.begin(), domains.end()), domains.end());
  auto slot = [&](const char* name) { return fields.Find(name); };
  const int32_t s_domain = slot("dns.question.name"), s_os = slot("host.os.type"),
                s_category = slot("event.category"), s_exe = slot("process.executable"),
                s_name = slot("process.name"), s_host = slot("host.name"),
                s_user_id = slot("user.id"), s_user_domain = slot("user.domain"),
                s_user_name = slot("user.name");
  if (s_domain < 0) return probes;  // no domain rule: nothing to probe
  engine::Evaluator evaluator;
  if (auto st = evaluator.Bind(rules, nullptr); !st.ok()) return st;
  size_t k = 0;
  for (const std::string& pattern : domains) {
    std::string domain = Concrete(pattern);
    for (const ProcessVariant& p : kProcesses) {
      const User& u = kUsers[k % 3];
      Probe probe;
      auto add = [&](int32_t s, std::string text) {
        if (s >= 0 && !text.empty())
          probe.values.push_back(Value{static_cast<uint32_t>(s), std::move(text)});
      };
      add(s_domain, domain);
      add(s_os, p.os);
      add(s_category, "network");
      add(s_exe, p.executable);
      add(s_name, p.name);
      add(s_host, kHosts[k % 4]);
      add(s_user_id, u.id);
      add(s_user_domain, u.domain);
      add(s_user_name, u.name);
      ++k;
      auto& f = evaluator.fields();
      f.Clear();
      for (const Value& v : probe.values) f.Add(v.slot, engine::ValueType::kString, v.text);
      for (const auto& m : evaluator.Evaluate()) probe.rules.push_back(m.rule);
      if (evaluator.scan_failed()) return absl::InternalError("pattern scan failed on a probe");
      if (!probe.rules.empty()) probes->probes_.push_back(std::move(probe));
    }
  }
  return probes;
}

absl::StatusOr<std::vector<RuleSuppression>> ProbeEvents::Measure(
    std::shared_ptr<const engine::CompiledMatcher> exclusions) const {
  std::vector<RuleSuppression> out(rules_->rules().size());
  for (size_t r = 0; r < out.size(); ++r) out[r].rule_id = rules_->rules()[r].rule.id;
  engine::Evaluator evaluator;
  if (auto st = evaluator.Bind(rules_, std::move(exclusions)); !st.ok()) return st;
  for (const Probe& probe : probes_) {
    auto& f = evaluator.fields();
    f.Clear();
    for (const Value& v : probe.values) f.Add(v.slot, engine::ValueType::kString, v.text);
    const auto& matches = evaluator.Evaluate();
    if (evaluator.scan_failed()) return absl::InternalError("pattern scan failed on a probe");
    for (uint32_t r : probe.rules) {
      ++out[r].probes;
      bool still = std::any_of(matches.begin(), matches.end(),
                               [&](const engine::RuleMatch& m) { return m.rule == r; });
      if (!still) ++out[r].suppressed;
    }
  }
  return out;
}

absl::Status ProbeEvents::Check(const std::vector<RuleSuppression>& measured,
                                const std::string& origin) {
  for (const auto& m : measured) {
    if (m.share() <= kMaxSuppressedShare) continue;
    char pct[16], limit[16];
    std::snprintf(pct, sizeof pct, "%.0f%%", m.share() * 100);
    std::snprintf(limit, sizeof limit, "%.0f%%", kMaxSuppressedShare * 100);
    return absl::InvalidArgumentError(
        Cat(origin, ": too broad: these exclusions suppress ", pct, " of rule ", m.rule_id,
            "'s probe events (", m.suppressed, " of ", m.probes, "; the limit is ", limit,
            "), so they could blind the rule. Narrow them, or set \"allow_broad\": true at the "
            "top of the document to apply them anyway (logged)"));
  }
  return absl::OkStatus();
}

}  // namespace c2s::runtime
