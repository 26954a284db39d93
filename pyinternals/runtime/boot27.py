"""CPython 2.7's `Py_InitializeEx`, executed: a model interpreter that boots as 2.x did.

The notes (§1) read start-up in CPython 2.x's `Python/pythonrun.c`, and this module
runs that sequence, one method per step, on model state: the runtime's `interp_head`
and thread states of {py:mod}`pyinternals.runtime.pystate`, a `__builtin__` module
and a `sys` module, the `exceptions` module, the import machinery of
{py:mod}`pyinternals.importing.legacy` (`Python/import.c`), its `extensions` dict of
backup copies, the import hooks, `__main__` and `site`.  The steps and their order
are the 2.7 profile's (`pyinternals.profiles.runtime`); the trace switch is the one
of {py:func}`~pyinternals.runtime.pylifecycle.initialize`, which returns a
{py:class}`LegacyInterpreter` for `profile="2.7"`.  The chapter is {doc}`/runtime`.

```python
>>> from pyinternals.runtime.fs import VirtualFileSystem
>>> from pyinternals.runtime.getpath import BuildConfig
>>> fs = VirtualFileSystem({"/srv/bin/python2.7": "", "/srv/lib/python2.7/os.py": "",
...                         "/srv/lib/python2.7/lib-dynload/": ""},
...                        executables={"/srv/bin/python2.7"})
>>> interp = boot_27(["/srv/bin/python2.7", "-S", "-c", "pass"], {},
...                  build=BuildConfig.installed("/srv", "2.7"), fs=fs)
>>> sorted(interp.extensions)
['__builtin__', 'exceptions', 'signal', 'sys', 'zipimport']
>>> "path" in interp.sys.__dict__, "path" in interp.extensions["sys"]
(True, False)
>>> interp.finalize()

```

Where the model departs from C:

- the objects are the running interpreter's: `__builtin__` holds its built-in
  functions (2.x had others: `unicode`, `xrange`, `execfile` ...) and `exceptions`
  its exception classes; `signal` and `_warnings` are new instances of its `_signal`
  and `_warnings`, and no signal handler is installed;
- `sys` holds only what start-up decides (the flags, the prefixes, the path, the
  import machinery's lists, the standard streams), not 2.x's functions and version
  information;
- `site`: the standard library's `site.py` is Python 2 code, which the interpreter
  running the model cannot compile.  When the `site` found on `sys.path` is the
  standard library's, the model applies its model of `site`
  ({py:mod}`pyinternals.runtime.site`, checked against the real 2.7) and leaves a
  stand-in module in `sys.modules`; a `site.py` found elsewhere (on `PYTHONPATH`) is
  imported and run through the legacy import system, as 2.7 would;
- Python 2 code that start-up runs outside `site` is left out: `warnings`, which
  `_PyWarnings_Init`'s step imports when `-W` options are given, and `encodings`,
  imported after `initsite` to learn the locale's encoding for the standard streams;
- running a program needs 2.x bytecode: {py:meth}`LegacyInterpreter.run_source` and
  the other ways of running code refuse with {py:class}`CannotRun2xCode`.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NoReturn

from pyinternals import profiles
from pyinternals.diagrams import Drawable
from pyinternals.diagrams.dot import Field, Record
from pyinternals.diagrams.style import edge_role, graph, role
from pyinternals.importing.legacy import LegacyImportSystem, LegacyModule
from pyinternals.profiles.runtime import RuntimeProfile
from pyinternals.runtime.config import PyConfig
from pyinternals.runtime.fs import FileSystem, RealFileSystem
from pyinternals.runtime.getpath import BuildConfig
from pyinternals.runtime.pathconfig import Configuration, configure
from pyinternals.runtime.pylifecycle import (
    InterpreterFinalized,
    StartupSteps,
    StartupTimeline,
    StepRecord,
)
from pyinternals.runtime.pystate import PyInterpreterState, PyThreadState, Runtime
from pyinternals.runtime.status import InitError
from pyinternals.runtime.streams import StdStream

__all__ = ["CannotRun2xCode", "LegacyInterpreter", "boot_27"]

#: The modules `Py_InitializeEx` fixes up after `_PyExc_Init`, in its order.
_FIXED_UP = ("exceptions", "__builtin__")


class CannotRun2xCode(RuntimeError):
    """A 2.7 model interpreter was asked to run a program: that needs 2.x bytecode."""


class _ImportC(LegacyImportSystem):
    """The legacy import system set up by `_PyImport_Init` for a booting interpreter.

    It works on the interpreter's own `sys` and `__builtin__` (made by the steps
    before it) and starts with `sys.modules` as the boot left it, instead of the
    ready-made start-up state of a bare {py:class}`LegacyImportSystem`.
    """

    def __init__(self, sys_module: types.ModuleType, builtins: types.ModuleType) -> None:
        self._boot_sys = sys_module
        self._boot_builtins = builtins
        super().__init__(sys_module.path, profile="2.7")

    def _new_sys(self, path: list[str]) -> types.ModuleType:
        return self._boot_sys

    def _new_builtins(self) -> types.ModuleType:
        made = super()._new_builtins()
        # __builtin__.__import__ calls PyImport_ImportModuleLevel: this system.
        for name in ("__import__", "reload"):
            vars(self._boot_builtins)[name] = vars(made)[name]
        return self._boot_builtins

    def _startup(self) -> None:
        """Nothing: the boot's steps fill `sys.modules` and `extensions`."""

    def _PyImportHooks_Init(self) -> None:
        """Nothing yet: the boot's own step runs `_PyImportHooks_Init` in its place
        in `Py_InitializeEx`, after `_PyExc_Init` and the fix-ups."""


