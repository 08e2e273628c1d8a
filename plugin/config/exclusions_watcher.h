// Live exclusions: a file path or URL watched in the background. A file is
// re-read when it changes, also when config management replaces it by
// rename; a URL is polled with conditional requests. A new version is
// validated and compiled off the hot path and swapped in atomically; a
// version that fails is logged and counted and the last good one stays in
// force. Neither starting nor stopping a watch waits for a server.
#pragma once

#include <atomic>
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
    uint32_t interval_ms = 5000;   // how often to look (kWatchIntervalMs)
    FetchOptions fetch;            // timeout_ms within kFetchTimeoutMs
  };

  // Checks the options without touching the source: a non-empty path or
  // an http(s):// or file:///path URL, interval and timeout in range.
  // InvalidArgument naming what is wrong.
  static absl::Status Validate(const Options& options);

  // Starts watching validated options. A file is read once before this
  // returns (never blocking: regular files only), and first_status() is
  // that attempt's; a URL is first fetched on the watch thread at once, so
  // a slow server never holds up the caller (first_status() is OK; the
  // outcome is logged, counted and in the engine's exclusions info).
  // Watching goes on after a failed first attempt.
  ExclusionsWatcher(std::shared_ptr<runtime::EngineCore> core, Options options, LogFn log);
  ~ExclusionsWatcher();  // stops, abandoning a transfer in flight; joins
  ExclusionsWatcher(const ExclusionsWatcher&) = delete;
  ExclusionsWatcher& operator=(const ExclusionsWatcher&) = delete;

  absl::Status first_status() const { return first_status_; }

  // Looks once now (also what the thread does every interval).
  absl::Status CheckNow();

 private:
  absl::Status CheckFile();
  absl::Status CheckUrl();
  absl::Status Apply(const std::string& text, const std::string& origin);
  absl::Status Failed(absl::Status why);
  absl::Status Unchanged();
  void Run(bool look_first);

  std::shared_ptr<runtime::EngineCore> core_;
  Options options_;
  std::string path_;  // the file watched ("" for a URL)
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
  bool looked_ = false;  // file_stamp_ is from a look at the file
  std::string etag_, last_modified_, last_hash_;
  absl::Status document_status_;  // of the last document read

  std::atomic<bool> stopping_{false};  // also abandons a fetch in flight
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::thread thread_;
};

}  // namespace c2s::config
