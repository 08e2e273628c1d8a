#!/usr/bin/env python3
"""Checks the Elastic stack files without an Elastic stack.

No Elasticsearch or Kibana runs in CI, so each object is checked against
the request and object formats that Elastic's published specifications give
(elastic/elasticsearch-specification for the template, component template,
ingest pipeline and role bodies; Kibana's rule schemas, common_attributes
and saved-object types for the detection rules and saved objects). The
facts used are written out below, each where it is checked; no file of
Elastic's is copied. Then what ties the files together:

- the generated files (detection rules, saved objects) are what their
  generators make from the shipped rulesets;
- the data stream template covers what both shippers write, is composed of
  Elasticsearch's own logs@mappings, logs@settings and ecs@mappings plus
  c2sieve's component template, which maps every field the engine adds
  (found by running the real `c2sieve scan` over every corpus) with the type
  ECS gives it;
- every field a query, column, panel, mapping or override refers to is
  mapped, with a type that operation needs;
- docker-compose.yml: TLS verified everywhere, credentials, memory limits,
  positions and _ids for exactly-once, every variable, mount, script and
  build target in place.

Usage: check_stack_files.py C2SIEVE_CLI REPO
"""
import fnmatch
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

cli, repo = sys.argv[1], sys.argv[2]
failures = []


def fail(message):
    failures.append(message)


def rel(*parts):
    return os.path.join(repo, *parts)


