"""Booting and stopping a model interpreter: `Py_InitializeEx`, `Py_FinalizeEx`.

{py:func}`initialize` reads a command line and an environment
({py:func}`~pyinternals.runtime.pathconfig.configure`), then runs the profile's
start-up steps in CPython's order (the notes, §1): the interpreter state is created
and put on the runtime's `interp_head` list, a thread state is created and made
current, `sys` and `builtins` are made (`interp->sysdict`, `interp->builtins`), the
import system is installed, the module search path set, `encodings`, the signal
module and the standard streams imported, `__main__` created, and `site` imported.
Every step is recorded in {py:attr}`Interpreter.steps` (and printed as it happens
with `trace=True`), and every module imported on the way in
{py:attr}`Interpreter.startup_imports`, in the order `-X importtime` lists them.

The {py:class}`Interpreter` then runs code ({py:meth}`~Interpreter.run_source`,
{py:meth}`~Interpreter.run_file`, {py:meth}`~Interpreter.interactive`, or the
program of its command line with {py:meth}`~Interpreter.run_main`) and stops with
{py:meth}`~Interpreter.finalize`.  {py:meth}`Interpreter.new_interpreter` adds a
second interpreter to the same runtime (`Py_NewInterpreter`), with modules of its
own.  The chapter is {doc}`/runtime`.
"""

from __future__ import annotations

import builtins as _host_builtins
import contextlib
import io
import sys as _host_sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from pyinternals import profiles
from pyinternals.diagrams import Drawable
from pyinternals.profiles.runtime import RuntimeProfile, Step
from pyinternals.runtime import pythonrun
from pyinternals.runtime.config import PyConfig
from pyinternals.runtime.fs import FileSystem, RealFileSystem
from pyinternals.runtime.getpath import BuildConfig
from pyinternals.runtime.pathconfig import Configuration, configure
from pyinternals.runtime.pystate import (
    PyInterpreterState,
    PyThreadState,
    Runtime,
)
from pyinternals.runtime.pythonrun import RunMod
from pyinternals.runtime.status import PyStatusExit
from pyinternals.runtime.streams import StdStream

__all__ = ["Captured", "Interpreter", "InterpreterFinalized", "StepRecord", "initialize"]

#: The thread id the model gives the main thread (`PyThread_get_thread_ident()` in C;
#: a fixed number keeps drawings the same from run to run).
MAIN_THREAD_ID = 1
_MODULE_ATTRS = ("__name__", "__doc__", "__package__", "__loader__", "__spec__")


class InterpreterFinalized(RuntimeError):
    """The interpreter was finalized: it can run nothing more."""


@dataclass
class StepRecord:
    """One start-up (or shutdown) step as it happened."""

    step: Step
    #: What the step did, in words, with the values it produced.
    detail: str = ""
    #: Modules imported during the step, in `-X importtime` order.
    imports: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.step.function}: {self.detail or self.step.does}"
        if self.imports:
            text += f" [imports {', '.join(self.imports)}]"
        return text


@dataclass
class Captured:
    """What a model interpreter printed inside {py:meth}`Interpreter.capture`."""

    stdout: io.StringIO = field(default_factory=io.StringIO)
    stderr: io.StringIO = field(default_factory=io.StringIO)

    @property
    def out(self) -> str:
        """Everything written to `sys.stdout`."""
        return self.stdout.getvalue()

    @property
    def err(self) -> str:
        """Everything written to `sys.stderr`."""
        return self.stderr.getvalue()


