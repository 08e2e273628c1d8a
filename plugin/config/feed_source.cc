#include "config/feed_source.h"

#include "import/feed.h"
#include "rules/ruleset_loader.h"
#include "util/strings.h"

namespace c2s::config {

namespace {

// The kind of a document by its first bytes and the keys it holds.
std::string Sniff(const std::string& text) {
  size_t i = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) ++i;
  if (i < text.size() && (text[i] == '{' || text[i] == '[')) {
    if (text.find("\"c2sieve.ruleset/1\"") != std::string::npos) return "ruleset";
    if (text.find("\"bundle\"") != std::string::npos && text.find("\"objects\"") != std::string::npos)
      return "stix";
    if (text.find("\"Event\"") != std::string::npos) return "misp";
    return "ruleset";  // the loader says what is wrong with it
  }
  // Text: a hosts file when its first entry starts with an address.
  size_t line = i;
  while (line < text.size()) {
    size_t end = text.find('\n', line);
    if (end == std::string::npos) end = text.size();
    std::string l = text.substr(line, end - line);
    size_t a = l.find_first_not_of(" \t\r");
    if (a != std::string::npos && l[a] != '#') {
      size_t b = l.find_first_of(" \t", a);
      std::string first = l.substr(a, b == std::string::npos ? std::string::npos : b - a);
      bool address = !first.empty() && first.find_first_not_of("0123456789.:abcdefABCDEF") == std::string::npos &&
                     (std::count(first.begin(), first.end(), '.') == 3 ||
                      std::count(first.begin(), first.end(), ':') >= 2);
      return address && b != std::string::npos ? "hosts" : "list";
    }
    line = end + 1;
  }
  return "list";
}

}  // namespace

std::string FeedRuleId(const std::string& source) {
  std::string name = source;
  if (size_t q = name.find_first_of("?#"); q != std::string::npos) name.resize(q);
  while (!name.empty() && name.back() == '/') name.pop_back();
  if (size_t slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
  if (size_t dot = name.find('.'); dot != std::string::npos) name.resize(dot);
  std::string id;
  for (char c : name)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
      id += c;
  return id.empty() ? "feed" : "feed-" + id;
}

absl::StatusOr<SourceDocument> ReadRulesetOrFeed(const std::string& text, const std::string& source) {
  SourceDocument doc;
  doc.kind = Sniff(text);
  if (doc.kind == "ruleset") {
    auto rs = rules::ParseRuleset(text, source);
    if (!rs.ok()) return rs.status();
    doc.ruleset = std::move(*rs);
    return doc;
  }
  import::FeedOptions options;
  options.format = doc.kind;
  options.id = FeedRuleId(source);
  options.name = Cat("Threat-intel feed ", source.substr(source.rfind('/') + 1));
  options.reference = source.find("://") != std::string::npos ? source : "";
  auto feed = import::ParseFeed(text, source, options);
  if (!feed.ok()) return feed.status();
  auto rule = import::FeedRule(*feed, options, source);
  if (!rule.ok()) return rule.status();
  if (!feed->skipped.empty()) {
    const auto& first = feed->skipped.front();
    doc.notes.push_back(Cat(source, " (a ", doc.kind, " feed): ", feed->skipped.size(),
                            " entries skipped, the first at ",
                            first.pointer.empty() ? Cat("line ", first.line) : first.pointer, ": ",
                            first.reason));
  }
  doc.ruleset.name = options.id;
  doc.ruleset.origin = source;
  rule->ruleset = options.id;
  doc.ruleset.rules.push_back(std::move(*rule));
  return doc;
}

}  // namespace c2s::config
