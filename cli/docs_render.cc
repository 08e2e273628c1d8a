#include "cli/docs_render.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "cli/command_specs.h"
#include "util/strings.h"

namespace c2s::cli {

namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// --- roff ---------------------------------------------------------------

// Text as roff reads it: backslashes escaped, no line starting a request.
std::string Roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";  // a minus, so options copy and search as typed
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

// Hand-wrapped help text as one filled paragraph per blank-line block.
std::string RoffParagraphs(std::string_view text) {
  std::string out, para;
  for (std::string_view line : SplitLines(text)) {
    if (line.empty()) {
      if (!para.empty()) out += Roff(para) + "\n.PP\n";
      para.clear();
      continue;
    }
    if (!para.empty()) para += '\n';
    para += line;
  }
  if (!para.empty()) out += Roff(para) + "\n";
  return out;
}

std::string RoffOption(const OptionSpec& o) {
  std::string head = Cat("\\fB", Roff(o.name), "\\fR");
  if (!o.alias.empty()) head += Cat(", \\fB", Roff(o.alias), "\\fR");
  if (!o.value.empty()) head += Cat(" \\fI", Roff(o.value), "\\fR");
  return Cat(".TP\n", head, "\n", Roff(OptionHelp(o)), "\n");
}

// The exit-code list ("exit codes:" then "  N  text" items with indented
// continuation lines) as a tagged list; anything else as given.
std::string RoffNotes(std::string_view notes) {
  std::string out;
  for (std::string_view line : SplitLines(notes)) {
    if (line == "exit codes:") continue;
    size_t i = line.find_first_not_of(' ');
    if (i == std::string_view::npos) continue;
    if (i > 0 && std::isdigit(static_cast<unsigned char>(line[i]))) {
      size_t end = line.find(' ', i);
      std::string_view text = end == std::string_view::npos ? "" : line.substr(end);
      text.remove_prefix(std::min(text.size(), text.find_first_not_of(' ')));
      out += Cat(".TP\n\\fB", line.substr(i, end - i), "\\fR\n", Roff(text), "\n");
    } else {
      out += Roff(line.substr(i)) + "\n";
    }
  }
  return out;
}

std::string Header(std::string_view page, std::string_view version) {
  // No date: the page is the same for the same version (reproducible).
  return Cat(".\\\" Generated from c2sieve's --help text (cli/command_specs.cc); do not edit.\n",
             ".TH ", absl::AsciiStrToUpper(std::string(page)), " 1 \"\" \"c2sieve ", version,
             "\" \"c2sieve manual\"\n");
}

// The summary's opening phrase, for the NAME line: its first paragraph as
// one line, up to the first parenthesis or full stop, lower-cased first
// letter ("tags events that look like ... web services").
std::string OpeningPhrase(std::string_view text) {
  std::string para(text.substr(0, text.find("\n\n")));
  std::replace(para.begin(), para.end(), '\n', ' ');
  size_t end = std::min(para.find(" ("), para.find(". "));
  para = para.substr(0, end);
  if (!para.empty() && para.back() == '.') para.pop_back();
  if (!para.empty()) para[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(para[0])));
  return para;
}

// --- shells --------------------------------------------------------------

bool TakesFile(std::string_view placeholder) {
  return placeholder.find("FILE") != std::string_view::npos ||
         placeholder.find('.') != std::string_view::npos ||  // RULE.toml..., EVENTS.ndjson
         placeholder == "FEED";
}

// "import feed" -> ("import", "feed"); "scan" -> ("scan", "").
std::pair<std::string, std::string> Words(const CommandSpec& spec) {
  std::string_view n = spec.name;
  size_t sp = n.find(' ');
  if (sp == std::string_view::npos) return {std::string(n), ""};
  return {std::string(n.substr(0, sp)), std::string(n.substr(sp + 1))};
}

// A help line inside a single-quoted zsh string, as _arguments and
// _describe read it.
std::string ZshQuoted(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') c = ' ';
    if (c == '\'') {
      out += "'\\''";
    } else if (c == '[' || c == ']' || c == ':' || c == '\\') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string ZshOption(const OptionSpec& o) {
  std::string help = ZshQuoted(OptionHelp(o));
  std::string value;
  if (!o.value.empty()) {
    std::string action = " ";
    if (!o.choices.empty()) {
      std::vector<std::string> c(o.choices.begin(), o.choices.end());
      action = "(" + absl::StrJoin(c, " ") + ")";
    } else if (TakesFile(o.value)) {
      action = "_files";
    }
    value = Cat(":", ZshQuoted(o.value), ":", action);
  }
  std::string star = o.repeatable ? "*" : "";
  std::string eq = o.value.empty() ? "" : (o.name.rfind("--", 0) == 0 ? "=" : "+");
  if (o.alias.empty()) return Cat("'", star, o.name, eq, "[", help, "]", value, "'");
  std::string alias_eq = o.value.empty() ? "" : "=";
  // Either spelling, never both.
  return Cat("'(", o.name, " ", o.alias, ")", star, o.name, eq, "[", help, "]", value, "' '(",
             o.name, " ", o.alias, ")", star, o.alias, alias_eq, "[", help, "]", value, "'");
}

}  // namespace

