# Probe: import a list of modules one after another in a clean interpreter (run it
# with -I -S) and report, for each, what the import added to sys.modules and the
# import attributes of every module it added.  Runs unchanged on 2.7 and 3.x (2.7
# has no sys.stdlib_module_names, so it is never asked to sweep).
#
# Input: a JSON list of module names on stdin, parsed without importing json (any
# import before the baseline is taken would change what the imports add).  Output:
# one JSON object, printed after the sweep.
import sys

baseline = list(sys.modules)
text = sys.stdin.read().strip()
names = [part.strip().strip('"') for part in text[1:-1].split(",") if part.strip()]

import _warnings  # already loaded at start-up: adds nothing
import io  # the same
_warnings.filters.insert(0, ("ignore", None, Warning, None, 0))
if hasattr(_warnings, "_filters_mutated"):
    _warnings._filters_mutated()

ABSENT = "<absent>"


def loader_kind(spec, module):
    loader = getattr(spec, "loader", None) if spec is not None else None
    if loader is None:
        loader = getattr(module, "__loader__", None)
    if loader is None:
        return None
    if isinstance(loader, type):
        return loader.__name__
    return type(loader).__name__


def describe(module):
    if module is None:
        return None
    try:
        attrs = vars(module)
    except TypeError:
        attrs = {}
    spec = attrs.get("__spec__", None)
    path = attrs.get("__path__", ABSENT)
    if path is not ABSENT and path is not None:
        try:
            path = list(path)
        except Exception:
            path = repr(path)
    return {
        "origin": getattr(spec, "origin", ABSENT) if spec is not None else ABSENT,
        "file": attrs.get("__file__", ABSENT),
        "path": path,
        "package": attrs.get("__package__", ABSENT),
        "cached": attrs.get("__cached__", ABSENT),
        "loader": loader_kind(spec, module),
    }


results = []
real_stdout = sys.stdout
for name in names:
    before = set(sys.modules)
    sys.stdout = io.StringIO()  # `this` prints the Zen of Python
    try:
        __import__(name)
        outcome = None
    except BaseException as exc:  # SystemExit and KeyboardInterrupt included
        outcome = [type(exc).__name__, str(exc)]
    sys.stdout = real_stdout
    added = [key for key in sys.modules if key not in before]
    results.append([name, outcome, added, dict((key, describe(sys.modules[key]))
                                               for key in added)])

flags = {}
for field in getattr(type(sys.flags), "__match_args__", ()):
    flags[field] = getattr(sys.flags, field)

import json

sys.stdout.write(json.dumps({
    "baseline": baseline,
    "path": sys.path,
    "flags": flags,
    "argv": sys.argv,
    "dont_write_bytecode": sys.dont_write_bytecode,
    "main": describe(sys.modules["__main__"]),
    "prefix": [sys.prefix, sys.exec_prefix, getattr(sys, "base_prefix", sys.prefix),
               getattr(sys, "base_exec_prefix", sys.exec_prefix)],
    "results": results,
}))
