// Logs an engine's counters every N seconds through the host's log, in one
// format for every host (so a fleet's Fluent Bit, Lua and Logstash shippers
// can be read by the same log query):
//   stats: records=R matches=M excluded=X errors=E reloads=A rejected_reloads=J
//   exclusions=HASH@GENERATION rule.<id>=N ...
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "config/exclusions_watcher.h"
#include "runtime/engine_core.h"

namespace c2s::config {

// The line StatsLogger writes (without a trailing newline).
std::string StatsLine(const runtime::EngineCore& core);

class StatsLogger {
 public:
  StatsLogger(std::shared_ptr<runtime::EngineCore> core, uint32_t interval_s, LogFn log);
  ~StatsLogger();  // stops and joins at once
  StatsLogger(const StatsLogger&) = delete;
  StatsLogger& operator=(const StatsLogger&) = delete;

 private:
  void Run();

  std::shared_ptr<runtime::EngineCore> core_;
  uint32_t interval_s_;
  LogFn log_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace c2s::config
