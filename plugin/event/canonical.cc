#include "event/canonical.h"

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

std::string_view CanonicalDomain(std::string_view in, std::string* buf) {
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

namespace {

// UTF-8 to code points; false on invalid input.
bool DecodeUtf8(std::string_view s, std::u32string* out) {
  out->clear();
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    size_t n;
    if (c < 0x80) { cp = c; n = 1; }
    else if (c >= 0xc2 && c <= 0xdf) { cp = c & 0x1f; n = 2; }
    else if (c >= 0xe0 && c <= 0xef) { cp = c & 0x0f; n = 3; }
    else if (c >= 0xf0 && c <= 0xf4) { cp = c & 0x07; n = 4; }
    else return false;
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    out->push_back(cp);
    i += n;
  }
  return true;
}

}  // namespace

bool PunycodeEncode(const std::u32string& input, std::string* out) {
  // RFC 3492, section 6.3, with its parameters.
  constexpr uint32_t kBase = 36, kTmin = 1, kTmax = 26, kSkew = 38, kDamp = 700;
  auto digit = [](uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + d - 26); };
  auto adapt = [&](uint32_t delta, uint32_t points, bool first) {
    delta = first ? delta / kDamp : delta / 2;
    delta += delta / points;
    uint32_t k = 0;
    while (delta > ((kBase - kTmin) * kTmax) / 2) {
      delta /= kBase - kTmin;
      k += kBase;
    }
    return k + (kBase - kTmin + 1) * delta / (delta + kSkew);
  };
  out->clear();
  for (char32_t c : input)
    if (c < 0x80) *out += static_cast<char>(c);
  uint32_t basic = static_cast<uint32_t>(out->size());
  uint32_t handled = basic;
  if (basic > 0) *out += '-';
  uint32_t n = 0x80, delta = 0, bias = 72;
  while (handled < input.size()) {
    uint32_t m = UINT32_MAX;
    for (char32_t c : input)
      if (c >= n && c < m) m = c;
    if (m - n > (UINT32_MAX - delta) / (handled + 1)) return false;
    delta += (m - n) * (handled + 1);
    n = m;
    for (char32_t c : input) {
      if (c < n && ++delta == 0) return false;
      if (c == n) {
        uint32_t q = delta;
        for (uint32_t k = kBase;; k += kBase) {
          uint32_t t = k <= bias ? kTmin : k >= bias + kTmax ? kTmax : k - bias;
          if (q < t) break;
          *out += digit(t + (q - t) % (kBase - t));
          q = (q - t) / (kBase - t);
        }
        *out += digit(q);
        bias = adapt(delta, handled + 1, handled == basic);
        delta = 0;
        ++handled;
      }
    }
    ++delta;
    ++n;
  }
  return true;
}

bool DomainToAscii(std::string_view name, std::string* out) {
  out->clear();
  bool ascii = true;
  for (char c : name) ascii &= static_cast<unsigned char>(c) < 0x80;
  if (ascii) return false;
  std::u32string label;
  std::string encoded;
  size_t start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i < name.size() && name[i] != '.') continue;
    std::string_view part = name.substr(start, i - start);
    start = i + 1;
    if (!out->empty() || i != part.size()) *out += '.';
    if (!DecodeUtf8(part, &label)) {
      out->clear();
      return false;
    }
    bool label_ascii = true;
    for (char32_t c : label) label_ascii &= c < 0x80;
    if (label_ascii) {
      for (char c : part) *out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      continue;
    }
    for (char32_t& c : label)
      if (c >= 'A' && c <= 'Z') c += 32;
    if (!PunycodeEncode(label, &encoded)) {
      out->clear();
      return false;
    }
    *out += "xn--";
    *out += encoded;
  }
  return true;
}

}  // namespace c2s::event
