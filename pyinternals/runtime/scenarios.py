"""Start-up scenarios: the same command line run by a real interpreter and by the model.

Each {py:class}`Scenario` is a way of starting Python that changes where it looks
for modules: `-S`, `-s`, `-I`, `-E` with `PYTHONPATH`, missing `PYTHONPATH` entries,
`PYTHONHOME`, a script in another folder (also through a symbolic link), `-m`, a
fresh virtual environment with and without `-S`.  {py:class}`Sandbox` builds the
folders they need in a temporary directory (a home folder whose user site has a
`.pth` file, a script folder, a `venv --without-pip` made by the real interpreter),
so that nothing on the machine (its own site-packages, the user's `~/.local`, the
`PYTHON*` variables of the shell) can change the outcome.  The environment holds
only `HOME`, `PATH` and what the scenario adds, for both sides.

{py:meth}`Sandbox.observe` runs the `startup` probe in the real interpreter;
{py:meth}`Sandbox.model` runs {py:func}`~pyinternals.runtime.pathconfig.configure`
on the same command line, environment and folder.  Both give a
{py:class}`Outcome` with the fields the ledger compares.
"""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyinternals.observe.discovery import Interpreter
from pyinternals.runtime.fs import RealFileSystem
from pyinternals.runtime.getpath import PROBES, BuildConfig
from pyinternals.runtime.pathconfig import configure
from pyinternals.runtime.pylifecycle import Interpreter as ModelInterpreter
from pyinternals.runtime.pylifecycle import initialize
from pyinternals.runtime.status import InitError, PyStatusExit

__all__ = ["BAD_SCENARIOS", "FLAG_SCENARIOS", "INTERACTIVE_INPUT", "RUN_SCENARIOS", "SCENARIOS",
           "Outcome", "Sandbox", "Scenario", "sandbox"]

PROBE = PROBES / "startup.py"


@dataclass(frozen=True)
class Scenario:
    """A way to start the interpreter.

    `options` go between the program and what to run; `run` is `"-c"` (the probe's
    source), `"script"` (the probe in another folder), `"link"` (the same script
    through a symbolic link in the current folder), `"-m"` (the probe as a module
    in the current folder) or `""` (nothing: the options are the whole command).
    `env` values may use `{root}` (the sandbox) and `{prefix}` (the interpreter's
    prefix).
    """

    name: str
    what: str
    options: tuple[str, ...] = ()
    run: str = "-c"
    env: tuple[tuple[str, str], ...] = ()
    venv: bool = False
    #: Run the interpreter through a copy of the venv whose `pyvenv.cfg` is not
    #: UTF-8 (what `site` cannot read).
    broken_venv: bool = False
    #: The fields compared.  `argv` is left out for `-m`: `runpy` replaces
    #: `sys.argv[0]` with the module's file, which needs the import system.
    fields: tuple[str, ...] = ("path", "prefix", "exec_prefix", "base_prefix", "flags",
                               "argv")


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("plain", "no options; a user site with a .pth file"),
    Scenario("no-site", "-S: no site", options=("-S",)),
    Scenario("no-user-site", "-s: no user site", options=("-s",)),
    Scenario("isolated", "-I: isolated (implies -E, -s and, in 3.11+, -P)", options=("-I",)),
    Scenario("ignore-env", "-E with PYTHONPATH set: the variable is ignored",
             options=("-E",), env=(("PYTHONPATH", "{root}/extra"),)),
    Scenario("pythonpath", "PYTHONPATH with an existing, a missing and a relative entry",
             env=(("PYTHONPATH", "{root}/extra:{root}/missing:relative"),)),
    Scenario("pythonhome", "PYTHONHOME naming the installation",
             env=(("PYTHONHOME", "{prefix}"),)),
    Scenario("script", "a script in another folder", run="script"),
    Scenario("script-link", "a script reached through a symbolic link", run="link"),
    Scenario("module", "-m: a module from the current folder", run="-m",
             fields=("path", "prefix", "exec_prefix", "base_prefix", "flags")),
    Scenario("venv", "a fresh venv --without-pip", venv=True),
    Scenario("venv-no-site", "the venv with -S: the prefix stays the base", venv=True,
             options=("-S",)),
)

_OPTIONS = ("flags", "warnoptions", "xoptions", "argv")

