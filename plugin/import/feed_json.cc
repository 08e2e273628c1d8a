// The JSON feed formats: STIX 2.1 bundles and MISP events. Both name each
// entry by its JSON pointer; what is not a domain indicator is skipped
// with the reason, never guessed at.
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "import/feed.h"
#include "rules/indicators.h"
#include "rules/json_reader.h"

namespace c2s::import {

namespace {

using rules::ChildPointer;
using rules::Json;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string StringAt(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A timestamp the feed gives, checked: "" when absent; an error naming the
// pointer when it is not RFC 3339.
absl::Status ReadTime(const Json& obj, const std::string& ptr, const char* key, std::string* text,
                      int64_t* ms) {
  *text = StringAt(obj, key);
  if (text->empty()) return absl::OkStatus();
  auto parsed = rules::ParseTimestampMs(*text);
  if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat(ChildPointer(ptr, key), ": ", parsed.status().message()));
  if (ms) *ms = *parsed;
  return absl::OkStatus();
}

// --- STIX 2.1 patterns ----------------------------------------------------
//
// Only what is a list of domain names is taken: observation expressions
// "[...]" joined by OR, each a comparison "domain-name:value = '<name>'"
// or several joined by OR. AND, other objects or properties, other
// operators (LIKE, MATCHES, IN ...) and qualifiers (WITHIN, REPEATS ...)
// make the pattern something other than "any of these names", so it is
// skipped with the reason.
class StixPattern {
 public:
  explicit StixPattern(std::string_view p) : p_(p) {}

  // The names, or "" and *why.
  bool Parse(std::vector<std::string>* names, std::string* why) {
    do {
      Blank();
      if (!Eat('[')) return Fail("expected '[' (an observation expression)", why);
      do {
        if (!Comparison(names, why)) return false;
      } while (Word("OR"));
      Blank();
      if (!Eat(']')) return Fail(Rest("expected OR or ']'"), why);
    } while (Word("OR"));
    Blank();
    if (i_ != p_.size()) return Fail(Rest("expected OR between observations"), why);
    return true;
  }

