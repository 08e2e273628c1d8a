-- c2sieve for Fluent Bit's stock `lua` filter (LuaJIT FFI, no rebuild).
--
--   [FILTER]
--       Name    lua
--       Match   *
--       script  /etc/fluent-bit/c2sieve.lua
--       call    c2sieve_filter
--
-- Options, from the script's globals (set before loading) or the
-- environment, globals first:
--   C2SIEVE_LIBRARY      path of libc2sieve.so     (default "libc2sieve.so")
--   C2SIEVE_RULESETS     comma-separated ruleset files added to the built-in
--   C2SIEVE_EXCLUSIONS   exclusions file path or URL, watched for changes
--   C2SIEVE_WATCH_MS     how often to look at it    (default 5000)
--   C2SIEVE_PROFILE      force a source profile     (default: detect)
--   C2SIEVE_NON_MATCHING "keep" or "drop"           (default "keep")
--   C2SIEVE_TAG          extra tag on matches       (default none)
--   C2SIEVE_DISABLE_RULES comma-separated rule ids to switch off
--   C2SIEVE_BUILDING_BLOCKS "enrich" or "tags"      (default "enrich")
--   C2SIEVE_MODE         "canonical" or "parity"    (default "canonical")
--
-- A C2SIEVE_* setting not listed here, or a value outside its choices, is
-- an error when the script loads (Fluent Bit then refuses to start): a typo
-- never runs silently with the default.
--
-- Contract (filter_lua): returns 0 for records it does not touch, so Fluent
-- Bit keeps their original bytes; 2 with the enriched record (timestamp
-- kept); -1 to drop non-matching records when asked to. The library never
-- lets a C++ exception out, and every call here runs under pcall: on any
-- error the record passes through unchanged (an error in a Lua callback
-- would otherwise revert every record of the batch).

local ffi = require("ffi")

-- Declared once per Lua state (the script may be loaded more than once).
if not pcall(ffi.typeof, "c2s_watch_options") then ffi.cdef[[
typedef struct c2s_engine c2s_engine;
typedef struct c2s_session c2s_session;
typedef struct c2s_source { const char *name; const char *data; size_t size; } c2s_source;
typedef struct c2s_engine_config {
  uint32_t struct_size; int use_builtin_rulesets; const c2s_source *rulesets; size_t ruleset_count;
  const c2s_source *exclusions; const c2s_source *profiles; size_t profile_count;
  const char *force_profile; const char *enable_profiles; int mode;
  size_t max_event_bytes; uint32_t max_depth;
  const char *disable_rules; int building_blocks_as_tags;
} c2s_engine_config;
typedef struct c2s_value { int32_t field; int32_t type; const char *data; size_t size; } c2s_value;
typedef struct c2s_stats {
  uint64_t events, matches, errors, exclusion_swaps, exclusion_rejects, excluded;
} c2s_stats;
typedef struct c2s_watch_options {
  uint32_t struct_size; const char *source; uint32_t interval_ms; uint32_t timeout_ms;
  const char *ca_file; int insecure_skip_verify;
} c2s_watch_options;
const char *c2s_version(void);
const char *c2s_last_error(void);
void c2s_engine_config_init(c2s_engine_config *config);
int c2s_engine_create(const c2s_engine_config *config, c2s_engine **out);
size_t c2s_engine_field_count(const c2s_engine *engine);
const char *c2s_engine_field_name(const c2s_engine *engine, size_t i);
void c2s_engine_stats(const c2s_engine *engine, c2s_stats *out);
void c2s_watch_options_init(c2s_watch_options *options);
int c2s_engine_watch_exclusions(c2s_engine *engine, const c2s_watch_options *options);
int c2s_session_create(c2s_engine *engine, c2s_session **out);
int c2s_eval_fields(c2s_session *session, const c2s_value *values, size_t count, size_t *matched_rules);
int c2s_session_enrichment(const c2s_session *session, const char **json, size_t *size);
]] end

local STRING, TRUE, FALSE = 0, 1, 2

local function option(name, default)
  local v = rawget(_G, name)
  if v == nil then v = os.getenv(name) end
  if v == nil or v == "" then return default end
  return tostring(v)
end

local function log(level, msg)
  io.stderr:write("[c2sieve] [", level, "] ", msg, "\n")
end

