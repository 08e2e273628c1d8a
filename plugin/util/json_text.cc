#include "util/json_text.h"

#include "util/hex.h"
#include "util/utf8.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace c2s::json_text {

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() &&
         (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
    ++i;
  return i;
}

namespace {

// s[i] is an opening quote: the index one past the closing one, or kNpos.
// memchr finds candidate quotes fast; a quote preceded by an odd number of
// backslashes is escaped.
size_t StringEnd(std::string_view s, size_t i) {
  size_t from = i + 1;
  while (from < s.size()) {
    const void* q = std::memchr(s.data() + from, '"', s.size() - from);
    if (q == nullptr) return kNpos;
    size_t at = static_cast<const char*>(q) - s.data();
    size_t backslashes = 0;
    while (at - backslashes > i + 1 && s[at - backslashes - 1] == '\\')
      ++backslashes;
    if (backslashes % 2 == 0) return at + 1;
    from = at + 1;
  }
  return kNpos;
}

}  // namespace

size_t SkipValue(std::string_view s, size_t i) {
  if (i >= s.size()) return kNpos;
  size_t depth = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') {
      i = StringEnd(s, i);
      if (i == kNpos) return kNpos;
    } else if (c == '{' || c == '[') {
      ++depth;
      ++i;
      continue;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return kNpos;
      --depth;
      ++i;
    } else if (depth > 0) {
      ++i;
      continue;
    } else {
      // Scalar at top level: number, true, false, null.
      while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' &&
             s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
        ++i;
      return i;
    }
    if (depth == 0) return i;
  }
  return kNpos;
}

int EscapedUnit(std::string_view s, size_t i) {
  if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return -1;
  int v = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    int h = HexDigit(s[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

std::string Unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 >= raw.size()) {
      out += raw[i];
      continue;
    }
    char e = raw[i + 1];
    const char* simple = nullptr;
    switch (e) {
      case '"': simple = "\""; break;
      case '\\': simple = "\\"; break;
      case '/': simple = "/"; break;
      case 'b': simple = "\b"; break;
      case 'f': simple = "\f"; break;
      case 'n': simple = "\n"; break;
      case 'r': simple = "\r"; break;
      case 't': simple = "\t"; break;
      default: break;
    }
    if (simple) {
      out += simple;
      ++i;
      continue;
    }
    int unit = EscapedUnit(raw, i);
    if (unit < 0) {  // malformed: keep as written
      out += raw[i];
      continue;
    }
    uint32_t cp = static_cast<uint32_t>(unit);
    size_t used = 6;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      int low = EscapedUnit(raw, i + 6);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((static_cast<uint32_t>(unit) - 0xD800) << 10) +
             (static_cast<uint32_t>(low) - 0xDC00);
        used = 12;
      } else {
        cp = 0xFFFD;
      }
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      cp = 0xFFFD;
    }
    AppendUtf8(&out, cp);
    i += used - 1;
  }
  return out;
}

namespace {

bool FindDuplicate(std::string_view s, size_t at, std::string* pointer) {
  at = SkipSpace(s, at);
  if (at >= s.size()) return false;
  bool found = false;
  size_t depth_mark = pointer->size();
  if (s[at] == '{') {
    std::vector<std::string> keys;
    ForEachMember(s, at, [&](const Member& m) {
      std::string k = Unescape(m.raw_key);
      pointer->resize(depth_mark);
      *pointer += '/';
      AppendPointerToken(*pointer, k);
      for (const auto& seen : keys) found |= seen == k;
      if (found) return false;
      keys.push_back(std::move(k));
      found = FindDuplicate(s, m.value_begin, pointer);
      return !found;
    });
  } else if (s[at] == '[') {
    size_t index = 0;
    ForEachElement(s, at, [&](size_t b, size_t) {
      pointer->resize(depth_mark);
      *pointer += '/';
      *pointer += std::to_string(index++);
      found = FindDuplicate(s, b, pointer);
      return !found;
    });
  }
  if (!found) pointer->resize(depth_mark);
  return found;
}

}  // namespace

