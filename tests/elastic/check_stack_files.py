#!/usr/bin/env python3
"""Checks the Elastic stack files against what the code really produces.

- the index template covers the indices both shippers write to, maps every
  field c2sieve adds (run through the real `c2sieve scan` over the bundled
  sample and every test corpus) with a type that accepts its values, and maps
  every field of the sample events the demo ships;
- the Kibana saved objects are well formed, their references resolve, and the
  fields they show or query are mapped;
- docker-compose.yml: every variable is defined in .env, every bind mount,
  build file and build target exists, every script a service runs is in a
  folder it mounts.

Usage: check_stack_files.py C2SIEVE_CLI REPO
"""
import fnmatch
import glob
import json
import os
import re
import subprocess
import sys

import yaml

cli, repo = sys.argv[1], sys.argv[2]
failures = []


def fail(message):
    failures.append(message)


def rel(*parts):
    return os.path.join(repo, *parts)


# --- index template -------------------------------------------------------
template = json.load(open(rel("integration/elastic/index-template.json")))
patterns = template["index_patterns"]
mappings = template["template"]["mappings"]


def shipper_indices():
    fb = yaml.safe_load(open(rel("integration/docker/fluent-bit/fluent-bit.yaml")))
    indices = [o["index"] for o in fb["pipeline"]["outputs"] if o["name"] == "es"]
    ls = open(rel("integration/docker/logstash/pipeline.conf")).read()
    indices += re.findall(r'^\s*index\s*=>\s*"([^"]+)"', ls, re.M)
    return indices


indices = shipper_indices()
if len(indices) != 2:
    fail(f"expected one Elasticsearch index per shipper, found {indices}")
for index in indices:
    if not any(fnmatch.fnmatchcase(index, p) for p in patterns):
        fail(f"index {index} is not covered by the template's patterns {patterns}")


def mapped(path):
    """The explicit mapping of a dotted field path, or None."""
    node = {"properties": mappings["properties"]}
    for part in path.split("."):
        props = node.get("properties")
        if props is None or part not in props:
            return None
        node = props[part]
    return node