-- A small JSON decoder for the enrichment the library returns (its own,
-- well-formed output: objects, arrays, strings, numbers, booleans).
local decode
do
  local sub, byte, find, char = string.sub, string.byte, string.find, string.char
  local escapes = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ["/"] = "/",
                    ['"'] = '"', ["\\"] = "\\" }
  local function utf8(cp)
    if cp < 0x80 then return char(cp) end
    if cp < 0x800 then return char(0xC0 + math.floor(cp / 64), 0x80 + cp % 64) end
    if cp < 0x10000 then
      return char(0xE0 + math.floor(cp / 4096), 0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
    end
    return char(0xF0 + math.floor(cp / 262144), 0x80 + math.floor(cp / 4096) % 64,
                0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
  end
  local value
  local function skip(s, i)
    local _, e = find(s, "^[ \t\r\n]*", i)
    return e + 1
  end
  local function str(s, i)  -- s[i] == '"'
    local out, j = {}, i + 1
    while true do
      local c = sub(s, j, j)
      if c == '"' then return table.concat(out), j + 1 end
      if c == "\\" then
        local e = sub(s, j + 1, j + 1)
        if e == "u" then
          local cp = tonumber(sub(s, j + 2, j + 5), 16)
          j = j + 6
          if cp >= 0xD800 and cp < 0xDC00 and sub(s, j, j + 1) == "\\u" then
            local lo = tonumber(sub(s, j + 2, j + 5), 16)
            cp = 0x10000 + (cp - 0xD800) * 1024 + (lo - 0xDC00)
            j = j + 6
          end
          out[#out + 1] = utf8(cp)
        else
          out[#out + 1] = escapes[e]
          j = j + 2
        end
      else
        local k = find(s, '["\\]', j)
        out[#out + 1] = sub(s, j, k - 1)
        j = k
      end
    end
  end
  value = function(s, i)
    i = skip(s, i)
    local c = sub(s, i, i)
    if c == "{" then
      local obj = {}
      i = skip(s, i + 1)
      if sub(s, i, i) == "}" then return obj, i + 1 end
      while true do
        local k
        k, i = str(s, skip(s, i))
        i = skip(s, i) + 1  -- ':'
        obj[k], i = value(s, i)
        i = skip(s, i)
        local d = sub(s, i, i)
        i = i + 1
        if d == "}" then return obj, i end
      end
    elseif c == "[" then
      local arr = {}
      i = skip(s, i + 1)
      if sub(s, i, i) == "]" then return arr, i + 1 end
      while true do
        arr[#arr + 1], i = value(s, i)
        i = skip(s, i)
        local d = sub(s, i, i)
        i = i + 1
        if d == "]" then return arr, i end
      end
    elseif c == '"' then
      return str(s, i)
    elseif sub(s, i, i + 3) == "true" then
      return true, i + 4
    elseif sub(s, i, i + 4) == "false" then
      return false, i + 5
    elseif sub(s, i, i + 3) == "null" then
      return nil, i + 4
    end
    local _, e = find(s, "^-?[0-9.eE+-]+", i)
    return tonumber(sub(s, i, e)), e + 1
  end
  decode = function(s) return (value(s, 1)) end
end

local function deep_copy(t)
  if type(t) ~= "table" then return t end
  local c = {}
  for k, v in pairs(t) do c[k] = deep_copy(v) end
  return c
end

local function is_array(t)
  return type(t) == "table" and (t[1] ~= nil or next(t) == nil)
end

-- Merges the enrichment into the record the way the library's own JSON
-- splice does: into existing objects, flattened keys ("rule.name") replaced
-- in place, tags appended without duplicates, overwritten values kept
-- under c2sieve.displaced.
local function merge(record, add, prefix, displaced)
  for k, v in pairs(add) do
    local path = prefix and (prefix .. "." .. k) or k
    if prefix == nil and k == "tags" then
      local tags = record.tags
      if type(tags) == "string" then
        tags = { tags }
      elseif type(tags) == "table" and (next(tags) == nil or is_array(tags)) then
        -- a list of tags: appended to
      elseif tags ~= nil then
        -- A map, number or boolean is no list of tags: kept aside, as the
        -- library's splice does (Elasticsearch would refuse the mix).
        displaced.tags = tags
        tags = {}
      else
        tags = {}
      end
      local seen = {}
      for _, t in ipairs(tags) do seen[t] = true end
      for _, t in ipairs(v) do
        if not seen[t] then tags[#tags + 1] = t; seen[t] = true end
      end
      record.tags = tags
    elseif type(v) == "table" and not is_array(v) then
      local child = record[k]
      if child == nil then
        record[k] = v  -- shared with the cache: nothing writes into it later
      else
        if type(child) ~= "table" or is_array(child) then
          if not path:find("^c2sieve") then displaced[path] = child end
          child = {}
          record[k] = child
        end
        merge(child, v, path, displaced)
      end
    else
      local old = record[k]
      if old ~= nil and old ~= v and type(old) ~= "table" and not path:find("^c2sieve") then
        displaced[path] = old
      end
      record[k] = v
    end
  end
end

local function replace_flattened(record, add, prefix, displaced)
  -- A leaf the record holds as a flattened top-level key is set there.
  for k, v in pairs(add) do
    local path = prefix and (prefix .. "." .. k) or k
    if type(v) == "table" and not is_array(v) then
      replace_flattened(record, v, path, displaced)
    elseif prefix ~= nil and record[path] ~= nil then
      local old = record[path]
      if old ~= v and not path:find("^c2sieve") then displaced[path] = old end
      record[path] = v
      add[k] = nil
    end
  end
end

-- Every setting this script takes; anything else named C2SIEVE_* is a typo.
local KNOWN = {
  C2SIEVE_LIBRARY = true, C2SIEVE_RULESETS = true, C2SIEVE_EXCLUSIONS = true,
  C2SIEVE_WATCH_MS = true, C2SIEVE_PROFILE = true, C2SIEVE_NON_MATCHING = true,
  C2SIEVE_TAG = true, C2SIEVE_DISABLE_RULES = true, C2SIEVE_BUILDING_BLOCKS = true,
  C2SIEVE_MODE = true,
}
local CHOICES = {
  C2SIEVE_NON_MATCHING = { keep = true, drop = true },
  C2SIEVE_BUILDING_BLOCKS = { enrich = true, tags = true },
  C2SIEVE_MODE = { canonical = true, parity = true },
}
do
  pcall(ffi.cdef, "extern char **environ;")
  local names = {}
  for k in pairs(_G) do
    if type(k) == "string" and k:sub(1, 8) == "C2SIEVE_" then names[#names + 1] = k end
  end
  local env = ffi.C.environ
  local i = 0
  while env[i] ~= nil do
    local name = ffi.string(env[i]):match("^(C2SIEVE_[^=]*)=")
    if name then names[#names + 1] = name end
    i = i + 1
  end
  for _, name in ipairs(names) do
    if not KNOWN[name] then
      local list = {}
      for k in pairs(KNOWN) do list[#list + 1] = k end
      table.sort(list)
      error("c2sieve: unknown setting " .. name .. " (known: " .. table.concat(list, ", ") .. ")")
    end
  end
  for name, allowed in pairs(CHOICES) do
    local v = option(name, nil)
    if v ~= nil and not allowed[v] then
      local list = {}
      for k in pairs(allowed) do list[#list + 1] = k end
      table.sort(list)
      error("c2sieve: " .. name .. " must be one of " .. table.concat(list, ", ") ..
            " (got \"" .. v .. "\")")
    end
  end
end

-- Engine set-up, once per Lua state.
local lib = ffi.load(option("C2SIEVE_LIBRARY", "libc2sieve.so"))
local engine_box = ffi.new("c2s_engine*[1]")
local session_box = ffi.new("c2s_session*[1]")
local keep_alive = {}
do
  -- Room to spare for init, then a check that this script's declaration
  -- matches the library's struct (it may grow before 1.0).
  local raw = ffi.new("uint8_t[?]", 1024)
  keep_alive[#keep_alive + 1] = raw
  local config = ffi.cast("c2s_engine_config*", raw)
  lib.c2s_engine_config_init(config)
  if config.struct_size ~= ffi.sizeof("c2s_engine_config") then
    error("c2sieve: this c2sieve.lua does not match libc2sieve " .. ffi.string(lib.c2s_version()))
  end
  local files = {}
  for f in string.gmatch(option("C2SIEVE_RULESETS", ""), "[^,]+") do files[#files + 1] = f end
  if #files > 0 then
    local sources = ffi.new("c2s_source[?]", #files)
    for i, f in ipairs(files) do
      keep_alive[#keep_alive + 1] = f
      sources[i - 1].name = f
    end
    keep_alive[#keep_alive + 1] = sources
    config.rulesets = sources
    config.ruleset_count = #files
  end
  local disable = option("C2SIEVE_DISABLE_RULES", nil)
  if disable then keep_alive[#keep_alive + 1] = disable; config.disable_rules = disable end
  if option("C2SIEVE_BUILDING_BLOCKS", "enrich") == "tags" then config.building_blocks_as_tags = 1 end
  if option("C2SIEVE_MODE", "canonical") == "parity" then config.mode = 1 end  -- C2S_MODE_PARITY
  local profile = option("C2SIEVE_PROFILE", nil)
  if profile then keep_alive[#keep_alive + 1] = profile; config.force_profile = profile end
  if lib.c2s_engine_create(config, engine_box) ~= 0 then
    error("c2sieve: " .. ffi.string(lib.c2s_last_error()))
  end
  if lib.c2s_session_create(engine_box[0], session_box) ~= 0 then
    error("c2sieve: " .. ffi.string(lib.c2s_last_error()))
  end
  local exclusions = option("C2SIEVE_EXCLUSIONS", nil)
  if exclusions then
    local w = ffi.new("c2s_watch_options")
    lib.c2s_watch_options_init(w)
    keep_alive[#keep_alive + 1] = exclusions
    w.source = exclusions
    w.interval_ms = tonumber(option("C2SIEVE_WATCH_MS", "5000"))
    local rc = lib.c2s_engine_watch_exclusions(engine_box[0], w)
    if rc == 1 then  -- C2S_E_INVALID_ARGUMENT: a setting that can never work
      error("c2sieve: C2SIEVE_EXCLUSIONS: " .. ffi.string(lib.c2s_last_error()))
    elseif rc ~= 0 then
      log("error", "exclusions NOT applied: " .. ffi.string(lib.c2s_last_error()) ..
          " (events are evaluated without them; still watching)")
    end
  end
end
local engine, session = engine_box[0], session_box[0]
local drop_non_matching = option("C2SIEVE_NON_MATCHING", "keep") == "drop"
local extra_tag = option("C2SIEVE_TAG", nil)

-- The fields the engine reads, as a trie of path components: a record key
-- is looked up in the current node without building path strings; a key
-- holding dots ("dns.question.name") is walked component by component.
local trie = {}
for i = 0, tonumber(lib.c2s_engine_field_count(engine)) - 1 do
  local node, last = trie, nil
  for part in string.gmatch(ffi.string(lib.c2s_engine_field_name(engine, i)), "[^.]+") do
    local child = node[part]
    if not child then
      child = { children = {} }
      node[part] = child
    end
    node = child.children
    last = child
  end
  last.field = i
end

local function descend(node, key)
  local entry
  for part in string.gmatch(key, "[^.]+") do
    if not node then return nil end
    entry = node[part]
    if not entry then return nil end
    node = entry.children
  end
  return entry
end

-- As many values as a record holds: no cap of the wrapper's own (the
-- library has none); the array grows and is kept for the next records.
local capacity = 64
local values = ffi.new("c2s_value[?]", capacity)
local count = 0
local matched = ffi.new("size_t[1]")
local json_ptr = ffi.new("const char*[1]")
local json_size = ffi.new("size_t[1]")

local function add_value(field, v)
  if count >= capacity then
    local grown = ffi.new("c2s_value[?]", capacity * 2)
    ffi.copy(grown, values, ffi.sizeof("c2s_value") * capacity)
    values, capacity = grown, capacity * 2
  end
  local t = type(v)
  local slot = values[count]
  if t == "string" then
    slot.field, slot.type, slot.data, slot.size = field, STRING, v, #v
  elseif t == "boolean" then
    slot.field, slot.type, slot.data, slot.size = field, v and TRUE or FALSE, nil, 0
  else
    return
  end
  count = count + 1
end

-- Numbers compare as their decimal text; the texts must outlive the call
-- (the table is reused: no allocation per record).
local numbers, number_count = {}, 0
local function text_of(v)
  if type(v) == "number" then
    local s = tostring(v)
    number_count = number_count + 1
    numbers[number_count] = s
    return s
  end
  return v
end

-- A field holding an array matches if any element does; nested arrays are
-- flattened, as Elasticsearch indexes them (objects inside are walked as
-- the field's children by walk).
local function add_list(field, list, depth)
  for _, item in ipairs(list) do
    if type(item) ~= "table" then
      add_value(field, text_of(item))
    elseif item[1] ~= nil and depth < 64 then
      add_list(field, item, depth + 1)
    end
  end
end

local find = string.find
local function walk(tbl, node)
  for k, v in pairs(tbl) do
    local entry = node[k]
    if entry == nil and type(k) == "string" and find(k, ".", 1, true) then
      entry = descend(node, k)
    end
    if entry then
      local field = entry.field
      local tv = type(v)
      if field then
        if tv == "table" then
          add_list(field, v, 0)
        else
          add_value(field, text_of(v))
        end
      end
      if tv == "table" and next(entry.children) then
        if v[1] ~= nil then
          for _, item in ipairs(v) do
            if type(item) == "table" then walk(item, entry.children) end
          end
        else
          walk(v, entry.children)
        end
      end
    end
  end
end

-- The enrichment is the rule's fixed fields (rule, threat, event, tags),
-- then "c2sieve" with what this event matched. The fixed part is decoded
-- once per distinct text and reused; only the small tail is decoded per
-- match. Returns a fresh top-level table (its fixed sub-tables are shared).
local fixed_cache, fixed_count = {}, 0
local function enrichment(json)
  local cut = json:find(',"c2sieve":{', 1, true)
  if not cut then
    local add = decode(json)
    if extra_tag then add.tags[#add.tags + 1] = extra_tag end
    return add
  end
  local key = json:sub(1, cut - 1)
  local fixed = fixed_cache[key]
  if not fixed then
    if fixed_count >= 64 then fixed_cache, fixed_count = {}, 0 end
    fixed = decode(key .. "}")
    if extra_tag then fixed.tags[#fixed.tags + 1] = extra_tag end
    fixed_cache[key] = fixed
    fixed_count = fixed_count + 1
  end
  local add = {}
  for k, v in pairs(fixed) do add[k] = v end
  local tags = {}
  for i, t in ipairs(fixed.tags or {}) do tags[i] = t end
  add.tags = tags
  add.c2sieve = decode("{" .. json:sub(cut + 1)).c2sieve
  return add
end

local function evaluate(record)
  count = 0
  number_count = 0
  walk(record, trie)
  if lib.c2s_eval_fields(session, values, count, matched) ~= 0 then
    -- No verdict: the record is kept (also in drop mode), never dropped.
    log("error", ffi.string(lib.c2s_last_error()))
    return nil
  end
  if matched[0] == 0 then return 0 end
  lib.c2s_session_enrichment(session, json_ptr, json_size)
  local add = enrichment(ffi.string(json_ptr[0], json_size[0]))
  local displaced = {}
  -- Flattened ECS keys ("rule.name") are rare: only then copy the shared
  -- tables, since replace_flattened removes what it has set.
  for k in pairs(record) do
    if type(k) == "string" and find(k, ".", 1, true) then
      add = deep_copy(add)
      replace_flattened(record, add, nil, displaced)
      break
    end
  end
  merge(record, add, nil, displaced)
  if next(displaced) then
    record.c2sieve = record.c2sieve or {}
    record.c2sieve.displaced = displaced
  end
  return 2
end

function c2sieve_filter(tag, timestamp, record)
  local ok, code = pcall(evaluate, record)
  if not ok then
    log("error", tostring(code))
    return 0, timestamp, record
  end
  if code == nil then return 0, timestamp, record end  -- not evaluated: kept
  if code == 0 then
    if drop_non_matching then return -1, timestamp, record end
    return 0, timestamp, record
  end
  return code, timestamp, record
end

-- Counters for a status line or a test: plain Lua numbers (the library's
-- 64-bit counters would otherwise come back as cdata).
function c2sieve_stats()
  local s = ffi.new("c2s_stats")
  lib.c2s_engine_stats(engine, s)
  return {
    events = tonumber(s.events), matches = tonumber(s.matches), errors = tonumber(s.errors),
    excluded = tonumber(s.excluded), reloads = tonumber(s.exclusion_swaps),
    rejected_reloads = tonumber(s.exclusion_rejects),
    version = ffi.string(lib.c2s_version()),
  }
end
