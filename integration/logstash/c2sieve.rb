# c2sieve for Logstash's `ruby` filter (script-file contract: register,
# filter, inline tests). Library path, rulesets and exclusions come from
# script_params:
#
#   filter {
#     ruby {
#       path => "/etc/logstash/c2sieve.rb"
#       script_params => {
#         "library"    => "/usr/local/lib/libc2sieve.so"
#         "exclusions" => "https://config.example.com/c2sieve/exclusions.json"
#       }
#     }
#   }
#
# Parameters: library, rulesets (array of files), exclusions (path or URL,
# watched), watch_ms, profile (force a source profile), non_matching
# ("keep" | "drop"), tag, disable_rules (array of rule ids), building_blocks
# ("enrich" | "tags"), mode ("canonical" | "parity"). A parameter not listed
# here, or a value outside its choices, fails register (the pipeline does
# not start): a typo never runs silently with the default. Safe under
# concurrent pipeline workers: the engine
# is shared and each worker thread gets its own session. Non-matching events
# are returned as they came; matching ones get the ECS enrichment.
#
# Without "library", the library is looked for where the c2sieve bundle puts
# it beside this script (../../lib/libc2sieve.so from share/c2sieve/, or the
# same folder), then by the system's library path. Logstash runs the inline
# tests at the end of this file when the pipeline starts, before any
# script_params are read: they rely on that lookup alone.
#
# Whatever an event holds, a match is never lost and an event is never
# dropped because of this script: an error while evaluating keeps the event
# (also with non_matching => drop) and is logged; the enrichment is merged
# without raising (a string, number or array where ECS has an object is moved
# to c2sieve.displaced, as the library's own JSON splice does).
require "ffi"
require "json"

module C2sieveFFI
  extend FFI::Library

  class Source < FFI::Struct
    layout :name, :pointer, :data, :pointer, :size, :size_t
  end

  class Config < FFI::Struct
    layout :struct_size, :uint32, :use_builtin_rulesets, :int,
           :rulesets, :pointer, :ruleset_count, :size_t,
           :exclusions, :pointer, :profiles, :pointer, :profile_count, :size_t,
           :force_profile, :pointer, :enable_profiles, :pointer, :mode, :int,
           :max_event_bytes, :size_t, :max_depth, :uint32,
           :disable_rules, :pointer, :building_blocks_as_tags, :int
  end

  class Value < FFI::Struct
    layout :field, :int32, :type, :int32, :data, :pointer, :size, :size_t
  end

  class Stats < FFI::Struct
    layout :events, :uint64, :matches, :uint64, :errors, :uint64,
           :exclusion_swaps, :uint64, :exclusion_rejects, :uint64, :excluded, :uint64
  end

  class WatchOptions < FFI::Struct
    layout :struct_size, :uint32, :source, :pointer, :interval_ms, :uint32,
           :timeout_ms, :uint32, :ca_file, :pointer, :insecure_skip_verify, :int
  end

  def self.bind(path)
    return if @bound
    ffi_lib path
    attach_function :c2s_version, [], :string
    attach_function :c2s_last_error, [], :string
    attach_function :c2s_engine_config_init, [:pointer], :void
    attach_function :c2s_engine_create, [:pointer, :pointer], :int
    attach_function :c2s_engine_field_count, [:pointer], :size_t
    attach_function :c2s_engine_field_name, [:pointer, :size_t], :string
    attach_function :c2s_engine_stats, [:pointer, :pointer], :void
    attach_function :c2s_watch_options_init, [:pointer], :void
    attach_function :c2s_engine_watch_exclusions, [:pointer, :pointer], :int
    attach_function :c2s_session_create, [:pointer, :pointer], :int
    attach_function :c2s_session_free, [:pointer], :void
    attach_function :c2s_eval_fields, [:pointer, :pointer, :size_t, :pointer], :int
    attach_function :c2s_session_enrichment, [:pointer, :pointer, :pointer], :int
    @bound = true
  end
end

STRING_VALUE = 0
TRUE_VALUE = 1
FALSE_VALUE = 2

# The library beside this script (see the header), else the bare name.
def c2sieve_default_library
  here = File.dirname(File.expand_path(__FILE__))
  [File.join(here, "..", "..", "lib", "libc2sieve.so"), File.join(here, "libc2sieve.so")]
    .map { |p| File.expand_path(p) }.find { |p| File.exist?(p) } || "libc2sieve.so"
end

C2SIEVE_PARAMS = %w[library rulesets exclusions watch_ms profile non_matching tag
                    disable_rules building_blocks mode].freeze
C2SIEVE_CHOICES = { "non_matching" => %w[keep drop], "building_blocks" => %w[enrich tags],
                    "mode" => %w[canonical parity] }.freeze

