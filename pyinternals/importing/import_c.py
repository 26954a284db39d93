"""The C half of the modern import system: a model of `Python/import.c` (3.x).

importlib does the finding and loading; C does the rest.  The `import` statement
calls the builtin `__import__`, which is C (`PyImport_ImportModuleLevelObject`): it
resolves relative names, answers from `sys.modules` when it can (the fast path that
makes a second `import os` cheap), and only calls importlib's `_find_and_load` for a
module that is not there yet.  The `_imp` module gives importlib what only C can do:
the global import lock, running the init function of a built-in or extension module,
and the table of frozen code objects.  And at start-up, C runs the frozen
`importlib._bootstrap` and installs it (`init_importlib` in `Python/pylifecycle.c`).

{py:class}`ImportState` is that C half for one model interpreter: the import fields
of its `PyInterpreterState` (`interp->imports` in 3.12: `modules`, `importlib`,
`import_func`, the lock) and the functions that use them, named after C's.

Isolation.  Built-in and extension modules are loaded for real, in the interpreter
running the model, through the real `_imp`; their C code sees that interpreter's
`sys.modules`, not the model's.  The model fences those calls
(`ImportState._call_c`):

- it calls the real `_imp` function from a frame whose builtins are the model's, so
  that C code importing a module during its init (`PyImport_Import`: `_pickle`
  imports `_compat_pickle`, `_asyncio` most of `asyncio`) imports it through the
  model.  C code then looks the module up in the host's `sys.modules`, so the
  model's module is lent to the host under that name (in place of the host's own,
  if it has one) until the outermost model import returns.  The same happens when
  a module's code calls C code that imports (`re.sub` makes `_sre` import `re`):
  the C code of a model's module must see the model's modules, whose types are its
  own (a multi-phase extension module loaded twice has two sets of types);
- entries C code adds to the host's `sys.modules` under the module's own name
  (single-phase init does) or below it (`pyexpat` adds `pyexpat.errors`) move to the
  model's;
- a single-phase extension module the host had loaded already is one object per
  process: CPython hands out the same object again (resetting its dictionary to
  what its init left there); the model gives the host's module its attributes back,
  shares it, and never writes to it ({py:meth}`ImportState.is_shared`).

Process-wide state beyond `sys.modules` stays shared: the codec registry, `atexit`,
signal handlers, the warnings filters that C reads, `sys.stdout` for `print`.  A
module is lent only while a model import is running: C code that imports when none
is (`datetime.datetime.strptime` imports `_strptime` on its first call, from a
model's `__main__`, say) finds the host's `sys.modules`, and fails if the host has
not imported that module.  While a module is lent, another thread of the host that
imports the same name gets the model's module.  See {doc}`/importing`.
"""

from __future__ import annotations

import _imp as _host_imp
import marshal
import sys as _host_sys
import threading
import warnings
import weakref
from collections.abc import Callable, Iterable
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType, FrameType, ModuleType
from typing import Any

from pyinternals.importing.ceval import FromImport, import_name_followed_by_import_from
from pyinternals.importing.trace import Trace
from pyinternals.profiles.importing import ImportProfile

_HERE = Path(__file__).resolve().parent
_MISSING = object()
_code_cache: dict[str, CodeType] = {}


def _model_code(filename: str) -> CodeType:
    """The code object of one of the model's bootstrap modules, compiled once."""
    code = _code_cache.get(filename)
    if code is None:
        path = _HERE / filename
        # dont_inherit: this module's `from __future__ import annotations` must not
        # leak into code that runs before there is an import system.
        code = compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)
        _code_cache[filename] = code
    return code


