#include "rules/load_context.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "util/strings.h"
#include "util/json_text.h"

namespace c2s::rules {

std::string LoadContext::Where(std::string_view pointer) const {
  return Cat(origin_, ":", lines_.Line(pointer), " ", pointer.empty() ? "/" : pointer);
}

absl::Status LoadContext::Fail(std::string_view pointer,
                               std::string_view reason) const {
  return absl::InvalidArgumentError(Cat(Where(pointer), ": ", reason));
}

absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT)
      return absl::NotFoundError(Cat(path, ": cannot open: no such file (check the path)"));
    return absl::NotFoundError(Cat(path, ": cannot open: ", std::strerror(e)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return absl::DataLossError(Cat(path, ": cannot stat: ", std::strerror(errno)));
  if (S_ISDIR(st.st_mode))
    return absl::PermissionDeniedError(Cat(path, ": is a directory, not a file"));
  if (!S_ISREG(st.st_mode))
    return absl::PermissionDeniedError(
        Cat(path, ": not a regular file (a FIFO, socket or device): refused, since reading it "
                  "could block or never end"));
  if (static_cast<uint64_t>(st.st_size) > max_bytes)
    return absl::PermissionDeniedError(
        Cat(path, ": ", static_cast<uint64_t>(st.st_size), " bytes, larger than the limit of ",
            max_bytes, " bytes"));
  std::string text;
  text.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  // Read until end of file; a file that grows past the cap while being
  // read is refused too.
  while (true) {
    if (got == text.size()) {
      if (text.size() > max_bytes)
        return absl::PermissionDeniedError(
            Cat(path, ": larger than the limit of ", max_bytes, " bytes"));
      text.resize(text.size() + 4096);
    }
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::DataLossError(Cat(path, ": read error: ", std::strerror(errno)));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > max_bytes)
    return absl::PermissionDeniedError(Cat(path, ": larger than the limit of ", max_bytes, " bytes"));
  text.resize(got);
  return text;
}

}  // namespace c2s::rules