def load_ndjson(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def unknown_keys(what, obj, allowed):
    for key in set(obj) - set(allowed):
        fail(f"{what}: '{key}' is not a property the format has")


# --- generated files are current -----------------------------------------
for script, target in (("make_detection_rules.py", "detection-rules.ndjson"),
                       ("make_saved_objects.py", "kibana-saved-objects.ndjson")):
    made = subprocess.run([sys.executable, rel("integration/elastic", script), repo, "-"],
                          capture_output=True, text=True, check=True).stdout
    if made != open(rel("integration/elastic", target)).read():
        fail(f"integration/elastic/{target} is not what {script} makes: run it")

# --- Elasticsearch: index template, component template, pipeline, role ---
# Body properties of PUT _index_template, _component_template,
# _ingest/pipeline and _security/role (elasticsearch-specification).
INDEX_TEMPLATE_KEYS = {"index_patterns", "composed_of", "template", "data_stream", "priority",
                       "version", "_meta", "allow_auto_create", "ignore_missing_component_templates",
                       "deprecated"}
COMPONENT_TEMPLATE_KEYS = {"template", "version", "_meta", "deprecated"}
TEMPLATE_KEYS = {"settings", "mappings", "aliases", "lifecycle", "data_stream_options"}
PIPELINE_KEYS = {"description", "processors", "on_failure", "version", "_meta", "deprecated"}
ROLE_KEYS = {"cluster", "indices", "applications", "global", "metadata", "run_as",
             "remote_indices", "remote_cluster", "description", "transient_metadata"}
# The processors used here and their required properties.
PROCESSORS = {"rename": ({"field", "target_field"}, {"field", "target_field", "ignore_missing", "override",
                                                     "description", "if", "ignore_failure", "tag",
                                                     "on_failure"}),
              "set": ({"field"}, {"field", "value", "copy_from", "override", "description", "if",
                                  "ignore_failure", "ignore_empty_value", "media_type", "tag",
                                  "on_failure"}),
              "pipeline": ({"name"}, {"name", "ignore_missing_pipeline", "description", "if",
                                      "ignore_failure", "tag", "on_failure"})}
CLUSTER_PRIVILEGES = {"monitor", "manage", "all", "manage_index_templates", "manage_ilm",
                      "manage_pipeline", "read_ilm", "monitor_ml", "manage_security"}
INDEX_PRIVILEGES = {"create_doc", "create", "index", "write", "auto_configure", "view_index_metadata",
                    "read", "delete", "delete_index", "manage", "all", "monitor", "create_index"}
# Elasticsearch's own component templates (x-pack template resources):
# what they map that c2sieve's objects rely on.
ES_COMPONENTS = {"logs@mappings", "logs@settings", "ecs@mappings", "logs@custom"}
LOGS_MAPPINGS = {"@timestamp": {"type": "date"},
                 "data_stream.type": {"type": "constant_keyword"},
                 "data_stream.dataset": {"type": "constant_keyword"},
                 "data_stream.namespace": {"type": "constant_keyword"}}
MAPPING_TYPES = {"keyword", "match_only_text", "text", "wildcard", "long", "integer", "float",
                 "double", "scaled_float", "boolean", "date", "date_nanos", "ip", "object", "nested",
                 "constant_keyword", "flattened", "geo_point"}
MAPPING_PARAMS = {"type", "ignore_above", "fields", "index", "doc_values", "enabled", "properties",
                  "scaling_factor", "dynamic", "ignore_malformed", "value"}

template = json.load(open(rel("integration/elastic/index-template.json")))
component = json.load(open(rel("integration/elastic/component-template.json")))
pipeline = json.load(open(rel("integration/elastic/ingest-pipeline.json")))
role = json.load(open(rel("integration/elastic/shipper-role.json")))
setup_es = open(rel("integration/elastic/setup-elasticsearch.sh")).read()

unknown_keys("index template", template, INDEX_TEMPLATE_KEYS)
unknown_keys("component template", component, COMPONENT_TEMPLATE_KEYS)
unknown_keys("component template's template", component["template"], TEMPLATE_KEYS)
unknown_keys("ingest pipeline", pipeline, PIPELINE_KEYS)
unknown_keys("shipper role", role, ROLE_KEYS)

installed = dict(re.findall(r"PUT (/_\w+/\S+) \"\$here/([\w.-]+)\"", setup_es))
installed_names = {path.rsplit("/", 1)[1]: f for path, f in installed.items()}
custom_installed = set(re.findall(r"PUT /_component_template/(\S+) \"\$work/", setup_es))
if installed.get("/_index_template/logs-c2sieve.dns") != "index-template.json":
    fail("setup-elasticsearch.sh does not install index-template.json as logs-c2sieve.dns")
if "data_stream" not in template:
    fail("the index template does not make data streams")
if template.get("priority", 0) <= 100:
    fail("the index template's priority must exceed 100 (Elasticsearch's logs template's)")
composed = template.get("composed_of", [])
for required in ("logs@mappings", "logs@settings", "ecs@mappings"):
    if required not in composed:
        fail(f"the index template is not composed of Elasticsearch's {required}")
if ("ecs@mappings" in composed and "logs-c2sieve.dns@mappings" in composed and
        composed.index("ecs@mappings") > composed.index("logs-c2sieve.dns@mappings")):
    fail("c2sieve's component template must come after ecs@mappings (later ones win)")
for name in composed:
    optional = name in template.get("ignore_missing_component_templates", [])
    if name in ES_COMPONENTS or optional or name in custom_installed:
        continue
    if installed_names.get(name) != "component-template.json":
        fail(f"component template {name} is neither Elasticsearch's nor installed by setup-elasticsearch.sh")
for name in template.get("ignore_missing_component_templates", []):
    if name not in composed or not name.endswith("@custom"):
        fail(f"ignore_missing_component_templates holds {name}: only the @custom hooks may be missing")
default_pipeline = component["template"].get("settings", {}).get("index", {}).get("default_pipeline")
if installed.get(f"/_ingest/pipeline/{default_pipeline}") != "ingest-pipeline.json":
    fail(f"default_pipeline {default_pipeline} is not the pipeline setup-elasticsearch.sh installs")
for i, processor in enumerate(pipeline["processors"]):
    (kind, body), = processor.items()
    if kind not in PROCESSORS:
        fail(f"pipeline processor {i}: {kind} is not a processor checked here")
        continue
    required, allowed = PROCESSORS[kind]
    unknown_keys(f"pipeline processor {i} ({kind})", body, allowed)
    if not required <= set(body):
        fail(f"pipeline processor {i} ({kind}) lacks {required - set(body)}")
    if kind == "set" and ("value" in body) == ("copy_from" in body):
        fail(f"pipeline processor {i}: set takes exactly one of value and copy_from")
if not any(p.get("set", {}).get("field") == "event.ingested" for p in pipeline["processors"]):
    fail("the pipeline does not stamp event.ingested (the detection rules' timestamp)")
if not any(p.get("pipeline", {}).get("name") == "logs@default-pipeline" for p in pipeline["processors"]):
    fail("the pipeline does not run logs@default-pipeline, which logs@settings' default it replaces")
for privilege in role.get("cluster", []):
    if privilege not in CLUSTER_PRIVILEGES:
        fail(f"shipper role: unknown cluster privilege {privilege}")
for entry in role.get("indices", []):
    unknown_keys("shipper role index entry", entry, {"names", "privileges", "field_security", "query",
                                                     "allow_restricted_indices"})
    for privilege in entry["privileges"]:
        if privilege not in INDEX_PRIVILEGES:
            fail(f"shipper role: unknown index privilege {privilege}")
        if privilege in {"write", "index", "delete", "delete_index", "manage", "all"}:
            fail(f"shipper role: {privilege} lets a shipper overwrite or delete documents")
    if entry["names"] != template["index_patterns"]:
        fail("shipper role: its indices are not the template's index patterns")


def walk_mapping(props, prefix=""):
    for name, node in props.items():
        path = f"{prefix}{name}"
        unknown = set(node) - MAPPING_PARAMS
        if unknown:
            fail(f"mapping of {path}: unknown parameters {sorted(unknown)}")
        kind = node.get("type", "object")
        if kind not in MAPPING_TYPES:
            fail(f"mapping of {path}: unknown type {kind}")
        for sub, sub_node in node.get("fields", {}).items():
            if sub_node.get("type") not in MAPPING_TYPES:
                fail(f"mapping of {path}.{sub}: unknown type")
        if "properties" in node:
            yield from walk_mapping(node["properties"], path + ".")
        else:
            yield path, node


mapping = dict(LOGS_MAPPINGS)
mapping.update(walk_mapping(component["template"]["mappings"]["properties"]))


def mapped(path):
    return mapping.get(path)


# --- what both shippers write is covered ---------------------------------
fb_config = yaml.safe_load(open(rel("integration/docker/fluent-bit/fluent-bit.yaml")))
fb_outputs = [o for o in fb_config["pipeline"]["outputs"] if o["name"] == "es"]
ls_config = open(rel("integration/docker/logstash/pipeline.conf")).read()
ls_example = open(rel("integration/logstash/pipeline.conf")).read()
targets = [o["index"] for o in fb_outputs]
targets += re.findall(r'^\s*index\s*=>\s*"([^"]+)"', ls_config, re.M)
example_ds = {k: v for k, v in re.findall(r'data_stream_(type|dataset|namespace)\s*=>\s*"([^"]+)"', ls_example)}
targets.append(f"{example_ds.get('type')}-{example_ds.get('dataset')}-{example_ds.get('namespace')}")
if len(targets) != 3:
    fail(f"expected one target per shipper configuration, found {targets}")
for target in targets:
    if not any(fnmatch.fnmatchcase(target, p) for p in template["index_patterns"]):
        fail(f"{target} is not covered by the template's patterns {template['index_patterns']}")
    if not re.fullmatch(r"logs-[a-z0-9_.]+-[a-z0-9_]+", target):
        fail(f"{target} is not a data stream name of the form logs-<dataset>-<namespace>")

# --- every field the engine adds, mapped with its ECS type ---------------
# ECS's types for what c2sieve adds (ECS field reference); c2sieve.* is ours.
ECS_TYPES = [("threat.enrichments.indicator.first_seen", "date"),
             ("threat.enrichments.indicator.last_seen", "date"),
             ("threat.enrichments.indicator.modified_at", "date"),
             ("rule.", "keyword"), ("threat.", "keyword"), ("tags", "keyword"),
             ("event.risk_score", "float"), ("event.severity", "long")]
NUMERIC = {"long", "integer", "float", "double", "scaled_float"}
STRINGY = {"keyword", "text", "match_only_text", "wildcard", "constant_keyword"}


def accepts(node, value):
    kind = node.get("type", "object")
    if isinstance(value, bool):
        return kind in {"boolean"} | STRINGY
    if isinstance(value, (int, float)):
        return kind in NUMERIC | STRINGY
    if isinstance(value, str):
        if kind == "boolean":
            return value in ("true", "false")
        if kind in NUMERIC:
            return re.fullmatch(r"-?\d+(\.\d+)?", value) is not None
        if kind in ("date", "date_nanos"):
            return re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value) is not None
        if kind == "ip":
            return re.fullmatch(r"[0-9a-fA-F:.]+", value) is not None
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
checked_added, severities = set(), set()
# Rules of every severity, so that each event.severity value the engine can
# write is seen: the built-in Windows rule once per severity label.
work = tempfile.mkdtemp()
windows = json.load(open(rel("rulesets/elastic/command_and_control_common_webservices.json")))
severity_rulesets = []
for label in ("low", "medium", "high", "critical"):
    ruleset = json.loads(json.dumps(windows))
    for r in ruleset["rules"]:
        r["severity"] = label
    severity_rulesets.append(os.path.join(work, f"{label}.json"))
    json.dump(ruleset, open(severity_rulesets[-1], "w"))
