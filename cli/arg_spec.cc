#include "cli/arg_spec.h"

#include <algorithm>
#include <deque>

#include "config/options.h"
#include "util/nearest.h"
#include "util/strings.h"

// The option tables leave trailing members to their defaults; g++ 10 (the
// portable build) warns about that for aggregates, g++ 12 does not.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace c2s::cli {

namespace {

const OptionSpec* Find(const CommandSpec& spec, std::string_view name) {
  for (const OptionSpec* o : OptionsOf(spec))
    if (o->name == name || (!o->alias.empty() && o->alias == name)) return o;
  return nullptr;
}

void AppendOption(std::string* out, const OptionSpec& o) {
  std::string head = "  ";
  head.append(o.name);
  if (!o.alias.empty()) head.append(", ").append(o.alias);
  if (!o.value.empty()) head.append(" ").append(o.value);
  std::string help = OptionHelp(o);
  if (head.size() < 28) {
    head.resize(28, ' ');
  } else {
    head += "\n" + std::string(28, ' ');
  }
  // Continuation lines of the help text line up under its first line.
  std::string indented;
  for (char c : help) {
    indented += c;
    if (c == '\n') indented += std::string(28, ' ');
  }
  *out += head + indented + "\n";
}

}  // namespace

std::vector<const OptionSpec*> OptionsOf(const CommandSpec& spec) {
  std::vector<const OptionSpec*> out;
  for (const auto& o : spec.options) out.push_back(&o);
  if (spec.engine_options)
    for (const auto& o : EngineOptionSpecs()) out.push_back(&o);
  return out;
}

std::string OptionHelp(const OptionSpec& o) {
  std::string help(o.help);
  if (o.range)
    help += Cat(help.empty() ? "" : " ", "(", o.range->min, "..", o.range->max, ", default ",
                o.range->default_value, ")");
  if (o.repeatable) help += " (repeatable)";
  return help;
}

const std::vector<OptionSpec>& EngineOptionSpecs() {
  // The library's engine options, as every host has them, plus --parity.
  static const std::vector<OptionSpec> specs = [] {
    static std::deque<std::string> names;
    std::vector<OptionSpec> out;
    for (const auto& d : config::OptionTable()) {
      if (d.scope != config::OptionScope::kEngine) continue;
      names.push_back(Cat("--", d.name));
      OptionSpec o{names.back(), "", d.placeholder, d.help, d.repeatable, d.range, d.choices};
      out.push_back(o);
    }
    out.push_back({"--parity", "", "", "the same as --mode parity"});
    return out;
  }();
  return specs;
}

bool Args::Has(std::string_view name) const {
  for (const auto& [n, v] : given_)
    if (n == name) return true;
  return false;
}

std::string Args::Value(std::string_view name, std::string fallback) const {
  for (auto it = given_.rbegin(); it != given_.rend(); ++it)
    if (it->first == name) return it->second;
  return fallback;
}

std::vector<std::string> Args::Values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : given_)
    if (n == name) out.push_back(v);
  return out;
}

uint64_t Args::Number(std::string_view name, uint64_t fallback) const {
  for (auto it = numbers_.rbegin(); it != numbers_.rend(); ++it)
    if (it->first == name) return it->second;
  return fallback;
}

bool WantsHelp(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

absl::StatusOr<Args> ParseArgs(const CommandSpec& spec, const std::vector<std::string>& args) {
  Args out;
  bool only_operands = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_operands || a == "-" || a.empty() || a[0] != '-') {
      out.operands_.push_back(a);
      continue;
    }
    if (a == "--") {
      only_operands = true;
      continue;
    }
    std::string name = a, inline_value;
    bool has_inline = false;
    if (size_t eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
      has_inline = true;
    }
    const OptionSpec* o = Find(spec, name);
    if (o == nullptr) {
      std::vector<std::string_view> names;
      for (const auto& s : spec.options) names.push_back(s.name), names.push_back(s.alias);
      if (spec.engine_options)
        for (const auto& s : EngineOptionSpecs()) names.push_back(s.name);
      std::string near = Nearest(name, names);
      return absl::InvalidArgumentError(
          Cat("unknown option ", name, near.empty() ? "" : Cat("; did you mean ", near, "?"),
              " (c2sieve ", spec.name, " --help lists them)"));
    }
    std::string canonical(o->name);
    if (o->value.empty()) {
      if (has_inline) return absl::InvalidArgumentError(Cat(name, " takes no value"));
      out.given_.emplace_back(canonical, "");
      continue;
    }
    std::string value;
    if (has_inline) {
      value = inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(Cat(name, " needs a value: ", name, " ", o->value));
    }
    if (!o->repeatable && out.Has(canonical))
      return absl::InvalidArgumentError(Cat(name, " given twice (it takes one ", o->value, ")"));
    if (o->range) {
      uint64_t n = 0;
      if (auto st = ParseInRange(*o->range, value, &n); !st.ok())
        return absl::InvalidArgumentError(Cat("--", st.message()));
      out.numbers_.emplace_back(canonical, n);
    }
    if (!o->choices.empty() &&
        std::find(o->choices.begin(), o->choices.end(), value) == o->choices.end()) {
      std::string list;
      for (auto c : o->choices) list += (list.empty() ? "" : ", ") + std::string(c);
      return absl::InvalidArgumentError(Cat(name, " must be one of ", list, " (got \"", value, "\")"));
    }
    if (value.empty()) return absl::InvalidArgumentError(Cat(name, " needs a non-empty ", o->value));
    out.given_.emplace_back(canonical, value);
  }
  if (out.operands_.size() < spec.min_operands)
    return absl::InvalidArgumentError(
        Cat("missing ", spec.operands, " (usage: c2sieve ", spec.name, " [OPTIONS] ", spec.operands, ")"));
  if (out.operands_.size() > spec.max_operands)
    return absl::InvalidArgumentError(Cat("too many operands: \"", out.operands_[spec.max_operands],
                                          "\" (usage: c2sieve ", spec.name, " [OPTIONS] ",
                                          spec.operands, ")"));
  return out;
}

std::string HelpText(const CommandSpec& spec) {
  std::string out = Cat("usage: c2sieve ", spec.name, spec.options.empty() && !spec.engine_options ? "" : " [OPTIONS]",
                        spec.operands.empty() ? "" : " ", spec.operands, "\n\n", spec.summary, "\n");
  if (!spec.options.empty()) {
    out += "\noptions:\n";
    for (const auto& o : spec.options) AppendOption(&out, o);
  }
  if (spec.engine_options) {
    out += "\nengine options:\n";
    for (const auto& o : EngineOptionSpecs()) AppendOption(&out, o);
  }
  if (!spec.notes.empty()) out += Cat("\n", spec.notes, "\n");
  return out;
}

}  // namespace c2s::cli
