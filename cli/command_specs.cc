#include "cli/command_specs.h"

#include "util/strings.h"

// The option tables leave trailing members to their defaults; g++ 10 (the
// portable build) warns about that for aggregates, g++ 12 does not.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace c2s::cli {

namespace {

constexpr std::string_view kExitCodes =
    "exit codes:\n"
    "  0  success (malformed input lines are passed through and counted, not fatal)\n"
    "  1  check: a file is invalid; explain: the input holds no event;\n"
    "     import: something was refused or left out (reported)\n"
    "  2  usage error\n"
    "  3  a ruleset, exclusions or profile file failed to load (the message names\n"
    "     the file, line and JSON pointer)\n"
    "  4  input or output error";

const OptionSpec kOutput{"-o", "--output", "FILE", "where to write the result (default: stdout)"};

}  // namespace

const CommandSpec& ScanSpec() {
  static const CommandSpec s{
      "scan", "[FILE|-]",
      "tag NDJSON events (matches enriched, the rest unchanged)",
      "NDJSON in, NDJSON out: one output line per input line, in order; matching\n"
      "events enriched with ECS rule.*, threat.*, event.risk_score, tags and\n"
      "c2sieve.*. Reads standard input when FILE is - or absent; gzip-compressed\n"
      "input is read as it is. A summary goes to stderr. With --watch-ruleset the\n"
      "rulesets named are watched while the input is read (a stream: lines are\n"
      "written as they come), and each new good version applies from the next\n"
      "event on.",
      {{"--only-matches", "", "", "write only the enriched lines"},
       {"--quiet", "", "", "no summary on stderr"},
       {"--no-progress", "", "", "no progress bar (shown only when stderr is a tty)"},
       {"--watch-interval-ms", "", "N", "how often to look at watched rulesets",
        false, &kWatchIntervalMs}},
      true, 0, 1, kExitCodes};
  return s;
}

const CommandSpec& CheckSpec() {
  static const CommandSpec s{
      "check", "FILE...",
      "validate ruleset, exclusions and profile files",
      "Validates ruleset, exclusions and profile files the way the engine loads\n"
      "them (parse, schema rules, compile), reporting each file in the order given.\n"
      "For an exclusions file it also shows what share of each rule's probe events\n"
      "it would suppress (more than 25% is refused unless \"allow_broad\").",
      {}, false, 1, SIZE_MAX, kExitCodes};
  return s;
}

const CommandSpec& ExplainSpec() {
  static const CommandSpec s{
      "explain", "[FILE|-]",
      "each clause's verdict for one event",
      "Shows each clause's verdict for one event (the first non-blank line of FILE).",
      {}, true, 0, 1, kExitCodes};
  return s;
}

const CommandSpec& TuneSpec() {
  static const CommandSpec s{
      "tune", "EVENTS.ndjson",
      "noisiest match groups and a proposed exclusions file",
      "The noisiest (rule, process, signer, domain) groups of matches in a set of\n"
      "events, and a proposed exclusions file of narrow entries (one trusted signer,\n"
      "one process, one domain) to review. The report goes to stdout; the proposal\n"
      "to the -o file.",
      {{"--top", "", "N", "groups shown", false, &kTuneTop},
       {"--min-count", "", "N", "fewest matches for a proposal", false, &kTuneMinCount},
       {"-o", "--output", "FILE", "where to write the proposal\n(default: proposed-exclusions.json)"},
       {"--format", "", "FORMAT", "the report: table, json or csv (default: table)", false,
        nullptr, {"table", "json", "csv"}},
       {"--no-progress", "", "", "no progress bar (shown only when stderr is a tty)"}},
      true, 1, 1, kExitCodes};
  return s;
}

const CommandSpec& ImportElasticSpec() {
  static const CommandSpec s{
      "import elastic", "RULE.toml...",
      "Elastic rule TOML (EQL) to a ruleset",
      "Converts Elastic detection rules (TOML with an EQL query) to a c2sieve\n"
      "ruleset; refuses what it cannot convert exactly, naming the line and column.",
      {{"--spec", "", "FILE", "an import spec (c2sieve.import/1): ids, labels, description"},
       {"--source-commit", "", "SHA", "the upstream commit, recorded in the ruleset"},
       kOutput},
      false, 1, SIZE_MAX, kExitCodes};
  return s;
}

