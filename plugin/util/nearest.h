// "Did you mean": the known name nearest to a misspelt one. Used for CLI
// options and subcommands and for the library's option keys, so a typo is
// answered the same way in every host.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace c2s {

// Edit distance with a transposition counted as one edit.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word` if it is near enough to be a typo of it
// (a prefix of four or more characters counts as one edit), else "".
std::string Nearest(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace c2s
