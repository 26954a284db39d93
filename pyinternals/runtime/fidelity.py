"""The start-up chapter's rows of the fidelity ledger.

- `runtime.start.*`: a real interpreter started in a scenario of
  {py:mod}`pyinternals.runtime.scenarios` (plain, `-S`, `-s`, `-I`, `-E` with
  `PYTHONPATH`, missing `PYTHONPATH` entries, `PYTHONHOME`, a script in another
  folder, `-m`, a fresh venv with and without `-S`) against the model's
  {py:func}`~pyinternals.runtime.pathconfig.configure` on the same command line,
  environment and folder: `sys.path`, `sys.prefix`, `sys.exec_prefix`,
  `sys.base_prefix`, `sys.flags` and `sys.argv` must be equal.
- `runtime.flags.*`: crowded command lines and environments: `sys.flags`,
  `sys.warnoptions`, `sys._xoptions`.
- `runtime.refuse.*`: command lines and values the interpreter refuses: the exit
  status and what it prints must be equal.
- `runtime.boot27.*`: the 2.x `Py_InitializeEx` of
  {py:mod}`pyinternals.runtime.boot27` against a real 2.7: the state `initsite`
  finds (a `site.py` of the probe's put first on `PYTHONPATH`, run by the real 2.7
  and through the model's legacy import system), the `extensions` backups seen from
  there, and `sys.path` once a plain `python2.7 -c` started.

The model's side is computed from the version's profile and the build's constants
(`PREFIX`, ...), which are read from the interpreter: they belong to one build on
one machine, not to a version.

The checks that boot model interpreters (`runtime.imports`, `runtime.modules`,
`runtime.run`, `runtime.interactive`) are *exclusive*: they run one at a time, after
the others.  A model import system lends modules to the host's `sys.modules` while
C code imports, so two of them working at once (in two ledger threads) can see each
other's half-done changes.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.ledger import Check, Outcome, Status, agreement
from pyinternals.runtime.getpath import PROBES, BuildConfig
from pyinternals.runtime.scenarios import (
    BAD_SCENARIOS,
    FLAG_SCENARIOS,
    INTERACTIVE_INPUT,
    RUN_SCENARIOS,
    SCENARIOS,
    Scenario,
    sandbox,
)

CHAPTER = "runtime"
_3X = ("3.11", "3.12", "3.13")


def _scenario_check(prefix: str, scenario: Scenario, claim: str) -> Check:
    def evaluate(interpreter: Interpreter) -> Outcome:
        box = sandbox(interpreter)
        observed = box.observe(scenario).compared(scenario.fields)
        model = box.model(scenario).compared(scenario.fields)
        return agreement(model, observed)

    how = (f"the startup probe run as `python {' '.join(scenario.options)} "
           f"{'' if scenario.run in ('', '-c') else scenario.run}` in a sandbox "
           "(HOME and PATH only); the model's configure() on the same command line")
    families = _3X if scenario.venv else ("2.7", *_3X)
    return Check(f"runtime.{prefix}.{scenario.name}", CHAPTER, claim, " ".join(how.split()),
                 evaluate, families)


def _importtime(text: str) -> list[str]:
    """The module names of `-X importtime`'s lines, in order."""
    return [line.rpartition("|")[2].strip() for line in text.splitlines()
            if line.startswith("import time:") and "imported package" not in line]


def _imports_check(scenario: Scenario) -> Check:
    def evaluate(interpreter: Interpreter) -> Outcome:
        box = sandbox(interpreter)
        status, _, err = box.observe_run(scenario, "pass", ("-X", "importtime"))
        if status:
            return Outcome(Status.ERROR, note=f"the real interpreter exited with {status}: "
                           f"{err.strip()[-300:]}")
        observed = _importtime(err)
        printed = io.StringIO()
        with contextlib.redirect_stderr(printed):
            interp = box.boot(scenario, "pass", ("-X", "importtime"))
        # What the model printed, at start-up and while it ran the program.
        run = interp.run_main()
        return agreement(_importtime(printed.getvalue() + run.stderr), observed)

    options = " ".join(scenario.options)
    return Check(f"runtime.imports.{scenario.name}", CHAPTER,
                 f"the modules imported to start `python {options} -c pass` in a fresh "
                 "venv, in -X importtime order (failed attempts included)",
                 f"`python -X importtime {options} -c pass` in the venv; the lines the "
                 "model prints for initialize() and run_main() on the same command line, "
                 "through the model import system", evaluate, _3X, exclusive=True)


def _modules_check(scenario: Scenario) -> Check:
    code = "import sys; print(list(sys.modules))"

    def evaluate(interpreter: Interpreter) -> Outcome:
        box = sandbox(interpreter)
        status, out, err = box.observe_run(scenario, code)
        if status:
            return Outcome(Status.ERROR, note=f"the real interpreter exited with {status}: "
                           f"{err.strip()[-300:]}")
        interp = box.boot(scenario, code)
        result = interp.run_main()
        return agreement(ast.literal_eval(result.stdout), ast.literal_eval(out))

    options = " ".join(scenario.options)
    return Check(f"runtime.modules.{scenario.name}", CHAPTER,
                 f"the keys of sys.modules, in order, once `python {options} -c ...` started "
                 "in a fresh venv", "`print(list(sys.modules))` run by the real "
                 "interpreter and by the model interpreter", evaluate, _3X, exclusive=True)


def _failure_summary(run: tuple[int, str, str]) -> tuple[int, str, list[str]]:
    """A fatal start-up error without its traceback: status, stdout, and the first
    two and the last line of stderr (the traceback shows importlib's frames, which
    are the model's own in the model)."""
    status, out, err = run
    lines = [line for line in err.splitlines() if line]
    return status, out, lines[:2] + lines[-1:]


