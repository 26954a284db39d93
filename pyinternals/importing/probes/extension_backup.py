# Probe: 2.x's backup copies of built-in and extension modules.  Runs, in the
# namespace of this script, the experiment it is given (JSON on stdin: {"source":
# program text, "names": [module name, ...]}; the program leaves its findings in
# `results`), with stderr (where -v writes) captured meanwhile.  Run it with -E -S -v.
# Runs unchanged on 2.7 and 3.x; prints one JSON object: {"results": ..., "stderr":
# [the lines written to stderr while the experiment ran]}.
import json
import os
import sys

payload = json.loads(sys.stdin.read())
namespace = {"__name__": "__main__", "__builtins__": __builtins__,
             "names": payload["names"]}
# A pipe, not a temporary file: tempfile would import thread, one of the modules
# the experiment is about (what -v prints is far less than a pipe holds).
reader, writer = os.pipe()
sys.stderr.flush()
saved = os.dup(2)
os.dup2(writer, 2)
try:
    exec(compile(payload["source"], "<experiment>", "exec"), namespace)
finally:
    sys.stderr.flush()
    os.dup2(saved, 2)
    os.close(saved)
    os.close(writer)
chunks = []
while True:
    chunk = os.read(reader, 65536)
    if not chunk:
        break
    chunks.append(chunk)
os.close(reader)
stderr = b"".join(chunks).decode("utf-8", "replace").splitlines()
print(json.dumps({"results": namespace["results"], "stderr": stderr}))
