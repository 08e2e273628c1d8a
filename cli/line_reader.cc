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
  in->fd_ = fd;
  // Two bytes tell gzip apart (1f 8b); a pipe may hand them out one by one.
  while (in->peeked_size_ < 2) {
    ssize_t n = ::read(fd, in->peeked_ + in->peeked_size_, 2 - in->peeked_size_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::DataLossError(Cat(path, ": read error: ", std::strerror(errno)));
    if (n == 0) break;
    in->peeked_size_ += static_cast<size_t>(n);
  }
  bool gzip = in->peeked_size_ == 2 && static_cast<unsigned char>(in->peeked_[0]) == 0x1f &&
              static_cast<unsigned char>(in->peeked_[1]) == 0x8b;
  if (!gzip) return in;
  // zlib reads the stream from its start: a file is rewound; a pipe cannot
  // be, so gzip on a pipe is refused, saying what to do instead.
  if (::lseek(fd, 0, SEEK_SET) != 0)
    return absl::InvalidArgumentError(
        Cat(path, ": gzip-compressed input on a pipe: give the file, or decompress it first "
                  "(zcat FILE | c2sieve ...)"));
  in->peeked_size_ = 0;
  gzFile gz = gzdopen(fd, "rb");
  if (gz == nullptr) return absl::ResourceExhaustedError(Cat(path, ": cannot set up reading"));
  in->fd_ = -1;  // zlib owns it now
  gzbuffer(gz, 1 << 20);
  in->gz_ = gz;
  return in;
}

Input::~Input() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
  if (fd_ >= 0) ::close(fd_);
}

long Input::Read(char* buf, size_t n) {
  if (gz_ == nullptr) {
    // The peeked bytes go out with the first read, as one block.
    size_t from_peek = 0;
    while (peeked_used_ < peeked_size_ && from_peek < n) buf[from_peek++] = peeked_[peeked_used_++];
    while (true) {
      ssize_t got = from_peek < n ? ::read(fd_, buf + from_peek, n - from_peek) : 0;
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return -1;
      size_t total = from_peek + static_cast<size_t>(got);
      consumed_ += total;
      return static_cast<long>(total);
    }
  }
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
  if (gz_ == nullptr) return consumed_;
  z_off_t at = gzoffset(static_cast<gzFile>(gz_));
  return at < 0 ? 0 : static_cast<uint64_t>(at);
}

bool ReadLines(Input& in, const std::function<void(std::string_view)>& on_line,
               const std::function<bool(uint64_t)>& on_block) {
  return ReadLinesInBlock(in, [&](std::string_view line, bool) { on_line(line); }, on_block);
}

bool ReadLinesInBlock(Input& in,
                      const std::function<void(std::string_view, bool in_block)>& on_line,
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
        on_line(carry, false);
        carry.clear();
      } else {
        on_line(chunk.substr(pos, nl - pos), true);
      }
      pos = nl + 1;
    }
    carry.append(chunk.substr(pos));
    if (!on_block(in.consumed())) return true;
  }
  if (!carry.empty()) on_line(carry, false);
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