std::string ManPageName(const CommandSpec& spec) {
  std::string name = "c2sieve-" + std::string(spec.name);
  std::replace(name.begin(), name.end(), ' ', '-');
  return name;
}

std::string MainManPage(std::string_view version) {
  std::string out = Header("c2sieve", version);
  out += ".SH NAME\nc2sieve \\- " + Roff(OpeningPhrase(MainSummary())) + "\n";
  out += ".SH SYNOPSIS\n\\fBc2sieve\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n";
  out += ".SH DESCRIPTION\n" + RoffParagraphs(MainSummary());
  out += ".PP\n\\fBc2sieve \\fICOMMAND\\fB \\-\\-help\\fR shows a command's options; each command "
         "has its own page.\n";
  out += ".SH COMMANDS\n";
  for (const CommandSpec* c : AllCommands())
    out += Cat(".TP\n\\fBc2sieve ", Roff(c->name), "\\fR", c->operands.empty() ? "" : " ",
               "\\fI", Roff(c->operands), "\\fR\n", Roff(c->brief), "; see \\fB", Roff(ManPageName(*c)),
               "\\fR(1).\n");
  out += ".SH \"EXIT STATUS\"\n" + RoffNotes(ExitCodesText());
  out += ".SH FILES\n"
         "Under the installation prefix (\\fI/usr\\fR for the Debian packages):\n"
         ".TP\n\\fIshare/c2sieve/rulesets/\\fR\n"
         "the shipped rulesets (the built-in ones are compiled in), their JSON Schemas\n"
         "(\\fIschema/\\fR), the source profiles (\\fIprofiles/\\fR) and example exclusions\n"
         "(\\fIexamples/exclusions.json\\fR)\n"
         ".TP\n\\fIshare/c2sieve/c2sieve.lua\\fR, \\fIshare/c2sieve/c2sieve.rb\\fR\n"
         "the Fluent Bit (filter_lua) and Logstash (ruby filter) wrappers\n"
         ".TP\n\\fIlib/fluent\\-bit/plugins/flb\\-filter_c2sieve.so\\fR\n"
         "the native Fluent Bit filter, where it is built\n"
         ".TP\n\\fIshare/c2sieve/elastic/\\fR\n"
         "index and component templates, ingest pipeline, shipper role, detection rules\n"
         "and Kibana objects\n";
  out += ".SH \"SEE ALSO\"\n";
  std::string see;
  for (const CommandSpec* c : AllCommands())
    see += Cat(see.empty() ? "" : ",\n", "\\fB", Roff(ManPageName(*c)), "\\fR(1)");
  out += see + "\n";
  return out;
}

std::string CommandManPage(const CommandSpec& spec, std::string_view version) {
  std::string page = ManPageName(spec);
  std::string out = Header(page, version);
  out += Cat(".SH NAME\n", Roff(page), " \\- ", Roff(spec.brief), "\n");
  out += Cat(".SH SYNOPSIS\n\\fBc2sieve ", Roff(spec.name), "\\fR",
             spec.options.empty() && !spec.engine_options ? "" : " [\\fIOPTIONS\\fR]",
             spec.operands.empty() ? "" : " \\fI", Roff(spec.operands),
             spec.operands.empty() ? "" : "\\fR", "\n");
  out += ".SH DESCRIPTION\n" + RoffParagraphs(spec.summary);
  out += ".SH OPTIONS\n";
  for (const auto& o : spec.options) out += RoffOption(o);
  out += ".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nprint these options and exit\n";
  if (spec.engine_options) {
    out += ".SH \"ENGINE OPTIONS\"\n"
           "The options every host takes (the library's option table: the same names in\n"
           "the Fluent Bit and Logstash integrations and c2s_options_set).\n";
    for (const auto& o : EngineOptionSpecs()) out += RoffOption(o);
  }
  if (!spec.notes.empty()) out += ".SH \"EXIT STATUS\"\n" + RoffNotes(spec.notes);
  out += ".SH \"SEE ALSO\"\n\\fBc2sieve\\fR(1)\n";
  return out;
}