class Interpreter(Drawable):
    """A model interpreter: its state, its `sys`, `builtins` and `__main__`."""

    def __init__(self, runtime: Runtime, configuration: Configuration, fs: FileSystem,
                 env: Mapping[str, str], *, trace: bool | Callable[[str], None] = False,
                 ) -> None:
        self.runtime = runtime
        self.configuration = configuration
        self.config: PyConfig = configuration.config
        self.profile: RuntimeProfile = self.config.profile
        self.fs = fs
        self.env = dict(env)
        #: `PyInterpreterState` and the main thread's `PyThreadState`.
        self.state: PyInterpreterState
        self.tstate: PyThreadState
        #: The model's `sys` module (typed `Any`: its attributes are set at run time).
        self.sys: Any = types.ModuleType("sys")
        self._builtins_module: types.ModuleType = types.ModuleType("builtins")
        self.main: types.ModuleType = types.ModuleType("__main__")
        #: The steps of start-up (and shutdown) as they ran.
        self.steps: list[StepRecord] = []
        #: The modules imported while starting, in `-X importtime` order.
        self.startup_imports: list[str] = []
        #: Sources of `-c` and interactive input lent to `linecache` (3.13+).
        self.string_sources: dict[str, str] = {}
        #: The exit status, once the program or a `SystemExit` decided it.
        self.exit_status: int | None = None
        self.finalized = False
        self._say: Callable[[str], None] | None = (
            print if trace is True else trace if callable(trace) else None)
        self.stdout = StdStream("stdout")
        self.stderr = StdStream("stderr")

    # -- What the pinned API calls these --------------------------------------------

    @property
    def builtins(self) -> dict[str, Any]:
        """`interp->builtins`: the builtins module's dict, shared by all its code."""
        return vars(self._builtins_module)

    @property
    def modules(self) -> dict[str, Any]:
        """`interp->modules`, which is `sys.modules`."""
        modules: dict[str, Any] = self.state.modules
        return modules

    @property
    def main_dict(self) -> dict[str, Any]:
        """`__main__.__dict__`: the globals (and locals) of the program."""
        return vars(self.main)

    def __repr__(self) -> str:
        state = "finalized" if self.finalized else f"{len(self.modules)} modules"
        return f"<Interpreter {self.profile.version} id={self.state.id}: {state}>"

    # -- Start-up steps -----------------------------------------------------------------

    def _record(self, key: str, detail: str = "", imports: Sequence[str] = ()) -> None:
        step = next(s for s in self.profile.startup_steps if s.key == key)
        record = StepRecord(step, detail, list(imports))
        self.steps.append(record)
        self.startup_imports += imports
        if self._say is not None:
            self._say(str(record))

    def _boot(self) -> None:
        """Run the profile's start-up steps in order."""
        for step in self.profile.startup_steps:
            getattr(self, f"_step_{step.key}")()

    def _step_env_flags(self) -> None:
        flags = self.configuration.flags
        shown = ", ".join(f"{k}={v}" for k, v in flags._asdict().items() if v)
        self._record("env_flags", f"sys.flags({shown})")

    def _step_interpreter(self) -> None:
        self.state = self.runtime.PyInterpreterState_New()
        self._record("interpreter", f"PyInterpreterState {self.state.id} at the head of "
                     "interp_head")

    def _step_thread(self) -> None:
        self.tstate = self.runtime.PyThreadState_New(self.state, thread_id=MAIN_THREAD_ID)
        self._record("thread", f"PyThreadState {self.tstate.id} for thread "
                     f"{MAIN_THREAD_ID}")

    def _step_swap(self) -> None:
        self.runtime.PyThreadState_Swap(self.tstate)
        self._record("swap", "tstate_current is the main thread state")

    def _step_sys(self) -> None:
        _fill_sys(self)
        self.state.sysdict = vars(self.sys)
        self.state.modules = self.sys.modules
        self.modules["sys"] = self.sys
        self._record("sys", f"sys with {len(self.state.sysdict)} names; sys.modules is "
                     "interp->modules")

    def _step_builtins(self) -> None:
        _fill_builtins(self)
        self.state.builtins = self.builtins
        self.modules["builtins"] = self._builtins_module
        exceptions = sum(isinstance(v, type) and issubclass(v, BaseException)
                         for v in self.builtins.values())
        self._record("builtins", f"builtins with {len(self.builtins)} names, {exceptions} "
                     "of them exceptions")

    def _step_path(self) -> None:
        paths = self.configuration.paths
        self.sys.path[:] = paths.module_search_paths
        self._record("path", f"sys.prefix={paths.prefix!r}, sys.path has "
                     f"{len(paths.module_search_paths)} entries")

    def _step_streams(self) -> None:
        self.sys.stdin = self.sys.__stdin__ = io.StringIO("")
        self.sys.stdout = self.sys.__stdout__ = self.stdout
        self.sys.stderr = self.sys.__stderr__ = self.stderr
        self._record("streams", "sys.stdin, sys.stdout, sys.stderr")

    def _step_main(self) -> None:
        main = self.main
        vars(main).update(__builtins__=self._builtins_module, __annotations__={})
        self.modules["__main__"] = main
        self._record("main", "__main__ in sys.modules, its __builtins__ is builtins")

    # -- Running code --------------------------------------------------------------------

    def _check_alive(self) -> None:
        if self.finalized:
            raise InterpreterFinalized(
                f"interpreter {self.state.id} was finalized: start a new one with "
                "initialize()")

    @contextlib.contextmanager
    def _current(self) -> Iterator[None]:
        """Make this interpreter's thread state current while it runs code."""
        self._check_alive()
        previous = self.runtime.PyThreadState_Swap(self.tstate)
        try:
            yield
        finally:
            if previous is not None and previous in previous.interp.threads():
                self.runtime.PyThreadState_Swap(previous)

    def run_source(self, source: str, filename: str = "<string>") -> RunMod:
        """Run `source` in `__main__` (`PyRun_SimpleStringFlags`); errors are printed.

        Returns the stages of `run_mod`.  A `SystemExit` ends the interpreter, as it
        ends the real process: the exit status is kept in {py:attr}`exit_status`.
        """
        if not isinstance(source, str):
            raise TypeError(f"source is the text of a program, not {type(source).__name__}")
        with self._current():
            record = pythonrun.PyRun_SimpleStringFlags(self, source, filename)
        self._after(record)
        return record

    def run_file(self, path: str) -> RunMod:
        """Run a script (`PyRun_SimpleFileExFlags`): `__file__` is set while it runs."""
        try:
            data = self.fs.read_bytes(path)
        except OSError as exc:
            raise PyStatusExit(2, stderr=_cant_open(self, path, exc)) from None
        source = data.decode("utf-8", "surrogateescape")
        if self.config.skip_source_first_line:
            source = "\n" + source.partition("\n")[2]
        with self._current():
            record = pythonrun.PyRun_SimpleFileExFlags(self, path, source)
        self._after(record)
        return record

    def interactive(self, lines: Iterable[str] | str, *, echo: bool = True) -> str:
        """The transcript of an interactive session fed `lines`.

        With `echo` (the default) each line appears after its prompt, as on a
        terminal; without it the text is what `python -i -q < file` prints (its
        standard error and output, interleaved).
        """
        buffer = io.StringIO()
        with self._current(), self.stdout.redirect(buffer), self.stderr.redirect(buffer):
            status = pythonrun.PyRun_InteractiveLoopFlags(self, lines, echo=echo)
        if status:
            self.exit_status = status
        return buffer.getvalue()

    @contextlib.contextmanager
    def capture(self) -> Iterator[Captured]:
        """Collect what the interpreter prints inside the `with` block."""
        captured = Captured()
        with self.stdout.redirect(captured.stdout), self.stderr.redirect(captured.stderr):
            yield captured

    def _after(self, record: RunMod) -> None:
        if record.exit_code is not None:
            self.exit_status = record.exit_code

    # -- Drawing ------------------------------------------------------------------------

    def to_dot(self) -> str:
        """The runtime this interpreter belongs to, with its interpreters and threads."""
        return self.runtime.to_dot()


