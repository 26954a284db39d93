"""2.x's backup copies of C modules, as an experiment run by python2.7 and by the
legacy model.

2.x runs the init function of a built-in or extension module once per process.
`_PyImport_FixupExtension` keeps a copy of the new module's dictionary in the
`extensions` table; a later load of the same module (after `del sys.modules[name]`,
or by `reload`) goes through `_PyImport_FindExtension`, which updates the dictionary
of the module in `sys.modules` (a new, empty one if there is none) from that copy.
{py:data}`EXPERIMENT` watches what that means, module by module: a new module
object, without the names added since, with the values the init function left, and
a `reload` that keeps the object and the added names but restores the rest.  It
also gives back the import lock without holding it (`imp.release_lock()`).

On 3.x ({py:func}`run_real_modern`, {py:func}`run_modern_model`) the same program
finds the opposite for `_thread`, `cmath` and `math`, which all use multi-phase
initialisation (PEP 489) there: a new module made by running the init function
again, with new values, and a `reload` that leaves a C module as it is.

{py:func}`run_real` runs it in a real 2.7 (with `-v`), {py:func}`run_model` in a
fresh {py:class}`~pyinternals.importing.legacy.LegacyImportSystem`, which loads an
extension from a copy of the running interpreter's own (named `NAME.so`, as 2.x
names them); both report the findings and the `-v` lines, with each extension's
folder written `<dir>`.  The fidelity ledger compares them; see {doc}`/importing`.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.probing import run_probe

PROBE = Path(__file__).parent / "probes" / "extension_backup.py"
#: Two built-in modules of 2.7's `_inittab`, and one extension of its `lib-dynload`
#: that the interpreters running the model also have as an extension file.
NAMES = ("thread", "imp", "cmath")

#: What the experiment finds about each module, in the order the ledger shows it.
FINDINGS = ("builtin", "same object", "in sys.modules", "added name kept",
            "changed name restored", "same names", "values shared",
            "reload: same object", "reload: added name kept",
            "reload: changed name restored")

#: 3.x's side of the same experiment: a built-in module and two extensions.
MODERN_NAMES = ("_thread", "cmath", "math")

#: The experiment on modules: valid in both languages, run as `__main__` with `names`
#: set (and, on 3.x, `reload` imported from importlib).
MODULES_EXPERIMENT = '''\
import sys
results = {"modules": []}
for name in names:
    first = __import__(name)
    original = dict(first.__dict__)
    first.added = 1
    first.__doc__ = "changed"
    del sys.modules[name]
    second = __import__(name)
    row = {"name": name,
           "builtin": name in sys.builtin_module_names,
           "file": getattr(second, "__file__", None),
           "same object": second is first,
           "in sys.modules": sys.modules[name] is second,
           "added name kept": hasattr(second, "added"),
           "changed name restored": second.__doc__ == original["__doc__"],
           "same names": sorted(second.__dict__) == sorted(original),
           "values shared": all(second.__dict__[key] is value
                                for key, value in original.items())}
    second.added = 2
    second.__doc__ = "changed again"
    third = reload(second)
    row["reload: same object"] = third is second
    row["reload: added name kept"] = getattr(third, "added", None) == 2
    row["reload: changed name restored"] = third.__doc__ == original["__doc__"]
    results["modules"].append(row)
'''

#: The whole experiment for 2.x: the modules, then `imp.release_lock()` unheld.
EXPERIMENT = MODULES_EXPERIMENT + '''\
import imp
try:
    imp.release_lock()
    results["release_lock"] = None
except Exception as error:
    results["release_lock"] = [type(error).__name__, str(error)]
'''


def run_real(interpreter: Interpreter, names: tuple[str, ...] = NAMES) -> dict[str, Any]:
    """The experiment in a fresh real 2.x (`-E -S -v`): its findings and `-v` lines."""
    answer: dict[str, Any] = run_probe(interpreter, PROBE, flags=("-E", "-S", "-v"),
                                       payload={"source": EXPERIMENT, "names": list(names)})
    return _normalised(answer)


def run_model(names: tuple[str, ...] = NAMES) -> dict[str, Any]:
    """The experiment in a fresh legacy model whose `sys.path` is one folder holding,
    for each name that is not a built-in module of 2.7, a copy of the running
    interpreter's extension of that name as `NAME.so`."""
    from pyinternals.importing.legacy import LegacyImportSystem

    with tempfile.TemporaryDirectory(prefix="pyinternals-ext-") as folder:
        legacy = LegacyImportSystem([folder])
        for name in names:
            if name not in legacy.inittab:
                shutil.copy(host_extension(name), Path(folder) / f"{name}.so")
        with legacy.trace:
            namespace = legacy.execute(f"names = {list(names)!r}\n" + EXPERIMENT)
        answer = {"results": namespace["results"], "stderr": legacy.trace.lines()}
        return _normalised(json.loads(json.dumps(answer)))


def run_real_modern(interpreter: Interpreter,
                    names: tuple[str, ...] = MODERN_NAMES) -> dict[str, Any]:
    """The module experiment in a fresh real 3.x (`-I -S`)."""
    source = "from importlib import reload\n" + MODULES_EXPERIMENT
    answer: dict[str, Any] = run_probe(interpreter, PROBE, flags=("-I", "-S"),
                                       payload={"source": source, "names": list(names)})
    return _normalised(answer)


def run_modern_model(profile: str, names: tuple[str, ...] = MODERN_NAMES) -> dict[str, Any]:
    """The module experiment in a fresh modern model under `profile`, which loads
    built-in and extension modules through the running interpreter's `_imp`."""
    from pyinternals.importing.system import ImportSystem

    system = ImportSystem(profile=profile)
    namespace = system.execute(f"from importlib import reload\nnames = {list(names)!r}\n"
                               + MODULES_EXPERIMENT)
    answer = {"results": namespace["results"], "stderr": []}
    return _normalised(json.loads(json.dumps(answer)))


def host_extension(name: str) -> str:
    """The file of the running interpreter's extension module `name`."""
    spec = find_spec(name)
    origin = None if spec is None else spec.origin
    if origin is None or not origin.endswith(".so"):
        raise ValueError(f"{name} is not an extension module file of the interpreter "
                         f"running the model (found {origin!r})")
    return origin


def _normalised(answer: dict[str, Any]) -> dict[str, Any]:
    """Each extension's folder written `<dir>`, in its row and in the `-v` lines (and
    a 3.x SOABI written `{soabi}`)."""
    lines: list[str] = answer["stderr"]
    for row in answer["results"]["modules"]:
        if row["file"]:
            folder = str(Path(row["file"]).parent)
            row["file"] = re.sub(r"\.cpython-[^/]*\.so$", ".{soabi}.so",
                                 row["file"].replace(folder, "<dir>"))
            lines = [line.replace(folder, "<dir>") for line in lines]
    answer["stderr"] = lines
    return answer
