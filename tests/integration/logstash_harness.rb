# Runs integration/logstash/c2sieve.rb inside Logstash's own `ruby` filter
# plugin (../shared/vendor/logstash-filter-ruby, loaded as it is):
# LogStash::Filters::Ruby.new with `path` and `script_params` -- whose
# initialize loads the script and runs its inline tests, as Logstash does
# when the pipeline starts -- then register, then filter from four worker
# threads. Only what Logstash core provides is stood in for
# (tests/integration/logstash_standins, see its README).
#
# The script sits where the docker-compose Logstash image puts it
# (<root>/share/c2sieve/c2sieve.rb beside <root>/lib/libc2sieve.so) and the
# environment holds no C2SIEVE_* variable, as in that container.
#
# Usage: jruby logstash_harness.rb SCRIPT LIBRARY EVENTS EXPECTED VENDOR_LIB
require "json"
require "fileutils"
require "tmpdir"

script_src, library, events_file, expected_file, vendor_lib = ARGV
here = File.dirname(File.expand_path(__FILE__))
$LOAD_PATH.unshift(File.join(here, "logstash_standins"), vendor_lib)
require "logstash/filters/base"
require "logstash/filters/ruby"

ENV.keys.grep(/\AC2SIEVE/).each { |k| ENV.delete(k) }

$passed = 0
$failed = 0
$lock = Mutex.new
def check(ok, what)
  $lock.synchronize do
    if ok
      $passed += 1
    else
      $failed += 1
      puts "FAIL #{what}"
    end
  end
end

root = Dir.mktmpdir("c2sieve-logstash")
at_exit { FileUtils.rm_rf(root) }
FileUtils.mkdir_p(File.join(root, "share/c2sieve"))
script = File.join(root, "share/c2sieve/c2sieve.rb")
FileUtils.cp(script_src, script)
# The image holds the whole bundle: lib/ mirrors the library's folder (the
# portable bundle's libraries are found beside it, through $ORIGIN), and
# lib/libc2sieve.so is the library given (ctest names the versioned file).
lib_dir = File.dirname(File.expand_path(library))
FileUtils.mkdir_p(File.join(root, "lib"))
Dir.children(lib_dir).each { |entry| FileUtils.ln_s(File.join(lib_dir, entry), File.join(root, "lib", entry)) }
FileUtils.rm_f(File.join(root, "lib/libc2sieve.so"))
FileUtils.ln_s(File.expand_path(library), File.join(root, "lib/libc2sieve.so"))

# Events through the plugin as a pipeline worker calls it: the event itself
# unless the script cancelled it, plus any it yielded.
def run_filter(filter, event)
  out = []
  filter.filter(event) { |e| out << e }
  event.cancelled? ? out : [event] + out
end

def make_filter(script, params)
  LogStash::Filters::Ruby.new("path" => script, "script_params" => params)
end

# 1. Start-up as in the container: the plugin runs the inline tests inside
#    initialize (a failure raises ScriptError and the pipeline dies).
filter = begin
  make_filter(script, {})
rescue StandardError, ScriptError => start_error  # not `e`: the worker blocks below use e
  check(false, "the ruby filter did not start: #{start_error.class}: #{start_error.message}")
  nil
end
if filter.nil?
  puts "#{$passed} passed, #{$failed} failed"
  exit 1
end
check(LogStash::Util::LOGGER.lines.any? { |l| l.include?("Test run complete") },
      "the plugin ran the script's inline tests")
filter.register

# 2. NDJSON golden, four worker threads sharing the filter instance.
lines = File.readlines(events_file, chomp: true)
expected = File.readlines(expected_file, chomp: true)
matched = Array.new(lines.size, false)
threads = 4.times.map do |t|
  Thread.new do
    lines.each_with_index do |line, i|
      next unless i % 4 == t
      data = begin
        JSON.parse(line)
      rescue JSON::ParserError
        next
      end
      next unless data.is_a?(Hash)
      before = JSON.generate(data)
      out = run_filter(filter, LogStash::Event.new(data))
      check(out.size == 1, "line #{i + 1}: #{out.size} events returned")
      ev = out.first
      check(!Array(ev.get("tags")).include?("_rubyexception"), "line #{i + 1}: the script raised")
      want = expected[i].include?('"c2sieve":{')
      if !want
        check(JSON.generate(ev.to_hash) == before, "line #{i + 1}: non-matching event changed")
        next
      end
      matched[i] = true
      e = JSON.parse(expected[i])
      check(ev.get("[rule][id]") == e["rule"]["id"], "line #{i + 1}: rule.id")
      check(ev.get("[threat]") == e["threat"], "line #{i + 1}: threat")
      check(ev.get("tags") == e["tags"], "line #{i + 1}: tags #{ev.get('tags').inspect}")
      check(ev.get("[event][risk_score]") == e["event"]["risk_score"], "line #{i + 1}: risk_score")
      check(ev.get("[c2sieve][matches]") == e["c2sieve"]["matches"], "line #{i + 1}: matches")
      check(ev.get("[c2sieve][profile]") == e["c2sieve"]["profile"], "line #{i + 1}: profile")
      if e.key?("rule.name")
        check(ev.get("rule.name") == e["rule.name"], "line #{i + 1}: flattened rule.name")
        check(ev.get("[c2sieve][displaced]") == e["c2sieve"]["displaced"], "line #{i + 1}: displaced")
      end
    end
  end
