#pragma once
// Shortest text of a double that reads back to the same value, in the form
// std::to_chars(first, last, value) gives it (fixed or scientific, whichever
// is shorter, fixed on a tie). Numbers in events are matched as keyword text,
// so this text must not depend on the C++ library the engine was built with:
// libstdc++ before 11 (Debian 11, the portable build) lacks to_chars(double).
#include <cstddef>

namespace c2s::util {

// Writes into [first, last) (32 bytes always suffice) and returns the end,
// or nullptr if the buffer is too small. NaN and infinities, which JSON cannot
// carry, are written as "nan", "inf" and "-inf".
char* ShortestDoubleText(char* first, char* last, double value);

// The portable implementation behind ShortestDoubleText when the library
// lacks to_chars(double); public so that tests can compare the two.
char* ShortestDoubleTextPortable(char* first, char* last, double value);

}  // namespace c2s::util
