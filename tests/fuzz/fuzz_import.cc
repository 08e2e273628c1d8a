// The importers on arbitrary input: the first byte picks one (EQL, Elastic
// rule TOML, Sigma YAML, Kibana exceptions NDJSON, a domain feed as a list,
// a hosts file, CSV, a STIX 2.1 bundle or MISP events). A clear error or a
// result, never a crash; an EQL
// query that parses writes a condition the ruleset loader reads back, and
// so does a feed that holds a name.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "import/elastic_rule.h"
#include "import/feed.h"
#include "import/eql.h"
#include "import/kibana_exceptions.h"
#include "import/ruleset_writer.h"
#include "import/sigma.h"
#include "rules/ruleset_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 9) {
    case 0: {
      c2s::import::EqlError error;
      auto node = c2s::import::ParseEql(text, &error);
      if (!node.ok()) {
        if (error.line < 1 || error.column < 1) std::abort();  // always a position
        return 0;
      }
      c2s::rules::Rule r;
      r.id = "fuzz";
      r.name = "fuzz";
      r.severity = "low";
      r.query = *node;
      auto doc = c2s::import::RulesetDocument({{"name", "fuzz"}}, {r});
      if (!doc.ok()) std::abort();  // the parser refuses what JSON cannot carry
      auto back = c2s::rules::ParseRuleset(*doc, "fuzz.json");
      // What the parser accepts, the format holds -- but for patterns over
      // the loader's 1 KiB bound.
      if (!back.ok() && back.status().message().find("longer than") == std::string::npos)
        std::abort();
      return 0;
    }
    case 1:
      (void)c2s::import::ImportElasticRule(text, "fuzz.toml", {});
      return 0;
    case 2:
      (void)c2s::import::ImportSigmaRule(text, "fuzz.yml");
      return 0;
    case 4:
    case 5:
    case 6:
    case 7:
    case 8: {
      static const char* const kFormats[] = {"list", "hosts", "csv", "stix", "misp"};
      c2s::import::FeedOptions o;
      o.format = kFormats[data[0] % 9 - 4];
      o.column = "2";
      o.id = "fuzz-feed";
      o.name = "fuzz feed";
      auto feed = c2s::import::ParseFeed(text, "fuzz.feed", o);
      if (!feed.ok()) return 0;
      auto doc = c2s::import::FeedRuleset(*feed, o, "fuzz.feed");
      if (feed->names.empty() && feed->wildcards.empty()) {
        if (doc.ok()) std::abort();  // an empty feed is refused
        return 0;
      }
      if (!doc.ok() || !c2s::rules::ParseRuleset(*doc, "fuzz.json").ok()) std::abort();
      return 0;
    }
    default: {
      c2s::import::ExceptionsReport report;
      (void)c2s::import::ConvertKibanaExceptions(text, "fuzz.ndjson", {}, &report);
      return 0;
    }
  }
}