end
threads.each(&:join)
n = matched.count(true)
check(n > 0, "no event matched: the test proves nothing")
stats = filter.instance_variable_get(:@script).instance_variable_get(:@context)
              .execution_context.c2sieve_stats
check(stats["matches"] == n, "stats.matches #{stats['matches']} != #{n}")

# 3. What an attacker sends: a match is never lost and a record never
#    dropped because of the script (found when attacked: a 512-value cap,
#    and a merge that raised out of filter() on a strict Event#set).
MATCH = { "event" => { "category" => ["network"] }, "host" => { "os" => { "type" => "windows" } },
          "dns" => { "question" => { "name" => "pastebin.com" } },
          "process" => { "name" => "x.exe", "executable" => "C:\\Users\\Public\\x.exe" } }.freeze
def matching(extra)
  JSON.parse(JSON.generate(MATCH)).merge(extra)
end
drop = make_filter(script, { "only-matches" => true })
drop.register
[["601 event.category values", matching("event" => { "category" => (["x"] * 600) + ["network"] })],
 ["600 signature entries", matching("process" => MATCH["process"].merge(
   "Ext" => { "code_signature" => [{ "subject_name" => "x", "trusted" => false }] * 600 }))],
 ["rule is a string", matching("rule" => "str")],
 ["c2sieve is a string", matching("c2sieve" => "str")],
 ["threat is a number", matching("threat" => 7)],
 ["tags is a map", matching("tags" => { "a" => "x" })],
 ["tags is a number", matching("tags" => 5)],
 ["tags is a boolean", matching("tags" => true)]].each do |what, data|
  [filter, drop].each_with_index do |f, mode|
    label = "#{what} (#{mode.zero? ? 'keep' : 'drop'} mode)"
    out = run_filter(f, LogStash::Event.new(JSON.parse(JSON.generate(data))))
    check(out.size == 1, "#{label}: #{out.size} events (a match was dropped)")
    next if out.empty?
    ev = out.first
    check(ev.get("[rule][id]") == "66883649-f908-4a5b-a1e0-54090a1d3a32", "#{label}: not enriched")
    check(!Array(ev.get("tags")).include?("_rubyexception"), "#{label}: the script raised")
    check(ev.get("tags").is_a?(Array) && ev.get("tags").all? { |t| t.is_a?(String) },
          "#{label}: tags #{ev.get('tags').inspect}")
    key = what.split(" ").first
    if data[key].is_a?(String) || data[key].is_a?(Numeric) || data[key] == true ||
       (key == "tags" && data[key].is_a?(Hash))
      check(ev.get("[c2sieve][displaced]").is_a?(Hash) &&
            ev.get("[c2sieve][displaced]")[key] == data[key],
            "#{label}: the overwritten #{key} kept in c2sieve.displaced: #{ev.get('[c2sieve][displaced]').inspect}")
    end
  end
end

# 4. Settings: a typo or a value outside its choices stops the pipeline at
#    register; canonical (default) and parity modes differ as documented.
[{ "modde" => "parity" }, { "mode" => "strict" }, { "only-matches" => "dropp" },
 { "max_depth" => 0 }, { "profile" => %w[a b] }].each do |bad|
  begin
    make_filter(script, bad).register
    check(false, "script_params #{bad.inspect} accepted")
  rescue StandardError, ScriptError => refusal
    check(refusal.message.include?("c2sieve"), "script_params #{bad.inspect}: #{refusal.message}")
  end
end
spelled = { "event" => { "category" => ["network"] }, "host" => { "os" => { "type" => "windows" } },
            "dns" => { "question" => { "name" => "pastebin.com" } },
            "process" => { "name" => "x.exe", "executable" => "\\\\?\\C:\\Program Files\\x.exe" } }
parity = make_filter(script, { "mode" => "parity" })
parity.register
check(run_filter(filter, LogStash::Event.new(JSON.parse(JSON.generate(spelled)))).first.get("rule").nil?,
      "canonical: the namespace-prefixed Program Files path is excluded")
check(!run_filter(parity, LogStash::Event.new(JSON.parse(JSON.generate(spelled)))).first.get("rule").nil?,
      "parity: the namespace-prefixed Program Files path matches")

