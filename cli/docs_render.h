// Man pages and shell completions rendered from the subcommands' specs
// (command_specs.cc): the text --help prints is the only source, so the
// pages and completions cannot drift from the parser.
#pragma once

#include <string>
#include <string_view>

#include "cli/arg_spec.h"

namespace c2s::cli {

// c2sieve(1): what it does, its subcommands, exit codes.
std::string MainManPage(std::string_view version);

// c2sieve-NAME(1) for one subcommand ("import feed" -> c2sieve-import-feed).
std::string CommandManPage(const CommandSpec& spec, std::string_view version);

// "c2sieve-import-feed": the page's name for a subcommand.
std::string ManPageName(const CommandSpec& spec);

// A bash completion script (complete -F; no bash-completion helpers
// needed) and a zsh one (#compdef, _arguments) for every subcommand and
// option: choices complete to their values, FILE-like values and
// operands to files.
std::string BashCompletion();
std::string ZshCompletion();

}  // namespace c2s::cli
