#include "event/canonical.h"

#include <idn2.h>

#include "util/hex.h"

#include <cstring>
#include <vector>

namespace c2s::event {

namespace {

bool IsSep(char c) { return c == '\\' || c == '/'; }

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b + 32);
    if (a != b) return false;
  }
  return true;
}

// Whether the path needs any work: a cheap test (memchr over the few
// separators) so most paths return as they are.
bool PathIsCanonical(std::string_view p) {
  if (p.empty()) return true;
  if (IsSep(p[0])) return false;  // \\?\ \??\ \Device\ UNC ...
  if (std::memchr(p.data(), '/', p.size()) != nullptr) return false;
  const char* d = p.data();
  const char* end = d + p.size();
  for (const char* q = d; (q = static_cast<const char*>(std::memchr(q, '\\', end - q)));) {
    ++q;
    if (q == end) return true;
    if (*q == '\\') return false;  // repeated separator
    if (*q == '.') {
      const char* r = q + 1;
      if (r == end || *r == '\\') return false;                                // \.
      if (*r == '.' && (r + 1 == end || r[1] == '\\')) return false;           // \..
    }
  }
  return true;
}

}  // namespace

namespace {
std::string_view CanonicalPathOnce(std::string_view in, std::string* buf);
}  // namespace

namespace {

bool IsPosixPath(std::string_view p) {
  return !p.empty() && p[0] == '/' && std::memchr(p.data(), '\\', p.size()) == nullptr;
}

bool PosixPathIsCanonical(std::string_view p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '/') continue;
    std::string_view rest = p.substr(i + 1);
    if (!rest.empty() && rest[0] == '/') return false;                         // //
    if (rest == "." || rest.substr(0, 2) == "./") return false;                // /.
    if (rest == ".." || rest.substr(0, 3) == "../") return false;              // /..
  }
  return true;
}

std::string_view CanonicalPosixPath(std::string_view in, std::string* buf) {
  if (PosixPathIsCanonical(in)) return in;
  std::vector<std::string_view> parts;
  size_t start = 1;
  for (size_t i = 1; i <= in.size(); ++i) {
    if (i < in.size() && in[i] != '/') continue;
    std::string_view part = in.substr(start, i - start);
    start = i + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();  // never above "/"
      continue;
    }
    parts.push_back(part);
  }
  buf->clear();
  buf->push_back('/');
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) *buf += '/';
    buf->append(parts[i]);
  }
  if (in.size() > 1 && in.back() == '/' && !parts.empty()) *buf += '/';
  return *buf;
}

}  // namespace

std::string_view CanonicalPath(std::string_view in, std::string* buf) {
  if (IsPosixPath(in)) return CanonicalPosixPath(in, buf);
  if (PathIsCanonical(in)) return in;
  // One pass can leave a new namespace prefix behind ("\\\\?\\C:" once
  // the separators are collapsed is "\\?\C:"): repeat to a fixed point.
  std::string next;
  std::string_view out = CanonicalPathOnce(in, buf);
  for (int i = 0; i < 8 && !PathIsCanonical(out); ++i) {
    std::string_view again = CanonicalPathOnce(out, &next);
    if (again == out) break;
    buf->assign(again);
    out = *buf;
  }
  return out;
}

namespace {

std::string_view CanonicalPathOnce(std::string_view in, std::string* buf) {
  std::string_view p = in;
  std::string root;  // "C:", "?:", "\\server" ...
  bool unc = false;
  // Win32 and NT namespace prefixes.
  if (StartsWithNoCase(p, "\\\\?\\UNC\\") || StartsWithNoCase(p, "\\??\\UNC\\")) {
    p.remove_prefix(8);
    unc = true;
  } else if (p.size() >= 4 && IsSep(p[0]) &&
             ((IsSep(p[1]) && (p[2] == '?' || p[2] == '.')) ||
              (p[1] == '?' && p[2] == '?')) &&
             IsSep(p[3])) {
    p.remove_prefix(4);
  } else if (StartsWithNoCase(p, "\\Device\\HarddiskVolume")) {
    size_t i = 22;
    while (i < p.size() && p[i] >= '0' && p[i] <= '9') ++i;
    if (i > 22 && (i == p.size() || IsSep(p[i]))) {
      root = "?:";
      p.remove_prefix(i);
    }
  } else if (p.size() >= 2 && IsSep(p[0]) && IsSep(p[1])) {
    p.remove_prefix(2);
    unc = true;
  }
  // Split into components, resolving . and .. as Windows does before any
  // prefix test could be fooled by them.
  std::vector<std::string_view> parts;
  size_t start = 0;
  bool leading_sep = !p.empty() && IsSep(p[0]) && root.empty();
  for (size_t i = 0; i <= p.size(); ++i) {
    if (i < p.size() && !IsSep(p[i])) continue;
    std::string_view part = p.substr(start, i - start);
    start = i + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      // Never above the root: the drive ("C:") or, for UNC, server\share.
      size_t keep = unc ? 2 : (root.empty() && !parts.empty() &&
                               parts[0].size() == 2 && parts[0][1] == ':') ? 1 : 0;
      if (parts.size() > keep) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  buf->clear();
  if (unc) *buf += "\\\\";
  else if (!root.empty()) *buf += root;
  else if (leading_sep) *buf += '\\';
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0 || !root.empty()) *buf += '\\';
    buf->append(parts[i]);
  }
  bool trailing = !in.empty() && IsSep(in.back()) && !parts.empty();
  if (trailing) *buf += '\\';
  if (!root.empty() && parts.empty()) *buf += '\\';
  return *buf;
}

}  // namespace

