"""Booting and stopping a model interpreter: `Py_InitializeEx`, `Py_FinalizeEx`.

{py:func}`initialize` reads a command line and an environment
({py:func}`~pyinternals.runtime.pathconfig.configure`), then runs the profile's
start-up steps in CPython's order (the notes, §1): the interpreter state is created
and put on the runtime's `interp_head` list, a thread state is created and made
current, `sys` and `builtins` are made (`interp->sysdict`, `interp->builtins`), the
import system is installed, the module search path set, `encodings`, the signal
module and the standard streams imported, `__main__` created, and `site` imported.
Every step is recorded in `Interpreter.steps` (and printed as it happens with
`trace=True`), and every module imported on the way in `Interpreter.startup_imports`,
in the order `-X importtime` lists them.

The import system is the model of {py:mod}`pyinternals.importing`: an
{py:class}`~pyinternals.importing.system.ImportSystem` built around the `sys` values the
configuration decided.  `site`, `encodings`, `io`, `os` are the real standard
library's (the frozen ones come from the running interpreter, as in CPython), run
through it; nothing lands in the host's `sys.modules`.

The {py:class}`Interpreter` then runs code ({py:meth}`~Interpreter.run_source`,
{py:meth}`~Interpreter.run_file`, {py:meth}`~Interpreter.interactive`, or the
program of its command line with {py:meth}`~Interpreter.run_main`) and stops with
{py:meth}`~Interpreter.finalize`.  {py:meth}`Interpreter.new_interpreter` adds a
second interpreter to the same runtime (`Py_NewInterpreter`), with modules of its
own.  The chapter is {doc}`/runtime`.

Where the model departs from C:

- the model's `sys.stdout` and `sys.stderr` forward to the host's current streams
  ({py:mod}`pyinternals.runtime.streams`) instead of owning file descriptors 1 and 2;
- `_signal` is imported but no signal handler is installed (they are the process's);
- the codec search function of the model's `encodings` is registered in the
  process-wide codec registry, as every interpreter's is in C; `finalize` removes it;
- `atexit` is the interpreter's own ({py:mod}`pyinternals.runtime.atexitmodule`),
  but the other built-in modules with process-wide state are the host's: model code
  that calls `signal.signal`, `faulthandler.enable` or `sys.setrecursionlimit`
  changes the host process;
- `sys.displayhook` and `sys.stderr` of the process are lent to the model while one
  interactive statement runs or one error is printed (see
  {py:mod}`pyinternals.runtime.pythonrun`).
"""

from __future__ import annotations

import builtins as _host_builtins
import codecs
import contextlib
import functools
import io
import threading
import traceback
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TextIO, overload

from pyinternals import profiles
from pyinternals.diagrams import Drawable
from pyinternals.diagrams.dot import Field, Record
from pyinternals.diagrams.style import edge_role, graph, role
from pyinternals.importing import ImportSystem, system, trace
from pyinternals.profiles.runtime import RuntimeProfile, Step
from pyinternals.runtime import pythonrun
from pyinternals.runtime.atexitmodule import new_atexit_module
from pyinternals.runtime.config import PyConfig
from pyinternals.runtime.fs import FileSystem, RealFileSystem
from pyinternals.runtime.getpath import BuildConfig
from pyinternals.runtime.main import RunResult, pymain_run_python
from pyinternals.runtime.pathconfig import Configuration, configure
from pyinternals.runtime.pystate import PyInterpreterState, PyThreadState, Runtime
from pyinternals.runtime.pythonrun import RunMod
from pyinternals.runtime.status import InitError
from pyinternals.runtime.streams import StdStream

if TYPE_CHECKING:
    from pyinternals.runtime.boot27 import LegacyInterpreter

__all__ = [
    "Captured",
    "Interpreter",
    "InterpreterFinalized",
    "StartupTimeline",
    "StepRecord",
    "initialize",
]

