// Helpers of the live configuration tests: files replaced as config
// management replaces them, a log collector, and a real nginx.
#pragma once

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace c2s::live_test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// An event the built-in Windows rule matches (pastebin.com from a tool in
// a user-writable folder).
inline const char* const kBuiltinMatch =
    R"({"event":{"category":["network"]},"host":{"os":{"type":"windows"}},)"
    R"("dns":{"question":{"name":"pastebin.com"}},)"
    R"("process":{"name":"tool.exe","executable":"C:\\Tools\\tool.exe"}})";

inline void WriteByRename(const fs::path& target, const std::string& text) {
  fs::path tmp = target;
  tmp += ".tmp";
  std::ofstream(tmp) << text;
  fs::rename(tmp, target);  // what config management does
}

struct Logs {
  std::mutex mu;
  std::vector<std::string> lines;
  static void Fn(void* user, int level, const char* message) {
    auto* self = static_cast<Logs*>(user);
    std::lock_guard<std::mutex> lock(self->mu);
    self->lines.push_back(std::to_string(level) + " " + message);
  }
  bool Contains(const std::string& s) {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& l : lines)
      if (l.find(s) != std::string::npos) return true;
    return false;
  }
};

// A real nginx serving a directory on 127.0.0.1.
class Nginx {
 public:
  explicit Nginx(const fs::path& dir) : dir_(dir) {
    port_ = FreePort();
    std::ofstream conf(dir / "nginx.conf");
    if (getuid() == 0) conf << "user root;\n";  // workers must read our temp dir
    conf << "worker_processes 1;\ndaemon off;\npid " << (dir / "nginx.pid").string() << ";\n"
         << "error_log " << (dir / "error.log").string() << ";\n"
         << "events { worker_connections 64; }\n"
         << "http {\n  access_log " << (dir / "access.log").string() << ";\n"
         << "  client_body_temp_path " << dir.string() << "/body;\n"
         << "  proxy_temp_path " << dir.string() << "/proxy;\n"
         << "  fastcgi_temp_path " << dir.string() << "/fastcgi;\n"
         << "  uwsgi_temp_path " << dir.string() << "/uwsgi;\n"
         << "  scgi_temp_path " << dir.string() << "/scgi;\n"
         << "  server {\n    listen 127.0.0.1:" << port_ << ";\n    root "
         << (dir / "www").string() << ";\n  }\n}\n";
    conf.close();
    fs::create_directories(dir / "www");
    pid_ = fork();
    if (pid_ == 0) {
      execl("/usr/sbin/nginx", "nginx", "-p", dir.c_str(), "-c",
            (dir / "nginx.conf").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    // Wait until it accepts connections.
    for (int i = 0; i < 200 && !Accepts(); ++i) std::this_thread::sleep_for(10ms);
  }
  ~Nginx() { Stop(); }
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGQUIT);
      int status;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }
  std::string Url(const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + name;
  }
  fs::path www() const { return dir_ / "www"; }
  std::string AccessLog() const {
    std::ifstream in(dir_ / "access.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  bool Accepts() const {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return ok;
  }

 private:
  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
  }
  fs::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace c2s::live_test
