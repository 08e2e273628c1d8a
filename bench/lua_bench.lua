-- The Fluent Bit side of the comparison, under LuaJIT: the cost per record
-- of a filter function called as filter_lua calls it (tag, timestamp,
-- record), on the benchmark's events (c2sieve_bench --dump), for
--   noop      a filter that returns 0 (the floor: the call itself);
--   pure_lua  what a Fluent Bit user would write without this library: the
--             same domain patterns, then the process locations, as anchored
--             Lua patterns over the lowercased values (it skips the rule's
--             signer and user clauses, so it does less than the rule);
--   wrapper   integration/fluent-bit/c2sieve.lua calling libc2sieve.
-- filter_lua's msgpack <-> Lua conversion is outside all three (the same
-- for each). Prints one JSON object.
-- Usage: luajit lua_bench.lua LIBC2SIEVE C2SIEVE_LUA EVENTS.ndjson PATTERNS.json [SECONDS]
local lib, script, events_path, patterns_path, seconds = ...
seconds = tonumber(seconds or "1")
local cjson = require("cjson")

local records = {}
for line in io.lines(events_path) do records[#records + 1] = cjson.decode(line) end
local patterns = cjson.decode(io.open(patterns_path):read("*a"))

-- EQL wildcard -> anchored Lua pattern over a lowercased value.
local function lua_pattern(w)
  local p = w:lower():gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0")
  p = p:gsub("%*", ".*"):gsub("%?", ".")
  return "^" .. p .. "$"
end
local domains, exes = {}, {}
for i, w in ipairs(patterns.domains) do domains[i] = lua_pattern(w) end
for i, w in ipairs(patterns.executables) do exes[i] = lua_pattern(w) end

local find, lower = string.find, string.lower
local function pure_lua_filter(tag, ts, record)
  local dns = record.dns and record.dns.question and record.dns.question.name
  if type(dns) ~= "string" then return 0, ts, record end
  dns = lower(dns)
  local listed = false
  for i = 1, #domains do
    if find(dns, domains[i]) then listed = true; break end
  end
  if not listed then return 0, ts, record end
  local exe = record.process and record.process.executable
  if type(exe) == "string" then
    exe = lower(exe)
    for i = 1, #exes do
      if find(exe, exes[i]) then return 0, ts, record end
    end
  end
  record.tags = { "c2sieve: commonly abused web service" }
  return 2, ts, record
end

local function noop_filter(tag, ts, record) return 0, ts, record end

C2SIEVE_LIBRARY = lib
dofile(script)
local wrapper_filter = c2sieve_filter

local function measure(fn)
  local n, changed = #records, 0
  -- warm up (LuaJIT traces), then run whole passes for `seconds` of CPU
  for i = 1, n do fn("dns", 0, records[i]) end
  local calls, start = 0, os.clock()
  repeat
    for i = 1, n do
      local code = fn("dns", 0, records[i])
      if code == 2 then changed = changed + 1 end
    end
    calls = calls + n
  until os.clock() - start >= seconds
  return (os.clock() - start) * 1e9 / calls, changed * n / calls
end

local result = {}
for _, round in ipairs({ "noop", "pure_lua", "wrapper" }) do
  local fn = round == "noop" and noop_filter or round == "pure_lua" and pure_lua_filter
             or wrapper_filter
  local ns, matched = measure(fn)
  result[round .. "_ns"] = ns
  result[round .. "_matched_per_pass"] = matched
end
result.records = #records
print(cjson.encode(result))
