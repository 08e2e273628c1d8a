// The C ABI: the only door into the library. Translates handles and
// statuses, and catches every exception so none reaches the host.
#include <cstdio>
#include <array>
#include <charconv>
#include <cstring>
#include <mutex>
#include <exception>
#include <new>
#include <string>

#include "abi/enrichment_ops.h"
#include "c2sieve.h"
#include "config/exclusions_watcher.h"
#include "config/options.h"
#include "config/ruleset_watcher.h"
#include "config/stats_logger.h"
#include "util/number_text.h"
#include "profiles/profile_loader.h"
#include "rules/exclusions_loader.h"
#include "rules/load_context.h"
#include "rules/ruleset_loader.h"
#include "runtime/engine_core.h"
#include "runtime/session.h"
#include "util/version.h"

struct c2s_engine {
  explicit c2s_engine(std::shared_ptr<c2s::runtime::EngineCore> c) : core(std::move(c)) {}
  ~c2s_engine() {
    std::lock_guard<std::mutex> lock(watch_mu);
    watcher.reset();  // stops its thread before the handle goes
    ruleset_watchers.clear();
    stats_logger.reset();
  }
  std::shared_ptr<c2s::runtime::EngineCore> core;
  std::mutex watch_mu;
  std::unique_ptr<c2s::config::ExclusionsWatcher> watcher;
  std::vector<std::unique_ptr<c2s::config::RulesetWatcher>> ruleset_watchers;
  std::unique_ptr<c2s::config::StatsLogger> stats_logger;
  std::mutex log_mu;
  c2s_log_fn log_fn = nullptr;
  void* log_user = nullptr;
  void Log(int level, const std::string& message) {
    std::lock_guard<std::mutex> lock(log_mu);
    if (log_fn) {
      log_fn(log_user, level, message.c_str());
    } else {
      static const char* kLevel[] = {"info", "warning", "error"};
      std::fprintf(stderr, "c2sieve %s: %s\n", kLevel[level < 0 ? 0 : level > 2 ? 2 : level],
                   message.c_str());
    }
  }
};

struct c2s_session {
  explicit c2s_session(std::shared_ptr<c2s::runtime::EngineCore> core)
      : session(std::move(core)) {}
  c2s::runtime::Session session;
  std::string batch_output;
  // Text of typed numbers given to c2s_eval_fields (kept across events).
  std::vector<std::array<char, 40>> number_text;
  c2s::abi::EnrichmentOps ops;
  bool ops_valid = false;
  // The gate slots last handed out by c2s_session_gate_fields (as slots,
  // and as the host's field indices).
  std::vector<uint32_t> gate;
  std::vector<int32_t> gate_fields;
  // The same for c2s_session_query_fields.
  std::vector<uint32_t> query;
  std::vector<int32_t> query_fields;
};

struct c2s_options {
  c2s::config::OptionValues values;
  std::string got;  // c2s_options_get's last answer
  c2s_log_fn log_fn = nullptr;
  void* log_user = nullptr;
};

namespace {

thread_local std::string t_last_error;

c2s_status Fail(c2s_status code, std::string message) {
  t_last_error = std::move(message);
  return code;
}

c2s_status FromStatus(const absl::Status& st, c2s_status kind) {
  if (st.ok()) return C2S_OK;
  // NotFound, DataLoss: a file could not be read; PermissionDenied: a file
  // refused for its kind or size (see rules::ReadFile).
  if (absl::IsNotFound(st) || absl::IsDataLoss(st) || absl::IsPermissionDenied(st))
    return Fail(C2S_E_IO, std::string(st.message()));
  if (absl::IsResourceExhausted(st))
    return Fail(C2S_E_NOMEM, std::string(st.message()));
  return Fail(kind, std::string(st.message()));
}

// Runs f, turning any exception into a status.
template <typename F>
c2s_status Guard(F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return Fail(C2S_E_NOMEM, "out of memory");
  } catch (const std::exception& e) {
    return Fail(C2S_E_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return Fail(C2S_E_INTERNAL, "internal error");
  }
}

std::string SourceLabel(const c2s_source* s) {
  if (s->name && *s->name) return s->name;
  return s->data ? "<buffer>" : "<unnamed>";
}

absl::StatusOr<c2s::rules::Ruleset> LoadRuleset(const c2s_source* s) {
  if (s->data == nullptr) {
    if (s->name == nullptr)
      return absl::InvalidArgumentError("ruleset source has no name or data");
    return c2s::rules::LoadRulesetFile(s->name);
  }
  return c2s::rules::ParseRuleset(std::string_view(s->data, s->size),
                                  SourceLabel(s));
}

absl::StatusOr<c2s::rules::ExclusionSet> LoadExclusions(const c2s_source* s) {
  if (s->data == nullptr) {
    if (s->name == nullptr)
      return absl::InvalidArgumentError(
          "exclusions source has no name or data");
    return c2s::rules::LoadExclusionsFile(s->name);
  }
  return c2s::rules::ParseExclusions(std::string_view(s->data, s->size),
                                     SourceLabel(s));
}

absl::StatusOr<std::vector<c2s::profiles::Profile>> LoadProfiles(const c2s_source* s) {
  if (s->data == nullptr) {
    if (s->name == nullptr)
      return absl::InvalidArgumentError("profile source has no name or data");
    return c2s::profiles::LoadProfilesFile(s->name);
  }
  return c2s::profiles::ParseProfiles(std::string_view(s->data, s->size), SourceLabel(s));
}

}  // namespace

