// What a watched ruleset source may hold: a c2sieve ruleset, or a
// threat-intelligence feed as it is published -- a STIX 2.1 bundle, MISP
// events, a hosts file or a plain list of names -- which becomes one feed
// rule named after the source (id "feed-<file name>"), as `c2sieve import
// feed` would write it. A CSV feed needs its column named: import it.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rules/rule_model.h"

namespace c2s::config {

struct SourceDocument {
  rules::Ruleset ruleset;
  std::string kind;                // "ruleset", "stix", "misp", "hosts", "list"
  std::vector<std::string> notes;  // skipped entries (summarized), for the log
};

absl::StatusOr<SourceDocument> ReadRulesetOrFeed(const std::string& text, const std::string& source);

// The rule id a feed at `source` gets: "feed-" and the file name without
// its extensions ("https://x.example/f/abuse-domains.txt" -> "feed-abuse-domains").
std::string FeedRuleId(const std::string& source);

}  // namespace c2s::config