class LegacyInterpreter(StartupSteps, Drawable):
    """A model CPython 2.7 interpreter, booted by `Py_InitializeEx`'s steps.

    Build one with {py:func}`boot_27` (or `initialize(..., profile="2.7")`).  It
    imports ({py:meth}`import_module`) but runs no program: see
    {py:class}`CannotRun2xCode`.
    """

    CURRENT_TSTATE = "_PyThreadState_Current"


    def __init__(self, runtime: Runtime, configuration: Configuration, fs: FileSystem,
                 env: Mapping[str, str], build: BuildConfig, *,
                 trace: bool | Callable[[str], None] = False) -> None:
        self.runtime = runtime
        self.configuration = configuration
        self.config: PyConfig = configuration.config
        self.profile: RuntimeProfile = self.config.profile
        self.fs = fs
        self.env = dict(env)
        self.build = build
        #: `PyInterpreterState` and the main thread's `PyThreadState`.
        self.state: PyInterpreterState
        self.tstate: PyThreadState
        #: `__builtin__`, `sys`, `exceptions` and `__main__` once their steps ran.
        self.builtins_module: types.ModuleType = LegacyModule("__builtin__")
        self.sys: Any = None
        self.exceptions: types.ModuleType | None = None
        self.main: types.ModuleType | None = None
        #: The import machinery (`Python/import.c`), from `_PyImport_Init` on.
        self.imports: Any = None
        #: The steps of start-up as they ran.
        self.steps: list[StepRecord] = []
        #: The modules imported through the import machinery while starting, in
        #: order (what `python2.7 -v` reports as `import NAME # ...`).
        self.startup_imports: list[str] = []
        self.finalized = False
        self.stdout = StdStream("stdout")
        self.stderr = StdStream("stderr")
        self._say: Callable[[str], None] | None = (
            print if trace is True else trace if callable(trace) else None)
        self._extensions_before: dict[str, dict[str, Any]] = {}
        self._traced = 0

    # -- The state, under the names of the 3.x interpreter ---------------------------

    @property
    def builtins(self) -> dict[str, Any]:
        """`interp->builtins`: the dict of `__builtin__`."""
        return vars(self.builtins_module)

    @property
    def extensions(self) -> dict[str, dict[str, Any]]:
        """`extensions` of `Python/import.c`: module name to the copy of its dict
        that `_PyImport_FixupExtension` took."""
        if self.imports is None:
            return self._extensions_before
        extensions: dict[str, dict[str, Any]] = self.imports.extensions
        return extensions

    @property
    def main_dict(self) -> dict[str, Any]:
        """`__main__.__dict__`."""
        if self.main is None:
            raise RuntimeError("initmain has not run")
        return vars(self.main)

    def __repr__(self) -> str:
        state = "finalized" if self.finalized else f"{len(self.modules)} modules"
        return f"<LegacyInterpreter 2.7 id={self.state.id}: {state}>"

    # -- The steps -------------------------------------------------------------------

    def _new_imports(self) -> list[str]:
        """The modules the legacy import system's trace says were imported since the
        last step (`import X # ...` lines)."""
        if self.imports is None:
            return []
        lines = self.imports.trace.lines()
        fresh = [line.split()[1] for line in lines[self._traced:] if line.startswith("import ")]
        self._traced = len(lines)
        return fresh

    def _step_builtins(self) -> None:
        """`interp->modules = PyDict_New()`, then `_PyBuiltin_Init`: `Py_InitModule4`
        makes `__builtin__` (and puts it in `interp->modules`)."""
        self.state.modules = {}
        module = self.builtins_module
        vars(module).update(_builtin_functions())
        self.state.modules["__builtin__"] = module
        self.state.builtins = self.builtins
        self._record("builtins", "__builtin__ in interp->modules; interp->builtins is "
                     "its dict")

    def _step_sys(self) -> None:
        """`_PySys_Init`: `sys`, with the values start-up decided.

        Its `prefix` and `exec_prefix` come from `Py_GetPrefix()`: the first call
        runs the path calculation (`calculate_path`, `Modules/getpath.c`).
        """
        paths, config = self.configuration.paths, self.config
        module = LegacyModule("sys", "This module provides access to some objects used "
                                     "or maintained by the interpreter.")
        vars(module).update(
            stdin=_empty_stdin(), stdout=self.stdout, stderr=self.stderr,
            executable=paths.executable, prefix=paths.prefix, exec_prefix=paths.exec_prefix,
            flags=self.configuration.flags, warnoptions=list(config.warnoptions),
            dont_write_bytecode=not config.write_bytecode,
            builtin_module_names=tuple(sorted(profiles.build.get("2.7").builtin_modules)),
        )
        for name in ("stdin", "stdout", "stderr"):
            vars(module)[f"__{name}__"] = vars(module)[name]
        self.sys = module
        self.state.sysdict = vars(module)
        self.state.modules["sys"] = module
        self._record("sys", f"sys in interp->modules; sys.prefix = {paths.prefix!r}")

    def _step_fixup_sys(self) -> None:
        """`_PyImport_FixupExtension("sys", "sys")`: a copy of `sys`'s dict now,
        before the path and `sys.modules` are in it."""
        self._extensions_before["sys"] = dict(vars(self.sys))
        self._record("fixup_sys", "extensions['sys'] = a copy of sys.__dict__ (no path, "
                     "no modules yet)")

    def _step_path(self) -> None:
        """`PySys_SetPath(Py_GetPath())`: the module search path into `sys.path`."""
        vars(self.sys)["path"] = list(self.configuration.paths.module_search_paths)
        self._record("path", f"sys.path = {self.sys.path!r}")

    def _step_import_core(self) -> None:
        """`sys.modules = interp->modules`, then `_PyImport_Init` (the file table)."""
        vars(self.sys)["modules"] = self.state.modules
        self.imports = _ImportC(self.sys, self.builtins_module)
        self.imports.extensions.update(self._extensions_before)
        self.imports.trace.enabled = True
        suffixes = ", ".join(f.suffix for f in self.imports.filetab)
        self._record("import_core", f"sys.modules is interp->modules; "
                     f"_PyImport_Filetab: {suffixes}")

    def _step_exceptions(self) -> None:
        """`_PyExc_Init`: the `exceptions` module; each class also in `__builtin__`."""
        module = self.imports._init_function("exceptions")
        self.state.modules["exceptions"] = module
        classes = {k: v for k, v in vars(module).items() if isinstance(v, type)}
        self.builtins.update(classes)
        self.exceptions = module
        self._record("exceptions", "exceptions in interp->modules; its classes also in "
                     "__builtin__")

    def _step_fixup(self) -> None:
        """`_PyImport_FixupExtension` for `exceptions`, then for `__builtin__` (2.x's
        "phase 2 of builtins")."""
        for name in _FIXED_UP:
            self.imports._PyImport_FixupExtension(name, name)
        self._record("fixup", "extensions['exceptions'], extensions['__builtin__']: "
                     "copies of their dicts")

    def _step_import_hooks(self) -> None:
        """`_PyImportHooks_Init`: the PEP 302 lists, then `zipimport`'s hook."""
        vars(self.sys).update(meta_path=[], path_importer_cache={}, path_hooks=[])
        module = self.imports.import_module("zipimport")
        self.sys.path_hooks.insert(0, module.zipimporter)
        self._record("import_hooks", "sys.meta_path = [], sys.path_hooks = [zipimporter], "
                     "sys.path_importer_cache = {}")

    def _step_signal(self) -> None:
        """`initsigs`: `PyOS_InitInterrupts` makes `signal` and fixes it up."""
        self.state.modules["signal"] = self.imports._init_function("signal")
        self.imports._PyImport_FixupExtension("signal", "signal")
        self._record("signal", "signal in sys.modules, a copy in extensions (the model "
                     "installs no handler)")

    def _step_warnings(self) -> None:
        """`_PyWarnings_Init`: `Py_InitModule3("_warnings")`, no copy kept."""
        self.state.modules["_warnings"] = self.imports._init_function("_warnings")
        self._record("warnings", "_warnings in sys.modules")

    def _step_main(self) -> None:
        """`initmain`: `PyImport_AddModule("__main__")`, and its `__builtins__`."""
        main = self.imports.PyImport_AddModule("__main__")
        if "__builtins__" not in vars(main):
            vars(main)["__builtins__"] = self.imports.import_module("__builtin__")
        self.main = main
        self._record("main", "__main__ in sys.modules; its __builtins__ is __builtin__")

    def _step_site(self) -> None:
        """`initsite`: `PyImport_ImportModule("site")` unless `-S`; a failure prints
        the exception and ends the process (2.7.18)."""
        if not self.config.site_import:
            self._record("site", "skipped: -S")
            return
        found = self._find_site()
        if found is None:
            raise InitError("ImportError: No module named site", fatal=False)
        stdlib = self.configuration.paths.stdlib_dir
        if stdlib is not None and _folder(found) == stdlib.rstrip("/"):
            self._model_site()
            self._record("site", f"the standard library's site (Python 2: modelled): "
                         f"sys.path has {len(self.sys.path)} entries")
            return
        if not isinstance(self.fs, RealFileSystem):
            raise ValueError(f"{found} would run through the legacy import system, which "
                             "reads the real disk: boot on the machine's file system")
        self.imports.import_module("site")
        self._record("site", f"site imported from {found}")

    def _find_site(self) -> str | None:
        """Where `site` is on `sys.path` (the first entry with `site.py` or `.pyc`)."""
        for entry in self.sys.path:
            for suffix in ("site.py", "site.pyc"):
                candidate = f"{entry.rstrip('/')}/{suffix}" if entry else suffix
                if self.fs.isfile(candidate):
                    return candidate
        return None

    def _model_site(self) -> None:
        """What 2.7's `site.main()` does to `sys.path`, from the model of `site`."""
        with_site = configure(list(self.config.orig_argv), self.env, profile="2.7",
                              build=self.build, fs=self.fs)
        if with_site.site is not None:
            vars(self.sys)["path"][:] = with_site.site.path
        self.imports.standin("site")

    def _step_argv(self) -> None:
        """`PySys_SetArgv` (called by `Py_Main` after `Py_Initialize`): `sys.argv`,
        and the script's folder (or `''`) in front of `sys.path`."""
        vars(self.sys)["argv"] = list(self.configuration.argv)
        path0 = self.configuration.path0
        if path0 is not None:
            self.sys.path.insert(0, path0)
        self._record("argv", f"sys.argv = {self.sys.argv!r}, sys.path[0] = {path0!r}")

    # -- What it can do once started ----------------------------------------------------

    def import_module(self, name: str) -> Any:
        """`PyImport_ImportModule(name)` through the legacy import system."""
        self._check_alive()
        return self.imports.import_module(name)

    def _refuse(self, what: str) -> NoReturn:
        self._check_alive()
        raise CannotRun2xCode(
            f"{what}: CPython 2.7 compiles to 2.x bytecode and runs it in 2.x's "
            "ceval.c, which the interpreter running the model cannot do; a 2.7 model "
            "interpreter boots and imports (import_module), run programs with a real "
            "python2.7")

    def run_source(self, source: str) -> NoReturn:
        """Refused: see {py:class}`CannotRun2xCode`."""
        self._refuse("run_source")

    def run_file(self, path: str) -> NoReturn:
        """Refused: see {py:class}`CannotRun2xCode`."""
        self._refuse("run_file")

    def run_main(self, stdin: str = "") -> NoReturn:
        """Refused: see {py:class}`CannotRun2xCode`."""
        self._refuse("run_main")

    def interactive(self, lines: Iterable[str] | str, *, echo: bool = True) -> NoReturn:
        """Refused: see {py:class}`CannotRun2xCode`."""
        self._refuse("interactive")

    def _check_alive(self) -> None:
        if self.finalized:
            raise InterpreterFinalized(f"interpreter {self.state.id} was finalized: "
                                       "start a new one with initialize()")

    def finalize(self) -> None:
        """`Py_Finalize`: `PyImport_Cleanup` empties the modules, then the thread and
        interpreter states are cleared and deleted.  Twice does nothing."""
        if self.finalized:
            return
        self.modules.clear()
        self.extensions.clear()  # _PyImport_Fini
        runtime = self.runtime
        runtime.PyInterpreterState_Clear(self.state)
        if runtime.tstate_current is not None and runtime.tstate_current.interp is self.state:
            runtime.PyThreadState_Swap(None)
        runtime.PyInterpreterState_Delete(self.state)
        self.finalized = True
        if self._say is not None:
            self._say(f"Py_Finalize: interpreter {self.state.id} deleted")

    # -- Drawing ----------------------------------------------------------------------

    def timeline(self) -> Drawable:
        """The start-up steps and the imports each made, as a drawable timeline."""
        return StartupTimeline(self.steps, self.profile.version)

    def to_dot(self) -> str:
        """The interpreter state with its three dicts, and the `extensions` copies."""
        g = graph("interp27", rankdir="LR", nodesep=0.2)
        g.node("runtime", label=Record([Field(self.runtime.name),
                                        Field("interp_head", "head"),
                                        Field("_PyThreadState_Current", "current")]),
               **role("state"))
        g.node("interp", label=Record([Field(f"PyInterpreterState {self.state.id}"),
                                       Field("modules", "modules"),
                                       Field("sysdict", "sysdict"),
                                       Field("builtins", "builtins"),
                                       Field("tstate_head", "threads")]), **role("state"))
        g.edge("runtime", "interp", tailport="head", **edge_role("list"))
        for tstate in self.state.threads():
            name = f"tstate{tstate.id}"
            g.node(name, label=f"PyThreadState {tstate.id}\nthread {tstate.thread_id}",
                   **role("holder" if tstate is self.runtime.tstate_current else "idle"))
            g.edge("interp", name, tailport="threads", **edge_role("list"))
            if tstate is self.runtime.tstate_current:
                g.edge("runtime", name, tailport="current", **edge_role("holds"))
        # Flat records: under rankdir=LR their fields stack top to bottom.
        names = list(self.modules)
        g.node("modules", label=Record([Field("interp->modules (sys.modules)", "head"),
                                        *(Field(n, _port(n)) for n in names)]),
               **role("struct"))
        g.edge("interp", "modules", tailport="modules", headport="head", **edge_role("ref"))
        for key, module_name in (("sysdict", "sys"), ("builtins", "__builtin__")):
            if module_name in names:
                g.edge("interp", "modules", tailport=key, headport=_port(module_name),
                       **edge_role("ref"))
        saved = list(self.extensions)
        if saved:
            g.node("extensions", label=Record([Field("extensions (import.c): dict copies"),
                                               *(Field(n, _port(n)) for n in saved)]),
                   **role("struct"))
            for n in saved:
                if n in names:
                    g.edge("modules", "extensions", tailport=_port(n), headport=_port(n),
                           **edge_role("weak"))
        return g.source()


