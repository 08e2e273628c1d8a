#include "config/options.h"

#include <algorithm>
#include <cctype>

#include "profiles/profile_loader.h"
#include "config/feed_source.h"
#include "config/fetch.h"
#include "rules/exclusions_loader.h"
#include "rules/load_context.h"
#include "rules/ruleset_loader.h"
#include "util/nearest.h"
#include "util/strings.h"

// The table leaves trailing members to their defaults; g++ 10 (the portable
// build) warns about that for aggregates.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace c2s::config {

namespace {

std::string NormalizedKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key)
    out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ParseFlag(std::string_view v, bool* out) {
  std::string s = NormalizedKey(v);
  if (s.empty() || s == "true" || s == "on" || s == "yes" || s == "1") {
    *out = true;
    return true;
  }
  if (s == "false" || s == "off" || s == "no" || s == "0") {
    *out = false;
    return true;
  }
  return false;
}

const std::vector<std::string> kNoValues;

}  // namespace

const std::vector<OptionDef>& OptionTable() {
  static const std::vector<OptionDef> table = {
      {"ruleset", "FILE",
       "load a ruleset; replaces the built-in rulesets unless\nbuiltin is also set",
       OptionKind::kText, OptionScope::kEngine, true},
      {"watch-ruleset", "FILE|URL",
       "load a ruleset, or a feed as published (STIX 2.1,\nMISP, hosts file, list of names), and "
       "keep watching\nit: a file is re-read when it changes, an http(s)://\nURL polled; each new "
       "version is compiled aside and\nswapped in, a bad one logged, counted and never\napplied; "
       "added to the rulesets in force (it may not\nread a field the engine did not read when it "
       "started)",
       OptionKind::kText, OptionScope::kEngine, true},
      {"builtin", "", "load the built-in rulesets as well", OptionKind::kFlag,
       OptionScope::kEngine, false, nullptr, {}, "false"},
      {"exclusions", "FILE",
       "apply an exclusions file (a host watches it, and also\ntakes an http(s):// URL, "
       "polled)",
       OptionKind::kText},
      {"profiles", "FILE", "add source profiles", OptionKind::kText, OptionScope::kEngine, true},
      {"profile", "NAME", "read every event with this profile (no detection)"},
      {"enable-profile", "NAME",
       "also detect a profile that is off by default\n(sysmon-network-winlogbeat, "
       "sysmon-network-flat,\necs-connection)",
       OptionKind::kText, OptionScope::kEngine, true},
      {"max-event-bytes", "N", "larger events pass through as errors", OptionKind::kNumber,
       OptionScope::kEngine, false, &kMaxEventBytes},
      {"max-depth", "N", "deeper events pass through as errors", OptionKind::kNumber,
       OptionScope::kEngine, false, &kMaxDepth},
      {"mode", "MODE",
       "canonical: paths and domains canonicalized first;\nparity: raw values, compared "
       "exactly as Elasticsearch\nEQL does",
       OptionKind::kChoice, OptionScope::kEngine, false, nullptr, {"canonical", "parity"},
       "canonical"},
      {"prefilter", "on|off",
       "on: events no rule can match (none of the rules'\nliterals in their bytes or "
       "domain values) are\npassed on without being read; off: every event\nis read "
       "(and every malformed one counted)",
       OptionKind::kChoice, OptionScope::kEngine, false, nullptr, {"on", "off"}, "on"},
      {"disable-rule", "ID",
       "switch a rule off; the built-in rules:\n66883649-f908-4a5b-a1e0-54090a1d3a32 "
       "(Windows),\n8248323e-f888-4134-a26f-37a6362f7231 (Linux,\nbuilding block)",
       OptionKind::kText, OptionScope::kEngine, true},
      {"building-blocks-as-tags", "",
       "building-block rules' matches add only their tags\nand c2sieve.matches",
       OptionKind::kFlag, OptionScope::kEngine, false, nullptr, {}, "false"},
      {"tag", "TEXT", "add this tag to every match's tags", OptionKind::kText,
       OptionScope::kEngine, true},
      {"mark-excluded", "",
       "an event a rule's query matched but an exclusion\ncovered gets "
       "c2sieve.excluded.rule_id (nothing\nelse; not a match)",
       OptionKind::kFlag, OptionScope::kEngine, false, nullptr, {}, "false"},
      {"only-matches", "", "pass on only the enriched events (a host drops the\nothers)",
       OptionKind::kFlag, OptionScope::kHost, false, nullptr, {}, "false"},
      {"watch-interval-ms", "N", "how often to look at the exclusions and watched\nrulesets (files or URLs)",
       OptionKind::kNumber, OptionScope::kHost, false, &kWatchIntervalMs},
      {"fetch-timeout-ms", "N", "how long one fetch of an exclusions or ruleset URL\nmay take",
       OptionKind::kNumber, OptionScope::kHost, false, &kFetchTimeoutMs},
      {"ca-file", "FILE", "extra CA bundle for https exclusions and ruleset URLs", OptionKind::kText,
       OptionScope::kHost},
      {"insecure-skip-verify", "", "no TLS verification of exclusions and ruleset URLs\n(logged)",
       OptionKind::kFlag, OptionScope::kHost, false, nullptr, {}, "false"},
      {"stats-interval-s", "N",
       "log the counters every N seconds through the host's\nlog (0: never)",
       OptionKind::kNumber, OptionScope::kHost, false, &kStatsIntervalS},
  };
  return table;
}