std::string BashCompletion() {
  std::vector<std::string> top, imports;
  std::string per_command;
  for (const CommandSpec* c : AllCommands()) {
    auto [first, second] = Words(*c);
    if (second.empty()) {
      top.push_back(first);
    } else {
      if (std::find(top.begin(), top.end(), first) == top.end()) top.push_back(first);
      imports.push_back(second);
    }
    std::vector<std::string> opts, file_opts, value_opts;
    std::string choices;
    for (const OptionSpec* o : OptionsOf(*c)) {
      std::vector<std::string> names = {std::string(o->name)};
      if (!o->alias.empty()) names.emplace_back(o->alias);
      for (const auto& n : names) {
        opts.push_back(n);
        if (o->value.empty()) continue;
        if (!o->choices.empty()) {
          std::vector<std::string> cs(o->choices.begin(), o->choices.end());
          choices += Cat("        ", n, ") COMPREPLY=($(compgen -W \"", absl::StrJoin(cs, " "),
                         "\" -- \"$cur\")); return ;;\n");
        } else if (TakesFile(o->value)) {
          file_opts.push_back(n);
        } else {
          value_opts.push_back(n);
        }
      }
    }
    opts.push_back("--help");
    bool operands = c->max_operands > 0 && !c->operands.empty();
    per_command += Cat("    \"", c->name, "\")\n",
                       "      opts=\"", absl::StrJoin(opts, " "), "\"\n",
                       "      file_opts=\" ", absl::StrJoin(file_opts, " "), " \"\n",
                       "      value_opts=\" ", absl::StrJoin(value_opts, " "), " \"\n",
                       "      operands=", operands ? "1" : "0", "\n");
    if (!choices.empty()) per_command += Cat("      case \"$prev\" in\n", choices, "      esac\n");
    per_command += "      ;;\n";
  }
  top.push_back("help");
  return Cat(
      "# bash completion for c2sieve. Generated from its --help text\n"
      "# (cli/command_specs.cc); do not edit.\n"
      "_c2sieve() {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
      "  local cmd opts file_opts value_opts operands\n"
      "  COMPREPLY=()\n"
      "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
      "    COMPREPLY=($(compgen -W \"",
      absl::StrJoin(top, " "),
      "\" -- \"$cur\")); return\n"
      "  fi\n"
      "  cmd=${COMP_WORDS[1]}\n"
      "  if [ \"$cmd\" = import ]; then\n"
      "    if [ \"$COMP_CWORD\" -eq 2 ]; then\n"
      "      COMPREPLY=($(compgen -W \"",
      absl::StrJoin(imports, " "),
      "\" -- \"$cur\")); return\n"
      "    fi\n"
      "    cmd=\"import ${COMP_WORDS[2]}\"\n"
      "  fi\n"
      "  case \"$cmd\" in\n",
      per_command,
      "    *) return ;;\n"
      "  esac\n"
      "  if [[ $file_opts == *\" $prev \"* ]]; then\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\")); return\n"
      "  fi\n"
      "  [[ $value_opts == *\" $prev \"* ]] && return\n"
      "  if [[ $cur == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\")); return\n"
      "  fi\n"
      "  [ \"$operands\" = 1 ] && COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "}\n"
      "complete -o filenames -F _c2sieve c2sieve\n");
}

std::string ZshCompletion() {
  std::string top_list, import_list, cases;
  std::set<std::string> seen_top;
  for (const CommandSpec* c : AllCommands()) {
    auto [first, second] = Words(*c);
    std::string desc = ZshQuoted(c->brief);
    if (second.empty()) {
      top_list += Cat("    '", first, ":", desc, "'\n");
    } else {
      if (seen_top.insert(first).second)
        top_list += Cat("    '", first, ":convert upstream rules, exceptions and feeds'\n");
      import_list += Cat("      '", second, ":", desc, "'\n");
    }
    std::string specs;
    for (const OptionSpec* o : OptionsOf(*c)) specs += "        " + ZshOption(*o) + " \\\n";
    specs += "        '(- *)--help[show the options]'";
    if (c->max_operands > 0 && !c->operands.empty())
      specs += Cat(" \\\n        '", c->max_operands > 1 ? "*" : "", ":", ZshQuoted(c->operands),
                   ":_files'");
    cases += Cat("    '", c->name, "')\n      _arguments -s -S : \\\n", specs, " ;;\n");
  }
  top_list += "    'help:list the commands'\n";
  return Cat(
      "#compdef c2sieve\n"
      "# zsh completion for c2sieve. Generated from its --help text\n"
      "# (cli/command_specs.cc); do not edit.\n"
      "_c2sieve() {\n"
      "  local cmd\n"
      "  local -a commands kinds\n"
      "  commands=(\n",
      top_list,
      "  )\n"
      "  if (( CURRENT == 2 )); then\n"
      "    _describe -t commands 'c2sieve command' commands\n"
      "    return\n"
      "  fi\n"
      "  cmd=${words[2]}\n"
      "  if [[ $cmd == import ]]; then\n"
      "    kinds=(\n",
      import_list,
      "    )\n"
      "    if (( CURRENT == 3 )); then\n"
      "      _describe -t kinds 'what to import' kinds\n"
      "      return\n"
      "    fi\n"
      "    cmd=\"import ${words[3]}\"\n"
      "    shift 2 words; (( CURRENT -= 2 ))\n"
      "  else\n"
      "    shift words; (( CURRENT-- ))\n"
      "  fi\n"
      "  case $cmd in\n",
      cases,
      "  esac\n"
      "}\n"
      "_c2sieve \"$@\"\n");
}

}  // namespace c2s::cli
