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
#include "cli/command_specs.h"
#include "cli/commands.h"
#include "cli/file_kind.h"
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
  bool signature_data = false;
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

bool HasValues(runtime::Session& s, const engine::FieldTable& table, const char* field) {
  int32_t slot = table.Find(field);
  if (slot < 0) return false;
  for (const auto& v : s.evaluator().fields().values(slot))
    if (v.type != engine::ValueType::kNull) return true;
  return false;
}

// One line of the report.
struct Row {
  std::string rule_id;
  uint64_t matches;
  size_t hosts, users;
  std::string process, signer, domain, verdict;
};
struct Totals {
  uint64_t events, matched_events, matches, errors;
  size_t groups;
};

// A table whose columns are as wide as their widest cell: long paths fit.
void PrintTable(const Totals& t, const std::vector<Row>& rows, size_t groups) {
  std::printf("%llu events, %llu matched (%llu matches), %llu errors; %zu groups\n\n",
              static_cast<unsigned long long>(t.events),
              static_cast<unsigned long long>(t.matched_events),
              static_cast<unsigned long long>(t.matches), static_cast<unsigned long long>(t.errors),
              groups);
  size_t wp = 7, ws = 6, wd = 6;
  for (const Row& r : rows) {
    wp = std::max(wp, r.process.size());
    ws = std::max(ws, r.signer.size());
    wd = std::max(wd, r.domain.size());
  }
  std::printf("%8s %6s %6s  %-*s  %-*s  %-*s  %s\n", "matches", "hosts", "users",
              static_cast<int>(wp), "process", static_cast<int>(ws), "signer",
              static_cast<int>(wd), "domain", "verdict");
  for (const Row& r : rows)
    std::printf("%8llu %6zu %6zu  %-*s  %-*s  %-*s  %s\n",
                static_cast<unsigned long long>(r.matches), r.hosts, r.users,
                static_cast<int>(wp), r.process.c_str(), static_cast<int>(ws), r.signer.c_str(),
                static_cast<int>(wd), r.domain.c_str(), r.verdict.c_str());
  if (groups > rows.size())
    std::printf("%8s (%zu more groups; --top N shows more)\n", "", groups - rows.size());
}

std::string CsvField(const std::string& v) {
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void PrintCsv(const std::vector<Row>& rows) {
  std::printf("rule_id,matches,hosts,users,process,signer,domain,verdict\n");
  for (const Row& r : rows)
    std::printf("%s,%llu,%zu,%zu,%s,%s,%s,%s\n", CsvField(r.rule_id).c_str(),
                static_cast<unsigned long long>(r.matches), r.hosts, r.users,
                CsvField(r.process).c_str(), CsvField(r.signer).c_str(),
                CsvField(r.domain).c_str(), CsvField(r.verdict).c_str());
}

void PrintJson(const Totals& t, const std::vector<Row>& rows) {
  nlohmann::ordered_json doc = {{"events", t.events},       {"matched_events", t.matched_events},
                                {"matches", t.matches},     {"errors", t.errors},
                                {"groups", t.groups},       {"shown", rows.size()}};
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Row& r : rows)
    list.push_back({{"rule_id", r.rule_id}, {"matches", r.matches}, {"hosts", r.hosts},
                    {"users", r.users}, {"process", r.process}, {"signer", r.signer},
                    {"domain", r.domain}, {"verdict", r.verdict}});
  doc["top"] = std::move(list);
  std::printf("%s\n", doc.dump(2).c_str());
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
  const CommandSpec& spec = TuneSpec();
  auto parsed = ParseArgs(spec, args);
  if (!parsed.ok()) return Usage(spec, parsed.status());
  EngineOptions eo;
  if (auto st = EngineOptionsFrom(*parsed, &eo); !st.ok()) return Usage(spec, st);
  const std::string input = parsed->operands()[0];
  const std::string out_path = parsed->Value("-o", "proposed-exclusions.json");
  const size_t top = parsed->Number("--top", kTuneTop.default_value);
  const uint64_t min_count = parsed->Number("--min-count", kTuneMinCount.default_value);
  const std::string format = parsed->Value("--format", "table");
  const bool progress = !parsed->Has("--no-progress");
  auto core = BuildEngine(eo);
  if (!core.ok()) return Fail(spec, kExitConfig, core.status());
  auto opened = Input::Open(input);
  if (!opened.ok()) return Fail(spec, kExitIo, opened.status());
  Input& in = **opened;
  runtime::Session session(*core);
  const engine::FieldTable& table = (*core)->fields();
  absl::flat_hash_map<std::string, Group> groups;
  uint64_t events = 0, matched_events = 0, matches = 0, errors = 0;
  Progress bar(progress && isatty(fileno(stderr)), in.size());
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
    // A source that carries no signature at all (Sysmon's DNS events) is
    // not the same as an unsigned process.
    bool signature_data = !signer.empty() || HasValues(session, table, "process.code_signature.trusted");
    std::string host = First(session, table, "host.name");
    std::string user = First(session, table, "user.name");
    for (const auto& m : session.matches()) {
      ++matches;
      std::string domain = m.value.empty() ? First(session, table, "dns.question.name") : m.value;
      std::string key = m.rule_id + '\x1f' + process + '\x1f' + signer + '\x1f' +
                        (trusted ? "1" : "0") + (signature_data ? "s" : "n") + '\x1f' + domain;
      Group& g = groups[key];
      if (g.count == 0) {
        g.rule_id = m.rule_id;
        g.rule_name = m.rule_name;
        g.process = process;
        g.signer = signer;
        g.trusted = trusted;
        g.signature_data = signature_data;
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
  bar.Clear();
  if (!read_ok) return Fail(spec, kExitIo, absl::DataLossError(in.name() + ": read error"));

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
    } else if (!g.signature_data) {
      verdicts[i] = "not proposed: no signature data in this source";
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

  std::vector<Row> rows;
  for (size_t i = 0; i < ordered.size() && i < top; ++i) {
    const Group& g = *ordered[i];
    std::string signer = !g.signature_data ? "(no signature data)"
                         : g.signer.empty() ? "(unsigned)"
                                            : g.signer + (g.trusted ? "" : " (untrusted)");
    rows.push_back(Row{g.rule_id, g.count, g.hosts.size(), g.users.size(), g.process, signer,
                       g.domain, verdicts[i]});
  }
  Totals totals{events, matched_events, matches, errors, ordered.size()};
  if (format == "json") PrintJson(totals, rows);
  else if (format == "csv") PrintCsv(rows);
  else PrintTable(totals, rows, ordered.size());
  std::fflush(stdout);
  if (entries.empty()) {
    std::fprintf(stderr, "c2sieve tune: no exclusion proposed (none of the groups is signed, trusted and seen "
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
  std::fprintf(stderr, "c2sieve tune: wrote %s: %zu proposed exclusion(s) covering %llu of %llu matches (%.1f%%)\n",
               out_path.c_str(), doc["exclusions"].size(),
               static_cast<unsigned long long>(proposed_matches),
               static_cast<unsigned long long>(matches),
               matches ? 100.0 * proposed_matches / matches : 0.0);
  return kExitOk;
}

}  // namespace c2s::cli
