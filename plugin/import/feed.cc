#include "import/feed.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "event/canonical.h"
#include "import/ruleset_writer.h"
#include "rules/rule_model.h"
#include "util/strings.h"

namespace c2s::import {

namespace {

constexpr std::string_view kField = "dns.question.name";

// (This Abseil's string_view is not std::string_view: small local helpers.)
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsIpv4(std::string_view s) {
  std::vector<std::string_view> parts = Split(s, '.');
  if (parts.size() != 4) return false;
  for (auto p : parts)
    if (!AllDigits(p) || p.size() > 3 || std::stoi(std::string(p)) > 255) return false;
  return true;
}

// An address as the first field of a hosts line (IPv4, or IPv6 by its colons).
bool IsAddress(std::string_view s) {
  if (IsIpv4(s)) return true;
  return std::count(s.begin(), s.end(), ':') >= 2 &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return absl::ascii_isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
         });
}

}  // namespace

std::string NormalizeDomainEntry(std::string_view entry, std::string* out) {
  std::string_view e = TrimSpace(entry);
  if (e.find("://") != std::string_view::npos || e.find('/') != std::string_view::npos)
    return "a URL, not a domain name";
  if (e.find(':') != std::string_view::npos)
    return IsAddress(e) ? "an IP address" : "a host with a port, not a domain name";
  bool wildcard = e.size() > 2 && e[0] == '*' && e[1] == '.';
  if (wildcard) e.remove_prefix(2);
  if (e.find('*') != std::string_view::npos) return "a wildcard other than a leading \"*.\"";
  if (!e.empty() && e.back() == '.') e.remove_suffix(1);
  if (e.empty()) return "empty";
  std::string name;
  if (std::any_of(e.begin(), e.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    if (!event::DomainToAscii(e, /*transitional=*/false, &name)) return "not a valid IDN name";
  } else {
    name = std::string(e);
    absl::AsciiStrToLower(&name);
  }
  if (IsIpv4(name)) return "an IP address";
  if (AllDigits(name.substr(name.rfind('.') + 1))) return "ends in a number, not a top-level domain";
  if (name.size() > 253) return "longer than 253 characters";
  std::vector<std::string_view> labels = Split(name, '.');
  if (labels.size() < 2) return "a single label, not a domain name";
  for (auto l : labels) {
    if (l.empty()) return "an empty label";
    if (l.size() > 63) return "a label longer than 63 characters";
    if (l.front() == '-' || l.back() == '-') return "a label starting or ending with '-'";
    for (char c : l)
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
        return absl::StrCat("the character '", std::string(1, c), "'");
  }
  *out = wildcard ? "*." + name : name;
  return "";
}

namespace {

// Names a hosts file lists for the machine itself, not as indicators.
bool HostsBoilerplate(std::string_view name) {
  static const std::set<std::string, std::less<>> kNames = {
      "localhost", "localhost.localdomain", "local", "broadcasthost", "ip6-localhost",
      "ip6-loopback", "ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters",
      "ip6-allhosts", "0.0.0.0"};
  std::string lower(name);
  absl::AsciiStrToLower(&lower);
  return kNames.count(lower) > 0;
}

// A line without its comment ("#" at its start or after blank space).
std::string_view Uncommented(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i)
    if (line[i] == '#' && (i == 0 || IsAsciiSpace(line[i - 1])))
      return line.substr(0, i);
  return line;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsAsciiSpace(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !IsAsciiSpace(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// CSV rows (RFC 4180: quoted fields may hold commas, quotes doubled and
// newlines), each with the line it starts on.
struct CsvRow {
  size_t line;
  std::vector<std::string> fields;
};
absl::StatusOr<std::vector<CsvRow>> CsvRows(std::string_view text, const std::string& origin) {
  std::vector<CsvRow> rows;
  size_t line = 1, i = 0;
  while (i < text.size()) {
    CsvRow row{line, {}};
    std::string field;
    bool quoted = false, row_done = false;
    size_t quote_line = line;
    while (i < text.size() && !row_done) {
      char c = text[i++];
      if (quoted) {
        if (c == '"' && i < text.size() && text[i] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') ++line;
          field += c;
        }
      } else if (c == '"' && field.empty()) {
        quoted = true;
        quote_line = line;
      } else if (c == ',') {
        row.fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        ++line;
        row_done = true;
      } else if (c != '\r') {
        field += c;
      }
    }
    if (quoted)
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ":", quote_line, ": a quoted field is never closed"));
    row.fields.push_back(std::move(field));
    if (!(row.fields.size() == 1 && TrimSpace(row.fields[0]).empty()))
      rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

void FeedBuilder::Add(std::string_view entry, size_t line, const std::string& pointer,
                      const rules::IndicatorMeta* meta) {
  std::string name;
  std::string why = NormalizeDomainEntry(entry, &name);
  if (!why.empty()) {
    Skip(line, pointer, std::string(TrimSpace(entry)), std::move(why));
    return;
  }
  bool wildcard = name.rfind("*.", 0) == 0;
  if (!seen_.emplace(name, wildcard).second) {
    ++feed_.duplicates;
    return;
  }
  if (meta != nullptr) feed_.meta.emplace(name, *meta);
}

void FeedBuilder::Skip(size_t line, std::string pointer, std::string entry, std::string reason) {
  feed_.skipped.push_back({line, std::move(pointer), std::move(entry), std::move(reason)});
}

Feed FeedBuilder::Finish() {
  for (const auto& [name, wildcard] : seen_) (wildcard ? feed_.wildcards : feed_.names).push_back(name);
  std::sort(feed_.names.begin(), feed_.names.end());
  std::sort(feed_.wildcards.begin(), feed_.wildcards.end());
  seen_.clear();
  return std::move(feed_);
}

absl::StatusOr<Feed> ParseFeed(std::string_view text, const std::string& origin,
                               const FeedOptions& options) {
  FeedBuilder builder;
  Feed& feed = builder.feed();
  auto add = [&](std::string_view entry, size_t line) { builder.Add(entry, line, ""); };
  if (options.format == "list" || options.format == "hosts") {
    size_t line_no = 0;
    for (std::string_view line : Split(text, '\n')) {
      ++line_no;
      std::vector<std::string_view> fields = Fields(Uncommented(line));
      if (fields.empty()) continue;
      if (options.format == "list") {
        if (fields.size() > 1) {
          builder.Skip(line_no, "", std::string(TrimSpace(line)), "more than one entry on the line");
          continue;
        }
        add(fields[0], line_no);
        continue;
      }
      if (!IsAddress(fields[0])) {
        builder.Skip(line_no, "", std::string(TrimSpace(line)), "not a hosts line (no address first)");
        continue;
      }
      for (size_t k = 1; k < fields.size(); ++k) {
        if (HostsBoilerplate(fields[k]))
          ++feed.system_names;
        else
          add(fields[k], line_no);
      }
    }
  } else if (options.format == "csv") {
    auto rows = CsvRows(text, origin);
    if (!rows.ok()) return rows.status();
    size_t column = 0, first = 0;
    if (options.column.empty())
      return absl::InvalidArgumentError("csv: say which column holds the domains (a header name or a number)");
    if (AllDigits(options.column)) {
      column = options.column.size() > 6 ? 0 : std::stoul(options.column);
      if (column == 0) return absl::InvalidArgumentError("csv: columns are numbered from 1");
      --column;
    } else {
      if (rows->empty()) return absl::InvalidArgumentError(absl::StrCat(origin, ": no header row"));
      const auto& header = (*rows)[0].fields;
      auto it = std::find_if(header.begin(), header.end(), [&](const std::string& h) {
        return TrimSpace(h) == options.column;
      });
      if (it == header.end())
        return absl::InvalidArgumentError(
            absl::StrCat(origin, ":", (*rows)[0].line, ": no column \"", options.column,
                         "\" in the header (columns: ", absl::StrJoin(header, ", "), ")"));
      column = static_cast<size_t>(it - header.begin());
      first = 1;
    }
    for (size_t r = first; r < rows->size(); ++r) {
      const CsvRow& row = (*rows)[r];
      if (column >= row.fields.size()) {
        builder.Skip(row.line, "", absl::StrJoin(row.fields, ","),
                     absl::StrCat("no column ", column + 1, " on the row"));
        continue;
      }
      add(row.fields[column], row.line);
    }
  } else if (options.format == "stix") {
    if (auto st = ParseStixBundle(text, origin, &builder); !st.ok()) return st;
  } else if (options.format == "misp") {
    if (auto st = ParseMispEvents(text, origin, &builder); !st.ok()) return st;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown feed format \"", options.format, "\" (list, hosts, csv, stix, misp)"));
  }
  return builder.Finish();
}

absl::StatusOr<rules::Rule> FeedRule(const Feed& feed, const FeedOptions& options,
                                     const std::string& origin) {
  if (options.id.empty() || options.name.empty())
    return absl::InvalidArgumentError("a feed rule needs an id and a name (--id, --name)");
  if (feed.names.empty() && feed.wildcards.empty())
    return absl::InvalidArgumentError(absl::StrCat(origin, ": no domain name in the feed (",
                                                   feed.skipped.size(), " entries skipped)"));
  std::string provider = options.provider.empty() ? feed.source_provider : options.provider;
  rules::Rule r;
  r.id = options.id;
  r.name = options.name;
  r.description = absl::StrCat("A DNS query for a domain of the threat-intelligence feed \"",
                               options.name, "\"",
                               provider.empty() ? "" : " (" + provider + ")", ".");
  r.author = {provider.empty() ? std::string("c2sieve import feed") : provider};
  if (!options.reference.empty()) r.references = {options.reference};
  r.severity = options.severity;
  r.risk_score = options.risk_score;
  r.tags = {"c2sieve: threat intel"};
  // The rule is its indicators: the engine matches them as EQL's ":"
  // would (case-insensitive; a checked name holds no wildcard character,
  // so it matches only itself), and a match names its indicator in
  // threat.enrichments.
  auto set = std::make_shared<rules::IndicatorSet>();
  set->field = std::string(kField);
  set->provider = options.provider.empty() ? feed.source_provider : options.provider;
  set->reference = options.reference;
  set->metas.assign(1, rules::IndicatorMeta{});
  for (const auto* list : {&feed.names, &feed.wildcards})
    for (const std::string& v : *list) {
      rules::Indicator item{v, 0};
      if (auto it = feed.meta.find(v); it != feed.meta.end()) {
        item.meta = static_cast<uint32_t>(set->metas.size());
        set->metas.push_back(it->second);
      }
      set->items.push_back(std::move(item));
    }
  std::sort(set->items.begin(), set->items.end(),
            [](const rules::Indicator& a, const rules::Indicator& b) { return a.value < b.value; });
  r.indicators = std::move(set);
  return r;
}

absl::StatusOr<std::string> FeedRuleset(const Feed& feed, const FeedOptions& options,
                                        const std::string& origin) {
  auto rule = FeedRule(feed, options, origin);
  if (!rule.ok()) return rule.status();
  const rules::Rule& r = *rule;
  OrderedJson header = OrderedJson::object();
  header["name"] = absl::StrCat("feed-", options.id);
  header["source"] = {{"feed", origin},
                      {"format", options.format},
                      {"names", std::to_string(feed.names.size() + feed.wildcards.size())},
                      {"skipped", std::to_string(feed.skipped.size())}};
  if (!r.indicators->provider.empty()) header["source"]["provider"] = r.indicators->provider;
  return RulesetDocument(header, {r});
}

}  // namespace c2s::import
