"""The import chapter's rows of the fidelity ledger.

- the start-up state: the modules a script finds in `sys.modules`, the order a new
  model import system loads its first modules in, the suffix order, the frozen
  modules (profile facts, each version);
- the standard-library sweep (the running interpreter);
- the `.pyc` files the model writes, byte for byte, and that it reads CPython's
  (the running interpreter: the model compiles with it);
- 2.x's backup copies of built-in and extension modules, and its import lock
  ({py:mod}`pyinternals.importing.legacy_extensions`, 2.7);
- the package trees, each run by every real CPython and by the model of its version
  ({py:mod}`pyinternals.importing.trees`).

The book shows them in {doc}`/importing`.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from pyinternals import profiles
from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.ledger import Check, Outcome, Status, agreement, skipped
from pyinternals.observe.probing import run_probe

CHAPTER = "importing"
FACTS = Path(__file__).parent / "probes" / "import_facts.py"
_MODERN = ("3.11", "3.12", "3.13")


@functools.cache
def _facts(interpreter: Interpreter) -> dict[str, Any]:
    """The `import_facts` probe, in a fresh interpreter started like a script."""
    flags = ("-E", "-S") if interpreter.profile == "2.7" else ("-I", "-S")
    answer: dict[str, Any] = run_probe(interpreter, FACTS, flags=flags)
    return answer


# -- Start-up and profile facts -------------------------------------------------------


def _startup(interpreter: Interpreter) -> Outcome:
    assert interpreter.profile is not None
    profile = profiles.importing.get(interpreter.profile)
    facts = _facts(interpreter)
    if profile.machinery == "import.c":
        # 2.x's sys.modules is a plain dict without order: compare the sets.
        model = sorted(profile.startup_modules) + [f"{m}=None" for m in
                                                   sorted(profile.startup_misses)]
        real = sorted(facts["startup"]) + [f"{m}=None" for m in facts["misses"]]
        return agreement(model, real)
    return agreement(list(profile.startup_modules), facts["startup"])


def _boot(interpreter: Interpreter) -> Outcome:
    from pyinternals.importing.system import ImportSystem

    assert interpreter.profile is not None
    model = list(ImportSystem([], profile=interpreter.profile).modules)
    startup = _facts(interpreter)["startup"]
    real = startup[:startup.index("zipimport") + 1]
    return agreement(model, real, "the real list is sys.modules at start-up, up to "
                     "zipimport (the last module the import system itself loads)")


def _legacy_boot(interpreter: Interpreter) -> Outcome:
    from pyinternals.importing.legacy import LegacyImportSystem

    legacy = LegacyImportSystem([])
    model = sorted(k for k, v in legacy.modules.items() if v is not None) + \
        [f"{k}=None" for k in sorted(k for k, v in legacy.modules.items() if v is None)]
    facts = _facts(interpreter)
    real = sorted(facts["startup"]) + [f"{m}=None" for m in facts["misses"]]
    return agreement(model, real, "the model's Python start-up modules are stand-ins "
                     "(it does not run 2.x's standard library)")


def _suffixes(interpreter: Interpreter) -> Outcome:
    assert interpreter.profile is not None
    model = [list(pair) for pair in profiles.importing.get(interpreter.profile).suffixes]
    return agreement(model, _facts(interpreter)["suffixes"])


def _frozen(interpreter: Interpreter) -> Outcome:
    assert interpreter.profile is not None
    model = list(profiles.importing.get(interpreter.profile).frozen_modules)
    return agreement(model, _facts(interpreter)["frozen"])


# -- The sweep -------------------------------------------------------------------------


def _sweep(interpreter: Interpreter) -> Outcome:
    from pyinternals.importing.sweep import EXCLUDED, sweep

    result = sweep(interpreter)
    left_out = "; ".join(f"{name} ({why})" for name, why in EXCLUDED.items())
    note = f"{result.summary()}. Left out: {left_out}."
    if result.differences:
        note += "\n" + "\n".join(f"{name}: {'; '.join(found)}"
                                 for name, found in result.differences.items())
    return Outcome(Status.PASS if not result.differences else Status.FAIL,
                   f"{result.matching} of {result.count} modules match",
                   f"{result.count} modules swept, {result.importable} importable", note)


def _sweep_isolation(interpreter: Interpreter) -> Outcome:
    from pyinternals.importing.sweep import sweep

    result = sweep(interpreter)
    return agreement([], result.host_changes,
                     "the host's sys.modules, compared before and after the model's sweep")


# -- Bytecode caches ------------------------------------------------------------------


def _digest(entry: dict[str, Any]) -> str:
    data = bytes.fromhex(entry["pyc"])
    return (f"VALUE {entry['value']!r}; {len(data)} bytes, sha256 "
            f"{hashlib.sha256(data).hexdigest()[:16]}")


def _pyc_row(mode: str) -> Check:
    def evaluate(interpreter: Interpreter) -> Outcome:
        from pyinternals.importing.pyc import compare_with_cpython

        result = compare_with_cpython(interpreter)
        return agreement(_digest(result["model"][mode]), _digest(result["real"][mode]))

    what = {"timestamp": "timestamp-based", "checked-hash": "checked hash-based",
            "unchecked-hash": "unchecked hash-based"}[mode]
    return Check(
        f"importing.pyc.{mode}", CHAPTER,
        f"the {what} .pyc the model writes is byte-identical to CPython's, and read the "
        "same way",
        "the pyc probe (py_compile in that mode, then a changed source, then import) run "
        "by CPython and, unchanged, by a model import system",
        evaluate, _MODERN, scope="running")


def _reads_cpython(interpreter: Interpreter) -> Outcome:
    from pyinternals.importing.pyc import compare_with_cpython

    result = compare_with_cpython(interpreter)
    model = result["reads_cpython"]
    real = result["cpython_rereads"]
    return agreement([model["value"], model["used_cache"]], [real["value"], real["used_cache"]])


# -- 2.x's backup copies of C modules --------------------------------------------------


@functools.cache
def _backup(interpreter: Interpreter) -> tuple[dict[str, Any], dict[str, Any]]:
    """The extension-backup experiment: (model, real)."""
    from pyinternals.importing.legacy_extensions import run_model, run_real

    return run_model(), run_real(interpreter)


def _backup_findings(interpreter: Interpreter) -> Outcome:
    model, real = _backup(interpreter)
    return agreement(_rows(model), _rows(real),
                     "the model loads cmath from a copy of the running interpreter's "
                     "extension (2.7's cannot load into 3.x); folders written <dir>")


def _rows(answer: dict[str, Any]) -> list[str]:
    """Each module's findings on one line: `cmath (<dir>/cmath.so): same object no, ...`."""
    from pyinternals.importing.legacy_extensions import FINDINGS

    rows = []
    for row in answer["results"]["modules"]:
        where = f" ({row['file']})" if row["file"] else ""
        found = ", ".join(f"{key} {'yes' if row[key] else 'no'}" for key in FINDINGS)
        rows.append(f"{row['name']}{where}: {found}")
    return rows


