#include "cli/file_kind.h"

#include <nlohmann/json.hpp>

#include "rules/load_context.h"
#include "util/strings.h"

namespace c2s::cli {

namespace {

std::string_view FirstContentLine(std::string_view t) {
  size_t pos = 0;
  while (pos < t.size()) {
    size_t nl = t.find('\n', pos);
    if (nl == std::string_view::npos) nl = t.size();
    std::string_view line = t.substr(pos, nl - pos);
    pos = nl + 1;
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) continue;
    line.remove_prefix(b);
    if (line[0] == '#') continue;
    return line;
  }
  return {};
}

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

const char* KindName(FileKind k) {
  switch (k) {
    case FileKind::kRuleset: return "a c2sieve ruleset";
    case FileKind::kExclusions: return "a c2sieve exclusions file";
    case FileKind::kProfiles: return "a c2sieve source profiles file";
    case FileKind::kImportSpec: return "a c2sieve import spec";
    case FileKind::kOtherJson: return "JSON without a c2sieve \"format\"";
    case FileKind::kNdjson: return "NDJSON (events, one per line)";
    case FileKind::kYaml: return "YAML";
    case FileKind::kToml: return "TOML";
    case FileKind::kGzip: return "gzip-compressed";
    case FileKind::kBinary: return "binary data";
    case FileKind::kUnknown: return "not valid JSON";
  }
  return "?";
}

}  // namespace

FileKind SniffKind(std::string_view t) {
  if (t.size() >= 2 && static_cast<unsigned char>(t[0]) == 0x1f &&
      static_cast<unsigned char>(t[1]) == 0x8b)
    return FileKind::kGzip;
  size_t probe = t.size() < 4096 ? t.size() : 4096;
  for (size_t i = 0; i < probe; ++i)
    if (t[i] == '\0') return FileKind::kBinary;
  auto doc = nlohmann::json::parse(t.begin(), t.end(), nullptr, false);
  if (!doc.is_discarded()) {
    if (doc.is_object()) {
      auto f = doc.find("format");
      if (f != doc.end() && f->is_string()) {
        std::string format = *f;
        if (format.rfind("c2sieve.ruleset/", 0) == 0) return FileKind::kRuleset;
        if (format.rfind("c2sieve.exclusions/", 0) == 0) return FileKind::kExclusions;
        if (format.rfind("c2sieve.profiles/", 0) == 0) return FileKind::kProfiles;
        if (format.rfind("c2sieve.import/", 0) == 0) return FileKind::kImportSpec;
      }
    }
    return FileKind::kOtherJson;
  }
  std::string_view first = FirstContentLine(t);
  if (!first.empty() && first[0] == '{') {
    size_t nl = t.find('\n', static_cast<size_t>(first.data() - t.data()));
    if (nl != std::string_view::npos &&
        !nlohmann::json::parse(first.begin(), first.begin() + (nl - (first.data() - t.data())),
                               nullptr, false)
             .is_discarded())
      return FileKind::kNdjson;
    return FileKind::kUnknown;
  }
  if (first.substr(0, 3) == "---") return FileKind::kYaml;
  if (!first.empty() && first[0] == '[' && first.find(']') != std::string_view::npos &&
      first.find('"') == std::string_view::npos)
    return FileKind::kToml;  // a [table] header
  size_t k = 0;
  while (k < first.size() && IsKeyChar(first[k])) ++k;
  if (k > 0 && k < first.size()) {
    size_t after = first.find_first_not_of(' ', k);
    if (after != std::string_view::npos && first[after] == '=') return FileKind::kToml;
    if (first[k] == ':') return FileKind::kYaml;
  }
  return FileKind::kUnknown;
}

std::string KindAdvice(FileKind kind, const std::string& path) {
  switch (kind) {
    case FileKind::kRuleset: return "it is a ruleset: pass it with --ruleset";
    case FileKind::kExclusions: return "it is an exclusions file: pass it with --exclusions";
    case FileKind::kProfiles: return "it is a source profiles file: pass it with --profiles";
    case FileKind::kImportSpec:
      return "it is an import spec: pass it to c2sieve import elastic|sigma --spec";
    case FileKind::kNdjson: return "it holds events: scan them with c2sieve scan " + path;
    case FileKind::kYaml:
      return "it is YAML (a Sigma rule?): convert it first with c2sieve import sigma " + path;
    case FileKind::kToml:
      return "it is TOML (an Elastic rule?): convert it first with c2sieve import elastic " + path;
    case FileKind::kGzip: return "it is gzip-compressed: decompress it first (gunzip " + path + ")";
    case FileKind::kBinary: return "it holds binary data, not a c2sieve JSON document";
    case FileKind::kOtherJson:
      return "it is JSON without a c2sieve \"format\" (c2sieve.ruleset/1, "
             "c2sieve.exclusions/1 or c2sieve.profiles/1)";
    case FileKind::kUnknown: return "";
  }
  return "";
}

absl::StatusOr<std::string> ReadConfigFor(const std::string& path, FileKind want,
                                          std::string_view option) {
  auto text = rules::ReadFile(path);
  if (!text.ok()) return text.status();
  FileKind got = SniffKind(*text);
  if (got == want || got == FileKind::kUnknown) return text;
  // Plain JSON of no format: the loader names the missing "format".
  if (got == FileKind::kOtherJson) return text;
  return absl::InvalidArgumentError(
      Cat(path, ": not ", KindName(want), " (what ", option, " takes): ", KindAdvice(got, path)));
}

std::string SafeStatus(const absl::Status& status) {
  absl::string_view m = status.message();
  return SafeMessage(std::string_view(m.data(), m.size()));
}

std::string SafeMessage(std::string_view m) {
  std::string cut(m);
  for (std::string_view quote : {"; last read: '", ", saw '", "saw '"}) {
    size_t at = cut.find(quote);
    if (at == std::string::npos) continue;
    size_t end = cut.find('\'', at + quote.size());
    cut.erase(at, end == std::string::npos ? std::string::npos : end + 1 - at);
  }
  std::string out;
  for (unsigned char c : cut) {
    if (c == '\n' || (c >= 0x20 && c < 0x7f)) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace c2s::cli
