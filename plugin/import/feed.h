// Threat-intelligence domain feeds to a ruleset rule (issue 15): plain
// domain lists, hosts files, a CSV column, STIX 2.1 bundles and MISP
// events (feed_json.cc). Each entry is a
// domain name or nothing: names are put in the form the engine compares in
// canonical mode (ASCII lowercase, no trailing root dot, IDN names as their
// A-labels); "*.example.com" stays a wildcard; IP addresses, URLs, single
// labels and malformed names are skipped with their line and the reason,
// never guessed at. The rule's "indicators" match an event whose
// dns.question.name is a listed name (any case), as an indicator match on
// that field would; each indicator keeps its source's metadata (id,
// validity window, confidence ...), which a match carries into ECS
// threat.enrichments.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "rules/rule_model.h"

namespace c2s::import {

struct FeedOptions {
  std::string format = "list";  // list | hosts | csv | stix | misp
  std::string column;           // csv: a header name, or a 1-based number
  std::string id, name;         // the rule's id and name (required)
  std::string provider;         // who publishes the feed
  std::string reference;        // where it comes from (URL)
  std::string severity = "high";
  double risk_score = 73;
};

struct FeedSkip {
  size_t line = 0;       // text formats
  std::string pointer;   // JSON formats: where the entry is
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
  // Metadata of the entries that have any (STIX, MISP), by value.
  absl::flat_hash_map<std::string, rules::IndicatorMeta> meta;
  // Entries whose validity had ended when they were read (kept: the
  // engine leaves them out when it compiles).
  size_t expired = 0;
  // What the source says of itself (a STIX identity, a MISP organisation),
  // used when no provider is given.
  std::string source_provider;
};

// Collects a feed's entries: canonical names, duplicates and skips.
class FeedBuilder {
 public:
  // `meta` (may be null) is kept for the entry's value; a duplicate keeps
  // the first entry's.
  void Add(std::string_view entry, size_t line, const std::string& pointer,
           const rules::IndicatorMeta* meta = nullptr);
  void Skip(size_t line, std::string pointer, std::string entry, std::string reason);
  Feed& feed() { return feed_; }
  Feed Finish();

 private:
  Feed feed_;
  absl::flat_hash_map<std::string, bool> seen_;  // value -> is wildcard
};

// Writes the canonical name of `entry` into *out ("*." kept for a
// wildcard) and returns ""; or returns why the entry is no domain name.
std::string NormalizeDomainEntry(std::string_view entry, std::string* out);

// The JSON formats (feed_json.cc).
absl::Status ParseStixBundle(std::string_view text, const std::string& origin, FeedBuilder* b);
absl::Status ParseMispEvents(std::string_view text, const std::string& origin, FeedBuilder* b);

// Parses a feed. Fails only when the whole input cannot be read as its
// format (a CSV without the column, an unknown format); entries that are
// not domain names are skipped and listed.
absl::StatusOr<Feed> ParseFeed(std::string_view text, const std::string& origin,
                               const FeedOptions& options);

// The feed as one rule (its indicators), and as a ruleset document
// (c2sieve.ruleset/1) of that rule. Fail when the feed holds no name, or
// the id or name is missing.
absl::StatusOr<rules::Rule> FeedRule(const Feed& feed, const FeedOptions& options,
                                     const std::string& origin);
absl::StatusOr<std::string> FeedRuleset(const Feed& feed, const FeedOptions& options,
                                        const std::string& origin);

}  // namespace c2s::import
