"""The standard-library sweep: every module, through a real interpreter and the model.

A clean real interpreter (`python -I -S`) imports every module of its standard
library, one after another, and reports for each what the import added to
`sys.modules` and the import attributes of every module it added (`__spec__.origin`,
`__file__`, `__path__`, `__package__`, `__cached__`, and the loader's class).  Then
one fresh {py:class}`~pyinternals.importing.system.ImportSystem`, given the same `sys.path`
and `sys.flags` and first brought to the same start-up state (the modules the real
interpreter had loaded before the sweep began, imported in the same order), imports
the same modules in the same order.  A module matches when its import succeeded or
failed in the same way, added the same modules in the same order, and every added
module has the same attributes.

The modules are `sys.stdlib_module_names` and, below the packages among them, every
module and subpackage on disk, except test packages and `__main__` modules (which
run programs), and {py:data}`EXCLUDED`.  A module that fails in the real interpreter
(`nt` on Linux) stays in the sweep: the model must fail the same way.

The model runs with the interpreter running this code (in a fresh process of it:
see {py:func}`run_model_apart`), so the sweep checks that interpreter's version
only.  One sweep per process is kept ({py:func}`sweep`), for the ledger rows and the
book to share.  See {doc}`/importing`.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util  # noqa: F401  (the model reads the magic number from it)
import io
import json
import os
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from pyinternals.importing.system import ImportSystem
from pyinternals.observe.discovery import Interpreter, running
from pyinternals.observe.probing import run_probe

PROBE = Path(__file__).parent / "probes" / "sweep.py"

#: Modules left out of the sweep, and why: importing them does something to the
#: machine, not only to the interpreter.
EXCLUDED: dict[str, str] = {
    "antigravity": "opens a web browser",
    "idlelib.idle": "starts the IDLE program",
}

_SKIPPED_PARTS = frozenset({"test", "tests", "idle_test", "__main__", "__pycache__"})
_ABSENT = "<absent>"


def stdlib_modules() -> list[str]:
    """Every module of the running interpreter's standard library the sweep imports,
    top-level names first-come (sorted), each package followed by its contents."""
    stdlib = Path(os.__file__).parent
    names: list[str] = []
    for top in sorted(sys.stdlib_module_names):
        names.append(top)
        package = stdlib / top
        if (package / "__init__.py").is_file():
            names += _package_contents(package, top)
    return [n for n in names if n not in EXCLUDED]


def _package_contents(folder: Path, prefix: str) -> list[str]:
    names = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        stem = entry.name.removesuffix(".py")
        if stem in _SKIPPED_PARTS:
            continue
        if entry.is_dir() and (entry / "__init__.py").is_file():
            names.append(f"{prefix}.{entry.name}")
            names += _package_contents(entry, f"{prefix}.{entry.name}")
        elif entry.suffix == ".py" and entry.name != "__init__.py":
            names.append(f"{prefix}.{stem}")
    return names


def _loader_kind(spec: Any, module: Any) -> str | None:
    loader = getattr(spec, "loader", None) if spec is not None else None
    if loader is None:
        loader = getattr(module, "__loader__", None)
    if loader is None:
        return None
    return loader.__name__ if isinstance(loader, type) else type(loader).__name__


def describe(module: Any) -> dict[str, Any] | None:
    """A module's import attributes, as the sweep probe reports them."""
    if module is None:
        return None
    try:
        attrs = vars(module)
    except TypeError:
        attrs = {}
    spec = attrs.get("__spec__")
    path = attrs.get("__path__", _ABSENT)
    if path is not _ABSENT and path is not None:
        try:
            path = list(path)
        except Exception:  # a __path__ that cannot be listed is shown as it is
            path = repr(path)
    return {
        "origin": getattr(spec, "origin", _ABSENT) if spec is not None else _ABSENT,
        "file": attrs.get("__file__", _ABSENT),
        "path": path,
        "package": attrs.get("__package__", _ABSENT),
        "cached": attrs.get("__cached__", _ABSENT),
        "loader": _loader_kind(spec, module),
    }


