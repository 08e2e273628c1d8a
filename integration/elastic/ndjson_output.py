"""What the generators of integration/elastic share: writing their objects
as NDJSON (one sorted-key JSON object a line) to their file, another path,
or stdout ("-"), as given on their command line: REPO [OUT]."""
import json
import os
import sys


def write(objects_of_repo, default_file):
    repo = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(repo, "integration/elastic", default_file)
    text = "".join(json.dumps(o, sort_keys=True) + "\n" for o in objects_of_repo(repo))
    if out == "-":
        sys.stdout.write(text)
    else:
        open(out, "w").write(text)
