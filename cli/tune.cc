// c2sieve tune: runs the rules over a day of the user's events, shows the
// noisiest (rule, process, signer, domain) groups and writes a proposed
// exclusions file for a human to review. Every proposal is narrow: a
// process (its path, with the user-profile folder generalized, or its name),
// a trusted signer and a domain -- never a bare domain or a pattern of `*`.
// Unsigned or untrusted processes are never proposed: those are what the
// rule is for.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "cli/commands.h"
#include "util/option_ranges.h"
#include "util/strings.h"
#include "cli/line_reader.h"
#include <nlohmann/json.hpp>
#include "rules/exclusions_loader.h"
#include "runtime/session.h"

namespace c2s::cli {

namespace {

struct Group {
  std::string rule_id, rule_name, process, signer, domain;
  bool trusted = false;
  uint64_t count = 0;
  std::set<std::string> hosts, users;
};

// "C:\Users\alice\AppData\...\x.exe" -> "C:\Users\*\AppData\...\x.exe": the
// same program installed per user is one group (and one exclusion).
std::string GeneralizeUserFolder(const std::string& path) {
  std::string lower = path;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t at = lower.find(":\\users\\");
  if (at != 1) return path;
  size_t name_start = at + 8;
  size_t name_end = path.find('\\', name_start);
  if (name_end == std::string::npos || name_end == name_start) return path;
  std::string user = lower.substr(name_start, name_end - name_start);
  if (user == "public" || user == "default") return path;
  return path.substr(0, name_start) + "*" + path.substr(name_end);
}

std::string First(runtime::Session& s, const engine::FieldTable& table, const char* field) {
  int32_t slot = table.Find(field);
  if (slot < 0) return "";
  for (const auto& v : s.evaluator().fields().values(slot))
    if (v.type == engine::ValueType::kString) return std::string(v.text);
  return "";
}

bool IsTrusted(runtime::Session& s, const engine::FieldTable& table) {
  int32_t slot = table.Find("process.code_signature.trusted");
  if (slot < 0) return false;
  for (const auto& v : s.evaluator().fields().values(slot))
    if (v.type == engine::ValueType::kTrue ||
        (v.type == engine::ValueType::kString && v.text == "true"))
      return true;
  return false;
}

std::string Sample(const std::set<std::string>& names, size_t n) {
  std::string out;
  size_t i = 0;
  for (const auto& name : names) {
    if (i == n) {
      out += ", ...";
      break;
    }
    if (i++) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace

int RunTune(const std::vector<std::string>& args) {
  EngineOptions eo;
  std::string input, out_path = "proposed-exclusions.json";
  size_t top = 20;
  uint64_t min_count = 10;
  bool progress = true;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string err;
    if (ParseEngineOption(args, &i, &eo, &err)) {
      if (!err.empty()) return std::fprintf(stderr, "c2sieve tune: %s\n", err.c_str()), kExitUsage;
      continue;
    }
    const std::string& a = args[i];
    std::string number_error;
    auto number = [&](const OptionRange& range, uint64_t* dst) {
      auto st = ParseInRange(range, i + 1 < args.size() ? args[++i] : "", dst);
      if (!st.ok()) number_error = Cat("--", st.message());
      return st.ok();
    };
    uint64_t n = 0;
    if (a == "--top") {
      if (!number(kTuneTop, &n))
        return std::fprintf(stderr, "c2sieve tune: %s\n", number_error.c_str()), kExitUsage;
      top = n;
    } else if (a == "--min-count") {
      if (!number(kTuneMinCount, &min_count))
        return std::fprintf(stderr, "c2sieve tune: %s\n", number_error.c_str()), kExitUsage;
    } else if ((a == "-o" || a == "--output") && i + 1 < args.size()) {
      out_path = args[++i];
    } else if (a == "--no-progress") {
      progress = false;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      std::fprintf(stderr, "c2sieve tune: unknown option %s\n", a.c_str());
      return kExitUsage;
    } else if (input.empty()) {
      input = a;
    } else {
      std::fprintf(stderr, "c2sieve tune: one input file\n");
      return kExitUsage;
    }
  }
  if (input.empty()) {
    std::fprintf(stderr, "usage: c2sieve tune [engine options] [--top N] [--min-count N] "
                         "[-o FILE] EVENTS.ndjson\n");
    return kExitUsage;
  }
  auto core = BuildEngine(eo);
  if (!core.ok()) {
    std::fprintf(stderr, "c2sieve tune: %s\n", std::string(core.status().message()).c_str());
    return kExitConfig;
  }
  FILE* in = input == "-" ? stdin : std::fopen(input.c_str(), "rb");
  if (in == nullptr) {
    std::fprintf(stderr, "c2sieve tune: %s: %s\n", input.c_str(), std::strerror(errno));
    return kExitIo;
  }
  runtime::Session session(*core);
  const engine::FieldTable& table = (*core)->fields();
  absl::flat_hash_map<std::string, Group> groups;
  uint64_t events = 0, matched_events = 0, matches = 0, errors = 0;
  Progress bar(progress && isatty(fileno(stderr)), InputSize(in));
  bool read_ok = ReadLines(in, [&](std::string_view line) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
    ++events;
    runtime::JsonResult r = session.EvalJson(line);
    if (r.status != event::ReadStatus::kOk) ++errors;
    if (r.matched_rules == 0) return;
    ++matched_events;
    std::string exe = First(session, table, "process.executable");
    std::string process = exe.empty() ? First(session, table, "process.name") : GeneralizeUserFolder(exe);
    std::string signer = First(session, table, "process.code_signature.subject_name");
    bool trusted = IsTrusted(session, table);
    std::string host = First(session, table, "host.name");
    std::string user = First(session, table, "user.name");
    for (const auto& m : session.matches()) {
      ++matches;
      std::string domain = m.value.empty() ? First(session, table, "dns.question.name") : m.value;
      std::string key = m.rule_id + '\x1f' + process + '\x1f' + signer + '\x1f' +
                        (trusted ? "1" : "0") + '\x1f' + domain;
      Group& g = groups[key];
      if (g.count == 0) {
        g.rule_id = m.rule_id;
        g.rule_name = m.rule_name;
        g.process = process;
        g.signer = signer;
        g.trusted = trusted;
        g.domain = domain;
      }
      ++g.count;
      if (!host.empty() && g.hosts.size() < 1000) g.hosts.insert(host);
      if (!user.empty() && g.users.size() < 1000) g.users.insert(user);
    }
  }, [&](uint64_t consumed) {
    bar.Update(consumed, events);
    return true;
  });
  if (in != stdin) std::fclose(in);
  bar.Clear();
  if (!read_ok) {
    std::fprintf(stderr, "c2sieve tune: %s: read error\n", input.c_str());
    return kExitIo;
  }

  std::vector<const Group*> ordered;
  for (const auto& [k, g] : groups) ordered.push_back(&g);
  std::sort(ordered.begin(), ordered.end(), [](const Group* a, const Group* b) {
    if (a->count != b->count) return a->count > b->count;
    if (a->process != b->process) return a->process < b->process;
    return a->domain < b->domain;
  });

  // The proposal: groups seen often enough, signed and trusted, with a
  // process and a domain to narrow them.
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  uint64_t proposed_matches = 0;
  std::vector<std::string> verdicts(ordered.size());
  for (size_t i = 0; i < ordered.size(); ++i) {
    const Group& g = *ordered[i];
    if (g.count < min_count) {
      verdicts[i] = "below --min-count";
    } else if (g.signer.empty() || !g.trusted) {
      verdicts[i] = "not proposed: unsigned or untrusted";
    } else if (g.process.empty() || g.domain.empty()) {
      verdicts[i] = "not proposed: no process or domain";
    } else {
      verdicts[i] = "proposed";
      proposed_matches += g.count;
      bool by_path = g.process.find('\\') != std::string::npos || g.process.find('/') != std::string::npos;
      nlohmann::ordered_json e = nlohmann::ordered_json::object();
      e["reason"] = "Proposed by c2sieve tune from " + input + ": " + std::to_string(g.count) +
                    " matches on " + std::to_string(g.hosts.size()) + " host(s) (" +
                    Sample(g.hosts, 3) + ") and " + std::to_string(g.users.size()) +
                    " user(s); " + g.process + " signed by " + g.signer + " resolving " + g.domain +
                    ". Review before pushing.";
      e["rules"] = nlohmann::ordered_json::array({g.rule_id});
      e[by_path ? "process.executable" : "process.name"] = nlohmann::ordered_json::array({g.process});
      e["process.code_signature.subject_name"] = nlohmann::ordered_json::array({g.signer});
      e["process.code_signature.trusted"] = true;
      e["dns.question.name"] = nlohmann::ordered_json::array({g.domain});
      entries.push_back(std::move(e));
    }
  }

  std::fprintf(stderr, "c2sieve tune: %llu events, %llu matched (%llu matches), %llu errors; %zu groups\n\n",
               static_cast<unsigned long long>(events), static_cast<unsigned long long>(matched_events),
               static_cast<unsigned long long>(matches), static_cast<unsigned long long>(errors),
               ordered.size());
  std::fprintf(stderr, "%8s %6s %6s  %-44s %-28s %-30s %s\n", "matches", "hosts", "users", "process",
               "signer", "domain", "verdict");
  for (size_t i = 0; i < ordered.size() && i < top; ++i) {
    const Group& g = *ordered[i];
    std::string signer = g.signer.empty() ? "(unsigned)" : g.signer + (g.trusted ? "" : " (untrusted)");
    std::fprintf(stderr, "%8llu %6zu %6zu  %-44s %-28s %-30s %s\n",
                 static_cast<unsigned long long>(g.count), g.hosts.size(), g.users.size(),
                 g.process.c_str(), signer.c_str(), g.domain.c_str(), verdicts[i].c_str());
  }
  if (ordered.size() > top)
    std::fprintf(stderr, "%8s (%zu more groups; --top N shows more)\n", "", ordered.size() - top);

  if (entries.empty()) {
    std::fprintf(stderr, "\nno exclusion proposed (none of the groups is signed, trusted and seen "
                         "at least %llu times); nothing written\n",
                 static_cast<unsigned long long>(min_count));
    return kExitOk;
  }
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  doc["format"] = "c2sieve.exclusions/1";
  doc["comment"] = "Proposed by c2sieve tune from " + input +
                   ". Each entry is one signed, trusted process resolving one domain; review "
                   "every entry before pushing it.";
  doc["exclusions"] = std::move(entries);
  std::string text = doc.dump(2) + "\n";
  // The proposal must load and apply as it is.
  auto set = rules::ParseExclusions(text, out_path);
  absl::Status applied = set.ok() ? (*core)->SetExclusions(&*set) : set.status();
  if (!applied.ok()) {
    std::fprintf(stderr, "c2sieve tune: internal error, the proposal does not apply: %s\n",
                 std::string(applied.message()).c_str());
    return kExitConfig;
  }
  std::ofstream out(out_path, std::ios::binary);
  out << text;
  if (!out) {
    std::fprintf(stderr, "c2sieve tune: cannot write %s\n", out_path.c_str());
    return kExitIo;
  }
  std::fprintf(stderr, "\nwrote %s: %zu proposed exclusion(s) covering %llu of %llu matches (%.1f%%)\n",
               out_path.c_str(), doc["exclusions"].size(),
               static_cast<unsigned long long>(proposed_matches),
               static_cast<unsigned long long>(matches),
               matches ? 100.0 * proposed_matches / matches : 0.0);
  return kExitOk;
}

}  // namespace c2s::cli
