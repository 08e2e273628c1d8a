#include "runtime/engine_core.h"

#include <algorithm>
#include <chrono>

#include "rules/exclusions_loader.h"
#include "rules/indicators.h"
#include "rules/ruleset_loader.h"
#include "profiles/profile_loader.h"
#include "util/option_ranges.h"

namespace c2s::runtime {

namespace {

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AddFields(const rules::Node& n, engine::FieldTable* t) {
  if (!n.field.empty()) t->Add(n.field);
  for (const auto& c : n.children) AddFields(c, t);
}

}  // namespace

absl::StatusOr<std::shared_ptr<EngineCore>> EngineCore::Create(
    Options options) {
  // Limits out of range would crash or exhaust memory on the first event;
  // refused here, at the one place every caller passes (OutOfRange: the
  // ABI reports it as an invalid argument).
  for (auto [range, value] : {std::pair{kMaxEventBytes, uint64_t{options.limits.max_event_bytes}},
                              std::pair{kMaxDepth, uint64_t{options.limits.max_depth}}})
    if (auto st = CheckRange(range, value); !st.ok())
      return absl::OutOfRangeError(st.message());
  std::shared_ptr<EngineCore> core(new EngineCore());
  if (options.builtin_rulesets) {
    auto builtin = rules::BuiltinRulesets();
    if (!builtin.ok()) return builtin.status();
    for (auto& rs : *builtin) core->rulesets_.push_back(std::move(rs));
  }
  for (auto& rs : options.rulesets) core->rulesets_.push_back(std::move(rs));
  // Rules switched off by configuration; naming one that is not loaded is
  // a typo that would leave it on, so it is refused.
  for (const std::string& id : options.disabled_rules) {
    bool found = false;
    for (auto& rs : core->rulesets_) {
      auto& rules = rs.rules;
      size_t before = rules.size();
      rules.erase(std::remove_if(rules.begin(), rules.end(),
                                 [&](const rules::Rule& r) { return r.id == id; }),
                  rules.end());
      found |= rules.size() != before;
    }
    if (!found)
      return absl::FailedPreconditionError(
          Cat("cannot disable rule ", id, ": no such rule is loaded"));
  }
  core->rulesets_.erase(std::remove_if(core->rulesets_.begin(), core->rulesets_.end(),
                                       [](const rules::Ruleset& rs) { return rs.rules.empty(); }),
                        core->rulesets_.end());
  if (core->rulesets_.empty())
    return absl::FailedPreconditionError("no rule to run: every rule is disabled");
  for (const auto& rs : core->rulesets_)
    for (const auto& r : rs.rules) {
      AddFields(r.query, &core->fields_);
      if (r.indicators) core->fields_.Add(r.indicators->field);
    }
  size_t n = 0;
  const rules::ExclusionField* ef = rules::ExclusionFields(&n);
  for (size_t i = 0; i < n; ++i) core->fields_.Add(ef[i].field);
  event::ProfileSet::Options po;
  if (options.builtin_profiles) {
    auto builtin = profiles::BuiltinProfiles();
    if (!builtin.ok()) return builtin.status();
    po.profiles = std::move(*builtin);
  }
  for (auto& p : options.profiles) po.profiles.push_back(std::move(p));
  po.forced = options.force_profile;
  po.enabled = options.enable_profiles;
  po.mode = options.mode;
  auto profile_set = event::ProfileSet::Build(std::move(po), &core->fields_);
  if (!profile_set.ok()) return profile_set.status();
  (*profile_set)->Finish(core->fields_);
  core->profiles_ = std::move(*profile_set);
  core->paths_ = std::make_unique<event::FieldPaths>(core->fields_);
  core->limits_ = options.limits;
  core->mark_excluded_ = options.mark_excluded;
  // Feed rules compile with the indicators in force now.
  rules::ActiveRulesets active = rules::Activate(core->rulesets_, NowUnixMs());
  if (active.rulesets.empty())
    return absl::FailedPreconditionError(
        "no rule to run: every rule is a feed rule without an indicator in force");
  core->rulesets_ = std::move(active.rulesets);
  auto rules = engine::CompiledMatcher::CompileRules(core->fields_, core->rulesets_);
  if (!rules.ok()) return rules.status();
  core->rules_matcher_ = *rules;
  auto probes = ProbeEvents::Build(core->fields_, core->rulesets_, core->rules_matcher_);
  if (!probes.ok()) return probes.status();
  core->probes_ = std::move(*probes);
  auto prefilter = Prefilter::Build(*core->rules_matcher_, *core->profiles_, options.prefilter);
  if (!prefilter.ok()) return prefilter.status();
  core->prefilter_ = std::move(*prefilter);
  core->enrichments_ =
      std::make_shared<enrich::RuleEnrichments>(**rules, options.building_blocks_as_tags,
                                                options.extra_tags);
  auto version = core->Build(options.exclusions);
  if (!version.ok()) return version.status();
  core->current_ = *version;
  core->generation_.store(1, std::memory_order_release);
  core->info_.generation = 1;
  if (options.exclusions) {
    core->info_.origin = options.exclusions->origin;
    core->info_.entries = options.exclusions->entries.size();
    core->info_.applied_unix_ms = NowUnixMs();
  }
  return core;
}

absl::StatusOr<std::shared_ptr<const EngineVersion>> EngineCore::Build(
    const rules::ExclusionSet* exclusions) const {
  auto v = std::make_shared<EngineVersion>();
  v->matcher = rules_matcher_;
  v->enrichments = enrichments_;
  if (exclusions) {
    auto compiled = engine::CompiledMatcher::CompileExclusions(*rules_matcher_, *exclusions);
    if (!compiled.ok()) return compiled.status();
    v->exclusions = *compiled;
    // Before it is applied: a version that would blind a rule is refused.
    if (!exclusions->allow_broad) {
      auto measured = probes_->Measure(v->exclusions);
      if (!measured.ok()) return measured.status();
      if (auto st = ProbeEvents::Check(*measured, exclusions->origin); !st.ok()) return st;
    }
  }
  return std::shared_ptr<const EngineVersion>(std::move(v));
}

absl::StatusOr<std::vector<RuleSuppression>> EngineCore::MeasureExclusions(
    const rules::ExclusionSet& exclusions) const {
  auto compiled = engine::CompiledMatcher::CompileExclusions(*rules_matcher_, exclusions);
  if (!compiled.ok()) return compiled.status();
  return probes_->Measure(*compiled);
}

absl::Status EngineCore::SetExclusions(const rules::ExclusionSet* exclusions,
                                       const std::string& hash) {
  std::lock_guard<std::mutex> serial(swap_mu_);
  // Compile outside version_mu_: evaluators never wait on it.
  auto version = Build(exclusions);
  if (!version.ok()) {
    NoteRejectedExclusions(version.status());
    return version.status();
  }
  {
    std::lock_guard<std::mutex> lock(version_mu_);
    current_ = *version;
    uint64_t g = generation_.fetch_add(1, std::memory_order_acq_rel) + 1;
    info_.origin = exclusions ? exclusions->origin : "";
    info_.hash = hash;
    info_.entries = exclusions ? exclusions->entries.size() : 0;
    info_.applied_unix_ms = NowUnixMs();
    info_.generation = g;
    last_status_ = absl::OkStatus();
  }
  swaps_.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

void EngineCore::NoteRejectedExclusions(const absl::Status& why) {
  rejects_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(version_mu_);
  last_status_ = why;
  info_.last_error = std::string(why.message());
}

void EngineCore::SetWatchedSource(const std::string& source) {
  std::lock_guard<std::mutex> lock(version_mu_);
  info_.source = source;
  info_.consecutive_failures = 0;
}

void EngineCore::NoteFetchFailure(const absl::Status& why) {
  NoteRejectedExclusions(why);
  std::lock_guard<std::mutex> lock(version_mu_);
  info_.last_attempt_unix_ms = NowUnixMs();
  ++info_.fetch_failures;
  ++info_.consecutive_failures;
}

void EngineCore::NoteFetchSuccess() {
  std::lock_guard<std::mutex> lock(version_mu_);
  info_.last_attempt_unix_ms = info_.last_success_unix_ms = NowUnixMs();
  info_.consecutive_failures = 0;
}

EngineCore::ExclusionsInfo EngineCore::exclusions_info() const {
  std::lock_guard<std::mutex> lock(version_mu_);
  return info_;
}

absl::Status EngineCore::last_exclusions_status() const {
  std::lock_guard<std::mutex> lock(version_mu_);
  return last_status_;
}

std::shared_ptr<const EngineVersion> EngineCore::Current() const {
  std::lock_guard<std::mutex> lock(version_mu_);
  return current_;
}

std::shared_ptr<SessionCounters> EngineCore::RegisterCounters() {
  auto c = std::make_shared<SessionCounters>();
  c->rule_count = rules_matcher_->rules().size();
  c->rule_matches = std::make_unique<std::atomic<uint64_t>[]>(c->rule_count);
  std::lock_guard<std::mutex> lock(counters_mu_);
  live_counters_.push_back(c);
  return c;
}

void EngineCore::RetireCounters(const std::shared_ptr<SessionCounters>& c) {
  std::lock_guard<std::mutex> lock(counters_mu_);
  retired_.events += c->events.load(std::memory_order_relaxed);
  retired_.matches += c->matches.load(std::memory_order_relaxed);
  retired_.errors += c->errors.load(std::memory_order_relaxed);
  retired_.excluded += c->excluded.load(std::memory_order_relaxed);
  retired_.prefiltered += c->prefiltered.load(std::memory_order_relaxed);
  retired_.rule_matches.resize(c->rule_count);
  for (size_t i = 0; i < c->rule_count; ++i)
    retired_.rule_matches[i] += c->rule_matches[i].load(std::memory_order_relaxed);
  live_counters_.erase(
      std::remove(live_counters_.begin(), live_counters_.end(), c),
      live_counters_.end());
}

EngineStats EngineCore::Stats() const {
  std::lock_guard<std::mutex> lock(counters_mu_);
  EngineStats s = retired_;
  s.rule_matches.resize(rules_matcher_->rules().size());
  for (const auto& c : live_counters_) {
    for (size_t i = 0; i < c->rule_count && i < s.rule_matches.size(); ++i)
      s.rule_matches[i] += c->rule_matches[i].load(std::memory_order_relaxed);
    s.events += c->events.load(std::memory_order_relaxed);
    s.matches += c->matches.load(std::memory_order_relaxed);
    s.errors += c->errors.load(std::memory_order_relaxed);
    s.excluded += c->excluded.load(std::memory_order_relaxed);
    s.prefiltered += c->prefiltered.load(std::memory_order_relaxed);
  }
  s.swaps = swaps_.load(std::memory_order_relaxed);
  s.rejects = rejects_.load(std::memory_order_relaxed);
  return s;
}

std::vector<std::string> EngineCore::evaluated_rule_ids() const {
  std::vector<std::string> ids;
  for (const auto& r : rules_matcher_->rules()) ids.push_back(r.rule.id);
  return ids;
}

}  // namespace c2s::runtime
