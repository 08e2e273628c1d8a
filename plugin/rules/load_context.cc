#include "rules/load_context.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/strings.h"
#include "util/json_text.h"

namespace c2s::rules {

std::string LoadContext::Where(std::string_view pointer) const {
  return Cat(origin_, ":", json_text::LineOfPointer(text_, pointer),
                      " ", pointer.empty() ? "/" : pointer);
}

absl::Status LoadContext::Fail(std::string_view pointer,
                               std::string_view reason) const {
  return absl::InvalidArgumentError(Cat(Where(pointer), ": ", reason));
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        Cat(path, ": cannot open: ", std::strerror(errno)));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return absl::DataLossError(Cat(path, ": read error"));
  return std::move(buf).str();
}

}  // namespace c2s::rules
