-- c2sieve for Fluent Bit's stock `lua` filter (LuaJIT FFI, no rebuild).
--
--   [FILTER]
--       Name    lua
--       Match   *
--       script  /etc/fluent-bit/c2sieve.lua
--       call    c2sieve_filter
--
-- Settings are the library's options (`c2sieve scan --help` and the
-- README list them: ruleset, exclusions, mode, only-matches, tag ...),
-- written C2SIEVE_ plus the name in upper case with '_' for '-':
-- C2SIEVE_EXCLUSIONS, C2SIEVE_MAX_EVENT_BYTES, C2SIEVE_ONLY_MATCHES. They
-- come from the script's globals (set before loading; a repeatable option
-- may be a table of values) or the environment, globals first. The library
-- checks them: an unknown C2SIEVE_* name or a bad value stops the script
-- when it loads (Fluent Bit then refuses to start), naming the valid ones.
-- C2SIEVE_LIBRARY, the path of libc2sieve.so (default: beside this script's
-- bundle, else libc2sieve.so.0 on the system's library path, where the
-- libc2sieve0 package puts it), is this script's own.
--
-- Contract (filter_lua): returns 0 for records it does not touch, so Fluent
-- Bit keeps their original bytes; 2 with the enriched record (timestamp
-- kept); -1 to drop non-matching records when only-matches is set. The
-- library never lets a C++ exception out, and every call here runs under
-- pcall: on any error the record passes through unchanged (an error in a
-- Lua callback would otherwise revert every record of the batch).

local ffi = require("ffi")

-- Declared once per Lua state (the script may be loaded more than once).
if not pcall(ffi.typeof, "c2s_enrich_op") then ffi.cdef[[
typedef struct c2s_engine c2s_engine;
typedef struct c2s_session c2s_session;
typedef struct c2s_options c2s_options;
typedef struct c2s_value {
  int32_t field; int32_t type; const char *data; size_t size;
  union { int64_t i; uint64_t u; double d; } number;
} c2s_value;
typedef struct c2s_member { const char *key; size_t key_size; c2s_value value; } c2s_member;
typedef struct c2s_enrich_op {
  const char *path; const char *const *segments; size_t segment_count;
  int32_t kind; int32_t is_array; const c2s_value *values; size_t value_count;
} c2s_enrich_op;
typedef struct c2s_stats {
  uint64_t events, matches, errors, exclusion_swaps, exclusion_rejects, excluded,
    prefiltered;
} c2s_stats;
const char *c2s_version(void);
const char *c2s_last_error(void);
int c2s_options_create(c2s_options **out);
void c2s_options_free(c2s_options *options);
int c2s_options_set(c2s_options *options, const char *key, const char *value);
const char *c2s_options_get(const c2s_options *options, const char *key);
int c2s_engine_create_with_options(const c2s_options *options, c2s_engine **out);
size_t c2s_engine_field_count(const c2s_engine *engine);
const char *c2s_engine_field_name(const c2s_engine *engine, size_t i);
void c2s_engine_stats(const c2s_engine *engine, c2s_stats *out);
int c2s_session_create(c2s_engine *engine, c2s_session **out);
int c2s_eval_fields(c2s_session *session, const c2s_value *values, size_t count, size_t *matched_rules);
int c2s_session_gate_fields(c2s_session *session, const int32_t **fields, size_t *count);
int c2s_eval_gate(c2s_session *session, const c2s_value *values, size_t count, int *may_match);
int c2s_session_query_fields(c2s_session *session, const int32_t **fields, size_t *count);
int c2s_eval_query(c2s_session *session, const c2s_value *values, size_t count, int *may_match);
int c2s_session_enrichment_ops(const c2s_session *session, const c2s_enrich_op **ops, size_t *count);
int c2s_session_enrichment_ops_shared(const c2s_session *session, size_t *shared, uint64_t *generation);
]] end

local STRING, TRUE, FALSE, OTHER, INT, UINT, DOUBLE, OBJECT = 0, 1, 2, 4, 5, 6, 7, 8
local APPEND = 1

local function log(level, msg)
  io.stderr:write("[c2sieve] [", level, "] ", msg, "\n")
end

