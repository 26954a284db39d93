"""The 2.x import system: a model of `Python/import.c` as CPython 2.7 has it.

Before importlib, the whole import machinery was C, and one function led to the
next.  The notes trace it: `builtin___import__` (in `Python/bltinmodule.c`) unpacks
its arguments and calls `PyImport_ImportModuleLevel`, which takes the global import
lock and calls `import_module_level`.  That one finds the package the import happens
in (`get_parent`), then walks the dotted name left to right with `load_next`, each
part through `import_submodule`: the module pool `sys.modules` first, else
`find_module` along `sys.path` (or the parent package's `__path__`), then
`load_module`, which dispatches on what was found: `load_source_module` for `.py`
(writing the `.pyc` beside it), `load_compiled_module` for a `.pyc` alone,
`load_package` for a directory with `__init__.py`, `init_builtin` for a module in the
`_inittab` table, `_PyImport_LoadDynamicModule` for a C extension.  Finally
`ensure_fromlist` imports the submodules a `from` statement names.

{py:class}`LegacyImportSystem` is that algorithm, one method per C function.  It runs
module bodies that are valid in both languages (they are compiled by the interpreter
running the model) and gives their `import` statements 2.x's meaning:

- *implicit relative imports*: inside package `pkg`, `import b` tries `pkg.b` first
  and falls back to the top-level `b`, leaving `sys.modules['pkg.b'] = None` to
  remember the miss (`mark_miss`); `from __future__ import absolute_import` turns
  that off;
- a directory is a package only if it holds `__init__.py` (else an `ImportWarning`);
- the `.pyc` sits beside the source, with an 8-byte header: the magic number and the
  source's mtime.  The magic is the running interpreter's, not 2.7's: the code inside
  is this interpreter's bytecode, and a real 2.7 reading such a file rejects it as
  "bad magic" and recompiles (while the model rejects 2.7's own files the same way);
- errors are worded as 2.7 words them (`ValueError: Attempted relative import in
  non-package`, `ImportError: cannot import name x`).

The trace ({py:class}`LegacyTrace`) prints exactly what `python2.7 -v` prints for
imports (`import pkg # directory /.../pkg`, `# /.../a.pyc matches /.../a.py`,
`import pkg.a # precompiled from /.../a.pyc`), and can also list the C functions
each import went through.

PEP 302's hooks are honoured: `sys.meta_path` finders first, then for each path
entry the importer `get_path_importer` finds on `sys.path_hooks` (cached in
`sys.path_importer_cache`), whose loader loads the module.  The one hook 2.7
installs at start-up is the model's own `zipimport.zipimporter`
({py:mod}`~pyinternals.importing.legacy_zipimport`), so zip archives on the path
import as in 2.7, with `-v`'s `# zipimport: found N names in ...` and
`import X # loaded from Zip ...` lines.

Left out: Windows and Mac OS 9
specifics (case checks, `.pyw`, `.pyd`), and 2.x's own standard library: the
modules 2.7 has loaded before a script starts are in `sys.modules`, but the Python
ones among them (`codecs`, `encodings`) are stand-ins.  See {doc}`/importing`.
"""

from __future__ import annotations

import _imp as _host_imp
import ast
import builtins as _host_builtins
import contextlib
import dis
import functools
import marshal
import os
import stat
import sys as _host_sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import CodeType, FrameType, ModuleType
from typing import Any, TypeVar

from pyinternals import profiles
from pyinternals.diagrams import Drawable
from pyinternals.importing.ceval import FromImport, import_name_followed_by_import_from

# The kinds of module `find_module` can find (`Python/importdl.h`).
PY_SOURCE = 1
PY_COMPILED = 2
C_EXTENSION = 3
PKG_DIRECTORY = 5
C_BUILTIN = 6
PY_FROZEN = 7
IMP_HOOK = 9

_KINDS = {"source": PY_SOURCE, "bytecode": PY_COMPILED, "extension": C_EXTENSION}
#: `__future__.absolute_import.compiler_flag`: the model compiles a module with it
#: when the module asks for absolute imports (the 3.x compiler ignores the future
#: statement and records nothing).
CO_FUTURE_ABSOLUTE_IMPORT = 0x40000
MAXPATHLEN = 4096
#: What 2.7 says when a thread gives back an import lock it does not hold
#: (`imp_release_lock`, `PyImport_ImportModuleLevel`).
NOT_HOLDING_THE_IMPORT_LOCK = "not holding the import lock"
#: `RTLD_NOW`, the default of `sys.setdlopenflags` (`interp->dlopenflags`).
RTLD_NOW = 2
#: The `_inittab` entries whose init function is NULL: start-up makes these modules
#: itself (and keeps their copies in `extensions`).
_NO_INITFUNC = frozenset({"__main__", "__builtin__", "sys"})

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class filedescr:
    """One entry of `_PyImport_Filetab`: a suffix and what it means."""

    suffix: str
    mode: str
    type: int


def pyc_header(state: str, mtime: int, magic: bytes | None = None) -> bytes:
    """The 8-byte header the model writes before a `.pyc`'s code: magic, then the
    source's mtime (`state` `stale` makes it one second off, `bad-magic` spoils the
    magic: the states of {py:class}`~pyinternals.importing.trees.Pyc`)."""
    magic = _running_magic() if magic is None else magic
    if state.endswith("bad-magic"):
        magic = b"\x00\x00\r\n"
    if state == "stale":
        mtime += 1
    return magic + (mtime & 0xFFFFFFFF).to_bytes(4, "little")