#: The thread id the model gives the main thread (`PyThread_get_thread_ident()` in C;
#: a fixed number keeps drawings the same from run to run).
MAIN_THREAD_ID = 1
#: `sys` attributes that only exist once something set them; the host's are not copied.
_NOT_AT_START = ("ps1", "ps2", "last_type", "last_value", "last_traceback", "last_exc",
                 "__interactivehook__", "tracebacklimit")


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


class StartupSteps:
    """What both eras' model interpreters share: recording each start-up step, and
    the four steps that begin every start-up (the flags read, the interpreter and
    its main thread state made, the thread state made current).

    A subclass provides `_new_imports()` (the modules imported since the last
    step) and a `_step_KEY` method for each other step of its profile.
    """

    #: The name of "the current thread state" in the era's C sources.
    CURRENT_TSTATE = "tstate_current"

    runtime: Runtime
    configuration: Configuration
    profile: RuntimeProfile
    state: PyInterpreterState
    tstate: PyThreadState
    steps: list[StepRecord]
    startup_imports: list[str]
    _say: Callable[[str], None] | None

    @property
    def modules(self) -> dict[str, Any]:
        """`interp->modules`: `sys.modules` (2.x: from `_PyImport_Init` on)."""
        modules: dict[str, Any] = self.state.modules
        return modules

    def _new_imports(self) -> list[str]:
        raise NotImplementedError

    def _record(self, key: str, detail: str = "", *, imports: bool = True) -> StepRecord:
        step = next(s for s in self.profile.startup_steps if s.key == key)
        record = StepRecord(step, detail, self._new_imports() if imports else [])
        self.steps.append(record)
        self.startup_imports += record.imports
        if self._say is not None:
            self._say(str(record))
        return record

    def _boot(self) -> None:
        """Run the profile's start-up steps in order."""
        for step in self.profile.startup_steps:
            getattr(self, f"_step_{step.key}")()

    def _step_env_flags(self) -> None:
        """The `PYTHON*` variables and options read into `sys.flags`."""
        flags = self.configuration.flags
        shown = ", ".join(f"{k}={v}" for k, v in flags._asdict().items() if v)
        self._record("env_flags", f"sys.flags({shown})")

    def _step_interpreter(self) -> None:
        """`PyInterpreterState_New`: at the head of `interp_head`."""
        self.state = self.runtime.PyInterpreterState_New()
        self._record("interpreter", f"PyInterpreterState {self.state.id}, now interp_head")

    def _step_thread(self) -> None:
        """`PyThreadState_New`: the main thread's state."""
        self.tstate = self.runtime.PyThreadState_New(self.state, thread_id=MAIN_THREAD_ID)
        self._record("thread", f"PyThreadState {self.tstate.id} for thread "
                     f"{MAIN_THREAD_ID}, at the head of the interpreter's list")

    def _step_swap(self) -> None:
        """`PyThreadState_Swap`: the new thread state is the current one."""
        self.runtime.PyThreadState_Swap(self.tstate)
        self._record("swap", f"{self.CURRENT_TSTATE} is the new thread state")


