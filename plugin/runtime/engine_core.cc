#include "runtime/engine_core.h"

#include <algorithm>
#include <chrono>

#include "rules/exclusions_loader.h"
#include "rules/indicators.h"
#include "rules/ruleset_loader.h"
#include "profiles/profile_loader.h"
#include "runtime/query_slots.h"
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
    Options options, std::vector<std::pair<std::string, std::optional<rules::Ruleset>>> live) {
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
    for (auto& rs : *builtin) core->fixed_rulesets_.push_back(std::move(rs));
  }
  for (auto& rs : options.rulesets) core->fixed_rulesets_.push_back(std::move(rs));
  // Rules switched off by configuration; naming one that is not loaded is
  // a typo that would leave it on, so it is refused. (Live rulesets'
  // later versions lose them too, silently.)
  for (const std::string& id : options.disabled_rules) {
    bool found = false;
    auto drop = [&](rules::Ruleset& rs) {
      auto& rules = rs.rules;
      size_t before = rules.size();
      rules.erase(std::remove_if(rules.begin(), rules.end(),
                                 [&](const rules::Rule& r) { return r.id == id; }),
                  rules.end());
      found |= rules.size() != before;
    };
    for (auto& rs : core->fixed_rulesets_) drop(rs);
    for (auto& [source, rs] : live)
      if (rs) drop(*rs);
    if (!found)
      return absl::FailedPreconditionError(
          Cat("cannot disable rule ", id, ": no such rule is loaded"));
  }
  core->disabled_rules_ = options.disabled_rules;
  core->live_ = std::move(live);
  for (const auto& [source, rs] : core->live_) {
    LiveRulesetInfo info;
    info.source = source;
    core->live_info_.push_back(std::move(info));
  }
  std::vector<rules::Ruleset> loaded = core->LoadedRulesets();
  bool any_rule = false;
  for (const auto& rs : loaded) any_rule |= !rs.rules.empty();
  if (!any_rule && core->live_.empty())
    return absl::FailedPreconditionError("no rule to run: every rule is disabled");
  // The fields, fixed for the engine's life (hosts hold their indices):
  // the rules', the exclusions' and the one feeds compare by default, so a
  // live feed whose first version comes later can use it.
  for (const auto& rs : loaded)
    for (const auto& r : rs.rules) {
      AddFields(r.query, &core->fields_);
      if (r.indicators) core->fields_.Add(r.indicators->field);
    }
  core->fields_.Add(rules::IndicatorSet().field);
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
  core->building_blocks_as_tags_ = options.building_blocks_as_tags;
  core->extra_tags_ = options.extra_tags;
  core->prefilter_on_ = options.prefilter;
  auto layer = core->BuildRules(std::move(loaded), NowUnixMs());
  if (!layer.ok()) return layer.status();
  auto version = core->Build(*layer, options.exclusions);
  if (!version.ok()) return version.status();
  std::lock_guard<std::mutex> serial(core->swap_mu_);
  core->ListRules(layer->get());
  if (options.exclusions) core->exclusions_doc_ = *options.exclusions;
  core->Commit(*version);
  for (auto& info : core->live_info_) {
    for (const auto& [source, rs] : core->live_)
      if (source == info.source && rs) {
        info.origin = rs->origin;
        info.applied_unix_ms = NowUnixMs();
        info.generation = 1;
        for (const auto& r : rs->rules) {
          ++info.rules;
          if (r.indicators) info.indicators += r.indicators->items.size();
        }
      }
  }
  core->info_.generation = 1;
  if (options.exclusions) {
    core->info_.origin = options.exclusions->origin;
    core->info_.entries = options.exclusions->entries.size();
    core->info_.applied_unix_ms = NowUnixMs();
  }
  return core;
}

std::vector<rules::Ruleset> EngineCore::LoadedRulesets() const {
  std::vector<rules::Ruleset> loaded = fixed_rulesets_;
  for (const auto& [source, rs] : live_)
    if (rs) loaded.push_back(*rs);
  return loaded;
}