def _modern_backup(interpreter: Interpreter) -> Outcome:
    from pyinternals.importing.legacy_extensions import run_modern_model, run_real_modern

    assert interpreter.profile is not None
    return agreement(_rows(run_modern_model(interpreter.profile)),
                     _rows(run_real_modern(interpreter)),
                     "the model loads C modules through the running interpreter's _imp")


def _backup_lines(interpreter: Interpreter) -> Outcome:
    model, real = _backup(interpreter)
    return agreement(model["stderr"], real["stderr"])


def _release_lock(interpreter: Interpreter) -> Outcome:
    model, real = _backup(interpreter)
    return agreement(model["results"]["release_lock"], real["results"]["release_lock"])


# -- Package trees --------------------------------------------------------------------


def _tree_row(name: str) -> Check:
    from pyinternals.importing.trees import tree

    t = tree(name)

    def evaluate(interpreter: Interpreter) -> Outcome:
        from pyinternals.importing.trees import compare

        if interpreter.profile not in t.families:
            return skipped(f"the {name} tree is not run on {interpreter.family}")
        c = compare(interpreter, t)
        status = Status.PASS if c.ok else Status.FAIL
        return Outcome(status, _outcomes(c.model), _outcomes(c.real),
                       "\n".join(c.differences))

    return Check(f"importing.tree.{name}", CHAPTER, t.claim,
                 "the tree built in a temporary folder; its statements run in a fresh "
                 "interpreter (-E -S -v, and -X importtime on 3.x) and in a fresh model of "
                 "that version: outcomes, sys.modules, bound names, warnings, -v lines "
                 "and importtime order compared",
                 evaluate, t.families, exclusive=True)