std::string_view HostOfUrl(std::string_view v, std::string* buf) {
  if (v.find_first_of(":/%@") == std::string_view::npos) return v;
  if (size_t scheme = v.find("://"); scheme != std::string_view::npos) v.remove_prefix(scheme + 3);
  v = v.substr(0, v.find_first_of("/?#"));
  if (size_t at = v.rfind('@'); at != std::string_view::npos) v.remove_prefix(at + 1);
  if (!v.empty() && v[0] == '[') {  // an IPv6 literal keeps its colons
    size_t close = v.find(']');
    if (close != std::string_view::npos) v = v.substr(0, close + 1);
  } else if (size_t colon = v.rfind(':'); colon != std::string_view::npos) {
    bool port = colon + 1 < v.size();
    for (size_t i = colon + 1; i < v.size(); ++i) port &= v[i] >= '0' && v[i] <= '9';
    if (port || colon + 1 == v.size()) v = v.substr(0, colon);
  }
  if (v.find('%') == std::string_view::npos) return v;
  buf->clear();
  for (size_t i = 0; i < v.size(); ++i) {
    int hi = i + 2 < v.size() && v[i] == '%' ? HexDigit(v[i + 1]) : -1;
    int lo = hi >= 0 ? HexDigit(v[i + 2]) : -1;
    if (lo >= 0) {
      *buf += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      *buf += v[i];
    }
  }
  return *buf;
}

namespace {

// Surrounding whitespace and one root dot removed, ASCII lowercased; a view
// of `in` when nothing changes, else of *buf.
std::string_view CanonicalName(std::string_view in, std::string* buf) {
  size_t b = 0, e = in.size();
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (b < e && space(in[b])) ++b;
  while (e > b && space(in[e - 1])) --e;
  if (e > b + 1 && in[e - 1] == '.') --e;  // the root label
  std::string_view core = in.substr(b, e - b);
  bool upper = false;
  for (char c : core) upper |= (c >= 'A' && c <= 'Z');
  if (!upper) return core;
  buf->assign(core);
  for (char& c : *buf)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return *buf;
}

}  // namespace

std::string_view CanonicalDomain(std::string_view in, std::string* buf) {
  std::string host_buf;
  std::string_view host = HostOfUrl(in, &host_buf);
  if (host.data() != host_buf.data()) return CanonicalName(host, buf);  // a view of `in`
  std::string name_buf;
  std::string_view name = CanonicalName(host, &name_buf);
  buf->assign(name);  // host_buf and name_buf end here
  return *buf;
}

bool DomainToAscii(std::string_view name, bool transitional, std::string* out) {
  out->clear();
  std::string input(name);  // libidn2 wants a NUL-terminated string
  if (input.find('\0') != std::string::npos) return false;
  char* result = nullptr;
  int flags = IDN2_NFC_INPUT | (transitional ? IDN2_TRANSITIONAL : IDN2_NONTRANSITIONAL);
  if (idn2_to_ascii_8z(input.c_str(), &result, flags) != IDN2_OK) {
    idn2_free(result);
    return false;
  }
  // Only trimmed and lowercased: the URL reduction (and its %XX decoding)
  // was done once, before; doing it again would decode twice.
  std::string canonical_buf;
  std::string_view canonical = CanonicalName(result, &canonical_buf);
  out->assign(canonical);
  idn2_free(result);
  return !out->empty();
}

}  // namespace c2s::event