class Interpreter(StartupSteps, Drawable):
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
        #: The import system ({py:class}`~pyinternals.importing.system.ImportSystem`).
        self.imports: Any = None
        #: The model's `sys` module (typed `Any`: its attributes are set at run time).
        self.sys: Any = None
        self._builtins_module: types.ModuleType = types.ModuleType("builtins")
        self.main: types.ModuleType = types.ModuleType("__main__")
        #: The steps of start-up (and shutdown) as they ran.
        self.steps: list[StepRecord] = []
        #: The modules imported while starting, in `-X importtime` order.
        self.startup_imports: list[str] = []
        #: Sources of `-c` and interactive input lent to `linecache` (3.13+).
        self.string_sources: dict[str, str] = {}
        #: `interp->_interactive_src_count`: the next interactive statement's number.
        self.interactive_src_count = 0
        #: The exit status, once the program or a `SystemExit` decided it.
        self.exit_status: int | None = None
        self.finalized = False
        self._say: Callable[[str], None] | None = (
            print if trace is True else trace if callable(trace) else None)
        self.stdout = StdStream("stdout")
        self.stderr = StdStream("stderr")
        self._import_time_header_done = False
        self._imported = 0

    # -- What the pinned API calls these --------------------------------------------

    @property
    def builtins(self) -> dict[str, Any]:
        """`interp->builtins`: the builtins module's dict, shared by all its code."""
        return vars(self._builtins_module)

    @property
    def main_dict(self) -> dict[str, Any]:
        """`__main__.__dict__`: the globals (and locals) of the program."""
        return vars(self.main)

    def __repr__(self) -> str:
        state = "finalized" if self.finalized else f"{len(self.modules)} modules"
        return f"<Interpreter {self.profile.version} id={self.state.id}: {state}>"

    # -- Start-up steps -----------------------------------------------------------------

    def _new_imports(self) -> list[str]:
        """The modules whose import ended since the last call, in importtime order."""
        if self.imports is None:
            return []
        rows = self.imports.trace.importtime()
        fresh = [name for name, _depth in rows[self._imported:]]
        self._imported = len(rows)
        return fresh

    def _step_sys(self) -> None:
        # The import system builds sys, builtins and the bootstrap in one go
        # (_PySys_Create, pycore_init_builtins, init_importlib and, with the path
        # already known, init_importlib_external): the next steps report its parts.
        self.imports = _new_import_system(self)
        _own_atexit(self)
        self.sys = self.imports.sys
        for name in _NOT_AT_START:
            vars(self.sys).pop(name, None)
        self.state.sysdict = vars(self.sys)
        self.state.modules = self.imports.modules
        self._record("sys", f"sys, {len(self.state.sysdict)} names; sys.modules is "
                     "interp->modules", imports=False)

    def _step_builtins(self) -> None:
        self._builtins_module = self.imports.builtins
        _bind_builtins(self)
        self.state.builtins = self.builtins
        exceptions = sum(isinstance(v, type) and issubclass(v, BaseException)
                         for v in self.builtins.values())
        self._record("builtins", f"builtins, {len(self.builtins)} names ({exceptions} "
                     "exceptions); __import__ is the model's", imports=False)

    def _step_import_core(self) -> None:
        self._record("import_core", "sys.meta_path: " + ", ".join(
            getattr(f, "__name__", type(f).__name__) for f in self.sys.meta_path),
            imports=False)

    def _step_path(self) -> None:
        paths = self.configuration.paths
        self._record("path", f"sys.prefix = {paths.prefix!r}, sys.path = "
                     f"{self.sys.path!r}", imports=False)

    def _step_import_external(self) -> None:
        self._record("import_external", "sys.path_hooks: " + ", ".join(
            getattr(h, "__name__", type(h).__name__) for h in self.sys.path_hooks))

    def _step_encodings(self) -> None:
        function, message = self.profile.encodings_error
        preamble = _dump_path_config(self) if self.profile.dumps_path_config else ""
        encodings = self._import_at_start("encodings", function, message, preamble=preamble)
        for name in dict.fromkeys((_fs_encoding(self), _stdio_encoding(self))):
            # _PyCodec_Lookup in a fresh interpreter: the model's search function
            # imports the codec's module (encodings.utf_8).
            encodings.search_function(name)
        self._record("encodings", f"the filesystem and stdio encoding: "
                     f"{_fs_encoding(self)}")

    def _step_signal(self) -> None:
        self.imports.state.PyImport_ImportModule("_signal")
        self._record("signal", "_signal imported (the model installs no handler)")

    def _step_streams(self) -> None:
        self.imports.state.PyImport_ImportModule("io")
        stdin = io.StringIO("")
        vars(self.sys).update(stdin=stdin, __stdin__=stdin, stdout=self.stdout,
                              __stdout__=self.stdout, stderr=self.stderr,
                              __stderr__=self.stderr)
        self._record("streams", "sys.stdin, sys.stdout, sys.stderr")

    def _step_main(self) -> None:
        main = self.main
        vars(main).update(__builtins__=self._builtins_module, __annotations__={},
                          __loader__=self.imports.bootstrap.BuiltinImporter, __spec__=None)
        self.modules["__main__"] = main
        self._record("main", "__main__ in sys.modules; its __builtins__ is builtins")

    def _step_site(self) -> None:
        if not self.config.site_import:
            self._record("site", "skipped: -S")
            return
        self._import_at_start("site", "init_import_site", "Failed to import the site module",
                              state="initialized")
        self._record("site", f"sys.path has {len(self.sys.path)} entries, sys.prefix = "
                     f"{self.sys.prefix!r}")

    def _import_at_start(self, name: str, function: str, message: str, *,
                         state: str = "core initialized", preamble: str = "") -> Any:
        """`PyImport_ImportModule` during start-up: a failure is a fatal error."""
        try:
            return self.imports.state.PyImport_ImportModule(name)
        except Exception as exc:
            text = "".join(traceback.format_exception_only(exc)).rstrip("\n")
            raise InitError(message, function=function, runtime_state=state,
                            details=text, preamble=preamble) from exc

    def import_module(self, name: str) -> types.ModuleType:
        """`PyImport_ImportModule(name)` in this interpreter."""
        self._check_alive()
        module: types.ModuleType = self.imports.state.PyImport_ImportModule(name)
        return module

    def import_trace(self) -> list[str]:
        """Every module imported so far, in `-X importtime` order (start-up first)."""
        return [name for name, _depth in self.imports.trace.importtime()]

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

        Returns the stages of `run_mod`.  A `SystemExit` sets `exit_status`.
        """
        if not isinstance(source, str):
            raise TypeError(f"source is the text of a program, not {type(source).__name__}")
        with self._current():
            record = pythonrun.PyRun_SimpleStringFlags(self, source, filename)
        self._after(record)
        return record

    def run_file(self, path: str) -> RunMod:
        """Run a script (`PyRun_SimpleFileExFlags`): `__file__` is set while it runs.

        A file that cannot be read raises `OSError` (the real interpreter prints
        "can't open file" and exits with status 2: see {py:meth}`run_main`).
        """
        source = self.fs.read_bytes(path).decode("utf-8", "surrogateescape")
        with self._current():
            record = pythonrun.PyRun_SimpleFileExFlags(self, path, source)
        self._after(record)
        return record

    def run_main(self, stdin: str = "") -> RunResult:
        """Run the program of the command line (`Py_RunMain`) on `stdin`.

        Returns a {py:class}`~pyinternals.runtime.main.RunResult`: the exit status
        and what the program printed.
        """
        return pymain_run_python(self, stdin)

    def interactive(self, lines: Iterable[str] | str, *, echo: bool = True) -> str:
        """The transcript of an interactive session fed `lines`.

        With `echo` (the default) each line appears after its prompt, as on a
        terminal; without it the text is what `python -i -q < file` prints (its
        standard error and output, interleaved).  No banner is printed (as with -q).
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

    # -- A second interpreter, and the end ------------------------------------------------

    def new_interpreter(self) -> Interpreter:
        """`Py_NewInterpreter`: a sub-interpreter in the same runtime, its own modules.

        It is configured like this one, boots through the same steps (with its own
        import system, `sys`, `builtins` and `__main__`) and becomes current.
        """
        self._check_alive()
        sub = Interpreter(self.runtime, self.configuration, self.fs, self.env,
                          trace=self._say or False)
        sub._boot()
        return sub

    def finalize(self) -> None:
        """`Py_FinalizeEx`: call the `atexit` functions, flush the streams, clear the
        modules, delete the thread and interpreter states.

        After it the interpreter runs nothing more; finalizing twice does nothing.
        """
        if self.finalized:
            return
        if self.state is self.runtime.main and any(
                i is not self.state for i in self.runtime.interpreters()):
            raise InterpreterFinalized(
                "finalize the sub-interpreters first: CPython's Py_FinalizeEx ends them, "
                "the model asks you to (interp.finalize() on each)")
        atexit = self.modules.get("atexit")
        if atexit is not None:  # _PyAtExit_Call: the interpreter's callbacks first
            with self._current():
                atexit._run_exitfuncs()
        pythonrun._flush_io(self)
        _finalize_modules(self)
        runtime = self.runtime
        if runtime.tstate_current is not None and runtime.tstate_current.interp is self.state:
            runtime.PyThreadState_Swap(None)
        runtime.PyInterpreterState_Clear(self.state)
        runtime.PyInterpreterState_Delete(self.state)
        self.finalized = True
        if self._say is not None:
            self._say(f"Py_FinalizeEx: interpreter {self.state.id} deleted")

    # -- Drawing ------------------------------------------------------------------------

    def to_dot(self) -> str:
        """This interpreter's state: its modules, `sys` and builtins, and its threads.
        (`interp.runtime.to_dot()` draws the whole runtime, every interpreter.)"""
        return self.state.to_dot()

    def timeline(self) -> StartupTimeline:
        """The start-up steps and the imports each made, as a drawable timeline."""
        return StartupTimeline(self.steps, self.profile.version)