-- Every C2SIEVE_* global and environment variable (globals first).
local settings = {}
do
  pcall(ffi.cdef, "extern char **environ;")
  local env = ffi.C.environ
  local i = 0
  while env[i] ~= nil do
    local name, value = ffi.string(env[i]):match("^(C2SIEVE_[^=]*)=(.*)$")
    if name then settings[name] = value end
    i = i + 1
  end
  for k, v in pairs(_G) do
    if type(k) == "string" and k:sub(1, 8) == "C2SIEVE_" then settings[k] = v end
  end
end

-- The library: C2SIEVE_LIBRARY, else beside this script as the bundle lays
-- it out (share/c2sieve/ -> lib/), else by its SONAME from the system's
-- library path (the libc2sieve0 package installs libc2sieve.so.0 only; the
-- unversioned name comes with libc2sieve-dev).
local function library_path()
  if settings.C2SIEVE_LIBRARY then return tostring(settings.C2SIEVE_LIBRARY) end
  local here = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./")
  for _, candidate in ipairs({ here .. "../../lib/libc2sieve.so.0", here .. "../../lib/libc2sieve.so",
                               here .. "libc2sieve.so.0", here .. "libc2sieve.so" }) do
    local f = io.open(candidate, "rb")
    if f then f:close(); return candidate end
  end
  return "libc2sieve.so.0"
end

