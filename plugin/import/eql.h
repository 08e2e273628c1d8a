// A parser for the EQL that single-event Elastic rules use, into the rule
// model: `<category> where` and a condition of `and`, `or`, `not`,
// parentheses, `==`, `!=`, `:`, `like~`, `like`, `in`, `in~`, `not in`, `?field`,
// `null`, booleans, numbers and strings (with escapes, or raw """..."""),
// with /* */ and // comments. Anything else -- sequences, samples, joins,
// pipes, functions, `regex`, ordering comparisons --
// is refused with its line and column: never approximated.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rules/rule_model.h"

namespace c2s::import {

struct EqlError {
  int line = 0;    // 1-based, within the query text
  int column = 0;  // 1-based, in bytes
  std::string message;
};

// The query as one condition. A `/* comment */` right before a condition
// becomes that condition's comment; the category becomes an
// `event.category == <category>` condition commented "<category> where"
// (`any where` adds none). On failure, *error says where and why.
absl::StatusOr<rules::Node> ParseEql(std::string_view query, EqlError* error);

}  // namespace c2s::import
