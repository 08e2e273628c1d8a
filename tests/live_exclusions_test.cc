// Live exclusions through the ABI: a watched file replaced by rename, and a
// URL served by a real nginx on 127.0.0.1 (ETags, conditional requests),
// while evaluations run on other threads. Bad versions never apply.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "c2sieve.h"
#include "live_test_util.h"

namespace {

using namespace c2s::live_test;
using namespace std::chrono_literals;

const char* const kEvent = kBuiltinMatch;

std::string Exclusions(const std::string& process) {
  return R"({"format":"c2sieve.exclusions/1","exclusions":[{"reason":"test","process.name":[")" +
         process + R"("]}]})";
}
const char* kBroken = R"({"format":"c2sieve.exclusions/1","exclusions":[{"reason":"no condition"}]})";

// Evaluates kEvent on two threads until stopped; counts failures.
class Evaluators {
 public:
  explicit Evaluators(c2s_engine* e) {
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this, e] {
        c2s_session* s = nullptr;
        if (c2s_session_create(e, &s) != C2S_OK) {
          ++failures;
          return;
        }
        c2s_output out;
        while (!stop_.load()) {
          if (c2s_eval_json(s, kEvent, std::strlen(kEvent), &out) != C2S_OK) ++failures;
          ++evaluations;
        }
        c2s_session_free(s);
      });
    }
  }
  ~Evaluators() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }
  std::atomic<uint64_t> failures{0}, evaluations{0};

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

bool Matches(c2s_engine* e) {
  c2s_session* s = nullptr;
  EXPECT_EQ(c2s_session_create(e, &s), C2S_OK);
  c2s_output out;
  EXPECT_EQ(c2s_eval_json(s, kEvent, std::strlen(kEvent), &out), C2S_OK);
  c2s_session_free(s);
  return out.matched_rules > 0;
}

