// c2sieve scan: NDJSON through the engine, one output line per input line.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "config/ruleset_watcher.h"
#include "cli/command_specs.h"
#include "cli/commands.h"
#include "cli/file_kind.h"
#include "cli/line_reader.h"
#include "runtime/session.h"

namespace c2s::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct Summary {
  uint64_t lines = 0, events = 0, matches = 0, errors = 0, blank = 0;
  absl::flat_hash_map<std::string, uint64_t> per_rule, domains, processes;
};

void PrintTop(const char* title,
              const absl::flat_hash_map<std::string, uint64_t>& counts) {
  std::vector<std::pair<std::string, uint64_t>> v(counts.begin(),
                                                  counts.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::fprintf(stderr, "  %s:\n", title);
  if (v.empty()) std::fprintf(stderr, "    (none)\n");
  for (size_t i = 0; i < v.size() && i < 10; ++i)
    std::fprintf(stderr, "    %8llu  %s\n",
                 static_cast<unsigned long long>(v[i].second),
                 v[i].first.c_str());
}

}  // namespace

int RunScan(const std::vector<std::string>& args) {
  const CommandSpec& spec = ScanSpec();
  auto parsed = ParseArgs(spec, args);
  if (!parsed.ok()) return Usage(spec, parsed.status());
  EngineOptions eo;
  if (auto st = EngineOptionsFrom(*parsed, &eo); !st.ok()) return Usage(spec, st);
  bool only_matches = parsed->Has("--only-matches"), quiet = parsed->Has("--quiet"),
       progress = !parsed->Has("--no-progress");
  std::string input = parsed->operands().empty() ? "-" : parsed->operands()[0];
  std::vector<config::LiveRulesetSetup> live;
  auto core = BuildEngine(eo, &live);
  if (!core.ok()) return Fail(spec, kExitConfig, core.status());
  // --watch-ruleset: each source is watched while the input is read; a new
  // version applies from the next event on, a bad one is reported and the
  // last good one kept.
  std::vector<std::unique_ptr<config::RulesetWatcher>> watchers;
  for (const auto& l : live) {
    config::SourceWatcher::Options w;
    w.source = l.source;
    if (parsed->Has("--watch-interval-ms"))
      w.interval_ms = static_cast<uint32_t>(std::stoul(parsed->Value("--watch-interval-ms")));
    if (auto st = config::RulesetWatcher::Validate(w); !st.ok()) return Usage(spec, st);
    watchers.push_back(std::make_unique<config::RulesetWatcher>(
        *core, w,
        [](int level, const std::string& m) {
          static const char* kLevel[] = {"info", "warning", "error"};
          std::fprintf(stderr, "c2sieve scan: %s: %s\n", kLevel[level < 0 ? 0 : level > 2 ? 2 : level],
                       SafeMessage(m).c_str());
        },
        l.hash));
  }
  auto opened = Input::Open(input);
  if (!opened.ok()) return Fail(spec, kExitIo, opened.status());
  Input& in = **opened;
  uint64_t total = in.size();

  runtime::Session session(*core);
  Summary sum;
  Progress bar(progress && !quiet && isatty(fileno(stderr)), total);
  std::string out;
  // Lines passed on unchanged are copied as runs: consecutive ones of one
  // block lie next to each other with their newlines, so a run is one copy.
  const char* run_begin = nullptr;
  const char* run_end = nullptr;  // at the '\n' after the run's last line
  auto flush_run = [&] {
    if (run_begin == nullptr) return;
    out.append(run_begin, static_cast<size_t>(run_end - run_begin)).push_back('\n');
    run_begin = nullptr;
  };
  auto pass_on = [&](std::string_view line, bool in_block) {
    if (!in_block) {
      flush_run();
      out.append(line).push_back('\n');
      return;
    }
    if (run_begin == nullptr || line.data() != run_end + 1) {
      flush_run();
      run_begin = line.data();
    }
    run_end = line.data() + line.size();
  };
  auto start = Clock::now();
  auto process_line = [&](std::string_view line, bool in_block) {
    ++sum.lines;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      ++sum.blank;
      if (!only_matches) pass_on(line, in_block);
      return;
    }
    ++sum.events;
    runtime::JsonResult r = session.EvalJson(line);
    if (r.status != event::ReadStatus::kOk) ++sum.errors;
    if (r.matched_rules > 0) {
      ++sum.matches;
      const auto& fields = session.evaluator().fields();
      const auto& table = session.evaluator().matcher().fields();
      for (const char* f : {"process.executable", "process.name"}) {
        int32_t slot = table.Find(f);
        if (slot < 0) continue;
        const auto& vals = fields.values(slot);
        if (!vals.empty() && vals[0].type == engine::ValueType::kString) {
          ++sum.processes[std::string(vals[0].text)];
          break;
        }
      }
      for (const auto& m : session.matches()) {
        ++sum.per_rule[m.rule_id + "  " + m.rule_name];
        if (!m.value.empty()) ++sum.domains[m.value];
      }
    }
    // A line marked as excluded (mark-excluded) is enriched but no match.
    if (only_matches && r.matched_rules == 0) return;
    if (!r.enriched) {
      pass_on(line, in_block);
      return;
    }
    flush_run();
    out.append(r.output).push_back('\n');
  };
  bool io_error = false;
  bool read_ok = ReadLinesInBlock(in, process_line, [&](uint64_t consumed) {
    flush_run();  // the block's buffer is about to be reused
    // Watching: a stream, whose lines go on as they come.
    if (out.size() > (1 << 20) || (!watchers.empty() && !out.empty())) {
      if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) {
        io_error = true;
        return false;
      }
      out.clear();
      if (!watchers.empty()) std::fflush(stdout);
    }
    bar.Update(consumed, sum.events);
    return true;
  });
  if (!io_error && !read_ok) {
    std::fprintf(stderr, "c2sieve scan: %s: read error (a truncated or corrupt gzip file?)\n",
                 SafeMessage(in.name()).c_str());
    io_error = true;
  }
  flush_run();
  if (!io_error &&
      (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() ||
       std::fflush(stdout) != 0)) {
    io_error = true;
  }
  bar.Clear();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (!quiet) {
    std::fprintf(stderr,
                 "c2sieve scan: %llu lines, %llu events, %llu matches, "
                 "%llu errors (passed through), %llu unread (prefilter), %.0f events/s\n",
                 static_cast<unsigned long long>(sum.lines),
                 static_cast<unsigned long long>(sum.events),
                 static_cast<unsigned long long>(sum.matches),
                 static_cast<unsigned long long>(sum.errors),
                 static_cast<unsigned long long>((*core)->Stats().prefiltered),
                 secs > 0 ? sum.events / secs : 0.0);
    PrintTop("matches per rule", sum.per_rule);
    PrintTop("top matched domains", sum.domains);
    PrintTop("top matched processes", sum.processes);
  }
  if (io_error) {
    std::fprintf(stderr, "c2sieve scan: write error: %s\n", std::strerror(errno));
    return kExitIo;
  }
  return kExitOk;
}

}  // namespace c2s::cli