# -- Helpers ------------------------------------------------------------------------

_boot_lock = threading.Lock()


def _new_import_system(interp: Interpreter) -> Any:
    """An `ImportSystem` with the configuration's `sys` values and path, its trace on
    from the start.

    Workaround: `ImportSystem()` switches its trace on only after it is built, but
    building it imports `_frozen_importlib_external`, `_io`, `marshal`, `posix`,
    `zipimport` and `time`, which `-X importtime` lists.  The model swaps the
    `Trace` class `pyinternals.importing.system` uses for one that starts enabled,
    while it builds one (under a lock).
    """
    class _TraceFromTheStart(trace.Trace):
        def __init__(self) -> None:
            super().__init__()
            self.enabled = True
            if interp.config.import_time:
                self.on_import_end = functools.partial(_print_import_time, interp)

    values = sys_values(interp)
    namespace = vars(system)
    with _boot_lock:
        saved = namespace["Trace"]
        namespace["Trace"] = _TraceFromTheStart
        try:
            return ImportSystem(interp.configuration.paths.module_search_paths,
                                profile=interp.profile.version, sys_values=values)
        finally:
            namespace["Trace"] = saved


IMPORT_TIME_HEADER = "import time: self [us] | cumulative | imported package"


def _print_import_time(interp: Interpreter, record: trace.ImportRecord) -> None:
    """`-X importtime`: a line on the interpreter's `stderr` as each `__import__` ends
    (`import_find_and_load` in `Python/import.c`), the header before the first."""
    if not interp._import_time_header_done:
        interp._import_time_header_done = True
        interp.stderr.write(IMPORT_TIME_HEADER + "\n")
    indent = "  " * record.importtime_level
    interp.stderr.write(f"import time: {record.self_us:9.0f} | {record.cumulative_us:10.0f} | "
                        f"{indent}{record.name}\n")