for ruleset in severity_rulesets:
    out = subprocess.run([cli, "scan", "--quiet", "--only-matches", "--ruleset", ruleset,
                          rel("samples/ecs-dns-events.ndjson")], capture_output=True, check=True).stdout
    severities.update(json.loads(line)["event"]["severity"] for line in out.splitlines())
shutil.rmtree(work)
if len(severities) != 4:
    fail(f"rules of four severities gave event.severity values {sorted(severities)}")
# Each corpus's matches, and the sample's excluded events as the compose
# stack marks them (mark-excluded, the example exclusions).
# The corpora go through one process (its start-up, the rules' compile, is
# most of what a scan of them costs): the command's lines are independent.
corpora = b"".join(data if data.endswith(b"\n") else data + b"\n"
                   for data in (open(p, "rb").read() for p in inputs))
scans = [("the test corpora", corpora, [cli, "scan", "--quiet", "--only-matches", "-"])]
scans.append((os.path.basename(inputs[0]), None,
              [cli, "scan", "--quiet", "--mark-excluded", "--exclusions",
               rel("rulesets/examples/exclusions.json"), inputs[0]]))
# Feed rules: threat.enrichments as indicator match rules write them
# (the test STIX bundle and MISP event, over events querying their names).
feed_work = tempfile.mkdtemp()
feed_events = os.path.join(feed_work, "feed-events.ndjson")
with open(feed_events, "w") as f:
    for name in ("stage2.evil-cdn.example", "b.tunnel.example", "login-portal.example"):
        f.write(json.dumps({"dns": {"question": {"name": name}}}) + "\n")
for fmt, feed in (("stix", "bundle.stix.json"), ("misp", "event.misp.json")):
    ruleset = os.path.join(feed_work, f"{fmt}.json")
    subprocess.run([cli, "import", "feed", "--format", fmt, "--id", f"feed-{fmt}", "--name", fmt,
                    "-o", ruleset, rel(f"tests/data/import/feeds/{feed}")], capture_output=True, check=False)
    scans.append((os.path.basename(feed_events), None,
                  [cli, "scan", "--quiet", "--only-matches", "--ruleset", ruleset, feed_events]))
for name, stdin, command in scans:
    out = subprocess.run(command, input=stdin, capture_output=True, check=False).stdout
    for line in out.splitlines():
        event = json.loads(line)
        if not isinstance(event, dict):
            continue
        for field, value in leaves(event):
            if field.startswith("c2sieve.displaced"):
                continue  # kept in _source only
            node = mapped(field)
            if node is None:
                if field.startswith(ADDED):
                    fail(f"{name}: {field} (added by c2sieve) is not mapped")
                continue  # the event's own fields: ecs@mappings' dynamic templates
            if not accepts(node, value):
                fail(f"{name}: {field} = {value!r} does not fit type {node.get('type')}")
            if field.startswith(ADDED):
                checked_added.add(field)
                want = next((t for p, t in ECS_TYPES if field == p or field.startswith(p) and p.endswith(".")), None)
                if want and node.get("type") != want:
                    fail(f"{field} is mapped as {node.get('type')}, ECS says {want}")
