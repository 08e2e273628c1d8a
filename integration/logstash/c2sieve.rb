# c2sieve for Logstash's `ruby` filter (script-file contract: register,
# filter, inline tests). Settings are the library's options, by the CLI's
# long option names (`c2sieve scan --help`, the README): ruleset,
# exclusions, mode, only-matches, tag, max-event-bytes ... ('_' may stand for
# '-'); a repeatable option takes an array.
#
#   filter {
#     ruby {
#       path => "/etc/logstash/c2sieve.rb"
#       script_params => {
#         "exclusions" => "https://config.example.com/c2sieve/exclusions.json"
#         "tag"        => ["via-logstash"]
#       }
#     }
#   }
#
# The library checks every setting: an unknown one, or a bad value, fails
# register (the pipeline does not start) with a message naming the valid
# options: a typo never runs silently with the default. "library", the path
# of libc2sieve.so, is this script's own; without it the library is looked
# for where the c2sieve bundle puts it beside this script
# (../../lib/libc2sieve.so.0 from share/c2sieve/, or the same folder), then
# by its SONAME, libc2sieve.so.0, on the system's library path (where the
# libc2sieve0 package puts it). Logstash runs the inline tests at the end of
# this file when the pipeline starts, before any script_params are read:
# they rely on that lookup alone. The library logs its counters every
# stats-interval-s seconds (default 60) on standard error.
#
# Safe under concurrent pipeline workers: the engine is shared and each
# worker thread gets its own session. Non-matching events are returned as
# they came; matching ones get the ECS enrichment, applied from the
# library's list of operations (no JSON). Whatever an event holds, a match
# is never lost and an event is never dropped because of this script: an
# error while evaluating keeps the event (also with only-matches) and is
# logged; the enrichment is merged without raising (a string, number or
# array where ECS has an object is moved to c2sieve.displaced, as the
# library's own JSON splice does).
require "ffi"

module C2sieveFFI
  extend FFI::Library

  class Number < FFI::Union
    layout :i, :int64, :u, :uint64, :d, :double
  end

  class Value < FFI::Struct
    layout :field, :int32, :type, :int32, :data, :pointer, :size, :size_t, :number, Number
  end

  class Member < FFI::Struct
    layout :key, :pointer, :key_size, :size_t, :value, Value
  end

  class Op < FFI::Struct
    layout :path, :pointer, :segments, :pointer, :segment_count, :size_t,
           :kind, :int32, :is_array, :int32, :values, :pointer, :value_count, :size_t
  end

  class Stats < FFI::Struct
    layout :events, :uint64, :matches, :uint64, :errors, :uint64,
           :exclusion_swaps, :uint64, :exclusion_rejects, :uint64, :excluded, :uint64,
           :prefiltered, :uint64
  end

  def self.bind(path)
    return if @bound
    ffi_lib path
    attach_function :c2s_version, [], :string
    attach_function :c2s_last_error, [], :string
    attach_function :c2s_options_create, [:pointer], :int
    attach_function :c2s_options_free, [:pointer], :void
    attach_function :c2s_options_set, [:pointer, :string, :string], :int
    attach_function :c2s_options_get, [:pointer, :string], :string
    attach_function :c2s_engine_create_with_options, [:pointer, :pointer], :int
    attach_function :c2s_engine_field_count, [:pointer], :size_t
    attach_function :c2s_engine_field_name, [:pointer, :size_t], :string
    attach_function :c2s_engine_stats, [:pointer, :pointer], :void
    attach_function :c2s_session_create, [:pointer, :pointer], :int
    attach_function :c2s_session_free, [:pointer], :void
    attach_function :c2s_eval_fields, [:pointer, :pointer, :size_t, :pointer], :int
    attach_function :c2s_session_enrichment_ops, [:pointer, :pointer, :pointer], :int
    @bound = true
  end
end

C2S_STRING = 0
C2S_TRUE = 1
C2S_FALSE = 2
C2S_OTHER = 4
C2S_INT = 5
C2S_UINT = 6
C2S_DOUBLE = 7
C2S_OBJECT = 8
C2S_OP_APPEND = 1

# The library beside this script (see the header), else by its SONAME from
# the system's library path (the libc2sieve0 package installs
# libc2sieve.so.0 only; the unversioned name comes with libc2sieve-dev).
def c2sieve_default_library
  here = File.dirname(File.expand_path(__FILE__))
  [File.join(here, "..", "..", "lib", "libc2sieve.so.0"), File.join(here, "..", "..", "lib", "libc2sieve.so"),
   File.join(here, "libc2sieve.so.0"), File.join(here, "libc2sieve.so")]
    .map { |p| File.expand_path(p) }.find { |p| File.exist?(p) } || "libc2sieve.so.0"