def _outcomes(result: dict[str, Any]) -> str:
    """The statements' outcomes in a few words: `3 ok; ImportError, ValueError`."""
    outcomes = result["outcomes"]
    ok = sum(1 for o in outcomes if o is None)
    errors = [o[0] for o in outcomes if o is not None]
    return f"{ok} ok" + (f"; {', '.join(errors)}" if errors else "") + \
        f"; {len(result['added'])} modules added"


def _checks() -> list[Check]:
    from pyinternals.importing.trees import TREES

    return [
        Check("importing.startup", CHAPTER,
              "the modules in sys.modules when a script starts (3.x: -I -S, in order; "
              "2.7: -E -S, with the misses left as None)",
              "list(sys.modules) on the first line of a probe script",
              _startup),
        Check("importing.boot", CHAPTER,
              "a new model import system has loaded the modules CPython loads to install "
              "its import system, in the same order",
              "sys.modules at start-up, up to zipimport",
              _boot, _MODERN),
        Check("importing.legacy.startup", CHAPTER,
              "a new legacy model's sys.modules holds 2.7's start-up modules and misses",
              "sys.modules of python2.7 -E -S as a script starts",
              _legacy_boot, ("2.7",)),
        Check("importing.legacy.extension-backup", CHAPTER,
              "after del sys.modules[name], importing a built-in module (thread, imp) or "
              "an extension (cmath) again makes a new module from the dictionary "
              "_PyImport_FixupExtension copied at init: names added since are gone, "
              "the values are the very same objects; reload keeps the module and the "
              "added names and restores the rest",
              "the extension_backup probe in python2.7 -E -S, and the same program run "
              "by a fresh legacy model",
              _backup_findings, ("2.7",)),
        Check("importing.extension-reinit", CHAPTER,
              "3.x keeps no copy to serve: after del sys.modules[name], importing _thread, "
              "cmath or math again runs the init function again (a new module, new "
              "values), and reload leaves the C module as it is",
              "the extension_backup probe in python -I -S, and the same program run by a "
              "fresh model import system of that version",
              _modern_backup, _MODERN),
        Check("importing.legacy.extension-lines", CHAPTER,
              "the -v lines of those loads: # builtin, dlopen(...), # dynamically loaded "
              "from, then # previously loaded for every later load",
              "stderr of python2.7 -E -S -v while the program ran; the model's trace",
              _backup_lines, ("2.7",)),
        Check("importing.legacy.release-lock", CHAPTER,
              "imp.release_lock() by a thread not holding the import lock raises "
              "RuntimeError('not holding the import lock')",
              "the same program, last statement",
              _release_lock, ("2.7",)),
        Check("importing.suffixes", CHAPTER,
              "the file suffixes a directory is searched for, in order, with their kind",
              "importlib._bootstrap_external._get_supported_file_loaders() (2.7: "
              "imp.get_suffixes()), the SOABI written {soabi}",
              _suffixes),
        Check("importing.frozen", CHAPTER,
              "the modules frozen into the interpreter",
              "_imp._frozen_module_names() (2.7: imp.is_frozen of the known names)",
              _frozen),
        Check("importing.sweep", CHAPTER,
              "every standard-library module, imported one after another through one "
              "fresh model, succeeds or fails as in CPython, adds the same modules to "
              "sys.modules, each with the same __spec__.origin, __file__, __path__, "
              "__package__, __cached__ and loader",
              "the sweep probe in python -I -S, and a model given its sys.path and "
              "sys.flags and brought to its start-up state",
              _sweep, _MODERN, scope="running", exclusive=True),
        Check("importing.sweep.isolation", CHAPTER,
              "the model's sweep of the standard library leaves the host interpreter's "
              "sys.modules as it was",
              "sys.modules of the running interpreter before and after the sweep",
              _sweep_isolation, _MODERN, scope="running", exclusive=True),
        *(_pyc_row(mode) for mode in ("timestamp", "checked-hash", "unchecked-hash")),
        Check("importing.pyc.reads-cpython", CHAPTER,
              "a .pyc that CPython wrote is used by the model, as by CPython itself",
              "a new CPython process imports the module with -v (the 'matches' line); "
              "the model's trace says 'hit'",
              _reads_cpython, _MODERN, scope="running"),
        *(_tree_row(t.name) for t in TREES),
    ]


CHECKS: list[Check] = _checks()