def _run_check(scenario: Scenario) -> Check:
    # Tracebacks are printed by the host's own printer: only the running version's
    # format can be reproduced.
    running = scenario.name in ("script-error", "command-error", "script-syntax-error")
    summary = scenario.broken_venv

    def evaluate(interpreter: Interpreter) -> Outcome:
        box = sandbox(interpreter)
        model, observed = box.model_full(scenario), box.observe_full(scenario)
        if summary:
            return agreement(_failure_summary(model), _failure_summary(observed))
        return agreement(model, observed)

    return Check(f"runtime.run.{scenario.name}", CHAPTER,
                 f"the exit status, stdout and stderr of {scenario.what}",
                 f"`python {' '.join(scenario.options)}` run by the real interpreter and by "
                 "the model's initialize() and run_main()", evaluate, _3X,
                 scope="running" if running else "each", exclusive=True)


def _interactive_check() -> Check:
    scenario = Scenario("interactive", "the interactive loop", options=("-i", "-q"), run="")

    def evaluate(interpreter: Interpreter) -> Outcome:
        box = sandbox(interpreter)
        _, observed, _ = box.observe_full(scenario, INTERACTIVE_INPUT, merge=True)
        interp = box.boot_plain(scenario)
        try:
            transcript = interp.interactive(INTERACTIVE_INPUT, echo=False)
        finally:
            interp.finalize()
        return agreement(transcript, observed)

    return Check("runtime.interactive.transcript", CHAPTER,
                 "the transcript of an interactive session: prompts, results through "
                 "sys.displayhook, a multi-line block, an exception, a syntax error",
                 "`python -i -q` fed the same lines on stdin (stdout and stderr merged); "
                 "the model's interpreter.interactive(lines, echo=False)",
                 evaluate, _3X, scope="running", exclusive=True)


@functools.lru_cache(maxsize=4)
def _at_site(interpreter: Interpreter) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `site_at_boot` probe as `site.py` on PYTHONPATH: what the model's boot and
    the real `python2.7 -B -c pass` print (HOME names a folder that does not exist)."""
    from pyinternals.runtime import initialize

    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "first"
        folder.mkdir()
        shutil.copy(PROBES / "site_at_boot.py", folder / "site.py")
        env = {"HOME": str(Path(root) / "nohome"), "PYTHONPATH": str(folder)}
        argv = [interpreter.executable, "-B", "-c", "pass"]
        real = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=root,
                              check=True, timeout=60)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            interp = initialize(argv, env, profile="2.7", build=BuildConfig.of(interpreter))
        interp.finalize()
    model: dict[str, Any] = ast.literal_eval(printed.getvalue())
    observed: dict[str, Any] = ast.literal_eval(real.stdout)
    return model, observed


def _boot27_check(name: str, claim: str, keys: tuple[str, ...]) -> Check:
    def evaluate(interpreter: Interpreter) -> Outcome:
        model, observed = _at_site(interpreter)
        return agreement({k: model[k] for k in keys}, {k: observed[k] for k in keys})

    return Check(f"runtime.boot27.{name}", CHAPTER, claim,
                 "the site_at_boot probe copied as site.py to a folder first on PYTHONPATH, "
                 "imported by `python2.7 -B -c pass` and by the model's boot_27() (through "
                 "the legacy import system)", evaluate, ("2.7",), exclusive=True)


def _boot27_path_check() -> Check:
    def evaluate(interpreter: Interpreter) -> Outcome:
        from pyinternals.runtime import initialize

        with tempfile.TemporaryDirectory() as root:
            env = {"HOME": str(Path(root) / "nohome")}
            argv = [interpreter.executable, "-c", "import sys; print(repr(sys.path))"]
            real = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=root,
                                  check=True, timeout=60)
            interp = initialize(argv, env, profile="2.7", build=BuildConfig.of(interpreter))
            model = list(interp.sys.path)
            interp.finalize()
        return agreement(model, ast.literal_eval(real.stdout))

    return Check("runtime.boot27.sys-path", CHAPTER,
                 "sys.path once `python2.7 -c` started: the path calculation, the "
                 "standard library's site (modelled) and PySys_SetArgv's sys.path[0]",
                 "`print(repr(sys.path))` run by python2.7 (HOME a missing folder); "
                 "interp.sys.path of the model's boot_27() on the same command line",
                 evaluate, ("2.7",))


_VENVS = tuple(s for s in SCENARIOS if s.venv)

CHECKS: list[Check] = [
    *(_scenario_check("start", s, f"sys.path, prefixes, flags and argv: {s.what}")
      for s in SCENARIOS),
    *(_scenario_check("flags", s, f"sys.flags, warnoptions and _xoptions: {s.what}")
      for s in FLAG_SCENARIOS),
    *(_scenario_check("refuse", s, f"the exit status and message for {s.what}")
      for s in BAD_SCENARIOS),
    *(_imports_check(s) for s in _VENVS),
    *(_modules_check(s) for s in _VENVS),
    *(_run_check(s) for s in RUN_SCENARIOS),
    _interactive_check(),
    _boot27_check("at-site", "what initsite finds: sys.modules, sys.path (no "
                  "sys.path[0] yet), no sys.argv, the import hooks and the path importer "
                  "cache", ("modules", "path", "has_argv", "meta_path", "path_hooks",
                            "path_importer_cache")),
    _boot27_check("extensions", "the extensions backups: a re-imported sys is a new "
                  "module lacking what start-up set after its copy; exceptions comes back "
                  "new with the same classes; __builtin__'s copy lacks nothing yet",
                  ("sys_again_is_new", "sys_again_lacks", "exceptions_again",
                   "builtin_again_lacks")),
    _boot27_path_check(),
]