end

def register(params)
  @library = params["library"] || c2sieve_default_library
  C2sieveFFI.bind(@library)
  box = FFI::MemoryPointer.new(:pointer)
  raise "c2sieve: #{C2sieveFFI.c2s_last_error}" if C2sieveFFI.c2s_options_create(box) != 0
  options = box.read_pointer
  begin
    params.each do |key, value|
      next if key.to_s == "library"
      Array(value).each do |v|
        if C2sieveFFI.c2s_options_set(options, key.to_s, v.to_s) != 0
          raise ArgumentError, "c2sieve: #{key}: #{C2sieveFFI.c2s_last_error}"
        end
      end
    end
    if C2sieveFFI.c2s_engine_create_with_options(options, box) != 0
      raise ArgumentError, "c2sieve: #{C2sieveFFI.c2s_last_error}"
    end
    @engine = box.read_pointer
    @only_matches = C2sieveFFI.c2s_options_get(options, "only-matches") == "true"
    @mark_excluded = C2sieveFFI.c2s_options_get(options, "mark-excluded") == "true"
  ensure
    C2sieveFFI.c2s_options_free(options)
  end
  # The fields the engine reads, and every path that leads to one.
  @wanted = {}
  @prefixes = {}
  C2sieveFFI.c2s_engine_field_count(@engine).times do |i|
    name = C2sieveFFI.c2s_engine_field_name(@engine, i)
    @wanted[name] = i
    parts = name.split(".")
    (1...parts.size).each { |n| @prefixes[parts[0, n].join(".")] = true }
  end
  @session_key = "c2sieve_session_#{object_id}".to_sym
end

# One session per pipeline worker thread.
def c2sieve_session
  Thread.current[@session_key] ||= begin
    box = FFI::MemoryPointer.new(:pointer)
    raise "c2sieve: #{C2sieveFFI.c2s_last_error}" if C2sieveFFI.c2s_session_create(@engine, box) != 0
    { session: box.read_pointer, values: FFI::MemoryPointer.new(C2sieveFFI::Value, 64), capacity: 64,
      matched: FFI::MemoryPointer.new(:size_t), ops: FFI::MemoryPointer.new(:pointer),
      count: FFI::MemoryPointer.new(:size_t) }
  end
end

def c2sieve_collect(hash, prefix, out)
  hash.each do |k, v|
    next unless k.is_a?(String)
    path = prefix ? "#{prefix}.#{k}" : k
    if (field = @wanted[path])
      (v.is_a?(Array) ? v.flatten : [v]).each do |item|
        case item
        when String, Integer, Float, true, false, Hash then out << [field, item]
        end
      end
    end
    next unless @prefixes[path]
    if v.is_a?(Hash)
      c2sieve_collect(v, path, out)
    elsif v.is_a?(Array)
      v.flatten.each { |item| c2sieve_collect(item, path, out) if item.is_a?(Hash) }
    end
  end
end

# Evaluates the event; returns true when a rule matches.
def c2sieve_evaluate(event)
  s = c2sieve_session
  found = []
  c2sieve_collect(event.to_hash, nil, found)
  # As many values as the event holds: no cap of our own (the library has
  # none), the buffer grows and is kept for the thread's next events.
  if found.size > s[:capacity]
    s[:capacity] = [found.size, s[:capacity] * 2].max
    s[:values] = FFI::MemoryPointer.new(C2sieveFFI::Value, s[:capacity])
  end
  # The strings go into one per-thread buffer kept with the session: no
  # allocation per event once it has grown. Numbers go typed: the library
  # writes their text.
  bytes = found.sum { |f| f[1].is_a?(String) ? f[1].bytesize : 0 }
  if s[:buffer].nil? || s[:buffer].size < bytes
    s[:buffer] = FFI::MemoryPointer.new(:char, [bytes, 4096, (s[:buffer]&.size || 0) * 2].max)
  end
  buffer = s[:buffer]
  offset = 0
  found.each_with_index do |(field, item), i|
    v = C2sieveFFI::Value.new(s[:values] + i * C2sieveFFI::Value.size)
    v[:field] = field
    v[:data] = nil
    v[:size] = 0
    case item
    when String
      v[:type] = C2S_STRING
      buffer.put_bytes(offset, item) unless item.empty?
      v[:data] = buffer + offset
      v[:size] = item.bytesize
      offset += item.bytesize
    when Float
      v[:type] = C2S_DOUBLE
      v[:number][:d] = item
    when Integer
      if item >= -(2**63) && item < 2**63
        v[:type] = C2S_INT
        v[:number][:i] = item
      elsif item >= 0 && item < 2**64
        v[:type] = C2S_UINT
        v[:number][:u] = item
      else
        # Beyond 64 bits: Elasticsearch's keyword text of it is its digits.
        text = item.to_s
        v[:type] = C2S_STRING
        s[:big] = FFI::MemoryPointer.from_string(text)
        v[:data] = s[:big]
        v[:size] = text.bytesize
      end
    when true then v[:type] = C2S_TRUE
    when false then v[:type] = C2S_FALSE
    when Hash then v[:type] = C2S_OTHER # an object: present, matching no string
    end
  end
  rc = C2sieveFFI.c2s_eval_fields(s[:session], s[:values], found.size, s[:matched])
  raise "c2sieve: #{C2sieveFFI.c2s_last_error}" if rc != 0
  !s[:matched].read(:size_t).zero?