extern "C" {

const char* c2s_version(void) { return c2s::LibraryVersion(); }
unsigned c2s_version_number(void) { return C2S_VERSION_NUMBER; }

const char* c2s_status_name(int status) {
  switch (status) {
    case C2S_OK: return "C2S_OK";
    case C2S_E_INVALID_ARGUMENT: return "C2S_E_INVALID_ARGUMENT";
    case C2S_E_RULESET: return "C2S_E_RULESET";
    case C2S_E_EXCLUSIONS: return "C2S_E_EXCLUSIONS";
    case C2S_E_IO: return "C2S_E_IO";
    case C2S_E_COMPILE: return "C2S_E_COMPILE";
    case C2S_E_EVENT: return "C2S_E_EVENT";
    case C2S_E_NOMEM: return "C2S_E_NOMEM";
    case C2S_E_INTERNAL: return "C2S_E_INTERNAL";
    case C2S_E_PROFILE: return "C2S_E_PROFILE";
    default: return "C2S_E_UNKNOWN";
  }
}

const char* c2s_last_error(void) { return t_last_error.c_str(); }

void c2s_engine_config_init(c2s_engine_config* config) {
  if (config == nullptr) return;
  std::memset(config, 0, sizeof(*config));
  config->struct_size = sizeof(*config);
  config->use_builtin_rulesets = 1;
}

c2s_status c2s_engine_create(const c2s_engine_config* config,
                             c2s_engine** out) {
  return Guard([&]() -> c2s_status {
    if (out == nullptr) return Fail(C2S_E_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (config == nullptr || config->struct_size < sizeof(c2s_engine_config))
      return Fail(C2S_E_INVALID_ARGUMENT,
                  "config is NULL or not set up with c2s_engine_config_init");
    if (config->ruleset_count > 0 && config->rulesets == nullptr)
      return Fail(C2S_E_INVALID_ARGUMENT, "rulesets is NULL");
    c2s::runtime::EngineCore::Options opts;
    opts.builtin_rulesets = config->use_builtin_rulesets != 0;
    if (config->max_event_bytes) opts.limits.max_event_bytes = config->max_event_bytes;
    if (config->max_depth) opts.limits.max_depth = config->max_depth;
    if (config->mode != C2S_MODE_CANONICAL && config->mode != C2S_MODE_PARITY)
      return Fail(C2S_E_INVALID_ARGUMENT, "mode is not a c2s_match_mode");
    opts.mode = config->mode == C2S_MODE_PARITY ? c2s::event::MatchMode::kParity
                                                : c2s::event::MatchMode::kCanonical;
    if (config->profile_count > 0 && config->profiles == nullptr)
      return Fail(C2S_E_INVALID_ARGUMENT, "profiles is NULL");
    for (size_t i = 0; i < config->profile_count; ++i) {
      auto ps = LoadProfiles(&config->profiles[i]);
      if (!ps.ok()) return FromStatus(ps.status(), C2S_E_PROFILE);
      for (auto& p : *ps) opts.profiles.push_back(std::move(p));
    }
    if (config->force_profile) opts.force_profile = config->force_profile;
    if (config->disable_rules) {
      std::string list = config->disable_rules;
      size_t start = 0;
      while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        std::string id = list.substr(start, comma - start);
        while (!id.empty() && id.front() == ' ') id.erase(id.begin());
        while (!id.empty() && id.back() == ' ') id.pop_back();
        if (!id.empty()) opts.disabled_rules.push_back(id);
        start = comma + 1;
      }
    }
    opts.building_blocks_as_tags = config->building_blocks_as_tags != 0;
    if (config->enable_profiles) {
      std::string list = config->enable_profiles;
      for (size_t b = 0; b <= list.size();) {
        size_t e = list.find(',', b);
        if (e == std::string::npos) e = list.size();
        std::string name = list.substr(b, e - b);
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        if (!name.empty()) opts.enable_profiles.push_back(name);
        b = e + 1;
      }
    }
    for (size_t i = 0; i < config->ruleset_count; ++i) {
      auto rs = LoadRuleset(&config->rulesets[i]);
      if (!rs.ok()) return FromStatus(rs.status(), C2S_E_RULESET);
      opts.rulesets.push_back(std::move(*rs));
    }
    c2s::rules::ExclusionSet exclusions;
    if (config->exclusions) {
      auto ex = LoadExclusions(config->exclusions);
      if (!ex.ok()) return FromStatus(ex.status(), C2S_E_EXCLUSIONS);
      exclusions = std::move(*ex);
      opts.exclusions = &exclusions;
    }
    auto core = c2s::runtime::EngineCore::Create(std::move(opts));
    // FailedPrecondition: the configuration names a rule to disable that
    // is not loaded, or disables every rule; OutOfRange: a limit is outside
    // its documented range.
    if (!core.ok())
      return FromStatus(core.status(), absl::IsFailedPrecondition(core.status()) ||
                                               absl::IsOutOfRange(core.status())
                                           ? C2S_E_INVALID_ARGUMENT
                                           : C2S_E_COMPILE);
    *out = new c2s_engine(std::move(*core));
    return C2S_OK;
  });
}

c2s_status c2s_engine_create_default(c2s_engine** out) {
  c2s_engine_config config;
  c2s_engine_config_init(&config);
  return c2s_engine_create(&config, out);
}

void c2s_engine_free(c2s_engine* engine) { delete engine; }

c2s_status c2s_engine_set_exclusions(c2s_engine* engine,
                                     const c2s_source* source) {
  return Guard([&]() -> c2s_status {
    if (engine == nullptr) return Fail(C2S_E_INVALID_ARGUMENT, "engine is NULL");
    if (source == nullptr)
      return FromStatus(engine->core->SetExclusions(nullptr), C2S_E_EXCLUSIONS);
    auto ex = LoadExclusions(source);
    if (!ex.ok()) {
      engine->core->NoteRejectedExclusions(ex.status());
      return FromStatus(ex.status(), C2S_E_EXCLUSIONS);
    }
    c2s_status st = FromStatus(engine->core->SetExclusions(&*ex), C2S_E_EXCLUSIONS);
    if (st == C2S_OK)
      for (const auto& w : ex->warnings) engine->Log(1, w);
    return st;
  });
}

size_t c2s_engine_field_count(const c2s_engine* engine) {
  return engine ? engine->core->fields().size() : 0;
}

const char* c2s_engine_field_name(const c2s_engine* engine, size_t i) {
  if (engine == nullptr || i >= engine->core->fields().size()) return nullptr;
  return engine->core->fields().name(i).c_str();
}

int c2s_engine_field_index(const c2s_engine* engine, const char* name) {
  if (engine == nullptr || name == nullptr) return -1;
  try {
    return engine->core->fields().Find(name);
  } catch (...) {
    return -1;
  }
}

size_t c2s_engine_rule_count(const c2s_engine* engine) {
  return engine ? engine->core->rule_count() : 0;
}

const char* c2s_engine_rule_id(const c2s_engine* engine, size_t i) {
  const std::string* id = engine ? engine->core->rule_id(i) : nullptr;
  return id ? id->c_str() : nullptr;
}

const char* c2s_engine_rule_name(const c2s_engine* engine, size_t i) {
  const std::string* name = engine ? engine->core->rule_name(i) : nullptr;
  return name ? name->c_str() : nullptr;
}

namespace {
void CopyTruncated(char* dst, size_t cap, const std::string& src) {
  size_t n = src.size() < cap - 1 ? src.size() : cap - 1;
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}
}  // namespace

void c2s_engine_exclusions_info(const c2s_engine* engine, c2s_exclusions_info* out) {
  if (out == nullptr) return;
  std::memset(out, 0, sizeof(*out));
  if (engine == nullptr) return;
  try {
    auto info = engine->core->exclusions_info();
    CopyTruncated(out->origin, sizeof out->origin, info.origin);
    CopyTruncated(out->hash, sizeof out->hash, info.hash);
    out->entries = info.entries;
    out->applied_unix_ms = info.applied_unix_ms;
    out->generation = info.generation;
    CopyTruncated(out->last_error, sizeof out->last_error, info.last_error);
    CopyTruncated(out->source, sizeof out->source, info.source);
    out->last_attempt_unix_ms = info.last_attempt_unix_ms;
    out->last_success_unix_ms = info.last_success_unix_ms;
    out->fetch_failures = info.fetch_failures;
    out->consecutive_failures = info.consecutive_failures;
  } catch (...) {
  }
}

void c2s_engine_set_log(c2s_engine* engine, c2s_log_fn fn, void* user) {
  if (engine == nullptr) return;
  std::lock_guard<std::mutex> lock(engine->log_mu);
  engine->log_fn = fn;
  engine->log_user = user;
}

void c2s_watch_options_init(c2s_watch_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof(*options));
  options->struct_size = sizeof(*options);
  options->interval_ms = 5000;
  options->timeout_ms = 10000;
}