class ImportLock:
    """The global import lock (`import_lock`, `import_lock_thread` and
    `import_lock_level` in `Python/import.c`): re-entrant, with an owner.

    3.x takes it only briefly, to guard importlib's table of module locks and each
    finder call; 2.x held it for a whole import.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.thread: int | None = None
        self.level = 0

    def acquire(self) -> None:
        """`_PyImport_AcquireLock`: take it, or take it again if this thread has it."""
        me = threading.get_ident()
        if self.thread == me:
            self.level += 1
            return
        self._lock.acquire()
        self.thread = me
        self.level = 1

    def release(self) -> None:
        """`_PyImport_ReleaseLock`; `RuntimeError` if this thread does not hold it."""
        if self.thread != threading.get_ident():
            raise RuntimeError("not holding the import lock")
        self.level -= 1
        if self.level == 0:
            self.thread = None
            self._lock.release()

    def held(self) -> bool:
        """`_imp.lock_held()`: whether any thread holds it."""
        return self.thread is not None


class ImportState:
    """The import state of one model interpreter, and the C functions that use it.

    `sys_module` and `builtins_module` are the model interpreter's own; `modules` is
    `sys_module.modules`.  Nothing is imported until {py:meth}`init_importlib`.
    """

    def __init__(self, profile: ImportProfile, trace: Trace, sys_module: Any,
                 builtins_module: ModuleType) -> None:
        self.profile = profile
        self.trace = trace
        self.sys: Any = sys_module
        self.builtins = builtins_module
        #: `interp->modules`: the model's `sys.modules`, the notes' module pool.
        self.modules: dict[str, Any] = sys_module.modules
        #: `interp->importlib`: the model's `_frozen_importlib`, once it runs.
        self.importlib: Any = None
        self.lock = ImportLock()
        #: The frozen modules the model provides itself, in place of CPython's:
        #: name -> (code, is_package, original name).
        self.frozen: dict[str, tuple[CodeType, bool, str]] = {
            "_frozen_importlib": (_model_code("bootstrap.py"), False, "importlib._bootstrap"),
            "_frozen_importlib_external": (_model_code("bootstrap_external.py"), False,
                                           "importlib._bootstrap_external"),
        }
        self._shared: weakref.WeakSet[ModuleType] = weakref.WeakSet()
        # Per thread: how deep in __import__ calls, and the modules lent to the host.
        self._local = threading.local()
        self.import_func = self._make_import_func()
        # A function whose frame has the model's builtins: C code called from it that
        # imports (PyImport_Import) uses the model's __import__.
        namespace: dict[str, Any] = {"__builtins__": builtins_module.__dict__}
        exec("def _c_call(function, *args):\n    return function(*args)\n", namespace)
        self._c_call: Callable[..., Any] = namespace["_c_call"]
        self.imp_module = self._make_imp_module()

    # -- The builtin __import__ ----------------------------------------------------------

    def _make_import_func(self) -> Callable[..., Any]:
        """The function the model's `builtins.__import__` is (`interp->import_func`)."""
        state = self

        def __import__(name: object, globals: dict[str, Any] | None = None,
                       locals: object = None, fromlist: Iterable[Any] | None = (),
                       level: int = 0) -> Any:
            """Import a module: the model's `builtin___import__` (`Python/bltinmodule.c`)."""
            return state.builtin___import__(name, globals, locals, fromlist, level,
                                            caller=_host_sys._getframe(1))

        return __import__

    def builtin___import__(self, name: object, globals: dict[str, Any] | None,
                           locals: object, fromlist: Iterable[Any] | None, level: int, *,
                           caller: FrameType | None) -> Any:
        """`__import__` as its callers use it: import; hand the result to the
        instructions that follow (see {py:mod}`pyinternals.importing.ceval`); and,
        for C code, make the module findable where C looks for it."""
        local = self._local
        local.depth = getattr(local, "depth", 0) + 1
        try:
            module = self.PyImport_ImportModuleLevelObject(name, globals, locals, fromlist,
                                                           level)
            if _called_by_PyImport_Import(globals, locals, fromlist, level):
                self._lend_to_host(str(name))
        finally:
            local.depth -= 1
            if local.depth == 0:
                self._return_lent()
        if import_name_followed_by_import_from(caller):
            rest = None if fromlist else str(name).split(".")[1:]
            return FromImport(self.import_from, module, rest)
        return module

    def PyImport_ImportModuleLevelObject(self, name: object, globals: dict[str, Any] | None,
                                         locals: object, fromlist: Iterable[Any] | None,
                                         level: int) -> Any:
        """What `import` does: resolve the name, take the module from `sys.modules`
        or import it, and return what the statement binds."""
        messages = self.profile.messages
        if not isinstance(name, str):
            raise TypeError(messages.name_not_str.template)
        if level < 0:
            assert messages.level_negative is not None
            raise ValueError(messages.level_negative.template)
        if level > 0:
            abs_name = self.resolve_name(name, globals, level)
        else:
            if not name:
                raise ValueError(messages.empty_name.template)
            abs_name = name

        mod = self.modules.get(abs_name, _MISSING)
        if mod is not _MISSING and mod is not None:
            if self.trace.enabled:
                self.trace.emit("hit", abs_name, by_c=_called_by_PyImport_Import(
                    globals, locals, fromlist, level))
            self.import_ensure_initialized(mod, abs_name)
        else:
            mod = self.import_find_and_load(abs_name)

        has_from = bool(fromlist) if fromlist is not None else False
        if not has_from:
            if level == 0 or len(name) > 0:
                dot = name.find(".")
                if dot == -1:
                    return mod
                if level == 0:
                    # `import a.b.c` binds `a`.
                    return self.PyImport_ImportModuleLevelObject(name[:dot], None, None, None, 0)
                cut_off = len(name) - dot
                to_return = abs_name[:len(abs_name) - cut_off]
                final_mod = self.modules.get(to_return, _MISSING)
                if final_mod is _MISSING:
                    raise KeyError(f"{to_return!r} not in sys.modules as expected")
                return final_mod
            return mod
        if hasattr(mod, "__path__"):
            return self.importlib._handle_fromlist(mod, fromlist, self.import_func)
        return mod

    def resolve_name(self, name: str, globals: dict[str, Any] | None, level: int) -> str:
        """The absolute name of a relative import, from the importer's globals."""
        messages = self.profile.messages
        if globals is None:
            raise KeyError("'__name__' not in globals")
        if not isinstance(globals, dict):
            raise TypeError("globals must be a dict")
        package = globals.get("__package__")
        if package is None:
            package = None
        spec = globals.get("__spec__")
        if package is not None:
            if not isinstance(package, str):
                raise TypeError("package must be a string")
            if spec is not None and package != spec.parent:
                category = ImportWarning if self.profile.package_mismatch_warning == \
                    "ImportWarning" else DeprecationWarning
                self._warn("__package__ != __spec__.parent", category)
        elif spec is not None:
            package = spec.parent
            if not isinstance(package, str):
                raise TypeError("__spec__.parent must be a string")
        else:
            self._warn("can't resolve package from __spec__ or __package__, falling back on "
                       "__name__ and __path__", ImportWarning)
            if "__name__" not in globals:
                raise KeyError("'__name__' not in globals")
            package = globals["__name__"]
            if not isinstance(package, str):
                raise TypeError("__name__ must be a string")
            if "__path__" not in globals:
                dot = package.rfind(".")
                if dot == -1:
                    raise ImportError(messages.relative_no_parent.template)
                package = package[:dot]
        last_dot = len(package)
        if last_dot == 0:
            raise ImportError(messages.relative_no_parent.template)
        for _ in range(1, level):
            last_dot = package.rfind(".", 0, last_dot)
            if last_dot == -1:
                raise ImportError(messages.relative_beyond.template)
        base = package[:last_dot]
        if not name:
            return base
        return f"{base}.{name}"

    def _warn(self, message: str, category: type[Warning]) -> None:
        """`PyErr_WarnEx(category, message, 1)`: attributed to the importing code."""
        warnings.warn(message, category, stacklevel=6)

    def import_ensure_initialized(self, mod: Any, name: str) -> None:
        """A module found in `sys.modules` that is still being imported (by another
        thread, or by our own circular import) is waited for."""
        spec = getattr(mod, "__spec__", None)
        if getattr(spec, "_initializing", False):
            self.importlib._lock_unlock_module(name)

    def import_find_and_load(self, abs_name: str) -> Any:
        """Ask importlib to import `abs_name` (the audit event `import` first).

        This is where `-X importtime` times an import (its row is printed when the
        import ends, nested imports first), and where the trace opens its record.
        """
        self.sys.audit("import", abs_name, None, self.sys.path, self.sys.meta_path,
                       self.sys.path_hooks)
        if not self.trace.enabled:
            return self.importlib._find_and_load(abs_name, self.import_func)
        record = self.trace.begin(abs_name, via="__import__")
        try:
            module = self.importlib._find_and_load(abs_name, self.import_func)
        except BaseException as exc:
            self.trace.end(record, None, exc)
            raise
        self.trace.end(record, module)
        return module

    def PyImport_ImportModule(self, name: str) -> Any:
        """`PyImport_ImportModule` (through `PyImport_Import`): import with the
        builtin `__import__` and return the module from `sys.modules`."""
        self.import_func(name, None, None, [], 0)
        return self.modules[name]

    # -- IMPORT_FROM -------------------------------------------------------------------

    def import_from(self, v: Any, name: str) -> Any:
        """`import_from` in `Python/ceval.c`: what `IMPORT_FROM name` pushes.

        The attribute; else the submodule `sys.modules['pkg.name']` (a circular
        import whose submodule is not bound on its package yet, bpo-17636); else
        "cannot import name", saying "partially initialized" while the module runs.
        """
        try:
            return getattr(v, name)
        except AttributeError:
            pass
        messages = self.profile.messages
        try:
            pkgname = v.__name__
        except AttributeError:
            pkgname = None
        if not isinstance(pkgname, str):
            pkgname = None
        if pkgname is not None:
            fullmodname = f"{pkgname}.{name}"
            if fullmodname in self.modules:
                return self.modules[fullmodname]
        pkgpath = v.__dict__.get("__file__") if isinstance(v, ModuleType) else None
        shown = pkgname if pkgname is not None else "<unknown module name>"
        if not isinstance(pkgpath, str):
            assert messages.cannot_import_unknown is not None
            raise ImportError(messages.cannot_import_unknown.format(name=name, module=shown),
                              name=pkgname)
        spec = getattr(v, "__spec__", None)
        busy = bool(getattr(spec, "_initializing", False))
        message = messages.cannot_import_partial if busy else messages.cannot_import
        assert message is not None
        raise ImportError(message.format(name=name, module=shown, path=pkgpath),
                          name=pkgname, path=pkgpath)

    # -- Calling C code of the interpreter running the model ----------------------------

    def _call_c(self, name: str, function: Callable[..., Any], *args: Any) -> Any:
        """Call a real `_imp` function for module `name`, fenced (see the module's
        docstring)."""
        host: dict[str, Any] = _host_sys.modules
        prefix = name + "."
        # dict() copies in one step: other threads may be importing meanwhile.
        mine = {k: v for k, v in dict(host).items() if k == name or k.startswith(prefix)}
        try:
            return self._c_call(function, *args)
        finally:
            if getattr(self._local, "depth", 0) == 0:
                self._return_lent()
            # Init code puts modules in sys.modules itself: the module (single-phase
            # init; 3.11's `_io` even replaces the entry that is there) and its
            # submodules (`pyexpat.errors`).  They belong to the model; the host gets
            # back what it had.
            for key, value in dict(host).items():
                if key != name and not key.startswith(prefix):
                    continue
                previous = mine.get(key, _MISSING)
                if value is previous:
                    continue
                if key != name:
                    self.modules[key] = value
                if previous is _MISSING:
                    host.pop(key, None)
                else:
                    host[key] = previous

    def _lend_to_host(self, name: str) -> None:
        """C code asked for `name` (`PyImport_Import`) and will look it up in the
        host's `sys.modules`: put the model's module there until the outermost model
        import returns (the host's own entry, if any, goes back then)."""
        module = self.modules.get(name, _MISSING)
        if module is _MISSING or _host_sys.modules.get(name, _MISSING) is module:
            return
        lent: list[tuple[str, object]] | None = getattr(self._local, "lent", None)
        if lent is None:
            lent = self._local.lent = []
        lent.append((name, _lend(name, module)))

    def _return_lent(self) -> None:
        """Give the host's `sys.modules` its own entries back."""
        lent: list[tuple[str, object]] | None = getattr(self._local, "lent", None)
        while lent:
            name, token = lent.pop()
            _give_back(name, token)

    def is_shared(self, module: object) -> bool:
        """Whether `module` is an object the model shares with its host."""
        return isinstance(module, ModuleType) and module in self._shared

    def _create(self, name: str, function: Callable[..., Any], *args: Any) -> Any:
        """Run a module's init function (`create_builtin`, `create_dynamic`).

        A single-phase module that the host has loaded already is found again by
        CPython in its cache of extensions, and the same module object comes back,
        its dictionary reset to what init left in it (`import_find_extension`):
        the host's module gets its own attributes back, and the model shares it.
        """
        host_module = _host_sys.modules.get(name)
        saved = dict(host_module.__dict__) if isinstance(host_module, ModuleType) else None
        module = self._call_c(name, function, *args)
        if saved is not None and module is host_module and isinstance(module, ModuleType):
            module.__dict__.clear()
            module.__dict__.update(saved)
            self._shared.add(module)
        return module

    def create_builtin(self, spec: Any) -> Any:
        """`_imp.create_builtin`: run a built-in module's init function.

        `sys` and `builtins` are the model's own: for them CPython returns the
        interpreter's existing module, and so does the model.
        """
        if spec.name == "sys":
            return self.sys
        if spec.name == "builtins":
            return self.builtins
        return self._create(spec.name, _host_imp.create_builtin, spec)

    def exec_builtin(self, module: Any) -> int:
        """`_imp.exec_builtin`: run a built-in module's exec slots."""
        if module is self.sys or module is self.builtins or self.is_shared(module):
            return 0
        result: int = self._call_c(module.__name__, _host_imp.exec_builtin, module)
        return result

    def create_dynamic(self, spec: Any, file: Any = None) -> Any:
        """`_imp.create_dynamic`: `dlopen` the extension and run `PyInit_<name>`."""
        args = (spec,) if file is None else (spec, file)
        return self._create(spec.name, _host_imp.create_dynamic, *args)

    def exec_dynamic(self, module: Any) -> int:
        """`_imp.exec_dynamic`: run an extension module's exec slots (PEP 489)."""
        if self.is_shared(module):
            return 0
        result: int = self._call_c(module.__name__, _host_imp.exec_dynamic, module)
        return result

    # -- Frozen modules -----------------------------------------------------------------

    def find_frozen(self, name: str, *, withdata: bool = False) -> Any:
        """`_imp.find_frozen`: `(data, is_package, original name)` or `None`."""
        if name in self.frozen:
            code, ispkg, origname = self.frozen[name]
            data = memoryview(marshal.dumps(code)) if withdata else None
            return data, ispkg, origname
        return _host_imp.find_frozen(name, withdata=withdata)

    def get_frozen_object(self, name: str, data: Any = None) -> Any:
        """`_imp.get_frozen_object`: the frozen code object."""
        if name in self.frozen:
            return self.frozen[name][0]
        return _host_imp.get_frozen_object(name, data) if data is not None \
            else _host_imp.get_frozen_object(name)

    def is_frozen(self, name: str) -> bool:
        """`_imp.is_frozen`."""
        return name in self.frozen or bool(_host_imp.is_frozen(name))

    def is_frozen_package(self, name: str) -> bool:
        """`_imp.is_frozen_package`."""
        if name in self.frozen:
            return self.frozen[name][1]
        return bool(_host_imp.is_frozen_package(name))

    def PyImport_ImportFrozenModuleObject(self, name: str) -> ModuleType:
        """Run a frozen module the C way (no spec yet): how `_frozen_importlib` is
        loaded before importlib exists.  `__origname__` is left for importlib's
        `FrozenImporter._fix_up_module` to turn into `__file__`."""
        info = self.find_frozen(name)
        if info is None:
            raise ImportError(f"No such frozen object named {name!r}", name=name)
        _, ispkg, origname = info
        code = self.get_frozen_object(name)
        module = self.modules.get(name)
        if not isinstance(module, ModuleType):
            module = ModuleType(name)
            self.modules[name] = module
        namespace = module.__dict__
        namespace.setdefault("__builtins__", self.builtins.__dict__)
        if ispkg:
            namespace["__path__"] = []
        exec(code, namespace)
        if name not in self.modules:
            raise ImportError(f"Loaded module {name!r} not found in sys.modules", name=name)
        namespace["__origname__"] = origname or name
        result: ModuleType = self.modules[name]
        return result

    # -- The model's _imp ----------------------------------------------------------------

    def _make_imp_module(self) -> ModuleType:
        """The model's `_imp`: the real module's functions, with the ones that touch
        interpreter state replaced by this state's."""
        imp = ModuleType("_imp", _host_imp.__doc__)
        for key, value in dict(vars(_host_imp)).items():
            if not key.startswith("__"):
                setattr(imp, key, value)
        imp.__dict__.update(
            lock_held=self.lock.held,
            acquire_lock=self.lock.acquire,
            release_lock=self.lock.release,
            create_builtin=self.create_builtin,
            exec_builtin=self.exec_builtin,
            create_dynamic=self.create_dynamic,
            exec_dynamic=self.exec_dynamic,
            find_frozen=self.find_frozen,
            get_frozen_object=self.get_frozen_object,
            is_frozen=self.is_frozen,
            is_frozen_package=self.is_frozen_package,
            init_frozen=self.PyImport_ImportFrozenModuleObject,
            # The model's additions, for its bootstrap modules.
            _magic_number=_running_magic(),
            _is_shared=self.is_shared,
        )
        return imp

    # -- Start-up (Python/pylifecycle.c) ---------------------------------------------------

    def init_importlib(self) -> None:
        """`init_importlib`: run the frozen `_frozen_importlib`, add `_imp` to
        `sys.modules`, and `_install` them: `_setup` gives the modules loaded so far
        their specs and loads `_thread`, `_warnings` and `_weakref`."""
        importlib: Any = self.PyImport_ImportFrozenModuleObject("_frozen_importlib")
        importlib._profile = self.profile
        importlib._trace = self.trace
        self.importlib = importlib
        self.modules["_imp"] = self.imp_module
        importlib._install(self.sys, self.imp_module)

    def init_importlib_external(self) -> None:
        """`init_importlib_external`: install the path-based finder, then put
        `zipimport.zipimporter` first on `sys.path_hooks` (`_PyImportZip_Init`)."""
        self.importlib._install_external_importers()
        zipimport = self.PyImport_ImportModule("zipimport")
        self.sys.path_hooks.insert(0, zipimport.zipimporter)


