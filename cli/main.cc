// c2sieve: tag NDJSON events with the built-in (or given) rulesets.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "util/version.h"
#include "cli/commands.h"

namespace {

constexpr const char kUsage[] = R"(usage: c2sieve COMMAND [OPTIONS]

Tags events that look like command and control over commonly abused web
services (Elastic rule "Connection to Commonly Abused Web Services").

commands:
  scan [OPTIONS] [FILE|-]   NDJSON in, NDJSON out: one output line per input
                            line, in order; matching events enriched with ECS
                            rule.*, threat.*, event.risk_score, tags, c2sieve.*
      --only-matches        write only the enriched lines
      --quiet               no summary on stderr
      --no-progress         no progress bar (shown only when stderr is a tty)
  check FILE...             validate ruleset, exclusions and profile files
  explain [OPTIONS] [FILE|-]
                            show each clause's verdict for one event (the first
                            non-blank line of FILE)
  import elastic [--spec FILE] [--source-commit SHA] [-o FILE] RULE.toml...
                            convert Elastic detection rules (TOML, EQL) to a
                            ruleset; refuses what it cannot convert exactly,
                            naming the line and column
  import sigma [--skip-refused] [--spec FILE] [-o FILE] RULE.yml...
                            convert Sigma rules (windows dns_query and
                            network_connection) to a ruleset; with
                            --skip-refused, convert the rest and list the
                            refused ones (exit 1)
  import exceptions [--rule ID]... [-o FILE] EXPORT.ndjson
                            convert a Kibana exception list export to an
                            exclusions file; reports what it cannot convert
                            (exit 1 if anything was left out)
  tune [OPTIONS] EVENTS.ndjson
                            the noisiest (process, signer, domain) groups of
                            matches, and a proposed exclusions file to review
      --top N               groups shown (20)
      --min-count N         fewest matches for a proposal (10)
      -o FILE               where to write it (proposed-exclusions.json)
  version                   print the version

engine options (scan, explain, check):
  --ruleset FILE            load a ruleset (repeatable); replaces the built-in
                            rulesets unless --builtin is also given
  --builtin                 load the built-in rulesets as well
  --exclusions FILE         apply an exclusions file
  --profiles FILE           add source profiles (repeatable)
  --profile NAME            read every event with this profile (no detection)
  --enable-profile NAME     also detect a profile that is off by default
                            (sysmon-network-winlogbeat, sysmon-network-flat,
                            ecs-connection)
  --max-event-bytes N       larger events pass through as errors (16 MiB)
  --max-depth N             deeper events pass through as errors (128)
  --parity                  compare raw values exactly as Elasticsearch EQL
                            does (default: canonical paths and domains)
  --disable-rule ID         switch a rule off (repeatable); the built-in
                            rules: 66883649-f908-4a5b-a1e0-54090a1d3a32
                            (Windows), 8248323e-f888-4134-a26f-37a6362f7231
                            (Linux, building block)
  --building-blocks-as-tags building-block rules' matches add only their tags
                            and c2sieve.matches

exit codes:
  0  success (malformed input lines are passed through and counted, not fatal)
  1  check: a file is invalid; explain: the input holds no event
  2  usage error
  3  a ruleset or exclusions file failed to load (message names file, line
     and JSON pointer)
  4  input or output error
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(kUsage, stderr);
    return c2s::cli::kExitUsage;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::fputs(kUsage, stdout);
      return c2s::cli::kExitOk;
    }
    if (cmd == "version" || cmd == "--version") {
      std::printf("c2sieve %s\n", c2s::LibraryVersion());
      return c2s::cli::kExitOk;
    }
    for (const auto& a : args) {
      if (a == "--help" || a == "-h") {
        std::fputs(kUsage, stdout);
        return c2s::cli::kExitOk;
      }
    }
    if (cmd == "scan") return c2s::cli::RunScan(args);
    if (cmd == "check") return c2s::cli::RunCheck(args);
    if (cmd == "explain") return c2s::cli::RunExplain(args);
    if (cmd == "tune") return c2s::cli::RunTune(args);
    if (cmd == "import") {
#ifdef C2S_WITH_IMPORT
      return c2s::cli::RunImport(args);
#else
      std::fprintf(stderr, "c2sieve import: not in this build (built without toml++)\n");
      return c2s::cli::kExitUsage;
#endif
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "c2sieve: internal error: %s\n", e.what());
    return c2s::cli::kExitIo;
  }
  std::fprintf(stderr, "c2sieve: unknown command '%s'\n\n%s", cmd.c_str(),
               kUsage);
  return c2s::cli::kExitUsage;
}
