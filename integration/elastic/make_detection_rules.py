#!/usr/bin/env python3
"""Writes detection-rules.ndjson: the Kibana detection rules that turn
c2sieve's tagged events into alerts in Elastic Security, in the NDJSON that
Kibana's rule import (POST /api/detection_engine/rules/_import) takes.

One custom query rule per built-in c2sieve rule (name, description, MITRE
mapping, building-block type and default severity taken from the ruleset),
and one for matches of any other rule a user loads. Each alert takes its
severity and risk score from the event (event.severity, event.risk_score),
and the rules query by event.ingested, which the ingest pipeline stamps, so
replayed or late events are seen on the next run.

Usage: make_detection_rules.py REPO [OUT]   (OUT defaults to
integration/elastic/detection-rules.ndjson; "-" prints it)
"""
import glob
import json
import os

import ndjson_output

import ndjson_output

DATA_STREAMS = ["logs-c2sieve.dns-*"]
# c2sieve's numeric event.severity for each severity label (enrichment.cc).
SEVERITY_NUMBERS = {"low": 21, "medium": 47, "high": 73, "critical": 99}


def threat_of(rule):
    """The ruleset's ATT&CK mapping in Kibana's rule shape."""
    out = []
    for t in rule.get("threat", []):
        entry = {"framework": t["framework"], "tactic": dict(t["tactic"])}
        techniques = []
        for te in t.get("techniques", []):
            technique = {k: te[k] for k in ("id", "name", "reference")}
            subs = [{k: s[k] for k in ("id", "name", "reference")} for s in te.get("subtechniques", [])]
            if subs:
                technique["subtechnique"] = subs
            techniques.append(technique)
        if techniques:
            entry["technique"] = techniques
        out.append(entry)
    return out


def common(rule_id, name, description, severity, risk_score):
    return {
        "rule_id": rule_id,
        "name": name,
        "description": description,
        "type": "query",
        "language": "kuery",
        "index": DATA_STREAMS,
        "severity": severity,
        "risk_score": risk_score,
        # The event's own severity and risk (the matched rule's) decide.
        "severity_mapping": [
            {"field": "event.severity", "operator": "equals", "value": str(n), "severity": label}
            for label, n in SEVERITY_NUMBERS.items()],
        "risk_score_mapping": [{"field": "event.risk_score", "operator": "equals", "value": ""}],
        "timestamp_override": "event.ingested",
        "interval": "5m",
        "from": "now-6m",
        "max_signals": 1000,
        "enabled": True,
        "author": ["c2sieve"],
        "tags": ["c2sieve", "Domain: Network", "Tactic: Command and Control"],
        "version": 1,
        "immutable": False,
        "false_positives": [],
        "references": [],
        "exceptions_list": [],
        "actions": [],
    }


def rules_from(repo):
    out, ids = [], []
    # The built-in rulesets (the .import.json beside each is its import spec).
    paths = [p for p in glob.glob(os.path.join(repo, "rulesets/elastic/*.json"))
             if not p.endswith(".import.json")]
    for path in sorted(paths):
        for rule in json.load(open(path))["rules"]:
            ids.append(rule["id"])
            r = common(f"c2sieve-{rule['id']}", f"c2sieve: {rule['name']}",
                       f"An event c2sieve tagged at ingest with its built-in rule "
                       f"\"{rule['name']}\" ({rule['id']}). {rule.get('description', '')}".strip(),
                       rule["severity"], rule["risk_score"])
            r["query"] = f'c2sieve.matches.rule_id : "{rule["id"]}"'
            r["threat"] = threat_of(rule)
            r["references"] = list(rule.get("references", []))
            if rule.get("building_block_type"):
                # As Elastic ships it: alerts hidden unless building-block
                # alerts are shown (Alerts page, "Additional filters").
                r["building_block_type"] = rule["building_block_type"]
            r["note"] = (f"The event matched c2sieve's rule {rule['id']} at ingest: "
                         "c2sieve.matches lists the field, pattern and value that matched. "
                         "Elastic's own rule of the same id, enabled beside this one by the "
                         "docker-compose setup, should alert on the same events.")
            out.append(r)
    other = common("c2sieve-other-rules", "c2sieve: match of a user-loaded rule",
                   "An event c2sieve tagged at ingest with a rule other than the built-in ones "
                   "(a user's ruleset, imported Elastic TOML or Sigma). The alert takes the "
                   "matched rule's name, severity and risk score from the event.",
                   "low", 21)
    listed = " or ".join(f'"{i}"' for i in ids)
    other["query"] = f"c2sieve.matches.rule_id : * and not c2sieve.matches.rule_id : ({listed})"
    other["rule_name_override"] = "rule.name"
    out.append(other)
    return out


def main():
    ndjson_output.write(rules_from, "detection-rules.ndjson")


if __name__ == "__main__":
    main()
