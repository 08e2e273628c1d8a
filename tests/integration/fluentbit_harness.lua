-- Calls integration/fluent-bit/c2sieve.lua exactly as Fluent Bit's lua
-- filter does -- c2sieve_filter(tag, timestamp, record) -> code, timestamp,
-- record -- over NDJSON events, and checks every verdict and record
-- against the c2sieve command's output for the same events.
-- Usage: luajit fluentbit_harness.lua LIBRARY SCRIPT EVENTS EXPECTED
-- (LIBRARY "-": no C2SIEVE_LIBRARY, the script finds the library itself, as
-- an installed package's does.)
local cjson = require("cjson")
local library, script, events_file, expected_file = arg[1], arg[2], arg[3], arg[4]
if library == "-" then library = nil end

-- Fluent Bit hands the filter Lua tables without JSON nulls.
local function strip_nulls(v)
  if type(v) ~= "table" then return v end
  for k, x in pairs(v) do
    if x == cjson.null then v[k] = nil else strip_nulls(x) end
  end
  return v
end

-- Loads the script with these globals set (as Fluent Bit's Lua state would
-- hold them), and clears them again even when loading fails.
local function load_wrapper(globals)
  for k, v in pairs(globals) do _G[k] = v end
  local ok, err = pcall(dofile, script)
  for k in pairs(globals) do _G[k] = nil end
  if not ok then error(err, 0) end
  return c2sieve_filter, c2sieve_stats
end

local passed, failed = 0, 0
-- A list: keys 1..n and nothing else (what Elasticsearch takes as an array).
local function is_list(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do if t[i] == nil then return false end end
  return true
end
local function check(ok, what)
  if ok then passed = passed + 1 else failed = failed + 1; print("FAIL " .. what) end
end

-- Deep equality (cjson's key order depends on how a table was built).
local function same(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  for k, v in pairs(a) do
    if not same(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

local filter, stats = load_wrapper({ C2SIEVE_LIBRARY = library })
local expected = {}
for line in io.lines(expected_file) do expected[#expected + 1] = line end

local n, matched = 0, 0
for line in io.lines(events_file) do
  n = n + 1
  local ok, record = pcall(cjson.decode, line)
  if ok and type(record) == "table" then
    record = strip_nulls(record)
    local before = cjson.encode(record)
    local code, ts, out = filter("sysmon.dns", 1764324000.5, record)
    local want = expected[n]:find('"c2sieve":{', 1, true) ~= nil
    check(ts == 1764324000.5, "line " .. n .. ": timestamp changed")
    if not want then
      check(code == 0, "line " .. n .. ": code " .. tostring(code) .. " for a non-matching record")
      check(cjson.encode(out) == before, "line " .. n .. ": non-matching record was modified")
    else
      matched = matched + 1
      local e = strip_nulls(cjson.decode(expected[n]))
      check(code == 2, "line " .. n .. ": code " .. tostring(code) .. " for a match")
      local rule = out.rule or {}
      check(rule.id == e.rule.id and rule.name == e.rule.name, "line " .. n .. ": rule")
      check(same(out.threat, e.threat), "line " .. n .. ": threat")
      check(same(out.tags, e.tags), "line " .. n .. ": tags " .. cjson.encode(out.tags or {}))
      check(out.event and out.event.risk_score == e.event.risk_score, "line " .. n .. ": risk_score")
      check(same(out.c2sieve.matches, e.c2sieve.matches), "line " .. n .. ": c2sieve.matches")
      check(out.c2sieve.profile == e.c2sieve.profile, "line " .. n .. ": c2sieve.profile")
    end
  end
end
check(matched > 0, "no event matched: the test proves nothing")
local s = stats()
check(type(s.events) == "number" and s.events > 0, "stats are plain numbers")
check(s.matches == matched, "stats.matches " .. tostring(s.matches) .. " ~= " .. matched)

-- Dropping non-matching records, and extra tags (a repeatable option as a
-- table), through the globals.
local drop = load_wrapper({ C2SIEVE_LIBRARY = library, C2SIEVE_ONLY_MATCHES = "true",
                            C2SIEVE_TAG = { "team:c2" } })
local code = drop("t", 1, { dns = { question = { name = "www.example.com" } } })
check(code == -1, "drop mode keeps a non-matching record")
local rec = { event = { category = "network" }, host = { os = { type = "windows" } },
              dns = { question = { name = "pastebin.com" } },
              process = { name = "x.exe", executable = "C:\\Temp\\x.exe" },
              ["rule.name"] = "sysmon rule", tags = "edr" }
local c2, _, out = drop("t", 1, rec)
check(c2 == 2, "a match in drop mode")
check(out["rule.name"] == "Connection to Commonly Abused Web Services",
      "flattened rule.name replaced in place")
check(out.rule.name == nil, "no second rule.name")
check(same(out.tags, { "edr", "c2sieve: commonly abused web service", "team:c2" }),
      "tags appended: " .. cjson.encode(out.tags))
check(out.c2sieve.displaced["rule.name"] == "sysmon rule", "displaced value kept")

-- mark-excluded: a record an exclusion covered gets c2sieve.excluded and
-- nothing of a match; it is changed (2) but no match (only-matches drops it).
local excl_file = os.tmpname()
local f = assert(io.open(excl_file, "w"))
f:write('{"format":"c2sieve.exclusions/1","exclusions":[{"reason":"test","process.name":["covered.exe"]}]}')
f:close()
local covered = function()
  return { event = { category = "network" }, host = { os = { type = "windows" } },
           dns = { question = { name = "pastebin.com" } }, tags = { "edr" },
           process = { name = "covered.exe", executable = "C:\\Temp\\covered.exe" } }
end
for _, only in ipairs({ "false", "true" }) do
  local mark = load_wrapper({ C2SIEVE_LIBRARY = library, C2SIEVE_EXCLUSIONS = excl_file,
                              C2SIEVE_MARK_EXCLUDED = "true", C2SIEVE_ONLY_MATCHES = only,
                              C2SIEVE_STATS_INTERVAL_S = "0" })
  local cm, _, marked = mark("t", 1, covered())
  if only == "true" then
    check(cm == -1, "only-matches drops a record marked as excluded")
  else
    check(cm == 2, "a record marked as excluded is changed: " .. tostring(cm))
    check(same(marked.c2sieve.excluded.rule_id, { "66883649-f908-4a5b-a1e0-54090a1d3a32" }),
          "c2sieve.excluded.rule_id: " .. cjson.encode(marked.c2sieve))
    check(marked.rule == nil and marked.threat == nil and same(marked.tags, { "edr" }),
          "nothing of a match on an excluded record")
  end
end
local plain = load_wrapper({ C2SIEVE_LIBRARY = library, C2SIEVE_EXCLUSIONS = excl_file,
                             C2SIEVE_STATS_INTERVAL_S = "0" })
check(select(1, plain("t", 1, covered())) == 0, "without mark-excluded an excluded record is untouched")
os.remove(excl_file)

-- A record the wrapper cannot read still passes (pcall), never an error.
local weird = setmetatable({}, { __pairs = function() error("boom") end,
                                 __index = function() error("boom") end })
local ok, c3 = pcall(filter, "t", 1, weird)
check(ok and c3 == 0, "errors are contained")

-- What an attacker sends: a match is never lost and a record never dropped
-- because of the wrapper (found when attacked: a 512-value cap, a `tags`
-- map made into a mixed table, a numeric `tags` discarded).
local function hostile(extra)
  local r = { event = { category = { "network" } }, host = { os = { type = "windows" } },
              dns = { question = { name = "pastebin.com" } },
              process = { name = "x.exe", executable = "C:\\Users\\Public\\x.exe" } }
  for k, v in pairs(extra) do r[k] = v end
  return r
end
local many = {}
for i = 1, 600 do many[i] = "x" end
many[601] = "network"
local sigs = {}
for i = 1, 600 do sigs[i] = { subject_name = "x", trusted = false } end
local cases = {
  { "601 event.category values", function() return hostile({ event = { category = many } }) end },
  { "600 signature entries", function()
      return hostile({ process = { name = "x.exe", executable = "C:\\Users\\Public\\x.exe",
                                   Ext = { code_signature = sigs } } }) end },
  { "tags is a map", function() return hostile({ tags = { a = "x" } }), { a = "x" } end },
  { "tags is a number", function() return hostile({ tags = 5 }), 5 end },
  { "tags is a boolean", function() return hostile({ tags = true }), true end },
}
local keep_filter = filter
for _, c in ipairs(cases) do
  for mode, f in pairs({ keep = keep_filter, drop = drop }) do
    local rec, old_tags = c[2]()
    local code, _, out = f("t", 1, rec)
    local label = c[1] .. " (" .. mode .. " mode)"
    check(code == 2, label .. ": code " .. tostring(code))
    check(out and out.rule and out.rule.id == "66883649-f908-4a5b-a1e0-54090a1d3a32", label .. ": not enriched")
    local tags_ok = out and type(out.tags) == "table" and is_list(out.tags)
    check(tags_ok, label .. ": tags " .. cjson.encode(out and out.tags or cjson.null))
    if old_tags ~= nil then
      check(out.c2sieve and out.c2sieve.displaced and same(out.c2sieve.displaced.tags, old_tags),
            label .. ": the old tags kept in c2sieve.displaced")
    end
  end
end

-- The match mode: a \\?\ path spelling is Program Files in canonical mode
-- (excluded) and only a raw string in parity mode, as Elasticsearch sees it.
local function spelled()
  return { event = { category = { "network" } }, host = { os = { type = "windows" } },
           dns = { question = { name = "pastebin.com" } },
           process = { name = "x.exe", executable = "\\\\?\\C:\\Program Files\\x.exe" } }
end
local parity = load_wrapper({ C2SIEVE_LIBRARY = library, C2SIEVE_MODE = "parity" })
check(select(1, keep_filter("t", 1, spelled())) == 0, "canonical: the namespace-prefixed Program Files path is excluded")
check(select(1, parity("t", 1, spelled())) == 2, "parity: the namespace-prefixed Program Files path matches")
-- A typo or a value outside its choices stops the filter from loading.
for _, bad in ipairs({ { C2SIEVE_MODDE = "parity" }, { C2SIEVE_MODE = "strict" },
                       { C2SIEVE_ONLY_MATCHES = "dropp" }, { C2SIEVE_MAX_DEPTH = "0" },
                       { C2SIEVE_PROFILE = { "a", "b" } } }) do
  bad.C2SIEVE_LIBRARY = library
  local loaded, err = pcall(load_wrapper, bad)
  local name = next(bad) == "C2SIEVE_LIBRARY" and select(1, next(bad, "C2SIEVE_LIBRARY")) or next(bad)
  check(not loaded and tostring(err):find("c2sieve:", 1, true) ~= nil,
        "bad setting refused: " .. tostring(err))
end

-- The library names the option meant.
local _, typo = pcall(load_wrapper, { C2SIEVE_LIBRARY = library, C2SIEVE_EXCLUSION = "x.json" })
check(tostring(typo):find("did you mean exclusions", 1, true) ~= nil, "typo answered: " .. tostring(typo))

-- Numbers are typed: the library writes their text, as for JSON events
-- (1e3 is "1000", 0.5 is "0.5"), so a rule on a number compares alike.
do
  local ruleset = os.tmpname()
  local f = io.open(ruleset, "w")
  f:write([[{"format":"c2sieve.ruleset/1","name":"numbers","rules":[{"id":"n-1","name":"numbers",
    "description":"d","risk_score":21,"severity":"low","query":{"all":[
    {"field":"destination.port","equals":["1000"]},{"field":"network.bytes","equals":["0.5"]}]}}]}]])
  f:close()
  local numbers = load_wrapper({ C2SIEVE_LIBRARY = library, C2SIEVE_RULESET = ruleset })
  local c, _, out = numbers("t", 1, { destination = { port = 1e3 }, network = { bytes = 0.5 } })
  check(c == 2 and out.rule.id == "n-1", "typed numbers match their text")
  check(select(1, numbers("t", 1, { destination = { port = 1001 }, network = { bytes = 0.5 } })) == 0,
        "another number does not")
  os.remove(ruleset)
end

-- A gate field of more parts than the wrapper looks up in every spelling:
-- the gate is not used, and a match in any spelling is still found.
do
  local ruleset = os.tmpname()
  local f = io.open(ruleset, "w")
  f:write([[{"format":"c2sieve.ruleset/1","name":"deep","rules":[{"id":"deep-1","name":"deep",
    "description":"d","risk_score":21,"severity":"low","query":{"all":[
    {"field":"a.b.c.d.e.f.g.h.i.j.k","wildcard":["*.deep.example"]}]}}]}]])
  f:close()
  local deep = load_wrapper({ C2SIEVE_LIBRARY = library, C2SIEVE_RULESET = ruleset })
  local c, _, out = deep("t", 1, { ["a.b"] = { c = { ["d.e.f"] = { g = { h = { ["i.j"] = {
    k = "x.deep.example" } } } } } } })
  check(c == 2 and out.rule.id == "deep-1", "an eleven-part field matches without the gate")
  check(select(1, deep("t", 1, { a = { b = "x.deep.example" } })) == 0, "another field does not")
  os.remove(ruleset)
end

-- An exclusions setting that can never work stops the filter from loading
-- (Fluent Bit then refuses to start) instead of running silently without.
for _, bad in ipairs({ "ftp://x/exclusions.json", "gopher://y" }) do
  local loaded, err = pcall(load_wrapper, { C2SIEVE_LIBRARY = library, C2SIEVE_EXCLUSIONS = bad })
  check(not loaded and tostring(err):find("unsupported URL", 1, true) ~= nil,
        "bad exclusions source " .. bad .. " is fatal: " .. tostring(err))
end
-- A missing file: loads (the file may come), says so at error level.
local missing_ok = pcall(load_wrapper, { C2SIEVE_LIBRARY = library,
                                          C2SIEVE_EXCLUSIONS = "/nonexistent/c2sieve.json" })
check(missing_ok, "a missing exclusions file does not stop the filter")

-- Writes a watched ruleset file as a deployment does: whole, by rename.
local function publish_at(path, text)
  local f = assert(io.open(path .. ".tmp", "w"))
  f:write(text)
  f:close()
  assert(os.rename(path .. ".tmp", path))
end

-- A record's enrichment is its reader's to change: the wrapper converts a
-- rule's operations once and keeps them, so a record changed after the
-- call must leave the next match's enrichment as it was.
do
  local own = load_wrapper({ C2SIEVE_LIBRARY = library })
  local function match()
    return { event = { category = "network" }, host = { os = { type = "windows" } },
             dns = { question = { name = "pastebin.com" } },
             process = { name = "x.exe", executable = "C:\\Temp\\x.exe" } }
  end
  local _, _, first = own("t", 1, match())
  local snapshot = cjson.decode(cjson.encode(first))
  first.threat.tactic.id[1] = "changed"
  first.threat.technique.name = { "changed" }
  first.rule.reference[1] = "changed"
  first.rule.author = nil
  first.tags[#first.tags + 1] = "changed"
  first.c2sieve.matches[1].pattern = "changed"
  for round = 1, 3 do
    local code, _, again = own("t", 1, match())
    check(code == 2 and same(again, snapshot),
          "match " .. round .. " after the last record was changed: " .. cjson.encode(again))
    again.threat.tactic.id[1] = "changed"
  end
end

-- A live ruleset whose new version reads the domain from another field:
-- the wrapper reads only the gate's fields for most records, and must be
-- told (c2s_eval_gate's 2) to read the new one before it could miss it.
-- The record matches both versions, so every answer before, at and after
-- the swap is a match: a stale answer taken as "no match" shows as a 0.
do
  local path = os.tmpname()
  publish_at(path, '{"format":"c2sieve.ruleset/1","name":"live","rules":[{"id":"live-feed","name":"Live feed",'
          .. '"severity":"high","risk_score":73,"indicators":{"items":["a.example"]}}]}')
  local live = load_wrapper({ C2SIEVE_LIBRARY = library, C2SIEVE_WATCH_RULESET = path,
                              C2SIEVE_WATCH_INTERVAL_MS = 10 })
  local function record()
    return { event = { category = { "network" } }, host = { name = "x.gate.example" },
             dns = { question = { name = "a.example" } } }
  end
  local code, _, out = live("t", 1, record())
  check(code == 2 and out.rule.id == "live-feed", "the first version matches the domain")
  check(select(1, live("t", 1, { host = { name = "x.gate.example" } })) == 0,
        "host.name is no rule's field yet")
  publish_at(path, '{"format":"c2sieve.ruleset/1","name":"live","rules":[{"id":"live-host","name":"Live host",'
          .. '"severity":"high","risk_score":73,"query":{"all":[{"field":"host.name",'
          .. '"wildcard":["*.gate.example"]}]}}]}')
  local always = true
  for _ = 1, 400 do
    code, _, out = live("t", 1, record())
    always = always and code == 2
    if out.rule and out.rule.id == "live-host" then break end
    os.execute("sleep 0.01")
  end
  check(always and out.rule.id == "live-host", "a new version gating on host.name matches at once")
  code, _, out = live("t", 1, record())
  check(code == 2 and out.rule.id == "live-host", "and after the gate was asked for again")
  check(select(1, live("t", 1, { host = { name = "x.example" } })) == 0, "its gate still decides")
  os.remove(path)
end

-- Which phase decides a record: the library's evaluation calls counted
-- through a stand-in for the namespace ffi.load returns. A domain on no
-- list stops at the gate; a listed one from a legitimate location, or
-- queried by a system account, at the query; only a match is read in full.
do
  local ffi = require("ffi")
  local real_load = ffi.load
  local calls = {}
  ffi.load = function(...)
    local real = real_load(...)
    return setmetatable({}, { __index = function(_, name)
      local f = real[name]
      if name:match("^c2s_eval_") then
        return function(...)
          calls[name] = (calls[name] or 0) + 1
          return f(...)
        end
      end
      return f
    end })
  end
  local ok, counted = pcall(load_wrapper, { C2SIEVE_LIBRARY = library })
  ffi.load = real_load
  check(ok, "the wrapper loads through the counting namespace: " .. tostring(counted))
  local function phases(domain, executable, user)
    calls = {}
    local code = counted("t", 1, { event = { category = { "network" } },
      host = { os = { type = "windows" } }, dns = { question = { name = domain } },
      process = { name = "x.exe", executable = executable }, user = { id = user } })
    return code, (calls.c2s_eval_gate or 0) .. (calls.c2s_eval_query or 0)
                 .. (calls.c2s_eval_fields or 0)
  end
  local temp = "C:\\Users\\a\\AppData\\Local\\Temp\\x.exe"
  local code, seen = phases("example.org", temp, "S-1-5-21-1")
  check(code == 0 and seen == "100", "a domain on no list: the gate decides (" .. seen .. ")")
  code, seen = phases("pastebin.com", "C:\\Program Files\\x\\x.exe", "S-1-5-21-1")
  check(code == 0 and seen == "110", "a legitimate location: the query decides (" .. seen .. ")")
  code, seen = phases("pastebin.com", temp, "S-1-5-18")
  check(code == 0 and seen == "110", "a system account: the query decides (" .. seen .. ")")
  code, seen = phases("pastebin.com", temp, "S-1-5-21-1")
  check(code == 2 and seen == "111", "a match: read in full (" .. seen .. ")")
end

-- A live ruleset whose new version's query reads another field, the gate's
-- fields unchanged: the query's look-ups must be told (c2s_eval_query's 2)
-- to read the new one before they could decide without it. The record
-- matches both versions, as above.
do
  local path = os.tmpname()
  local function ruleset(id, field, pattern)
    return '{"format":"c2sieve.ruleset/1","name":"live","rules":[{"id":"' .. id .. '",'
        .. '"name":"Live","severity":"high","risk_score":73,"query":{"all":['
        .. '{"field":"dns.question.name","wildcard":["*.q.example"]},'
        .. '{"field":"' .. field .. '","wildcard":["' .. pattern .. '"]}]}}]}'
  end
  publish_at(path, ruleset("live-process", "process.name", "b.exe"))
  local live = load_wrapper({ C2SIEVE_LIBRARY = library, C2SIEVE_WATCH_RULESET = path,
                              C2SIEVE_WATCH_INTERVAL_MS = 10 })
  local function record(process, host)
    return { dns = { question = { name = "x.q.example" } }, process = { name = process },
             host = { name = host } }
  end
  local code, _, out = live("t", 1, record("b.exe", "h-1"))
  check(code == 2 and out.rule.id == "live-process", "the first version's query holds")
  check(select(1, live("t", 1, record("c.exe", "h-1"))) == 0, "and decides c.exe")
  publish_at(path, ruleset("live-host", "host.name", "h-*"))
  local always = true
  for _ = 1, 400 do
    code, _, out = live("t", 1, record("b.exe", "h-1"))
    always = always and code == 2
    if out.rule and out.rule.id == "live-host" then break end
    os.execute("sleep 0.01")
  end
  check(always and out.rule.id == "live-host", "a new version's query on host.name matches at once")
  code, _, out = live("t", 1, record("c.exe", "h-1"))
  check(code == 2 and out.rule.id == "live-host", "and after the query was asked for again")
  check(select(1, live("t", 1, record("b.exe", "other"))) == 0, "its query still decides")
  os.remove(path)
end

print(string.format("%d events, %d matches", n, matched))
print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
