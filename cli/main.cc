// c2sieve: tag NDJSON events with the built-in (or given) rulesets.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cli/command_specs.h"
#include "cli/commands.h"
#include "cli/file_kind.h"
#include "util/version.h"

int main(int argc, char** argv) {
  using namespace c2s::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(MainUsage().c_str(), stderr);
    return kExitUsage;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::fputs(MainUsage().c_str(), stdout);
      return kExitOk;
    }
    if (cmd == "version" || cmd == "--version") {
      std::printf("c2sieve %s\n", c2s::LibraryVersion());
      return kExitOk;
    }
    if (cmd == "import") {
#ifdef C2S_WITH_IMPORT
      return RunImport(args);
#else
      std::fprintf(stderr, "c2sieve import: not in this build (built without toml++)\n");
      return kExitUsage;
#endif
    }
    struct Command {
      const CommandSpec& spec;
      int (*run)(const std::vector<std::string>&);
    } commands[] = {{ScanSpec(), RunScan},
                    {CheckSpec(), RunCheck},
                    {ExplainSpec(), RunExplain},
                    {TuneSpec(), RunTune}};
    for (const Command& c : commands) {
      if (cmd != c.spec.name) continue;
      if (WantsHelp(args)) {
        std::fputs(HelpText(c.spec).c_str(), stdout);
        return kExitOk;
      }
      return c.run(args);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "c2sieve: internal error: %s\n", SafeMessage(e.what()).c_str());
    return kExitIo;
  }
  std::vector<std::string_view> names = {"scan", "check", "explain", "tune", "import", "version", "help"};
  std::string near = Nearest(cmd, names);
  std::fprintf(stderr, "c2sieve: unknown command '%s'%s\n\n%s", SafeMessage(cmd).c_str(),
               near.empty() ? "" : ("; did you mean '" + near + "'?").c_str(), MainUsage().c_str());
  return kExitUsage;
}