NUMERIC = {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float"}
STRINGY = {"keyword", "text", "match_only_text", "wildcard", "constant_keyword"}


def accepts(mapping, value):
    kind = mapping.get("type", "object")
    if isinstance(value, bool):
        return kind in {"boolean"} | STRINGY
    if isinstance(value, (int, float)):
        return kind in NUMERIC | STRINGY
    if isinstance(value, str):
        if kind == "boolean":
            return value in ("true", "false")
        if kind in NUMERIC:
            return re.fullmatch(r"-?\d+(\.\d+)?", value) is not None
        if kind == "date":
            return re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", value) is not None
        if kind == "ip":
            return mapping.get("ignore_malformed", False) or re.fullmatch(r"[0-9a-fA-F:.]+", value)
        return kind in STRINGY
    return False


def leaves(value, path=""):
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaves(child, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for child in value:
            yield from leaves(child, path)
    elif value is not None:
        yield path, value


ADDED = ("rule.", "threat.", "c2sieve.", "event.risk_score", "event.severity", "tags")
inputs = [rel("samples/ecs-dns-events.ndjson")]
inputs += sorted(glob.glob(rel("tests/cli/*.ndjson")))
inputs += sorted(glob.glob(rel("tests/data/sources/*.ndjson")))
checked_added = set()
for path in inputs:
    is_sample = path.endswith("samples/ecs-dns-events.ndjson")
    out = subprocess.run([cli, "scan", "--quiet", "--only-matches", path],
                         capture_output=True, check=False).stdout
    for line in out.splitlines():
        event = json.loads(line)
        if not isinstance(event, dict):
            continue
        for field, value in leaves(event):
            if field.startswith("c2sieve.displaced"):
                continue  # kept in _source only
            added = field.startswith(ADDED)
            if not (added or is_sample):
                continue
            mapping = mapped(field)
            if mapping is None:
                fail(f"{os.path.basename(path)}: {field} is not mapped by the index template")
            elif not accepts(mapping, value):
                fail(f"{os.path.basename(path)}: {field} = {value!r} does not fit type {mapping.get('type')}")
            elif added:
                checked_added.add(field)
displaced = mapped("c2sieve.displaced")
if not displaced or displaced.get("enabled") is not False:
    fail("c2sieve.displaced must be an object with enabled: false (its content varies)")
for required in ("rule.id", "rule.name", "threat.technique.id", "event.risk_score",
                 "event.severity", "tags", "c2sieve.matches.pattern"):
    if required not in checked_added:
        fail(f"no enriched event carried {required}: the check saw no matches")

# --- Kibana saved objects -------------------------------------------------
objects = [json.loads(l) for l in open(rel("integration/elastic/kibana-saved-objects.ndjson")) if l.strip()]
by_key = {(o["type"], o["id"]): o for o in objects}
if len(by_key) != len(objects):
    fail("saved objects: duplicate type/id")
for o in objects:
    for ref in o.get("references", []):
        if (ref["type"], ref["id"]) not in by_key:
            fail(f"saved object {o['id']}: reference {ref} resolves to nothing in the file")
    attrs = o["attributes"]
    if o["type"] == "index-pattern":
        if not any(fnmatch.fnmatchcase(i, attrs["title"]) for i in indices):
            fail(f"data view {attrs['title']} covers neither shipper's index {indices}")
        time_field = mapped(attrs["timeFieldName"])
        if not time_field or time_field.get("type") != "date":
            fail(f"data view time field {attrs['timeFieldName']} is not mapped as a date")
    if o["type"] == "search":
        source = json.loads(attrs["kibanaSavedObjectMeta"]["searchSourceJSON"])
        ref_names = {r["name"] for r in o["references"]}
        if source.get("indexRefName") not in ref_names:
            fail(f"saved search {o['id']}: indexRefName has no reference")
        for column in attrs["columns"]:
            if mapped(column) is None:
                fail(f"saved search {o['id']}: column {column} is not mapped")
        for field, _ in attrs.get("sort", []):
            if mapped(field) is None:
                fail(f"saved search {o['id']}: sort field {field} is not mapped")
        for field in re.findall(r"([\w.@]+)\s*:", source["query"]["query"]):
            if mapped(field) is None:
                fail(f"saved search {o['id']}: query field {field} is not mapped")
if not any(o["type"] == "search" for o in objects):
    fail("no saved search of the matches")

# --- docker-compose.yml ---------------------------------------------------
compose_text = open(rel("docker-compose.yml")).read()
compose = yaml.safe_load(compose_text)
env = {}
for line in open(rel(".env")):
    line = line.strip()
    if line and not line.startswith("#"):
        key, _, value = line.partition("=")
        env[key] = value
for var in set(re.findall(r"(?<!\$)\$\{(\w+)\}", compose_text)):
    if var not in env:
        fail(f"docker-compose.yml uses ${{{var}}}, which .env does not define")
dockerfile_targets = {}
for name, service in compose["services"].items():
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            if not os.path.exists(rel(source)):
                fail(f"service {name}: bind mount {source} does not exist")
            mounts[target] = source
    build = service.get("build")
    if build:
        dockerfile = rel(build.get("context", "."), build["dockerfile"])
        if dockerfile not in dockerfile_targets:
            text = open(dockerfile).read()
            dockerfile_targets[dockerfile] = set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", text, re.M | re.I))
            for source in re.findall(r"^COPY\s+(?!--from)(\S+)\s", text, re.M):
                if source != "." and not os.path.exists(rel(build.get("context", "."), source)):
                    fail(f"{build['dockerfile']}: COPY source {source} does not exist")
        if build.get("target") not in dockerfile_targets[dockerfile]:
            fail(f"service {name}: build target {build.get('target')} is not a stage of {build['dockerfile']}")
    command = service.get("command") or []
    for word in command if isinstance(command, list) else command.split():
        if word.endswith(".sh"):
            host = next((rel(src, word[len(dst):].lstrip("/")) for dst, src in mounts.items()
                         if word.startswith(dst + "/")), None)
            if host is None or not os.path.isfile(host):
                fail(f"service {name}: runs {word}, which no bind mount provides")

if failures:
    for message in dict.fromkeys(failures):  # each distinct failure once
        print("FAIL:", message)
    sys.exit(1)
print(f"stack files: template covers {indices}, {len(checked_added)} added fields checked, "
      f"{len(objects)} saved objects, {len(compose['services'])} services")