shutil.rmtree(feed_work)
enrichments = component["template"]["mappings"]["properties"]["threat"]["properties"].get("enrichments", {})
if enrichments.get("type") != "nested":
    fail("threat.enrichments must be nested, as in Elastic Security's alerts (one entry per indicator)")
displaced = component["template"]["mappings"]["properties"]["c2sieve"]["properties"].get("displaced", {})
if displaced.get("enabled") is not False:
    fail("c2sieve.displaced must be an object with enabled: false (its content varies)")
for required in ("rule.id", "rule.name", "threat.technique.id", "event.risk_score",
                 "event.severity", "tags", "c2sieve.matches.pattern", "c2sieve.excluded.rule_id",
                 "threat.enrichments.matched.atomic", "threat.enrichments.matched.type",
                 "threat.enrichments.indicator.url.domain", "threat.enrichments.indicator.first_seen",
                 "threat.enrichments.indicator.confidence", "threat.enrichments.feed.name"):
    if required not in checked_added:
        fail(f"no enriched event carried {required}: the check saw no matches")


def need_field(what, field, kinds=None):
    node = mapped(field)
    if node is None:
        fail(f"{what}: field {field} is not mapped")
    elif kinds and node.get("type") not in kinds:
        fail(f"{what}: field {field} is {node.get('type')}, needs one of {sorted(kinds)}")


def kql_fields(query):
    return re.findall(r"([\w.@]+)\s*:", query)


DATES = {"date", "date_nanos"}
AGGREGATABLE = {"keyword", "constant_keyword", "long", "float", "boolean", "ip", "date"}

# --- Kibana detection rules (rule_schemas / common_attributes) -----------
RULE_REQUIRED = {"name", "description", "risk_score", "severity", "type", "rule_id"}
RULE_KEYS = RULE_REQUIRED | {
    "rule_name_override", "timestamp_override", "timestamp_override_fallback_disabled", "timeline_id",
    "timeline_title", "license", "note", "building_block_type", "output_index", "namespace", "meta",
    "investigation_fields", "throttle", "response_actions", "version", "tags", "enabled",
    "risk_score_mapping", "severity_mapping", "interval", "from", "to", "actions", "exceptions_list",
    "author", "false_positives", "references", "max_signals", "threat", "setup",
    "related_integrations", "required_fields", "index", "data_view_id", "filters", "saved_id",
    "alert_suppression", "query", "language", "immutable"}
SEVERITIES = {"low", "medium", "high", "critical"}
rules = load_ndjson(rel("integration/elastic/detection-rules.ndjson"))
builtin = {}
for path in glob.glob(rel("rulesets/elastic/*.json")):
    if not path.endswith(".import.json"):
        for r in json.load(open(path))["rules"]:
            builtin[r["id"]] = r
rule_ids = [r.get("rule_id") for r in rules]
if len(set(rule_ids)) != len(rule_ids):
    fail("detection rules: a rule_id given twice")
