// Writes an event with enrichment leaves merged in, copying every byte of
// the original that the enrichment does not replace. Existing objects are
// merged into (nested or flattened keys), `tags` is appended to, and a value
// the enrichment overwrites is kept under c2sieve.displaced, so nothing the
// event carried is lost and no key is written twice.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "enrich/enrichment.h"

namespace c2s::enrich {

// `event` must be a valid JSON object (surrounding whitespace allowed).
// Returns false, writing nothing, if it is not an object.
bool SpliceInto(std::string_view event, const std::vector<const Leaf*>& leaves,
                std::string* out);

}  // namespace c2s::enrich