const OptionDef* FindOption(std::string_view key) {
  std::string k = NormalizedKey(key);
  for (const auto& d : OptionTable())
    if (d.name == k) return &d;
  return nullptr;
}

std::string KeyName(std::string_view name, KeyStyle style) {
  std::string out(name);
  if (style == KeyStyle::kUnderscored) std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

absl::Status OptionValues::Set(std::string_view key, std::string_view value) {
  const OptionDef* d = FindOption(key);
  if (d == nullptr) {
    std::vector<std::string_view> names;
    std::string list;
    for (const auto& o : OptionTable()) {
      names.push_back(o.name);
      list += (list.empty() ? "" : ", ") + std::string(o.name);
    }
    std::string near = Nearest(NormalizedKey(key), names);
    return absl::InvalidArgumentError(Cat("unknown option \"", key, "\"",
                                          near.empty() ? "" : Cat(" (did you mean ", near, "?)"),
                                          "; the options are: ", list));
  }
  std::string name(d->name);
  std::string text(value);
  switch (d->kind) {
    case OptionKind::kFlag: {
      bool b = false;
      if (!ParseFlag(value, &b))
        return absl::InvalidArgumentError(
            Cat(name, " must be true or false (got \"", value, "\")"));
      text = b ? "true" : "false";
      break;
    }
    case OptionKind::kNumber: {
      uint64_t n = 0;
      if (auto st = ParseInRange(*d->range, value, &n); !st.ok()) return st;
      text = std::to_string(n);
      break;
    }
    case OptionKind::kChoice:
      if (std::find(d->choices.begin(), d->choices.end(), value) == d->choices.end()) {
        std::string list;
        for (auto c : d->choices) list += (list.empty() ? "" : ", ") + std::string(c);
        return absl::InvalidArgumentError(
            Cat(name, " must be one of ", list, " (got \"", value, "\")"));
      }
      break;
    case OptionKind::kText:
      if (value.empty())
        return absl::InvalidArgumentError(Cat(name, " needs a non-empty ", d->placeholder));
      if (value.find('\0') != std::string_view::npos)
        return absl::InvalidArgumentError(Cat(name, " holds a NUL byte"));
      break;
  }
  auto& slot = values_[name];
  if (!d->repeatable && !slot.empty())
    return absl::InvalidArgumentError(
        Cat(name, " given twice (it takes one ", d->placeholder.empty() ? "value" : d->placeholder,
            ")"));
  slot.push_back(std::move(text));
  return absl::OkStatus();
}

bool OptionValues::IsSet(std::string_view name) const {
  auto it = values_.find(name);
  return it != values_.end() && !it->second.empty();
}

const std::vector<std::string>& OptionValues::All(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? kNoValues : it->second;
}

std::string OptionValues::Text(std::string_view name) const {
  auto it = values_.find(name);
  if (it != values_.end() && !it->second.empty()) return it->second.back();
  const OptionDef* d = FindOption(name);
  if (d == nullptr) return "";
  if (d->range) return std::to_string(d->range->default_value);
  return std::string(d->default_text);
}

bool OptionValues::Flag(std::string_view name) const { return Text(name) == "true"; }

uint64_t OptionValues::Number(std::string_view name) const {
  std::string t = Text(name);
  return t.empty() ? 0 : std::stoull(t);
}

absl::StatusOr<std::string> ReadConfigFile(const std::string& path, std::string_view option) {
  return rules::ReadFile(path, option == "exclusions" ? rules::kMaxExclusionsBytes
                                                      : rules::kMaxConfigFileBytes);
}

absl::StatusOr<EngineSetup> BuildEngineSetup(const OptionValues& values, bool load_exclusions,
                                             const ConfigReader& read, ConfigFailure* failed,
                                             bool fetch_ruleset_urls) {
  auto fail = [&](ConfigFailure kind, absl::Status st) {
    if (failed) *failed = kind;
    return st;
  };
  if (failed) *failed = ConfigFailure::kNone;
  EngineSetup setup;
  auto& o = setup.options;
  o.builtin_rulesets = values.Flag("builtin") || values.All("ruleset").empty();
  for (const auto& f : values.All("ruleset")) {
    auto text = read(f, "ruleset");
    if (!text.ok()) return fail(ConfigFailure::kRuleset, text.status());
    auto rs = rules::ParseRuleset(*text, f);
    if (!rs.ok()) return fail(ConfigFailure::kRuleset, rs.status());
    o.rulesets.push_back(std::move(*rs));
  }
  // Watched rulesets: each file's first version now (its fields become
  // the engine's); a URL's is fetched now when `fetch_ruleset_urls` (the
  // CLI), else by its watcher (a host never waits for a server).
  for (const auto& f : values.All("watch-ruleset")) {
    LiveRulesetSetup live;
    live.source = f;
    absl::StatusOr<std::string> text;
    if (IsHttpUrl(f)) {
      if (!fetch_ruleset_urls) {
        setup.live.push_back(std::move(live));
        continue;
      }
      FetchOptions fo;
      fo.timeout_ms = static_cast<uint32_t>(values.Number("fetch-timeout-ms"));
      fo.ca_file = values.Text("ca-file");
      fo.insecure = values.Flag("insecure-skip-verify");
      fo.max_bytes = rules::kMaxConfigFileBytes;
      FetchResult r = FetchUrl(f, "", "", fo, nullptr);
      if (r.kind != FetchResult::Kind::kOk)
        return fail(ConfigFailure::kRuleset, absl::UnavailableError(r.error));
      text = std::move(r.body);
    } else {
      std::string path = f.rfind("file://", 0) == 0 ? FileUrlPath(f) : f;
      if (path.empty())
        return fail(ConfigFailure::kRuleset,
                    absl::InvalidArgumentError(Cat(f, ": unsupported URL; rulesets are read from a "
                                                      "file path, file:///path, http:// or https://")));
      text = read(path, "ruleset");
    }
    if (!text.ok()) return fail(ConfigFailure::kRuleset, text.status());
    auto doc = ReadRulesetOrFeed(*text, f);  // a ruleset, or a feed as published
    if (!doc.ok()) return fail(ConfigFailure::kRuleset, doc.status());
    live.hash = ContentHash(*text);
    live.first = std::move(doc->ruleset);
    live.notes = std::move(doc->notes);
    setup.live.push_back(std::move(live));
  }
  for (const auto& f : values.All("profiles")) {
    auto text = read(f, "profiles");
    if (!text.ok()) return fail(ConfigFailure::kProfile, text.status());
    auto loaded = profiles::ParseProfiles(*text, f);
    if (!loaded.ok()) return fail(ConfigFailure::kProfile, loaded.status());
    for (auto& p : *loaded) o.profiles.push_back(std::move(p));
  }
  o.disabled_rules = values.All("disable-rule");
  o.building_blocks_as_tags = values.Flag("building-blocks-as-tags");
  o.extra_tags = values.All("tag");
  o.force_profile = values.Text("profile");
  o.enable_profiles = values.All("enable-profile");
  o.mode = values.Text("mode") == "parity" ? event::MatchMode::kParity
                                           : event::MatchMode::kCanonical;
  o.prefilter = values.Text("prefilter") != "off";
  o.mark_excluded = values.Flag("mark-excluded");
  o.limits.max_event_bytes = values.Number("max-event-bytes");
  o.limits.max_depth = static_cast<uint32_t>(values.Number("max-depth"));
  if (load_exclusions && values.IsSet("exclusions")) {
    std::string f = values.Text("exclusions");
    auto text = read(f, "exclusions");
    if (!text.ok()) return fail(ConfigFailure::kExclusions, text.status());
    auto loaded = rules::ParseExclusions(*text, f);
    if (!loaded.ok()) return fail(ConfigFailure::kExclusions, loaded.status());
    setup.exclusions = std::make_unique<rules::ExclusionSet>(std::move(*loaded));
    o.exclusions = setup.exclusions.get();
  }
  return setup;
}

}  // namespace c2s::config