#: Command lines and environments that set many flags at once.
FLAG_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("options", "-b -b -B -d -O -O -s -u -v -v -t -W ignore -W error",
             options=("-b", "-b", "-B", "-d", "-O", "-O", "-s", "-u", "-v", "-v", "-t",
                      "-W", "ignore", "-Werror"), fields=_OPTIONS),
    Scenario("grouped", "-bBdOsuv grouped in one word, -Wignore glued to its value",
             options=("-bBdOsuv", "-Wignore"), fields=_OPTIONS),
    Scenario("environment", "PYTHONVERBOSE=2, PYTHONOPTIMIZE=x, PYTHONDEBUG=-3, "
             "PYTHONDONTWRITEBYTECODE=1, PYTHONNOUSERSITE=1, PYTHONINSPECT= (empty), "
             "PYTHONHASHSEED=0, PYTHONWARNINGS=ignore::DeprecationWarning,error",
             env=(("PYTHONVERBOSE", "2"), ("PYTHONOPTIMIZE", "x"), ("PYTHONDEBUG", "-3"),
                  ("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONNOUSERSITE", "1"),
                  ("PYTHONINSPECT", ""), ("PYTHONHASHSEED", "0"),
                  ("PYTHONWARNINGS", "ignore::DeprecationWarning,error")), fields=_OPTIONS),
    Scenario("environment-ignored", "the same variables with -E",
             options=("-E",), env=(("PYTHONVERBOSE", "2"), ("PYTHONOPTIMIZE", "x"),
                                   ("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONHASHSEED", "0"),
                                   ("PYTHONWARNINGS", "error")), fields=_OPTIONS),
    Scenario("x-options", "-I -q -X dev -X utf8=0 -X int_max_str_digits=1000 -X importtime "
             "-X frozen_modules=off (3.x)",
             options=("-I", "-q", "-X", "dev", "-X", "utf8=0", "-X", "int_max_str_digits=1000",
                      "-X", "frozen_modules=off"), fields=_OPTIONS),
)


@dataclass
class Outcome:
    """What `sys` looked like when the program started (or how starting failed)."""

    values: dict[str, Any] = field(default_factory=dict)
    #: Exit status and standard error, when the interpreter did not start.
    failure: tuple[int, str] | None = None

    def compared(self, fields: tuple[str, ...]) -> dict[str, Any]:
        """The fields the ledger compares (or the failure)."""
        if self.failure is not None:
            return {"failure": self.failure}
        return {k: self.values[k] for k in fields}


