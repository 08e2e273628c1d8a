#include "engine/compiled_matcher.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "util/strings.h"
#include "engine/wildcard.h"
#include "util/json_text.h"

namespace c2s::engine {

class MatcherBuilder {
 public:
  explicit MatcherBuilder(CompiledMatcher* m) : m_(m) {}

  absl::StatusOr<uint32_t> AddNode(const rules::Node& n, bool positive,
                                   std::vector<uint32_t>* reported);
  absl::Status CompileDatabases();

 private:
  absl::Status CompileLiterals(size_t slot, const std::vector<std::string>& texts,
                               hs_scratch_t** scratch);
  // The error for pattern `id` of `slot` (-1: unknown); frees `err`.
  absl::Status CompileError(size_t slot, int64_t id, hs_compile_error_t* err);
  absl::StatusOr<uint32_t> SlotOf(const rules::Node& n);
  static std::string Label(const rules::Node& n);

  CompiledMatcher* m_;
  // Per slot: pattern text -> id, and where each id was first written.
  std::vector<StringMap<uint32_t>> pattern_ids_;
  std::vector<std::vector<std::string>> pattern_where_;
};

std::string MatcherBuilder::Label(const rules::Node& n) {
  auto list = [&](std::string_view open, std::string_view close) {
    std::string s(open);
    size_t shown = std::min<size_t>(n.values.size(), 3);
    for (size_t i = 0; i < shown; ++i) {
      if (i) s += ", ";
      json_text::AppendQuoted(s, n.values[i]);
    }
    if (n.values.size() > shown)
      Append(&s, ", ... ", n.values.size(), " in all");
    s += close;
    return s;
  };
  switch (n.kind) {
    case rules::NodeKind::kAll: return "all of";
    case rules::NodeKind::kAny: return "any of";
    case rules::NodeKind::kNot: return "not";
    case rules::NodeKind::kExists: return n.field + " != null";
    case rules::NodeKind::kIsTrue: return n.field + " == true";
    case rules::NodeKind::kIsFalse: return n.field + " == false";
    case rules::NodeKind::kWildcard:
      return n.field + (n.case_sensitive ? " like " : " : ") +
             (n.values.size() == 1 ? list("", "") : list("(", ")"));
    case rules::NodeKind::kEquals:
      return n.field + (n.values.size() == 1 && !n.case_insensitive
                            ? " == " + list("", "")
                            : (n.case_insensitive ? " in~ " : " in ") + list("(", ")"));
  }
  return "?";
}

absl::StatusOr<uint32_t> MatcherBuilder::SlotOf(const rules::Node& n) {
  int32_t slot = m_->fields_.Find(n.field);
  if (slot < 0) {
    return absl::InvalidArgumentError(
        Cat(n.where, ": field \"", n.field,
                     "\" is not one the engine was created with"));
  }
  return static_cast<uint32_t>(slot);
}

absl::StatusOr<uint32_t> MatcherBuilder::AddNode(
    const rules::Node& n, bool positive, std::vector<uint32_t>* reported) {
  PlanNode p;
  p.label = Label(n);
  p.comment = n.comment;
  p.where = n.where;
  switch (n.kind) {
    case rules::NodeKind::kAll:
    case rules::NodeKind::kAny:
    case rules::NodeKind::kNot: {
      p.op = n.kind == rules::NodeKind::kAll   ? Op::kAll
             : n.kind == rules::NodeKind::kAny ? Op::kAny
                                               : Op::kNot;
      bool child_positive = n.kind == rules::NodeKind::kNot ? !positive
                                                            : positive;
      for (const rules::Node& c : n.children) {
        auto id = AddNode(c, child_positive, reported);
        if (!id.ok()) return id.status();
        p.children.push_back(*id);
        p.cost += m_->nodes_[*id].cost;
      }
      p.eval_order = p.children;
      std::stable_sort(p.eval_order.begin(), p.eval_order.end(),
                       [&](uint32_t a, uint32_t b) {
                         return m_->nodes_[a].cost < m_->nodes_[b].cost;
                       });
      break;
    }
    case rules::NodeKind::kExists:
    case rules::NodeKind::kIsTrue:
    case rules::NodeKind::kIsFalse: {
      auto slot = SlotOf(n);
      if (!slot.ok()) return slot.status();
      p.op = n.kind == rules::NodeKind::kExists  ? Op::kExists
             : n.kind == rules::NodeKind::kIsTrue ? Op::kIsTrue
                                                  : Op::kIsFalse;
      p.slot = *slot;
      p.cost = 1;
      break;
    }
    case rules::NodeKind::kEquals: {
      auto slot = SlotOf(n);
      if (!slot.ok()) return slot.status();
      p.op = Op::kEquals;
      p.slot = *slot;
      p.predicate = static_cast<uint32_t>(m_->equals_sets_.size());
      CompiledMatcher::EqualsValues ev;
      ev.case_insensitive = n.case_insensitive;
      std::vector<std::string> values = n.values;
      if (ev.case_insensitive)
        for (auto& v : values)
          for (char& c : v) c = AsciiLower(c);
      if (values.size() <= 8) ev.small = std::move(values);
      else ev.large.insert(values.begin(), values.end());
      m_->equals_sets_.push_back(std::move(ev));
      p.cost = 2;
      break;
    }
    case rules::NodeKind::kWildcard: {
      auto slot = SlotOf(n);
      if (!slot.ok()) return slot.status();
      p.op = Op::kWildcard;
      p.slot = *slot;
      p.predicate = static_cast<uint32_t>(m_->wildcard_predicates_.size());
      m_->wildcard_predicates_.push_back({*slot});
      if (pattern_ids_.size() < m_->fields_.size()) {
        pattern_ids_.resize(m_->fields_.size());
        pattern_where_.resize(m_->fields_.size());
        m_->field_patterns_.resize(m_->fields_.size());
      }
      FieldPatterns& fp = m_->field_patterns_[*slot];
      for (const std::string& text : n.values) {
        // A pattern used both case-sensitively and not is two patterns.
        auto [it, fresh] = pattern_ids_[*slot].try_emplace(
            n.case_sensitive ? "\x01" + text : text, static_cast<uint32_t>(fp.patterns.size()));
        if (fresh) {
          fp.patterns.push_back(text);
          fp.case_sensitive.push_back(n.case_sensitive);
          fp.predicates_of_pattern.emplace_back();
          pattern_where_[*slot].push_back(n.where);
        }
        auto& preds = fp.predicates_of_pattern[it->second];
        if (preds.empty() || preds.back() != p.predicate)
          preds.push_back(p.predicate);
      }
      if (positive) reported->push_back(p.predicate);
      p.cost = 20;
      break;
    }
  }
  m_->nodes_.push_back(std::move(p));
  return static_cast<uint32_t>(m_->nodes_.size() - 1);
}

absl::Status MatcherBuilder::CompileError(size_t slot, int64_t id, hs_compile_error_t* err) {
  std::string msg = err ? err->message : "unknown error";
  hs_free_compile_error(err);
  std::string where = "(ruleset)";
  std::string pattern;
  if (id >= 0) {
    where = pattern_where_[slot][id];
    pattern = m_->field_patterns_[slot].patterns[id];
  }
  std::string shown = pattern.size() > 80
                          ? Cat(pattern.substr(0, 80), "... (", pattern.size(), " bytes)")
                          : pattern;
  return absl::InvalidArgumentError(Cat(where, ": pattern \"", shown, "\" on ",
                                        m_->fields_.name(slot), " cannot be compiled: ", msg));
}

absl::Status MatcherBuilder::CompileLiterals(size_t slot,
                                             const std::vector<std::string>& texts,
                                             hs_scratch_t** scratch) {
  FieldPatterns& fp = m_->field_patterns_[slot];
  std::vector<const char*> data;
  std::vector<size_t> lengths;
  std::vector<unsigned> flags, ids;
  for (uint32_t i = 0; i < texts.size(); ++i) {
    data.push_back(texts[i].data());
    lengths.push_back(texts[i].size());
    // A prefix or suffix is reported at every occurrence (the first may be
    // in the wrong place); for `*lit*` any occurrence will do.
    const FieldPatterns::PlacedLiteral& lit = fp.placed_literals[i];
    flags.push_back((fp.case_sensitive[lit.pattern] ? 0u : unsigned{HS_FLAG_CASELESS}) |
                    (lit.place == LiteralPlace::kInfix ? unsigned{HS_FLAG_SINGLEMATCH} : 0u));
    ids.push_back(i);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(data.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(data.size()), HS_MODE_BLOCK, nullptr, &db,
                           &err) != HS_SUCCESS) {
    int64_t id = -1;
    if (err && err->expression >= 0 && static_cast<size_t>(err->expression) < texts.size())
      id = fp.placed_literals[err->expression].pattern;
    return CompileError(slot, id, err);
  }
  fp.literal_database.reset(db);
  if (hs_alloc_scratch(db, scratch) != HS_SUCCESS)
    return absl::ResourceExhaustedError("cannot allocate Hyperscan scratch");
  return absl::OkStatus();
}

absl::Status MatcherBuilder::CompileDatabases() {
  m_->field_patterns_.resize(m_->fields_.size());
  hs_scratch_t* scratch = nullptr;
  for (size_t slot = 0; slot < m_->field_patterns_.size(); ++slot) {
    FieldPatterns& fp = m_->field_patterns_[slot];
    std::vector<HyperscanExpression> exprs;
    std::vector<const char*> texts;
    std::vector<unsigned> flags, ids;
    std::vector<std::string> literal_texts;  // by placed_literals index
    for (uint32_t id = 0; id < fp.patterns.size(); ++id) {
      const bool cs = fp.case_sensitive[id];
      HyperscanExpression e = WildcardToHyperscan(fp.patterns[id], cs);
      if (e.matches_everything) {
        fp.everything_patterns.push_back(id);
        continue;
      }
      const std::string& text = fp.patterns[id];
      // The gates compare ASCII-lowercased keys: for a case-sensitive
      // pattern they still reject every value it cannot match.
      fp.any_gate.Add(text);
      if (cs && text.find_first_of("*?") == std::string::npos) {
        fp.exact_literals[text].push_back(id);
        if (fp.exact_literal_lengths.size() <= text.size())
          fp.exact_literal_lengths.resize(text.size() + 1, false);
        fp.exact_literal_lengths[text.size()] = true;
        continue;
      }
      if (text.find_first_of("*?") == std::string::npos) {
        std::string lower = text;
        for (char& c : lower) c = AsciiLower(c);
        fp.literals[lower].push_back(id);
        if (fp.literal_lengths.size() <= lower.size())
          fp.literal_lengths.resize(lower.size() + 1, false);
        fp.literal_lengths[lower.size()] = true;
        continue;
      }
      fp.gate.Add(text);
      LiteralShape shape = LiteralShapeOf(text);
      if (shape.place != LiteralPlace::kNone) {
        fp.placed_literals.push_back(
            {id, static_cast<uint32_t>(shape.literal.size()), shape.place});
        literal_texts.push_back(std::move(shape.literal));
        continue;
      }
      exprs.push_back(std::move(e));
      ids.push_back(id);
    }
    if (!literal_texts.empty()) {
      auto status = CompileLiterals(slot, literal_texts, &scratch);
      if (!status.ok()) {
        hs_free_scratch(scratch);
        return status;
      }
    }
    if (exprs.empty()) continue;
    for (const auto& e : exprs) {
      texts.push_back(e.regex.c_str());
      flags.push_back(e.flags);
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    hs_error_t rc = hs_compile_multi(texts.data(), flags.data(), ids.data(),
                                     static_cast<unsigned>(texts.size()),
                                     HS_MODE_BLOCK, nullptr, &db, &err);
    if (rc != HS_SUCCESS) {
      int64_t id = -1;
      if (err && err->expression >= 0 && static_cast<size_t>(err->expression) < ids.size())
        id = ids[err->expression];
      hs_free_scratch(scratch);
      return CompileError(slot, id, err);
    }
    fp.database.reset(db);
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
      hs_free_scratch(scratch);
      return absl::ResourceExhaustedError("cannot allocate Hyperscan scratch");
    }
  }
  m_->scratch_prototype_.reset(scratch);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const CompiledMatcher>> CompiledMatcher::CompileRules(
    const FieldTable& fields, const std::vector<rules::Ruleset>& rulesets) {
  auto m = std::shared_ptr<CompiledMatcher>(new CompiledMatcher());
  m->fields_ = fields;
  m->field_patterns_.resize(fields.size());
  MatcherBuilder b(m.get());
  for (const auto& rs : rulesets) {
    for (const rules::Rule& r : rs.rules) {
      for (const auto& other : m->rules_) {
        if (other.rule.id == r.id) {
          return absl::InvalidArgumentError(
              Cat(r.query.where, ": rule id ", r.id,
                           " is already loaded from ruleset ",
                           other.rule.ruleset));
        }
      }
      CompiledRule cr;
      auto root = b.AddNode(r.query, true, &cr.reported_predicates);
      if (!root.ok()) return root.status();
      cr.root = *root;
      cr.rule = r;
      cr.rule.query = rules::Node{};  // compiled into the plan
      m->rules_.push_back(std::move(cr));
    }
  }
  if (auto st = b.CompileDatabases(); !st.ok()) return st;
  return std::shared_ptr<const CompiledMatcher>(std::move(m));
}

absl::StatusOr<std::shared_ptr<const CompiledMatcher>> CompiledMatcher::CompileExclusions(
    const CompiledMatcher& rules, const rules::ExclusionSet& exclusions) {
  // An exclusion naming a rule that is not loaded is almost always a typo
  // that would silently exclude nothing: refuse it.
  for (const auto& e : exclusions.entries) {
    for (const std::string& id : e.rule_ids) {
      bool known = false;
      for (const auto& r : rules.rules_) known |= (r.rule.id == id);
      if (!known) {
        return absl::InvalidArgumentError(Cat(
            e.condition.where, ": rule \"", id, "\" is not loaded"));
      }
    }
  }
  auto m = std::shared_ptr<CompiledMatcher>(new CompiledMatcher());
  m->fields_ = rules.fields_;
  m->field_patterns_.resize(m->fields_.size());
  MatcherBuilder b(m.get());
  for (const auto& r : rules.rules_) {
    CompiledRule cr;
    cr.rule.id = r.rule.id;
    cr.rule.name = r.rule.name;
    rules::Node any;
    any.kind = rules::NodeKind::kAny;
    any.comment = "exclusions from " + exclusions.origin;
    any.where = exclusions.origin;
    for (const auto& e : exclusions.entries) {
      bool applies = e.rule_ids.empty() ||
                     std::find(e.rule_ids.begin(), e.rule_ids.end(), r.rule.id) !=
                         e.rule_ids.end();
      if (applies) any.children.push_back(e.condition);
    }
    if (!any.children.empty()) {
      std::vector<uint32_t> unused;  // exclusions report no pattern
      auto root = b.AddNode(any, false, &unused);
      if (!root.ok()) return root.status();
      cr.root = *root;
    }
    m->rules_.push_back(std::move(cr));
  }
  if (auto st = b.CompileDatabases(); !st.ok()) return st;
  return std::shared_ptr<const CompiledMatcher>(std::move(m));
}

}  // namespace c2s::engine
