"""The core of the modern import system: a model of `Lib/importlib/_bootstrap.py`.

This module is the model's `_frozen_importlib`.  CPython freezes
`importlib/_bootstrap.py` into the interpreter and runs a fresh copy of it in every
interpreter it creates; {py:class}`~pyinternals.importing.system.ImportSystem` does the same
with this file: it runs the module's code in a new module object named
`_frozen_importlib`, puts that module in its own `sys.modules`, and calls
`_install` with its own `sys` and `_imp`.  So the names `sys`, `_imp`,
`_thread`, `_warnings` and `_weakref` below are module globals that `_setup` fills in,
exactly as in importlib, and the module imports nothing itself: when it runs, there
is no import system yet.  (Imported normally, as the host's
`pyinternals.importing.bootstrap`, it is only the template: its globals stay empty.)

Read in order, the sections are the ones importlib has:

- *Module locks*: one lock per module being imported, with deadlock detection
  (`_ModuleLock`), and the global import lock of `Python/import.c`
  underneath it (`_imp.acquire_lock`).
- *Module specifications*: {py:class}`ModuleSpec`, what a finder returns and a loader
  uses; {py:func}`module_from_spec` and `_init_module_attrs`, which set `__name__`,
  `__loader__`, `__package__`, `__spec__`, `__path__`, `__file__`, `__cached__`.
- *Loading*: `_load_unlocked` puts the module in `sys.modules` before running it
  (so that circular imports find it, partially initialised) and takes it out again
  if it fails.
- *Importers* for built-in and frozen modules ({py:class}`BuiltinImporter`,
  {py:class}`FrozenImporter`).
- *The import*: `_find_spec` walks `sys.meta_path`; `_find_and_load` imports
  parents first, then the module, and binds it on its parent; `_handle_fromlist`
  imports the submodules a `from` statement names; `__import__` is importlib's
  pure-Python `__import__` (the builtin one is C, modelled by
  {py:mod}`pyinternals.importing.import_c`).

Where the model departs from importlib, it is to report what it does: every step
calls the import system's trace ({py:class}`~pyinternals.importing.trace.Trace`), and
the few behaviours that changed between 3.11 and 3.13 are read from the import
profile ({py:mod}`pyinternals.profiles.importing`).  See {doc}`/importing`.
"""

# No `from __future__ import annotations` here: that line is an import, and this
# module runs before there is an import system.  Annotations name only builtins and
# classes defined above them, or are strings.

_TYPE_CHECKING = False
if _TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from pyinternals.importing.trace import Trace
    from pyinternals.profiles.importing import ImportProfile


# -- Filled in by _setup() and by ImportSystem -------------------------------------

#: The model interpreter's `sys` and `_imp` (set by `_setup`).
sys: "Any" = None
_imp: "Any" = None
#: The builtin modules the bootstrap needs (set by `_setup`).
_thread: "Any" = None
_warnings: "Any" = None
_weakref: "Any" = None
#: `_frozen_importlib_external`, once `_install_external_importers` ran.
_bootstrap_external: "Any" = None
#: What differs between versions, and where every step is reported (set by
#: ImportSystem before `_install`; the model's own additions to importlib).
_profile: "ImportProfile" = None  # type: ignore[assignment]
_trace: "Trace" = None  # type: ignore[assignment]


# -- Bootstrap-related helpers --------------------------------------------------------


def _object_name(obj: object) -> str:
    """A name for `obj` in messages: its qualified name, or its type's."""
    try:
        return str(obj.__qualname__)  # type: ignore[attr-defined]
    except AttributeError:
        return type(obj).__qualname__


def _wrap(new: "Any", old: "Any") -> None:
    """A small `functools.update_wrapper` (functools is not importable yet)."""
    for replace in ("__module__", "__name__", "__qualname__", "__doc__"):
        if hasattr(old, replace):
            setattr(new, replace, getattr(old, replace))
    new.__dict__.update(old.__dict__)


def _new_module(name: str) -> "Any":
    """A fresh, empty module object (`PyModule_New`)."""
    module: Any = type(sys)(name)
    return module


def _emit(kind: str, name: str, **details: object) -> None:
    """Report one step to the trace, when tracing is on."""
    if _trace is not None and _trace.enabled:
        _trace.emit(kind, name, **details)


# -- Module-level locking -------------------------------------------------------------
#
# A module being imported has a lock of its own, so that a second thread importing
# the same module waits for the first one to finish instead of seeing it half done.
# Two threads can each hold one module's lock and wait for the other's (a circular
# import run by two threads at once): `_blocking_on` records what each thread waits
# for, and a thread that would close a cycle gets `_DeadlockError` instead of
# waiting forever.  `_lock_unlock_module` catches it and goes on with the partially
# initialised module, which is what a circular import in one thread gets anyway.

# Module name -> weak reference to its `_ModuleLock`, guarded by the global lock.
_module_locks: "dict[str, Any]" = {}
# Thread id -> the module locks that thread is waiting for.
_blocking_on: "dict[int, list[_ModuleLock]]" = {}


class _DeadlockError(RuntimeError):
    """Acquiring a module lock would deadlock: another thread waits for ours."""