class Sandbox:
    """The folders one real interpreter's scenarios run in (made once, then reused)."""

    def __init__(self, interpreter: Interpreter, root: Path) -> None:
        self.interpreter = interpreter
        self.root = root
        self.build = BuildConfig.of(interpreter)
        self.home = root / "home"
        self.work = root / "work"
        self.scripts = root / "scripts"
        self._venv: Path | None = None
        self._venv_error: str | None = None
        self._lock = threading.Lock()
        self._make_tree()

    def _make_tree(self) -> None:
        family = self.interpreter.family
        user_site = self.home / ".local" / "lib" / f"python{family}" / "site-packages"
        user_site.mkdir(parents=True)
        (self.root / "extra").mkdir()
        (self.root / "pth-target").mkdir()
        # A blank line, a comment, a folder that exists, one that does not, an import.
        (user_site / "extra.pth").write_text(
            f"# a comment\n{self.root}/pth-target\n\n{self.root}/not-there\n"
            "import os\n")
        self.work.mkdir()
        self.scripts.mkdir()
        shutil.copy(PROBE, self.scripts / "probe.py")
        shutil.copy(PROBE, self.work / "startup_probe.py")
        (self.work / "link.py").symlink_to(self.scripts / "probe.py")
        (self.scripts / "fails.py").write_text(
            "import sys\nprint(__name__, __file__, sys.argv, sys.path[0])\n"
            "def inner():\n    return 1 / 0\n\ninner()\n")
        (self.work / "app").mkdir()
        (self.work / "app" / "__main__.py").write_text(
            "import sys\nprint(__name__, sys.argv, sys.path[0])\n")
        (self.work / "pkgdir").mkdir()
        (self.scripts / "broken.py").write_text("print('never')\nx = (1,\n")

    def venv(self) -> Path:
        """A `venv --without-pip` made by the real interpreter (3.3+)."""
        with self._lock:
            if self._venv is None and self._venv_error is None:
                target = self.root / "venv"
                proc = subprocess.run(
                    [self.interpreter.executable, "-E", "-m", "venv", "--without-pip",
                     str(target)], capture_output=True, text=True, check=False,
                    env=self.environment(), timeout=120)
                if proc.returncode:
                    self._venv_error = (proc.stderr.strip().splitlines() or ["failed"])[-1]
                else:
                    self._venv = target
            if self._venv is None:
                raise RuntimeError(f"no venv for {self.interpreter.describe()}: "
                                   f"{self._venv_error}")
            return self._venv

    def broken_venv(self) -> Path:
        """A virtual environment whose `pyvenv.cfg` has a byte that is not UTF-8."""
        target = self.root / "broken-venv"
        with self._lock:
            if not target.exists():
                (target / "bin").mkdir(parents=True)
                (target / "bin" / "python").symlink_to(self.interpreter.real_executable)
                home = Path(self.interpreter.real_executable).parent
                (target / "pyvenv.cfg").write_bytes(f"home = {home}\n".encode() + b"\xff\n")
        return target

    def environment(self, scenario: Scenario | None = None) -> dict[str, str]:
        """`HOME`, `PATH` and the scenario's own variables."""
        exe_dir = str(Path(self.interpreter.executable).parent)
        env = {"HOME": str(self.home), "PATH": f"{exe_dir}:/usr/bin:/bin"}
        for key, value in (scenario.env if scenario else ()):
            env[key] = value.format(root=self.root, prefix=self.build.prefix)
        return env

    def argv(self, scenario: Scenario) -> list[str]:
        """The command line: program, options, then what to run."""
        program = (str(self.venv() / "bin" / "python") if scenario.venv
                   else str(self.broken_venv() / "bin" / "python") if scenario.broken_venv
                   else self.interpreter.executable)
        what: list[str]
        if scenario.run == "-c":
            what = ["-c", PROBE.read_text()]
        elif scenario.run == "script":
            what = [str(self.scripts / "probe.py"), "arg"]
        elif scenario.run == "link":
            what = ["link.py", "arg"]
        elif scenario.run == "":
            what = []
        else:
            what = ["-m", "startup_probe", "arg"]
        return [program, *scenario.options, *what]

    def observe(self, scenario: Scenario) -> Outcome:
        """Start the real interpreter this way; what its `sys` said."""
        proc = subprocess.run(self.argv(scenario), capture_output=True, text=True,
                              env=self.environment(scenario), cwd=self.work, check=False,
                              timeout=120, stdin=subprocess.DEVNULL)
        if proc.returncode:
            return Outcome(failure=(proc.returncode, _first_part(proc.stderr)))
        data = json.loads(proc.stdout)
        data["flags"] = [tuple(pair) for pair in data["flags"]]
        data["xoptions"] = [tuple(pair) for pair in data["xoptions"]]
        return Outcome(data)

    def observe_full(self, scenario: Scenario, stdin: str = "", *,
                     merge: bool = False) -> tuple[int, str, str]:
        """Run the scenario's command line on `stdin`: status, stdout, stderr (with
        `merge`, stderr goes into stdout, interleaved as a terminal shows them)."""
        proc = subprocess.run(self.argv(scenario), input=stdin, text=True, check=False,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if merge else subprocess.PIPE,
                              env=self.environment(scenario), cwd=self.work, timeout=120)
        return proc.returncode, proc.stdout, _first_part(proc.stderr or "")

    def model_full(self, scenario: Scenario, stdin: str = "") -> tuple[int, str, str]:
        """The model interpreter started and run the same way: status, stdout, stderr."""
        try:
            interp = initialize(self.argv(scenario), self.environment(scenario),
                                profile=self.interpreter.family, build=self.build,
                                fs=RealFileSystem(str(self.work)))
        except (PyStatusExit, InitError) as exc:
            return exc.exitcode, "", exc.stderr
        try:
            result = interp.run_main(stdin)
        finally:
            interp.finalize()
        return result.exitcode, result.stdout, result.stderr

    def boot_plain(self, scenario: Scenario) -> ModelInterpreter:
        """A model interpreter started with the scenario's command line."""
        return initialize(self.argv(scenario), self.environment(scenario),
                          profile=self.interpreter.family, build=self.build,
                          fs=RealFileSystem(str(self.work)))

    def observe_run(self, scenario: Scenario, code: str,
                    extra: tuple[str, ...] = ()) -> tuple[int, str, str]:
        """Run `code` with `-c` (after the `extra` options) in the real interpreter:
        status, stdout, stderr."""
        argv = [*self.argv(scenario)[: 1 + len(scenario.options)], *extra, "-c", code]
        proc = subprocess.run(argv, capture_output=True, text=True, check=False,
                              env=self.environment(scenario), cwd=self.work, timeout=120,
                              stdin=subprocess.DEVNULL)
        return proc.returncode, proc.stdout, proc.stderr

    def boot(self, scenario: Scenario, code: str,
             extra: tuple[str, ...] = ()) -> ModelInterpreter:
        """A model interpreter started like `observe_run` starts the real one."""
        argv = [*self.argv(scenario)[: 1 + len(scenario.options)], *extra, "-c", code]
        return initialize(argv, self.environment(scenario), profile=self.interpreter.family,
                          build=self.build, fs=RealFileSystem(str(self.work)))

    def model(self, scenario: Scenario) -> Outcome:
        """The model's start-up with the same command line, environment and folder."""
        try:
            boot = configure(self.argv(scenario), self.environment(scenario),
                             profile=self.interpreter.family, build=self.build,
                             fs=RealFileSystem(str(self.work)))
        except (PyStatusExit, InitError) as exc:
            return Outcome(failure=(exc.exitcode, exc.stderr))
        config = boot.config
        xoptions = sorted({k: (v or True) for k, _, v in
                           (o.partition("=") for o in config.xoptions)}.items())
        return Outcome({
            "path": boot.sys_path, "prefix": boot.prefix, "exec_prefix": boot.exec_prefix,
            "base_prefix": boot.base_prefix, "flags": list(boot.flags._asdict().items()),
            "argv": boot.argv, "warnoptions": config.warnoptions, "xoptions": xoptions,
        })


