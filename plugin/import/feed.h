// Threat-intelligence domain feeds to a ruleset rule (issue 15, first
// step): plain domain lists, hosts files and a CSV column. Each entry is a
// domain name or nothing: names are put in the form the engine compares in
// canonical mode (ASCII lowercase, no trailing root dot, IDN names as their
// A-labels); "*.example.com" stays a wildcard; IP addresses, URLs, single
// labels and malformed names are skipped with their line and the reason,
// never guessed at. The rule matches an event whose dns.question.name is a
// listed name (any case), as an indicator match on that field would, and
// reports the name in c2sieve.matches.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace c2s::import {

struct FeedOptions {
  std::string format = "list";  // list | hosts | csv
  std::string column;           // csv: a header name, or a 1-based number
  std::string id, name;         // the rule's id and name (required)
  std::string provider;         // who publishes the feed
  std::string reference;        // where it comes from (URL)
  std::string severity = "high";
  double risk_score = 73;
};

struct FeedSkip {
  size_t line = 0;
  std::string entry;
  std::string reason;
};

struct Feed {
  std::vector<std::string> names;      // exact names, canonical, unique, sorted
  std::vector<std::string> wildcards;  // "*.example.com", unique, sorted
  std::vector<FeedSkip> skipped;
  size_t duplicates = 0;
  // Hosts files: the machine's own names (localhost, ip6-loopback ...),
  // which every such file carries and no feed means as an indicator.
  size_t system_names = 0;
};

// Parses a feed. Fails only when the whole input cannot be read as its
// format (a CSV without the column, an unknown format); entries that are
// not domain names are skipped and listed.
absl::StatusOr<Feed> ParseFeed(std::string_view text, const std::string& origin,
                               const FeedOptions& options);

// The feed as a ruleset document (c2sieve.ruleset/1) of one rule. Fails when
// the feed holds no name, or the id or name is missing.
absl::StatusOr<std::string> FeedRuleset(const Feed& feed, const FeedOptions& options,
                                        const std::string& origin);

}  // namespace c2s::import
