# Probe: the interpreter as `initsite` finds it, for the 2.x start-up model.
# Copied as `site.py` into a folder put on PYTHONPATH, so that start-up imports it
# instead of the standard library's site; runs unchanged on 2.7 and through the
# model's legacy import system.  Prints one Python literal (a dict of lists, strings
# and booleans): no json, since the model cannot import 2.x's standard library.
import sys


def reimport(name):
    """Import `name` again after taking it out of sys.modules; put it back."""
    original = sys.modules[name]
    del sys.modules[name]
    try:
        again = __import__(name)
    finally:
        sys.modules[name] = original
    return original, again


state = {
    "modules": sorted(sys.modules),
    "path": list(sys.path),
    "has_argv": hasattr(sys, "argv"),
    "meta_path": [type(f).__name__ for f in sys.meta_path],
    "path_hooks": [getattr(h, "__name__", "?") for h in sys.path_hooks],
    "path_importer_cache": sorted(sys.path_importer_cache),
}
live, again = reimport("sys")
state["sys_again_is_new"] = again is not live
state["sys_again_lacks"] = sorted(set(vars(live)) - set(vars(again)))
live, again = reimport("exceptions")
state["exceptions_again"] = [again is not live, again.ValueError is live.ValueError]
live, again = reimport("__builtin__")
state["builtin_again_lacks"] = sorted(set(vars(live)) - set(vars(again)))
sys.stdout.write(repr(state) + "\n")