def _own_atexit(interp: Interpreter) -> None:
    """Give the interpreter an `atexit` of its own (`interp->atexit` in C).

    Workaround: the model import system creates built-in modules with the host's
    init functions and shares `atexit` with the host.  The model replaces
    `_imp.create_builtin` of *its* `_imp` so that `import atexit` (still found by
    `BuiltinImporter`, still listed by `-X importtime`) creates a
    {py:mod}`~pyinternals.runtime.atexitmodule` module instead.
    """
    imp_module = interp.imports.state.imp_module
    create_builtin = imp_module.create_builtin

    def create_builtin_with_own_atexit(spec: Any) -> Any:
        if spec.name == "atexit":
            return new_atexit_module(lambda: interp.sys.stderr)
        return create_builtin(spec)

    vars(imp_module)["create_builtin"] = create_builtin_with_own_atexit


def sys_values(interp: Interpreter) -> dict[str, Any]:
    """The values `_PySys_Create` and the path configuration give the model's `sys`.

    Everything else in the model's `sys` (its functions, `version_info`,
    `implementation`, ...) is the host's: the model runs the same version.
    """
    boot = interp.configuration
    config = boot.config
    displayhook = _hook(lambda value: pythonrun.sys_displayhook(interp, value),
                        "displayhook", "Print an object to sys.stdout and keep it in _.")
    excepthook = _hook(lambda t, v, tb: pythonrun.sys_excepthook(interp, t, v, tb),
                       "excepthook", "Print an exception and its traceback to sys.stderr.")
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
        "displayhook": displayhook,
        "__displayhook__": displayhook,
        "excepthook": excepthook,
        "__excepthook__": excepthook,
    }