covered = set()
for r in rules:
    what = f"detection rule {r.get('rule_id')}"
    unknown_keys(what, r, RULE_KEYS)
    if not RULE_REQUIRED <= set(r):
        fail(f"{what}: lacks {sorted(RULE_REQUIRED - set(r))}")
    if r.get("type") != "query" or r.get("language") not in ("kuery", "lucene"):
        fail(f"{what}: a custom query rule in KQL is expected")
    if not (isinstance(r.get("risk_score"), int) and 0 <= r["risk_score"] <= 100):
        fail(f"{what}: risk_score must be an integer 0-100")
    if r.get("severity") not in SEVERITIES:
        fail(f"{what}: severity {r.get('severity')}")
    if not (isinstance(r.get("max_signals"), int) and r["max_signals"] >= 1):
        fail(f"{what}: max_signals must be at least 1")
    if not (isinstance(r.get("version"), int) and r["version"] >= 1):
        fail(f"{what}: version must be at least 1")
    if r.get("immutable") is not False:
        fail(f"{what}: an imported custom rule is not immutable")
    if not re.fullmatch(r"\d+[smhd]", r.get("interval", "")) or not re.fullmatch(r"now-\d+[smhd]", r.get("from", "")):
        fail(f"{what}: interval/from are not date math")
    if r.get("building_block_type") not in (None, "default"):
        fail(f"{what}: building_block_type must be 'default'")
    for pattern in r.get("index", []):
        if not any(fnmatch.fnmatchcase(t, pattern) for t in targets):
            fail(f"{what}: index pattern {pattern} covers none of the data streams {targets}")
    for field in kql_fields(r.get("query", "")):
        need_field(what + " query", field)
    if r.get("timestamp_override"):
        need_field(what + " timestamp_override", r["timestamp_override"], DATES)
        if r["timestamp_override"] == "event.ingested" and not any(
                p.get("set", {}).get("field") == "event.ingested" for p in pipeline["processors"]):
            fail(f"{what}: queries by event.ingested, which nothing sets")
    if r.get("rule_name_override"):
        need_field(what + " rule_name_override", r["rule_name_override"], {"keyword"})
    for m in r.get("severity_mapping", []):
        unknown_keys(what + " severity_mapping", m, {"field", "operator", "value", "severity"})
        if m.get("operator") != "equals" or m.get("severity") not in SEVERITIES or not isinstance(m.get("value"), str):
            fail(f"{what}: severity_mapping entry {m}")
        need_field(what + " severity_mapping", m["field"])
    mapped_values = {m["value"] for m in r.get("severity_mapping", [])}
    if r.get("severity_mapping") and not {str(s) for s in severities} <= mapped_values:
        fail(f"{what}: event.severity values {sorted(severities)} seen, mapped only {sorted(mapped_values)}")
    for m in r.get("risk_score_mapping", []):
        unknown_keys(what + " risk_score_mapping", m, {"field", "operator", "value", "risk_score"})
        if m.get("operator") != "equals" or not isinstance(m.get("value"), str):
            fail(f"{what}: risk_score_mapping entry {m}")
        need_field(what + " risk_score_mapping", m["field"], NUMERIC)
    for t in r.get("threat", []):
        unknown_keys(what + " threat", t, {"framework", "tactic", "technique"})
        if not {"framework", "tactic"} <= set(t) or set(t["tactic"]) != {"id", "name", "reference"}:
            fail(f"{what}: threat entry lacks framework or a full tactic")
        for te in t.get("technique", []):
            unknown_keys(what + " technique", te, {"id", "name", "reference", "subtechnique"})
            if not {"id", "name", "reference"} <= set(te):
                fail(f"{what}: technique {te.get('id')} lacks id, name or reference")
            for s in te.get("subtechnique", []):
                if set(s) != {"id", "name", "reference"}:
                    fail(f"{what}: subtechnique {s.get('id')} must have exactly id, name, reference")
    m = re.fullmatch(r'c2sieve\.matches\.rule_id : "([^"]+)"', r.get("query", ""))
    if m:
        source = builtin.get(m.group(1))
        if source is None:
            fail(f"{what}: queries rule {m.group(1)}, which is no built-in rule")
            continue
        covered.add(m.group(1))
        techniques = sorted(te["id"] for t in r.get("threat", []) for te in t.get("technique", []))
        want = sorted(te["id"] for t in source.get("threat", []) for te in t.get("techniques", []))
        if techniques != want:
            fail(f"{what}: ATT&CK techniques {techniques}, the source rule has {want}")
        if bool(r.get("building_block_type")) != bool(source.get("building_block_type")):
            fail(f"{what}: building-block type differs from the source rule's")
if covered != set(builtin):
    fail(f"detection rules cover built-in rules {sorted(covered)}, not all of {sorted(builtin)}")
if not any("rule_name_override" in r and "not c2sieve.matches.rule_id" in r.get("query", "") for r in rules):
    fail("no detection rule for matches of user-loaded rules")

# --- Kibana saved objects --------------------------------------------------
# Migration versions Kibana defines for each type (its saved-object type
# registrations): coreMigrationVersion is 8.8.0 throughout 8.x; a
# typeMigrationVersion must be one the type has, up to 8.19.
CORE_MIGRATION_VERSION = "8.8.0"
KNOWN_TYPE_VERSIONS = {
    "index-pattern": {"7.6.0", "7.11.0", "8.0.0"},
    "search": {"7.9.3", "7.12.0", "8.0.0"},
    "lens": {"7.14.0", "8.1.0", "8.2.0", "8.3.0", "8.5.0", "8.6.0", "8.9.0"},
    "dashboard": {"7.14.0", "7.17.3", "8.5.0", "8.6.0", "8.7.0", "8.9.0"},
}
OBJECT_KEYS = {"type", "id", "attributes", "references", "coreMigrationVersion",
               "typeMigrationVersion", "managed"}
objects = load_ndjson(rel("integration/elastic/kibana-saved-objects.ndjson"))
by_key = {(o["type"], o["id"]): o for o in objects}
if len(by_key) != len(objects):
    fail("saved objects: duplicate type/id")