def register(params)
  unknown = params.keys.map(&:to_s) - C2SIEVE_PARAMS
  unless unknown.empty?
    raise ArgumentError, "c2sieve: unknown script_params #{unknown.join(', ')} " \
                         "(known: #{C2SIEVE_PARAMS.join(', ')})"
  end
  C2SIEVE_CHOICES.each do |name, allowed|
    next unless params.key?(name)
    unless allowed.include?(params[name].to_s)
      raise ArgumentError, "c2sieve: #{name} must be one of #{allowed.join(', ')} " \
                           "(got #{params[name].inspect})"
    end
  end
  @library = params["library"] || c2sieve_default_library
  C2sieveFFI.bind(@library)
  @keep = []  # memory the engine configuration points at
  # Room to spare for init, then a check that this script's layout matches
  # the library's struct (it may grow before 1.0).
  raw = FFI::MemoryPointer.new(:uint8, 1024)
  @keep << raw
  config = C2sieveFFI::Config.new(raw)
  C2sieveFFI.c2s_engine_config_init(config)
  if config[:struct_size] != C2sieveFFI::Config.size
    raise "c2sieve: this c2sieve.rb does not match libc2sieve #{C2sieveFFI.c2s_version}"
  end
  rulesets = Array(params["rulesets"])
  unless rulesets.empty?
    sources = FFI::MemoryPointer.new(C2sieveFFI::Source, rulesets.size)
    rulesets.each_with_index do |file, i|
      s = C2sieveFFI::Source.new(sources + i * C2sieveFFI::Source.size)
      name = FFI::MemoryPointer.from_string(file)
      @keep << name
      s[:name] = name
    end
    @keep << sources
    config[:rulesets] = sources
    config[:ruleset_count] = rulesets.size
  end
  disable = Array(params["disable_rules"])
  unless disable.empty?
    list = FFI::MemoryPointer.from_string(disable.join(","))
    @keep << list
    config[:disable_rules] = list
  end
  config[:building_blocks_as_tags] = params.fetch("building_blocks", "enrich") == "tags" ? 1 : 0
  config[:mode] = params.fetch("mode", "canonical") == "parity" ? 1 : 0 # C2S_MODE_PARITY
  if params["profile"]
    profile = FFI::MemoryPointer.from_string(params["profile"])
    @keep << profile
    config[:force_profile] = profile
  end
  box = FFI::MemoryPointer.new(:pointer)
  if C2sieveFFI.c2s_engine_create(config, box) != 0
    raise "c2sieve: #{C2sieveFFI.c2s_last_error}"
  end
  @engine = box.read_pointer
  if params["exclusions"]
    w = C2sieveFFI::WatchOptions.new
    C2sieveFFI.c2s_watch_options_init(w)
    source = FFI::MemoryPointer.from_string(params["exclusions"])
    @keep << source
    w[:source] = source
    w[:interval_ms] = Integer(params.fetch("watch_ms", 5000))
    rc = C2sieveFFI.c2s_engine_watch_exclusions(@engine, w)
    if rc == 1 # C2S_E_INVALID_ARGUMENT: a setting that can never work
      raise ArgumentError, "[c2sieve] exclusions: #{C2sieveFFI.c2s_last_error}"
    elsif rc != 0
      warn "[c2sieve] ERROR exclusions NOT applied: #{C2sieveFFI.c2s_last_error} " \
           "(events are evaluated without them; still watching)"
    end
  end
  @drop = params.fetch("non_matching", "keep") == "drop"
  @tag = params["tag"]
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
      matched: FFI::MemoryPointer.new(:size_t), json: FFI::MemoryPointer.new(:pointer),
      size: FFI::MemoryPointer.new(:size_t) }
  end
end

def c2sieve_collect(hash, prefix, out)
  hash.each do |k, v|
    next unless k.is_a?(String)
    path = prefix ? "#{prefix}.#{k}" : k
    if (field = @wanted[path])
      (v.is_a?(Array) ? v : [v]).each do |item|
        case item
        when String then out << [field, STRING_VALUE, item]
        when Numeric then out << [field, STRING_VALUE, item.to_s]  # keyword text
        when true then out << [field, TRUE_VALUE, nil]
        when false then out << [field, FALSE_VALUE, nil]
        end
      end
    end
    next unless @prefixes[path]
    if v.is_a?(Hash)
      c2sieve_collect(v, path, out)
    elsif v.is_a?(Array)
      v.each { |item| c2sieve_collect(item, path, out) if item.is_a?(Hash) }
    end
  end
end

