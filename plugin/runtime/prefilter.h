// A verdict-exact prefilter over an event's raw bytes (its JSON text, or a
// host's encoding in which strings are their bytes, such as msgpack): from
// each rule, the literals of one clause it cannot match without (the
// literal cores of its domain patterns); one caseless Hyperscan pass finds
// none of them in the bytes -> no rule can match, the event needs no
// parsing. It answers "may match" whenever the bytes could spell a value
// otherwise than its parsed, canonical form:
//   - a byte >= 0x80 (IDNA and case folding of non-ASCII text),
//   - a backslash before 'u' or '/' (JSON escapes, also inside JSON held
//     in a string, which a profile decodes),
//   - '%' and two hex digits when a domain clause is used in canonical
//     mode (URL-shaped values are %-decoded);
// and a clause is used only when its field's values are the event's own
// text (no profile default or value map), it is no path canonicalized in
// canonical mode, and every literal is ASCII, not a number's spelling
// (digits, '.', 'e', '+', '-') and not part of "true" or "false". A rule
// without such a clause switches the prefilter off. Exclusions only remove
// matches, so they play no part.
//
// A clause whose patterns are all plain names or "*." and one, 20,000 or
// more of them (a threat-intelligence feed), is decided by a NameSet
// (name_set.h) instead of literals, whose compile would take minutes.
//
// The same literals gate the field-level path: the values a caller gives
// for the chosen clauses' fields (or for the fields a profile builds them
// from) are checked one by one before anything else is done.
#pragma once

#include <hs/hs.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/compiled_matcher.h"
#include "event/profile_resolver.h"
#include "runtime/gram_sieve.h"
#include "runtime/name_set.h"

namespace c2s::runtime {

class Prefilter {
 public:
  // `switched_on` false (the `prefilter off` option) builds one that is off.
  static absl::StatusOr<std::unique_ptr<Prefilter>> Build(const engine::CompiledMatcher& rules,
                                                          const event::ProfileSet& profiles,
                                                          bool switched_on = true);
  ~Prefilter();

  bool enabled() const { return database_ != nullptr; }
  // "on: N literals from R rules (clauses: ...)" or "off: why".
  const std::string& description() const { return description_; }
  const hs_database_t* database() const { return database_; }

  // How the bytes encode the event: JSON text, or msgpack (whose strings
  // are their own bytes; the checks then read only the string payloads).
  enum class Encoding { kJson, kMsgpack };

  // False only when no rule can match an event with these bytes. `scratch`
  // must be allocated for database() (one per thread).
  bool MayMatch(std::string_view bytes, Encoding encoding, hs_scratch_t* scratch) const;

  // The byte checks alone (for tests): true when the bytes may spell a
  // value otherwise than its parsed form. With `flag_control_bytes` (JSON
  // text) also when they hold a control byte JSON allows only as
  // whitespace (tab, LF, CR): such text is malformed, and reading it is
  // what counts it as an error.
  bool UnsafeSpelling(std::string_view bytes, bool flag_control_bytes = false) const;

  // Field level: the slots whose values decide an event (those some chosen
  // clause reads, directly or through a profile). When none of an event's
  // values in them may match, no rule can.
  const std::vector<uint32_t>& gate_slots() const { return gate_slots_; }
  // One value's text (unescaped, as a caller holds it): false only when it
  // holds none of the literals and no spelling its canonical form could
  // differ by.
  bool TextMayMatch(std::string_view text, hs_scratch_t* scratch) const;
  // What decides short texts before the scan (for tests).
  const GramSieve& sieve() const { return sieve_; }

  // True when the bytes are one JSON object as far as its first and last
  // bytes show (JSON whitespace around '{' ... '}'). The JSON path skips
  // parsing only such events: a truncated line or a line of plain text is
  // still parsed, and counted as an error.
  static bool FramedAsObject(std::string_view bytes);

 private:
  Prefilter() = default;
  hs_database_t* database_ = nullptr;
  std::unique_ptr<NameSet> names_;  // long lists of names (feeds), if any
  GramSieve sieve_;                 // the literals, for short texts
  bool percent_matters_ = false;
  std::vector<uint32_t> gate_slots_;
  std::string description_;
};

}  // namespace c2s::runtime
