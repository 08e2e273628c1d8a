#!/usr/bin/env python3
"""Checks the JSON Schemas in rulesets/schema: every shipped ruleset and
exclusions file validates, and documents the engine refuses are refused by
the schema too. Usage: validate_schemas.py REPO_DIR"""
import glob
import subprocess
import json
import os
import sys

import jsonschema

repo = sys.argv[1]
schema_dir = os.path.join(repo, "rulesets", "schema")
schemas = {}
for name in ("ruleset", "exclusions", "profiles", "import"):
    with open(os.path.join(schema_dir, f"{name}.schema.json")) as f:
        schemas[name] = json.load(f)
store = {s["$id"]: s for s in schemas.values()}
failures = 0
passed = 0


def validator(kind):
    cls = jsonschema.validators.validator_for(schemas[kind])
    cls.check_schema(schemas[kind])
    resolver = jsonschema.RefResolver(schemas[kind]["$id"], schemas[kind], store=store)
    return cls(schemas[kind], resolver=resolver)


def check(kind, doc, want_valid, label):
    global failures
    errors = list(validator(kind).iter_errors(doc))
    ok = (not errors) == want_valid
    if not ok:
        failures += 1
        detail = "; ".join(e.message for e in errors[:3]) or "no error"
        print(f"FAIL {label}: expected {'valid' if want_valid else 'invalid'} ({detail})")
    else:
        global passed
        passed += 1
        print(f"ok   {label}")


shipped = glob.glob(os.path.join(repo, "rulesets", "**", "*.json"), recursive=True)
for path in sorted(shipped):
    if os.path.dirname(path) == schema_dir:
        continue
    with open(path) as f:
        doc = json.load(f)
    fmt = doc.get("format", "")
    kind = ("exclusions" if fmt.startswith("c2sieve.exclusions/")
            else "profiles" if fmt.startswith("c2sieve.profiles/")
            else "import" if fmt.startswith("c2sieve.import/") else "ruleset")
    check(kind, doc, True, os.path.relpath(path, repo))

rule = {"format": "c2sieve.ruleset/1", "name": "t", "rules": [
    {"id": "a", "name": "b", "query": {"field": "dns.question.name", "wildcard": ["x.*"]}}]}
check("ruleset", rule, True, "minimal ruleset")
bad_rules = {
    "unknown predicate key": {"field": "f", "wildcards": ["x"]},
    "two shapes": {"all": [{"field": "f", "exists": True}], "any": [{"field": "f", "exists": True}]},
    "empty all": {"all": []},
    "exists false": {"field": "f", "exists": False},
    "bad field name": {"field": "a..b", "exists": True},
}
for label, query in bad_rules.items():
    doc = json.loads(json.dumps(rule))
    doc["rules"][0]["query"] = query
    check("ruleset", doc, False, f"ruleset with {label}")
doc = json.loads(json.dumps(rule))
doc["rules"][0]["query"] = {"field": "user.id", "equals": ["S-1-5-18"], "case_insensitive": True}
check("ruleset", doc, True, "ruleset with case_insensitive equals")
doc["rules"][0]["query"] = {"field": "user.id", "wildcard": ["a"], "case_insensitive": True}
check("ruleset", doc, False, "ruleset with case_insensitive beside wildcard")
doc["rules"][0]["query"] = {"field": "process.executable", "wildcard": ["/usr/bin/*"], "case_sensitive": True}
check("ruleset", doc, True, "ruleset with a case-sensitive wildcard")
doc = json.loads(json.dumps(rule))
doc["rules"][0]["severity"] = "urgent"
check("ruleset", doc, False, "ruleset with bad severity")

# Feed rules: indicators instead of (or beside) a query; what the importer
# writes is valid, and what the loader refuses the schema refuses too.
feed = {"format": "c2sieve.ruleset/1", "name": "f", "rules": [
    {"id": "f1", "name": "F", "indicators": {"provider": "P", "items": [
        "evil.example", "*.tunnel.example", "xn--bcher-kva.example",
        {"value": "x.example", "id": "indicator--1", "confidence": "High",
         "valid_from": "2026-01-01T00:00:00Z", "labels": ["c2"]}]}}]}
