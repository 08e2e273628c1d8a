#include "runtime/session.h"

#include "enrich/splice.h"
#include "event/json_repair.h"

namespace c2s::runtime {

Session::Session(std::shared_ptr<EngineCore> core)
    : core_(std::move(core)),
      counters_(core_->RegisterCounters()),
      reader_(&core_->paths(), core_->limits()),
      resolver_(core_->profiles()) {
  evaluator_.SetPreparer(this);
  if (core_->profiles()->mode() == event::MatchMode::kCanonical)
    reader_.PairEntries("process.code_signature",
                        core_->fields().Find("process.code_signature.subject_name"),
                        core_->fields().Find("process.code_signature.trusted"));
}

Session::~Session() {
  core_->RetireCounters(counters_);
  hs_free_scratch(prefilter_scratch_);
}

bool Session::MayMatch(std::string_view bytes, Prefilter::Encoding encoding) {
  // The version in force decides (a cheap check unless it changed); if it
  // cannot be bound, the full path reports the error.
  if (!Refresh().ok()) return true;
  hs_scratch_t* scratch = PrefilterScratch();
  if (scratch == nullptr) return true;  // off, or no scratch: the full path decides
  if (version_->rules->prefilter->MayMatch(bytes, encoding, scratch)) return true;
  DecidedWithoutReading();
  return false;
}

bool Session::JsonMayMatch(std::string_view event) {
  // Only a well-framed event within the size limit is decided from its
  // bytes; others are read, so their errors are counted.
  return event.size() > core_->limits().max_event_bytes || !Prefilter::FramedAsObject(event) ||
         MayMatch(event);
}

void Session::ClearLastResult() {
  evaluator_.ResetResult();
  match_info_valid_ = enrichment_valid_ = enrichment_json_valid_ = false;
  profile_ = -1;
}

void Session::DecidedWithoutReading() {
  ClearLastResult();
  counters_->Bump(counters_->events);
  counters_->Bump(counters_->prefiltered);
}

hs_scratch_t* Session::PrefilterScratch() {
  const Prefilter& p = *version_->rules->prefilter;
  if (!p.enabled()) return nullptr;
  if (scratch_prefilter_.get() != &p) {
    // Sized for this prefilter's database (an existing scratch grows; one
    // for an earlier version's database is reused). Holding the prefilter
    // keeps its address from being reused by another.
    if (hs_alloc_scratch(p.database(), &prefilter_scratch_) != HS_SUCCESS) return nullptr;
    scratch_prefilter_ = version_->rules->prefilter;
  }
  return prefilter_scratch_;
}

absl::Status Session::Refresh() {
  uint64_t g = core_->generation();
  if (g == bound_generation_ && version_) return absl::OkStatus();
  auto v = core_->Current();
  if (auto st = evaluator_.Bind(v->matcher, v->exclusions); !st.ok()) return st;
  // A version that lists rules the counters have no room for yet.
  core_->GrowCounters(counters_.get(), v->rules->rule_registry_size);
  if (version_) core_->Retire(std::move(version_));  // freed off this thread
  version_ = std::move(v);
  bound_generation_ = g;
  return absl::OkStatus();
}

absl::Status Session::BeginFields() {
  if (auto st = Refresh(); !st.ok()) return st;
  evaluator_.fields().Clear();
  evaluator_.ResetResult();
  match_info_valid_ = enrichment_valid_ = enrichment_json_valid_ = false;
  return absl::OkStatus();
}

void Session::ResolveFields() {
  deferred_.clear();
  profile_ = resolver_.Resolve(&evaluator_.fields(), &deferred_);
  for (uint32_t slot : deferred_) evaluator_.MarkPending(slot);
}

void Session::Prepare(uint32_t slot, engine::EventFields* fields) {
  resolver_.CanonicalizeSlot(slot, fields);
}

std::string_view Session::profile_name() const {
  return profile_ >= 0 ? std::string_view(resolver_.set().name(profile_)) : std::string_view();
}

size_t Session::Finish() {
  ResolveFields();
  const auto& matches = evaluator_.Evaluate();
  counters_->Bump(counters_->events);
  if (evaluator_.scan_failed()) {
    counters_->Bump(counters_->errors);
    return 0;
  }
  if (!matches.empty()) counters_->Bump(counters_->matches);
  const auto& counter_index = version_->rules->counter_index;
  for (const auto& m : matches) {
    uint32_t c = counter_index[m.rule];
    if (c < counters_->rule_count) counters_->Bump(counters_->rule_matches[c]);
  }
  if (evaluator_.last_excluded() > 0 && matches.empty()) counters_->Bump(counters_->excluded);
  return matches.size();
}

bool Session::FieldsMayMatch() {
  hs_scratch_t* scratch = PrefilterScratch();
  if (scratch == nullptr) return true;
  const Prefilter& p = *version_->rules->prefilter;
  const engine::EventFields& f = evaluator_.fields();
  // Any value with text, whatever its type: a number's text can hold no
  // literal, and if it ever did the event would just be evaluated.
  for (uint32_t slot : p.gate_slots())
    for (const auto& v : f.values(slot))
      if (!v.text.empty() && p.TextMayMatch(v.text, scratch)) return true;
  return false;
}

size_t Session::EvaluateFields() {
  // The domain first: when no value the chosen clauses read holds a
  // literal, no rule can match, and source detection, canonical forms and
  // the plan are skipped.
  if (!FieldsMayMatch()) {
    DecidedWithoutReading();
    return 0;
  }
  return Finish();
}

const std::vector<uint32_t>& Session::BoundGateSlots() const {
  static const std::vector<uint32_t> kNone;
  const Prefilter& p = *version_->rules->prefilter;
  return p.enabled() ? p.gate_slots() : kNone;
}

absl::StatusOr<const std::vector<uint32_t>*> Session::GateSlots() {
  if (auto st = Refresh(); !st.ok()) return st;
  return &BoundGateSlots();
}

Session::Gate Session::EvaluateGate(const std::vector<uint32_t>& handed_out) {
  const std::vector<uint32_t>& slots = BoundGateSlots();
  // The host read exactly the slots it was given: if the rules in force
  // gate on others, a value it did not read may be the one that matches.
  if (slots != handed_out) return Gate::kStale;
  if (slots.empty() || FieldsMayMatch()) return Gate::kEvaluate;
  DecidedWithoutReading();
  return Gate::kNoMatch;
}

absl::StatusOr<const std::vector<uint32_t>*> Session::QuerySlots() {
  if (auto st = Refresh(); !st.ok()) return st;
  return &version_->rules->query_slots;
}

Session::Gate Session::EvaluateQuery(const std::vector<uint32_t>& handed_out) {
  // A value of a slot the host did not read may be the one a query needs.
  if (version_->rules->query_slots != handed_out) return Gate::kStale;
  ResolveFields();
  const auto& matches = evaluator_.Evaluate();
  // A query held (matched, or covered by an exclusion read from fields the
  // host may not have given), or the scan failed: the full evaluation
  // decides, and counts, the event.
  bool held = evaluator_.scan_failed() || !matches.empty() || evaluator_.last_excluded() > 0;
  ClearLastResult();
  if (held) return Gate::kEvaluate;
  counters_->Bump(counters_->events);
  return Gate::kNoMatch;
}

const std::vector<MatchInfo>& Session::matches() {
  if (match_info_valid_) return match_info_;
  match_info_.clear();
  match_info_valid_ = true;
  // No match: nothing to look up (an event the prefilter decided may come
  // before the session is bound to any matcher).
  if (evaluator_.last_matches().empty()) return match_info_;
  const engine::CompiledMatcher& m = evaluator_.matcher();
  for (const auto& rm : evaluator_.last_matches()) {
    MatchInfo info;
    const auto& rule = m.rules()[rm.rule].rule;
    info.rule_id = rule.id;
    info.rule_name = rule.name;
    if (rm.has_pattern) {
      info.field = m.fields().name(rm.slot);
      info.pattern = m.field_patterns()[rm.slot].patterns[rm.pattern];
      info.value = std::string(rm.value);
    }
    match_info_.push_back(std::move(info));
  }
  return match_info_;
}

const enrich::Enrichment& Session::BuiltEnrichment() {
  if (!enrichment_valid_) {
    hits_.clear();
    const auto& matches = evaluator_.last_matches();
    for (const auto& rm : matches) evaluator_.CollectHits(rm, &hits_);
    if (matches.empty()) {
      if (marked_excluded())
        enrichment_.BuildExcluded(evaluator_.matcher(), evaluator_.last_excluded_rules(),
                                  profile_name());
      else
        enrichment_.Clear();
    } else {
      enrichment_.Build(*version_->enrichments, evaluator_.matcher(), matches,
                        hits_, profile_name());
    }
    enrichment_valid_ = true;
  }
  return enrichment_;
}

const std::string& Session::EnrichmentJson() {
  if (!enrichment_json_valid_) {
    enrichment_json_.clear();
    BuiltEnrichment().RenderObject(&enrichment_json_);
    enrichment_json_valid_ = true;
  }
  return enrichment_json_;
}

event::ReadStatus Session::ReadJsonFields(std::string_view event) {
  return reader_.Read(event, &evaluator_.fields());
}

JsonResult Session::EvalJson(std::string_view event) {
  JsonResult r;
  r.output = event;
  if (!JsonMayMatch(event)) return r;
  if (!BeginFields().ok()) {
    r.status = event::ReadStatus::kNotJson;
    counters_->Bump(counters_->errors);
    return r;
  }
  r.status = ReadJsonFields(event);
  if (r.status != event::ReadStatus::kOk) {
    counters_->Bump(counters_->events);
    counters_->Bump(counters_->errors);
    return r;
  }
  r.matched_rules = Finish();
  if (evaluator_.scan_failed()) {
    r.status = event::ReadStatus::kScanError;
    return r;
  }
  if (r.matched_rules == 0 && !marked_excluded()) return r;
  output_.clear();
  // A byte order mark stays in front of the enriched object.
  size_t bom = event::ByteOrderMarkLength(event);
  output_.append(event.substr(0, bom));
  if (enrich::SpliceInto(event.substr(bom), BuiltEnrichment().leaves(), &output_)) {
    r.output = output_;
    r.enriched = true;
  } else {
    // Cannot happen for an event that parsed as an object; if it ever does,
    // the match must not vanish silently.
    r.status = event::ReadStatus::kNotObject;
    r.matched_rules = 0;
    counters_->Bump(counters_->errors);
  }
  return r;
}

BatchResult Session::EvalNdjson(std::string_view data, bool only_matches,
                                std::string* out) {
  BatchResult b;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    size_t end = nl == std::string_view::npos ? data.size() : nl;
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    ++b.lines;
    // Keep a CR of CRLF input on the line; JSON allows it as whitespace.
    bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
    if (blank) {
      if (!only_matches) out->append(line).push_back('\n');
      continue;
    }
    JsonResult r = EvalJson(line);
    if (r.status != event::ReadStatus::kOk) ++b.error_lines;
    if (r.matched_rules > 0) ++b.matched_lines;
    if (only_matches && r.matched_rules == 0) continue;
    out->append(r.output).push_back('\n');
  }
  return b;
}

const std::vector<const enrich::Leaf*>& Session::EnrichmentLeaves() {
  static const std::vector<const enrich::Leaf*> kNone;
  if (evaluator_.last_matches().empty() && !marked_excluded()) return kNone;
  return BuiltEnrichment().leaves();
}

size_t Session::EnrichmentRuleLeaves(std::shared_ptr<const void>* owner) {
  const auto& leaves = EnrichmentLeaves();
  *owner = version_ ? version_->enrichments : nullptr;
  return leaves.empty() ? 0 : BuiltEnrichment().rule_leaves();
}

}  // namespace c2s::runtime
