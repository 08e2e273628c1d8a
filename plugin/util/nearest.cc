#include "util/nearest.h"

#include <algorithm>
#include <cstdint>

namespace c2s {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string Nearest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (std::string_view c : candidates) {
    if (c.empty()) continue;
    size_t d = EditDistance(word, c);
    // A prefix of a longer name ("--exclusion", "--only") is a typo too.
    if (c.size() > word.size() && c.substr(0, word.size()) == word && word.size() >= 4) d = 1;
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  size_t limit = std::max<size_t>(1, std::min<size_t>(3, word.size() / 3));
  return best_distance <= limit ? best : "";
}

}  // namespace c2s
