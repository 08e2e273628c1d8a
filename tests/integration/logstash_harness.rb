# Evaluates integration/logstash/c2sieve.rb the way Logstash's ruby filter
# does with `path =>` (the file is evaluated in a script context, register
# gets script_params, filter gets an event and returns an array), runs the
# script's own inline tests, then checks every event of an NDJSON file
# against the c2sieve command's output -- from four worker threads at once.
# Usage: jruby logstash_harness.rb SCRIPT LIBRARY EVENTS EXPECTED
require "json"

# The part of LogStash::Event the script uses: field references
# ("[a][b]" nested, "a.b" a top-level key with a dot), get/set, to_hash.
module LogStash
  class Event
    def initialize(data = {})
      @data = data
    end

    def to_hash
      @data
    end

    def path_of(ref)
      ref.start_with?("[") ? ref.scan(/\[([^\]]+)\]/).flatten : [ref]
    end

    def get(ref)
      path_of(ref).reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil }
    end

    def set(ref, value)
      keys = path_of(ref)
      node = keys[0...-1].reduce(@data) do |n, key|
        n[key] = {} unless n[key].is_a?(Hash)
        n[key]
      end
      node[keys.last] = value
    end
  end
end

# The script context: the DSL of inline tests plus whatever the file defines.
class ScriptContext
  attr_reader :tests

  def initialize(path)
    @tests = []
    instance_eval(File.read(path), path, 1)
  end

  def test(name, &block)
    @tests << [name, block]
  end
end

class TestCase
  attr_reader :params, :event_data, :expectations

  def initialize(&block)
    @params = {}
    @expectations = []
    instance_eval(&block)
  end

  def parameters(&block)
    @params = block.call
  end

  def in_event(&block)
    @event_data = block.call
  end

  def expect(name, &block)
    @expectations << [name, block]
  end
end

script, library, events_file, expected_file = ARGV
ENV["C2SIEVE_LIBRARY"] = library
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

# 1. The script's inline tests, each in a fresh context as Logstash does.
ScriptContext.new(script).tests.each do |name, block|
  tc = TestCase.new(&block)
  ctx = ScriptContext.new(script)
  ctx.register(tc.params)
  events = ctx.filter(LogStash::Event.new(tc.event_data))
  tc.expectations.each { |what, e| check(e.call(events), "#{name}: #{what}") }
end

# 2. NDJSON golden, from four worker threads sharing one filter instance.
ctx = ScriptContext.new(script)
ctx.register("library" => library)
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
      out = ctx.filter(LogStash::Event.new(data))
      check(out.size == 1, "line #{i + 1}: #{out.size} events returned")
      ev = out.first
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
stats = ctx.c2sieve_stats
check(stats["matches"] == n, "stats.matches #{stats['matches']} != #{n}")
puts "#{lines.size} events, #{n} matches, 4 worker threads"
puts "#{$passed} passed, #{$failed} failed"
exit($failed.zero? ? 0 : 1)
