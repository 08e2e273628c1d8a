// Typed, pointer-tracking reads from an nlohmann::json document, shared by
// the ruleset and exclusions loaders. Every failure names the JSON pointer.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "rules/load_context.h"
#include "rules/rule_model.h"

namespace c2s::rules {

using Json = nlohmann::json;

// Parses text; a syntax error names origin and line.
absl::Status ParseJsonText(const LoadContext& ctx, std::string_view text,
                           Json* out);

// Parses a c2sieve document: a JSON object whose "format" is `format` and
// whose top-level keys are among `allowed`.
absl::Status ParseDocument(const LoadContext& ctx, std::string_view text,
                           std::string_view format,
                           std::initializer_list<std::string_view> allowed,
                           Json* out);

std::string ChildPointer(std::string_view parent, std::string_view key);
std::string ChildPointer(std::string_view parent, size_t index);

// Fails if `obj` has a key outside `allowed`.
absl::Status CheckKeys(const LoadContext& ctx, const Json& obj,
                       std::string_view pointer,
                       std::initializer_list<std::string_view> allowed);

absl::Status ReadString(const LoadContext& ctx, const Json& obj,
                        std::string_view pointer, std::string_view key,
                        bool required, std::string* out);

// A non-empty array of non-empty strings.
absl::Status ReadStringList(const LoadContext& ctx, const Json& value,
                            std::string_view pointer,
                            std::vector<std::string>* out);

// A rule condition: {"all":[...]}, {"any":[...]}, {"not":{...}},
// {"field":F,"wildcard":[...]}, {"field":F,"equals":[...]},
// {"field":F,"exists":true}, {"field":F,"is":true}; "comment" optional.
absl::Status ReadNode(const LoadContext& ctx, const Json& value,
                      std::string_view pointer, Node* out);

// A dotted field name a ruleset may use: letters, digits, _ - @ and dots
// between non-empty parts, at most 200 bytes.
bool IsFieldName(std::string_view f);

}  // namespace c2s::rules
