#include "cli/line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <string>
#include <vector>

#include "util/strings.h"

namespace c2s::cli {

absl::StatusOr<std::unique_ptr<Input>> Input::Open(const std::string& path) {
  int fd = 0;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      return absl::NotFoundError(Cat(path, ": cannot open: ",
                                     e == ENOENT ? "no such file (check the path)" : std::strerror(e)));
    }
  } else {
    fd = ::dup(0);
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(Cat(path, ": is a directory; give an NDJSON file"));
  }
  std::unique_ptr<Input> in(new Input());
  in->name_ = path == "-" ? "standard input" : path;
  if (S_ISREG(st.st_mode)) in->size_ = static_cast<uint64_t>(st.st_size);
  gzFile gz = gzdopen(fd, "rb");
  if (gz == nullptr) {
    ::close(fd);
    return absl::ResourceExhaustedError(Cat(path, ": cannot set up reading"));
  }
  gzbuffer(gz, 1 << 20);
  in->gz_ = gz;
  return in;
}

Input::~Input() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
}

long Input::Read(char* buf, size_t n) {
  unsigned chunk = n > (1u << 30) ? (1u << 30) : static_cast<unsigned>(n);
  int got = gzread(static_cast<gzFile>(gz_), buf, chunk);
  if (got == 0) {
    // zlib reports a truncated stream only here, after the data it had.
    int err = Z_OK;
    gzerror(static_cast<gzFile>(gz_), &err);
    if (err != Z_OK) return -1;
  }
  return got < 0 ? -1 : got;
}

uint64_t Input::consumed() const {
  z_off_t at = gzoffset(static_cast<gzFile>(gz_));
  return at < 0 ? 0 : static_cast<uint64_t>(at);
}

bool ReadLines(Input& in, const std::function<void(std::string_view)>& on_line,
               const std::function<bool(uint64_t)>& on_block) {
  std::vector<char> buf(1 << 20);
  std::string carry;
  while (true) {
    long n = in.Read(buf.data(), buf.size());
    if (n < 0) return false;
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    size_t pos = 0;
    while (true) {
      size_t nl = chunk.find('\n', pos);
      if (nl == std::string_view::npos) break;
      if (!carry.empty()) {
        carry.append(chunk.substr(pos, nl - pos));
        on_line(carry);
        carry.clear();
      } else {
        on_line(chunk.substr(pos, nl - pos));
      }
      pos = nl + 1;
    }
    carry.append(chunk.substr(pos));
    if (!on_block(in.consumed())) return true;
  }
  if (!carry.empty()) on_line(carry);
  return true;
}

void Progress::Update(uint64_t done, uint64_t events) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  if (total_ > 0) {
    int width = 30;
    int filled = static_cast<int>(width * std::min<double>(1.0, double(done) / total_));
    std::fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %llu events", filled,
                 "##############################", width - filled, "", 100.0 * done / total_,
                 static_cast<unsigned long long>(events));
  } else {
    std::fprintf(stderr, "\r%llu events", static_cast<unsigned long long>(events));
  }
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Clear() {
  if (drawn_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace c2s::cli