# mark-excluded: an event an exclusion covered gets c2sieve.excluded and
# nothing of a match; only-matches drops it; off, it is untouched.
require "tempfile"
excl = Tempfile.new(["c2sieve-exclusions", ".json"])
excl.write('{"format":"c2sieve.exclusions/1","exclusions":[{"reason":"test","process.name":["covered.exe"]}]}')
excl.close
covered = { "event" => { "category" => ["network"] }, "host" => { "os" => { "type" => "windows" } },
            "dns" => { "question" => { "name" => "pastebin.com" } }, "tags" => ["edr"],
            "process" => { "name" => "covered.exe", "executable" => "C:\\Temp\\covered.exe" } }
[[{ "mark-excluded" => true }, :marked], [{ "mark-excluded" => true, "only-matches" => true }, :dropped],
 [{}, :untouched]].each do |extra, want|
  f = make_filter(script, { "exclusions" => excl.path, "stats-interval-s" => 0 }.merge(extra))
  f.register
  out = run_filter(f, LogStash::Event.new(JSON.parse(JSON.generate(covered))))
  case want
  when :marked
    e = out.first
    check(out.size == 1 && e.get("[c2sieve][excluded][rule_id]") == ["66883649-f908-4a5b-a1e0-54090a1d3a32"] &&
          e.get("rule").nil? && e.get("tags") == ["edr"],
          "mark-excluded: c2sieve.excluded.rule_id and nothing of a match (#{out.map(&:to_hash).inspect})")
  when :dropped
    check(out.empty?, "mark-excluded with only-matches: the excluded event is dropped")
  else
    check(out.size == 1 && out.first.get("c2sieve").nil?, "without mark-excluded: untouched")
  end
end
# (Tempfile removes the file at exit; the filters above still watch it.)

# A threat-intelligence feed watched through script_params (watch-ruleset):
# a match carries threat.enrichments as the library writes it, the rule's
# own fields beside it, and a changed feed applies while the filter runs.
feed = Tempfile.new(["c2sieve-feed", ".json"])
feed_doc = lambda do |name, id|
  JSON.generate("format" => "c2sieve.ruleset/1", "name" => "feed",
                "rules" => [{ "id" => "feed", "name" => "Feed", "severity" => "high", "risk_score" => 73,
                              "indicators" => { "provider" => "Example CERT",
                                                "items" => [{ "value" => name, "id" => id, "confidence" => "High" }] } }])
end
feed.write(feed_doc.call("evil.example", "indicator--1"))
feed.close
fed = make_filter(script, { "watch-ruleset" => feed.path, "watch-interval-ms" => 20, "stats-interval-s" => 0 })
fed.register
asked = lambda { |name| LogStash::Event.new("dns" => { "question" => { "name" => name } }) }
e = run_filter(fed, asked.call("EVIL.example.")).first
entry = (e.get("[threat][enrichments]") || [])[0] || {}
check(e.get("[rule][id]") == "feed" && entry["matched"] == { "atomic" => "evil.example", "field" => "dns.question.name",
                                                            "id" => "indicator--1", "type" => "indicator_match_rule" } &&
      entry["indicator"]["provider"] == "Example CERT" && entry["indicator"]["confidence"] == "High" &&
      entry["indicator"]["url"] == { "domain" => "evil.example" } && entry["feed"] == { "name" => "Feed" },
      "watch-ruleset: a feed match carries threat.enrichments (#{e.to_hash.inspect})")
tmp = feed.path + ".tmp"
File.write(tmp, feed_doc.call("other.example", "indicator--2"))
File.rename(tmp, feed.path)
swapped = false
200.times do
  swapped = !run_filter(fed, asked.call("other.example")).first.get("rule").nil?
  break if swapped
  sleep 0.02
end
check(swapped && run_filter(fed, asked.call("evil.example")).first.get("rule").nil?,
      "watch-ruleset: a new version of the feed applies while the filter runs")

# 5. The example pipelines' script_params (integration/logstash/pipeline.conf,
#    integration/docker/logstash/pipeline.conf) are options the library
#    takes: register succeeds with them (paths pointed at this checkout).
repo = File.expand_path("../..", here)
%w[integration/logstash/pipeline.conf integration/docker/logstash/pipeline.conf].each do |conf|
  block = File.read(File.join(repo, conf))[/script_params\s*=>\s*\{(.*?)\n\s*\}/m, 1]
  params = {}
  block.to_s.scan(/"([^"]+)"\s*=>\s*(\[[^\]]*\]|"[^"]*"|\S+)/) do |key, raw|
    params[key] = raw.start_with?("[") ? raw.scan(/"([^"]*)"/).flatten : raw.delete('"')
  end
  params.delete("library")  # the image's path; the script finds the bundle's
  params["exclusions"] = File.join(repo, "rulesets/examples/exclusions.json") if params.key?("exclusions")
  begin
    make_filter(script, params).register
    check(!params.empty?, "#{conf}: script_params #{params.keys.join(', ')} accepted")
  rescue StandardError, ScriptError => refusal
    check(false, "#{conf}: #{refusal.message}")
  end
end

puts "#{lines.size} events, #{n} matches, 4 worker threads"
puts "#{$passed} passed, #{$failed} failed"
exit($failed.zero? ? 0 : 1)
