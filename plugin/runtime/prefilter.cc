#include "runtime/prefilter.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "event/msgpack_strings.h"
#include "runtime/name_set.h"
#include "util/json_text.h"
#include "util/strings.h"

namespace c2s::runtime {

namespace {

using engine::CompiledMatcher;
using engine::Op;
using engine::PlanNode;

// A literal the bytes of any event matching it must hold: ASCII, not what a
// number or a boolean could be written as.
bool UsableLiteral(std::string_view lit) {
  if (lit.empty()) return false;
  bool beyond_number = false;
  for (char c : lit) {
    if (static_cast<unsigned char>(c) >= 0x80 || c == '"' || c == '\\') return false;
    if (!std::strchr("0123456789.eE+-", c)) beyond_number = true;
  }
  std::string l(lit);
  absl::AsciiStrToLower(&l);
  if (std::string("true").find(l) != std::string::npos ||
      std::string("false").find(l) != std::string::npos)
    return false;
  return beyond_number;
}

// The longest run of a wildcard pattern between * and ?.
std::string Core(std::string_view pattern) {
  std::string best, run;
  for (char c : pattern) {
    if (c == '*' || c == '?') {
      if (run.size() > best.size()) best = run;
      run.clear();
    } else {
      run += c;
    }
  }
  if (run.size() > best.size()) best = run;
  return best;
}

struct Clause {
  std::vector<std::string> literals;
  std::vector<uint32_t> slots;  // the fields they are read from
  bool domain_canonical = false;
  // Every pattern is a plain name or "*." and one (a feed's list): the
  // clause can be decided by a NameSet instead of literals.
  bool names_only = false;
  std::vector<std::string> names;  // the whole patterns (kWildcard)
};

// A pattern a NameSet holds: lowercase-able ASCII name characters, with
// "*." at most in front.
bool NameLike(std::string_view p) {
  if (p.size() > 2 && p[0] == '*' && p[1] == '.') p.remove_prefix(2);
  if (p.empty() || p.find('.') == std::string_view::npos) return false;
  for (char c : p)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '-' || c == '_'))
      return false;
  return true;
}

// From this many names on, a clause goes to the NameSet (Hyperscan's
// literal compile takes about 40 us and 2.7 KB a literal).
constexpr size_t kNameSetMin = 20000;

class Extractor {
 public:
  Extractor(const CompiledMatcher& m, const event::ProfileSet& p) : m_(m), p_(p) {}

  // The literals node n cannot hold without, or nothing.
  std::optional<Clause> Of(const PlanNode& n) const {
    switch (n.op) {
      case Op::kWildcard: {
        if (!SlotUsable(n.slot)) return std::nullopt;
        const auto& fp = m_.field_patterns()[n.slot];
        Clause c;
        c.names_only = true;
        for (size_t id = 0; id < fp.patterns.size(); ++id) {
          const auto& preds = fp.predicates_of_pattern[id];
          if (std::find(preds.begin(), preds.end(), n.predicate) == preds.end()) continue;
          std::string core = Core(fp.patterns[id]);
          if (!UsableLiteral(core)) return std::nullopt;
          c.names_only &= NameLike(fp.patterns[id]);
          c.literals.push_back(core);
          c.names.push_back(fp.patterns[id]);
        }
        if (c.literals.empty()) return std::nullopt;
        Note(n.slot, &c);
        return c;
      }
      case Op::kEquals: {
        if (!SlotUsable(n.slot)) return std::nullopt;
        const auto& ev = m_.equals_values(n.predicate);
        Clause c;
        auto add = [&c](const auto& values) {
          for (const auto& v : values) {
            if (!UsableLiteral(v)) return false;
            c.literals.emplace_back(v);
          }
          return true;
        };
        if (!add(ev.small) || !add(ev.large)) return std::nullopt;
        if (c.literals.empty()) return std::nullopt;
        Note(n.slot, &c);
        return c;
      }
      case Op::kAny: {
        Clause all;
        for (uint32_t child : n.children) {
          auto c = Of(m_.nodes()[child]);
          if (!c) return std::nullopt;
          all.literals.insert(all.literals.end(), c->literals.begin(), c->literals.end());
          all.slots.insert(all.slots.end(), c->slots.begin(), c->slots.end());
          all.domain_canonical |= c->domain_canonical;
        }
        all.names_only = false;  // literals: one clause's list at a time
        if (all.literals.empty()) return std::nullopt;
        return all;
      }
      default:
        return std::nullopt;
    }
  }

 private:
  bool SlotUsable(uint32_t slot) const {
    if (!p_.ValuesComeFromEventText(slot)) return false;
    // Canonical paths change separators and dot segments: not the bytes.
    return p_.mode() == event::MatchMode::kParity ||
           p_.kind_of_slot(slot) != event::FieldKind::kPath;
  }
  void Note(uint32_t slot, Clause* c) const {
    c->slots.push_back(slot);
    c->domain_canonical = p_.mode() == event::MatchMode::kCanonical &&
                          p_.kind_of_slot(slot) == event::FieldKind::kDomain;
  }