check("ruleset", feed, True, "feed ruleset")
for label, item in {"an uppercase name": "Evil.example", "a trailing dot": "evil.example.",
                    "a single label": "localhost", "a wildcard inside": "a.*.example",
                    "an unknown confidence": {"value": "x.example", "confidence": "very"},
                    "an unknown item key": {"value": "x.example", "colour": "red"}}.items():
    doc = json.loads(json.dumps(feed))
    doc["rules"][0]["indicators"]["items"] = [item]
    check("ruleset", doc, False, f"feed ruleset with {label}")
doc = json.loads(json.dumps(feed))
del doc["rules"][0]["indicators"]
check("ruleset", doc, False, "rule with neither query nor indicators")
for fmt, path in (("stix", "bundle.stix.json"), ("misp", "event.misp.json")):
    out = subprocess.run([sys.argv[2], "import", "feed", "--format", fmt, "--id", "f", "--name", "F", "-o", "/dev/stdout",
                          os.path.join(repo, "tests/data/import/feeds", path)], capture_output=True)
    check("ruleset", json.loads(out.stdout), True, f"imported {fmt} feed")

excl = {"format": "c2sieve.exclusions/1", "exclusions": [{"reason": "r", "process.name": ["a.exe"]}]}
check("exclusions", excl, True, "minimal exclusions")
check("exclusions", {"format": "c2sieve.exclusions/1", "exclusions": [
    {"reason": "r", "allow_catch_all": True, "process.executable": ["*"]}]}, True,
      "exclusions with allow_catch_all")
check("exclusions", {"format": "c2sieve.exclusions/1", "allow_broad": True, "exclusions": [
    {"reason": "r", "process.executable": ["C:\\Users\\*"]}]}, True, "exclusions with allow_broad")
check("exclusions", {"format": "c2sieve.exclusions/1", "allow_broad": "yes", "exclusions": []}, False,
      "exclusions with allow_broad not a boolean")
bad_excl = {
    "no reason": {"process.name": ["a.exe"]},
    "no condition": {"reason": "r"},
    "unknown key": {"reason": "r", "process.exe": ["a"]},
    "string instead of list": {"reason": "r", "process.name": "a.exe"},
    "trusted as string": {"reason": "r", "process.code_signature.trusted": "yes"},
    "bad when": {"reason": "r", "when": {"field": "f", "exists": False}},
}
for label, entry in bad_excl.items():
    check("exclusions", {"format": "c2sieve.exclusions/1", "exclusions": [entry]}, False,
          f"exclusions with {label}")

prof = {"format": "c2sieve.profiles/1", "profiles": [
    {"name": "p", "detect": {"field": "Channel", "exists": True},
     "fields": {"dns.question.name": [{"from": "QueryName"}], "user.id": []},
     "defaults": {"host.os.type": "windows"}}]}
check("profiles", prof, True, "minimal profiles")
bad_prof = {
    "no name": {"fields": {}},
    "unknown transform": {"name": "p", "fields": {"a": [{"from": "b", "transform": "upper"}]}},
    "source without from": {"name": "p", "fields": {"a": [{"index": 1}]}},
    "quoted boolean in map": {"name": "p", "fields": {"a": [{"from": "b", "map": {"x": "true"}}]}},
    "bad detect": {"name": "p", "detect": {"field": "f", "exists": False}},
}
for label, entry in bad_prof.items():
    check("profiles", {"format": "c2sieve.profiles/1", "profiles": [entry]}, False,
          f"profiles with {label}")

spec = {"format": "c2sieve.import/1", "rules": {"r1": {"comments": [{"replace": "x", "comment": "y"}]}}}
check("import", spec, True, "minimal import spec")
for label, entry in {"comment without target": {"comment": "y"},
                     "both targets": {"replace": "x", "field": "f", "contains": "v", "comment": "y"},
                     "field without contains": {"field": "f", "comment": "y"}}.items():
    check("import", {"format": "c2sieve.import/1", "rules": {"r1": {"comments": [entry]}}}, False,
          f"import spec with {label}")

print(f"{passed} passed, {failures} failed")
sys.exit(1 if failures else 0)