def _running_magic() -> bytes:
    from importlib.util import MAGIC_NUMBER

    return MAGIC_NUMBER


def _r_long(data: bytes, offset: int) -> int:
    """`r_long` in `Python/marshal.c`: a signed 32-bit little-endian word, or -1
    past the end of the file (EOF bytes read as -1)."""
    if len(data) < offset + 4:
        return -1
    return int.from_bytes(data[offset:offset + 4], "little", signed=True)


class LegacyModule(ModuleType):
    """A module of the legacy model: a missing attribute is reported with 2.x's
    words (`'module' object has no attribute 'x'`, from the generic attribute lookup
    of 2.x's module type)."""

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"'module' object has no attribute {name!r}")


class NullImporter:
    """`imp.NullImporter`: the finder cached for path entries that are not
    directories; it finds nothing.  Directories (and the empty string) are refused,
    so that they get `None` and the built-in file system search."""

    def __init__(self, path: str) -> None:
        if not path:
            raise ImportError("empty pathname")
        if os.path.isdir(path):
            raise ImportError("existing directory")
        self.path = path

    def find_module(self, fullname: str, path: object = None) -> None:
        """Nothing is ever found here."""
        return None

    def __repr__(self) -> str:
        return "<imp.NullImporter object>"


# -- The trace ------------------------------------------------------------------------


@dataclass(frozen=True)
class LegacyEntry:
    """One line of the legacy trace."""

    #: `-v` prints lines of verbosity 1, `-vv` also those of 2 (`# trying`).
    verbosity: int
    #: `verbose` for what `-v` prints, `call` for a C function being entered.
    kind: str
    text: str
    depth: int = 0


class LegacyTrace:
    """The legacy model's trace switch: what `python2.7 -v` prints, and the calls.

    `lines()` are exactly `-v`'s lines about imports; `calls()` are the import.c
    functions entered, indented by nesting.
    """

    def __init__(self) -> None:
        self.enabled = False
        self.entries: list[LegacyEntry] = []
        self._depth = threading.local()

    def clear(self) -> None:
        """Forget everything recorded."""
        self.entries = []

    def __enter__(self) -> LegacyTrace:
        self.clear()
        self.enabled = True
        return self

    def __exit__(self, *args: object) -> None:
        self.enabled = False

    def write(self, text: str, verbosity: int = 1) -> None:
        """`PySys_WriteStderr` under `Py_VerboseFlag`."""
        if self.enabled:
            self.entries.append(LegacyEntry(verbosity, "verbose", text,
                                            getattr(self._depth, "value", 0)))

    def lines(self, verbosity: int = 1) -> list[str]:
        """What `python2.7 -v` (`verbosity=2`: `-vv`) prints for the imports traced."""
        return [e.text for e in self.entries if e.kind == "verbose" and e.verbosity <= verbosity]

    def calls(self) -> list[str]:
        """The import.c functions entered, indented by nesting."""
        return ["  " * e.depth + e.text for e in self.entries if e.kind == "call"]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _step(function: F) -> F:
    """Record entering `function` (an import.c function) in the trace's calls."""
    name = function.__name__

    @functools.wraps(function)
    def traced(self: LegacyImportSystem, *args: Any, **kwargs: Any) -> Any:
        trace = self.trace
        if not trace.enabled:
            return function(self, *args, **kwargs)
        depth = getattr(trace._depth, "value", 0)
        shown = ", ".join(_short(a) for a in args[:2])
        trace.entries.append(LegacyEntry(1, "call", f"{name}({shown})", depth))
        trace._depth.value = depth + 1
        try:
            return function(self, *args, **kwargs)
        finally:
            trace._depth.value = depth

    return traced  # type: ignore[return-value]


def _short(value: object) -> str:
    """An argument as the call trace shows it (strings in full: they are names and
    paths)."""
    if isinstance(value, ModuleType):
        return f"<module {value.__name__}>"
    if isinstance(value, dict):
        return "globals" if "__name__" in value else "{...}"
    text = repr(value)
    return text if isinstance(value, str) or len(text) <= 40 else text[:37] + "..."


# -- The model --------------------------------------------------------------------------


#: What 2.x's start-up puts in `sys` after `_PyImport_FixupExtension` copied it.
SYS_SET_AFTER_FIXUP = ("path", "modules", "meta_path", "path_hooks", "path_importer_cache")