  const CompiledMatcher& m_;
  const event::ProfileSet& p_;
};

size_t ShortestLiteral(const Clause& c) {
  size_t n = SIZE_MAX;
  for (const auto& l : c.literals) n = std::min(n, l.size());
  return n;
}

int OnHit(unsigned, unsigned long long, unsigned long long, unsigned, void*) {
  return 1;  // one is enough: stop
}

}  // namespace

absl::StatusOr<std::unique_ptr<Prefilter>> Prefilter::Build(const CompiledMatcher& rules,
                                                           const event::ProfileSet& profiles,
                                                           bool switched_on) {
  std::unique_ptr<Prefilter> p(new Prefilter());
  if (!switched_on) {
    p->description_ = "off: switched off (the prefilter option)";
    return p;
  }
  std::vector<uint32_t> gate_slots;
  Extractor ex(rules, profiles);
  std::vector<std::string> literals;
  std::vector<std::string> chosen;
  std::string without;  // rules with no usable clause
  for (const auto& r : rules.rules()) {
    if (r.root == engine::CompiledRule::kNoNode) continue;
    const PlanNode& root = rules.nodes()[r.root];
    std::vector<uint32_t> candidates;
    if (root.op == Op::kAll) {
      candidates = root.children;
    } else {
      candidates.push_back(r.root);
    }
    std::optional<Clause> best;
    for (uint32_t c : candidates) {
      auto clause = ex.Of(rules.nodes()[c]);
      if (clause && (!best || ShortestLiteral(*clause) > ShortestLiteral(*best))) best = clause;
    }
    if (!best) {
      without += Cat(without.empty() ? "" : ", ", r.rule.id);
      continue;
    }
    p->percent_matters_ |= best->domain_canonical;
    std::string fields;  // each once, in the clause's order
    for (size_t k = 0; k < best->slots.size(); ++k) {
      uint32_t slot = best->slots[k];
      if (std::find(best->slots.begin(), best->slots.begin() + k, slot) ==
          best->slots.begin() + k)
        fields += Cat(fields.empty() ? "" : ", ", rules.fields().name(slot));
    }
    if (best->names_only && best->literals.size() >= kNameSetMin) {
      if (!p->names_) p->names_ = std::make_unique<NameSet>();
      for (std::string& l : best->names) {
        absl::AsciiStrToLower(&l);
        p->names_->Add(l);
      }
      chosen.push_back(Cat(r.rule.id, " (", fields, ", ", best->literals.size(), " names)"));
    } else {
      chosen.push_back(Cat(r.rule.id, " (", fields, ")"));
      for (std::string& l : best->literals) {
        absl::AsciiStrToLower(&l);
        literals.push_back(std::move(l));
      }
    }
    for (uint32_t slot : best->slots)
      for (uint32_t src : profiles.SourceSlotsOf(slot))
        if (std::find(gate_slots.begin(), gate_slots.end(), src) == gate_slots.end())
          gate_slots.push_back(src);
  }
  if (!without.empty()) {
    p->description_ = Cat(
        "off: no clause whose literals an event's bytes must hold in rule(s) ", without,
        " (a clause counts when it is a wildcard or equals test of ASCII text that is no "
        "number or boolean, on a field whose values are the event's own text and, in "
        "canonical mode, not a path)");
    return p;
  }
  if (literals.empty() && !p->names_) {
    p->description_ = "off: no rule";
    return p;
  }
  size_t listed_names = 0;
  if (p->names_) {
    p->names_->Finish();
    listed_names = p->names_->size();
  }
  // The scan needs a database even when every clause is a list of names:
  // one literal of control bytes, which JSON text never holds raw.
  if (literals.empty()) literals.push_back("\x01\x02\x03");
  std::sort(literals.begin(), literals.end());
  literals.erase(std::unique(literals.begin(), literals.end()), literals.end());
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> flags(literals.size(), HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
  // One id per literal: with one id shared by all, Hyperscan's literal
  // compile grows steeply (measured: 10,000 literals 51 s, with their own
  // ids 0.16 s).
  std::vector<unsigned> ids(literals.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<unsigned>(i);
  for (const auto& l : literals) {
    exprs.push_back(l.data());
    lens.push_back(l.size());
  }
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                           static_cast<unsigned>(literals.size()), HS_MODE_BLOCK, nullptr,
                           &p->database_, &err) != HS_SUCCESS) {
    std::string why = err && err->message ? err->message : "unknown error";
    hs_free_compile_error(err);
    p->database_ = nullptr;
    p->description_ = Cat("off: the literals did not compile (", why, ")");
    return p;
  }
  p->sieve_.Build(literals);
  p->gate_slots_ = std::move(gate_slots);
  std::string list;
  for (const auto& c : chosen) list += (list.empty() ? "" : "; ") + c;
  p->description_ = listed_names ? Cat("on: ", literals.size(), " literals and ", listed_names,
                                       " listed names from ", chosen.size(), " rules (", list, ")")
                                 : Cat("on: ", literals.size(), " literals from ", chosen.size(),
                                       " rules (", list, ")");
  return p;
}

