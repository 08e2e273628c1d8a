// The shipped rulesets, embedded at build time from rulesets/ (see
// CMakeLists.txt: the .cc is generated from the JSON files).
#pragma once

namespace c2s::rules {

extern const char kBuiltinElasticRuleset[];
extern const char kBuiltinElasticRulesetName[];
extern const char kBuiltinLinuxRuleset[];
extern const char kBuiltinLinuxRulesetName[];

}  // namespace c2s::rules
