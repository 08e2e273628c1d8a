#include "config/exclusions_watcher.h"

#include "rules/exclusions_loader.h"
#include "util/clock.h"
#include "util/strings.h"

namespace c2s::config {

void RecompileIfDue(runtime::EngineCore& core, const LogFn& log) {
  core.ReleaseRetired();
  auto done = core.RecompileIfDue(NowMs());
  if (!done.ok())
    log(2, Cat(done.status().message(), "; keeping the rules in force"));
  else if (*done)
    log(0, "an indicator's validity window opened or closed: rules recompiled");
}

namespace {

WatchTarget ExclusionsTarget(const std::shared_ptr<runtime::EngineCore>& core, const std::string& source,
                             LogFn log) {
  core->SetWatchedSource(source);
  WatchTarget t;
  t.what = "exclusions";
  t.max_bytes = rules::kMaxExclusionsBytes;
  t.apply = [core, log](const std::string& text, const std::string& origin, const std::string& hash) {
    auto parsed = rules::ParseExclusions(text, origin);
    if (!parsed.ok()) {
      core->NoteRejectedExclusions(parsed.status());
      return parsed.status();
    }
    absl::Status st = core->SetExclusions(&*parsed, hash);  // counts a rejection itself
    if (!st.ok()) return st;
    for (const auto& w : parsed->warnings) log(1, w);
    log(0, Cat("exclusions ", origin, " applied (", parsed->entries.size(), " entries, version ",
               hash, ")"));
    return absl::OkStatus();
  };
  t.fetch_failed = [core](const absl::Status& why) { core->NoteFetchFailure(why); };
  t.current = [core] { core->NoteFetchSuccess(); };
  // Rules whose indicators' windows changed are recompiled by any watcher.
  t.tick = [core, log] { RecompileIfDue(*core, log); };
  return t;
}

}  // namespace

ExclusionsWatcher::ExclusionsWatcher(std::shared_ptr<runtime::EngineCore> core, Options options,
                                     LogFn log)
    : SourceWatcher(ExclusionsTarget(core, options.source, log), options, log),
      core_(std::move(core)) {}

ExclusionsWatcher::~ExclusionsWatcher() {
  Stop();
  core_->SetWatchedSource("");
}

}  // namespace c2s::config
