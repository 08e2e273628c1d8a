#include "config/stats_logger.h"

#include <chrono>

#include "util/strings.h"

namespace c2s::config {

std::string StatsLine(const runtime::EngineCore& core) {
  runtime::EngineStats s = core.Stats();
  auto info = core.exclusions_info();
  std::string line = Cat("stats: records=", s.events, " matches=", s.matches,
                         " excluded=", s.excluded, " errors=", s.errors,
                         " prefiltered=", s.prefiltered, " reloads=", s.swaps,
                         " rejected_reloads=", s.rejects, " exclusions=",
                         info.hash.empty() ? "none" : info.hash, "@", info.generation);
  // Live rulesets, when any: their swaps and rejected versions.
  for (const auto& live : core.live_rulesets())
    line += Cat(" ruleset=", live.hash.empty() ? "none" : live.hash, "@", live.generation,
                "(swaps=", live.swaps, ",rejects=", live.rejects, ")");
  std::vector<std::string> ids = core.evaluated_rule_ids();
  for (size_t i = 0; i < ids.size() && i < s.rule_matches.size(); ++i)
    line += Cat(" rule.", ids[i], "=", s.rule_matches[i]);
  return line;
}

StatsLogger::StatsLogger(std::shared_ptr<runtime::EngineCore> core, uint32_t interval_s,
                         LogFn log)
    : core_(std::move(core)), interval_s_(interval_s), log_(std::move(log)) {
  thread_ = std::thread([this] { Run(); });
}

StatsLogger::~StatsLogger() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void StatsLogger::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::seconds(interval_s_), [this] { return stop_; })) {
    lock.unlock();
    try {
      log_(0, StatsLine(*core_));
    } catch (...) {
      // A log that throws must not end the host: the next interval tries again.
    }
    lock.lock();
  }
}

}  // namespace c2s::config