Prefilter::~Prefilter() { hs_free_database(database_); }

namespace {

// A byte JSON text never holds outside its whitespace: a control character
// other than tab, LF and CR (raw in a string it is malformed).
bool StrayControl(unsigned char c) { return c < 0x20 && c != '\t' && c != '\n' && c != '\r'; }

}  // namespace

bool Prefilter::UnsafeSpelling(std::string_view b, bool flag_control_bytes) const {
  const size_t n = b.size();
  const char* d = b.data();
  // Non-ASCII (and control bytes) anywhere: eight bytes at a time.
  constexpr uint64_t kHigh = 0x8080808080808080ULL, kSpace = 0x2020202020202020ULL;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, d + i, 8);
    if (w & kHigh) return true;
    // Some byte < 0x20 (exact for ASCII words): look at which.
    if (flag_control_bytes && ((w - kSpace) & ~w & kHigh))
      for (size_t k = i; k < i + 8; ++k)
        if (StrayControl(static_cast<unsigned char>(d[k]))) return true;
  }
  for (; i < n; ++i) {
    if (static_cast<unsigned char>(d[i]) >= 0x80) return true;
    if (flag_control_bytes && StrayControl(static_cast<unsigned char>(d[i]))) return true;
  }
  for (const char* s = static_cast<const char*>(std::memchr(d, '\\', n)); s;
       s = static_cast<const char*>(std::memchr(s + 1, '\\', static_cast<size_t>(d + n - s - 1)))) {
    if (s + 1 < d + n && (s[1] == 'u' || s[1] == '/')) return true;
  }
  if (percent_matters_) {
    for (const char* s = static_cast<const char*>(std::memchr(d, '%', n)); s;
         s = static_cast<const char*>(std::memchr(s + 1, '%', static_cast<size_t>(d + n - s - 1)))) {
      if (s + 2 < d + n && absl::ascii_isxdigit(static_cast<unsigned char>(s[1])) &&
          absl::ascii_isxdigit(static_cast<unsigned char>(s[2])))
        return true;
    }
  }
  return false;
}

bool Prefilter::TextMayMatch(std::string_view text, hs_scratch_t* scratch) const {
  if (database_ == nullptr || scratch == nullptr || text.size() > 0xffffffffu) return true;
  // The literals first: one found settles it, and the spellings need no
  // look (listed names are decided sooner). The sieve answers for short
  // texts exactly as the scan would.
  switch (sieve_.Check(text)) {
    case GramSieve::Answer::kFound:
      return true;
    case GramSieve::Answer::kNone:
      break;
    case GramSieve::Answer::kUndecided:
      if (hs_scan(database_, text.data(), static_cast<unsigned>(text.size()), 0, scratch, OnHit,
                  nullptr) != HS_SUCCESS)
        return true;
  }
  if (names_ && names_->AnyIn(text, /*json_escapes=*/false)) return true;
  return UnsafeSpelling(text);
}

bool Prefilter::FramedAsObject(std::string_view b) {
  size_t i = json_text::SkipSpace(b, 0), j = b.size();
  while (j > i && (b[j - 1] == ' ' || b[j - 1] == '\t' || b[j - 1] == '\n' || b[j - 1] == '\r'))
    --j;
  return j - i >= 2 && b[i] == '{' && b[j - 1] == '}';
}

bool Prefilter::MayMatch(std::string_view bytes, Encoding encoding, hs_scratch_t* scratch) const {
  if (database_ == nullptr || scratch == nullptr || bytes.size() > 0xffffffffu) return true;
  // The scan first (stopped at a hit, or failed: either way the full path
  // decides), so an event holding a literal pays nothing for the spellings.
  if (hs_scan(database_, bytes.data(), static_cast<unsigned>(bytes.size()), 0, scratch, OnHit,
              nullptr) != HS_SUCCESS)
    return true;
  if (encoding == Encoding::kJson)
    return (names_ && names_->AnyIn(bytes, /*json_escapes=*/true)) ||
           UnsafeSpelling(bytes, /*flag_control_bytes=*/true);
  // msgpack: each string on its own (a header byte may be a letter).
  return event::AnyMsgpackString(bytes, [this](std::string_view s) {
    return (names_ && names_->AnyIn(s, /*json_escapes=*/false)) || UnsafeSpelling(s);
  });
}

}  // namespace c2s::runtime
