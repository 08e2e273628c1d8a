#include "config/ruleset_watcher.h"

#include "config/exclusions_watcher.h"
#include "config/feed_source.h"
#include "rules/load_context.h"
#include "util/strings.h"

namespace c2s::config {

namespace {

WatchTarget RulesetTarget(const std::shared_ptr<runtime::EngineCore>& core,
                          const std::string& source, LogFn log) {
  WatchTarget t;
  t.what = "ruleset";
  t.max_bytes = rules::kMaxConfigFileBytes;
  t.apply = [core, source, log](const std::string& text, const std::string& origin,
                                const std::string& hash) {
    // A ruleset, or a feed as published (STIX, MISP, hosts, a list).
    auto parsed = ReadRulesetOrFeed(text, origin);
    if (!parsed.ok()) {
      core->NoteLiveFailure(source, parsed.status(), /*fetch_failed=*/false);
      return parsed.status();
    }
    size_t rules = parsed->ruleset.rules.size(), indicators = 0;
    for (const auto& r : parsed->ruleset.rules)
      if (r.indicators) indicators += r.indicators->items.size();
    absl::Status st = core->SetLiveRuleset(source, std::move(parsed->ruleset), hash);  // counts a rejection
    if (!st.ok()) return st;
    for (const auto& note : parsed->notes) log(1, note);
    log(0, Cat(parsed->kind == "ruleset" ? "ruleset " : Cat(parsed->kind, " feed "), origin,
               " applied (", rules, " rules, ", indicators, " indicators, version ", hash, ")"));
    return absl::OkStatus();
  };
  t.fetch_failed = [core, source](const absl::Status& why) {
    core->NoteLiveFailure(source, why, /*fetch_failed=*/true);
  };
  t.current = [core, source] { core->NoteLiveSuccess(source); };
  t.tick = [core, log] { RecompileIfDue(*core, log); };
  return t;
}

SourceWatcher::Options WithRulesetSize(SourceWatcher::Options o, const std::string& known_hash) {
  // A feed of a million names is tens of megabytes.
  o.fetch.max_bytes = rules::kMaxConfigFileBytes;
  o.known_hash = known_hash;
  return o;
}

}  // namespace

RulesetWatcher::RulesetWatcher(std::shared_ptr<runtime::EngineCore> core, Options options,
                               LogFn log, const std::string& known_hash)
    : SourceWatcher(RulesetTarget(core, options.source, log), WithRulesetSize(options, known_hash),
                    log) {}

}  // namespace c2s::config