end

# A library value as a Ruby value.
def c2sieve_value(v)
  case v[:type]
  when C2S_STRING then v[:data].read_bytes(v[:size]).force_encoding("UTF-8")
  when C2S_INT then v[:number][:i]
  when C2S_UINT then v[:number][:u]
  when C2S_DOUBLE then v[:number][:d]
  when C2S_TRUE then true
  when C2S_FALSE then false
  when C2S_OBJECT
    (0...v[:size]).each_with_object({}) do |i, h|
      m = C2sieveFFI::Member.new(v[:data] + i * C2sieveFFI::Member.size)
      h[m[:key].read_bytes(m[:key_size]).force_encoding("UTF-8")] = c2sieve_value(m[:value])
    end
  end
end

# The new value of a leaf (the rules of c2sieve.h): SET replaces, APPEND
# adds what is not there yet; an old value that differs is kept aside.
def c2sieve_leaf(old, append, value, path, displaced)
  if append
    list = case old
           when String then [old]
           when Array then old
           else
             c2sieve_keep_aside(displaced, path, old)
             []
           end
    list + value.reject { |t| list.include?(t) }
  else
    c2sieve_keep_aside(displaced, path, old) unless old == value
    value
  end
end

# Our own leaves are rewritten on re-enrichment; anything else is kept.
def c2sieve_keep_aside(displaced, path, old)
  displaced[path] = old unless old.nil? || path.start_with?("c2sieve.")
end

# Applies the last match's operations to the event. The top-level values
# they touch are rebuilt as plain hashes and set once each, so Event#set
# never meets a string where a map is wanted.
def c2sieve_apply(event, session)
  rc = C2sieveFFI.c2s_session_enrichment_ops(session[:session], session[:ops], session[:count])
  raise "c2sieve: #{C2sieveFFI.c2s_last_error}" if rc != 0
  base = session[:ops].read_pointer
  displaced = {}
  roots = {}
  session[:count].read(:size_t).times do |k|
    op = C2sieveFFI::Op.new(base + k * C2sieveFFI::Op.size)
    path = op[:path].read_string
    segments = op[:segments].read_array_of_pointer(op[:segment_count]).map(&:read_string)
    append = op[:kind] == C2S_OP_APPEND
    values = (0...op[:value_count]).map do |i|
      c2sieve_value(C2sieveFFI::Value.new(op[:values] + i * C2sieveFFI::Value.size))
    end
    value = append || op[:is_array] != 0 ? values : values.first
    if segments.size > 1 && !(flat = event.get("[#{path}]")).nil?
      event.set("[#{path}]", c2sieve_leaf(flat, append, value, path, displaced))
      next
    end
    top = segments.first
    roots[top] = event.get("[#{top}]") unless roots.key?(top)
    if segments.size == 1
      roots[top] = c2sieve_leaf(roots[top], append, value, path, displaced)
      next
    end
    unless roots[top].is_a?(Hash)
      c2sieve_keep_aside(displaced, top, roots[top])
      roots[top] = {}
    end
    node = roots[top]
    segments[1...-1].each_with_index do |seg, i|
      unless node[seg].is_a?(Hash)
        c2sieve_keep_aside(displaced, segments[0..i + 1].join("."), node[seg])
        node[seg] = {}
      end
      node = node[seg]
    end
    node[segments.last] = c2sieve_leaf(node[segments.last], append, value, path, displaced)
  end
  roots["c2sieve"]["displaced"] = displaced unless displaced.empty?
  roots.each { |key, v| event.set("[#{key}]", v) }
end

