#!/usr/bin/env python3
"""Writes tests/integration/typed-events.ndjson: matching events of three
sources (ECS, raw Sysmon from NXLog, winlogbeat) with each field the built-in
rules and profiles read replaced, in turn, by a number, a double, a boolean,
null, an array and a nested object, so every host (CLI, Lua, Logstash,
native Fluent Bit) is checked to give the same verdict and enrichment for
values of every type. Usage: make_typed_events.py FIELD... > FILE (the
fields: c2s_engine_field_name of the default engine)."""
import copy
import json
import sys

ECS = {"event": {"category": ["network"]}, "host": {"os": {"type": "windows"}, "name": "ws-1"},
       "dns": {"question": {"name": "pastebin.com"}},
       "process": {"name": "x.exe", "executable": "C:\\Users\\Public\\x.exe"},
       "user": {"id": "S-1-5-21-1-2-3-1001", "name": "alice", "domain": "CORP"}}
SYSMON = {"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 22,
          "Hostname": "ws-2", "QueryName": "raw.githubusercontent.com", "User": "CORP\\bob",
          "Image": "C:\\Users\\bob\\AppData\\Local\\Temp\\a.exe"}
WINLOGBEAT = {"winlog": {"channel": "Microsoft-Windows-Sysmon/Operational", "event_id": "22",
                         "event_data": {"QueryName": "api.telegram.org", "User": "CORP\\eve",
                                        "Image": "C:\\ProgramData\\t.exe"}},
              "host": {"name": "ws-3"}}
VARIANTS = [42, -7, 1.5, 1e21, True, False, None, [1, "x", True], {"a": 1, "b": [2.5]},
            [["pastebin.com"]]]


def set_path(doc, path, value):
    parts = path.split(".")
    node = doc
    for p in parts[:-1]:
        if not isinstance(node.get(p), dict):
            node[p] = {}
        node = node[p]
    node[parts[-1]] = value


for field in sys.argv[1:]:
    for base in (ECS, SYSMON, WINLOGBEAT):
        for value in VARIANTS:
            doc = copy.deepcopy(base)
            set_path(doc, field, copy.deepcopy(value))
            print(json.dumps(doc, ensure_ascii=False))
