// Every subcommand's spec: the one source of its options and --help.
#pragma once

#include <vector>

#include "cli/arg_spec.h"

namespace c2s::cli {

const CommandSpec& ScanSpec();
const CommandSpec& CheckSpec();
const CommandSpec& ExplainSpec();
const CommandSpec& TuneSpec();
const CommandSpec& ImportElasticSpec();
const CommandSpec& ImportSigmaSpec();
const CommandSpec& ImportExceptionsSpec();
const CommandSpec& ImportFeedSpec();
const CommandSpec& VersionSpec();

// In the order `c2sieve --help` lists them.
const std::vector<const CommandSpec*>& AllCommands();

// The top-level usage: every subcommand with its summary's first line.
std::string MainUsage();

// What c2sieve does (the top of MainUsage) and the exit codes every
// subcommand's help ends with: also the man pages' text.
std::string_view MainSummary();
std::string_view ExitCodesText();

}  // namespace c2s::cli
