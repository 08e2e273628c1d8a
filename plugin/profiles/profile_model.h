// Source profiles: how one telemetry source's events map onto the ECS
// fields the rules read. Profiles are data (rulesets/profiles/*.json); the
// loader builds this model, the resolver (event/profile_resolver.h) applies
// it per event.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "rules/rule_model.h"

namespace c2s::profiles {

// Where one value comes from, and how it is shaped on the way.
struct Source {
  std::string path;        // a field of the event, dotted
  int index = -1;          // >= 0: the Nth element of an array
  std::string json_key;    // the value is a JSON object in a string: this key
  enum class Transform {
    kNone,
    kBasename,       // text after the last \ or /
    kAccountDomain,  // "DOMAIN\user" -> DOMAIN
    kAccountName,    // "DOMAIN\user" -> user
    kLastWord,       // text after the last run of spaces ("type: 1 x.com" -> x.com)
  } transform = Transform::kNone;
  // Value mapping ("signed" -> true); unmapped values are dropped when a
  // map is given. Targets: "true", "false" (booleans) or any string.
  std::vector<std::pair<std::string, std::string>> map;
};

// An ECS field and the sources tried in order (the first that yields a
// value wins). No sources: the field is never taken from this source (a
// Sysmon event's user.id is the Sysmon service, not the querying user).
struct Mapping {
  std::string field;
  std::vector<Source> sources;
};

struct Profile {
  std::string name;
  std::string description;
  std::string origin;   // "file:line /pointer" of its definition
  int priority = 0;     // detection order: higher first
  bool auto_detect = true;
  bool has_detect = false;
  rules::Node detect;   // over the event's own fields; absent: always
  std::vector<Mapping> mappings;
  // Fields the source implies but does not write, used when absent
  // (a Sysmon event is a Windows network event).
  std::vector<std::pair<std::string, std::string>> defaults;
};

}  // namespace c2s::profiles
