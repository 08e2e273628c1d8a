#include "cli/line_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

namespace c2s::cli {

bool ReadLines(FILE* in, const std::function<void(std::string_view)>& on_line,
               const std::function<bool(uint64_t)>& on_block) {
  std::vector<char> buf(1 << 20);
  std::string carry;
  uint64_t consumed = 0;
  while (true) {
    size_t n = std::fread(buf.data(), 1, buf.size(), in);
    if (n == 0) break;
    consumed += n;
    std::string_view chunk(buf.data(), n);
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
    if (!on_block(consumed)) return true;
  }
  if (std::ferror(in)) return false;
  if (!carry.empty()) on_line(carry);
  return true;
}

uint64_t InputSize(FILE* in) {
  struct stat st;
  if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode)) return static_cast<uint64_t>(st.st_size);
  return 0;
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
