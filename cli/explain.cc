// c2sieve explain: every clause's verdict for one event.
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command_specs.h"
#include "cli/commands.h"
#include "cli/file_kind.h"
#include "cli/line_reader.h"
#include "rules/load_context.h"
#include "runtime/session.h"
#include "util/json_text.h"

namespace c2s::cli {

namespace {

void PrintNode(const engine::CompiledMatcher& m,
               const std::vector<int8_t>& verdicts, uint32_t id, int depth) {
  const engine::PlanNode& n = m.nodes()[id];
  const char* mark = verdicts[id] < 0 ? " skip" : verdicts[id] ? " true" : "false";
  std::printf("  %*s[%s] %s", depth * 2, "", mark, n.label.c_str());
  if (!n.comment.empty()) std::printf("   -- %s", n.comment.c_str());
  std::printf("\n");
  for (uint32_t c : n.children) PrintNode(m, verdicts, c, depth + 1);
}

}  // namespace

int RunExplain(const std::vector<std::string>& args) {
  const CommandSpec& spec = ExplainSpec();
  auto parsed = ParseArgs(spec, args);
  if (!parsed.ok()) return Usage(spec, parsed.status());
  EngineOptions eo;
  if (auto st = EngineOptionsFrom(*parsed, &eo); !st.ok()) return Usage(spec, st);
  std::string input = parsed->operands().empty() ? "-" : parsed->operands()[0];
  auto core = BuildEngine(eo);
  if (!core.ok()) return Fail(spec, kExitConfig, core.status());
  auto opened = Input::Open(input);
  if (!opened.ok()) return Fail(spec, kExitIo, opened.status());
  // The first non-blank line is all explain needs: stop reading there.
  std::string text;
  bool read_ok = ReadLines(**opened, [&](std::string_view line) {
    if (text.empty() && line.find_first_not_of(" \t\r") != std::string_view::npos) text = line;
  }, [&](uint64_t) { return text.empty(); });
  if (!read_ok) return Fail(spec, kExitIo, absl::DataLossError(input + ": read error"));
  // The first non-blank line is the event.
  std::string_view event;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
      event = line;
      break;
    }
  }
  if (event.empty()) {
    std::fprintf(stderr, "c2sieve explain: no event in %s\n", SafeMessage(input).c_str());
    return kExitInvalid;
  }
  runtime::Session session(*core);
  bool may_match = session.JsonMayMatch(event);
  std::printf("prefilter: %s\n", (*core)->prefilter_description().c_str());
  if (!may_match)
    std::printf("  this event: no rule can match its bytes -- passed on unread "
                "(it is read below only to explain)\n");
  else if ((*core)->prefilter_description().rfind("on:", 0) == 0)
    std::printf("  this event: read (its bytes hold a rule's literal, may spell a value "
                "otherwise, or are not one object within the limits)\n");
  if (!session.BeginFields().ok()) return kExitIo;
  auto st = session.ReadJsonFields(event);
  if (st != event::ReadStatus::kOk) {
    std::printf("event: %s -- it passes through unchanged\n",
                event::ReadStatusText(st));
    return kExitOk;
  }
  session.ResolveFields();
  engine::Evaluator& ev = session.evaluator();
  ev.PrepareAll();
  const engine::CompiledMatcher& m = ev.matcher();
  std::string_view profile = session.profile_name();
  std::printf("profile: %s\nmode: %s\n",
              profile.empty() ? "(none: fields read as they are)" : std::string(profile).c_str(),
              event::MatchModeName((*core)->profiles()->mode()));
  // The fields the rules read, as the rules see them.
  std::vector<bool> used(m.fields().size(), false);
  for (const auto& n : m.nodes())
    if (n.op != engine::Op::kAll && n.op != engine::Op::kAny && n.op != engine::Op::kNot)
      used[n.slot] = true;
  std::printf("fields:\n");
  for (uint32_t slot = 0; slot < m.fields().size(); ++slot) {
    if (!used[slot]) continue;
    const auto& vals = ev.fields().values(slot);
    std::printf("  %-40s", m.fields().name(slot).c_str());
    if (vals.empty()) std::printf(" (missing)");
    for (const auto& v : vals) {
      std::string s;
      switch (v.type) {
        case engine::ValueType::kString: json_text::AppendQuoted(s, v.text); break;
        case engine::ValueType::kTrue: s = "true"; break;
        case engine::ValueType::kFalse: s = "false"; break;
        case engine::ValueType::kNull: s = "null"; break;
        case engine::ValueType::kOther: s = "(number or object)"; break;
      }
      std::printf(" %s", s.c_str());
    }
    std::printf("\n");
  }
  std::vector<int8_t> exclusion_verdicts;
  std::vector<int8_t> verdicts = ev.Explain(&exclusion_verdicts);
  const engine::CompiledMatcher* ex = ev.exclusions_matcher();
  for (size_t i = 0; i < m.rules().size(); ++i) {
    const auto& r = m.rules()[i];
    uint32_t ex_root = ex ? ex->rules()[i].root : engine::CompiledRule::kNoNode;
    bool excluded = ex_root != engine::CompiledRule::kNoNode && exclusion_verdicts[ex_root] == 1;
    bool match = verdicts[r.root] == 1 && !excluded;
    std::printf("\nrule %s \"%s\": %s\n", r.rule.id.c_str(), r.rule.name.c_str(),
                match ? "MATCH" : verdicts[r.root] == 1 ? "no match (excluded)" : "no match");
    PrintNode(m, verdicts, r.root, 0);
    if (ex_root != engine::CompiledRule::kNoNode) {
      std::printf("  exclusions (the rule matches only if none holds):\n");
      PrintNode(*ex, exclusion_verdicts, ex_root, 1);
    }
  }
  return kExitOk;
}

}  // namespace c2s::cli
