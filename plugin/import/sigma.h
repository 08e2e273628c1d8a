// Converts Sigma rules (SigmaHQ format) of logsource product windows,
// category dns_query or network_connection, into c2sieve rules over ECS
// fields, the way source profiles present Sysmon events to the engine:
//   QueryName, DestinationHostname -> dns.question.name
//   Image                          -> process.executable
//   Initiated 'true' / 'false'     -> network.direction egress / ingress
// Detection: selections (maps: every field; lists of maps: any map), value
// lists (any value; `|all`: every value), modifiers contains, startswith,
// endswith, all, exists; plain values are Sigma's case-insensitive
// wildcards, which are c2sieve's. The condition grammar: and, or, not,
// parentheses, `1 of X*`, `all of X*`, `1 of them`, `all of them`. Anything
// else (regular expressions, windash, cased, base64 and other encodings,
// keyword searches, fields without an ECS counterpart here, aggregations) is
// refused with its reason: never approximated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rules/rule_model.h"

namespace c2s::import {

absl::StatusOr<rules::Rule> ImportSigmaRule(std::string_view yaml, const std::string& origin);

}  // namespace c2s::import
