#include "bench_events.h"

#include <nlohmann/json.hpp>

#include "rules/ruleset_loader.h"
#include "sample_events.h"

namespace c2s::bench {

namespace {

// Values of a dotted field, nested or flattened, as the wrappers find them.
void Collect(const nlohmann::json& obj, const std::string& path,
             std::vector<const nlohmann::json*>* out) {
  if (!obj.is_object()) return;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    if (k == path) {
      out->push_back(&*it);
    } else if (path.compare(0, k.size(), k) == 0 && path.size() > k.size() &&
               path[k.size()] == '.') {
      Collect(*it, path.substr(k.size() + 1), out);
    }
  }
}

}  // namespace

std::vector<BenchEvent> MakeEvents(c2s_engine* engine, size_t count,
                                   int match_percent, int excluded_percent) {
  std::vector<BenchEvent> out;
  size_t matches = 0, excluded = 0, unlisted = 0;
  const int unlisted_percent = 100 - match_percent - excluded_percent;
  for (uint64_t seed = 1; out.size() < count; ++seed) {
    for (auto& e : samples::Generate(seed, 500)) {
      if (out.size() >= count) break;
      bool is_excluded = !e.expect_match && e.scenario.rfind("benign:", 0) != 0;
      bool is_unlisted = !e.expect_match && !is_excluded;
      size_t next = out.size() + 1;
      // Each kind held to its share of the events so far (a kind below its
      // share takes the next slot; so does any kind at the very start).
      auto over = [&](size_t have, int percent) {
        return percent == 0 || have * 100 >= next * static_cast<size_t>(percent);
      };
      if (e.expect_match && over(matches, match_percent)) continue;
      if (is_excluded && over(excluded, excluded_percent)) continue;
      if (is_unlisted && over(unlisted, unlisted_percent)) continue;
      unlisted += is_unlisted;
      BenchEvent b;
      b.json = e.json;
      b.expect_match = e.expect_match;
      matches += e.expect_match;
      excluded += is_excluded;
      auto doc = nlohmann::json::parse(e.json);
      size_t n = c2s_engine_field_count(engine);
      std::vector<std::pair<int, const nlohmann::json*>> found;
      for (size_t f = 0; f < n; ++f) {
        std::vector<const nlohmann::json*> vals;
        Collect(doc, c2s_engine_field_name(engine, f), &vals);
        for (const auto* v : vals) {
          if (v->is_array()) {
            for (const auto& x : *v) found.push_back({static_cast<int>(f), &x});
          } else {
            found.push_back({static_cast<int>(f), v});
          }
        }
      }
      b.strings.reserve(found.size());
      for (auto& [f, v] : found) {
        c2s_value cv{f, C2S_VALUE_OTHER, nullptr, 0, {}};
        if (v->is_string()) {
          b.strings.push_back(v->get<std::string>());
          cv.type = C2S_VALUE_STRING;
        } else if (v->is_boolean()) {
          cv.type = v->get<bool>() ? C2S_VALUE_TRUE : C2S_VALUE_FALSE;
        } else if (v->is_null()) {
          cv.type = C2S_VALUE_NULL;
        }
        b.values.push_back(cv);
      }
      size_t s = 0;
      for (auto& cv : b.values) {
        if (cv.type != C2S_VALUE_STRING) continue;
        cv.data = b.strings[s].data();
        cv.size = b.strings[s].size();
        ++s;
      }
      out.push_back(std::move(b));
    }
  }
  return out;
}

RulePatterns LoadRulePatterns() {
  RulePatterns p;
  auto rs = rules::BuiltinRuleset();
  for (const auto& c : rs->rules[0].query.children) {
    if (c.kind == rules::NodeKind::kWildcard && c.field == "dns.question.name")
      p.domains = c.values;
    if (c.kind == rules::NodeKind::kNot) {
      for (const auto& g : c.children[0].children)
        if (g.kind == rules::NodeKind::kWildcard && g.field == "process.executable")
          p.executables = g.values;
    }
  }
  return p;
}

}  // namespace c2s::bench