c2s_status c2s_engine_watch_exclusions(c2s_engine* engine, const c2s_watch_options* options) {
  return Guard([&]() -> c2s_status {
    if (engine == nullptr || options == nullptr || options->source == nullptr ||
        options->struct_size < sizeof(c2s_watch_options))
      return Fail(C2S_E_INVALID_ARGUMENT,
                  "engine or options is NULL, or options not set up with c2s_watch_options_init");
    c2s::config::ExclusionsWatcher::Options o;
    o.source = options->source;
    o.interval_ms = options->interval_ms ? options->interval_ms : 5000;
    o.fetch.timeout_ms = options->timeout_ms ? options->timeout_ms : 10000;
    if (options->ca_file) o.fetch.ca_file = options->ca_file;
    o.fetch.insecure = options->insecure_skip_verify != 0;
    if (auto st = c2s::config::ExclusionsWatcher::Validate(o); !st.ok()) {
      engine->Log(2, std::string(st.message()));
      return Fail(C2S_E_INVALID_ARGUMENT, std::string(st.message()));
    }
    std::lock_guard<std::mutex> lock(engine->watch_mu);
    engine->watcher.reset();
    engine->watcher = std::make_unique<c2s::config::ExclusionsWatcher>(
        engine->core, o, [engine](int level, const std::string& m) { engine->Log(level, m); });
    absl::Status first = engine->watcher->first_status();
    if (first.ok()) return C2S_OK;
    return FromStatus(first, absl::IsUnavailable(first) ? C2S_E_IO : C2S_E_EXCLUSIONS);
  });
}

