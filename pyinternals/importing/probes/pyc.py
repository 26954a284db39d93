# Probe: how the import system writes and reads .pyc files (3.7+; on 2.x it reports
# nothing).  For each invalidation mode (PEP 552), in FOLDER/<mode>: write a module,
# compile it with py_compile in that mode (not for "timestamp"), change the source,
# import the module, and report the value the import saw and the .pyc's bytes.
#
# The same script runs in a real interpreter and, unchanged, inside a model import
# system (pyinternals.importing): py_compile then runs on the model's bootstrap.
# Usage: python probe/pyc.py FOLDER; prints one JSON object.
import json
import os
import sys

folder = sys.argv[1]
results = {}
try:
    import py_compile
    from importlib.util import cache_from_source
    modes = {"timestamp": None,
             "checked-hash": py_compile.PycInvalidationMode.CHECKED_HASH,
             "unchecked-hash": py_compile.PycInvalidationMode.UNCHECKED_HASH}
except (ImportError, AttributeError):  # 2.x, or before PEP 552
    modes = {}

for mode in sorted(modes):
    here = os.path.join(folder, mode)
    os.makedirs(here)
    name = "probe_" + mode.replace("-", "_")
    source = os.path.join(here, name + ".py")
    with open(source, "w") as f:
        f.write("VALUE = 'first'\n")
    os.utime(source, (1000000000, 1000000000))
    if modes[mode] is not None:
        py_compile.compile(source, invalidation_mode=modes[mode], doraise=True)
    with open(source, "w") as f:
        f.write("VALUE = 'second'\n")
    os.utime(source, (1100000000, 1100000000))
    sys.path.insert(0, here)
    value = __import__(name).VALUE
    with open(cache_from_source(source), "rb") as f:
        data = f.read()
    results[mode] = {"value": value, "pyc": data.hex()}

sys.stdout.write(json.dumps(results))