def _port(name: str) -> str:
    return "m_" + "".join(c if c.isalnum() else "_" for c in name)


def _folder(path: str) -> str:
    return path.rpartition("/")[0]


def _builtin_functions() -> dict[str, Any]:
    """What `_PyBuiltin_Init` puts in `__builtin__`: the running interpreter's
    built-in functions and constants (the exceptions come with `_PyExc_Init`)."""
    import builtins

    return {k: v for k, v in vars(builtins).items()
            if not (isinstance(v, type) and issubclass(v, BaseException))
            and (not k.startswith("__") or k == "__debug__")}


def _empty_stdin() -> Any:
    import io

    return io.StringIO("")


def boot_27(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None, *,
            build: BuildConfig, fs: FileSystem | None = None,
            trace: bool | Callable[[str], None] = False) -> LegacyInterpreter:
    """Boot a model CPython 2.7 as `argv` and `env` would boot the real one.

    `build` holds the 2.7 build's constants (`BuildConfig.of(interpreter)` for a real
    one, `BuildConfig.installed(prefix, "2.7")` for a made-up one).  `fs` is the file
    system the path calculation and `site` look at (default: the machine's).  With
    `trace`, each step is printed (or passed to the function) as it runs.

    Raises {py:class}`~pyinternals.runtime.status.UsageError` for a command line 2.7
    refuses, and {py:class}`~pyinternals.runtime.status.InitError` when `site`
    cannot be found (`PYTHONHOME` pointing nowhere), as 2.7 fails.
    """
    env = dict(env or {})
    fs = fs if fs is not None else RealFileSystem()
    configuration = configure(list(argv or ["python"]), env, profile="2.7", build=build,
                              fs=fs, run_site=False)
    interp = LegacyInterpreter(Runtime("globals"), configuration, fs, env, build,
                               trace=trace)
    interp._boot()
    return interp