 private:
  bool Fail(std::string reason, std::string* why) {
    *why = std::move(reason);
    return false;
  }
  std::string Rest(const char* what) {
    std::string_view rest = p_.substr(i_, 24);
    return absl::StrCat(what, ", found \"", std::string(rest), "\"");
  }
  void Blank() {
    while (i_ < p_.size() && (p_[i_] == ' ' || p_[i_] == '\t' || p_[i_] == '\n' || p_[i_] == '\r')) ++i_;
  }
  bool Eat(char c) {
    Blank();
    if (i_ < p_.size() && p_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool Word(std::string_view w) {
    Blank();
    if (p_.substr(i_, w.size()) != w) return false;
    size_t end = i_ + w.size();
    if (end < p_.size() && (std::isalnum(static_cast<unsigned char>(p_[end])) || p_[end] == '_')) return false;
    i_ = end;
    return true;
  }
  bool Comparison(std::vector<std::string>* names, std::string* why) {
    Blank();
    size_t start = i_;
    while (i_ < p_.size() && p_[i_] != ' ' && p_[i_] != '=' && p_[i_] != '!' && p_[i_] != ']' &&
           p_[i_] != '\t')
      ++i_;
    std::string_view path = p_.substr(start, i_ - start);
    if (path != "domain-name:value")
      return Fail(absl::StrCat("compares ", std::string(path.empty() ? "nothing" : path),
                               ", not domain-name:value"),
                  why);
    Blank();
    if (!Eat('=') || (i_ < p_.size() && p_[i_] == '='))
      return Fail(Rest("only '=' comparisons are taken"), why);
    Blank();
    if (!Eat('\'')) return Fail(Rest("expected a quoted string"), why);
    std::string value;
    while (i_ < p_.size() && p_[i_] != '\'') {
      if (p_[i_] == '\\' && i_ + 1 < p_.size()) ++i_;  // \' and \\ escapes
      value += p_[i_++];
    }
    if (!Eat('\'')) return Fail("a string is never closed", why);
    names->push_back(std::move(value));
    if (Word("AND")) return Fail("joins comparisons with AND: not a list of names", why);
    return true;
  }

  std::string_view p_;
  size_t i_ = 0;
};

// The first external reference with a URL.
std::string ExternalUrl(const Json& obj) {
  auto refs = obj.find("external_references");
  if (refs == obj.end() || !refs->is_array()) return "";
  for (const auto& r : *refs)
    if (r.is_object())
      if (std::string url = StringAt(r, "url"); !url.empty()) return url;
  return "";
}

absl::Status ParseRoot(std::string_view text, const std::string& origin, Json* doc) {
  rules::LoadContext ctx(origin, text);
  return rules::ParseJsonText(ctx, text, doc);
}

}  // namespace

absl::Status ParseStixBundle(std::string_view text, const std::string& origin, FeedBuilder* b) {
  Json doc;
  if (auto st = ParseRoot(text, origin, &doc); !st.ok()) return st;
  if (!doc.is_object() || StringAt(doc, "type") != "bundle" || !doc.contains("objects") ||
      !doc["objects"].is_array())
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ": not a STIX 2.1 bundle (an object with \"type\": \"bundle\" "
                             "and an \"objects\" array)"));
  const Json& objects = doc["objects"];
  // Identities, for the provider's name.
  std::string creator;
  for (const auto& o : objects)
    if (o.is_object() && StringAt(o, "type") == "indicator" && creator.empty())
      creator = StringAt(o, "created_by_ref");
  for (const auto& o : objects)
    if (o.is_object() && StringAt(o, "type") == "identity" && StringAt(o, "id") == creator)
      b->feed().source_provider = StringAt(o, "name");
  int64_t now = NowMs();
  for (size_t i = 0; i < objects.size(); ++i) {
    const Json& o = objects[i];
    std::string ptr = ChildPointer("/objects", i);
    if (!o.is_object()) {
      b->Skip(0, ptr, "", "not an object");
      continue;
    }
    std::string type = StringAt(o, "type");
    if (type == "domain-name") {
      rules::IndicatorMeta m;
      m.id = StringAt(o, "id");
      b->Add(StringAt(o, "value"), 0, ChildPointer(ptr, "value"), &m);
      continue;
    }
    if (type != "indicator") continue;  // identities, relationships ...: not entries
    std::string id = StringAt(o, "id");
    if (o.value("revoked", false)) {
      b->Skip(0, ptr, id, "revoked");
      continue;
    }
    std::string pattern_type = StringAt(o, "pattern_type");
    if (pattern_type != "stix") {
      b->Skip(0, ChildPointer(ptr, "pattern_type"), id,
              absl::StrCat("a ", pattern_type.empty() ? "missing" : "\"" + pattern_type + "\"",
                           " pattern type, not \"stix\""));
      continue;
    }
    std::vector<std::string> names;
    std::string why;
    std::string pattern = StringAt(o, "pattern");
    if (!StixPattern(pattern).Parse(&names, &why)) {
      b->Skip(0, ChildPointer(ptr, "pattern"), pattern, "the pattern " + why);
      continue;
    }
    rules::IndicatorMeta m;
    m.id = id;
    m.name = StringAt(o, "name");
    m.description = StringAt(o, "description");
    m.reference = ExternalUrl(o);
    if (auto c = o.find("confidence"); c != o.end() && c->is_number_integer())
      m.confidence = rules::ConfidenceWord(c->get<int64_t>());
    absl::Status st = ReadTime(o, ptr, "valid_from", &m.valid_from, &m.valid_from_ms);
    if (st.ok()) st = ReadTime(o, ptr, "valid_until", &m.valid_until, &m.valid_until_ms);
    if (st.ok()) st = ReadTime(o, ptr, "created", &m.first_seen, nullptr);
    if (st.ok()) st = ReadTime(o, ptr, "modified", &m.modified_at, nullptr);
    if (st.ok() && m.valid_until_ms <= m.valid_from_ms)
      st = absl::InvalidArgumentError(ChildPointer(ptr, "valid_until") + ": not later than valid_from");
    if (!st.ok()) {
      b->Skip(0, ptr, id, std::string(st.message()));
      continue;
    }
    if (auto labels = o.find("labels"); labels != o.end() && labels->is_array())
      for (const auto& l : *labels)
        if (l.is_string()) m.labels.push_back(l.get<std::string>());
    if (now >= m.valid_until_ms) b->feed().expired += names.size();
    for (const std::string& n : names) b->Add(n, 0, ChildPointer(ptr, "pattern"), &m);
  }
  return absl::OkStatus();
}

absl::Status ParseMispEvents(std::string_view text, const std::string& origin, FeedBuilder* b) {
  Json doc;
  if (auto st = ParseRoot(text, origin, &doc); !st.ok()) return st;
  // An event export ({"Event": ...}), a REST search ({"response": [...]})
  // or a list of events.
  std::vector<std::pair<const Json*, std::string>> events;
  auto add_list = [&](const Json& list, const std::string& ptr) {
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i].is_object() && list[i].contains("Event") && list[i]["Event"].is_object())
        events.emplace_back(&list[i]["Event"], ChildPointer(ChildPointer(ptr, i), "Event"));
  };
  if (doc.is_object() && doc.contains("Event") && doc["Event"].is_object())
    events.emplace_back(&doc["Event"], "/Event");
  else if (doc.is_object() && doc.contains("response") && doc["response"].is_array())
    add_list(doc["response"], "/response");
  else if (doc.is_array())
    add_list(doc, "");
  if (events.empty())
    return absl::InvalidArgumentError(absl::StrCat(
        origin, ": not a MISP event (an object with \"Event\", a search \"response\", or a list of them)"));
  for (const auto& [event, eptr] : events) {
    if (b->feed().source_provider.empty())
      if (auto orgc = event->find("Orgc"); orgc != event->end() && orgc->is_object())
        b->feed().source_provider = StringAt(*orgc, "name");
    std::vector<std::string> event_tags;
    if (auto tags = event->find("Tag"); tags != event->end() && tags->is_array())
      for (const auto& t : *tags)
        if (t.is_object() && !StringAt(t, "name").empty()) event_tags.push_back(StringAt(t, "name"));
    std::string info = StringAt(*event, "info");
    auto attributes = [&](const Json& list, const std::string& lptr) {
      for (size_t i = 0; i < list.size(); ++i) {
        const Json& a = list[i];
        std::string ptr = ChildPointer(lptr, i);
        if (!a.is_object()) {
          b->Skip(0, ptr, "", "not an object");
          continue;
        }
        std::string type = StringAt(a, "type"), value = StringAt(a, "value");
        if (type != "domain" && type != "hostname" && type != "domain|ip") {
          b->Skip(0, ptr, value, absl::StrCat("type \"", type, "\" is not a domain"));
          continue;
        }
        if (a.value("deleted", false)) {
          b->Skip(0, ptr, value, "deleted");
          continue;
        }
        // MISP writes to_ids as a boolean, older exports as "0"/"1".
        auto ids = a.find("to_ids");
        bool to_ids = ids != a.end() && ((ids->is_boolean() && ids->get<bool>()) ||
                                         (ids->is_string() && ids->get<std::string>() == "1"));
        if (!to_ids) {
          b->Skip(0, ptr, value, "to_ids is not set: not meant for detection");
          continue;
        }
        if (type == "domain|ip") value = value.substr(0, value.find('|'));
        rules::IndicatorMeta m;
        m.id = StringAt(a, "uuid");
        m.name = info;
        m.description = StringAt(a, "comment");
        m.labels = event_tags;
        if (auto tags = a.find("Tag"); tags != a.end() && tags->is_array())
          for (const auto& t : *tags)
            if (t.is_object() && !StringAt(t, "name").empty()) m.labels.push_back(StringAt(t, "name"));
        absl::Status st = ReadTime(a, ptr, "first_seen", &m.first_seen, nullptr);
        if (st.ok()) st = ReadTime(a, ptr, "last_seen", &m.last_seen, nullptr);
        if (!st.ok()) {
          b->Skip(0, ptr, value, std::string(st.message()));
          continue;
        }
        std::string stamp = StringAt(a, "timestamp");
        if (!stamp.empty() && stamp.size() <= 12 &&
            stamp.find_first_not_of("0123456789") == std::string::npos)
          m.modified_at = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                                           absl::FromUnixSeconds(std::stoll(stamp)), absl::UTCTimeZone());
        b->Add(value, 0, ChildPointer(ptr, "value"), &m);
      }
    };
    if (auto list = event->find("Attribute"); list != event->end() && list->is_array())
      attributes(*list, ChildPointer(eptr, "Attribute"));
    if (auto objs = event->find("Object"); objs != event->end() && objs->is_array())
      for (size_t k = 0; k < objs->size(); ++k)
        if ((*objs)[k].is_object())
          if (auto list = (*objs)[k].find("Attribute"); list != (*objs)[k].end() && list->is_array())
            attributes(*list, ChildPointer(ChildPointer(ChildPointer(eptr, "Object"), k), "Attribute"));
  }
  return absl::OkStatus();
}

}  // namespace c2s::import
