# Probe: import module NAME from FOLDER with -v and report whether the interpreter
# used the module's .pyc (the "# ... matches ..." line) or compiled the source.
# Runs unchanged on 2.7 and 3.x (run it with -v); prints one JSON object.
import json
import os
import sys
import tempfile

folder, name = sys.argv[1], sys.argv[2]
sys.path.insert(0, folder)
log = tempfile.TemporaryFile()
sys.stderr.flush()
saved = os.dup(2)
os.dup2(log.fileno(), 2)
try:
    value = getattr(__import__(name), "VALUE", None)
finally:
    sys.stderr.flush()
    os.dup2(saved, 2)
    os.close(saved)
log.seek(0)
lines = log.read().decode("utf-8", "replace").splitlines()
used = any(" matches " in line and name in line for line in lines)
sys.stdout.write(json.dumps({"value": value, "used_cache": used}))
