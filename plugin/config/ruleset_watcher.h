// Live rulesets: a SourceWatcher whose documents are rulesets (a feed's
// indicators, or any rules), applied with EngineCore::SetLiveRuleset and
// reported in the engine's live ruleset infos. Several may run, one per
// source.
#pragma once

#include <memory>
#include <string>

#include "config/source_watcher.h"
#include "runtime/engine_core.h"

namespace c2s::config {

class RulesetWatcher : public SourceWatcher {
 public:
  static absl::Status Validate(const Options& options) {
    return SourceWatcher::Validate(options, "rulesets");
  }
  // `known_hash`: the hash of the version the engine was created with
  // (so the first look finds it unchanged), "" if none.
  RulesetWatcher(std::shared_ptr<runtime::EngineCore> core, Options options, LogFn log,
                 const std::string& known_hash = "");
};

}  // namespace c2s::config