void c2s_engine_unwatch_exclusions(c2s_engine* engine) {
  if (engine == nullptr) return;
  try {
    std::lock_guard<std::mutex> lock(engine->watch_mu);
    engine->watcher.reset();
  } catch (...) {
  }
}

namespace {
c2s::config::SourceWatcher::Options WatchOptionsFrom(const c2s_watch_options* options) {
  c2s::config::SourceWatcher::Options o;
  o.source = options->source;
  o.interval_ms = options->interval_ms ? options->interval_ms : 5000;
  o.fetch.timeout_ms = options->timeout_ms ? options->timeout_ms : 10000;
  if (options->ca_file) o.fetch.ca_file = options->ca_file;
  o.fetch.insecure = options->insecure_skip_verify != 0;
  return o;
}
}  // namespace

c2s_status c2s_engine_watch_ruleset(c2s_engine* engine, const c2s_watch_options* options) {
  return Guard([&]() -> c2s_status {
    if (engine == nullptr || options == nullptr || options->source == nullptr ||
        options->struct_size < sizeof(c2s_watch_options))
      return Fail(C2S_E_INVALID_ARGUMENT,
                  "engine or options is NULL, or options not set up with c2s_watch_options_init");
    auto o = WatchOptionsFrom(options);
    if (auto st = c2s::config::RulesetWatcher::Validate(o); !st.ok()) {
      engine->Log(2, std::string(st.message()));
      return Fail(C2S_E_INVALID_ARGUMENT, std::string(st.message()));
    }
    std::lock_guard<std::mutex> lock(engine->watch_mu);
    auto& list = engine->ruleset_watchers;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const auto& w) { return w->source() == o.source; }),
               list.end());
    list.push_back(std::make_unique<c2s::config::RulesetWatcher>(
        engine->core, o, [engine](int level, const std::string& m) { engine->Log(level, m); }));
    absl::Status first = list.back()->first_status();
    if (first.ok()) return C2S_OK;
    return FromStatus(first, absl::IsUnavailable(first) || absl::IsNotFound(first)
                                 ? C2S_E_IO
                                 : C2S_E_RULESET);
  });
}

void c2s_engine_unwatch_ruleset(c2s_engine* engine, const char* source) {
  if (engine == nullptr) return;
  try {
    std::lock_guard<std::mutex> lock(engine->watch_mu);
    auto& list = engine->ruleset_watchers;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const auto& w) { return source == nullptr || w->source() == source; }),
               list.end());
  } catch (...) {
  }
}

size_t c2s_engine_live_ruleset_count(const c2s_engine* engine) {
  if (engine == nullptr) return 0;
  try {
    return engine->core->live_rulesets().size();
  } catch (...) {
    return 0;
  }
}

c2s_status c2s_engine_live_ruleset_info(const c2s_engine* engine, size_t i, c2s_ruleset_info* out) {
  return Guard([&]() -> c2s_status {
    if (engine == nullptr || out == nullptr)
      return Fail(C2S_E_INVALID_ARGUMENT, "engine or out is NULL");
    std::memset(out, 0, sizeof(*out));
    auto all = engine->core->live_rulesets();
    if (i >= all.size()) return Fail(C2S_E_INVALID_ARGUMENT, "no live ruleset with that index");
    const auto& r = all[i];
    CopyTruncated(out->source, sizeof out->source, r.source);
    CopyTruncated(out->origin, sizeof out->origin, r.origin);
    CopyTruncated(out->hash, sizeof out->hash, r.hash);
    CopyTruncated(out->last_error, sizeof out->last_error, r.last_error);
    out->rules = r.rules;
    out->indicators = r.indicators;
    out->applied_unix_ms = r.applied_unix_ms;
    out->generation = r.generation;
    out->last_attempt_unix_ms = r.last_attempt_unix_ms;
    out->last_success_unix_ms = r.last_success_unix_ms;
    out->swaps = r.swaps;
    out->rejects = r.rejects;
    out->fetch_failures = r.fetch_failures;
    out->consecutive_failures = r.consecutive_failures;
    return C2S_OK;
  });
}

void c2s_engine_stats(const c2s_engine* engine, c2s_stats* out) {
  if (out == nullptr) return;
  std::memset(out, 0, sizeof(*out));
  if (engine == nullptr) return;
  try {
    auto s = engine->core->Stats();
    out->events = s.events;
    out->matches = s.matches;
    out->errors = s.errors;
    out->exclusion_swaps = s.swaps;
    out->exclusion_rejects = s.rejects;
    out->excluded = s.excluded;
    out->prefiltered = s.prefiltered;
  } catch (...) {
  }
}