local lib = ffi.load(library_path())
local engine_box = ffi.new("c2s_engine*[1]")
local session_box = ffi.new("c2s_session*[1]")
local only_matches, mark_excluded
do
  local options_box = ffi.new("c2s_options*[1]")
  if lib.c2s_options_create(options_box) ~= 0 then error("c2sieve: " .. ffi.string(lib.c2s_last_error())) end
  local options = ffi.gc(options_box[0], lib.c2s_options_free)
  local names = {}
  for name in pairs(settings) do
    if name ~= "C2SIEVE_LIBRARY" then names[#names + 1] = name end
  end
  table.sort(names)  -- repeatable values keep a stable order
  for _, name in ipairs(names) do
    local value = settings[name]
    local list = type(value) == "table" and value or { value }
    for _, v in ipairs(list) do
      if lib.c2s_options_set(options, name:sub(9), tostring(v)) ~= 0 then
        error("c2sieve: " .. name .. ": " .. ffi.string(lib.c2s_last_error()))
      end
    end
  end
  if lib.c2s_engine_create_with_options(options, engine_box) ~= 0 then
    error("c2sieve: " .. ffi.string(lib.c2s_last_error()))
  end
  if lib.c2s_session_create(engine_box[0], session_box) ~= 0 then
    error("c2sieve: " .. ffi.string(lib.c2s_last_error()))
  end
  only_matches = ffi.string(lib.c2s_options_get(options, "only-matches")) == "true"
  mark_excluded = ffi.string(lib.c2s_options_get(options, "mark-excluded")) == "true"
end
local engine, session = engine_box[0], session_box[0]

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

local find = string.find
local function descend(node, key)
  -- An empty component ("dns..name", ".dns", "dns.") names no field, as
  -- the library reads such keys.
  if find(key, "..", 1, true) or key:sub(1, 1) == "." or key:sub(-1) == "." then
    return nil
  end
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

-- Strings are passed as views (Lua keeps them alive during the call);
-- numbers typed, for the library to write as text.
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
  elseif t == "number" then
    slot.field, slot.type, slot.data, slot.size = field, DOUBLE, nil, 0
    slot.number.d = v
  elseif t == "boolean" then
    slot.field, slot.type, slot.data, slot.size = field, v and TRUE or FALSE, nil, 0
  elseif t == "table" then
    -- a map where a value is expected: present, matching no string
    slot.field, slot.type, slot.data, slot.size = field, OTHER, nil, 0
  else
    return
  end
  count = count + 1
end

-- A field holding an array matches if any element does; nested arrays are
-- flattened, as Elasticsearch indexes them (objects inside are walked as
-- the field's children by walk).
local function add_list(field, list, depth)
  for _, item in ipairs(list) do
    if type(item) ~= "table" then
      add_value(field, item)
    elseif item[1] ~= nil then
      if depth < 64 then add_list(field, item, depth + 1) end
    elseif next(item) ~= nil then
      add_value(field, item)  -- an object in the array
    end
  end
end

-- A field's own value: an array (or an empty table) as its elements, a map
-- as present and matching no string, anything else as it is.
local function add_field(field, v)
  if type(v) == "table" and (v[1] ~= nil or next(v) == nil) then
    add_list(field, v, 0)
  else
    add_value(field, v)
  end
end

-- The maps of an array on a field's path: nested arrays are flattened, as
-- Elasticsearch indexes them (depth bounded as add_list's).
local walk
local function walk_list(list, node, depth)
  for _, item in ipairs(list) do
    if type(item) == "table" then
      if item[1] ~= nil then
        if depth < 64 then walk_list(item, node, depth + 1) end
      else
        walk(item, node)
      end
    end
  end
end

function walk(tbl, node)
  for k, v in pairs(tbl) do
    local entry = node[k]
    if entry == nil and type(k) == "string" and find(k, ".", 1, true) then
      entry = descend(node, k)
    end
    if entry then
      local field = entry.field
      local tv = type(v)
      if field then add_field(field, v) end
      if tv == "table" and next(entry.children) then
        if v[1] ~= nil then
          walk_list(v, entry.children, 0)
        else
          walk(v, entry.children)
        end
      end
    end
  end
end

-- Two phases before the walk. The gate (c2s_eval_gate): the few fields
-- whose values alone can show that no rule matches -- the domain and what
-- profiles build it from. Most records are decided from them. The query
-- (c2s_eval_query): the fields that decide every rule's query, for the
-- records the gate leaves (mostly a listed domain queried from a
-- legitimate location). Both are looked up directly in every spelling of
-- their paths (each way of cutting "dns.question.name" into keys), without
-- walking the record; only the rest are walked and evaluated in full. The
-- look-ups read what walk would: arrays on the way are entered element by
-- element, the field's own value is taken as walk takes it.
local gate   -- function(record): adds the values of the gate's fields
local query  -- the same for the query's fields that are not the gate's
local fields_box = ffi.new("const int32_t*[1]")
local fields_count = ffi.new("size_t[1]")
local may_match = ffi.new("int[1]")

-- A field of more parts than this has too many spellings to look up
-- (2^(parts-1)): then that phase is not used.
local MAX_LOOKUP_PARTS = 10
local gate_off, query_off = false, false

-- Every spelling of each field the library lists (skipping those in
-- `skip`); nil when a field has too many parts.
local function spellings(list, skip)
  local out = {}
  for i = 0, tonumber(fields_count[0]) - 1 do
    local field = list[i]
    if not skip[field] then
      local parts = {}
      for part in string.gmatch(ffi.string(lib.c2s_engine_field_name(engine, field)), "[^.]+") do
        parts[#parts + 1] = part
      end
      if #parts > MAX_LOOKUP_PARTS then
        log("info", "the field " .. ffi.string(lib.c2s_engine_field_name(engine, field))
            .. " has too many parts to look up: records are read in full instead")
        return nil
      end
      -- Each of the 2^(n-1) cuts: bit k of `cut` set joins part k+2 to the key before it.
      for cut = 0, 2 ^ (#parts - 1) - 1 do
        local keys, key, bits = {}, parts[1], cut
        for j = 2, #parts do
          if bits % 2 == 1 then
            key = key .. "." .. parts[j]
          else
            keys[#keys + 1] = key
            key = parts[j]
          end
          bits = math.floor(bits / 2)
        end
        keys[#keys + 1] = key
        out[#out + 1] = { field = field, keys = keys, depth = #keys }
      end
    end
  end
  return out
end

-- The values of `field` at keys[i..depth] below tbl: maps are followed in
-- this loop (the usual record), an array on the way element by element.
local gather_list
local function gather(tbl, keys, i, depth, field)
  local v = tbl[keys[i]]
  while v ~= nil and i < depth do
    if type(v) ~= "table" then return end
    if v[1] ~= nil then
      gather_list(v, keys, i + 1, depth, field, 0)
      return
    end
    i = i + 1
    v = v[keys[i]]
  end
  if v ~= nil then add_field(field, v) end
end

function gather_list(list, keys, i, depth, field, nesting)
  for _, item in ipairs(list) do
    if type(item) == "table" then
      if item[1] ~= nil then
        if nesting < 64 then gather_list(item, keys, i, depth, field, nesting + 1) end
      else
        gather(item, keys, i, depth, field)
      end
    end
  end
end

-- The look-ups of one phase as one Lua function, generated from the
-- spellings' keys: keys shared by spellings are looked up once, each with
-- a constant key, and the code has no loop (LuaJIT compiles it in one
-- trace; a loop over the spellings leaves its traces on every record). An
-- array met on the way is read by gather, the spellings through it at a
-- time (as the loop did).
local function along(list, through)
  for j = 1, #through do
    local t = through[j]
    gather_list(list, t.keys, t.i + 1, t.depth, t.field, 0)
  end
end

local function compile_lookups(list)
  local root = { children = {}, order = {} }
  for _, sp in ipairs(list) do
    local node = root
    for i, key in ipairs(sp.keys) do
      local child = node.children[key]
      if not child then
        child = { children = {}, order = {}, fields = {}, through = {} }
        node.children[key] = child
        node.order[#node.order + 1] = key
      end
      if i < sp.depth then
        child.through[#child.through + 1] = { keys = sp.keys, i = i, depth = sp.depth, field = sp.field }
      end
      node = child
    end
    node.fields[#node.fields + 1] = sp.field
  end
  local code, throughs, n = { "local add_field, along, through, type = ...\nreturn function(r)\n" }, {}, 0
  local function emit(node, t)
    for _, key in ipairs(node.order) do
      local child = node.children[key]
      n = n + 1
      local v = "v" .. n
      code[#code + 1] = string.format("do local %s = %s[%q]\nif %s ~= nil then\n", v, t, key, v)
      for _, field in ipairs(child.fields) do
        code[#code + 1] = string.format("add_field(%d, %s)\n", field, v)
      end
      if #child.through > 0 then
        throughs[#throughs + 1] = child.through
        code[#code + 1] = string.format(
          "if type(%s) == 'table' then\nif %s[1] ~= nil then along(%s, through[%d]) else\n",
          v, v, v, #throughs)
        emit(child, v)
        code[#code + 1] = "end end\n"
      end
      code[#code + 1] = "end end\n"
    end
  end
  emit(root, "r")
  code[#code + 1] = "end\n"
  local chunk = assert(loadstring(table.concat(code), "=c2sieve look-ups"))
  return chunk(add_field, along, throughs, type)
end

-- Both lists at once: the query's look-ups leave out the gate's fields,
-- whose values are already gathered when the query is asked.
local function refresh_lookups()
  gate, query, gate_off, query_off = nil, nil, true, true
  local in_gate = {}
  if lib.c2s_session_gate_fields(session, fields_box, fields_count) ~= 0 then
    log("error", ffi.string(lib.c2s_last_error()))
  else
    local list = spellings(fields_box[0], in_gate)
    if list then
      gate, gate_off = compile_lookups(list), false
      for i = 0, tonumber(fields_count[0]) - 1 do in_gate[fields_box[0][i]] = true end
    end
  end
  if lib.c2s_session_query_fields(session, fields_box, fields_count) ~= 0 then
    log("error", ffi.string(lib.c2s_last_error()))
  else
    local list = spellings(fields_box[0], in_gate)
    if list then query, query_off = compile_lookups(list), false end
  end
end
refresh_lookups()

-- One phase's answer: 0 no rule can match (decided and counted by the
-- library), 1 read on, 2 the lists were stale (now refreshed). An error
-- here only costs the walk.
local function phase(eval)
  if eval(session, values, count, may_match) ~= 0 then
    log("error", ffi.string(lib.c2s_last_error()))
    return 1
  end
  local may = may_match[0]
  if may == 2 then refresh_lookups() end  -- a live ruleset reads other fields now
  return may
end

local function lookups_decide(record)
  count = 0
  if not gate_off then
    gate(record)
    local may = phase(lib.c2s_eval_gate)
    -- After a stale answer the values gathered are not the new lists'.
    if may ~= 1 then return may == 0 end
  end
  if query_off then return false end
  -- The gate's values stay in `values`: the query reads them too.
  query(record)
  return phase(lib.c2s_eval_query) == 0
end


local function lua_value(v)
  local t = v.type
  if t == STRING then return ffi.string(v.data, v.size) end
  if t == INT then return tonumber(v.number.i) end
  if t == UINT then return tonumber(v.number.u) end
  if t == DOUBLE then return v.number.d end
  if t == TRUE then return true end
  if t == FALSE then return false end
  if t == OBJECT then
    local members = ffi.cast("const c2s_member*", v.data)
    local o = {}
    for i = 0, tonumber(v.size) - 1 do
      o[ffi.string(members[i].key, members[i].key_size)] = lua_value(members[i].value)
    end
    return o
  end
  return nil
end

local function same(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local function is_list(t)
  return type(t) == "table" and (t[1] ~= nil or next(t) == nil)
end

-- Applies one enrichment operation (the rules are c2sieve.h's, the same the
-- library's JSON splice follows): maps created on the way, anything else
-- in the way kept aside in `displaced`; SET replaces, APPEND adds what is
-- not there yet.
-- Fluent Bit's null (the lua filter's enable_flb_null, recommended: without
-- it Fluent Bit drops nulls from the records it hands Lua): read as missing.
local NULL = rawget(_G, "flb_null")
local function present(v)
  if NULL ~= nil and v == NULL then return nil end
  return v
end

local function keep_aside(displaced, path, old)
  -- Our own leaves are rewritten on re-enrichment; anything else is kept.
  if old ~= nil and path:sub(1, 8) ~= "c2sieve." then displaced[path] = old end
end

-- A path's segments as Lua strings, made once: the enrichment's paths are
-- the loaded rules' few (bounded all the same, for rules that change).
local segments_of, segments_cached = {}, 0
local function segments(path, op)
  local segs = segments_of[path]
  if segs then return segs end
  segs = {}
  for i = 0, tonumber(op.segment_count) - 1 do segs[i + 1] = ffi.string(op.segments[i]) end
  if segments_cached >= 4096 then segments_of, segments_cached = {}, 0 end
  segments_of[path] = segs
  segments_cached = segments_cached + 1
  return segs
end

-- One operation in Lua's terms: its path, its segments, its value (a table
-- of the values when it is an array or an append).
local function convert(op)
  local path = ffi.string(op.path)
  local append = op.kind == APPEND
  local value
  if append or op.is_array ~= 0 then
    value = {}
    for i = 0, tonumber(op.value_count) - 1 do value[i + 1] = lua_value(op.values[i]) end
  else
    value = lua_value(op.values[0])
  end
  return { path = path, segs = segments(path, op), append = append, value = value }
end

-- A matched rule's own operations (rule.*, threat.*, tags: most of a
-- match's) are the same at each of its matches: converted once, kept by
-- the library's key for them (c2s_session_enrichment_ops_shared), dropped
-- when its generation changes. A kept conversion is marked `shared`: its
-- tables are copied into each record (a record is its reader's to change),
-- never set there themselves.
local shared_box = ffi.new("size_t[1]")
local generation_box = ffi.new("uint64_t[1]")
local converted, converted_generation, converted_count = {}, nil, 0

local function shared_conversions(ops, n)
  if n == 0 or lib.c2s_session_enrichment_ops_shared(session, shared_box, generation_box) ~= 0 then
    return nil, 0
  end
  local shared = tonumber(shared_box[0])
  if shared == 0 or ops[0].values == nil then return nil, 0 end
  local generation = tonumber(generation_box[0])
  if generation ~= converted_generation then
    converted, converted_generation, converted_count = {}, generation, 0
  end
  local key = tonumber(ffi.cast("uintptr_t", ops[0].values))
  local list = converted[key]
  if not list then
    list = {}
    for i = 0, shared - 1 do
      local c = convert(ops[i])
      c.shared = true
      list[i + 1] = c
    end
    -- Bounded: a rule's list each, the rules of one version.
    if converted_count >= 1024 then converted, converted_count = {}, 0 end
    converted[key] = list
    converted_count = converted_count + 1
  end
  return list, shared
end

-- A kept value's copy for one record: its tables (a list, an object) are
-- new, strings and numbers are values already.
local new_table = require("table.new")  -- LuaJIT's: a table sized at once
local function copy_value(v)
  if type(v) ~= "table" then return v end
  local n = #v
  local out = new_table(n, 0)
  if n > 0 then
    for i = 1, n do
      local e = v[i]
      out[i] = type(e) == "table" and copy_value(e) or e
    end
  else
    for k, e in pairs(v) do out[k] = type(e) == "table" and copy_value(e) or e end
  end
  return out
end

local function apply(record, c, displaced)
  local path, value = c.path, c.value
  local node, key = record, path
  local segs = c.segs
  local n = #segs
  if n > 1 and record[path] == nil then  -- not held flattened: walk the maps
    for i = 1, n - 1 do
      local seg = segs[i]
      local child = present(node[seg])
      if type(child) ~= "table" or child[1] ~= nil then
        if child ~= nil then keep_aside(displaced, table.concat(segs, ".", 1, i), child) end
        child = {}
        node[seg] = child
      end
      node = child
    end
    key = segs[n]
  end
  local old = present(node[key])
  if c.append then
    local list
    if type(old) == "string" then
      list = { old }
    elseif is_list(old) then
      list = old
    else
      keep_aside(displaced, path, old)
      list = {}
    end
    for _, v in ipairs(value) do
      local present = false
      for _, e in ipairs(list) do if e == v then present = true; break end end
      if not present then list[#list + 1] = v end
    end
    node[key] = list
  else
    if c.shared then value = copy_value(value) end
    if not same(old, value) then keep_aside(displaced, path, old) end
    node[key] = value
  end
end

local ops_box = ffi.new("const c2s_enrich_op*[1]")
local ops_count = ffi.new("size_t[1]")

local function evaluate(record)
  if lookups_decide(record) then return 0 end
  count = 0
  walk(record, trie)
  if lib.c2s_eval_fields(session, values, count, matched) ~= 0 then
    -- No verdict: the record is kept (also with only-matches), never dropped.
    log("error", ffi.string(lib.c2s_last_error()))
    return nil
  end
  local is_match = matched[0] ~= 0
  -- mark-excluded: an event no rule matched may still carry operations
  -- (c2sieve.excluded.rule_id); it is changed, but it is no match.
  if not is_match and not mark_excluded then return 0 end
  if lib.c2s_session_enrichment_ops(session, ops_box, ops_count) ~= 0 then
    error(ffi.string(lib.c2s_last_error()))
  end
  if ops_count[0] == 0 then return 0 end
  local displaced = {}
  local ops, n = ops_box[0], tonumber(ops_count[0])
  local list, shared = shared_conversions(ops, n)
  for i = 0, n - 1 do
    apply(record, i < shared and list[i + 1] or convert(ops[i]), displaced)
  end
  if next(displaced) then record.c2sieve.displaced = displaced end
  return is_match and 2 or 3
end

function c2sieve_filter(tag, timestamp, record)
  local ok, code = pcall(evaluate, record)
  if not ok then
    log("error", tostring(code))
    return 0, timestamp, record
  end
  if code == nil then return 0, timestamp, record end  -- not evaluated: kept
  if code == 0 or code == 3 then
    if only_matches then return -1, timestamp, record end
    return code == 3 and 2 or 0, timestamp, record
  end
  return code, timestamp, record
end

-- Counters for a status line or a test: plain Lua numbers (the library's
-- 64-bit counters would otherwise come back as cdata). The library also
-- logs them every stats-interval-s seconds.
function c2sieve_stats()
  local s = ffi.new("c2s_stats")
  lib.c2s_engine_stats(engine, s)
  return {
    events = tonumber(s.events), matches = tonumber(s.matches), errors = tonumber(s.errors),
    excluded = tonumber(s.excluded), reloads = tonumber(s.exclusion_swaps),
    rejected_reloads = tonumber(s.exclusion_rejects),
    prefiltered = tonumber(s.prefiltered),
    version = ffi.string(lib.c2s_version()),
  }
end