const CommandSpec& ImportSigmaSpec() {
  static const CommandSpec s{
      "import sigma", "RULE.yml...",
      "Sigma rules to a ruleset",
      "Converts Sigma rules (windows dns_query and network_connection) to a\n"
      "c2sieve ruleset; refuses what it cannot convert exactly, naming the line and\n"
      "column.",
      {{"--skip-refused", "", "", "convert the rest and list the refused ones (exit 1)"},
       {"--spec", "", "FILE", "an import spec (c2sieve.import/1)"},
       {"--source-commit", "", "SHA", "the upstream commit, recorded in the ruleset"},
       kOutput},
      false, 1, SIZE_MAX, kExitCodes};
  return s;
}

const CommandSpec& ImportExceptionsSpec() {
  static const CommandSpec s{
      "import exceptions", "EXPORT.ndjson",
      "Kibana exception list export to exclusions",
      "Converts a Kibana exception list export to an exclusions file; reports what\n"
      "it cannot convert (exit 1 if anything was left out). The engine options say\n"
      "which rules and fields the result must apply to.",
      {{"--rule", "", "ID", "scope every entry to this rule", true}, kOutput},
      true, 1, 1, kExitCodes};
  return s;
}

const CommandSpec& ImportFeedSpec() {
  static const CommandSpec s{
      "import feed", "FEED",
      "threat-intelligence domain feed to a ruleset",
      "Converts a domain feed (a plain list, a hosts file, a CSV column, a STIX 2.1\n"
      "bundle or MISP events) to a ruleset of one rule whose indicators match an\n"
      "event whose dns.question.name is a listed name (any case; \"*.x\" entries as\n"
      "wildcards); a match gets ECS threat.enrichments with the indicator's\n"
      "metadata. Names are written as the engine compares them (lowercase, IDN\n"
      "names as A-labels); IP addresses, URLs, other indicator types and malformed\n"
      "entries are skipped and listed with their line or JSON pointer (exit 1).\n"
      "STIX: indicators whose pattern is domain-name:value = '...' comparisons\n"
      "joined by OR (validity window, confidence, labels kept), and domain-name\n"
      "objects. MISP: domain, hostname and domain|ip attributes with to_ids set.",
      {{"--format", "", "FORMAT", "list, hosts, csv, stix or misp (default: list)", false, nullptr,
        {"list", "hosts", "csv", "stix", "misp"}},
       {"--column", "", "NAME|N", "csv: the header name or the number (from 1) of the\ncolumn"},
       {"--id", "", "ID", "the rule's id (required)"},
       {"--name", "", "NAME", "the rule's name (required)"},
       {"--provider", "", "NAME", "who publishes the feed (default for STIX and MISP:\nthe identity or organisation the feed names)"},
       {"--reference", "", "URL", "where the feed comes from"},
       {"--severity", "", "LEVEL", "low, medium, high or critical (default: high)", false, nullptr,
        {"low", "medium", "high", "critical"}},
       kOutput},
      false, 1, 1, kExitCodes};
  return s;
}

const CommandSpec& VersionSpec() {
  static const CommandSpec s{"version", "", "print the version", "Prints the version.", {}, false, 0, 0, ""};
  return s;
}

const std::vector<const CommandSpec*>& AllCommands() {
  static const std::vector<const CommandSpec*> all = {
      &ScanSpec(),         &CheckSpec(),        &ExplainSpec(),          &TuneSpec(),
      &ImportElasticSpec(), &ImportSigmaSpec(), &ImportExceptionsSpec(), &ImportFeedSpec(),
      &VersionSpec()};
  return all;
}

std::string_view MainSummary() {
  return "Tags events that look like command and control over commonly abused web\n"
         "services (Elastic's rule \"Connection to Commonly Abused Web Services\" and its\n"
         "Linux companion, built in).";
}

std::string_view ExitCodesText() { return kExitCodes; }

std::string MainUsage() {
  std::string out = Cat("usage: c2sieve COMMAND [OPTIONS]\n\n", MainSummary(), "\n\ncommands:\n");
  for (const CommandSpec* c : AllCommands()) {
    std::string head = Cat("  ", c->name, " ", c->operands);
    if (head.size() < 36) head.resize(36, ' ');
    else head += "\n" + std::string(36, ' ');
    out += head + std::string(c->brief) + "\n";
  }
  out += "\nc2sieve COMMAND --help shows a command's options.\n\n";
  out += kExitCodes;
  out += "\n";
  return out;
}

}  // namespace c2s::cli