c2s_status c2s_session_create(c2s_engine* engine, c2s_session** out) {
  return Guard([&]() -> c2s_status {
    if (out == nullptr) return Fail(C2S_E_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (engine == nullptr) return Fail(C2S_E_INVALID_ARGUMENT, "engine is NULL");
    *out = new c2s_session(engine->core);
    return C2S_OK;
  });
}

void c2s_session_free(c2s_session* session) {
  try {
    delete session;
  } catch (...) {
  }
}

namespace {

// A host's typed values into the session's fields (after BeginFields).
c2s_status AddValues(c2s_session* session, const c2s_value* values, size_t count) {
  auto& fields = session->session.fields();
  const size_t slots = fields.slot_count();
  size_t numbers = 0;
  for (size_t i = 0; i < count; ++i)
    numbers += values[i].type >= C2S_VALUE_INT && values[i].type <= C2S_VALUE_DOUBLE;
  // Sized before any text is written: views into it must stay valid.
  if (session->number_text.size() < numbers) session->number_text.resize(numbers);
  size_t next_number = 0;
  for (size_t i = 0; i < count; ++i) {
    const c2s_value& v = values[i];
    if (v.field < 0 || static_cast<size_t>(v.field) >= slots)
      return Fail(C2S_E_INVALID_ARGUMENT,
                  "value " + std::to_string(i) + ": field index " +
                      std::to_string(v.field) + " out of range");
    if (v.type < C2S_VALUE_STRING || v.type > C2S_VALUE_DOUBLE)
      return Fail(C2S_E_INVALID_ARGUMENT,
                  "value " + std::to_string(i) + ": unknown type");
    if (v.type == C2S_VALUE_STRING && v.data == nullptr && v.size > 0)
      return Fail(C2S_E_INVALID_ARGUMENT,
                  "value " + std::to_string(i) + ": data is NULL");
    if (v.type >= C2S_VALUE_INT) {
      // A number compares as the text a keyword field indexes, written
      // by the same formatter as the JSON reader's.
      auto& buf = session->number_text[next_number++];
      char* end = buf.data();
      if (v.type == C2S_VALUE_INT)
        end = std::to_chars(buf.data(), buf.data() + buf.size(), v.number.i).ptr;
      else if (v.type == C2S_VALUE_UINT)
        end = std::to_chars(buf.data(), buf.data() + buf.size(), v.number.u).ptr;
      else
        end = c2s::util::ShortestDoubleText(buf.data(), buf.data() + buf.size(), v.number.d);
      if (end == nullptr) end = buf.data();
      fields.Add(static_cast<uint32_t>(v.field), c2s::engine::ValueType::kString,
                 std::string_view(buf.data(), static_cast<size_t>(end - buf.data())));
      continue;
    }
    std::string_view text = v.type == C2S_VALUE_STRING && v.data
                                ? std::string_view(v.data, v.size)
                                : std::string_view();
    fields.Add(static_cast<uint32_t>(v.field),
               static_cast<c2s::engine::ValueType>(v.type), text);
  }
  return C2S_OK;
}

}  // namespace

c2s_status c2s_eval_fields(c2s_session* session, const c2s_value* values,
                           size_t count, size_t* matched_rules) {
  return Guard([&]() -> c2s_status {
    if (matched_rules) *matched_rules = 0;
    if (session == nullptr || (values == nullptr && count > 0))
      return Fail(C2S_E_INVALID_ARGUMENT, "session or values is NULL");
    auto& s = session->session;
    if (auto st = s.BeginFields(); !st.ok())
      return FromStatus(st, C2S_E_INTERNAL);
    if (c2s_status st = AddValues(session, values, count); st != C2S_OK) return st;
    session->ops_valid = false;
    size_t n = s.EvaluateFields();
    if (s.evaluator().scan_failed())
      return Fail(C2S_E_INTERNAL, "pattern scan failed: no verdict for this event (counted as an error)");
    if (matched_rules) *matched_rules = n;
    return C2S_OK;
  });
}

namespace {

// c2s_session_gate_fields and c2s_session_query_fields: `slots` of the
// version in force, kept in the session as what the host was handed.
c2s_status HandOutFields(
    c2s_session* session,
    absl::StatusOr<const std::vector<uint32_t>*> (c2s::runtime::Session::*slots_of)(),
    std::vector<uint32_t> c2s_session::*kept, std::vector<int32_t> c2s_session::*kept_fields,
    const int32_t** fields, size_t* count) {
  if (fields) *fields = nullptr;
  if (count) *count = 0;
  if (session == nullptr || fields == nullptr || count == nullptr)
    return Fail(C2S_E_INVALID_ARGUMENT, "session, fields or count is NULL");
  // Until this call succeeds the host holds no list: the evaluation must
  // not decide from the fields an earlier answer named.
  (session->*kept).clear();
  (session->*kept_fields).clear();
  auto slots = (session->session.*slots_of)();
  if (!slots.ok()) return FromStatus(slots.status(), C2S_E_INTERNAL);
  session->*kept = **slots;
  (session->*kept_fields).assign((session->*kept).begin(), (session->*kept).end());
  *fields = (session->*kept_fields).data();
  *count = (session->*kept_fields).size();
  return C2S_OK;
}

// c2s_eval_gate and c2s_eval_query: the host's values, then `phase` over
// the slots it was handed.
c2s_status EvalPhase(c2s_session* session, const c2s_value* values, size_t count,
                     int* may_match,
                     c2s::runtime::Session::Gate (c2s::runtime::Session::*phase)(
                         const std::vector<uint32_t>&),
                     std::vector<uint32_t> c2s_session::*handed_out) {
  if (may_match) *may_match = 1;
  if (session == nullptr || may_match == nullptr || (values == nullptr && count > 0))
    return Fail(C2S_E_INVALID_ARGUMENT, "session, values or may_match is NULL");
  auto& s = session->session;
  if (auto st = s.BeginFields(); !st.ok()) return FromStatus(st, C2S_E_INTERNAL);
  session->ops_valid = false;
  if (c2s_status st = AddValues(session, values, count); st != C2S_OK) return st;
  switch ((s.*phase)(session->*handed_out)) {
    case c2s::runtime::Session::Gate::kNoMatch:
      *may_match = 0;
      break;
    case c2s::runtime::Session::Gate::kEvaluate:
      *may_match = 1;
      break;
    case c2s::runtime::Session::Gate::kStale:
      *may_match = 2;
      break;
  }
  return C2S_OK;
}

}  // namespace

c2s_status c2s_session_gate_fields(c2s_session* session, const int32_t** fields,
                                   size_t* count) {
  return Guard([&]() -> c2s_status {
    return HandOutFields(session, &c2s::runtime::Session::GateSlots, &c2s_session::gate,
                         &c2s_session::gate_fields, fields, count);
  });
}

c2s_status c2s_eval_gate(c2s_session* session, const c2s_value* values, size_t count,
                         int* may_match) {
  return Guard([&]() -> c2s_status {
    return EvalPhase(session, values, count, may_match, &c2s::runtime::Session::EvaluateGate,
                     &c2s_session::gate);
  });
}

c2s_status c2s_session_query_fields(c2s_session* session, const int32_t** fields,
                                    size_t* count) {
  return Guard([&]() -> c2s_status {
    return HandOutFields(session, &c2s::runtime::Session::QuerySlots, &c2s_session::query,
                         &c2s_session::query_fields, fields, count);
  });
}

c2s_status c2s_eval_query(c2s_session* session, const c2s_value* values, size_t count,
                          int* may_match) {
  return Guard([&]() -> c2s_status {
    return EvalPhase(session, values, count, may_match, &c2s::runtime::Session::EvaluateQuery,
                     &c2s_session::query);
  });
}

c2s_status c2s_session_match(const c2s_session* session, size_t i,
                             c2s_match* out) {
  return Guard([&]() -> c2s_status {
    if (session == nullptr || out == nullptr)
      return Fail(C2S_E_INVALID_ARGUMENT, "session or out is NULL");
    // Details are built on first request; the cache lives in the session.
    const auto& m = const_cast<c2s_session*>(session)->session.matches();
    if (i >= m.size()) return Fail(C2S_E_INVALID_ARGUMENT, "no such match");
    out->rule_id = m[i].rule_id.c_str();
    out->rule_name = m[i].rule_name.c_str();
    out->field = m[i].field.c_str();
    out->pattern = m[i].pattern.c_str();
    out->value = m[i].value.c_str();
    out->value_size = m[i].value.size();
    return C2S_OK;
  });
}

c2s_status c2s_session_enrichment(const c2s_session* session,
                                  const char** json, size_t* size) {
  return Guard([&]() -> c2s_status {
    if (session == nullptr || json == nullptr)
      return Fail(C2S_E_INVALID_ARGUMENT, "session or json is NULL");
    // Rendering is lazy; the cache lives in the session.
    const std::string& s =
        const_cast<c2s_session*>(session)->session.EnrichmentJson();
    *json = s.c_str();
    if (size) *size = s.size();
    return C2S_OK;
  });
}

c2s_status c2s_eval_json(c2s_session* session, const char* data, size_t size,
                         c2s_output* out) {
  return Guard([&]() -> c2s_status {
    if (out == nullptr) return Fail(C2S_E_INVALID_ARGUMENT, "out is NULL");
    out->data = data;
    out->size = size;
    out->matched_rules = 0;
    out->enriched = 0;
    if (session == nullptr || (data == nullptr && size > 0))
      return Fail(C2S_E_INVALID_ARGUMENT, "session or data is NULL");
    session->ops_valid = false;
    auto r = session->session.EvalJson(std::string_view(data ? data : "", size));
    out->data = r.output.data();
    out->size = r.output.size();
    out->matched_rules = r.matched_rules;
    out->enriched = r.enriched ? 1 : 0;
    if (r.status != c2s::event::ReadStatus::kOk) {
      out->data = data;
      out->size = size;
      return Fail(r.status == c2s::event::ReadStatus::kScanError ? C2S_E_INTERNAL : C2S_E_EVENT,
                  std::string("event passed through: ") +
                      c2s::event::ReadStatusText(r.status));
    }
    return C2S_OK;
  });
}

c2s_status c2s_eval_ndjson(c2s_session* session, const char* data,
                           size_t size, int only_matches,
                           c2s_batch_result* out) {
  return Guard([&]() -> c2s_status {
    if (out == nullptr) return Fail(C2S_E_INVALID_ARGUMENT, "out is NULL");
    std::memset(out, 0, sizeof(*out));
    if (session == nullptr || (data == nullptr && size > 0))
      return Fail(C2S_E_INVALID_ARGUMENT, "session or data is NULL");
    session->batch_output.clear();
    session->ops_valid = false;
    auto b = session->session.EvalNdjson(std::string_view(data ? data : "", size),
                                         only_matches != 0,
                                         &session->batch_output);
    out->data = session->batch_output.data();
    out->size = session->batch_output.size();
    out->lines = b.lines;
    out->matched_lines = b.matched_lines;
    out->error_lines = b.error_lines;
    return C2S_OK;
  });
}

c2s_status c2s_session_enrichment_ops(const c2s_session* session, const c2s_enrich_op** ops,
                                      size_t* count) {
  return Guard([&]() -> c2s_status {
    if (session == nullptr || ops == nullptr || count == nullptr)
      return Fail(C2S_E_INVALID_ARGUMENT, "session, ops or count is NULL");
    *ops = nullptr;
    *count = 0;
    // Built on first request, cached in the session like the JSON.
    auto* s = const_cast<c2s_session*>(session);
    if (!s->ops_valid) {
      std::shared_ptr<const void> owner;
      size_t rule_leaves = s->session.EnrichmentRuleLeaves(&owner);
      if (auto st = s->ops.Build(s->session.EnrichmentLeaves(), rule_leaves, std::move(owner));
          !st.ok())
        return Fail(C2S_E_INTERNAL, std::string(st.message()));
      s->ops_valid = true;
    }
    *ops = s->ops.ops().data();
    *count = s->ops.ops().size();
    return C2S_OK;
  });
}

c2s_status c2s_session_enrichment_ops_shared(const c2s_session* session, size_t* shared,
                                             uint64_t* generation) {
  return Guard([&]() -> c2s_status {
    if (shared) *shared = 0;
    if (session == nullptr || shared == nullptr || generation == nullptr)
      return Fail(C2S_E_INVALID_ARGUMENT, "session, shared or generation is NULL");
    *generation = session->ops.generation();
    if (session->ops_valid) *shared = session->ops.shared();
    return C2S_OK;
  });
}

/* ---- Options by name ---------------------------------------------- */

namespace {
const std::vector<std::string>& OptionHelps() {
  static const std::vector<std::string> helps = [] {
    std::vector<std::string> out;
    for (const auto& d : c2s::config::OptionTable()) {
      std::string h(d.help);
      std::string value;
      if (d.kind == c2s::config::OptionKind::kFlag) value = "true or false";
      if (d.kind == c2s::config::OptionKind::kChoice)
        for (auto c : d.choices) value += (value.empty() ? "" : " | ") + std::string(c);
      if (d.range)
        value = std::to_string(d.range->min) + " .. " + std::to_string(d.range->max);
      if (d.kind == c2s::config::OptionKind::kText) value = std::string(d.placeholder);
      h += ".\nValue: " + value;
      std::string def = d.range ? std::to_string(d.range->default_value) : std::string(d.default_text);
      if (!def.empty()) h += "; default: " + def;
      if (d.repeatable) h += "; repeatable";
      h += ".";
      out.push_back(std::move(h));
    }
    return out;
  }();
  return helps;
}
}  // namespace

c2s_status c2s_options_create(c2s_options** out) {
  return Guard([&]() -> c2s_status {
    if (out == nullptr) return Fail(C2S_E_INVALID_ARGUMENT, "out is NULL");
    *out = new c2s_options();
    return C2S_OK;
  });
}

void c2s_options_free(c2s_options* options) { delete options; }

c2s_status c2s_options_set(c2s_options* options, const char* key, const char* value) {
  return Guard([&]() -> c2s_status {
    if (options == nullptr || key == nullptr)
      return Fail(C2S_E_INVALID_ARGUMENT, "options or key is NULL");
    return FromStatus(options->values.Set(key, value ? value : ""), C2S_E_INVALID_ARGUMENT);
  });
}

const char* c2s_options_get(const c2s_options* options, const char* key) {
  if (options == nullptr || key == nullptr) return nullptr;
  try {
    const auto* d = c2s::config::FindOption(key);
    if (d == nullptr) return nullptr;
    auto* o = const_cast<c2s_options*>(options);
    o->got = o->values.Text(d->name);
    return o->got.c_str();
  } catch (...) {
    return nullptr;
  }
}

void c2s_options_set_log(c2s_options* options, c2s_log_fn fn, void* user) {
  if (options == nullptr) return;
  options->log_fn = fn;
  options->log_user = user;
}

size_t c2s_option_count(void) { return c2s::config::OptionTable().size(); }

const char* c2s_option_name(size_t i) {
  const auto& t = c2s::config::OptionTable();
  return i < t.size() ? t[i].name.data() : nullptr;
}

const char* c2s_option_help(size_t i) {
  try {
    const auto& h = OptionHelps();
    return i < h.size() ? h[i].c_str() : nullptr;
  } catch (...) {
    return nullptr;
  }
}

unsigned c2s_option_flags(size_t i) {
  const auto& t = c2s::config::OptionTable();
  if (i >= t.size()) return 0;
  unsigned f = 0;
  if (t[i].repeatable) f |= C2S_OPTION_REPEATABLE;
  if (t[i].kind == c2s::config::OptionKind::kFlag) f |= C2S_OPTION_FLAG;
  if (t[i].scope == c2s::config::OptionScope::kHost) f |= C2S_OPTION_HOST;
  return f;
}

c2s_status c2s_engine_create_with_options(const c2s_options* options, c2s_engine** out) {
  return Guard([&]() -> c2s_status {
    if (out == nullptr) return Fail(C2S_E_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (options == nullptr) return Fail(C2S_E_INVALID_ARGUMENT, "options is NULL");
    const auto& v = options->values;
    // A watch that can never work is refused before anything is compiled.
    c2s::config::ExclusionsWatcher::Options w;
    if (v.IsSet("exclusions")) {
      w.source = v.Text("exclusions");
      w.interval_ms = static_cast<uint32_t>(v.Number("watch-interval-ms"));
      w.fetch.timeout_ms = static_cast<uint32_t>(v.Number("fetch-timeout-ms"));
      w.fetch.ca_file = v.Text("ca-file");
      w.fetch.insecure = v.Flag("insecure-skip-verify");
      if (auto st = c2s::config::ExclusionsWatcher::Validate(w); !st.ok())
        return Fail(C2S_E_INVALID_ARGUMENT, "exclusions: " + std::string(st.message()));
    }
    std::vector<c2s::config::SourceWatcher::Options> ruleset_watches;
    for (const auto& source : v.All("watch-ruleset")) {
      c2s::config::SourceWatcher::Options rw = w;
      rw.source = source;
      rw.interval_ms = static_cast<uint32_t>(v.Number("watch-interval-ms"));
      rw.fetch.timeout_ms = static_cast<uint32_t>(v.Number("fetch-timeout-ms"));
      rw.fetch.ca_file = v.Text("ca-file");
      rw.fetch.insecure = v.Flag("insecure-skip-verify");
      if (auto st = c2s::config::RulesetWatcher::Validate(rw); !st.ok())
        return Fail(C2S_E_INVALID_ARGUMENT, "watch-ruleset: " + std::string(st.message()));
      ruleset_watches.push_back(std::move(rw));
    }
    c2s::config::ConfigFailure failed = c2s::config::ConfigFailure::kNone;
    auto setup = c2s::config::BuildEngineSetup(v, false, c2s::config::ReadConfigFile, &failed);
    if (!setup.ok())
      return FromStatus(setup.status(), failed == c2s::config::ConfigFailure::kProfile
                                            ? C2S_E_PROFILE
                                            : C2S_E_RULESET);
    auto core = c2s::runtime::EngineCore::Create(std::move(setup->options), setup->LiveForCreate());
    if (!core.ok())
      return FromStatus(core.status(), absl::IsFailedPrecondition(core.status()) ||
                                               absl::IsOutOfRange(core.status())
                                           ? C2S_E_INVALID_ARGUMENT
                                           : C2S_E_COMPILE);
    auto engine = std::make_unique<c2s_engine>(std::move(*core));
    engine->log_fn = options->log_fn;
    engine->log_user = options->log_user;
    c2s_engine* e = engine.get();
    auto log = [e](int level, const std::string& m) { e->Log(level, m); };
    if (v.IsSet("exclusions")) {
      std::lock_guard<std::mutex> lock(e->watch_mu);
      e->watcher = std::make_unique<c2s::config::ExclusionsWatcher>(e->core, w, log);
      // A failed first read is logged and counted by the watcher; the
      // engine runs without exclusions (more matches, never fewer) and
      // watching goes on.
    }
    for (size_t i = 0; i < ruleset_watches.size(); ++i) {
      // Each file's first version is in the engine already; a URL's first
      // fetch happens on its watcher's thread (logged and counted if it
      // fails; the other rules run meanwhile).
      for (const auto& note : setup->live[i].notes) e->Log(1, note);
      std::lock_guard<std::mutex> lock(e->watch_mu);
      e->ruleset_watchers.push_back(std::make_unique<c2s::config::RulesetWatcher>(
          e->core, ruleset_watches[i], log, setup->live[i].hash));
    }
    if (uint64_t every = v.Number("stats-interval-s"); every > 0) {
      std::lock_guard<std::mutex> lock(e->watch_mu);
      e->stats_logger =
          std::make_unique<c2s::config::StatsLogger>(e->core, static_cast<uint32_t>(every), log);
    }
    *out = engine.release();
    return C2S_OK;
  });
}

uint64_t c2s_engine_rule_matches(const c2s_engine* engine, size_t i) {
  try {
    if (engine == nullptr) return 0;
    auto stats = engine->core->Stats();
    return i < stats.rule_matches.size() ? stats.rule_matches[i] : 0;
  } catch (...) {
    return 0;
  }
}

c2s_status c2s_eval_prefilter(c2s_session* session, const char* bytes, size_t size,
                              int encoding, int* may_match) {
  return Guard([&]() -> c2s_status {
    if (may_match) *may_match = 1;
    if (session == nullptr || may_match == nullptr || (bytes == nullptr && size > 0))
      return Fail(C2S_E_INVALID_ARGUMENT, "session, bytes or may_match is NULL");
    if (encoding != C2S_ENCODING_JSON && encoding != C2S_ENCODING_MSGPACK)
      return Fail(C2S_E_INVALID_ARGUMENT, "encoding is not a c2s_encoding");
    session->ops_valid = false;
    auto enc = encoding == C2S_ENCODING_MSGPACK ? c2s::runtime::Prefilter::Encoding::kMsgpack
                                                : c2s::runtime::Prefilter::Encoding::kJson;
    *may_match = session->session.MayMatch(std::string_view(bytes ? bytes : "", size), enc) ? 1 : 0;
    return C2S_OK;
  });
}

const char* c2s_engine_prefilter_info(const c2s_engine* engine) {
  if (engine == nullptr) return "";
  return engine->core->prefilter_description().c_str();
}

}  // extern "C"