def _cant_open(interp: Interpreter, path: str, exc: OSError) -> str:
    shown = path
    return (f"{interp.config.program_name}: can't open file {shown!r}: "
            f"[Errno {exc.errno}] {exc.strerror}\n")


def sys_values(interp: Interpreter) -> dict[str, Any]:
    """The values `_PySys_Create` and the path configuration give the model's `sys`.

    Everything else in the model's `sys` (its functions, `version_info`,
    `implementation`, ...) is the host's: the model runs the same version.
    """
    boot = interp.configuration
    config = boot.config
    return {
        "argv": list(boot.argv),
        "orig_argv": list(config.orig_argv),
        "flags": boot.flags,
        "warnoptions": list(config.warnoptions),
        "_xoptions": {k: (v or True) for k, _, v in (o.partition("=") for o in config.xoptions)},
        "executable": boot.executable,
        "_base_executable": boot.paths.base_executable,
        "prefix": boot.paths.prefix,
        "base_prefix": boot.paths.base_prefix,
        "exec_prefix": boot.paths.exec_prefix,
        "base_exec_prefix": boot.paths.base_exec_prefix,
        "platlibdir": boot.paths.platlibdir,
        "_stdlib_dir": boot.paths.stdlib_dir,
        "dont_write_bytecode": not config.write_bytecode,
        "pycache_prefix": config.pycache_prefix,
        "displayhook": lambda value: pythonrun.sys_displayhook(interp, value),
        "excepthook": lambda t, v, tb: pythonrun.sys_excepthook(interp, t, v, tb),
    }


