// Live exclusions: a SourceWatcher whose documents are exclusions, applied
// with EngineCore::SetExclusions and reported in the engine's exclusions
// info.
#pragma once

#include <memory>

#include "config/source_watcher.h"
#include "runtime/engine_core.h"

namespace c2s::config {

// Recompiles the engine's rules if an indicator's validity window opened or
// closed (logged); every watcher does it after each look.
void RecompileIfDue(runtime::EngineCore& core, const LogFn& log);

class ExclusionsWatcher : public SourceWatcher {
 public:
  static absl::Status Validate(const Options& options) {
    return SourceWatcher::Validate(options, "exclusions");
  }
  ExclusionsWatcher(std::shared_ptr<runtime::EngineCore> core, Options options, LogFn log);
  ~ExclusionsWatcher() override;

 private:
  std::shared_ptr<runtime::EngineCore> core_;
};

}  // namespace c2s::config
