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

// A DNS name, canonical: a URL-shaped value reduced to its host (scheme,
// user info, port, path dropped; %XX decoded: "https://u@Pastebin%2ecom:443/x"
// -> "pastebin.com"), surrounding ASCII whitespace and one trailing root dot
// removed, ASCII lowercased. Returns `in` itself when already canonical.
std::string_view CanonicalDomain(std::string_view in, std::string* buf);

// The host of a URL-shaped value (see CanonicalDomain); `v` itself when it
// holds none of ":/%@".
std::string_view HostOfUrl(std::string_view v, std::string* buf);

// UTS #46 ToASCII of a name by libidn2 (NFC first, then the IDNA mapping:
// full-width forms, ideographic full stops, case, ignored characters such
// as soft hyphen and zero-width space; then Punycode A-labels), in its
// non-transitional (IDNA 2008, what resolvers use today) or transitional
// form (IDNA 2003 compatible: "ß" -> "ss", joiners removed), canonical as
// above. False when libidn2 refuses the name.
bool DomainToAscii(std::string_view name, bool transitional, std::string* out);

}  // namespace c2s::event