def _hook(function: Callable[..., None], name: str, doc: str) -> Callable[..., None]:
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


def _bind_builtins(interp: Interpreter) -> None:
    """`print` and `input` use the model's `sys.stdout` and `sys.stdin` (the host's C
    functions would use the host's)."""

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

    interp.builtins.update(print=print, input=input)


def _dump_path_config(interp: Interpreter) -> str:
    """`_Py_DumpPathConfig`: what 3.11 and 3.12 print before failing for `encodings`."""
    config, paths = interp.config, interp.configuration.paths

    def show(value: str | None) -> str:
        return "(not set)" if value is None else repr(value)

    lines = ["Python path configuration:",
             f"  PYTHONHOME = {show(paths.home)}",
             f"  PYTHONPATH = {show(config.pythonpath_env)}",
             f"  program name = {show(config.program_name)}",
             f"  isolated = {config.isolated}",
             f"  environment = {config.use_environment}",
             f"  user site = {config.user_site_directory}",
             f"  safe_path = {config.safe_path}",
             f"  import site = {config.site_import}",
             "  is in build tree = 0",
             f"  stdlib dir = {show(paths.stdlib_dir)}"]
    for name in ("_base_executable", "base_prefix", "base_exec_prefix", "platlibdir",
                 "executable", "prefix", "exec_prefix"):
        lines.append(f"  sys.{name} = {getattr(interp.sys, name)!r}")
    lines.append("  sys.path = [")
    lines += [f"    {entry!r}," for entry in interp.sys.path]
    lines.append("  ]")
    return "\n".join(lines)


def _locale_codeset(interp: Interpreter) -> str:
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = interp.env.get(name)
        if value:
            codeset = value.partition(".")[2].partition("@")[0]
            return codeset or "utf-8"
    return "utf-8"


def _fs_encoding(interp: Interpreter) -> str:
    """The filesystem encoding: UTF-8 in UTF-8 mode, else the locale's (normalized)."""
    name = "utf-8" if interp.config.utf8_mode else _locale_codeset(interp)
    return codecs.lookup(name).name.replace("-", "_")


def _stdio_encoding(interp: Interpreter) -> str:
    """The stdio encoding: PYTHONIOENCODING's, else the filesystem one."""
    text = interp.env.get("PYTHONIOENCODING") if interp.config.use_environment else None
    name = (text or "").partition(":")[0]
    return codecs.lookup(name).name.replace("-", "_") if name else _fs_encoding(interp)


def _finalize_modules(interp: Interpreter) -> None:
    """`finalize_modules`: `builtins._` and some `sys` names cleared, every module
    removed from `sys.modules`, the codec search function unregistered."""
    interp.builtins["_"] = None
    for name in ("path", "argv", "ps1", "ps2", "last_type", "last_value",
                 "last_traceback", "path_hooks", "path_importer_cache", "meta_path"):
        vars(interp.sys)[name] = None
    encodings = interp.modules.get("encodings")
    search = getattr(encodings, "search_function", None)
    if search is not None:
        codecs.unregister(search)
    interp.modules.clear()


# A 2.7 profile gives the legacy interpreter; mypy calls the overloads overlapping
# because a `str` may be "2.7" at run time, which the second one then describes loosely.
@overload
def initialize(  # type: ignore[overload-overlap]
               argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None, *,
               profile: Literal["2.7"], build: BuildConfig | None = None,
               fs: FileSystem | None = None, trace: bool | Callable[[str], None] = False,
               ) -> LegacyInterpreter: ...


@overload
def initialize(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None, *,
               profile: str | None = None, build: BuildConfig | None = None,
               fs: FileSystem | None = None, trace: bool | Callable[[str], None] = False,
               ) -> Interpreter: ...


