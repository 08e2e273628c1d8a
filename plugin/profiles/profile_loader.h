// Loads profile documents (format "c2sieve.profiles/1", schema in
// rulesets/schema/profiles.schema.json).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "profiles/profile_model.h"

namespace c2s::profiles {

absl::StatusOr<std::vector<Profile>> ParseProfiles(std::string_view text,
                                                   const std::string& origin);
absl::StatusOr<std::vector<Profile>> LoadProfilesFile(const std::string& path);

// The profiles compiled into the library (rulesets/profiles/builtin.json).
absl::StatusOr<std::vector<Profile>> BuiltinProfiles();

}  // namespace c2s::profiles