class LegacyImportSystem(Drawable):
    """A 2.x import system (`Python/import.c`), isolated from the interpreter running it.

    `path` is its `sys.path`.  `magic` is the magic number of the `.pyc` files it
    writes and accepts (default: the running interpreter's; see the module docstring).

    ```python
    >>> legacy = LegacyImportSystem([])
    >>> legacy.modules["encodings.codecs"] is None   # a miss 2.7 leaves at start-up
    True
    >>> with legacy.trace:
    ...     ns = legacy.execute("import errno")
    >>> legacy.trace.lines()
    ['import errno # builtin']

    ```
    """

    def __init__(self, path: Iterable[str], *, profile: str = "2.7",
                 magic: bytes | None = None) -> None:
        self.profile_name = profile
        self.profile = profiles.importing.get(profile)
        if self.profile.machinery != "import.c":
            raise ValueError(f"CPython {profile} imports with importlib: use "
                             "pyinternals.importing.ImportSystem for it")
        if isinstance(path, str):
            raise TypeError("path is a list of directories (sys.path), not one string")
        entries = list(path)
        for entry in entries:
            if not isinstance(entry, str):
                raise TypeError(f"sys.path entries are strings, not {entry!r}")
        self.magic = _running_magic() if magic is None else magic
        if len(self.magic) != 4:
            raise ValueError(f"a magic number is 4 bytes, not {self.magic!r}")
        self.trace = LegacyTrace()
        #: `_PyImport_Filetab`: the suffixes `find_module` tries, in order.
        self.filetab = [filedescr(suffix, "rb" if kind != "source" else "U", _KINDS[kind])
                        for suffix, kind in self.profile.suffixes]
        #: `PyImport_Inittab`: the names of the modules compiled in.
        self.inittab = sorted(profiles.build.get(profile).builtin_modules | {"__main__"})
        # The global import lock (`import_lock`, `import_lock_thread`,
        # `import_lock_level`): held for a whole import in 2.x.
        self._lock = threading.Lock()
        self._lock_thread: int | None = None
        self._lock_level = 0
        #: `interp->modules_reloading`.
        self.modules_reloading: dict[str, Any] = {}
        #: `extensions` in import.c: what `_PyImport_FixupExtension` remembers, a
        #: copy of the dictionary of every built-in or extension module initialised,
        #: under its name (built-in) or its file's path (extension).
        self.extensions: dict[str, dict[str, Any]] = {}
        self.sys: Any = self._new_sys(entries)
        self.builtins: Any = self._new_builtins()
        self._PyImportHooks_Init()
        self._startup()

    # -- State --------------------------------------------------------------------------

    @property
    def modules(self) -> dict[str, Any]:
        """The model's `sys.modules`, misses (`None`) included."""
        modules: dict[str, Any] = self.sys.modules
        return modules

    def _new_sys(self, path: list[str]) -> ModuleType:
        sys_module = ModuleType("sys", _host_sys.__doc__)
        for key, value in dict(vars(_host_sys)).items():
            if not key.startswith("__"):
                sys_module.__dict__[key] = value
        sys_module.__dict__.update(
            modules={}, path=path, meta_path=[], path_hooks=[], path_importer_cache={},
            builtin_module_names=tuple(self.inittab), dont_write_bytecode=False, argv=[""],
        )
        return sys_module

    def _new_builtins(self) -> ModuleType:
        module = ModuleType("__builtin__", _host_builtins.__doc__)
        for key, value in dict(vars(_host_builtins)).items():
            if not key.startswith("__") or key in ("__build_class__", "__debug__"):
                module.__dict__[key] = value
        state = self

        def __import__(name: object, globals: dict[str, Any] | None = None,
                       locals: object = None, fromlist: Any = None,
                       level: int = -1) -> Any:
            """Import a module, as 2.x's `__import__` does."""
            return state.builtin___import__(name, globals, locals, fromlist, level,
                                            caller=_host_sys._getframe(1))

        def reload(module: ModuleType) -> ModuleType:
            """Reload a module (2.x's builtin `reload`)."""
            return state.PyImport_ReloadModule(module)

        module.__import__ = __import__  # type: ignore[attr-defined]
        module.reload = reload  # type: ignore[attr-defined]
        return module

    def _startup(self) -> None:
        """`sys.modules` as 2.7 has it when a script starts (`-S`): the built-in
        modules, and stand-ins for the Python ones the model does not run."""
        self.modules["__builtin__"] = self.builtins
        self.modules["sys"] = self.sys
        # `_Py_InitializeEx` (`Python/pythonrun.c`) fixes both up once made.
        self._PyImport_FixupExtension("__builtin__", "__builtin__")
        sys_copy = self._PyImport_FixupExtension("sys", "sys")
        # 2.x takes that copy in `_PySys_Init`, before `PySys_SetPath`, `_PyImport_Init`
        # and `_PyImportHooks_Init` add these: a `sys` made again from it lacks them.
        for later in SYS_SET_AFTER_FIXUP:
            sys_copy.pop(later, None)
        for name in self.profile.startup_modules:
            if name in self.modules:
                continue
            if name == "__main__":
                self.modules[name] = self._new_main()
            elif name in self.inittab:
                self.init_builtin(name)
            else:
                self.standin(name)
        for name in self.profile.startup_misses:
            self.modules[name] = None

    def standin(self, name: str) -> ModuleType:
        """Put a stand-in for 2.x standard-library module `name` in `sys.modules`:
        the model does not run 2.x's standard library.  The stand-in of `__future__`
        carries the running interpreter's feature objects, whose meaning is the same."""
        module = LegacyModule(name, f"A stand-in for CPython 2.7's {name}: the model does "
                                    "not run 2.x's standard library.")
        if name == "__future__":
            import __future__

            for key in [*__future__.all_feature_names, "all_feature_names"]:
                setattr(module, key, getattr(__future__, key))
        self.modules[name] = module
        return module

    def _new_main(self) -> ModuleType:
        main = LegacyModule("__main__")
        main.__dict__["__builtins__"] = self.builtins
        return main

    # -- The import lock ------------------------------------------------------------------

    def lock_import(self) -> None:
        """`lock_import`: take the global import lock (re-entrant for its owner)."""
        me = threading.get_ident()
        if self._lock_thread == me:
            self._lock_level += 1
            return
        self._lock.acquire()
        self._lock_thread = me
        self._lock_level = 1

    def unlock_import(self) -> bool:
        """`unlock_import`: give it back; `False` if this thread does not hold it."""
        if self._lock_thread != threading.get_ident():
            return False
        self._lock_level -= 1
        if self._lock_level == 0:
            self._lock_thread = None
            self._lock.release()
        return True

    def lock_held(self) -> bool:
        """`imp.lock_held()`."""
        return self._lock_thread is not None

    # -- __import__ --------------------------------------------------------------------

    @_step
    def builtin___import__(self, name: object, globals: dict[str, Any] | None,
                           locals: object, fromlist: Any, level: int, *,
                           caller: FrameType | None) -> Any:
        """`builtin___import__`: check the arguments, import, and hand the result to
        the instructions that follow.

        The interpreter running the model compiled the importing code, and its
        `IMPORT_NAME` passes level 0 for a plain import: in 2.x that means "try
        relative first" (-1), unless the module asked for absolute imports.
        """
        if not isinstance(name, str):
            raise TypeError(self.profile.messages.name_not_str.format(
                type=type(name).__name__))
        from_bytecode = caller is not None and caller.f_lasti >= 0 and \
            caller.f_code.co_code[caller.f_lasti] == _IMPORT_NAME
        if from_bytecode and level == 0 and \
                not caller.f_code.co_flags & CO_FUTURE_ABSOLUTE_IMPORT:  # type: ignore[union-attr]
            level = -1
        module = self.PyImport_ImportModuleLevel(name, globals, locals, fromlist, level)
        if import_name_followed_by_import_from(caller):
            rest = None if fromlist else name.split(".")[1:]
            return FromImport(self.import_from, module, rest)
        return module

    def import_from(self, v: Any, name: str) -> Any:
        """`import_from` in 2.7's `Python/ceval.c`: the attribute, or "cannot import
        name" (2.x has no fallback on `sys.modules`)."""
        try:
            return getattr(v, name)
        except AttributeError:
            raise ImportError(self.profile.messages.cannot_import.format(name=name)) from None

    @_step
    def PyImport_ImportModuleLevel(self, name: str, globals: dict[str, Any] | None,
                                   locals: object, fromlist: Any, level: int) -> Any:
        """Import under the global import lock."""
        self.lock_import()
        try:
            return self.import_module_level(name, globals, locals, fromlist, level)
        finally:
            if not self.unlock_import():
                raise RuntimeError(NOT_HOLDING_THE_IMPORT_LOCK)

    @_step
    def import_module_level(self, name: str, globals: dict[str, Any] | None, locals: object,
                            fromlist: Any, level: int) -> Any:
        """Walk `name` left to right from the importing package; return the head (or,
        with a fromlist, the tail after `ensure_fromlist`)."""
        if "/" in name:
            raise ImportError("Import by filename is not supported.")
        parent, buf = self.get_parent(globals, level)
        altmod = None if level < 0 else parent
        head, rest, buf = self.load_next(parent, altmod, name, buf)
        tail = head
        while rest is not None:
            tail, rest, buf = self.load_next(tail, tail, rest, buf)
        if tail is None:
            raise ValueError(self.profile.messages.empty_name.template)
        if fromlist is None or not fromlist:
            return head
        self.ensure_fromlist(tail, fromlist, buf, False)
        return tail

    @_step
    def get_parent(self, globals: dict[str, Any] | None, level: int) -> tuple[Any, str]:
        """The package the import is relative to (`None` for none) and its name.

        As a side effect, sets the importer's `__package__` when it was unknown.
        """
        messages = self.profile.messages
        if globals is None or not isinstance(globals, dict) or not level:
            return None, ""
        pkgname = globals.get("__package__")
        if pkgname is not None:
            if not isinstance(pkgname, str):
                raise ValueError("__package__ set to non-string")
            if not pkgname:
                if level > 0:
                    raise ValueError(messages.relative_no_parent.template)
                return None, ""
            buf = pkgname
        else:
            modname = globals.get("__name__")
            if not isinstance(modname, str):
                return None, ""
            if "__path__" in globals:
                # The importer is a package: relative to itself.
                buf = modname
                globals["__package__"] = modname
            else:
                lastdot = modname.rfind(".")
                if lastdot == -1 and level > 0:
                    raise ValueError(messages.relative_no_parent.template)
                if lastdot == -1:
                    globals["__package__"] = None
                    return None, ""
                buf = modname[:lastdot]
                globals["__package__"] = buf
        for _ in range(1, max(level, 1)):
            dot = buf.rfind(".")
            if dot == -1:
                raise ValueError(messages.relative_beyond.template)
            buf = buf[:dot]
        parent = self.modules.get(buf)
        if parent is None:
            if level < 1:
                warnings.warn(f"Parent module '{buf}' not found while handling absolute "
                              "import", RuntimeWarning, stacklevel=2)
                return None, ""
            raise SystemError(f"Parent module '{buf}' not loaded, cannot perform relative "
                              "import")
        return parent, buf

    @_step
    def load_next(self, mod: Any, altmod: Any, name: str,
                  buf: str) -> tuple[Any, str | None, str]:
        """Import the next dotted part of `name` inside `mod` (falling back to `altmod`,
        the top level, for an implicit relative import); return it, the rest of the
        name, and the full name so far."""
        if not name:
            return mod, None, buf
        dot = name.find(".")
        part, rest = (name, None) if dot == -1 else (name[:dot], name[dot + 1:])
        if not part:
            raise ValueError(self.profile.messages.empty_name.template)
        fullname = f"{buf}.{part}" if buf else part
        if len(fullname) >= MAXPATHLEN:
            raise ValueError("Module name too long")
        result = self.import_submodule(mod, part, fullname)
        if result is None and altmod is not mod:
            result = self.import_submodule(altmod, part, part)
            if result is not None:
                # Remember that the relative name does not exist.
                self.mark_miss(fullname)
                fullname = part
        if result is None:
            raise ImportError(self.profile.messages.no_module.format(name=name))
        return result, rest, fullname

    def mark_miss(self, name: str) -> None:
        """`sys.modules[name] = None`: an implicit relative import that missed."""
        self.modules[name] = None

    @_step
    def ensure_fromlist(self, mod: Any, fromlist: Any, buf: str, recursive: bool) -> None:
        """Import the submodules of package `mod` that `fromlist` names (missing names
        are not errors here: `IMPORT_FROM` reports them)."""
        if not hasattr(mod, "__path__"):
            return
        for item in fromlist:
            if not isinstance(item, str):
                where = "``from list''"
                raise TypeError(self.profile.messages.fromlist_item.format(
                    where=where, type=type(item).__name__))
            if item.startswith("*"):
                if recursive:
                    continue
                all_names = getattr(mod, "__all__", None)
                if all_names is not None:
                    self.ensure_fromlist(mod, all_names, buf, True)
                continue
            if not hasattr(mod, item):
                self.import_submodule(mod, item, f"{buf}.{item}")

    def add_submodule(self, mod: Any, submod: Any, fullname: str, subname: str) -> None:
        """Bind a loaded submodule on its package."""
        if mod is None:
            return
        if submod is None:
            submod = self.modules.get(fullname)
            if submod is None:
                return
        setattr(mod, subname, submod)

    @_step
    def import_submodule(self, mod: Any, subname: str, fullname: str) -> Any:
        """The module `fullname` from the pool, else found (in `mod.__path__`, or
        `sys.path` when `mod` is `None`) and loaded; `None` if it is not there."""
        if fullname in self.modules:
            return self.modules[fullname]
        if mod is None:
            path = None
        else:
            path = getattr(mod, "__path__", None)
            if path is None:
                return None
        try:
            fdp, buf, loader = self.find_module(fullname, subname, path)
        except ImportError:
            return None
        m = self.load_module(fullname, buf, fdp.type, loader)
        self.add_submodule(mod, m, fullname, subname)
        return m

    # -- Finding --------------------------------------------------------------------------

    @_step
    def find_module(self, fullname: str, subname: str,
                    path: Any) -> tuple[filedescr, str, Any]:
        """Where `subname` is: `sys.meta_path` finders, then built-in and frozen
        modules (top level only), then each path entry (its PEP 302 finder, or the
        file system: a package directory, then each suffix of the file table)."""
        if len(subname) > MAXPATHLEN:
            raise OverflowError("module name is too long")
        for hook in self.sys.meta_path:
            loader = hook.find_module(fullname, path)
            if loader is not None:
                return filedescr("", "", IMP_HOOK), "", loader
        if path is None:
            if subname in self.inittab:
                return filedescr("", "", C_BUILTIN), subname, None
            path = self.sys.path
        if not isinstance(path, list):
            raise ImportError("sys.path must be a list of directory names")
        for entry in path:
            if not isinstance(entry, str):
                continue
            importer = self.get_path_importer(entry)
            if importer is not None:
                loader = importer.find_module(fullname)
                if loader is not None:
                    return filedescr("", "", IMP_HOOK), "", loader
                continue
            buf = os.path.join(entry, subname) if entry else subname
            if os.path.isdir(buf):
                if self.find_init_module(buf):
                    return filedescr("", "", PKG_DIRECTORY), buf, None
                warnings.warn(f"Not importing directory '{buf}': missing __init__.py",
                              ImportWarning, stacklevel=2)
            for fdp in self.filetab:
                candidate = buf + fdp.suffix
                self.trace.write(f"# trying {candidate}", 2)
                if os.path.isfile(candidate):
                    return fdp, candidate, None
        raise ImportError(self.profile.messages.no_module.format(name=subname))

    def _PyImportHooks_Init(self) -> None:
        """`_PyImportHooks_Init`: `sys.path_hooks` gets `zipimport.zipimporter`,
        the built-in module `zipimport` being made for it (`initzipimport`)."""
        self.trace.write("# installing zipimport hook")
        zipimport = self._init_function("zipimport")
        self.modules["zipimport"] = zipimport
        self._PyImport_FixupExtension("zipimport", "zipimport")
        self.trace.write("import zipimport # builtin")
        self.sys.path_hooks.append(zipimport.zipimporter)
        self.trace.write("# installed zipimport hook")

    def get_path_importer(self, entry: str) -> Any:
        """The finder of a path entry: from `sys.path_importer_cache`, or the first
        path hook that accepts it, or a `NullImporter` (cached; `None` for
        directories, which the built-in search handles)."""
        cache = self.sys.path_importer_cache
        if entry in cache:
            return cache[entry]
        cache[entry] = None
        importer = None
        for hook in self.sys.path_hooks:
            try:
                importer = hook(entry)
                break
            except ImportError:
                continue
        if importer is None:
            try:
                importer = NullImporter(entry)
            except ImportError:
                return None
        cache[entry] = importer
        return importer

    def find_init_module(self, buf: str) -> bool:
        """Whether directory `buf` holds `__init__.py` (or `__init__.pyc`)."""
        return os.path.isfile(os.path.join(buf, "__init__.py")) or \
            os.path.isfile(os.path.join(buf, "__init__.pyc"))

    # -- Loading --------------------------------------------------------------------------

    @_step
    def load_module(self, name: str, buf: str, type: int, loader: Any) -> Any:
        """Dispatch on what `find_module` found."""
        if type == PY_SOURCE:
            return self.load_source_module(name, buf)
        if type == PY_COMPILED:
            return self.load_compiled_module(name, buf)
        if type == C_EXTENSION:
            return self._PyImport_LoadDynamicModule(name, buf)
        if type == PKG_DIRECTORY:
            return self.load_package(name, buf)
        if type == C_BUILTIN:
            self.init_builtin(buf or name)
            module = self.modules.get(buf or name)
            if module is None:
                raise ImportError(f"builtin module {name} not properly initialized")
            return module
        if type == IMP_HOOK:
            if loader is None:
                raise ImportError("import hook without loader")
            return loader.load_module(name)
        raise ImportError(f"Don't know how to import {name} (type code {type})")

    @_step
    def load_source_module(self, name: str, pathname: str) -> ModuleType:
        """A `.py` file: through its `.pyc` if that matches the source's mtime, else
        compiled (and the `.pyc` written beside it)."""
        st = os.stat(pathname)
        mtime = int(st.st_mtime)
        if mtime >> 32:
            raise OverflowError("modification time overflows a 4 byte field")
        cpathname = pathname + "c"
        data = self.check_compiled_module(pathname, mtime, cpathname)
        if data is not None:
            co = self.read_compiled_module(cpathname, data[8:])
            self.trace.write(f"import {name} # precompiled from {cpathname}")
            pathname = cpathname
        else:
            co = self.parse_source_module(pathname)
            self.trace.write(f"import {name} # from {pathname}")
            if not self.sys.dont_write_bytecode:
                self.write_compiled_module(co, cpathname, st, mtime)
        return self.PyImport_ExecCodeModuleEx(name, co, pathname)

    def check_compiled_module(self, pathname: str, mtime: int, cpathname: str) -> bytes | None:
        """The `.pyc`'s bytes if its magic and mtime match, else `None`."""
        try:
            with open(cpathname, "rb") as f:
                data = f.read()
        except OSError:
            return None
        if _r_long(data, 0) != _r_long(self.magic, 0):
            self.trace.write(f"# {cpathname} has bad magic")
            return None
        if _r_long(data, 4) != mtime:
            self.trace.write(f"# {cpathname} has bad mtime")
            return None
        self.trace.write(f"# {cpathname} matches {pathname}")
        return data

    def read_compiled_module(self, cpathname: str, body: bytes) -> CodeType:
        """The code object after the header (`PyMarshal_ReadLastObjectFromFile`)."""
        try:
            co = marshal.loads(body)
        except EOFError:
            raise EOFError("EOF read where object expected") from None
        if not isinstance(co, CodeType):
            raise ImportError(f"Non-code object in {cpathname}")
        return co

    def parse_source_module(self, pathname: str) -> CodeType:
        """Compile a source file, honouring `from __future__ import absolute_import`
        (the one future statement that changes what an import means)."""
        with open(pathname, "rb") as f:
            source = f.read()
        flags = CO_FUTURE_ABSOLUTE_IMPORT if _asks_absolute_import(source) else 0
        code: CodeType = compile(source, pathname, "exec", flags=flags, dont_inherit=True)
        return code

    def write_compiled_module(self, co: CodeType, cpathname: str, srcstat: os.stat_result,
                              mtime: int) -> None:
        """Write the `.pyc`: magic, then 0 for the mtime, then the code; the true
        mtime goes in last, so a half-written file never matches its source."""
        mode = (srcstat.st_mode & ~stat.S_IEXEC) | stat.S_IWRITE
        try:
            if os.path.exists(cpathname):
                os.unlink(cpathname)
            fd = os.open(cpathname, os.O_EXCL | os.O_CREAT | os.O_WRONLY | os.O_TRUNC,
                         mode & 0o777)
        except OSError:
            self.trace.write(f"# can't create {cpathname}")
            return
        with os.fdopen(fd, "wb") as f:
            f.write(self.magic + (0).to_bytes(4, "little") + marshal.dumps(co))
            f.seek(4)
            f.write((mtime & 0xFFFFFFFF).to_bytes(4, "little"))
        self.trace.write(f"# wrote {cpathname}")

    @_step
    def load_compiled_module(self, name: str, cpathname: str) -> ModuleType:
        """A `.pyc` found alone: its mtime is not checked, its magic is."""
        with open(cpathname, "rb") as f:
            data = f.read()
        if _r_long(data, 0) != _r_long(self.magic, 0):
            raise ImportError(f"Bad magic number in {cpathname}")
        co = self.read_compiled_module(cpathname, data[8:])
        self.trace.write(f"import {name} # precompiled from {cpathname}")
        return self.PyImport_ExecCodeModuleEx(name, co, cpathname)

    @_step
    def load_package(self, name: str, pathname: str) -> ModuleType:
        """A directory with `__init__.py`: a module whose `__path__` is `[pathname]`,
        then its `__init__` run in it."""
        m = self.PyImport_AddModule(name)
        self.trace.write(f"import {name} # directory {pathname}")
        m.__file__ = pathname
        m.__path__ = [pathname]
        try:
            fdp, buf, _ = self.find_module(name, "__init__", m.__path__)
        except ImportError:
            return m
        result: ModuleType = self.load_module(name, buf, fdp.type, None)
        return result

    @_step
    def init_builtin(self, name: str) -> bool:
        """A module of `_inittab`: the copy `_PyImport_FindExtension` keeps, if it was
        made before; else its init function run, and its dictionary copied by
        `_PyImport_FixupExtension`.  `False` if `name` is not in the table."""
        if self._PyImport_FindExtension(name, name) is not None:
            return True
        if name not in self.inittab:
            return False
        if name in _NO_INITFUNC:
            # Their `_inittab` entry has a NULL init function: start-up made them.
            raise ImportError(f"Cannot re-init internal module {name}")
        self.trace.write(f"import {name} # builtin")
        self.modules[name] = self._init_function(name)
        self._PyImport_FixupExtension(name, name)
        return True

    @_step
    def _PyImport_FixupExtension(self, name: str, filename: str) -> dict[str, Any]:
        """Remember a built-in or extension module just initialised: a copy of its
        dictionary in `extensions`, under `filename` (the module's name for a built-in
        module, the shared library's path for an extension).

        2.x runs a C module's init function once per process; this shallow copy is
        what every later load of that module gets (the values are shared, the
        dictionary is not).
        """
        mod = self.modules.get(name)
        if not isinstance(mod, ModuleType):
            raise SystemError(f"_PyImport_FixupExtension: module {name} not loaded")
        copy = dict(mod.__dict__)
        self.extensions[filename] = copy
        return copy

    @_step
    def _PyImport_FindExtension(self, name: str, filename: str) -> ModuleType | None:
        """A module made again from the copy `_PyImport_FixupExtension` kept for
        `filename`: the module of that name in `sys.modules` (created empty if there
        is none: `PyImport_AddModule`), its dictionary updated from the copy.  `None`
        if `filename` was never loaded.

        So after `del sys.modules[name]` the next import makes a *new* module object
        holding the values the init function left, and a `reload` refreshes those
        values in the module it is given, keeping names added since.
        """
        copy = self.extensions.get(filename)
        if copy is None:
            return None
        mod = self.PyImport_AddModule(name)
        mod.__dict__.update(copy)
        self.trace.write(f"import {name} # previously loaded ({filename})")
        return mod

    def initimp(self) -> ModuleType:
        """The built-in module `imp` as the model has it: its import lock functions
        (`imp_acquire_lock`, `imp_release_lock`, `imp_lock_held`) work on the
        model's global import lock, and `get_suffixes` lists the file table.  The
        rest of 2.x's `imp` (`find_module`, `load_module`, ...) is not modelled."""
        state = self
        module = LegacyModule("imp", "This module provides the components needed to "
                                     "build your own __import__ function.")

        def acquire_lock() -> None:
            """Acquire the interpreter's import lock for the current thread."""
            state.lock_import()

        def release_lock() -> None:
            """Release the interpreter's import lock."""
            if not state.unlock_import():
                raise RuntimeError(NOT_HOLDING_THE_IMPORT_LOCK)

        def lock_held() -> bool:
            """Whether the import lock is held by some thread."""
            return state.lock_held()

        def get_suffixes() -> list[tuple[str, str, int]]:
            """The file table: (suffix, mode, type) in the order they are tried."""
            return [(f.suffix, f.mode, f.type) for f in state.filetab]

        for function in (acquire_lock, release_lock, lock_held, get_suffixes):
            setattr(module, function.__name__, function)
        return module

    def _init_function(self, name: str) -> ModuleType:
        """Run a built-in module's init function: the running interpreter's module
        of that name (or of its 3.x name), or one the model builds."""
        if name == "imp":
            return self.initimp()
        if name == "zipimport":
            from pyinternals.importing.legacy_zipimport import initzipimport

            return initzipimport(self)
        if name == "exceptions":
            module = LegacyModule("exceptions", "Python's standard exception classes.")
            for key, value in dict(vars(_host_builtins)).items():
                if isinstance(value, type) and issubclass(value, BaseException):
                    setattr(module, key, value)
            return module
        host_name = {"thread": "_thread", "signal": "_signal"}.get(name, name)
        if host_name in ("sys", "builtins") or _host_imp.is_builtin(host_name) <= 0:
            return LegacyModule(name, f"A stand-in for CPython 2.7's built-in module {name}, "
                                      "which the interpreter running the model does not have.")
        host_module = _create_host_builtin(host_name)
        if host_name != name:
            # The module under its 2.x name (`thread`, not `_thread`), without
            # renaming the host's module object.
            renamed = LegacyModule(name)
            renamed.__dict__.update({key: value for key, value in vars(host_module).items()
                                     if key != "__name__"})
            return renamed
        return host_module

    @_step
    def _PyImport_LoadDynamicModule(self, name: str, pathname: str) -> ModuleType:
        """A C extension (`Python/importdl.c`): the copy kept from an earlier load of
        the same file, if any; else the library opened and its init function run,
        `__file__` set, and the dictionary copied for next time.

        Departure from C: 2.x's extensions (`initNAME`) cannot load into a 3.x
        interpreter, so the model loads one of the running interpreter's kind
        (`PyInit_NAME`) through its `_imp`, keeping the host's `sys.modules` as it was.
        """
        m = self._PyImport_FindExtension(name, pathname)
        if m is not None:
            return m
        # `_PyImport_GetDynLoadFunc` (`Python/dynload_shlib.c`) says what it opens,
        # with the interpreter's dlopen flags (RTLD_NOW).
        self.trace.write(f'dlopen("{pathname}", {RTLD_NOW:x});')
        m = _create_host_dynamic(name, pathname)
        self.modules[name] = m
        # "Remember the filename as the __file__ attribute", before the copy is made.
        m.__file__ = pathname
        self._PyImport_FixupExtension(name, pathname)
        self.trace.write(f"import {name} # dynamically loaded from {pathname}")
        return m

    def PyImport_AddModule(self, name: str) -> ModuleType:
        """The module `name` of the pool, created (empty) if need be."""
        m = self.modules.get(name)
        if isinstance(m, ModuleType):
            return m
        m = LegacyModule(name)
        self.modules[name] = m
        return m

    def PyImport_ExecCodeModuleEx(self, name: str, co: CodeType, pathname: str) -> ModuleType:
        """Run `co` in module `name` (created in the pool first); a module whose code
        raises is removed from the pool."""
        m = self.PyImport_AddModule(name)
        namespace = m.__dict__
        namespace.setdefault("__builtins__", self.builtins)
        namespace["__file__"] = pathname
        try:
            exec(co, namespace)
        except BaseException:
            self.modules.pop(name, None)
            raise
        if name not in self.modules:
            raise ImportError(f"Loaded module {name} not found in sys.modules")
        result: ModuleType = self.modules[name]
        return result

    # -- Reloading ----------------------------------------------------------------------

    def PyImport_ReloadModule(self, m: Any) -> ModuleType:
        """`reload(m)`: find the module again and run its code in the same object."""
        messages = self.profile.messages
        if not isinstance(m, ModuleType):
            raise TypeError(messages.reload_not_module.template)
        name = m.__name__
        if self.modules.get(name) is not m:
            raise ImportError(messages.reload_not_in_modules.format(name=name))
        if name in self.modules_reloading:
            current: ModuleType = self.modules_reloading[name]
            return current
        self.modules_reloading[name] = m
        try:
            path = None
            subname = name
            if "." in name:
                parentname, _, subname = name.rpartition(".")
                parent = self.modules.get(parentname)
                if parent is None:
                    raise ImportError(f"reload(): parent {parentname} not in sys.modules")
                path = getattr(parent, "__path__", None)
            fdp, buf, loader = self.find_module(name, subname, path)
            try:
                newm: ModuleType = self.load_module(name, buf, fdp.type, loader)
            except BaseException:
                # The module object survives a failed reload.
                self.modules[name] = m
                raise
            return newm
        finally:
            self.modules_reloading.clear()

    # -- Running code ------------------------------------------------------------------

    def execute(self, source: str, *, filename: str = "<string>") -> dict[str, Any]:
        """Run `source` as the model's `__main__` and return its namespace (each call
        makes a fresh `__main__`)."""
        if not isinstance(source, str):
            raise TypeError(f"source is the text of a program, not {type(source).__name__}")
        main = self._new_main()
        self.modules["__main__"] = main
        flags = CO_FUTURE_ABSOLUTE_IMPORT if _asks_absolute_import(source.encode()) else 0
        code = compile(source, filename, "exec", flags=flags, dont_inherit=True)
        exec(code, main.__dict__)
        return main.__dict__

    def import_module(self, name: str) -> Any:
        """`__import__(name)`, then the module itself from `sys.modules`."""
        self.builtin___import__(name, None, None, None, 0, caller=None)
        return self.modules[name]

    def to_dot(self) -> str:
        """The modules loaded, as a package tree (misses drawn as dashed boxes)."""
        from pyinternals.importing.diagrams import ModuleTree

        return ModuleTree(self.modules, title="2.x sys.modules").to_dot()

    def __repr__(self) -> str:
        misses = sum(1 for v in self.modules.values() if v is None)
        return (f"<LegacyImportSystem {self.profile_name}: {len(self.modules)} entries in "
                f"sys.modules ({misses} None)>")


