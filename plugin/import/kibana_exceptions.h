// Converts exception lists exported from Kibana (Security -> Rules ->
// Shared exception lists -> Export: NDJSON of lists, their items and a
// summary line) into a c2sieve exclusions document. Each item becomes one
// exclusion whose reason is the item's name; its entries (all of which must
// hold) become one `when` condition:
//   match / match_any  -> equals (case-sensitive, as Kibana's "is"); a match
//                         of "true" / "false" -> is: true / false
//   wildcard           -> wildcard (Kibana's backslash escapes undone)
//   exists             -> exists
//   nested             -> the parent's fields, each as above
//   operator excluded  -> the same under `not`
// What cannot be converted exactly is reported and its whole item left out
// (dropping one condition would widen the exclusion): value lists stored in
// Elasticsearch ("list" entries), escaped * or ? in a wildcard, fields the
// engine does not read, expired items. Conversions that may widen an item a
// little are kept and reported (nested entries no longer tied to one object;
// wildcards here ignore case).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace c2s::import {

struct ExceptionsReport {
  size_t lists = 0, items = 0, converted = 0;
  std::vector<std::string> not_converted;  // "item NAME (ID): why"
  std::vector<std::string> warnings;       // converted, but note this
};

struct ExceptionsOptions {
  std::vector<std::string> rule_ids;  // scope every exclusion to these rules
  // Fields the engine reads; an entry on any other field cannot apply.
  std::function<bool(std::string_view)> known_field;
  int64_t now_unix_ms = 0;  // items whose expire_time is before it are expired
};

// The exclusions document (JSON text), or an error naming the line.
absl::StatusOr<std::string> ConvertKibanaExceptions(std::string_view ndjson,
                                                    const std::string& origin,
                                                    const ExceptionsOptions& options,
                                                    ExceptionsReport* report);

}  // namespace c2s::import
