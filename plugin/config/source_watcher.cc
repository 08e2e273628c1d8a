#include "config/source_watcher.h"

#include <sys/stat.h>

#include <chrono>

#include "rules/load_context.h"
#include "util/option_ranges.h"
#include "util/strings.h"

namespace c2s::config {

namespace {

bool LooksLikeUrl(const std::string& s) {
  size_t colon = s.find("://");
  if (colon == std::string::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = s[i];
    bool scheme_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!scheme_char) return false;
  }
  return true;
}

}  // namespace

absl::Status SourceWatcher::Validate(const Options& o, std::string_view what) {
  if (o.source.empty())
    return absl::InvalidArgumentError(Cat(what, " source is empty: give a file path or an "
                                                "http(s):// URL"));
  if (LooksLikeUrl(o.source) && !IsHttpUrl(o.source) && FileUrlPath(o.source).empty())
    return absl::InvalidArgumentError(
        Cat(o.source, ": unsupported URL; ", what, " are read from a file path, file:///path, "
                      "http:// or https://"));
  if (auto st = CheckRange(kWatchIntervalMs, o.interval_ms); !st.ok()) return st;
  if (auto st = CheckRange(kFetchTimeoutMs, o.fetch.timeout_ms); !st.ok()) return st;
  return absl::OkStatus();
}

SourceWatcher::SourceWatcher(WatchTarget target, Options options, LogFn log)
    : target_(std::move(target)), options_(std::move(options)), log_(std::move(log)) {
  last_hash_ = options_.known_hash;
  if (!IsHttpUrl(options_.source)) {
    std::string from_url = FileUrlPath(options_.source);
    path_ = from_url.empty() ? options_.source : from_url;
  }
  if (options_.fetch.insecure && options_.source.rfind("https://", 0) == 0)
    log_(2, Cat("TLS verification is OFF for ", options_.source));
  bool url = path_.empty();
  if (!url) first_status_ = CheckNow();
  thread_ = std::thread([this, url] { Run(url); });
}

SourceWatcher::~SourceWatcher() { Stop(); }

void SourceWatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_.store(true);
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SourceWatcher::Run(bool look_first) {
  if (look_first) CheckNow().IgnoreError();  // failures are logged and counted
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stopping_.load()) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms),
                      [this] { return stopping_.load(); });
    if (stopping_.load()) break;
    lock.unlock();
    CheckNow().IgnoreError();
    lock.lock();
  }
}

absl::Status SourceWatcher::CheckNow() {
  std::lock_guard<std::mutex> lock(check_mu_);
  absl::Status st = path_.empty() ? CheckUrl() : CheckFile();
  if (target_.tick) target_.tick();
  return st;
}

absl::Status SourceWatcher::Failed(absl::Status why) {
  target_.fetch_failed(why);
  log_(2, Cat(why.message(), "; keeping the version in force"));
  return why;
}

absl::Status SourceWatcher::Unchanged() {
  // The source was read and holds what was seen last: current, if that
  // version was good.
  if (document_status_.ok()) target_.current();
  return document_status_;
}

absl::Status SourceWatcher::Apply(const std::string& text, const std::string& origin) {
  std::string hash = ContentHash(text);
  if (hash == last_hash_) return Unchanged();  // same bytes: nothing to do
  absl::Status st = target_.apply(text, origin, hash);
  // Rejected or not, remember the bytes so the same bad version is not
  // retried and re-logged every interval; the last good version stays.
  last_hash_ = hash;
  document_status_ = st;
  if (st.ok())
    target_.current();
  else
    log_(2, Cat(target_.what, " rejected, keeping the version in force: ", st.message()));
  return st;
}

absl::Status SourceWatcher::CheckFile() {
  struct stat st;
  FileStamp now;
  if (::stat(path_.c_str(), &st) == 0) {
    now.valid = true;
    now.dev = st.st_dev;
    now.ino = st.st_ino;
    now.size = static_cast<uint64_t>(st.st_size);
    now.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  }
  if (looked_ && now == file_stamp_)  // a missing file was logged and counted once
    return now.valid ? Unchanged() : absl::NotFoundError(Cat(path_, ": cannot be read (no such file)"));
  file_stamp_ = now;
  looked_ = true;
  if (!now.valid) return Failed(absl::NotFoundError(Cat(path_, ": cannot be read (no such file)")));
  // Regular files only, opened without blocking: a FIFO or device swapped
  // in by rename is refused, never waited on.
  auto text = rules::ReadFile(path_, target_.max_bytes);
  if (!text.ok()) {
    file_stamp_.valid = false;  // try again next time
    return Failed(text.status());
  }
  return Apply(*text, options_.source);
}

absl::Status SourceWatcher::CheckUrl() {
  FetchOptions fetch = options_.fetch;
  if (fetch.max_bytes > target_.max_bytes) fetch.max_bytes = target_.max_bytes;
  FetchResult r = FetchUrl(options_.source, etag_, last_modified_, fetch, &stopping_);
  switch (r.kind) {
    case FetchResult::Kind::kNotModified:
      return Unchanged();
    case FetchResult::Kind::kError:
      if (stopping_.load()) return absl::CancelledError(r.error);
      return Failed(absl::UnavailableError(r.error));
    case FetchResult::Kind::kOk:
      break;
  }
  etag_ = r.etag;
  last_modified_ = r.last_modified;
  return Apply(r.body, options_.source);
}

}  // namespace c2s::config
