# Probe: import a list of modules one after another in a clean interpreter (run it
# with -I -S) and time the imports alone (start-up excluded).  The benchmark's real
# side.  Input: a JSON list of module names on stdin, read without importing json.
# Output: one JSON object with the seconds, the modules that imported, and the
# start-up state a model needs to start from the same point.
import sys
import time

baseline = list(sys.modules)
text = sys.stdin.read().strip()
names = [part.strip().strip('"') for part in text[1:-1].split(",") if part.strip()]

import _warnings  # loaded at start-up already
import io  # the same

_warnings.filters.insert(0, ("ignore", None, Warning, None, 0))
if hasattr(_warnings, "_filters_mutated"):
    _warnings._filters_mutated()

real_stdout = sys.stdout
sys.stdout = io.StringIO()  # `this` prints the Zen of Python
imported = 0
started = time.perf_counter()
for name in names:
    try:
        __import__(name)
        imported += 1
    except BaseException:
        pass
seconds = time.perf_counter() - started
sys.stdout = real_stdout

flags = {}
for field in getattr(type(sys.flags), "__match_args__", ()):
    flags[field] = getattr(sys.flags, field)

import json

sys.stdout.write(json.dumps({
    "seconds": seconds, "imported": imported, "baseline": baseline, "path": sys.path,
    "flags": flags, "argv": sys.argv, "dont_write_bytecode": sys.dont_write_bytecode,
    "main": {"file": __file__},
    "prefix": [sys.prefix, sys.exec_prefix, getattr(sys, "base_prefix", sys.prefix),
               getattr(sys, "base_exec_prefix", sys.exec_prefix)],
}))
