// Building `all` / `any` groups while importing: a child group of the same
// kind without a comment of its own is flattened into its parent
// (a and (b and c) is all of a, b, c), as the importers write conditions.
#pragma once

#include <utility>

#include "rules/rule_model.h"

namespace c2s::import {

inline void JoinInto(rules::NodeKind kind, rules::Node child, rules::Node* group) {
  if (child.kind == kind && child.comment.empty()) {
    for (auto& c : child.children) group->children.push_back(std::move(c));
  } else {
    group->children.push_back(std::move(child));
  }
}

}  // namespace c2s::import