absl::StatusOr<std::shared_ptr<RulesLayer>> EngineCore::BuildRules(
    std::vector<rules::Ruleset> loaded, int64_t now_ms) const {
  for (auto& rs : loaded)
    for (const std::string& id : disabled_rules_)
      rs.rules.erase(std::remove_if(rs.rules.begin(), rs.rules.end(),
                                    [&](const rules::Rule& r) { return r.id == id; }),
                     rs.rules.end());
  // Feed rules compile with the indicators in force now.
  rules::ActiveRulesets active = rules::Activate(loaded, now_ms);
  if (active.rulesets.empty())
    return absl::FailedPreconditionError(
        active.idle_rules.empty()
            ? "no rule to run: every rule is disabled"
            : "no rule to run: every rule is a feed rule without an indicator in force");
  auto layer = std::make_shared<RulesLayer>();
  // The compiled rules are the matcher's from here on: the rulesets as
  // compiled are not kept (a feed's clause holds every name once more).
  std::vector<rules::Ruleset> compiled = std::move(active.rulesets);
  layer->next_change_ms = active.next_change_ms;
  layer->indicators_active = active.indicators_active;
  auto matcher = engine::CompiledMatcher::CompileRules(fields_, compiled);
  if (!matcher.ok()) return matcher.status();
  layer->matcher = *matcher;
  auto probes = ProbeEvents::Build(fields_, compiled, layer->matcher);
  if (!probes.ok()) return probes.status();
  layer->probes = std::move(*probes);
  auto prefilter = Prefilter::Build(*layer->matcher, *profiles_, prefilter_on_);
  if (!prefilter.ok()) return prefilter.status();
  layer->prefilter = std::move(*prefilter);
  layer->query_slots = QuerySlots(*layer->matcher, *profiles_);
  layer->enrichments = std::make_shared<enrich::RuleEnrichments>(
      *layer->matcher, building_blocks_as_tags_, extra_tags_);
  return layer;
}

void EngineCore::ListRules(RulesLayer* layer) {
  std::lock_guard<std::mutex> lock(registry_mu_);
  layer->counter_index.clear();
  for (const auto& cr : layer->matcher->rules()) {
    auto [it, fresh] = registry_index_.emplace(cr.rule.id, static_cast<uint32_t>(registry_.size()));
    if (fresh) registry_.emplace_back(cr.rule.id, cr.rule.name);
    layer->counter_index.push_back(it->second);
  }
  layer->rule_registry_size = registry_.size();
  if (prefilter_descriptions_.empty() ||
      prefilter_descriptions_.back() != layer->prefilter->description())
    prefilter_descriptions_.push_back(layer->prefilter->description());
}

uint64_t EngineCore::Commit(std::shared_ptr<const EngineVersion> version,
                            const std::function<void(uint64_t generation)>& record) {
  next_change_ms_.store(version->rules->next_change_ms, std::memory_order_relaxed);
  ReleaseRetired();
  std::shared_ptr<const EngineVersion> old;  // freed after the lock, on this thread
  std::lock_guard<std::mutex> lock(version_mu_);
  old = std::move(current_);
  current_ = std::move(version);
  uint64_t g = generation_.fetch_add(1, std::memory_order_acq_rel) + 1;
  // The infos change with the version, under one lock: a reader never sees
  // a version with the infos of another.
  if (record) record(g);
  return g;
}

void EngineCore::Retire(std::shared_ptr<const EngineVersion> version) {
  std::lock_guard<std::mutex> lock(retired_mu_);
  retired_versions_.push_back(std::move(version));
}

void EngineCore::ReleaseRetired() {
  std::vector<std::shared_ptr<const EngineVersion>> done;
  {
    std::lock_guard<std::mutex> lock(retired_mu_);
    done.swap(retired_versions_);
  }
  // A million-name version takes most of a second to free: here, on a
  // watcher's or a swapper's thread, never on an evaluating one.
}

absl::StatusOr<std::shared_ptr<const EngineVersion>> EngineCore::Build(
    std::shared_ptr<const RulesLayer> rules, const rules::ExclusionSet* exclusions) const {
  auto v = std::make_shared<EngineVersion>();
  v->rules = rules;
  v->matcher = rules->matcher;
  v->enrichments = rules->enrichments;
  if (exclusions) {
    auto compiled = engine::CompiledMatcher::CompileExclusions(*rules->matcher, *exclusions);
    if (!compiled.ok()) return compiled.status();
    v->exclusions = *compiled;
    // Before it is applied: a version that would blind a rule is refused.
    if (!exclusions->allow_broad) {
      auto measured = rules->probes->Measure(v->exclusions);
      if (!measured.ok()) return measured.status();
      if (auto st = ProbeEvents::Check(*measured, exclusions->origin); !st.ok()) return st;
    }
  }
  return std::shared_ptr<const EngineVersion>(std::move(v));
}