@dataclass(frozen=True)
class ModuleResult:
    """What importing one module did."""

    name: str
    #: `None` for success, else `[exception class name, message]`.
    outcome: list[str] | None
    #: The modules the import added to `sys.modules`, in `sys.modules` order.
    added: list[str]
    #: Each added module's attributes ({py:func}`describe`).
    attributes: dict[str, Any]

    @classmethod
    def from_json(cls, row: list[Any]) -> ModuleResult:
        """From one row of the probe's answer."""
        return cls(row[0], row[1], list(row[2]), dict(row[3]))


@dataclass
class Sweep:
    """A real interpreter's sweep and the model's, module by module."""

    interpreter: Interpreter
    real: list[ModuleResult]
    model: list[ModuleResult]
    #: The real interpreter's `sys.modules` when the sweep began.
    baseline: list[str]
    #: The model's, after it was brought to the same start-up state.
    model_baseline: list[str]
    real_seconds: float = 0.0
    model_seconds: float = 0.0
    #: Entries of the host's `sys.modules` that the model's part of the sweep added,
    #: removed or replaced (there should be none).
    host_changes: list[str] = field(default_factory=list)
    differences: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for real, model in zip(self.real, self.model, strict=True):
            found = compare(real, model)
            if found:
                self.differences[real.name] = found

    @property
    def count(self) -> int:
        """Modules swept."""
        return len(self.real)

    @property
    def importable(self) -> int:
        """Modules the real interpreter imported without an error."""
        return sum(1 for r in self.real if r.outcome is None)

    @property
    def matching(self) -> int:
        """Modules whose import the model reproduced exactly."""
        return self.count - len(self.differences)

    def summary(self) -> str:
        """`812 of 829 modules match (804 importable)` and the like."""
        return (f"{self.matching} of {self.count} modules match "
                f"({self.importable} importable in CPython {self.interpreter.label})")


def compare(real: ModuleResult, model: ModuleResult) -> list[str]:
    """The differences between two results for the same module, in words."""
    found = []
    if real.outcome != model.outcome:
        found.append(f"outcome: real {real.outcome}, model {model.outcome}")
    if real.added != model.added:
        missing = [m for m in real.added if m not in model.added]
        extra = [m for m in model.added if m not in real.added]
        if missing or extra:
            found.append(f"added: model lacks {missing}, model has extra {extra}")
        else:
            found.append("added: same modules, in another order")
    for key in real.added:
        if key in model.attributes and real.attributes[key] != model.attributes[key]:
            ra, ma = real.attributes[key], model.attributes[key]
            if ra is None or ma is None:
                found.append(f"{key}: real {ra}, model {ma}")
                continue
            for attr in ra:
                if ra[attr] != ma.get(attr):
                    found.append(f"{key}.{attr}: real {ra[attr]!r}, model {ma.get(attr)!r}")
    return found


def run_real(interpreter: Interpreter, names: list[str]) -> dict[str, Any]:
    """The probe's answer: the real interpreter sweeping `names`."""
    answer: dict[str, Any] = run_probe(interpreter, PROBE, payload=names, flags=("-I", "-S"),
                                       timeout=600)
    return answer


def model_system(real: dict[str, Any]) -> ImportSystem:
    """A fresh model in the start-up state of the real interpreter's sweep."""
    prefix, exec_prefix, base_prefix, base_exec_prefix = real["prefix"]
    imp = ImportSystem(real["path"], sys_values={
        "flags": real["flags"], "argv": real["argv"], "prefix": prefix,
        "exec_prefix": exec_prefix, "base_prefix": base_prefix,
        "base_exec_prefix": base_exec_prefix,
        "dont_write_bytecode": real["dont_write_bytecode"],
    })
    with _quiet(imp):
        for name in real["baseline"]:
            if name in imp.modules:
                continue
            if name == "__main__":
                imp.modules["__main__"] = _main_like(imp, real["main"])
            else:
                imp.state.PyImport_ImportModule(name)
    return imp