# Returns the enrichment hash, or nil when no rule matches.
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
  # allocation per event once it has grown.
  bytes = found.sum { |f| f[2] ? f[2].bytesize : 0 }
  if s[:buffer].nil? || s[:buffer].size < bytes
    s[:buffer] = FFI::MemoryPointer.new(:char, [bytes, 4096, (s[:buffer]&.size || 0) * 2].max)
  end
  buffer = s[:buffer]
  offset = 0
  found.each_with_index do |(field, type, text), i|
    v = C2sieveFFI::Value.new(s[:values] + i * C2sieveFFI::Value.size)
    v[:field] = field
    v[:type] = type
    if text
      buffer.put_bytes(offset, text) unless text.empty?
      v[:data] = buffer + offset
      v[:size] = text.bytesize
      offset += text.bytesize
    else
      v[:data] = nil
      v[:size] = 0
    end
  end
  rc = C2sieveFFI.c2s_eval_fields(s[:session], s[:values], found.size, s[:matched])
  raise "c2sieve: #{C2sieveFFI.c2s_last_error}" if rc != 0
  return nil if s[:matched].read(:size_t).zero?
  C2sieveFFI.c2s_session_enrichment(s[:session], s[:json], s[:size])
  JSON.parse(s[:json].read_pointer.read_bytes(s[:size].read(:size_t)).force_encoding("UTF-8"))
end

def c2sieve_leaves(hash, prefix, out)
  hash.each do |k, v|
    path = prefix ? "#{prefix}.#{k}" : k
    if v.is_a?(Hash) then c2sieve_leaves(v, path, out) else out << [path, v] end
  end
  out
end

# Sets the enrichment's leaves the way the library's JSON splice does:
# flattened keys replaced in place, tags appended, overwritten values kept
# under c2sieve.displaced. Never raises on the event's shape: a value that
# stands where ECS has an object is moved aside first.
def c2sieve_merge(event, enrichment)
  displaced = {}
  tags = enrichment.delete("tags") || []
  tags << @tag if @tag
  existing_c2sieve = event.get("c2sieve")
  displaced["c2sieve"] = existing_c2sieve unless existing_c2sieve.nil? || existing_c2sieve.is_a?(Hash)
  event.remove("c2sieve") unless existing_c2sieve.nil? || existing_c2sieve.is_a?(Hash)
  c2sieve_leaves(enrichment, nil, []).each do |path, value|
    flat = event.get(path) unless path.start_with?("c2sieve") || !path.include?(".")
    parts = path.split(".")
    ref = flat.nil? ? parts.map { |p| "[#{p}]" }.join : path
    if flat.nil?
      # Every object on the way must be an object: move anything else aside.
      (1...parts.size).each do |n|
        prefix = parts[0, n]
        held = event.get(prefix.map { |p| "[#{p}]" }.join)
        next if held.nil? || held.is_a?(Hash)
        displaced[prefix.join(".")] = held unless prefix.first == "c2sieve"
        event.remove(prefix.map { |p| "[#{p}]" }.join)
      end
    end
    old = event.get(ref)
    displaced[path] = old if !old.nil? && old != value && !path.start_with?("c2sieve")
    event.set(ref, value)
  end
  existing = event.get("tags")
  existing = case existing
             when nil then []
             when String then [existing]
             when Array then existing
             else
               # A map, number or boolean is no list of tags: kept aside, as
               # Elasticsearch would refuse the mix.
               displaced["tags"] = existing
               []
             end
  event.set("tags", existing + tags.reject { |t| existing.include?(t) })
  event.set("[c2sieve][displaced]", displaced) unless displaced.empty?
end

def filter(event)
  enrichment = begin
    c2sieve_evaluate(event)
  rescue StandardError => e
    # Never lose an event over a problem here: pass it through, also in
    # drop mode (a record that could not be evaluated may be a match).
    warn "[c2sieve] event passed through unevaluated: #{e.message}"
    return [event]
  end
  return(@drop ? [] : [event]) if enrichment.nil?
  begin
    c2sieve_merge(event, enrichment)
  rescue StandardError => e
    # The match must not vanish: keep the enrichment whole under one key.
    warn "[c2sieve] enrichment could not be merged, kept as c2sieve.enrichment: #{e.message}"
    event.set("[c2sieve_enrichment]", JSON.generate(enrichment))
  end
  [event]
end

def c2sieve_stats
  s = C2sieveFFI::Stats.new
  C2sieveFFI.c2s_engine_stats(@engine, s)
  { "events" => s[:events], "matches" => s[:matches], "errors" => s[:errors],
    "excluded" => s[:excluded], "reloads" => s[:exclusion_swaps],
    "rejected_reloads" => s[:exclusion_rejects] }
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
  parameters { { "non_matching" => "drop" } }
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

test "non_matching => drop removes other events" do
  parameters { { "non_matching" => "drop" } }
  in_event { { "dns" => { "question" => { "name" => "www.example.com" } } } }
  expect("dropped") { |events| events.empty? }
end