def initialize(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None, *,
               profile: str | None = None, build: BuildConfig | None = None,
               fs: FileSystem | None = None, trace: bool | Callable[[str], None] = False,
               ) -> Interpreter | LegacyInterpreter:
    """Boot a model interpreter as `argv` and `env` would boot the real one.

    `argv` is a whole command line, program first (default `["python"]`); `env` the
    environment (default: empty, so nothing of the host's leaks in).  `profile` is the
    version (default: the running one).  `build` and `fs` are as for
    {py:func}`~pyinternals.runtime.pathconfig.configure`.  With `trace`, each step is
    printed (or passed to the function given) as it runs.

    For `profile="2.7"` the result is a
    {py:class}`~pyinternals.runtime.boot27.LegacyInterpreter` booted by 2.x's
    `Py_InitializeEx` ({py:func}`~pyinternals.runtime.boot27.boot_27`): it imports but
    runs no program, since that needs 2.x bytecode; `build` is then required.

    Raises {py:class}`~pyinternals.runtime.status.UsageError` for a command line the
    real interpreter refuses and {py:class}`~pyinternals.runtime.status.InitError`
    when start-up fails as the real one would (`PYTHONHOME` pointing nowhere).
    """
    _check_command_line(argv, env)
    name = profiles.runtime.get(profile).version
    if profiles.runtime.get(name).configuration == "Py_Main":
        from pyinternals.runtime.boot27 import boot_27

        if build is None:
            raise ValueError(f"initialize(profile={name!r}) needs the BuildConfig of a "
                             f"CPython {name}: pass build=BuildConfig.of(interpreter) or "
                             f"BuildConfig.installed(prefix, {name!r})")
        return boot_27(argv, env, build=build, fs=fs, trace=trace)
    env = dict(env or {})
    fs = fs if fs is not None else RealFileSystem()
    configuration = configure(list(argv or ["python"]), env, profile=name, build=build,
                              fs=fs, run_site=False)
    interp = Interpreter(Runtime(), configuration, fs, env, trace=trace)
    interp._boot()
    return interp


def _check_command_line(argv: object, env: object) -> None:
    """Refuse, before anything is made, what no exec() could be given: a command line
    that is not a sequence of strings, an environment that is not str to str."""
    if argv is not None:
        if isinstance(argv, (str, bytes)) or not isinstance(argv, Sequence):
            raise TypeError("argv is a list of strings, program first, such as "
                            f"['python', '-c', 'pass'], not {type(argv).__name__} {argv!r}")
        wrong = [a for a in argv if not isinstance(a, str)]
        if wrong:
            raise TypeError(f"every argument in argv must be a str, not {wrong[0]!r}")
    if env is not None:
        if not isinstance(env, Mapping):
            raise TypeError(f"env is a mapping of str to str, not {type(env).__name__}")
        for key, value in env.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError(f"env maps str to str; {key!r}: {value!r} is not")


# -- Drawing the start-up -------------------------------------------------------------


class StartupTimeline(Drawable):
    """The start-up steps in order, each with the modules it imported."""

    def __init__(self, steps: Sequence[StepRecord], version: str) -> None:
        self.steps = list(steps)
        self.version = version

    def to_dot(self) -> str:
        """One node per step, top to bottom; imports to the right of their step."""
        g = graph("startup", rankdir="TB", nodesep=0.15, ranksep=0.2)
        previous = None
        for index, record in enumerate(self.steps):
            name = f"step{index}"
            # A nested record turns the fields top to bottom under rankdir=TB.
            g.node(name, label=Record([Record([Field(record.step.function),
                                               Field(record.step.does)])]), **role("state"))
            if previous is not None:
                g.edge(previous, name, **edge_role("list"))
            previous = name
            if record.imports:
                label = Record([Record([Field(m) for m in record.imports])])
                g.node(f"{name}.imports", label=label, **role("module"))
                g.edge(name, f"{name}.imports", label="imports", **edge_role("ref"))
                g.same_rank(name, f"{name}.imports")
        return g.source()
