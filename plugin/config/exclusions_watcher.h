// Live exclusions: a file path or URL watched in the background. A file is
// re-read when it changes, also when config management replaces it by
// rename; a URL is polled with conditional requests. A new version is
// validated and compiled off the hot path and swapped in atomically; a
// version that fails is logged and the last good one stays in force.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "config/fetch.h"
#include "runtime/engine_core.h"

namespace c2s::config {

using LogFn = std::function<void(int level, const std::string& message)>;

class ExclusionsWatcher {
 public:
  struct Options {
    std::string source;            // path, file://, http:// or https://
    uint32_t interval_ms = 5000;   // how often to look
    FetchOptions fetch;
  };

  // Loads the source once (the returned status is that first attempt's)
  // and starts watching; watching goes on after a failed first attempt, so
  // a shipper that starts while the server is down picks the file up later.
  ExclusionsWatcher(std::shared_ptr<runtime::EngineCore> core, Options options, LogFn log);
  ~ExclusionsWatcher();  // stops and joins the thread
  ExclusionsWatcher(const ExclusionsWatcher&) = delete;
  ExclusionsWatcher& operator=(const ExclusionsWatcher&) = delete;

  absl::Status first_status() const { return first_status_; }

  // Looks once now (also what the thread does every interval).
  absl::Status CheckNow();

 private:
  absl::Status CheckFile();
  absl::Status CheckUrl();
  absl::Status Apply(const std::string& text, const std::string& origin);
  void Run();

  std::shared_ptr<runtime::EngineCore> core_;
  Options options_;
  LogFn log_;
  absl::Status first_status_;

  std::mutex check_mu_;  // one check at a time (thread or CheckNow)
  // What was seen last, to notice a change.
  struct FileStamp {
    uint64_t dev = 0, ino = 0, size = 0;
    int64_t mtime_ns = 0;
    bool valid = false;
    bool operator==(const FileStamp& o) const {
      return valid == o.valid && dev == o.dev && ino == o.ino && size == o.size &&
             mtime_ns == o.mtime_ns;
    }
  } file_stamp_;
  std::string etag_, last_modified_, last_hash_;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace c2s::config