def _has_deadlocked(target_id: int, *, seen_ids: "set[int]", candidate_ids: "list[int]",
                    blocking_on: "dict[int, list[_ModuleLock]]") -> bool:
    """Whether following "waits for a lock owned by" from `candidate_ids` reaches
    `target_id` (the thread about to wait): a cycle, so a deadlock."""
    if target_id in candidate_ids:
        return True
    for tid in candidate_ids:
        candidate_blocking_on = blocking_on.get(tid)
        if not candidate_blocking_on:
            continue
        if tid in seen_ids:
            # A chain that loops without reaching us (bpo-38091): no deadlock.
            return False
        seen_ids.add(tid)
        edges = [lock.owner for lock in candidate_blocking_on if lock.owner is not None]
        if _has_deadlocked(target_id, seen_ids=seen_ids, candidate_ids=edges,
                           blocking_on=blocking_on):
            return True
    return False


class _ModuleLock:
    """A re-entrant lock for one module, that detects deadlocks between threads.

    `owner` is the thread holding it; `count` how many times it took it (a thread
    importing A that imports B that imports A takes A's lock twice); `waiters` how
    many threads wait on `wakeup`.
    """

    def __init__(self, name: str) -> None:
        # 3.12 made the internal lock re-entrant, for imports re-entered from a
        # signal handler or a finaliser in the middle of acquire() (gh-90791).
        self.lock = _thread.RLock() if _profile.reentrant_module_locks \
            else _thread.allocate_lock()
        self.wakeup = _thread.allocate_lock()
        self.name = name
        self.owner: int | None = None
        self.count: list[bool] = []
        self.waiters: list[None] = []

    def has_deadlock(self) -> bool:
        """Whether waiting for this lock would close a cycle of waiting threads."""
        if self.owner is None:
            return False
        return _has_deadlocked(target_id=_thread.get_ident(), seen_ids=set(),
                               candidate_ids=[self.owner], blocking_on=_blocking_on)

    def acquire(self) -> bool:
        """Take the lock, waiting for its owner if need be; `_DeadlockError` if that
        wait could never end."""
        tid = _thread.get_ident()
        waiting = _blocking_on.setdefault(tid, [])
        waiting.append(self)
        try:
            while True:
                with self.lock:
                    if self.count == [] or self.owner == tid:
                        self.owner = tid
                        self.count.append(True)
                        _emit("lock", self.name, action="acquired", count=len(self.count))
                        return True
                    if self.has_deadlock():
                        _emit("lock", self.name, action="deadlock")
                        raise _DeadlockError(
                            _profile.messages.deadlock.format(lock=self)  # type: ignore[union-attr]
                        )
                    if self.wakeup.acquire(False):
                        self.waiters.append(None)
                _emit("lock", self.name, action="waits")
                self.wakeup.acquire()
                self.wakeup.release()
        finally:
            waiting.remove(self)
            if not waiting:
                _blocking_on.pop(tid, None)

    def release(self) -> None:
        """Give the lock back; wake one waiter when the count reaches zero."""
        tid = _thread.get_ident()
        with self.lock:
            if self.owner != tid:
                raise RuntimeError("cannot release un-acquired lock")
            assert len(self.count) > 0
            self.count.pop()
            _emit("lock", self.name, action="released", count=len(self.count))
            if not self.count:
                self.owner = None
                if self.waiters:
                    self.waiters.pop()
                    self.wakeup.release()

    def __repr__(self) -> str:
        return f"_ModuleLock({self.name!r}) at {id(self)}"