absl::StatusOr<std::vector<RuleSuppression>> EngineCore::MeasureExclusions(
    const rules::ExclusionSet& exclusions) const {
  auto rules = Current()->rules;
  auto compiled = engine::CompiledMatcher::CompileExclusions(*rules->matcher, exclusions);
  if (!compiled.ok()) return compiled.status();
  return rules->probes->Measure(*compiled);
}

absl::Status EngineCore::SetExclusions(const rules::ExclusionSet* exclusions,
                                       const std::string& hash) {
  std::lock_guard<std::mutex> serial(swap_mu_);
  // Compile outside version_mu_: evaluators never wait on it.
  auto version = Build(Current()->rules, exclusions);
  if (!version.ok()) {
    NoteRejectedExclusions(version.status());
    return version.status();
  }
  if (exclusions)
    exclusions_doc_ = *exclusions;
  else
    exclusions_doc_.reset();
  Commit(*version, [&](uint64_t g) {
    info_.origin = exclusions ? exclusions->origin : "";
    info_.hash = hash;
    info_.entries = exclusions ? exclusions->entries.size() : 0;
    info_.applied_unix_ms = NowUnixMs();
    info_.generation = g;
    last_status_ = absl::OkStatus();
  });
  swaps_.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

LiveRulesetInfo* EngineCore::FindLive(const std::string& source) {
  for (auto& info : live_info_)
    if (info.source == source) return &info;
  LiveRulesetInfo info;
  info.source = source;
  live_info_.push_back(std::move(info));
  return &live_info_.back();
}

absl::Status EngineCore::SetLiveRuleset(const std::string& source, rules::Ruleset ruleset,
                                        const std::string& hash) {
  std::lock_guard<std::mutex> serial(swap_mu_);
  size_t rule_count = ruleset.rules.size(), indicators = 0;
  for (const auto& r : ruleset.rules)
    if (r.indicators) indicators += r.indicators->items.size();
  std::string origin = ruleset.origin;
  // The rules with this version in place of the last (or added).
  std::vector<rules::Ruleset> loaded = fixed_rulesets_;
  bool replaced = false;
  for (const auto& [s, rs] : live_) {
    if (s == source) {
      loaded.push_back(ruleset);
      replaced = true;
    } else if (rs) {
      loaded.push_back(*rs);
    }
  }
  if (!replaced) loaded.push_back(ruleset);
  auto layer = BuildRules(std::move(loaded), NowUnixMs());
  absl::StatusOr<std::shared_ptr<const EngineVersion>> version =
      layer.ok() ? Build(*layer, exclusions_doc_ ? &*exclusions_doc_ : nullptr)
                 : absl::StatusOr<std::shared_ptr<const EngineVersion>>(layer.status());
  if (!version.ok()) {
    absl::Status why = absl::Status(version.status().code(),
                                    Cat(source, ": ruleset rejected: ", version.status().message()));
    NoteLiveFailure(source, why, /*fetch_failed=*/false);
    return why;
  }
  ListRules(layer->get());
  if (replaced) {
    for (auto& [s, rs] : live_)
      if (s == source) rs = std::move(ruleset);
  } else {
    live_.emplace_back(source, std::move(ruleset));
  }
  Commit(*version, [&](uint64_t g) {
    LiveRulesetInfo* info = FindLive(source);
    info->origin = origin;
    info->hash = hash;
    info->rules = rule_count;
    info->indicators = indicators;
    info->applied_unix_ms = info->last_success_unix_ms = info->last_attempt_unix_ms = NowUnixMs();
    info->generation = g;
    info->consecutive_failures = 0;
    ++info->swaps;
  });
  ruleset_swaps_.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

void EngineCore::NoteLiveFailure(const std::string& source, const absl::Status& why,
                                 bool fetch_failed) {
  ruleset_rejects_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(version_mu_);
  LiveRulesetInfo* info = FindLive(source);
  info->last_error = std::string(why.message());
  info->last_attempt_unix_ms = NowUnixMs();
  ++info->rejects;
  ++info->consecutive_failures;
  if (fetch_failed) ++info->fetch_failures;
}

void EngineCore::NoteLiveSuccess(const std::string& source) {
  std::lock_guard<std::mutex> lock(version_mu_);
  LiveRulesetInfo* info = FindLive(source);
  info->last_attempt_unix_ms = info->last_success_unix_ms = NowUnixMs();
  info->consecutive_failures = 0;
}

std::vector<LiveRulesetInfo> EngineCore::live_rulesets() const {
  std::lock_guard<std::mutex> lock(version_mu_);
  return live_info_;
}

absl::StatusOr<bool> EngineCore::RecompileIfDue(int64_t now_ms) {
  if (now_ms < next_change_ms_.load(std::memory_order_relaxed)) return false;
  std::lock_guard<std::mutex> serial(swap_mu_);
  if (now_ms < Current()->rules->next_change_ms) return false;  // done meanwhile
  auto layer = BuildRules(LoadedRulesets(), now_ms);
  absl::StatusOr<std::shared_ptr<const EngineVersion>> version =
      layer.ok() ? Build(*layer, exclusions_doc_ ? &*exclusions_doc_ : nullptr)
                 : absl::StatusOr<std::shared_ptr<const EngineVersion>>(layer.status());
  if (!version.ok()) {
    // Keep the rules in force, and do not retry before the next change
    // could make a difference (the watcher logs this once).
    next_change_ms_.store(std::numeric_limits<int64_t>::max(), std::memory_order_relaxed);
    ruleset_rejects_.fetch_add(1, std::memory_order_relaxed);
    return absl::Status(version.status().code(),
                        Cat("recompiling for indicators' validity failed: ",
                            version.status().message()));
  }
  ListRules(layer->get());
  Commit(*version);
  ruleset_swaps_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

size_t EngineCore::rule_count() const {
  std::lock_guard<std::mutex> lock(registry_mu_);
  return registry_.size();
}

const std::string* EngineCore::rule_id(size_t i) const {
  std::lock_guard<std::mutex> lock(registry_mu_);
  return i < registry_.size() ? &registry_[i].first : nullptr;
}

const std::string* EngineCore::rule_name(size_t i) const {
  std::lock_guard<std::mutex> lock(registry_mu_);
  return i < registry_.size() ? &registry_[i].second : nullptr;
}

const std::string& EngineCore::prefilter_description() const {
  std::lock_guard<std::mutex> lock(registry_mu_);
  return prefilter_descriptions_.back();
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
  c->rule_count = rule_count();
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
  if (retired_.rule_matches.size() < c->rule_count) retired_.rule_matches.resize(c->rule_count);
  for (size_t i = 0; i < c->rule_count; ++i)
    retired_.rule_matches[i] += c->rule_matches[i].load(std::memory_order_relaxed);
  live_counters_.erase(
      std::remove(live_counters_.begin(), live_counters_.end(), c),
      live_counters_.end());
}

EngineStats EngineCore::Stats() const {
  std::lock_guard<std::mutex> lock(counters_mu_);
  EngineStats s = retired_;
  s.rule_matches.resize(rule_count());
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
  s.ruleset_swaps = ruleset_swaps_.load(std::memory_order_relaxed);
  s.ruleset_rejects = ruleset_rejects_.load(std::memory_order_relaxed);
  return s;
}

void EngineCore::GrowCounters(SessionCounters* c, size_t rules) {
  if (rules <= c->rule_count) return;
  auto grown = std::make_unique<std::atomic<uint64_t>[]>(rules);
  std::lock_guard<std::mutex> lock(counters_mu_);  // Stats() reads under it
  for (size_t i = 0; i < c->rule_count; ++i)
    grown[i].store(c->rule_matches[i].load(std::memory_order_relaxed), std::memory_order_relaxed);
  c->rule_matches = std::move(grown);
  c->rule_count = rules;
}

std::vector<std::string> EngineCore::evaluated_rule_ids() const {
  std::lock_guard<std::mutex> lock(registry_mu_);
  std::vector<std::string> ids;
  for (const auto& [id, name] : registry_) ids.push_back(id);
  return ids;
}

}  // namespace c2s::runtime