data_views = {}
for o in objects:
    what = f"saved object {o['type']}/{o['id']}"
    unknown_keys(what, o, OBJECT_KEYS)
    if o.get("coreMigrationVersion") != CORE_MIGRATION_VERSION:
        fail(f"{what}: coreMigrationVersion must be {CORE_MIGRATION_VERSION}")
    if o.get("typeMigrationVersion") not in KNOWN_TYPE_VERSIONS.get(o["type"], set()):
        fail(f"{what}: typeMigrationVersion {o.get('typeMigrationVersion')} is not one of the type's")
    refs = {r["name"]: r for r in o.get("references", [])}
    for ref in o.get("references", []):
        if (ref["type"], ref["id"]) not in by_key:
            fail(f"{what}: reference {ref} resolves to nothing in the file")
    attrs = o["attributes"]
    if o["type"] == "index-pattern":
        data_views[o["id"]] = attrs["title"]
        if not any(fnmatch.fnmatchcase(t, pattern) for t in targets for pattern in attrs["title"].split(",")):
            fail(f"{what}: {attrs['title']} covers none of {targets}")
        need_field(what + " time field", attrs["timeFieldName"], DATES)
    elif o["type"] == "search":
        source = json.loads(attrs["kibanaSavedObjectMeta"]["searchSourceJSON"])
        if source.get("indexRefName") not in refs:
            fail(f"{what}: indexRefName has no reference")
        for column in attrs["columns"]:
            need_field(what + " column", column)
        for field, _ in attrs.get("sort", []):
            need_field(what + " sort", field, AGGREGATABLE)
        for field in kql_fields(source["query"]["query"]):
            need_field(what + " query", field)
    elif o["type"] == "lens":
        state = attrs["state"]
        for field in kql_fields(state["query"]["query"]):
            need_field(what + " query", field)
        layers = state["datasourceStates"]["formBased"]["layers"]
        for layer_id, layer in layers.items():
            if f"indexpattern-datasource-layer-{layer_id}" not in refs:
                fail(f"{what}: layer {layer_id} has no data view reference")
            if sorted(layer["columnOrder"]) != sorted(layer["columns"]):
                fail(f"{what}: columnOrder and columns of layer {layer_id} differ")
            for column_id, column in layer["columns"].items():
                op, field = column["operationType"], column.get("sourceField")
                if op == "count":
                    continue
                need_field(f"{what} column {column_id}", field,
                           DATES if op == "date_histogram" else AGGREGATABLE)
                order = column.get("params", {}).get("orderBy", {})
                if order.get("type") == "column" and order.get("columnId") not in layer["columns"]:
                    fail(f"{what}: column {column_id} orders by a column that is not there")
        vis = state["visualization"]
        columns = {c for layer in layers.values() for c in layer["columns"]}
        kind = attrs["visualizationType"]
        if kind == "lnsXY":
            used = [a for l in vis["layers"] for a in [l.get("xAccessor"), l.get("splitAccessor")] + l["accessors"] if a]
        elif kind == "lnsDatatable":
            used = [c["columnId"] for c in vis["columns"]]
        elif kind == "lnsMetric":
            used = [vis["metricAccessor"]]
        else:
            fail(f"{what}: visualization type {kind} is not checked here")
            used = []
        for accessor in used:
            if accessor not in columns:
                fail(f"{what}: the visualization shows column {accessor}, which the layer lacks")
    elif o["type"] == "dashboard":
        panels = json.loads(attrs["panelsJSON"])
        cells = set()
        for p in panels:
            ref = refs.get(f"{p['panelIndex']}:{p.get('panelRefName')}")
            if ref is None or ref["type"] != p["type"]:
                fail(f"{what}: panel {p['panelIndex']} has no reference of its type")
            g = p["gridData"]
            if g["i"] != p["panelIndex"] or g["x"] < 0 or g["x"] + g["w"] > 48:
                fail(f"{what}: panel {p['panelIndex']} lies outside the 48-column grid")
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    if (x, y) in cells:
                        fail(f"{what}: panel {p['panelIndex']} overlaps another"); break
                    cells.add((x, y))
        shown = {refs[f"{p['panelIndex']}:{p['panelRefName']}"]["id"] for p in panels
                 if f"{p['panelIndex']}:{p.get('panelRefName')}" in refs}
        if shown != {i for t, i in by_key if t == "lens"}:
            fail(f"{what}: shows {sorted(shown)}, not every visualization")
fields_shown = {c["sourceField"] for o in objects if o["type"] == "lens"
                for l in o["attributes"]["state"]["datasourceStates"]["formBased"]["layers"].values()
                for c in l["columns"].values()}
for field in ("dns.question.name", "process.executable", "host.name", "user.name", "rule.name",
              "c2sieve.excluded.rule_id"):
    if field not in fields_shown:
        fail(f"the dashboard shows no panel by {field}")

# --- docker-compose.yml and the shippers' configurations ----------------
compose_text = open(rel("docker-compose.yml")).read()
compose = yaml.safe_load(compose_text)
services = compose["services"]
env = {}
for line in open(rel(".env")):
    line = line.strip()
    if line and not line.startswith("#"):
        key, _, value = line.partition("=")
        env[key] = value
for var in set(re.findall(r"(?<!\$)\$\{(\w+)\}", compose_text)):
    if var not in env:
        fail(f"docker-compose.yml uses ${{{var}}}, which .env does not define")
if len(env.get("KIBANA_ENCRYPTION_KEY", "")) < 32:
    fail(".env: KIBANA_ENCRYPTION_KEY must have at least 32 characters")

dockerfile_env = {}


def compose_expand(text):
    """docker-compose's ${VAR} and ${VAR:-default}, from .env."""
    if text is None:
        return None
    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: env.get(m.group(1)) or m.group(2) or "", str(text))


def service_env(service, target=None):
    target = target or compose_expand(service.get("build", {}).get("target"))
    out = dict(dockerfile_env.get(target, {}))
    for item in service.get("environment", []):
        key, _, value = item.partition("=")
        out[key] = value
    return out


def mounts_of(service):
    out = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        out[target] = source
    return out


def on_volume(service, path):
    """The named volume a path of the service lies on, or None."""
    for target, source in mounts_of(service).items():
        if (path == target or path.startswith(target.rstrip("/") + "/")) and not source.startswith("."):
            return source
    return None


