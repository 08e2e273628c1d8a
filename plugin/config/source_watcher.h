// A configuration source watched in the background: a file path or URL. A
// file is re-read when it changes, also when config management replaces it
// by rename; a URL is polled with conditional requests. Each new version
// goes to the watcher's target (exclusions_watcher.h, ruleset_watcher.h),
// which validates and compiles it off the hot path and swaps it in
// atomically; a version that fails is logged and counted and the last good
// one stays in force. Neither starting nor stopping a watch waits for a
// server.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/status.h"
#include "config/fetch.h"

namespace c2s::config {

using LogFn = std::function<void(int level, const std::string& message)>;

// What a watcher does with what it reads.
struct WatchTarget {
  std::string what;          // "exclusions", "ruleset": for messages
  size_t max_bytes = 0;      // the largest document read or fetched
  // Validates, compiles and applies a new document (counting a rejected
  // one itself); logs what it applied.
  std::function<absl::Status(const std::string& text, const std::string& origin,
                             const std::string& hash)>
      apply;
  // A read or fetch that failed (missing file, DNS, TLS, HTTP status).
  std::function<void(const absl::Status& why)> fetch_failed;
  // The source was read and its version is good (applied, or unchanged).
  std::function<void()> current;
  // After each look: time-driven work (indicators whose window changed).
  std::function<void()> tick;
};

class SourceWatcher {
 public:
  struct Options {
    std::string source;            // path, file://, http:// or https://
    uint32_t interval_ms = 5000;   // how often to look (kWatchIntervalMs)
    FetchOptions fetch;            // timeout_ms within kFetchTimeoutMs
    // The hash (ContentHash) of a version already applied, so that the
    // first look finds it unchanged; "" if none.
    std::string known_hash;
  };

  // Checks the options without touching the source: a non-empty path or
  // an http(s):// or file:///path URL, interval and timeout in range.
  // InvalidArgument naming what is wrong (`what` names the source's kind).
  static absl::Status Validate(const Options& options, std::string_view what = "exclusions");

  // Starts watching validated options. A file is read once before this
  // returns (never blocking: regular files only), and first_status() is
  // that attempt's; a URL is first fetched on the watch thread at once, so
  // a slow server never holds up the caller (first_status() is OK; the
  // outcome is logged, counted and in the engine's exclusions info).
  // Watching goes on after a failed first attempt.
  SourceWatcher(WatchTarget target, Options options, LogFn log);
  virtual ~SourceWatcher();  // stops, abandoning a transfer in flight; joins
  SourceWatcher(const SourceWatcher&) = delete;
  SourceWatcher& operator=(const SourceWatcher&) = delete;

  const std::string& source() const { return options_.source; }
  // Stops watching, abandoning a transfer in flight; joins. Idempotent.
  void Stop();

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

  WatchTarget target_;
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
