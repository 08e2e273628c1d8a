// Helpers shared by the engine tests: file access, JSON checks, an engine
// with one session, and a builder for ECS DNS events.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/engine_core.h"
#include "runtime/session.h"

namespace c2s::testing {

std::string SourcePath(std::string_view relative);  // in the repository
std::string SharedPath(std::string_view relative);  // in ../shared
std::string ReadFileOrDie(const std::string& path);

// Every NDJSON corpus of events the project has (samples, test events, the
// recorded Sysmon events of ../shared), for checks over all of them.
std::vector<std::string> EventCorpora();

// The wildcard list a commented node of a rule holds (the node itself, or
// its wildcard child on a field other than dns.question.name), or nullptr.
const rules::Node* FindCommentedList(const rules::Node& n, const std::string& comment);

// Valid JSON and no object with a repeated key anywhere.
bool IsValidJson(std::string_view text);
bool HasDuplicateKeys(std::string_view text);

struct Harness {
  // Built-in ruleset, optional exclusions JSON text, canonical mode unless
  // told otherwise. `prefilter` false reads every event (its profile is
  // then always known, and every malformed event is an error).
  explicit Harness(const std::string& exclusions_json = "",
                   event::MatchMode mode = event::MatchMode::kCanonical,
                   std::string force_profile = "",
                   std::vector<std::string> enable_profiles = {}, bool prefilter = true);
  Harness(std::vector<rules::Ruleset> rulesets, bool builtin,
          std::vector<std::string> enable_profiles = {});

  // The event is kept until the next call, so the result's view stays valid.
  runtime::JsonResult Eval(std::string event) {
    last_input = std::move(event);
    return session->EvalJson(last_input);
  }
  bool Matches(std::string event) { return Eval(std::move(event)).matched_rules > 0; }

  std::shared_ptr<runtime::EngineCore> core;
  std::unique_ptr<runtime::Session> session;
  std::string last_input;
};

// An ECS event that the built-in rule matches unless a setter changes that:
// Windows, network, a listed domain, a process in a user-writable folder,
// an ordinary domain user.
class Event {
 public:
  Event();
  Event& Domain(std::string v) { return Set("/dns/question/name", v); }
  Event& Exe(std::string v);  // sets process.executable and process.name
  Event& Name(std::string v) { return Set("/process/name", v); }
  Event& Signer(std::string v) { return Set("/process/code_signature/subject_name", v); }
  Event& Trusted(nlohmann::json v) { return Set("/process/code_signature/trusted", v); }
  Event& UserId(std::string v) { return Set("/user/id", v); }
  Event& UserDomain(std::string v) { return Set("/user/domain", v); }
  Event& Set(const std::string& pointer, nlohmann::json v);
  Event& Erase(const std::string& pointer);
  std::string Json() const { return doc_.dump(); }
  operator std::string() const { return Json(); }

 private:
  nlohmann::ordered_json doc_;
};

}  // namespace c2s::testing
