// A prefilter for long lists of domain names (a threat-intelligence feed's
// exact names and "*.suffix" wildcards), where a Hyperscan literal set is
// too slow to compile (a million literals: about 40 s and 2.7 GB here).
// Instead: two blocked Bloom filters of hashes, one of the exact names and
// one of the wildcards' suffixes, and a scan that looks only at the runs of
// domain characters ([A-Za-z0-9_.-]) around each dot. A value the engine
// compares as a listed name -- ASCII-lowercased, one root dot dropped,
// reduced to a URL's host or its last word -- is always such a run, so
// the answer "no" is exact; "maybe" (a listed name, or a Bloom false
// positive of about 0.5 %) sends the event to the full evaluation.
// Spellings a run cannot show (non-ASCII, \u escapes, %XX) are the
// prefilter's own checks.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace c2s::runtime {

class NameSet {
 public:
  // A name (lowercase ASCII), or "*." and a name.
  void Add(std::string_view pattern);
  // Sizes the filters and fills them; call once after every Add.
  void Finish();
  size_t size() const { return names_.size() + suffixes_.size(); }

  // True when some run of domain characters in `bytes` may be a listed
  // name or end with "." and a listed suffix. `json_escapes`: the bytes
  // are JSON text, where a letter after an unescaped backslash is part of
  // an escape, not of a name.
  bool AnyIn(std::string_view bytes, bool json_escapes) const;

 private:
  struct Bloom {
    std::vector<uint64_t> words;  // blocks of 8 words (512 bits)
    uint64_t block_mask = 0;
    void Size(size_t n);
    void Add(uint64_t h);
    bool Maybe(uint64_t h) const;
  };
  bool RunMayMatch(const char* run, size_t len) const;

  static constexpr uint64_t kLastLabelBits = 1 << 16;
  // The listed names' last labels (a bitmap of their hashes).
  std::vector<uint64_t> last_labels_ = std::vector<uint64_t>(kLastLabelBits / 64, 0);
  std::vector<uint64_t> names_, suffixes_;  // hashes, until Finish
  Bloom name_bloom_, suffix_bloom_;
  size_t min_name_ = SIZE_MAX, max_name_ = 0, min_suffix_ = SIZE_MAX, max_suffix_ = 0;
};

}  // namespace c2s::runtime