def _first_part(stderr: str) -> str:
    """Standard error up to the threads' tracebacks (their addresses vary)."""
    head, sep, _ = stderr.partition("\nCurrent thread 0x")
    return head + "\n" if sep else stderr


#: Command lines the real interpreters refuse, and values they cannot start with.
BAD_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("unknown-option", "-Z", options=("-Z",), run=""),
    Scenario("missing-argument", "-c with no command", options=("-c",), run=""),
    Scenario("long-option", "--foo", options=("--foo",), run=""),
    Scenario("bare-x", "-X with no value (2.7 reserves -X)", options=("-X",), run=""),
    Scenario("division-option", "-Qfoo (2.7's -Q takes old, warn, warnall or new)",
             options=("-Qfoo",), run=""),
    Scenario("hash-seed", "PYTHONHASHSEED=abc", env=(("PYTHONHASHSEED", "abc"),)),
    Scenario("utf8-value", "-X utf8=2", options=("-X", "utf8=2")),
    Scenario("utf8-variable", "PYTHONUTF8=x", env=(("PYTHONUTF8", "x"),)),
    Scenario("int-max-str-digits", "-X int_max_str_digits=5",
             options=("-X", "int_max_str_digits=5")),
    Scenario("frozen-modules", "-X frozen_modules=maybe",
             options=("-X", "frozen_modules=maybe")),
)


#: Programs run from start to end: what they print and their exit status.
RUN_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("missing-script", "a script that does not exist",
             options=("no_such_script.py",), run=""),
    Scenario("missing-module", "-m with a module that does not exist",
             options=("-m", "no_such_module"), run=""),
    Scenario("script-error", "a script that prints, then raises in a function",
             options=("../scripts/fails.py", "arg"), run=""),
    Scenario("command-error", "-c printing sys.argv and __name__, then raising",
             options=("-c", "import sys; print(sys.argv, __name__); 1/0", "x"), run=""),
    Scenario("script-syntax-error", "a script with a syntax error",
             options=("../scripts/broken.py",), run=""),
    Scenario("folder", "a folder with __main__.py given as the script",
             options=("app", "arg"), run=""),
    Scenario("folder-without-main", "a folder without __main__.py given as the script",
             options=("pkgdir",), run=""),
    Scenario("pythonhome-nowhere", "PYTHONHOME naming a folder that does not exist",
             options=("-c", "pass"), run="",
             env=(("PYTHONHOME", "/nonexistent-pythonhome"),)),
    Scenario("unreadable-pyvenv-cfg", "a venv whose pyvenv.cfg site cannot decode",
             options=("-c", "pass"), run="", broken_venv=True),
)

#: What the interactive check types: expressions, a block, an exception, a syntax
#: error, a continued line, `_`, a statement that prints nothing.
INTERACTIVE_INPUT = (
    "1 + 1\n"
    "x = 6 * 7\n"
    "for i in range(2):\n"
    "    print(i, x)\n"
    "\n"
    "def f(n):\n"
    "    return 10 // n\n"
    "\n"
    "f(0)\n"
    "f(5)\n"
    "_ * 2\n"
    "[1,\n"
    " 2]\n"
    "print('a', end='')\n"
    "def g(:\n"
    "None\n"
    "'done'\n"
)


_sandboxes: dict[Interpreter, Sandbox] = {}
_guard = threading.Lock()


def sandbox(interpreter: Interpreter) -> Sandbox:
    """The sandbox of `interpreter`, made on first use and removed at exit."""
    with _guard:
        if interpreter not in _sandboxes:
            root = Path(tempfile.mkdtemp(prefix=f"pyinternals-startup-{interpreter.family}-"))
            atexit.register(shutil.rmtree, root, True)
            _sandboxes[interpreter] = Sandbox(interpreter, root.resolve())
        return _sandboxes[interpreter]
