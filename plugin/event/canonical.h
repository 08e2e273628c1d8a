// Canonical forms of the values Windows and DNS really produce, so a rule
// written against "C:\Program Files\..." or "pastebin.com" sees through
// spelling variants. Small pure functions; the "parity" mode skips them and
// compares raw values exactly as Elasticsearch EQL would.
#pragma once

#include <string>
#include <string_view>

namespace c2s::event {

// A Windows path, canonical:
//   \\?\C:\x, \??\C:\x, \\.\C:\x     -> C:\x       (\\?\UNC\s\x -> \\s\x)
//   \Device\HarddiskVolume3\x        -> ?:\x        ("some drive")
//   C:/x//y\\z                       -> C:\x\y\z    (separators)
//   C:\a\.\b\..\c                    -> C:\a\c      (dot segments, never above the root)
// Case, trailing spaces and dots of components, and 8.3 short names
// (PROGRA~1) are kept as they are: they name different things or cannot be
// resolved without the file system. Returns `in` itself when it is already
// canonical, else a view of `*buf`.
// A POSIX path (it starts with "/" and holds no backslash) keeps its "/"
// separators and its case -- Linux file names are case-sensitive:
//   /usr//bin/./x, /usr/lib/../bin/x -> /usr/bin/x  (never above "/")
std::string_view CanonicalPath(std::string_view in, std::string* buf);

// A DNS name, canonical: surrounding ASCII whitespace and one trailing root
// dot removed, ASCII lowercased. Returns `in` itself when already canonical.
std::string_view CanonicalDomain(std::string_view in, std::string* buf);

// The IDNA ASCII form of a name with non-ASCII labels (each such label
// Punycode-encoded with the "xn--" prefix, RFC 3492). False, leaving *out
// empty, when the name is all ASCII or not valid UTF-8. Only ASCII is case
// folded; no Unicode normalization is applied.
bool DomainToAscii(std::string_view name, std::string* out);

// RFC 3492 Punycode of a sequence of code points (no prefix). False on
// overflow.
bool PunycodeEncode(const std::u32string& input, std::string* out);

}  // namespace c2s::event