def _main_like(imp: ImportSystem, real: dict[str, Any]) -> ModuleType:
    """A `__main__` like the probe's: a script, run from a file (what C's
    `pymain_run_file` sets up: `__file__`, `__cached__ = None`, a source loader)."""
    main = ModuleType("__main__")
    main.__dict__["__builtins__"] = imp.builtins
    main.__file__ = real["file"]
    main.__cached__ = None  # type: ignore[attr-defined]
    main.__loader__ = imp.bootstrap_external.SourceFileLoader("__main__", real["file"])
    return main


@contextlib.contextmanager
def _quiet(imp: ImportSystem) -> Any:
    """Warnings ignored and output swallowed, as in the probe (`this` prints)."""
    saved = imp.sys.stdout
    imp.sys.stdout = io.StringIO()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        imp.sys.stdout = saved


def run_model(imp: ImportSystem, names: list[str]) -> list[ModuleResult]:
    """The model importing `names` in order, each recorded as the probe records it."""
    results = []
    modules = imp.modules
    with _quiet(imp):
        for name in names:
            before = set(modules)
            try:
                imp.state.import_func(name)
                outcome = None
            except BaseException as exc:
                outcome = [type(exc).__name__, str(exc)]
            added = [key for key in modules if key not in before]
            results.append(ModuleResult(name, outcome, added,
                                        {key: describe(modules[key]) for key in added}))
    return results


def run_model_here(real: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The model's half of the sweep, in this process: results, the model's start-up
    state, the seconds it took, and what changed in this process's `sys.modules`."""
    host_before = dict(sys.modules)
    started = time.perf_counter()
    imp = model_system(real)
    baseline = list(imp.modules)
    results = run_model(imp, names)
    seconds = time.perf_counter() - started
    host_after = dict(sys.modules)
    changes = sorted({name for name in host_before.keys() | host_after.keys()
                      if host_before.get(name) is not host_after.get(name)})
    return {"results": [[r.name, r.outcome, r.added, r.attributes] for r in results],
            "baseline": baseline, "seconds": seconds, "host_changes": changes}


def run_model_apart(real: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """{py:func}`run_model_here`, in a fresh process of the running interpreter.

    A process that has loaded single-phase extension modules (`_asyncio`, `_socket`
    in 3.11: pytest and Sphinx do) cannot run their init functions again, so the
    model could not reproduce what importing them does in a fresh interpreter.
    """
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH"))
                                        if p)
    proc = subprocess.run([sys.executable, "-m", "pyinternals.importing.sweep"],
                          input=json.dumps({"real": real, "names": names}),
                          capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=600, check=False)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-8:])
        raise RuntimeError(f"the model's sweep process failed (status {proc.returncode}):\n"
                           f"{tail}")
    answer: dict[str, Any] = json.loads(proc.stdout)
    return answer


@functools.cache
def sweep(interpreter: Interpreter | None = None) -> Sweep:
    """Sweep the standard library of the running interpreter (once per process): the
    real interpreter in a probe, the model in a fresh process of the same binary."""
    interp = running() if interpreter is None else interpreter
    if not interp.running:
        raise ValueError(f"the sweep runs the model with the running interpreter, so it can "
                         f"only check that one, not {interp.describe()}")
    names = stdlib_modules()
    started = time.perf_counter()
    real = run_real(interp, names)
    real_seconds = time.perf_counter() - started
    model = run_model_apart(real, names)
    return Sweep(interp, [ModuleResult.from_json(row) for row in real["results"]],
                 [ModuleResult.from_json(row) for row in model["results"]],
                 list(real["baseline"]), list(model["baseline"]), real_seconds,
                 float(model["seconds"]), list(model["host_changes"]))


def _main() -> None:
    """`python -m pyinternals.importing.sweep`: the model's half, JSON in and out."""
    request = json.loads(sys.stdin.read())
    json.dump(run_model_here(request["real"], request["names"]), sys.stdout)


if __name__ == "__main__":
    _main()
