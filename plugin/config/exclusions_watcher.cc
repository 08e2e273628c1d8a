#include "config/exclusions_watcher.h"

#include <sys/stat.h>

#include <chrono>

#include "rules/exclusions_loader.h"
#include "rules/load_context.h"
#include "util/strings.h"

namespace c2s::config {

ExclusionsWatcher::ExclusionsWatcher(std::shared_ptr<runtime::EngineCore> core,
                                     Options options, LogFn log)
    : core_(std::move(core)), options_(std::move(options)), log_(std::move(log)) {
  if (options_.fetch.insecure && options_.source.rfind("https://", 0) == 0)
    log_(2, Cat("TLS verification is OFF for ", options_.source));
  first_status_ = CheckNow();
  thread_ = std::thread([this] { Run(); });
}

ExclusionsWatcher::~ExclusionsWatcher() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ExclusionsWatcher::Run() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms),
                      [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    CheckNow().IgnoreError();  // failures are logged and counted
    lock.lock();
  }
}

absl::Status ExclusionsWatcher::CheckNow() {
  std::lock_guard<std::mutex> lock(check_mu_);
  return IsUrl(options_.source) ? CheckUrl() : CheckFile();
}

absl::Status ExclusionsWatcher::Apply(const std::string& text, const std::string& origin) {
  std::string hash = ContentHash(text);
  if (hash == last_hash_) return absl::OkStatus();  // same bytes: nothing to do
  auto parsed = rules::ParseExclusions(text, origin);
  absl::Status st = parsed.ok() ? core_->SetExclusions(&*parsed, hash) : parsed.status();
  if (!parsed.ok()) core_->NoteRejectedExclusions(st);
  if (st.ok()) {
    for (const auto& w : parsed->warnings) log_(1, w);
    last_hash_ = hash;
    log_(0, Cat("exclusions ", origin, " applied (", parsed->entries.size(),
                " entries, version ", hash, ")"));
  } else {
    // Rejected: remember the bytes so the same bad version is not retried
    // and re-logged every interval; the last good version stays in force.
    last_hash_ = hash;
    log_(2, Cat("exclusions rejected, keeping the version in force: ", st.message()));
  }
  return st;
}

absl::Status ExclusionsWatcher::CheckFile() {
  struct stat st;
  FileStamp now;
  if (::stat(options_.source.c_str(), &st) == 0) {
    now.valid = true;
    now.dev = st.st_dev;
    now.ino = st.st_ino;
    now.size = static_cast<uint64_t>(st.st_size);
    now.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  }
  if (now == file_stamp_) return core_->last_exclusions_status();
  file_stamp_ = now;
  if (!now.valid) {
    auto status = absl::NotFoundError(Cat(options_.source, ": cannot be read"));
    log_(2, Cat(status.message(), "; keeping the version in force"));
    return status;
  }
  auto text = rules::ReadFile(options_.source);
  if (!text.ok()) {
    file_stamp_.valid = false;  // try again next time
    log_(2, Cat(text.status().message(), "; keeping the version in force"));
    return text.status();
  }
  return Apply(*text, options_.source);
}

absl::Status ExclusionsWatcher::CheckUrl() {
  FetchResult r = FetchUrl(options_.source, etag_, last_modified_, options_.fetch);
  switch (r.kind) {
    case FetchResult::Kind::kNotModified:
      return core_->last_exclusions_status();
    case FetchResult::Kind::kError:
      log_(2, Cat(r.error, "; keeping the version in force"));
      return absl::UnavailableError(r.error);
    case FetchResult::Kind::kOk:
      break;
  }
  etag_ = r.etag;
  last_modified_ = r.last_modified;
  return Apply(r.body, options_.source);
}

}  // namespace c2s::config