def _fill_sys(interp: Interpreter) -> None:
    """`_PySys_Create`: the host's `sys` functions, the model's values."""
    namespace = vars(interp.sys)
    for key, value in vars(_host_sys).items():
        if key not in _MODULE_ATTRS:
            namespace[key] = value
    for name in ("ps1", "ps2", "last_type", "last_value", "last_traceback", "last_exc",
                 "__interactivehook__"):
        namespace.pop(name, None)
    namespace.update(modules={}, path=[], meta_path=[], path_hooks=[],
                     path_importer_cache={})
    values = sys_values(interp)
    values["__displayhook__"] = values["displayhook"]
    values["__excepthook__"] = values["excepthook"]
    namespace.update(values)


def _fill_builtins(interp: Interpreter) -> None:
    """`_PyBuiltin_Init`: the host's built-in functions and exceptions, with `print` and
    `input` bound to the model's streams and `__import__` to its import system."""
    b = interp._builtins_module
    for key, value in vars(_host_builtins).items():
        if key not in _MODULE_ATTRS:
            b.__dict__[key] = value
    b.__dict__.pop("_", None)

    def print(*args: Any, sep: str | None = " ", end: str | None = "\n",
              file: TextIO | None = None, flush: bool = False) -> None:
        """`print`, writing to the model's `sys.stdout` by default."""
        _host_builtins.print(*args, sep=sep, end=end,
                             file=file if file is not None else interp.sys.stdout,
                             flush=flush)

    def input(prompt: object = "") -> str:
        """`input`, reading the model's `sys.stdin`."""
        if prompt:
            interp.sys.stdout.write(str(prompt))
            interp.sys.stdout.flush()
        line: str = interp.sys.stdin.readline()
        if not line:
            raise EOFError("EOF when reading a line")
        return line[:-1] if line.endswith("\n") else line

    vars(b).update(print=print, input=input)


def initialize(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None, *,
               profile: str | None = None, build: BuildConfig | None = None,
               fs: FileSystem | None = None, trace: bool | Callable[[str], None] = False,
               ) -> Interpreter:
    """Boot a model interpreter as `argv` and `env` would boot the real one.

    `argv` is a whole command line, program first (default `["python"]`); `env` the
    environment (default: empty, so nothing of the host's leaks in).  `profile` is the
    version (default: the running one).  `build` and `fs` are as for
    {py:func}`~pyinternals.runtime.pathconfig.configure`.  With `trace`, each step is
    printed (or passed to the function given) as it runs.

    Raises {py:class}`~pyinternals.runtime.status.UsageError` for a command line the
    real interpreter refuses and {py:class}`~pyinternals.runtime.status.InitError`
    when start-up fails as the real one would (`PYTHONHOME` pointing nowhere).
    """
    name = profiles.runtime.get(profile).version
    if profiles.runtime.get(name).configuration == "Py_Main":
        raise ValueError(
            f"a model interpreter runs the standard library of its version, and CPython "
            f"{name}'s (os.py, site.py) is Python 2 code; configure(argv, env, "
            f"profile={name!r}, build=...) gives its start-up values")
    env = dict(env or {})
    fs = fs if fs is not None else RealFileSystem()
    configuration = configure(list(argv or ["python"]), env, profile=name, build=build,
                              fs=fs)
    runtime = Runtime()
    interp = Interpreter(runtime, configuration, fs, env, trace=trace)
    interp._boot()
    return interp

