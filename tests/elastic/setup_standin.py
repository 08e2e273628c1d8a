#!/usr/bin/env python3
"""A stand-in for the Elasticsearch and Kibana APIs the compose setup jobs
call (integration/elastic/setup-*.sh), over HTTPS with basic authentication.
It answers in the shapes Elastic's API documentation gives, records every
request (method, path, headers that matter, body; a multipart upload's file)
as a JSON line in LOG, and keeps the little state the scripts depend on:
which side-by-side rule copies exist. FAIL names requests to refuse:
"METHOD PATH-PREFIX" lines, answered 500.

Usage: setup_standin.py PORT_FILE CERT KEY USER:PASSWORD LOG FAIL_FILE
"""
import base64
import json
import os
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from https_standin import JsonHandler, serve  # noqa: E402

port_file, cert, key, credentials, log_path, fail_path = sys.argv[1:7]
expected_auth = "Basic " + base64.b64encode(credentials.encode()).decode()
lock = threading.Lock()
copies = {}  # tag-filter -> rule copy id, once made


def multipart_file(body, content_type):
    boundary = content_type.split("boundary=")[1].encode()
    for part in body.split(b"--" + boundary):
        head, _, content = part.partition(b"\r\n\r\n")
        if b'name="file"' in head:
            return content.rsplit(b"\r\n", 1)[0].decode()
    return None


class Api(JsonHandler):
    def handle_any(self):
        raw = self.body()
        path = self.path
        content_type = self.headers.get("Content-Type", "")
        body = multipart_file(raw, content_type) if "multipart" in content_type else raw.decode()
        with lock:
            with open(log_path, "a") as log:
                log.write(json.dumps({"method": self.command, "path": path, "body": body,
                                      "xsrf": self.headers.get("kbn-xsrf"),
                                      "auth_ok": self.headers.get("Authorization") == expected_auth}) + "\n")
        if self.headers.get("Authorization") != expected_auth:
            return self.reply(401, {"error": "missing authentication credentials"})
        refused = open(fail_path).read().splitlines() if os.path.exists(fail_path) else []
        if any(f"{self.command} {path}".startswith(r) for r in refused if r):
            return self.reply(500, {"error": "refused by the test"})
        route = urllib.parse.urlparse(path)
        query = urllib.parse.parse_qs(route.query)
        p = route.path
        if p.startswith("/_cluster/health"):
            return self.reply(200, {"status": "green"})
        if p.startswith(("/_security/", "/_ingest/", "/_index_template/", "/_component_template/")):
            json.loads(body)  # a body that is no JSON is a 400 in Elasticsearch too
            return self.reply(200, {"acknowledged": True})
        if p == "/api/status":
            return self.reply(200, {"status": {"overall": {"level": "available"}}})
        if p == "/api/saved_objects/_import":
            n = sum(1 for l in body.splitlines() if l.strip())
            return self.reply(200, {"success": True, "successCount": n, "successResults": []})
        if p == "/api/detection_engine/rules/_import":
            n = sum(1 for l in body.splitlines() if l.strip())
            return self.reply(200, {"success": True, "rules_count": n, "errors": [],
                                    "success_count": n})
        if p == "/api/detection_engine/rules/prepackaged":
            return self.reply(200, {"rules_installed": 1200, "rules_updated": 0,
                                    "timelines_installed": 10, "timelines_updated": 0})
        if p == "/api/detection_engine/rules/_find":
            made = copies.get(query["filter"][0])
            return self.reply(200, {"page": 1, "perPage": 1, "total": 1 if made else 0,
                                    "data": [{"id": made}] if made else []})
        if p == "/api/detection_engine/rules" and self.command == "GET":
            rule_id = query["rule_id"][0]
            return self.reply(200, {"id": f"installed-{rule_id}", "rule_id": rule_id,
                                    "name": f"Elastic rule {rule_id}", "type": "eql",
                                    "index": ["logs-endpoint.events.network-*"],
                                    "tags": ["Domain: Endpoint", "Use Case: Threat Detection"]})
        if p == "/api/detection_engine/rules/_bulk_action":
            request = json.loads(body)
            created = [{"id": f"copy-of-{i}"} for i in request["ids"]]
            return self.reply(200, {"success": True, "rules_count": len(created), "attributes": {
                "results": {"updated": [], "created": created, "deleted": [], "skipped": []},
                "summary": {"failed": 0, "skipped": 0, "succeeded": len(created), "total": len(created)}}})
        if p == "/api/detection_engine/rules" and self.command == "PATCH":
            patch = json.loads(body)
            rule_id = patch["tags"][-1]
            tag_filter = ('alert.attributes.tags:"c2sieve: side by side" and '
                          f'alert.attributes.tags:"{rule_id}"')
            with lock:
                copies[tag_filter] = patch["id"]
            return self.reply(200, dict(patch, rule_id="random"))
        return self.reply(404, {"error": f"no stand-in for {self.command} {p}"})

    do_GET = do_POST = do_PUT = do_PATCH = handle_any


serve(Api, port_file, cert, key)