class _ModuleLockManager:
    """`with _ModuleLockManager(name):` holds `name`'s module lock."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock: _ModuleLock | None = None

    def __enter__(self) -> None:
        self._lock = _get_module_lock(self._name)
        self._lock.acquire()

    def __exit__(self, *args: object) -> None:
        assert self._lock is not None
        self._lock.release()


def _get_module_lock(name: str) -> _ModuleLock:
    """The lock of module `name`, created on first use.

    The table holds weak references: a lock lives as long as someone holds or waits
    for it.  The global import lock (`_imp.acquire_lock`) guards the table.
    """
    _imp.acquire_lock()
    try:
        try:
            lock = _module_locks[name]()
        except KeyError:
            lock = None
        if lock is None:
            lock = _ModuleLock(name)

            def cb(ref: object, name: str = name) -> None:
                _imp.acquire_lock()
                try:
                    # The lock may have been replaced by a newer one already.
                    if _module_locks.get(name) is ref:
                        del _module_locks[name]
                finally:
                    _imp.release_lock()

            _module_locks[name] = _weakref.ref(lock, cb)
    finally:
        _imp.release_lock()
    result: _ModuleLock = lock
    return result


def _lock_unlock_module(name: str) -> None:
    """Wait until no other thread is importing `name` (take its lock, give it back).

    A deadlock here means a circular import across threads: go on with the partially
    initialised module, as a circular import in one thread does.
    """
    lock = _get_module_lock(name)
    try:
        lock.acquire()
    except _DeadlockError:
        pass
    else:
        lock.release()


# -- Frames, and what -v prints ----------------------------------------------------


def _call_with_frames_removed(f: "Callable[..., Any]", *args: object, **kwds: object) -> "Any":
    """Call `f`.  In CPython, `remove_importlib_frames` (`Python/import.c`) cuts the
    importlib frames that end in this function out of tracebacks; the model keeps
    its frames, so that a reader can see them."""
    return f(*args, **kwds)


def _verbose_message(message: str, *args: object, verbosity: int = 1) -> None:
    """What `python -v` prints (when the model's `sys.flags.verbose` asks for it),
    and a `verbose` event in the trace."""
    if not message.startswith(("#", "import ")):
        message = "# " + message
    text = message.format(*args)
    _emit("verbose", "", text=text, verbosity=verbosity)
    if sys.flags.verbose >= verbosity:
        print(text, file=sys.stderr)


def _requires_builtin(fxn: "Callable[..., Any]") -> "Callable[..., Any]":
    """Decorator: the method only answers for built-in modules."""
    def _requires_builtin_wrapper(self: object, fullname: str) -> object:
        if fullname not in sys.builtin_module_names:
            raise ImportError(f"{fullname!r} is not a built-in module", name=fullname)
        return fxn(self, fullname)
    _wrap(_requires_builtin_wrapper, fxn)
    return _requires_builtin_wrapper


def _requires_frozen(fxn: "Callable[..., Any]") -> "Callable[..., Any]":
    """Decorator: the method only answers for frozen modules."""
    def _requires_frozen_wrapper(self: object, fullname: str) -> object:
        if not _imp.is_frozen(fullname):
            raise ImportError(f"{fullname!r} is not a frozen module", name=fullname)
        return fxn(self, fullname)
    _wrap(_requires_frozen_wrapper, fxn)
    return _requires_frozen_wrapper


def _load_module_shim(self: "Any", fullname: str) -> "Any":
    """`loader.load_module(name)` for loaders that only have `exec_module` (PEP 451's
    compatibility path; deprecated)."""
    _warnings.warn("the load_module() method is deprecated and slated for removal in "
                   "Python 3.12; use exec_module() instead", DeprecationWarning)
    spec = spec_from_loader(fullname, self)
    if fullname in sys.modules:
        module = sys.modules[fullname]
        _exec(spec, module)
        result: Any = sys.modules[fullname]
        return result
    return _load(spec)


# -- Module specifications -------------------------------------------------------


class ModuleSpec:
    """What a finder found: the module's name, the loader that can load it, where it
    comes from (PEP 451).

    `submodule_search_locations` is not `None` for a package: it becomes the
    package's `__path__`.  `has_location` says whether `origin` is a place in the
    file system (it then becomes `__file__`); `cached` is the bytecode file
    (`__cached__`), computed from `origin` when first asked.
    """

    def __init__(self, name: str, loader: object, *, origin: str | None = None,
                 loader_state: object = None, is_package: bool | None = None) -> None:
        self.name = name
        self.loader: Any = loader
        self.origin = origin
        self.loader_state = loader_state
        self.submodule_search_locations: list[str] | Any = [] if is_package else None
        # Submodules of this package being imported right now (3.11+, for the
        # "partially initialized module" messages).
        self._uninitialized_submodules: list[str] = []
        self._set_fileattr = False
        self._cached: str | None = None

    def __repr__(self) -> str:
        args = [f"name={self.name!r}", f"loader={self.loader!r}"]
        if self.origin is not None:
            args.append(f"origin={self.origin!r}")
        if self.submodule_search_locations is not None:
            args.append(f"submodule_search_locations={self.submodule_search_locations}")
        return f"{self.__class__.__name__}({', '.join(args)})"

    def __eq__(self, other: object) -> bool:
        smsl = self.submodule_search_locations
        try:
            return bool(self.name == other.name  # type: ignore[attr-defined]
                        and self.loader == other.loader  # type: ignore[attr-defined]
                        and self.origin == other.origin  # type: ignore[attr-defined]
                        and smsl == other.submodule_search_locations  # type: ignore[attr-defined]
                        and self.cached == other.cached  # type: ignore[attr-defined]
                        and self.has_location == other.has_location)  # type: ignore[attr-defined]
        except AttributeError:
            return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    @property
    def cached(self) -> str | None:
        """The bytecode cache file of a module loaded from a file (`__cached__`)."""
        if self._cached is None and self.origin is not None and self._set_fileattr:
            if _bootstrap_external is None:
                raise NotImplementedError
            self._cached = _bootstrap_external._get_cached(self.origin)
        return self._cached

    @cached.setter
    def cached(self, cached: str | None) -> None:
        self._cached = cached

    @property
    def parent(self) -> str:
        """The package the module belongs to: itself for a package."""
        if self.submodule_search_locations is None:
            return self.name.rpartition(".")[0]
        return self.name

    @property
    def has_location(self) -> bool:
        """Whether `origin` is a file system location (and so `__file__`)."""
        return self._set_fileattr

    @has_location.setter
    def has_location(self, value: bool) -> None:
        self._set_fileattr = bool(value)


def spec_from_loader(name: str, loader: object, *, origin: str | None = None,
                     is_package: bool | None = None) -> ModuleSpec:
    """A spec for a module that `loader` can load, asking the loader what it knows."""
    if origin is None:
        origin = getattr(loader, "_ORIGIN", None)
    if not origin and hasattr(loader, "get_filename"):
        if _bootstrap_external is None:
            raise NotImplementedError
        spec_from_file_location = _bootstrap_external.spec_from_file_location
        if is_package is None:
            spec: ModuleSpec = spec_from_file_location(name, loader=loader)
            return spec
        search: list[str] | None = [] if is_package else None
        spec = spec_from_file_location(name, loader=loader, submodule_search_locations=search)
        return spec
    if is_package is None:
        if hasattr(loader, "is_package"):
            try:
                is_package = loader.is_package(name)
            except ImportError:
                is_package = None  # the loader does not know
        else:
            is_package = False
    return ModuleSpec(name, loader, origin=origin, is_package=is_package)


def _spec_from_module(module: "Any", loader: object = None,
                      origin: str | None = None) -> ModuleSpec:
    """A spec rebuilt from a module's attributes (for modules made before importlib)."""
    try:
        spec = module.__spec__
    except AttributeError:
        pass
    else:
        if spec is not None:
            existing: ModuleSpec = spec
            return existing
    name = module.__name__
    if loader is None:
        try:
            loader = module.__loader__
        except AttributeError:
            pass
    try:
        location = module.__file__
    except AttributeError:
        location = None
    if origin is None:
        if loader is not None:
            origin = getattr(loader, "_ORIGIN", None)
        if not origin and location is not None:
            origin = location
    try:
        cached = module.__cached__
    except AttributeError:
        cached = None
    try:
        submodule_search_locations = list(module.__path__)
    except AttributeError:
        submodule_search_locations = None
    spec = ModuleSpec(name, loader, origin=origin)
    spec._set_fileattr = False if location is None else (origin == location)
    spec.cached = cached
    spec.submodule_search_locations = submodule_search_locations
    return spec


def _init_module_attrs(spec: ModuleSpec, module: "Any", *,
                       override: bool = False) -> "Any":
    """Set the import-related attributes of `module` from `spec`.

    Without `override`, attributes the loader already set are kept, except
    `__spec__`, which is always the spec the module was loaded from.
    """
    if _imp._is_shared(module):
        # A module object the model shares with the interpreter running it (a
        # single-phase extension module that interpreter loaded first): the model
        # never writes to objects it does not own.
        return module
    if override or getattr(module, "__name__", None) is None:
        try:
            module.__name__ = spec.name
        except AttributeError:
            pass
    if override or getattr(module, "__loader__", None) is None:
        loader = spec.loader
        if loader is None and spec.submodule_search_locations is not None:
            # A namespace package found by a finder that left the loader out.
            if _bootstrap_external is None:
                raise NotImplementedError
            NamespaceLoader = _bootstrap_external.NamespaceLoader
            loader = NamespaceLoader.__new__(NamespaceLoader)
            loader._path = spec.submodule_search_locations
            spec.loader = loader
            # A namespace package has no location: its __file__ is None (bpo-32305).
            module.__file__ = None
        try:
            module.__loader__ = loader
        except AttributeError:
            pass
    if override or getattr(module, "__package__", None) is None:
        try:
            module.__package__ = spec.parent
        except AttributeError:
            pass
    try:
        module.__spec__ = spec
    except AttributeError:
        pass
    if (override or getattr(module, "__path__", None) is None) \
            and spec.submodule_search_locations is not None:
        try:
            module.__path__ = spec.submodule_search_locations
        except AttributeError:
            pass
    if spec.has_location:
        if override or getattr(module, "__file__", None) is None:
            try:
                module.__file__ = spec.origin
            except AttributeError:
                pass
        if (override or getattr(module, "__cached__", None) is None) \
                and spec.cached is not None:
            try:
                module.__cached__ = spec.cached
            except AttributeError:
                pass
    return module


def module_from_spec(spec: ModuleSpec) -> "Any":
    """Create the module a spec describes: the loader's `create_module`, or a plain
    module; then set its import attributes."""
    module = None
    if hasattr(spec.loader, "create_module"):
        module = spec.loader.create_module(spec)
    elif hasattr(spec.loader, "exec_module"):
        raise ImportError("loaders that define exec_module() must also define create_module()")
    if module is None:
        module = _new_module(spec.name)
    _init_module_attrs(spec, module)
    result: Any = module
    return result


# -- Loading -------------------------------------------------------------------------


def _exec(spec: ModuleSpec, module: "Any") -> "Any":
    """Run `spec`'s loader again in an existing module: `importlib.reload`'s step."""
    name = spec.name
    with _ModuleLockManager(name):
        if sys.modules.get(name) is not module:
            raise ImportError(f"module {name!r} not in sys.modules", name=name)
        try:
            _init_module_attrs(spec, module, override=True)
            if spec.loader is None:
                if spec.submodule_search_locations is None:
                    raise ImportError("missing loader", name=spec.name)
            elif not hasattr(spec.loader, "exec_module"):
                _warnings.warn(f"{_object_name(spec.loader)}.exec_module() not found; "
                               "falling back to load_module()", ImportWarning)
                spec.loader.load_module(name)
            else:
                _emit("exec", name, loader=_object_name(spec.loader), reload=True)
                spec.loader.exec_module(module)
        finally:
            # The module may have replaced itself in sys.modules; move it to the end.
            module = sys.modules.pop(spec.name)
            sys.modules[spec.name] = module
    return module


def _load_backward_compatible(spec: ModuleSpec) -> "Any":
    """Load with a loader that only has the old `load_module` (PEP 302)."""
    try:
        spec.loader.load_module(spec.name)
    except BaseException:
        if spec.name in sys.modules:
            module = sys.modules.pop(spec.name)
            sys.modules[spec.name] = module
        raise
    module = sys.modules.pop(spec.name)
    sys.modules[spec.name] = module
    if getattr(module, "__loader__", None) is None:
        try:
            module.__loader__ = spec.loader
        except AttributeError:
            pass
    if getattr(module, "__package__", None) is None:
        try:
            module.__package__ = module.__name__
            if not hasattr(module, "__path__"):
                module.__package__ = spec.name.rpartition(".")[0]
        except AttributeError:
            pass
    if getattr(module, "__spec__", None) is None:
        try:
            module.__spec__ = spec
        except AttributeError:
            pass
    result: Any = module
    return result


def _load_unlocked(spec: ModuleSpec) -> "Any":
    """Create the module, put it in `sys.modules`, run it (the caller holds its lock).

    The module is in `sys.modules` while its code runs, so that an import of it from
    that code (a circular import) gets it, partially initialised: `__spec__.
    _initializing` says so.  If the code raises, the module leaves `sys.modules`:
    a failed import leaves nothing behind under its own name.
    """
    if spec.loader is not None and not hasattr(spec.loader, "exec_module"):
        _warnings.warn(f"{_object_name(spec.loader)}.exec_module() not found; "
                       "falling back to load_module()", ImportWarning)
        return _load_backward_compatible(spec)

    module = module_from_spec(spec)
    # Set before the module is in sys.modules: the C fast path of __import__ reads
    # it to know whether to wait for the module's lock.
    spec._initializing = True  # type: ignore[attr-defined]
    try:
        sys.modules[spec.name] = module
        try:
            if spec.loader is None:
                if spec.submodule_search_locations is None:
                    raise ImportError("missing loader", name=spec.name)
                # A namespace package: there is no code to run.
            else:
                _emit("exec", spec.name, loader=_object_name(spec.loader))
                spec.loader.exec_module(module)
        except BaseException:
            try:
                del sys.modules[spec.name]
            except KeyError:
                pass
            raise
        # The module may have replaced itself in sys.modules while it ran; whatever
        # is there now is the result, moved to the end of sys.modules.
        module = sys.modules.pop(spec.name)
        sys.modules[spec.name] = module
        _verbose_message("import {!r} # {!r}", spec.name, spec.loader)
    finally:
        spec._initializing = False  # type: ignore[attr-defined]
    return module


def _load(spec: ModuleSpec) -> "Any":
    """Load `spec` under its module lock (the module is not bound on its parent)."""
    with _ModuleLockManager(spec.name):
        return _load_unlocked(spec)


# -- Importers for built-in and frozen modules --------------------------------------


class BuiltinImporter:
    """Finds and loads the modules compiled into the interpreter (`_inittab`).

    Class methods only: the class itself sits on `sys.meta_path`.
    """

    _ORIGIN = "built-in"

    @classmethod
    def find_spec(cls, fullname: str, path: object = None,
                  target: object = None) -> ModuleSpec | None:
        """A spec with origin `built-in` if `fullname` is in `_inittab`.

        Built-in modules are top-level: a search inside a package (`path` given)
        never finds one.
        """
        if path is not None:
            return None
        if _imp.is_builtin(fullname):
            return spec_from_loader(fullname, cls, origin=cls._ORIGIN)
        return None

    @classmethod
    def find_module(cls, fullname: str, path: object = None) -> object:
        """The deprecated PEP 302 finder method (removed in 3.12)."""
        _warnings.warn("BuiltinImporter.find_module() is deprecated and slated for "
                       "removal in Python 3.12; use find_spec() instead", DeprecationWarning)
        spec = cls.find_spec(fullname, path)
        return spec.loader if spec is not None else None

    @staticmethod
    def create_module(spec: ModuleSpec) -> "Any":
        """Run the module's init function (`_imp.create_builtin`)."""
        if spec.name not in sys.builtin_module_names:
            raise ImportError(f"{spec.name!r} is not a built-in module", name=spec.name)
        module: Any = _call_with_frames_removed(_imp.create_builtin, spec)
        return module

    @staticmethod
    def exec_module(module: "Any") -> None:
        """Run the module's exec slots (multi-phase init, PEP 489)."""
        _call_with_frames_removed(_imp.exec_builtin, module)

    @classmethod
    @_requires_builtin
    def get_code(cls, fullname: str) -> None:
        """Built-in modules have no code object."""
        return None

    @classmethod
    @_requires_builtin
    def get_source(cls, fullname: str) -> None:
        """Built-in modules have no source."""
        return None

    @classmethod
    @_requires_builtin
    def is_package(cls, fullname: str) -> bool:
        """Built-in modules are never packages."""
        return False

    load_module: "Callable[..., Any]" = classmethod(_load_module_shim)  # type: ignore[assignment]


class FrozenImporter:
    """Finds and loads modules whose code object is compiled into the interpreter.

    3.11+ freezes the modules that start-up needs (`os`, `io`, `site`, `codecs`...):
    `__spec__.origin` is `"frozen"`, yet `__file__` still names the file in the
    standard library the code came from (`_resolve_filename`).
    """

    _ORIGIN = "frozen"

    @classmethod
    def _fix_up_module(cls, module: "Any") -> None:
        """Give a frozen module imported before importlib existed its file attributes."""
        spec = module.__spec__
        assert spec is not None
        state = spec.loader_state
        if state is not None:
            return  # importlib loaded it: its attributes are right already
        origname = module.__dict__.pop("__origname__", None)
        assert origname, "see PyImport_ImportFrozenModuleObject()"
        ispkg = hasattr(module, "__path__")
        filename, pkgdir = cls._resolve_filename(origname, spec.name, ispkg)
        spec.loader_state = type(sys.implementation)(filename=filename, origname=origname)
        path = spec.submodule_search_locations
        if ispkg and pkgdir:
            path.insert(0, pkgdir)
        if filename:
            try:
                module.__file__ = filename
            except AttributeError:
                pass
        if ispkg and module.__path__ != path:
            module.__path__.extend(path)

    @classmethod
    def _resolve_filename(cls, fullname: str | None, alias: str | None = None,
                          ispkg: bool = False) -> "tuple[str | None, str | None]":
        """Where the frozen module's source lives in the standard library, if known."""
        if not fullname or not getattr(sys, "_stdlib_dir", None):
            return None, None
        sep = "\\" if sys.platform == "win32" else "/"
        if fullname != alias:
            if fullname.startswith("<"):
                fullname = fullname[1:]
                if not ispkg:
                    fullname = f"{fullname}.__init__"
            else:
                ispkg = False
        relfile = fullname.replace(".", sep)
        if ispkg:
            pkgdir = f"{sys._stdlib_dir}{sep}{relfile}"
            return f"{pkgdir}{sep}__init__.py", pkgdir
        return f"{sys._stdlib_dir}{sep}{relfile}.py", None

    @classmethod
    def find_spec(cls, fullname: str, path: object = None,
                  target: object = None) -> ModuleSpec | None:
        """A spec with origin `frozen` if the interpreter carries `fullname` frozen."""
        info = _call_with_frames_removed(_imp.find_frozen, fullname)
        if info is None:
            return None
        _, ispkg, origname = info
        spec = spec_from_loader(fullname, cls, origin=cls._ORIGIN, is_package=ispkg)
        filename, pkgdir = cls._resolve_filename(origname, fullname, ispkg)
        spec.loader_state = type(sys.implementation)(filename=filename, origname=origname)
        if pkgdir:
            spec.submodule_search_locations.insert(0, pkgdir)
        return spec

    @classmethod
    def find_module(cls, fullname: str, path: object = None) -> object:
        """The deprecated PEP 302 finder method (removed in 3.12)."""
        _warnings.warn("FrozenImporter.find_module() is deprecated and slated for "
                       "removal in Python 3.12; use find_spec() instead", DeprecationWarning)
        return cls if _imp.is_frozen(fullname) else None

    @staticmethod
    def create_module(spec: ModuleSpec) -> "Any":
        """A plain module, with `__file__` when the source file is known."""
        module = _new_module(spec.name)
        filename = getattr(spec.loader_state, "filename", None)
        if filename:
            module.__file__ = filename
        return module

    @staticmethod
    def exec_module(module: "Any") -> None:
        """Run the frozen code object in the module."""
        spec = module.__spec__
        assert spec is not None
        code = _call_with_frames_removed(_imp.get_frozen_object, spec.name)
        exec(code, module.__dict__)

    @classmethod
    def load_module(cls, fullname: str) -> "Any":
        """The deprecated PEP 302 loader method."""
        module = _load_module_shim(cls, fullname)
        info = _imp.find_frozen(fullname)
        assert info is not None
        _, ispkg, origname = info
        module.__origname__ = origname
        module.__dict__.pop("__file__", None)
        if ispkg:
            module.__path__ = []
        cls._fix_up_module(module)
        return module

    @classmethod
    @_requires_frozen
    def get_code(cls, fullname: str) -> object:
        """The frozen code object."""
        return _imp.get_frozen_object(fullname)

    @classmethod
    @_requires_frozen
    def get_source(cls, fullname: str) -> None:
        """Frozen modules have no source."""
        return None

    @classmethod
    @_requires_frozen
    def is_package(cls, fullname: str) -> bool:
        """Whether the frozen module is a package."""
        return bool(_imp.is_frozen_package(fullname))


class _ImportLockContext:
    """`with _ImportLockContext():` holds the global import lock."""

    def __enter__(self) -> None:
        _imp.acquire_lock()

    def __exit__(self, *args: object) -> None:
        _imp.release_lock()


# -- The import ---------------------------------------------------------------------


def _resolve_name(name: str, package: str, level: int) -> str:
    """`name` relative to `package`, `level` dots up: `_resolve_name('b', 'p.q', 2)`
    is `'p.b'`."""
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        raise ImportError(_profile.messages.relative_beyond.template)
    base = bits[0]
    return f"{base}.{name}" if name else base


def _find_spec_legacy(finder: "Any", name: str, path: object) -> ModuleSpec | None:
    """A finder without `find_spec`: ask `find_module` (3.4 to 3.11)."""
    _warnings.warn(f"{_object_name(finder)}.find_spec() not found; "
                   "falling back to find_module()", ImportWarning)
    loader = finder.find_module(name, path)
    if loader is None:
        return None
    return spec_from_loader(name, loader)


def _find_spec(name: str, path: "list[str] | None", target: object = None) -> ModuleSpec | None:
    """Ask each finder on `sys.meta_path`, in order, for a spec of `name`.

    `path` is the parent package's `__path__` (`None` for a top-level module).
    """
    meta_path = sys.meta_path
    if meta_path is None:
        raise ImportError("sys.meta_path is None, Python is likely shutting down")
    if not meta_path:
        _warnings.warn("sys.meta_path is empty", ImportWarning)
    # A reload finds the spec again; otherwise the module may have been imported by
    # a finder itself in the meantime, and that module's spec wins.
    is_reload = name in sys.modules
    for finder in meta_path:
        with _ImportLockContext():
            try:
                find_spec = finder.find_spec
            except AttributeError:
                if not _profile.legacy_finder_fallback:
                    continue
                spec = _find_spec_legacy(finder, name, path)
            else:
                spec = find_spec(name, path, target)
        _emit("find", name, finder=_object_name(finder),
              found=None if spec is None else (spec.origin or "namespace"))
        if spec is None:
            continue
        if not is_reload and name in sys.modules:
            module = sys.modules[name]
            try:
                existing = module.__spec__
            except AttributeError:
                return spec
            if existing is None:
                return spec
            found: ModuleSpec = existing
            return found
        return spec
    return None


def _sanity_check(name: object, package: object, level: int) -> None:
    """Reject arguments `import_module` and importlib's `__import__` cannot use."""
    if not isinstance(name, str):
        raise TypeError(f"module name must be str, not {type(name)}")
    if level < 0:
        raise ValueError("level must be >= 0")
    if level > 0:
        if not isinstance(package, str):
            raise TypeError("__package__ not set to a string")
        if not package:
            raise ImportError(_profile.messages.relative_no_parent.template)
    if not name and level == 0:
        raise ValueError("Empty module name")


_ERR_MSG_PREFIX = "No module named "
_ERR_MSG = _ERR_MSG_PREFIX + "{!r}"


def _find_and_load_unlocked(name: str, import_: "Callable[..., Any]") -> "Any":
    """Import `name`'s parent, find `name` in the parent's `__path__`, load it, and
    bind it on the parent (the caller holds `name`'s module lock)."""
    path = None
    parent = name.rpartition(".")[0]
    parent_spec = None
    child = ""
    if parent:
        if parent not in sys.modules:
            _call_with_frames_removed(import_, parent)
        # Importing the parent may have imported this module too.
        if name in sys.modules:
            done: Any = sys.modules[name]
            return done
        parent_module = sys.modules[parent]
        try:
            path = parent_module.__path__
        except AttributeError:
            message = _profile.messages.not_a_package
            assert message is not None
            raise ModuleNotFoundError(message.format(name=name, parent=parent),
                                      name=name) from None
        parent_spec = parent_module.__spec__
        child = name.rpartition(".")[2]
    spec = _find_spec(name, path)
    if spec is None:
        raise ModuleNotFoundError(_profile.messages.no_module.format(name=name), name=name)
    _emit("spec", name, loader=_object_name(spec.loader) if spec.loader is not None
          else None, origin=spec.origin, package=spec.submodule_search_locations is not None)
    if parent_spec:
        # Let the parent's "partially initialized" messages know (3.11+).
        parent_spec._uninitialized_submodules.append(child)
    try:
        module = _load_unlocked(spec)
    finally:
        if parent_spec:
            parent_spec._uninitialized_submodules.pop()
    if parent:
        # Bind the child on its parent: `import a.b` then `a.b` works.
        parent_module = sys.modules[parent]
        try:
            setattr(parent_module, child, module)
        except AttributeError:
            _warnings.warn(f"Cannot set an attribute on {parent!r} for child module "
                           f"{child!r}", ImportWarning)
    return module


_NEEDS_LOADING = object()


def _find_and_load(name: str, import_: "Callable[..., Any]") -> "Any":
    """Import `name` (absolute), or wait for the thread importing it to finish."""
    module = sys.modules.get(name, _NEEDS_LOADING)
    if (module is _NEEDS_LOADING
            or getattr(getattr(module, "__spec__", None), "_initializing", False)):
        record = _begin(name, import_) if module is _NEEDS_LOADING else None
        try:
            with _ModuleLockManager(name):
                module = sys.modules.get(name, _NEEDS_LOADING)
                if module is _NEEDS_LOADING:
                    result = _find_and_load_unlocked(name, import_)
                    _end(record, result)
                    return result
        except BaseException as exc:
            _end(record, None, exc)
            raise
        # Another thread finished it while we waited for its lock.
        _end(record, module)
        # Or it is our own circular import: wait for nobody.
        _lock_unlock_module(name)

    if module is None:
        message = _profile.messages.halted
        assert message is not None
        raise ModuleNotFoundError(message.format(name=name), name=name)
    found: Any = module
    return found


def _begin(name: str, import_: "Callable[..., Any]") -> object:
    """Open the trace's record of an import made through importlib's Python API
    (`importlib.import_module`, `_gcd_import`); `None` when the trace is off.

    Imports through `__import__` are recorded by its C half, around the call that
    brings them here, as `-X importtime` times them (see `import_c`).
    """
    if _trace is None or not _trace.enabled or import_ is not _gcd_import:
        return None
    return _trace.begin(name, via="importlib")


def _end(record: object, module: object, exc: BaseException | None = None) -> None:
    """Close the record `_begin` opened."""
    if record is not None:
        _trace.end(record, module, exc)


def _gcd_import(name: str, package: str | None = None, level: int = 0) -> "Any":
    """Import a module by name, relative to `package` when `level > 0`.

    The greatest common denominator of `importlib.import_module` and `__import__`.
    """
    _sanity_check(name, package, level)
    if level > 0:
        assert package is not None
        name = _resolve_name(name, package, level)
    return _find_and_load(name, _gcd_import)


def _handle_fromlist(module: "Any", fromlist: "Iterable[Any]",
                     import_: "Callable[..., Any]", *, recursive: bool = False) -> "Any":
    """Import the submodules of package `module` that a `from` statement names.

    `from pkg import a, b` imports `pkg.a` and `pkg.b` unless the package already
    has attributes of those names; `from pkg import *` does the same for the names
    in `pkg.__all__`.  A name that is neither an attribute nor a submodule is left
    to `IMPORT_FROM` to report.
    """
    for x in fromlist:
        if not isinstance(x, str):
            where = module.__name__ + ".__all__" if recursive else "``from list''"
            raise TypeError(_profile.messages.fromlist_item.format(where=where,
                                                                   type=type(x).__name__))
        if x == "*":
            if not recursive and hasattr(module, "__all__"):
                _handle_fromlist(module, module.__all__, import_, recursive=True)
        elif not hasattr(module, x):
            from_name = f"{module.__name__}.{x}"
            try:
                _call_with_frames_removed(import_, from_name)
            except ModuleNotFoundError as exc:
                # Not a submodule: IMPORT_FROM will say "cannot import name".  A
                # submodule that exists but fails to import reports its own error.
                if (exc.name == from_name
                        and sys.modules.get(from_name, _NEEDS_LOADING) is not None):
                    continue
                raise
    return module


def _calc___package__(globals: "dict[str, Any]") -> str:
    """The package a relative import is relative to, from the importer's globals."""
    package = globals.get("__package__")
    spec = globals.get("__spec__")
    if package is not None:
        if spec is not None and package != spec.parent:
            category = ImportWarning if _profile.package_mismatch_warning == "ImportWarning" \
                else DeprecationWarning
            _warnings.warn(f"__package__ != __spec__.parent ({package!r} != "
                           f"{spec.parent!r})", category, stacklevel=3)
        result: str = package
        return result
    if spec is not None:
        parent: str = spec.parent
        return parent
    _warnings.warn("can't resolve package from __spec__ or __package__, "
                   "falling back on __name__ and __path__", ImportWarning, stacklevel=3)
    package = globals["__name__"]
    if "__path__" not in globals:
        package = package.rpartition(".")[0]
    fallback: str = package
    return fallback


def __import__(name: str, globals: "dict[str, Any] | None" = None,
               locals: object = None, fromlist: "Iterable[Any]" = (),
               level: int = 0) -> "Any":
    """importlib's `__import__`: what the `import` statement does, in Python.

    It returns the top-level package for `import a.b.c` (the name the statement
    binds), and the module itself for `from a.b import c`.
    """
    if level == 0:
        module = _gcd_import(name)
    else:
        globals_ = globals if globals is not None else {}
        package = _calc___package__(globals_)
        module = _gcd_import(name, package, level)
    if not fromlist:
        if level == 0:
            return _gcd_import(name.partition(".")[0])
        if not name:
            return module
        cut_off = len(name) - len(name.partition(".")[0])
        top: Any = sys.modules[module.__name__[:len(module.__name__) - cut_off]]
        return top
    if hasattr(module, "__path__"):
        return _handle_fromlist(module, fromlist, _gcd_import)
    return module


# -- Setting up ---------------------------------------------------------------------


def _builtin_from_name(name: str) -> "Any":
    """Load built-in module `name` (before the meta path exists)."""
    spec = BuiltinImporter.find_spec(name)
    if spec is None:
        raise ImportError("no built-in module named " + name)
    return _load_unlocked(spec)


def _setup(sys_module: "Any", _imp_module: "Any") -> None:
    """Take the interpreter's `sys` and `_imp`, give the modules loaded so far their
    specs, and load the built-in modules the bootstrap needs."""
    global _imp, sys  # noqa: PLW0603
    _imp = _imp_module
    sys = sys_module

    module_type = type(sys)
    for name, module in list(sys.modules.items()):
        if isinstance(module, module_type):
            if name in sys.builtin_module_names:
                loader: object = BuiltinImporter
            elif _imp.is_frozen(name):
                loader = FrozenImporter
            else:
                continue
            spec = _spec_from_module(module, loader)
            _init_module_attrs(spec, module)
            if loader is FrozenImporter:
                FrozenImporter._fix_up_module(module)

    self_module = sys.modules[__name__]
    for builtin_name in ("_thread", "_warnings", "_weakref"):
        if builtin_name not in sys.modules:
            builtin_module = _builtin_from_name(builtin_name)
        else:
            builtin_module = sys.modules[builtin_name]
        setattr(self_module, builtin_name, builtin_module)


def _install(sys_module: "Any", _imp_module: "Any") -> None:
    """Set up, then put the built-in and frozen importers on `sys.meta_path`."""
    _setup(sys_module, _imp_module)
    sys.meta_path.append(BuiltinImporter)
    sys.meta_path.append(FrozenImporter)


def _install_external_importers() -> None:
    """Import `_frozen_importlib_external` (the path-based finder) and install it."""
    global _bootstrap_external  # noqa: PLW0603
    import _frozen_importlib_external

    _bootstrap_external = _frozen_importlib_external
    _frozen_importlib_external._install(sys.modules[__name__])  # type: ignore[attr-defined]
