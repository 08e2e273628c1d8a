// The enrichment of a verdict as C data (c2s_enrich_op): the leaves the
// enricher renders as JSON, given to hosts as typed values they merge with
// one loop. Built on request, only for matching events; owns every string
// and array it hands out until the next Build.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include <simdjson.h>

#include "absl/status/status.h"
#include "c2sieve.h"
#include "enrich/enrichment.h"

namespace c2s::abi {

class EnrichmentOps {
 public:
  absl::Status Build(const std::vector<const enrich::Leaf*>& leaves);
  const std::vector<c2s_enrich_op>& ops() const { return ops_; }

 private:
  absl::Status Convert(simdjson::dom::element e, c2s_value* out);
  const char* Keep(std::string_view s);

  simdjson::dom::parser parser_;
  std::vector<c2s_enrich_op> ops_;
  std::deque<std::string> strings_;
  std::deque<std::vector<c2s_value>> value_lists_;
  std::deque<std::vector<c2s_member>> member_lists_;
  std::deque<std::vector<const char*>> segment_lists_;
};

}  // namespace c2s::abi