def filter(event)
  matched = begin
    c2sieve_evaluate(event)
  rescue StandardError => e
    # Never lose an event over a problem here: pass it through, also with
    # only-matches (a record that could not be evaluated may be a match).
    warn "[c2sieve] event passed through unevaluated: #{e.message}"
    return [event]
  end
  unless matched
    return [] if @only_matches
    # mark-excluded: an event no rule matched may still carry operations
    # (c2sieve.excluded.rule_id); applied, it stays no match.
    c2sieve_apply(event, c2sieve_session) if @mark_excluded
    return [event]
  end
  begin
    c2sieve_apply(event, c2sieve_session)
  rescue StandardError => e
    # The match must not vanish: mark it the Logstash way (a _*_failure tag,
    # as the ruby filter's own _rubyexception) where nothing stands in the way.
    warn "[c2sieve] a match's enrichment could not be merged: #{e.message}"
    event.tag("_c2sieve_enrichment_failure")
  end
  [event]
end

def c2sieve_stats
  s = C2sieveFFI::Stats.new
  C2sieveFFI.c2s_engine_stats(@engine, s)
  { "events" => s[:events], "matches" => s[:matches], "errors" => s[:errors],
    "excluded" => s[:excluded], "reloads" => s[:exclusion_swaps],
    "rejected_reloads" => s[:exclusion_rejects], "prefiltered" => s[:prefiltered] }
end

test "a process in Users\\Public resolving pastebin is tagged" do
  parameters { {} }
  in_event do
    { "event" => { "category" => ["network"] }, "host" => { "os" => { "type" => "windows" } },
      "dns" => { "question" => { "name" => "pastebin.com" } },
      "process" => { "name" => "x.exe", "executable" => "C:\\Users\\Public\\x.exe" },
      "tags" => ["edr"] }
  end
  expect("one event") { |events| events.size == 1 }
  expect("rule.id") { |events| events.first.get("[rule][id]") == "66883649-f908-4a5b-a1e0-54090a1d3a32" }
  expect("tags appended") { |events| events.first.get("tags") == ["edr", "c2sieve: commonly abused web service"] }
  expect("the pattern") { |events| events.first.get("[c2sieve][matches]").first["pattern"] == "pastebin.*" }
end

test "Program Files is a legitimate location: the event is untouched" do
  parameters { {} }
  in_event do
    { "event" => { "category" => ["network"] }, "host" => { "os" => { "type" => "windows" } },
      "dns" => { "question" => { "name" => "pastebin.com" } },
      "process" => { "name" => "x.exe", "executable" => "C:\\Program Files\\x.exe" } }
  end
  expect("no rule") { |events| events.first.get("rule").nil? && events.first.get("tags").nil? }
end

test "a raw Sysmon event from NXLog is read with its profile" do
  parameters { {} }
  in_event do
    { "Channel" => "Microsoft-Windows-Sysmon/Operational", "EventID" => 22,
      "QueryName" => "raw.githubusercontent.com", "User" => "CORP\\alice",
      "Image" => "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" }
  end
  expect("matched") { |events| events.first.get("[c2sieve][profile]") == "sysmon-flat" }
  expect("original kept") { |events| events.first.get("QueryName") == "raw.githubusercontent.com" }
end

test "a string where ECS has an object is moved aside, the match kept" do
  parameters { { "only-matches" => true } }
  in_event do
    { "event" => { "category" => ["network"] }, "host" => { "os" => { "type" => "windows" } },
      "dns" => { "question" => { "name" => "pastebin.com" } },
      "process" => { "name" => "x.exe", "executable" => "C:\\Users\\Public\\x.exe" },
      "rule" => "sysmon rule", "tags" => { "a" => "x" } }
  end
  expect("kept") { |events| events.size == 1 }
  expect("enriched") { |events| events.first.get("[rule][id]") == "66883649-f908-4a5b-a1e0-54090a1d3a32" }
  expect("rule kept aside") { |events| events.first.get("[c2sieve][displaced]")["rule"] == "sysmon rule" }
  expect("tags a list") { |events| events.first.get("tags") == ["c2sieve: commonly abused web service"] }
end

test "mode => parity compares raw values as Elasticsearch does" do
  parameters { { "mode" => "parity" } }
  in_event do
    { "event" => { "category" => ["network"] }, "host" => { "os" => { "type" => "windows" } },
      "dns" => { "question" => { "name" => "pastebin.com" } },
      "process" => { "name" => "x.exe", "executable" => "\\\\?\\C:\\Program Files\\x.exe" } }
  end
  expect("matched: the raw path is not Program Files") { |events| !events.first.get("rule").nil? }
end

test "only-matches removes other events" do
  parameters { { "only-matches" => true } }
  in_event { { "dns" => { "question" => { "name" => "www.example.com" } } } }
  expect("dropped") { |events| events.empty? }
end