dockerfile_targets = {}
for name, service in services.items():
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            if not os.path.exists(rel(source)):
                fail(f"service {name}: bind mount {source} does not exist")
            mounts[target] = source
        elif source not in compose.get("volumes", {}):
            fail(f"service {name}: volume {source} is not declared")
    build = service.get("build")
    if build:
        dockerfile = rel(build.get("context", "."), build["dockerfile"])
        if dockerfile not in dockerfile_targets:
            text = open(dockerfile).read()
            stages = re.split(r"^FROM\s+", text, flags=re.M)[1:]
            dockerfile_targets[dockerfile] = set()
            for stage in stages:
                m = re.match(r"\S+\s+AS\s+(\S+)", stage, re.I)
                target = m.group(1) if m else None
                dockerfile_targets[dockerfile].add(target)
                envs = {}
                for block in re.findall(r"^ENV\s+((?:.*\\\n)*.*)", stage, re.M):
                    for key, value in re.findall(r"(\w+)=(\S+)", block.replace("\\\n", " ")):
                        envs[key] = value
                dockerfile_env[target] = envs
            for source in re.findall(r"^COPY\s+(?!--from)(\S+)\s", text, re.M):
                if source != "." and not os.path.exists(rel(build.get("context", "."), source)):
                    fail(f"{build['dockerfile']}: COPY source {source} does not exist")
        if compose_expand(build.get("target")) not in dockerfile_targets[dockerfile]:
            fail(f"service {name}: build target {build.get('target')} is not a stage of {build['dockerfile']}")
    command = service.get("command") or []
    for word in command if isinstance(command, list) else command.split():
        if word.endswith(".sh"):
            host = next((rel(src, word[len(dst):].lstrip("/")) for dst, src in mounts.items()
                         if word.startswith(dst + "/")), None)
            if host is None or not os.path.isfile(host):
                fail(f"service {name}: runs {word}, which no bind mount provides")
    if service.get("restart") != "no" and "mem_limit" not in service:
        fail(f"service {name}: no mem_limit")

es = service_env(services["elasticsearch"])
for setting in ("xpack.security.enabled", "xpack.security.http.ssl.enabled",
                "xpack.security.transport.ssl.enabled"):
    if es.get(setting) != "true":
        fail(f"elasticsearch: {setting} is not true")
if services["elasticsearch"].get("ulimits", {}).get("memlock", {}).get("soft") != -1:
    fail("elasticsearch: bootstrap.memory_lock needs the memlock ulimit")
kb = service_env(services["kibana"])
if kb.get("SERVER_SSL_ENABLED") != "true" or not kb.get("ELASTICSEARCH_HOSTS", "").startswith("https://"):
    fail("kibana: must serve TLS and reach Elasticsearch over https")
if not kb.get("ELASTICSEARCH_SSL_CERTIFICATEAUTHORITIES"):
    fail("kibana: does not verify Elasticsearch's certificate against the CA")
for key in ("XPACK_SECURITY_ENCRYPTIONKEY", "XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY"):
    if key not in kb:
        fail(f"kibana: {key} is not set (the detection engine needs it)")
for text, where in ((compose_text, "docker-compose.yml"), (ls_config, "logstash pipeline"),
                    (ls_example, "integration/logstash/pipeline.conf")):
    if re.search(r"http://(elasticsearch|kibana|localhost:9200)", text):
        fail(f"{where}: plain http to the stack")
for shipper in ("fluent-bit", "logstash"):
    depends = services[shipper].get("depends_on", {})
    if depends.get("kibana-setup", {}).get("condition") != "service_completed_successfully":
        fail(f"{shipper}: must start after kibana-setup, so the rules run before the first event")

# Fluent Bit: every ${VAR} set, TLS verified, position on a volume, _id;
# for both images FLUENT_BIT_TARGET chooses between (the Lua wrapper's and
# the native plugin's), whose configurations are one pipeline but for the
# c2sieve filter.
fb_service = services["fluent-bit"]
if "FLUENT_BIT_TARGET" not in fb_service.get("build", {}).get("target", ""):
    fail("fluent-bit: the build target is not chosen by FLUENT_BIT_TARGET")
fb_dockerfile = rel(fb_service["build"].get("context", "."), fb_service["build"]["dockerfile"])
fb_images = {"fluent-bit": "fluent-bit.yaml", "fluent-bit-native": "fluent-bit-native.yaml"}
for target, config_name in fb_images.items():
    if target not in dockerfile_targets.get(fb_dockerfile, set()):
        fail(f"fluent-bit: {target} is not a stage of {fb_service['build']['dockerfile']}")
        continue
    if f"/fluent-bit/etc/c2sieve/{config_name}" not in open(fb_dockerfile).read():
        fail(f"fluent-bit: the {target} image does not run {config_name}")
    target_env = service_env(fb_service, target)
    for var in set(re.findall(r"\$\{(\w+)\}", open(rel("integration/docker/fluent-bit", config_name)).read())):
        if var not in target_env:
            fail(f"{config_name} uses ${{{var}}}, which neither the {target} image nor the service sets")
native_config = yaml.safe_load(open(rel("integration/docker/fluent-bit/fluent-bit-native.yaml")))
native_filters = native_config["pipeline"]["filters"]
if [f["name"] for f in native_filters] != ["c2sieve" if f["name"] == "lua" else f["name"]
                                           for f in fb_config["pipeline"]["filters"]]:
    fail("fluent-bit-native.yaml: its filters are not fluent-bit.yaml's with c2sieve for lua")


def without_filter(config, name):
    """The configuration without its plugins list and its filter `name`."""
    pipeline = dict(config["pipeline"], filters=[f for f in config["pipeline"]["filters"] if f["name"] != name])
    return {k: v for k, v in config.items() if k != "plugins"} | {"pipeline": pipeline}


if without_filter(native_config, "c2sieve") != without_filter(fb_config, "lua"):
    fail("fluent-bit-native.yaml is not fluent-bit.yaml's pipeline with the native filter")
