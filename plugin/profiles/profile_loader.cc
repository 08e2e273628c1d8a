#include "profiles/profile_loader.h"

#include "profiles/builtin_profiles.h"
#include "rules/json_reader.h"
#include "util/strings.h"

namespace c2s::profiles {

namespace {

using rules::CheckKeys;
using rules::ChildPointer;
using rules::Json;
using rules::LoadContext;

constexpr std::string_view kFormat = "c2sieve.profiles/1";

absl::Status ReadSource(const LoadContext& ctx, const Json& v,
                        const std::string& ptr, Source* out) {
  if (!v.is_object()) return ctx.Fail(ptr, "a source must be an object");
  if (auto st = CheckKeys(ctx, v, ptr, {"from", "index", "json", "transform", "map"});
      !st.ok())
    return st;
  if (auto st = rules::ReadString(ctx, v, ptr, "from", true, &out->path); !st.ok())
    return st;
  if (auto it = v.find("index"); it != v.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() > 1000)
      return ctx.Fail(ChildPointer(ptr, "index"), "must be a whole number from 0 to 1000");
    out->index = static_cast<int>(it->get<uint64_t>());
  }
  if (auto st = rules::ReadString(ctx, v, ptr, "json", false, &out->json_key); !st.ok())
    return st;
  if (auto it = v.find("transform"); it != v.end()) {
    std::string t = it->is_string() ? it->get<std::string>() : "";
    if (t == "basename") out->transform = Source::Transform::kBasename;
    else if (t == "account_domain") out->transform = Source::Transform::kAccountDomain;
    else if (t == "account_name") out->transform = Source::Transform::kAccountName;
    else if (t == "last_word") out->transform = Source::Transform::kLastWord;
    else
      return ctx.Fail(ChildPointer(ptr, "transform"),
                      "must be one of basename, account_domain, account_name, last_word");
  }
  if (auto it = v.find("map"); it != v.end()) {
    std::string mp = ChildPointer(ptr, "map");
    if (!it->is_object() || it->empty())
      return ctx.Fail(mp, "must be a non-empty object of value -> value");
    for (auto m = it->begin(); m != it->end(); ++m) {
      std::string to;
      if (m->is_boolean()) to = m->get<bool>() ? "true" : "false";
      else if (m->is_string()) to = m->get<std::string>();
      else return ctx.Fail(ChildPointer(mp, m.key()), "must be a string or a boolean");
      if (m->is_string() && (to == "true" || to == "false"))
        return ctx.Fail(ChildPointer(mp, m.key()),
                        "write true or false without quotes for a boolean");
      out->map.emplace_back(m.key(), to);
    }
  }
  return absl::OkStatus();
}

absl::Status ReadProfile(const LoadContext& ctx, const Json& v,
                         const std::string& ptr, Profile* out) {
  if (!v.is_object()) return ctx.Fail(ptr, "a profile must be an object");
  if (auto st = CheckKeys(ctx, v, ptr,
                          {"name", "description", "priority", "auto", "detect",
                           "fields", "defaults", "comment"});
      !st.ok())
    return st;
  out->origin = ctx.Where(ptr);
  if (auto st = rules::ReadString(ctx, v, ptr, "name", true, &out->name); !st.ok())
    return st;
  if (auto st = rules::ReadString(ctx, v, ptr, "description", false, &out->description);
      !st.ok())
    return st;
  if (auto it = v.find("priority"); it != v.end()) {
    if (!it->is_number_integer())
      return ctx.Fail(ChildPointer(ptr, "priority"), "must be a whole number");
    out->priority = it->get<int>();
  }
  if (auto it = v.find("auto"); it != v.end()) {
    if (!it->is_boolean()) return ctx.Fail(ChildPointer(ptr, "auto"), "must be true or false");
    out->auto_detect = it->get<bool>();
  }
  if (auto it = v.find("detect"); it != v.end()) {
    out->has_detect = true;
    if (auto st = rules::ReadNode(ctx, *it, ChildPointer(ptr, "detect"), &out->detect);
        !st.ok())
      return st;
  }
  if (auto it = v.find("fields"); it != v.end()) {
    std::string fp = ChildPointer(ptr, "fields");
    if (!it->is_object()) return ctx.Fail(fp, "must be an object of field -> sources");
    for (auto f = it->begin(); f != it->end(); ++f) {
      std::string sp = ChildPointer(fp, f.key());
      if (!f->is_array()) return ctx.Fail(sp, "must be an array of sources ([] for none)");
      Mapping m;
      m.field = f.key();
      for (size_t i = 0; i < f->size(); ++i) {
        Source s;
        if (auto st = ReadSource(ctx, (*f)[i], ChildPointer(sp, i), &s); !st.ok()) return st;
        m.sources.push_back(std::move(s));
      }
      out->mappings.push_back(std::move(m));
    }
  }
  if (auto it = v.find("defaults"); it != v.end()) {
    std::string dp = ChildPointer(ptr, "defaults");
    if (!it->is_object()) return ctx.Fail(dp, "must be an object of field -> string");
    for (auto d = it->begin(); d != it->end(); ++d) {
      if (!d->is_string())
        return ctx.Fail(ChildPointer(dp, d.key()), "must be a string");
      out->defaults.emplace_back(d.key(), d->get<std::string>());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Profile>> ParseProfiles(std::string_view text,
                                                   const std::string& origin) {
  LoadContext ctx(origin, text);
  Json doc;
  if (auto st = rules::ParseDocument(ctx, text, kFormat,
                                     {"$schema", "format", "profiles", "comment"}, &doc);
      !st.ok())
    return st;
  if (!doc.contains("profiles") || !doc["profiles"].is_array())
    return ctx.Fail("/profiles", "must be an array of profiles");
  std::vector<Profile> out;
  const Json& list = doc["profiles"];
  for (size_t i = 0; i < list.size(); ++i) {
    Profile p;
    std::string ptr = ChildPointer("/profiles", i);
    if (auto st = ReadProfile(ctx, list[i], ptr, &p); !st.ok()) return st;
    for (const auto& seen : out)
      if (seen.name == p.name)
        return ctx.Fail(ChildPointer(ptr, "name"), Cat("duplicate profile name ", p.name));
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<std::vector<Profile>> LoadProfilesFile(const std::string& path) {
  auto text = rules::ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseProfiles(*text, path);
}

absl::StatusOr<std::vector<Profile>> BuiltinProfiles() {
  return ParseProfiles(kBuiltinProfiles, kBuiltinProfilesName);
}

}  // namespace c2s::profiles
