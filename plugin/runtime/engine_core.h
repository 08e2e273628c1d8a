// An engine: the loaded rulesets, the fixed field table, and the current
// compiled version (rules: matcher, prefilter, enrichments; exclusions),
// which SetExclusions, SetLiveRuleset and RecompileIfDue replace
// atomically, compiling off the hot path. Sessions pick up a new version
// at the start of their next evaluation; evaluations in flight keep theirs.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/compiled_matcher.h"
#include "enrich/enrichment.h"
#include "event/json_event_reader.h"
#include "event/profile_resolver.h"
#include "profiles/profile_model.h"
#include "rules/rule_model.h"
#include "runtime/prefilter.h"
#include "runtime/probe_events.h"

namespace c2s::runtime {

// What one set of rulesets compiles to, immutable and shared by every
// version until the rules change (a live ruleset's new version, or an
// indicator's validity window opening or closing).
struct RulesLayer {
  // The rules as compiled (feed rules: their indicators in force).
  std::shared_ptr<const engine::CompiledMatcher> matcher;
  std::shared_ptr<const ProbeEvents> probes;
  std::shared_ptr<const Prefilter> prefilter;
  // The fields that decide every rule's query (query_slots.h).
  std::vector<uint32_t> query_slots;
  std::shared_ptr<const enrich::RuleEnrichments> enrichments;
  // Matcher rule -> the engine's rule index (rule_id(), the counters): an
  // id keeps its index and its counts across versions.
  std::vector<uint32_t> counter_index;
  size_t rule_registry_size = 0;  // rules the engine had listed with this one
  // When an indicator's window opens or closes next (max(): never).
  int64_t next_change_ms = std::numeric_limits<int64_t>::max();
  size_t indicators_active = 0;
};

// Everything an evaluation reads, immutable and shared.
struct EngineVersion {
  std::shared_ptr<const RulesLayer> rules;
  // Shortcuts into `rules`, and the exclusions compiled for them (nullptr:
  // none).
  std::shared_ptr<const engine::CompiledMatcher> matcher;
  std::shared_ptr<const engine::CompiledMatcher> exclusions;
  std::shared_ptr<const enrich::RuleEnrichments> enrichments;
  uint64_t generation = 0;
};

// Counters of one session, written only by its thread.
struct alignas(64) SessionCounters {
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> matches{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> excluded{0};
  // Events the prefilter decided from their bytes (also in events).
  std::atomic<uint64_t> prefiltered{0};
  // Matches per rule (index into the matcher's rules).
  std::unique_ptr<std::atomic<uint64_t>[]> rule_matches;
  size_t rule_count = 0;
  void Bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

struct EngineStats {
  uint64_t events = 0, matches = 0, errors = 0, excluded = 0, swaps = 0, rejects = 0;
  uint64_t prefiltered = 0;
  std::vector<uint64_t> rule_matches;  // per rule, in rule_id() order
  uint64_t ruleset_swaps = 0, ruleset_rejects = 0;  // live rulesets
};

// A live ruleset (watched file or URL) and how its versions go.
struct LiveRulesetInfo {
  std::string source;   // the path or URL watched
  std::string origin;   // of the version in force ("" before the first)
  std::string hash;
  size_t rules = 0, indicators = 0;
  int64_t applied_unix_ms = 0;
  uint64_t generation = 0;   // the engine generation it was applied in
  std::string last_error;    // of the last rejected version, read or fetch
  int64_t last_attempt_unix_ms = 0, last_success_unix_ms = 0;
  uint64_t swaps = 0, rejects = 0, fetch_failures = 0, consecutive_failures = 0;
};

class EngineCore {
 public:
  struct Options {
    bool builtin_rulesets = true;
    std::vector<rules::Ruleset> rulesets;
    const rules::ExclusionSet* exclusions = nullptr;
    event::EventLimits limits;
    bool builtin_profiles = true;
    std::vector<profiles::Profile> profiles;  // added to the built-in ones
    std::string force_profile;                // "" = detect per event
    std::vector<std::string> enable_profiles; // auto: false ones to detect
    event::MatchMode mode = event::MatchMode::kCanonical;
    // Rule ids switched off; an id that is not loaded, or switching every
    // rule off, fails with FailedPrecondition.
    std::vector<std::string> disabled_rules;
    // Building-block rules' matches add only their tags (and c2sieve.matches),
    // not rule.*, threat.* or risk.
    bool building_blocks_as_tags = false;
    // Tags every match adds beside its rules' own (the `tag` option).
    std::vector<std::string> extra_tags;
    // The prefilter (bytes and field-level gate); off: every event is read.
    bool prefilter = true;
    // An event a rule's query matched but an exclusion covered (and no rule
    // matched) gets c2sieve.excluded.rule_id, and nothing else: exclusions
    // become countable where the events are stored.
    bool mark_excluded = false;
  };
  // `live` are the first versions of the rulesets to be watched, by
  // source (a URL not fetched yet has none: its rules come with its first
  // version, and may only read fields the engine reads).
  static absl::StatusOr<std::shared_ptr<EngineCore>> Create(
      Options options, std::vector<std::pair<std::string, std::optional<rules::Ruleset>>> live = {});

  // Validates and compiles the rules with this version of a live ruleset
  // (added if `source` is new) and swaps them in with the exclusions in
  // force; on failure the version in force stays, and the failure is
  // counted and kept in the source's info. A new version may not read a
  // field the engine does not (its fields are fixed at Create: hosts hold
  // field indices). `hash` identifies the bytes. Calls are serialized.
  absl::Status SetLiveRuleset(const std::string& source, rules::Ruleset ruleset,
                              const std::string& hash = "");
  // A watcher's bookkeeping for a live source (also before any version).
  void NoteLiveFailure(const std::string& source, const absl::Status& why, bool fetch_failed);
  void NoteLiveSuccess(const std::string& source);
  std::vector<LiveRulesetInfo> live_rulesets() const;

  // Recompiles when an indicator's window has opened or closed since the
  // rules in force were compiled (at `now_ms`): expired indicators drop
  // out without a new push. Returns whether it did; a failure keeps the
  // version in force. Watchers call it each interval.
  absl::StatusOr<bool> RecompileIfDue(int64_t now_ms);
  int64_t next_change_ms() const { return next_change_ms_.load(std::memory_order_relaxed); }

  // Validates, compiles and swaps in new exclusions (nullptr: none). On
  // failure the version in force stays. `hash` identifies the document's
  // bytes for ExclusionsInfo ("" when unknown). Calls are serialized.
  absl::Status SetExclusions(const rules::ExclusionSet* exclusions,
                             const std::string& hash = "");

  // The exclusions in force and the last attempt to change them.
  struct ExclusionsInfo {
    std::string origin;   // "" when none are applied
    std::string hash;
    size_t entries = 0;
    int64_t applied_unix_ms = 0;
    uint64_t generation = 0;
    std::string last_error;  // of the last rejected attempt, "" if none
    // The watched source, and how reading it goes (a fleet sees a shipper
    // stuck on stale exclusions by last_success_unix_ms).
    std::string source;
    int64_t last_attempt_unix_ms = 0;
    int64_t last_success_unix_ms = 0;  // read and applied, or unchanged
    uint64_t fetch_failures = 0;       // reads or fetches that failed
    uint64_t consecutive_failures = 0;
  };
  ExclusionsInfo exclusions_info() const;
  absl::Status last_exclusions_status() const;

  // What share of each rule's probe events `exclusions` would suppress
  // (compiled, not applied). For `c2sieve check`.
  absl::StatusOr<std::vector<RuleSuppression>> MeasureExclusions(
      const rules::ExclusionSet& exclusions) const;

  // Counts a document that failed before it reached SetExclusions.
  void NoteRejectedExclusions(const absl::Status& why = absl::OkStatus());

  // The watcher's bookkeeping: the source watched ("" when none), and the
  // outcome of each look at it. A failed read or fetch (missing file, DNS,
  // TLS, HTTP status) counts as a rejected version too, so one counter
  // shows every configuration failure.
  void SetWatchedSource(const std::string& source);
  void NoteFetchFailure(const absl::Status& why);
  void NoteFetchSuccess();

  std::shared_ptr<const EngineVersion> Current() const;
  // A session hands over the version it leaves, so that freeing it (most of
  // a second for a million-name feed) never falls to an evaluating thread;
  // ReleaseRetired frees what was handed over (each swap and each
  // watcher's look call it).
  void Retire(std::shared_ptr<const EngineVersion> version);
  void ReleaseRetired();
  uint64_t generation() const {
    return generation_.load(std::memory_order_acquire);
  }

  const engine::FieldTable& fields() const { return fields_; }
  const event::FieldPaths& paths() const { return *paths_; }
  const std::shared_ptr<const event::ProfileSet>& profiles() const { return profiles_; }
  const event::EventLimits& limits() const { return limits_; }
  bool mark_excluded() const { return mark_excluded_; }
  // The engine's rules, every one it has compiled since it started (a rule
  // a live ruleset dropped stays listed, with its counts). Ids and names
  // live as long as the engine.
  size_t rule_count() const;
  const std::string* rule_id(size_t i) const;
  const std::string* rule_name(size_t i) const;
  // The prefilter in force: "on: ..." or "off: why". Lives as long as the
  // engine.
  const std::string& prefilter_description() const;
  std::shared_ptr<const Prefilter> prefilter() const { return Current()->rules->prefilter; }

  // Counters: sessions register theirs; freed sessions fold into totals.
  std::shared_ptr<SessionCounters> RegisterCounters();
  // A session's counters grown to `rules` rules (by the session's own
  // thread, when it binds a version that lists more rules).
  void GrowCounters(SessionCounters* c, size_t rules);
  void RetireCounters(const std::shared_ptr<SessionCounters>& c);
  EngineStats Stats() const;
  // Ids of the rules (disabled ones left out), in the order of
  // EngineStats::rule_matches.
  std::vector<std::string> evaluated_rule_ids() const;

 private:
  EngineCore() = default;
  // The rules as loaded now: the fixed ones, then each live one's version.
  std::vector<rules::Ruleset> LoadedRulesets() const;
  absl::StatusOr<std::shared_ptr<RulesLayer>> BuildRules(std::vector<rules::Ruleset> loaded,
                                                         int64_t now_ms) const;
  absl::StatusOr<std::shared_ptr<const EngineVersion>> Build(
      std::shared_ptr<const RulesLayer> rules, const rules::ExclusionSet* exclusions) const;
  // Lists the layer's rules (new ids get new indices) and fills its
  // counter_index; under swap_mu_, once the version is sure to be applied.
  void ListRules(RulesLayer* layer);
  // Makes `version` current and calls `record` (if any) with its
  // generation under the same lock; returns the generation. Under swap_mu_.
  uint64_t Commit(std::shared_ptr<const EngineVersion> version,
                  const std::function<void(uint64_t generation)>& record = {});
  LiveRulesetInfo* FindLive(const std::string& source);

  // Rules and options fixed at Create.
  std::vector<rules::Ruleset> fixed_rulesets_;
  std::vector<std::string> disabled_rules_;
  bool building_blocks_as_tags_ = false;
  std::vector<std::string> extra_tags_;
  bool prefilter_on_ = true;
  // Live rulesets, in the order they were added (guarded by swap_mu_ for
  // the rulesets, version_mu_ for the infos).
  std::vector<std::pair<std::string, std::optional<rules::Ruleset>>> live_;
  std::vector<LiveRulesetInfo> live_info_;
  // The exclusions in force, kept to compile them again for new rules.
  std::optional<rules::ExclusionSet> exclusions_doc_;
  std::atomic<int64_t> next_change_ms_{std::numeric_limits<int64_t>::max()};
  std::mutex retired_mu_;
  std::vector<std::shared_ptr<const EngineVersion>> retired_versions_;

  mutable std::mutex registry_mu_;
  std::deque<std::pair<std::string, std::string>> registry_;  // id, name
  absl::flat_hash_map<std::string, uint32_t> registry_index_;
  std::deque<std::string> prefilter_descriptions_;  // the last is in force

  engine::FieldTable fields_;
  std::unique_ptr<event::FieldPaths> paths_;
  std::shared_ptr<const event::ProfileSet> profiles_;
  event::EventLimits limits_;
  bool mark_excluded_ = false;

  std::mutex swap_mu_;             // serializes compiles and swaps
  mutable std::mutex version_mu_;  // guards current_ and info_
  ExclusionsInfo info_;
  absl::Status last_status_;
  std::shared_ptr<const EngineVersion> current_;
  std::atomic<uint64_t> generation_{0};

  mutable std::mutex counters_mu_;
  std::vector<std::shared_ptr<SessionCounters>> live_counters_;
  EngineStats retired_;
  std::atomic<uint64_t> swaps_{0}, rejects_{0};
  std::atomic<uint64_t> ruleset_swaps_{0}, ruleset_rejects_{0};
};

}  // namespace c2s::runtime
