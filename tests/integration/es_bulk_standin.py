#!/usr/bin/env python3
"""A stand-in for Elasticsearch's _bulk endpoint, for the shippers' tests:
HTTPS with a given certificate, basic authentication, and what a data stream
does with "create": a new _id is stored (201), an _id the stream already has
is refused with 409 version_conflict_engine_exception; any other action, an
action without _id, or a document without @timestamp is a 400. Nothing of
Elasticsearch's mapping or search is imitated.

Every request is appended to LOG as one JSON line: {"user", "actions":
[{"op", "index", "id", "status", "doc"}]}.

Usage: es_bulk_standin.py PORT_FILE CERT KEY USER:PASSWORD LOG
(binds 127.0.0.1 on a free port and writes the port to PORT_FILE)
"""
import base64
import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from https_standin import JsonHandler, serve  # noqa: E402

port_file, cert, key, credentials, log_path = sys.argv[1:6]
expected_auth = "Basic " + base64.b64encode(credentials.encode()).decode()
stored = {}  # (index, _id) -> document
lock = threading.Lock()


class Bulk(JsonHandler):
    def do_GET(self):
        if self.headers.get("Authorization") != expected_auth:
            return self.reply(401, {"error": "missing authentication credentials"})
        self.reply(200, {"version": {"number": "8.19.20"}, "tagline": "stand-in"})

    def do_POST(self):
        body = self.body()
        if self.headers.get("Authorization") != expected_auth:
            return self.reply(401, {"error": "missing authentication credentials"})
        if not self.path.split("?")[0].endswith("/_bulk"):
            return self.reply(404, {"error": f"no handler for {self.path}"})
        lines = [l for l in body.decode("utf-8").split("\n") if l.strip()]
        items, record = [], []
        with lock:
            for action_line, doc_line in zip(lines[0::2], lines[1::2]):
                action = json.loads(action_line)
                op, meta = next(iter(action.items()))
                doc = json.loads(doc_line)
                index, doc_id = meta.get("_index"), meta.get("_id")
                if op != "create" or not doc_id or "@timestamp" not in doc:
                    status = 400
                elif (index, doc_id) in stored:
                    status = 409
                else:
                    stored[(index, doc_id)] = doc
                    status = 201
                item = {"_index": index, "_id": doc_id, "status": status}
                if status == 409:
                    item["error"] = {"type": "version_conflict_engine_exception"}
                elif status == 400:
                    item["error"] = {"type": "illegal_argument_exception"}
                items.append({op: item})
                record.append({"op": op, "index": index, "id": doc_id, "status": status, "doc": doc})
            with open(log_path, "a") as log:
                log.write(json.dumps({"user": credentials.split(":")[0], "actions": record}) + "\n")
        self.reply(200, {"took": 1, "errors": any(i[next(iter(i))]["status"] >= 300 for i in items),
                         "items": items})


serve(Bulk, port_file, cert, key)