# Modules lent to the host's sys.modules, by name: the host's own entry and a stack
# of (token, module) for the lends in progress.  Several model import systems, in
# several threads, may lend the same name at once; the host gets its entry back
# when the last of them is done.
_lending: dict[str, tuple[Any, list[tuple[object, Any]]]] = {}
_lending_lock = threading.Lock()


def _lend(name: str, module: Any) -> object:
    """Put `module` in the host's `sys.modules` under `name`; a token to give it back."""
    token = object()
    with _lending_lock:
        if name not in _lending:
            _lending[name] = (_host_sys.modules.get(name, _MISSING), [])
        _lending[name][1].append((token, module))
        _host_sys.modules[name] = module
    return token


def _give_back(name: str, token: object) -> None:
    """End the lend `token`: the entry becomes the latest lend still in progress, or
    the host's own again."""
    with _lending_lock:
        original, lends = _lending[name]
        current = lends[-1][1]
        lends[:] = [(t, m) for t, m in lends if t is not token]
        # If someone else set the entry since, it is theirs now: leave it.
        untouched = _host_sys.modules.get(name, _MISSING) is current
        if lends:
            if untouched:
                _host_sys.modules[name] = lends[-1][1]
            return
        del _lending[name]
        if untouched:
            if original is _MISSING:
                _host_sys.modules.pop(name, None)
            else:
                _host_sys.modules[name] = original


def _called_by_PyImport_Import(globals: object, locals: object, fromlist: object,
                               level: int) -> bool:
    """Whether the arguments are the ones C's `PyImport_Import` passes (the frame's
    globals twice, a new empty list, level 0): the caller then looks the module up in
    the interpreter's `sys.modules` itself."""
    return (level == 0 and type(fromlist) is list and not fromlist
            and globals is not None and locals is globals)


def _running_magic() -> bytes:
    """The magic number of the interpreter running the model."""
    return MAGIC_NUMBER