// Waits until the engine's exclusions generation differs from `before`.
bool WaitForSwap(c2s_engine* e, uint64_t before) {
  for (int i = 0; i < 500; ++i) {
    c2s_exclusions_info info;
    c2s_engine_exclusions_info(e, &info);
    if (info.generation != before) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

bool WaitForRejects(c2s_engine* e, uint64_t want) {
  for (int i = 0; i < 500; ++i) {
    c2s_stats st;
    c2s_engine_stats(e, &st);
    if (st.exclusion_rejects >= want) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

uint64_t Generation(c2s_engine* e) {
  c2s_exclusions_info info;
  c2s_engine_exclusions_info(e, &info);
  return info.generation;
}

c2s_watch_options Watch(const char* source, uint32_t interval_ms) {
  c2s_watch_options w;
  c2s_watch_options_init(&w);
  w.source = source;
  w.interval_ms = interval_ms;
  return w;
}

fs::path TempDir() {
  char tmpl[] = "/tmp/c2sieve-live-XXXXXX";
  return fs::path(mkdtemp(tmpl));
}

TEST(LiveExclusions, WatchedFileReplacedByRename) {
  fs::path dir = TempDir();
  fs::path file = dir / "exclusions.json";
  WriteByRename(file, Exclusions("tool.exe"));
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  Logs logs;
  c2s_engine_set_log(e, &Logs::Fn, &logs);
  EXPECT_TRUE(Matches(e));
  std::string source = file.string();
  c2s_watch_options w = Watch(source.c_str(), 20);
  ASSERT_EQ(c2s_engine_watch_exclusions(e, &w), C2S_OK) << c2s_last_error();
  EXPECT_FALSE(Matches(e));  // applied before the call returned
  c2s_exclusions_info info;
  c2s_engine_exclusions_info(e, &info);
  EXPECT_EQ(std::string(info.origin), source);
  EXPECT_EQ(std::strlen(info.hash), 16u);
  EXPECT_EQ(info.entries, 1u);
  EXPECT_GT(info.applied_unix_ms, 0);
  {
    Evaluators running(e);
    uint64_t g = Generation(e);
    WriteByRename(file, Exclusions("other.exe"));
    ASSERT_TRUE(WaitForSwap(e, g));
    EXPECT_TRUE(Matches(e));
    // A bad push: rejected, logged, the last good version stays.
    g = Generation(e);
    WriteByRename(file, kBroken);
    ASSERT_TRUE(WaitForRejects(e, 1));
    EXPECT_EQ(Generation(e), g);
    EXPECT_TRUE(Matches(e));
    c2s_engine_exclusions_info(e, &info);
    EXPECT_NE(std::string(info.last_error).find("/exclusions/0"), std::string::npos)
        << info.last_error;
    EXPECT_TRUE(logs.Contains("rejected"));
    // The file disappears: logged, still the last good version.
    fs::remove(file);
    std::this_thread::sleep_for(100ms);
    EXPECT_TRUE(Matches(e));
    EXPECT_TRUE(logs.Contains("cannot be read"));
    // It comes back (same content as an earlier good version): applied.
    g = Generation(e);
    WriteByRename(file, Exclusions("tool.exe"));
    ASSERT_TRUE(WaitForSwap(e, g));
    EXPECT_FALSE(Matches(e));
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(running.failures.load(), 0u);
    EXPECT_GT(running.evaluations.load(), 0u);
  }
  c2s_engine_unwatch_exclusions(e);
  c2s_stats st;
  c2s_engine_stats(e, &st);
  EXPECT_GE(st.exclusion_swaps, 3u);
  // The bad version, and the read that found no file.
  EXPECT_EQ(st.exclusion_rejects, 2u);
  EXPECT_GT(st.excluded, 0u);
  c2s_engine_exclusions_info(e, &info);
  EXPECT_EQ(info.fetch_failures, 1u);
  EXPECT_EQ(info.consecutive_failures, 0u);
  EXPECT_GT(info.last_success_unix_ms, 0);
  EXPECT_EQ(std::string(info.source), "");  // no longer watched
  c2s_engine_free(e);
  fs::remove_all(dir);
}

TEST(LiveExclusions, BadFirstVersionStillWatches) {
  fs::path dir = TempDir();
  fs::path file = dir / "exclusions.json";
  WriteByRename(file, kBroken);
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  Logs logs;
  c2s_engine_set_log(e, &Logs::Fn, &logs);
  std::string source = file.string();
  c2s_watch_options w = Watch(source.c_str(), 20);
  EXPECT_EQ(c2s_engine_watch_exclusions(e, &w), C2S_E_EXCLUSIONS);
  EXPECT_NE(std::string(c2s_last_error()).find("exclusions.json:1 /exclusions/0"),
            std::string::npos) << c2s_last_error();
  EXPECT_TRUE(Matches(e));
  uint64_t g = Generation(e);
  WriteByRename(file, Exclusions("tool.exe"));
  ASSERT_TRUE(WaitForSwap(e, g));
  EXPECT_FALSE(Matches(e));
  c2s_engine_free(e);  // stops the watcher
  fs::remove_all(dir);
}


TEST(LiveExclusions, UrlPolledWithConditionalRequests) {
  if (access("/usr/sbin/nginx", X_OK) != 0) GTEST_SKIP() << "nginx is not installed";
  fs::path dir = TempDir();
  Nginx nginx(dir);
  ASSERT_TRUE(nginx.Accepts()) << "nginx did not start";
  WriteByRename(nginx.www() / "exclusions.json", Exclusions("tool.exe"));
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  Logs logs;
  c2s_engine_set_log(e, &Logs::Fn, &logs);
  std::string url = nginx.Url("exclusions.json");
  c2s_watch_options w = Watch(url.c_str(), 30);
  w.timeout_ms = 2000;
  uint64_t first = Generation(e);
  ASSERT_EQ(c2s_engine_watch_exclusions(e, &w), C2S_OK) << c2s_last_error();
  ASSERT_TRUE(WaitForSwap(e, first));  // fetched on the watch thread
  EXPECT_FALSE(Matches(e));
  {
    Evaluators running(e);
    std::this_thread::sleep_for(200ms);  // several polls of an unchanged file
    // nginx answered the polls with 304 Not Modified: the requests were
    // conditional.
    EXPECT_NE(nginx.AccessLog().find("\" 304 "), std::string::npos) << nginx.AccessLog();
    uint64_t g = Generation(e);
    WriteByRename(nginx.www() / "exclusions.json", Exclusions("other.exe"));
    ASSERT_TRUE(WaitForSwap(e, g));
    EXPECT_TRUE(Matches(e));
    g = Generation(e);
    WriteByRename(nginx.www() / "exclusions.json", kBroken);
    ASSERT_TRUE(WaitForRejects(e, 1));
    EXPECT_EQ(Generation(e), g);
    EXPECT_TRUE(Matches(e));
    // The server goes away: errors are logged, the version stays.
    nginx.Stop();
    std::this_thread::sleep_for(150ms);
    EXPECT_TRUE(Matches(e));
    EXPECT_TRUE(logs.Contains(url));
    EXPECT_EQ(running.failures.load(), 0u);
  }
  c2s_exclusions_info info;
  c2s_engine_exclusions_info(e, &info);
  EXPECT_EQ(std::string(info.origin), url);
  c2s_engine_free(e);
  fs::remove_all(dir);
}

TEST(LiveExclusions, UnreachableUrlIsCountedLoggedAndVisible) {
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  Logs logs;
  c2s_engine_set_log(e, &Logs::Fn, &logs);
  // The discard port: nothing listens. The first fetch happens on the
  // watch thread: the call itself succeeds, the failure shows everywhere a
  // fleet looks.
  c2s_watch_options w = Watch("http://127.0.0.1:9/exclusions.json", 50);
  w.timeout_ms = 500;
  EXPECT_EQ(c2s_engine_watch_exclusions(e, &w), C2S_OK);
  ASSERT_TRUE(WaitForRejects(e, 2));
  c2s_exclusions_info info;
  c2s_engine_exclusions_info(e, &info);
  EXPECT_EQ(std::string(info.source), "http://127.0.0.1:9/exclusions.json");
  EXPECT_NE(std::string(info.last_error).find("127.0.0.1:9"), std::string::npos) << info.last_error;
  EXPECT_GE(info.fetch_failures, 2u);
  EXPECT_GE(info.consecutive_failures, 2u);
  EXPECT_GT(info.last_attempt_unix_ms, 0);
  EXPECT_EQ(info.last_success_unix_ms, 0);
  EXPECT_TRUE(logs.Contains("127.0.0.1:9"));
  EXPECT_TRUE(Matches(e));
  c2s_engine_free(e);
  c2s_watch_options bad;
  std::memset(&bad, 0, sizeof bad);
  EXPECT_EQ(c2s_engine_watch_exclusions(nullptr, &bad), C2S_E_INVALID_ARGUMENT);
}

// Found when attacked: a missing file, "" or ftp://x returned success with
// no log; now each is an error at set-up, and logged.
TEST(LiveExclusions, BadSourcesAreErrorsAtSetUp) {
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  Logs logs;
  c2s_engine_set_log(e, &Logs::Fn, &logs);
  struct Case {
    const char* source;
    uint32_t interval, timeout;
    c2s_status want;
    const char* says;
  } cases[] = {
      {"", 1000, 1000, C2S_E_INVALID_ARGUMENT, "exclusions source is empty"},
      {"ftp://x/exclusions.json", 1000, 1000, C2S_E_INVALID_ARGUMENT, "unsupported URL"},
      {"gopher://x", 1000, 1000, C2S_E_INVALID_ARGUMENT, "unsupported URL"},
      {"/etc/c2sieve/exclusions.jsn", 1000, 1000, C2S_E_IO, "no such file"},
      {"/etc/c2sieve/exclusions.json", 5, 1000, C2S_E_INVALID_ARGUMENT,
       "watch-interval-ms must be between 10 and 86400000"},
      {"https://example.invalid/x.json", 1000, 4000000000u, C2S_E_INVALID_ARGUMENT,
       "fetch-timeout-ms must be between 100 and 600000"},
      {"/tmp", 1000, 1000, C2S_E_IO, "is a directory"},
      {"/dev/zero", 1000, 1000, C2S_E_IO, "not a regular file"},
  };
  for (const Case& c : cases) {
    c2s_watch_options w = Watch(c.source, c.interval);
    w.timeout_ms = c.timeout;
    EXPECT_EQ(c2s_engine_watch_exclusions(e, &w), c.want) << c.source;
    EXPECT_NE(std::string(c2s_last_error()).find(c.says), std::string::npos)
        << c.source << ": " << c2s_last_error();
    EXPECT_TRUE(logs.Contains(c.says)) << c.source;
    c2s_engine_unwatch_exclusions(e);
  }
  c2s_engine_free(e);
}

// Found when attacked: `mkfifo f; mv f exclusions.json` blocked the
// watcher in open() forever; later good versions were never applied and
// unwatch/free hung.
TEST(LiveExclusions, FifoSwappedInIsRefusedAndLaterVersionsApply) {
  fs::path dir = TempDir();
  fs::path file = dir / "exclusions.json";
  WriteByRename(file, Exclusions("tool.exe"));
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  Logs logs;
  c2s_engine_set_log(e, &Logs::Fn, &logs);
  std::string source = file.string();
  c2s_watch_options w = Watch(source.c_str(), 20);
  ASSERT_EQ(c2s_engine_watch_exclusions(e, &w), C2S_OK) << c2s_last_error();
  EXPECT_FALSE(Matches(e));
  fs::path fifo = dir / "f";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  fs::rename(fifo, file);
  ASSERT_TRUE(WaitForRejects(e, 1));
  EXPECT_TRUE(logs.Contains("not a regular file"));
  EXPECT_FALSE(Matches(e));  // the last good version stays
  uint64_t g = Generation(e);
  WriteByRename(file, Exclusions("other.exe"));
  ASSERT_TRUE(WaitForSwap(e, g));
  EXPECT_TRUE(Matches(e));
  // A symlink to a device: refused too, never read.
  fs::remove(file);
  fs::create_symlink("/dev/zero", file);
  ASSERT_TRUE(WaitForRejects(e, 2));
  EXPECT_TRUE(Matches(e));
  c2s_engine_unwatch_exclusions(e);  // returns: nothing blocks the thread
  c2s_engine_free(e);
  fs::remove_all(dir);
}

// A server that accepts the connection and never answers.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 8);  // the kernel completes handshakes; nobody reads
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentServer() { close(fd_); }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/x.json"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Found when attacked: watching a slow server blocked the caller for the
// whole timeout (10 s), and unwatch for 9.5 s. Neither waits now: the
// bounds below are far under the server's 10 s timeout, which is what
// would show if either waited for it.
TEST(LiveExclusions, SlowServerNeverBlocksWatchOrUnwatch) {
  SilentServer server;
  c2s_engine* e = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  Logs logs;
  c2s_engine_set_log(e, &Logs::Fn, &logs);
  std::string url = server.Url();
  c2s_watch_options w = Watch(url.c_str(), 1000);
  w.timeout_ms = 10000;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c2s_engine_watch_exclusions(e, &w), C2S_OK) << c2s_last_error();
  auto watch_took = std::chrono::steady_clock::now() - t0;
  std::this_thread::sleep_for(200ms);  // the fetch is now waiting on the server
  EXPECT_TRUE(Matches(e));              // evaluation is not held up either
  t0 = std::chrono::steady_clock::now();
  c2s_engine_unwatch_exclusions(e);
  auto unwatch_took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(watch_took, 3s);
  EXPECT_LT(unwatch_took, 3s);
  c2s_engine_free(e);
}

}  // namespace
