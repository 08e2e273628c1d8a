#!/usr/bin/env python3
"""check_stack_files.py must catch what it claims to: each case breaks one
thing in a copy of the stack files (or in a generator, then regenerates its
file) and expects the checker to fail naming it; the unbroken copy passes.

Usage: check_stack_mutations.py C2SIEVE_CLI REPO
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

cli, repo = sys.argv[1], os.path.abspath(sys.argv[2])
checker = os.path.join(repo, "tests/elastic/check_stack_files.py")
COPY = [".env", "docker-compose.yml", "README.md", "integration", "rulesets", "samples",
        "tests/cli", "tests/data/sources", "tests/data/import/feeds", "scripts/build-fluent-bit-plugin.sh"]


def edit_text(path, old, new):
    def apply(root):
        p = os.path.join(root, path)
        text = open(p).read()
        if old not in text:
            raise SystemExit(f"mutation target not found in {path}: {old!r}")
        open(p, "w").write(text.replace(old, new, 1))
    return apply


def edit_json(path, change):
    def apply(root):
        p = os.path.join(root, path)
        data = json.load(open(p))
        change(data)
        json.dump(data, open(p, "w"), indent=2)
    return apply


def regenerate(script, target):
    def apply(root):
        subprocess.run([sys.executable, os.path.join(root, "integration/elastic", script), root,
                        os.path.join(root, "integration/elastic", target)], check=True)
    return apply


def both(*steps):
    def apply(root):
        for step in steps:
            step(root)
    return apply


def props(d):
    return d["template"]["mappings"]["properties"]


CT, IT = "integration/elastic/component-template.json", "integration/elastic/index-template.json"
FB, LS = "integration/docker/fluent-bit/fluent-bit.yaml", "integration/docker/logstash/pipeline.conf"
RULES_GEN, OBJECTS_GEN = "integration/elastic/make_detection_rules.py", "integration/elastic/make_saved_objects.py"
CASES = [
    ("risk score mapped as long",
     edit_json(CT, lambda d: props(d)["event"]["properties"]["risk_score"].update(type="long")),
     "event.risk_score is mapped as long, ECS says float"),
    ("threat.enrichments an object, not nested",
     edit_json(CT, lambda d: props(d)["threat"]["properties"]["enrichments"].pop("type")),
     "threat.enrichments must be nested"),
    ("indicator first_seen mapped as keyword",
     edit_json(CT, lambda d: props(d)["threat"]["properties"]["enrichments"]["properties"]["indicator"]
               ["properties"]["first_seen"].update(type="keyword", ignore_above=1024)),
     "threat.enrichments.indicator.first_seen is mapped as keyword, ECS says date"),
    ("rule.name unmapped",
     edit_json(CT, lambda d: props(d)["rule"]["properties"].pop("name")),
     "rule.name (added by c2sieve) is not mapped"),
    ("unknown mapping parameter",
     edit_json(CT, lambda d: props(d)["tags"].update(analyzer="standard")),
     "mapping of tags: unknown parameters"),
    ("template without ecs@mappings",
     edit_json(IT, lambda d: d["composed_of"].remove("ecs@mappings")),
     "not composed of Elasticsearch's ecs@mappings"),
    ("template below logs@template",
     edit_json(IT, lambda d: d.update(priority=100)), "priority must exceed 100"),
    ("template pattern misses a stream",
     edit_json(IT, lambda d: d.update(index_patterns=["logs-c2sieve.dns-fluentbit"])),
     "is not covered by the template's patterns"),
    ("unknown template property",
     edit_json(IT, lambda d: d.update(settings={})), "index template: 'settings' is not a property"),
    ("writer may overwrite",
     edit_json("integration/elastic/shipper-role.json",
               lambda d: d["indices"][0]["privileges"].append("write")),
     "lets a shipper overwrite or delete"),
    ("no event.ingested",
     edit_json("integration/elastic/ingest-pipeline.json",
               lambda d: d.update(processors=[p for p in d["processors"] if "set" not in p])),
     "does not stamp event.ingested"),
    ("generated rules stale",
     edit_text("integration/elastic/detection-rules.ndjson", '"max_signals": 1000', '"max_signals": 999'),
     "detection-rules.ndjson is not what make_detection_rules.py makes"),
    ("severity from a field that is not mapped",
     both(edit_text(RULES_GEN, '"field": "event.severity"', '"field": "event.sevrity"'),
          regenerate("make_detection_rules.py", "detection-rules.ndjson")),
     "field event.sevrity is not mapped"),
    ("a severity value unmapped",
     both(edit_text(RULES_GEN, '"critical": 99}', '}'),
          regenerate("make_detection_rules.py", "detection-rules.ndjson")),
     "event.severity values"),
    ("ATT&CK mapping lost",
     both(edit_text(RULES_GEN, 'if techniques:\n            entry["technique"] = techniques',
                    'if techniques:\n            entry["technique"] = techniques[1:]'),
          regenerate("make_detection_rules.py", "detection-rules.ndjson")),
     "ATT&CK techniques"),
    ("rule without description",
     both(edit_text(RULES_GEN, '"description": description,', ''),
          regenerate("make_detection_rules.py", "detection-rules.ndjson")),
     "lacks ['description']"),
    ("panel by an unmapped field",
     both(edit_text(OBJECTS_GEN, '[("dns.question.name", "Domain")]', '[("dns.question.nam", "Domain")]'),
          regenerate("make_saved_objects.py", "kibana-saved-objects.ndjson")),
     "field dns.question.nam is not mapped"),
    ("unknown migration version",
     both(edit_text(OBJECTS_GEN, '"lens": "8.9.0"', '"lens": "8.99.0"'),
          regenerate("make_saved_objects.py", "kibana-saved-objects.ndjson")),
     "typeMigrationVersion 8.99.0 is not one of the type's"),
    ("panels overlap",
     both(edit_text(OBJECTS_GEN, "(0, 0, 12, 8), (12, 0, 36, 8)", "(0, 0, 12, 8), (11, 0, 36, 8)"),
          regenerate("make_saved_objects.py", "kibana-saved-objects.ndjson")),
     "overlaps another"),
    ("no memory limit",
     edit_text("docker-compose.yml", "    mem_limit: ${KIBANA_MEM_LIMIT}\n", ""), "service kibana: no mem_limit"),
    ("Elasticsearch without TLS",
     edit_text("docker-compose.yml", "xpack.security.http.ssl.enabled=true", "xpack.security.http.ssl.enabled=false"),
     "xpack.security.http.ssl.enabled is not true"),
    ("shipper before the rules",
     edit_text("docker-compose.yml", "    depends_on:\n      kibana-setup:\n        condition: service_completed_successfully\n    environment:\n      - STACK_ES_HOST",
               "    depends_on:\n      setup:\n        condition: service_completed_successfully\n    environment:\n      - STACK_ES_HOST"),
     "fluent-bit: must start after kibana-setup"),
    ("undefined variable",
     edit_text(".env", "SHIPPER_PASSWORD=", "SHIPPER_PASS="), "${SHIPPER_PASSWORD}, which .env does not define"),
    ("Fluent Bit without verification",
     edit_text(FB, "tls.verify: on", "tls.verify: off"), "must use TLS and verify it"),
    ("Fluent Bit position off the volume",
     edit_text(FB, "db: ${STACK_STATE_DIR}/tail.db", "db: /tmp/tail.db"), "is not on a named volume"),
    ("Fluent Bit's generate_id",
     edit_text(FB, "      id_key: $event_hash\n", "      generate_id: on\n"), "generate_id gives"),
    ("hash after parsing",
     edit_text(FB, "            pattern: ^(?<c2sieve_line>.*)$\n", "            pattern: ^(?<c2sieve_x>.*)$\n"),
     "event.hash must be the hash of the line as read"),
    ("nothing marks excluded events",
     edit_text("docker-compose.yml", "      - C2SIEVE_MARK_EXCLUDED=true\n", ""),
     "nothing feeds the dashboard's excluded panel"),
    ("the Fluent Bit image fixed to one target",
     edit_text("docker-compose.yml", "target: ${FLUENT_BIT_TARGET:-fluent-bit}", "target: fluent-bit"),
     "the build target is not chosen by FLUENT_BIT_TARGET"),
    ("the native image's pipeline drifts from the Lua one's",
     edit_text("integration/docker/fluent-bit/fluent-bit-native.yaml", "      retry_limit: 10\n", ""),
     "fluent-bit-native.yaml is not fluent-bit.yaml's pipeline"),
    ("the native image loads the plugin from elsewhere",
     edit_text("integration/docker/fluent-bit/fluent-bit-native.yaml", "/opt/c2sieve/lib/fluent-bit/plugins/",
               "/opt/c2sieve/lib/"), "does not load the plugin where the image installs it"),
    ("a native image variable nobody sets",
     edit_text("integration/docker/fluent-bit/fluent-bit-native.yaml", "${C2SIEVE_EXCLUSIONS}",
               "${C2SIEVE_EXCLUSION}"), "fluent-bit-native.yaml uses ${C2SIEVE_EXCLUSION}"),
    ("Logstash forgets its position",
     edit_text(LS, 'sincedb_path => "/usr/share/logstash/data/c2sieve-samples.sincedb"',
               'sincedb_path => "/dev/null"'), "logstash: sincedb_path is not on a named volume"),
    ("Logstash without _id",
     edit_text(LS, '    document_id => "%{[event][hash]}"\n', ""), "logstash pipeline: document_id"),
    ("plain http",
     edit_text(LS, 'hosts => ["https://elasticsearch:9200"]', 'hosts => ["http://elasticsearch:9200"]'),
     "logstash pipeline: plain http to the stack"),
]


def run(root):
    return subprocess.run([sys.executable, os.path.join(root, "tests/elastic/check_stack_files.py"), cli, root],
                          capture_output=True, text=True)


def fresh_copy():
    root = tempfile.mkdtemp()
    for item in COPY:
        src, dst = os.path.join(repo, item), os.path.join(root, item)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, dst)
    os.makedirs(os.path.join(root, "tests/elastic"), exist_ok=True)
    shutil.copy(checker, os.path.join(root, "tests/elastic/check_stack_files.py"))
    return root


def try_case(case):
    name, mutate, expected = case
    root = fresh_copy()
    try:
        mutate(root)
        result = run(root)
    finally:
        shutil.rmtree(root)
    if result.returncode != 0 and expected in result.stdout:
        return f"ok   {name}", True
    return (f"FAIL {name}: expected a failure naming {expected!r}, got rc={result.returncode}:\n"
            + re.sub(r"^", "       ", result.stdout + result.stderr, flags=re.M)), False


root = fresh_copy()
result = run(root)
shutil.rmtree(root)
if result.returncode != 0:
    print("FAIL the unbroken copy does not pass:\n" + result.stdout + result.stderr)
    sys.exit(1)
# Each case has its own copy and the checker's time is mostly the c2sieve
# processes it waits for: the cases run side by side, reported in order.
failed = 0
with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    for line, ok in pool.map(try_case, CASES):
        print(line)
        failed += 0 if ok else 1
print(f"{len(CASES) - failed} of {len(CASES)} breakages caught")
sys.exit(1 if failed else 0)
