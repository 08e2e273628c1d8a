// Writes c2sieve's man pages and shell completions from its --help text
// (cli/command_specs.cc), at build time:
//   c2sieve_docgen OUT_DIR VERSION   (cli/CMakeLists.txt runs it)
//     OUT_DIR/man1/c2sieve.1, OUT_DIR/man1/c2sieve-<command>.1 ...
//     OUT_DIR/completions/c2sieve (bash), OUT_DIR/completions/_c2sieve (zsh)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/command_specs.h"
#include "cli/docs_render.h"

namespace {

bool Write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) std::fprintf(stderr, "c2sieve_docgen: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: c2sieve_docgen OUT_DIR VERSION\n");
    return 2;
  }
  namespace fs = std::filesystem;
  using namespace c2s::cli;
  fs::path out = argv[1];
  std::string version = argv[2];
  std::error_code ec;
  fs::create_directories(out / "man1", ec);
  fs::create_directories(out / "completions", ec);
  bool ok = Write(out / "man1" / "c2sieve.1", MainManPage(version));
  for (const CommandSpec* c : AllCommands())
    ok = Write(out / "man1" / (ManPageName(*c) + ".1"), CommandManPage(*c, version)) && ok;
  ok = Write(out / "completions" / "c2sieve", BashCompletion()) && ok;
  ok = Write(out / "completions" / "_c2sieve", ZshCompletion()) && ok;
  return ok ? 0 : 1;
}
