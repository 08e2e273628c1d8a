// The shipped profiles, embedded at build time from
// rulesets/profiles/builtin.json.
#pragma once

namespace c2s::profiles {

extern const char kBuiltinProfiles[];
extern const char kBuiltinProfilesName[];

}  // namespace c2s::profiles