std::string DuplicateKeyPointer(std::string_view s) {
  std::string pointer;
  if (!FindDuplicate(s, 0, &pointer)) return "";
  return pointer;
}

int LineOfOffset(std::string_view s, size_t pos) {
  int line = 1;
  for (size_t i = 0; i < pos && i < s.size(); ++i)
    if (s[i] == '\n') ++line;
  return line;
}

namespace {

// Unescapes one pointer token (~1 -> /, ~0 -> ~).
std::string PointerToken(std::string_view t) {
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '~' && i + 1 < t.size()) {
      out += t[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += t[i];
    }
  }
  return out;
}

}  // namespace

int LineOfPointer(std::string_view s, std::string_view pointer) {
  return PointerLines(s).Line(pointer);
}

const std::vector<PointerLines::Child>& PointerLines::ChildrenOf(size_t container) {
  auto [it, added] = children_.try_emplace(container);
  if (!added) return it->second;
  std::vector<Child>& children = it->second;
  if (s_[container] == '{') {
    ForEachMember(s_, container, [&](const Member& m) {
      children.push_back({m.raw_key, m.value_begin});
      return true;
    });
  } else {
    ForEachElement(s_, container, [&](size_t b, size_t) {
      children.push_back({{}, b});
      return true;
    });
  }
  return children;
}

int PointerLines::LineAt(size_t pos) {
  if (line_starts_.empty()) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < s_.size(); ++i)
      if (s_[i] == '\n') line_starts_.push_back(i + 1);
  }
  // The number of line starts at or before pos.
  auto after = std::upper_bound(line_starts_.begin(), line_starts_.end(), pos);
  return static_cast<int>(after - line_starts_.begin());
}

int PointerLines::Line(std::string_view pointer) {
  size_t pos = SkipSpace(s_, 0);
  size_t p = 0;
  while (p < pointer.size() && pointer[p] == '/') {
    size_t next = pointer.find('/', p + 1);
    if (next == std::string_view::npos) next = pointer.size();
    std::string token = PointerToken(pointer.substr(p + 1, next - p - 1));
    p = next;
    if (pos >= s_.size() || (s_[pos] != '{' && s_[pos] != '[')) break;
    const std::vector<Child>& children = ChildrenOf(pos);
    size_t found = kNpos;
    if (s_[pos] == '{') {
      // The first member of that key, as a walk would find it.
      for (const Child& c : children) {
        if (c.raw_key == token) {
          found = c.begin;
          break;
        }
      }
    } else {
      size_t want = 0;
      if (std::sscanf(token.c_str(), "%zu", &want) != 1) break;
      if (want < children.size()) found = children[want].begin;
    }
    if (found == kNpos) break;
    pos = found;
  }
  return LineAt(pos);
}


namespace {

// Bytes that stand for themselves inside a JSON string: printable ASCII
// other than '"' and '\\'. Everything else takes the slow path below.
constexpr bool IsJsonPlain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

struct JsonPlainTable {
  bool plain[256];
  constexpr JsonPlainTable() : plain() {
    for (int c = 0; c < 256; ++c) plain[c] = IsJsonPlain(static_cast<unsigned char>(c));
  }
};
constexpr JsonPlainTable kJsonPlain;

}  // namespace

void AppendQuoted(std::string& out, std::string_view v) {
  static const char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + v.size() + 2);
  out += '"';
  size_t i = 0;
  while (i < v.size()) {
    // Runs of plain bytes are appended at once: most values are all plain.
    size_t run = i;
    while (run < v.size() && kJsonPlain.plain[static_cast<unsigned char>(v[run])]) ++run;
    if (run > i) {
      out.append(v.data() + i, run - i);
      i = run;
      if (i == v.size()) break;
    }
    unsigned char c = static_cast<unsigned char>(v[i]);
    if (c >= 0x80) {
      // Invalid UTF-8 would make the whole document invalid: U+FFFD.
      size_t n = Utf8SequenceLength(v, i);
      if (n == 0) {
        out += "\ufffd";
        ++i;
      } else {
        out.append(v.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    ++i;
  }
  out += '"';
}

void AppendPointerToken(std::string& out, std::string_view token) {
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
}

}  // namespace c2s::json_text
