// Applies source profiles to one event: picks the profile whose detect
// holds (or the forced one), builds the ECS values the rules read from the
// event's own fields, supplies what the source implies, and, in canonical
// mode, canonicalizes paths and domains. Immutable ProfileSet shared by all
// threads; one ProfileResolver (arena, JSON parser) per session.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/event_fields.h"
#include "engine/field_table.h"
#include "profiles/profile_model.h"

namespace c2s::event {

enum class MatchMode { kCanonical, kParity };
const char* MatchModeName(MatchMode m);

enum class FieldKind { kPlain, kPath, kDomain };
// Which fields hold Windows paths or DNS names (built in, documented).
FieldKind KindOfField(std::string_view field);

class ProfileSet {
 public:
  struct Options {
    std::vector<profiles::Profile> profiles;
    std::string forced;                // a profile name: every event uses it
    std::vector<std::string> enabled;  // auto: false profiles to detect too
    MatchMode mode = MatchMode::kCanonical;
  };

  // Adds every field the profiles read or write to `fields` (so events are
  // searched for them) and compiles. Call Finish once the table is final.
  static absl::StatusOr<std::shared_ptr<ProfileSet>> Build(
      Options options, engine::FieldTable* fields);
  void Finish(const engine::FieldTable& fields);

  size_t size() const { return profiles_.size(); }
  const std::string& name(size_t i) const { return profiles_[i].name; }
  MatchMode mode() const { return mode_; }
  // How the slot's values are canonicalized (in canonical mode).
  FieldKind kind_of_slot(uint32_t slot) const {
    return slot < kind_of_slot_.size() ? kind_of_slot_[slot] : FieldKind::kPlain;
  }
  // False when some profile may give the slot a value the event's bytes
  // do not spell: a default ("network" for a Sysmon event) or a value map
  // ("signed" -> true). Transforms (basename, account parts, last word)
  // take a piece of the event's own text, so they keep it true.
  bool ValuesComeFromEventText(uint32_t slot) const;
  // The slot and every slot some profile reads to build its values: where
  // a caller's values for it may be given.
  std::vector<uint32_t> SourceSlotsOf(uint32_t slot) const;
  // Every slot a detection reads (none when a profile is forced): what
  // decides which profile an event is read with.
  std::vector<uint32_t> DetectSlots() const;

 private:
  friend class ProfileResolver;
  struct DetectNode {
    rules::NodeKind kind;
    uint32_t slot = 0;
    std::vector<std::string> values;
    std::vector<DetectNode> children;
  };
  struct Source {
    uint32_t slot;
    int index;
    std::string json_key;
    profiles::Source::Transform transform;
    std::vector<std::pair<std::string, std::string>> map;
  };
  struct Mapping {
    uint32_t target;
    std::vector<Source> sources;
    // The first source is the target itself, as it is: when present the
    // mapping changes nothing and is skipped.
    bool identity_first = false;
  };
  struct Default {
    uint32_t target;
    std::string value;
  };
  struct Compiled {
    std::string name;
    bool has_detect = false;
    DetectNode detect;
    std::vector<Mapping> mappings;
    // The detect can only hold if one of these fields is present (empty:
    // no such shortcut): most events are ruled out without walking it.
    std::vector<uint32_t> required_any;
    std::vector<Default> defaults;
  };
  static absl::Status CompileNode(const rules::Node& n, engine::FieldTable* fields,
                                  DetectNode* out);
  static std::vector<uint32_t> RequiredAny(const DetectNode& n);

  std::vector<Compiled> profiles_;    // highest priority first
  std::vector<uint32_t> detect_order_;  // auto (or enabled) profiles
  int32_t forced_ = -1;
  int32_t fallback_ = -1;  // profile used when none is detected
  MatchMode mode_ = MatchMode::kCanonical;
  std::vector<FieldKind> kind_of_slot_;
  std::vector<uint32_t> canonical_slots_;  // slots holding paths or domains
};

class ProfileResolver {
 public:
  explicit ProfileResolver(std::shared_ptr<const ProfileSet> set);

  // Rewrites an event's fields in place into the values the rules read:
  // mapped fields are replaced (all mappings read the event's own values),
  // defaults added, paths and domains canonicalized. Returns the profile
  // used, or -1 if none applied (fields are then read as they are).
  // Canonical paths are left for later when `deferred` is given: their
  // slots are listed there, to be canonicalized with CanonicalizeSlot on
  // first use (most events are decided before a path is read).
  int32_t Resolve(engine::EventFields* fields, std::vector<uint32_t>* deferred = nullptr);
  void CanonicalizeSlot(uint32_t slot, engine::EventFields* fields);

  const ProfileSet& set() const { return *set_; }

 private:
  bool Detect(const ProfileSet::DetectNode& n, const engine::EventFields& f) const;
  // Stages the values one source yields; true if it yielded any.
  bool StageSource(const ProfileSet::Source& s, const engine::EventFields& fields);
  void StageShaped(const ProfileSet::Source& s, engine::FieldValue v);
  std::string_view Keep(std::string_view v);  // copy into the per-event arena
  void Canonicalize(engine::EventFields* fields, std::vector<uint32_t>* deferred);

  std::shared_ptr<const ProfileSet> set_;
  std::deque<std::string> arena_;
  size_t arena_used_ = 0;
  simdjson::dom::parser json_parser_;
  std::vector<char> json_buf_;
  std::string scratch_;
  std::vector<engine::FieldValue> staged_;          // all mappings' values
  std::vector<std::pair<uint32_t, uint32_t>> staged_ranges_;  // target, count
};

}  // namespace c2s::event