@contextlib.contextmanager
def _host_modules_kept(name: str) -> Iterator[None]:
    """Whatever the block does, the host's `sys.modules[name]` is as it was after it
    (a single-phase init function puts its module there itself)."""
    host = _host_sys.modules
    previous = host.get(name)
    try:
        yield
    finally:
        if host.get(name) is not previous:
            if previous is None:
                host.pop(name, None)
            else:
                host[name] = previous


def _create_host_dynamic(name: str, pathname: str) -> ModuleType:
    """A new module from the running interpreter's kind of extension at `pathname`,
    named `name`, without touching its `sys.modules`."""
    from importlib.machinery import ExtensionFileLoader, ModuleSpec

    spec = ModuleSpec(name, ExtensionFileLoader(name, pathname), origin=pathname)
    with _host_modules_kept(name):
        try:
            module: ModuleType = _host_imp.create_dynamic(spec)
        except ImportError as exc:
            raise ImportError(f"{pathname} is not an extension module of the interpreter "
                              f"running the model: {exc}") from None
    _host_imp.exec_dynamic(module)
    return module


def _create_host_builtin(name: str) -> ModuleType:
    """A new instance of the running interpreter's built-in module `name`, without
    touching its `sys.modules`."""
    from importlib.machinery import BuiltinImporter, ModuleSpec

    with _host_modules_kept(name):
        module: ModuleType = _host_imp.create_builtin(
            ModuleSpec(name, BuiltinImporter))  # type: ignore[arg-type]
    _host_imp.exec_builtin(module)
    return module


def _asks_absolute_import(source: bytes) -> bool:
    """Whether a module starts with `from __future__ import absolute_import`."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False  # compiling it will report the error
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            if any(alias.name == "absolute_import" for alias in node.names):
                return True
            continue
        break
    return False


_IMPORT_NAME = dis.opmap["IMPORT_NAME"]
