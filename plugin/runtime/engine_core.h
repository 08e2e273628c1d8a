// An engine: the loaded rulesets, the fixed field table, and the current
// compiled version (matcher + enrichments + exclusions), which
// SetExclusions replaces atomically. Sessions pick up a new version at the
// start of their next evaluation; evaluations in flight keep theirs.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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

// Everything an evaluation reads, immutable and shared.
struct EngineVersion {
  // The rules and their enrichments are compiled once per engine and shared
  // by every version; only the exclusions change (nullptr: none).
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
  std::vector<uint64_t> rule_matches;  // per rule of the matcher, in its order
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
  static absl::StatusOr<std::shared_ptr<EngineCore>> Create(Options options);

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
  uint64_t generation() const {
    return generation_.load(std::memory_order_acquire);
  }

  const engine::FieldTable& fields() const { return fields_; }
  const event::FieldPaths& paths() const { return *paths_; }
  const std::shared_ptr<const event::ProfileSet>& profiles() const { return profiles_; }
  const event::EventLimits& limits() const { return limits_; }
  bool mark_excluded() const { return mark_excluded_; }
  const std::vector<rules::Ruleset>& rulesets() const { return rulesets_; }
  // The prefilter over raw bytes (never null; it may be off).
  const Prefilter& prefilter() const { return *prefilter_; }

  // Counters: sessions register theirs; freed sessions fold into totals.
  std::shared_ptr<SessionCounters> RegisterCounters();
  void RetireCounters(const std::shared_ptr<SessionCounters>& c);
  EngineStats Stats() const;
  // Ids of the rules evaluated (disabled ones left out), in the order of
  // EngineStats::rule_matches.
  std::vector<std::string> evaluated_rule_ids() const;

 private:
  EngineCore() = default;
  absl::StatusOr<std::shared_ptr<const EngineVersion>> Build(
      const rules::ExclusionSet* exclusions) const;

  std::vector<rules::Ruleset> rulesets_;
  std::shared_ptr<const engine::CompiledMatcher> rules_matcher_;
  std::unique_ptr<ProbeEvents> probes_;
  std::unique_ptr<Prefilter> prefilter_;
  std::shared_ptr<const enrich::RuleEnrichments> enrichments_;
  engine::FieldTable fields_;
  std::unique_ptr<event::FieldPaths> paths_;
  std::shared_ptr<const event::ProfileSet> profiles_;
  event::EventLimits limits_;
  bool mark_excluded_ = false;

  std::mutex swap_mu_;             // serializes SetExclusions (compile + swap)
  mutable std::mutex version_mu_;  // guards current_ and info_
  ExclusionsInfo info_;
  absl::Status last_status_;
  std::shared_ptr<const EngineVersion> current_;
  std::atomic<uint64_t> generation_{0};

  mutable std::mutex counters_mu_;
  std::vector<std::shared_ptr<SessionCounters>> live_counters_;
  EngineStats retired_;
  std::atomic<uint64_t> swaps_{0}, rejects_{0};
};

}  // namespace c2s::runtime