if native_config.get("plugins") != ["/opt/c2sieve/lib/fluent-bit/plugins/flb-filter_c2sieve.so"]:
    fail("fluent-bit-native.yaml does not load the plugin where the image installs it")
fb_env = service_env(fb_service, "fluent-bit")
tail = next(i for i in fb_config["pipeline"]["inputs"] if i["name"] == "tail")
db = re.sub(r"\$\{(\w+)\}", lambda m: fb_env.get(m.group(1), ""), str(tail.get("db", "")))
if not db or not on_volume(fb_service, db):
    fail(f"fluent-bit: tail's position database {db or '(none)'} is not on a named volume")
for out in fb_outputs:
    if str(out.get("tls")).lower() not in ("on", "true") or str(out.get("tls.verify")).lower() not in ("on", "true"):
        fail("fluent-bit: the es output must use TLS and verify it")
    ca = re.sub(r"\$\{(\w+)\}", lambda m: fb_env.get(m.group(1), ""), str(out.get("tls.ca_file", "")))
    if not on_volume(fb_service, ca):
        fail(f"fluent-bit: tls.ca_file {ca} is not on the certs volume")
    if out.get("id_key") != "$event_hash" or out.get("write_operation") != "create":
        fail("fluent-bit: documents need the line's hash as _id (id_key $event_hash), written with create")
    if not any(p.get("rename", {}).get("field") == "event_hash" and
               p["rename"].get("target_field") == "event.hash" for p in pipeline["processors"]):
        fail("the ingest pipeline does not move Fluent Bit's event_hash to ECS event.hash")
    # generate_id hashes the record as the output sees it: after the Lua
    # filter, whose key order changes from run to run.
    if str(out.get("generate_id", "off")).lower() in ("on", "true"):
        fail("fluent-bit: generate_id gives an enriched record another _id on every run")
# The line copied whole (extract of "log" into one named group) before the
# parser takes "log" apart, that copy hashed, then renamed to event_hash.
steps = tail.get("processors", {}).get("logs", [])
copied = [m.group(1) for p in steps if p.get("action") == "extract" and p.get("key") == "log"
          for m in [re.fullmatch(r"\^\(\?<(\w+)>\.\*\)\$", str(p.get("pattern", "")))] if m]
order = [(p.get("name"), p.get("action"), p.get("key"), p.get("value")) for p in steps]
line = copied[0] if copied else None
if not (line and ("content_modifier", "hash", line, None) in order and
        ("content_modifier", "rename", line, "event_hash") in order and
        order.index(("content_modifier", "extract", "log", None)) <
        next((i for i, p in enumerate(steps) if p.get("name") == "parser"), -1) <
        order.index(("content_modifier", "hash", line, None))):
    fail("fluent-bit: event.hash must be the hash of the line as read, copied before parsing")
    if out.get("http_user") != "c2sieve_shipper":
        fail("fluent-bit: must write as the writer-only user c2sieve_shipper")

# The dashboard's excluded panel counts what the shippers mark.
if str(fb_env.get("C2SIEVE_MARK_EXCLUDED", "")).lower() not in ("true", "on", "1"):
    fail("fluent-bit: C2SIEVE_MARK_EXCLUDED is not on, so nothing feeds the dashboard's excluded panel")
if not re.search(r'"mark-excluded"\s*=>\s*true', ls_config):
    fail("logstash: mark-excluded is not on, so nothing feeds the dashboard's excluded panel")

# Logstash: sincedb on a volume, _id from the line, TLS verified.
ls_service = services["logstash"]
sincedb = re.search(r'sincedb_path\s*=>\s*"([^"]+)"', ls_config)
if not sincedb or not on_volume(ls_service, sincedb.group(1)):
    fail("logstash: sincedb_path is not on a named volume")
for setting, pattern in (("action", r'action\s*=>\s*"create"'),
                         ("document_id", r'document_id\s*=>\s*"%\{\[event\]\[hash\]\}"'),
                         ("fingerprint", r'fingerprint\s*\{\s*source\s*=>\s*"\[@metadata\]\[line\]"\s*'
                                         r'method\s*=>\s*"SHA256"\s*target\s*=>\s*"\[event\]\[hash\]"'),
                         ("ssl_verification_mode", r'ssl_verification_mode\s*=>\s*"full"'),
                         ("user", r'user\s*=>\s*"c2sieve_shipper"')):
    if not re.search(pattern, ls_config):
        fail(f"logstash pipeline: {setting} is not as exactly-once and TLS need")
ca = re.search(r'ssl_certificate_authorities\s*=>\s*\["([^"]+)"\]', ls_config)
if not ca or not on_volume(ls_service, ca.group(1)):
    fail("logstash: ssl_certificate_authorities is not on the certs volume")
for setting in ("ssl_certificate_authorities", "ssl_verification_mode", "user", "password"):
    if setting not in ls_example:
        fail(f"integration/logstash/pipeline.conf: no {setting} for Elasticsearch")

readme = open(rel("README.md")).read()
for needed in ("vm.max_map_count", "mem_limit", "logs-c2sieve.dns", "Security > Alerts"):
    if needed not in readme:
        fail(f"README: says nothing of {needed}")

if failures:
    for message in dict.fromkeys(failures):  # each distinct failure once
        print("FAIL:", message)
    sys.exit(1)
print(f"stack files: {len(targets)} data streams covered, {len(checked_added)} added fields with ECS types, "
      f"{len(rules)} detection rules, {len(objects)} saved objects, {len(services)} services")
