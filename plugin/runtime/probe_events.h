// Probe events: synthetic events the loaded rules match, derived from the
// rules' own domain lists (each domain pattern made concrete; at most 256 per
// rule, evenly spread over a longer list) crossed with
// a few processes in user-writable places on Windows and Linux, hosts and
// users. An exclusions push is measured against them before it is applied:
// one that suppresses more than kMaxSuppressedShare of a rule's probes is
// refused unless the document allows it ("allow_broad"), so a push cannot
// quietly blind a rule. Built once per engine; a measurement evaluates a
// few thousand events (milliseconds).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/compiled_matcher.h"
#include "engine/field_table.h"
#include "rules/rule_model.h"

namespace c2s::runtime {

inline constexpr double kMaxSuppressedShare = 0.25;

struct RuleSuppression {
  std::string rule_id;
  size_t probes = 0;      // probe events the rule matches without exclusions
  size_t suppressed = 0;  // of those, how many the exclusions remove
  double share() const { return probes ? static_cast<double>(suppressed) / probes : 0.0; }
};

class ProbeEvents {
 public:
  // Builds the probes and keeps those the rules match (per rule).
  static absl::StatusOr<std::unique_ptr<ProbeEvents>> Build(
      const engine::FieldTable& fields, const std::vector<rules::Ruleset>& rulesets,
      std::shared_ptr<const engine::CompiledMatcher> rules);

  // How much of each rule's probes `exclusions` (compiled for the same
  // rules) suppresses.
  absl::StatusOr<std::vector<RuleSuppression>> Measure(
      std::shared_ptr<const engine::CompiledMatcher> exclusions) const;

  // Refuses (FailedPrecondition... InvalidArgument) a measurement where a
  // rule loses more than kMaxSuppressedShare, naming the rule and share.
  static absl::Status Check(const std::vector<RuleSuppression>& measured,
                            const std::string& origin);

  size_t size() const { return probes_.size(); }

 private:
  struct Value {
    uint32_t slot;
    std::string text;
  };
  struct Probe {
    std::vector<Value> values;
    std::vector<uint32_t> rules;  // rules it matches without exclusions
  };
  std::shared_ptr<const engine::CompiledMatcher> rules_;
  std::vector<Probe> probes_;
};

}  // namespace c2s::runtime
