"""A whole modern import system, isolated: {py:class}`ImportSystem`.

One instance is the import machinery of one model interpreter: its own `sys` (with
`path`, `meta_path`, `path_hooks`, `path_importer_cache` and `modules`), its own
`builtins` (whose `__import__` is the model's), its own `_imp`, and its own copy of the
bootstrap ({py:mod}`pyinternals.importing.bootstrap`, as `_frozen_importlib`).  Code
run through it (`execute`, `import_module`, or any import statement in a module it
loaded, `importlib.import_module`, `pkgutil`, `__import__`) imports into the model's
`sys.modules`, never into the host's.

Building one runs what `Python/pylifecycle.c` runs when an interpreter starts, up to
the point where the import system works: `sys` and `builtins` exist, the frozen
`_frozen_importlib` runs and is installed (with `_imp`, `_thread`, `_warnings`,
`_weakref`), then the path-based finder (`_frozen_importlib_external`, which imports
`_io`, `marshal` and `posix`) and `zipimport`.  Its `sys.modules` then holds exactly
the modules a real 3.11+ holds at that point, in the same order.

**Hooks for the runtime chapter.** It boots a model interpreter on top of this one:

- `ImportSystem(path, profile=..., sys_values={...})` builds the import system
  around a `sys` whose attributes (`flags`, `argv`, `prefix`, ...) it chooses;
  `imp.sys`, `imp.builtins` and `imp.modules` are then its interpreter's;
- `imp.state` is the C half ({py:class}`~pyinternals.importing.import_c.ImportState`):
  `imp.state.PyImport_ImportModule("encodings")` imports the way C code does (so the
  import appears in `-X importtime`), and its frozen importer is the running
  interpreter's, with the model's bootstrap in place of CPython's;
- `imp.trace` records every import as it happens
  ({py:class}`~pyinternals.importing.trace.Trace`): `trace.importtime()` lists the
  modules in `-X importtime` order; each record says which finder, which loader,
  which origin, and what happened with the bytecode cache.

See {doc}`/importing`.
"""

from __future__ import annotations

import builtins as _host_builtins
import sys as _host_sys
from collections import namedtuple
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

from pyinternals import profiles
from pyinternals.diagrams import Drawable
from pyinternals.importing.import_c import ImportState
from pyinternals.importing.trace import Trace

# `sys` attributes the model gives fresh values; everything else is the host's.
_FRESH = ("modules", "path", "meta_path", "path_hooks", "path_importer_cache")
_MODULE_ATTRS = ("__name__", "__doc__", "__package__", "__loader__", "__spec__")


def flags_like_host(**changes: int | bool | str) -> Any:
    """A copy of `sys.flags` with some fields changed (`no_site=1`, `isolated=1`).

    The model's `sys.flags` must be a separate object, and `sys.flags` cannot be
    instantiated: this is a named tuple with the same fields, in the same order.
    """
    names = type(_host_sys.flags).__match_args__
    unknown = set(changes) - set(names)
    if unknown:
        raise ValueError(f"sys.flags has no field {', '.join(sorted(unknown))}; "
                         f"its fields are {', '.join(names)}")
    flags_type = namedtuple("flags", names)  # type: ignore[misc]
    values = {name: getattr(_host_sys.flags, name) for name in names}
    values.update(changes)
    return flags_type(**values)


class ImportSystem(Drawable):
    """A fresh, isolated modern import system.

    `path` is its `sys.path` (default: a copy of the running interpreter's).
    `profile` is the CPython version whose rules and words it follows (default: the
    running interpreter's; only 3.x: for 2.x use
    {py:class}`~pyinternals.importing.legacy.LegacyImportSystem`).  `sys_values`
    replaces attributes of its `sys` (for instance `flags`, `argv`, `prefix`).

    ```python
    >>> imp = ImportSystem()
    >>> list(imp.modules)[:4]
    ['sys', 'builtins', '_frozen_importlib', '_imp']
    >>> json = imp.import_module("json")
    >>> json is imp.modules["json"], "json" in imp.modules
    (True, True)

    ```
    """

    def __init__(self, path: Iterable[str] | None = None, *, profile: str | None = None,
                 sys_values: Mapping[str, Any] | None = None) -> None:
        self.profile_name = profiles.running() if profile is None else profile
        self.profile = profiles.importing.get(self.profile_name)
        if self.profile.machinery != "importlib":
            raise ValueError(
                f"CPython {self.profile_name} imports with import.c, not importlib: use "
                "pyinternals.importing.legacy.LegacyImportSystem for it")
        if path is not None and isinstance(path, str):
            raise TypeError("path is a list of directories (sys.path), not one string")
        entries = list(_host_sys.path if path is None else path)
        for entry in entries:
            if not isinstance(entry, str):
                raise TypeError(f"sys.path entries are strings, not {entry!r}")
        #: Every step of every import, when switched on.
        self.trace = Trace()
        #: The model interpreter's `sys` and `builtins`.
        self.sys: Any = _new_sys(entries, sys_values or {})
        self.builtins: Any = ModuleType("builtins", _host_builtins.__doc__)
        for key, value in dict(vars(_host_builtins)).items():
            if key not in _MODULE_ATTRS:
                self.builtins.__dict__[key] = value
        # sys.modules starts with sys and builtins (`_PyImport_FixupBuiltin`).
        self.sys.modules["sys"] = self.sys
        self.sys.modules["builtins"] = self.builtins
        #: The C half: `__import__`, `_imp`, the global import lock.
        self.state = ImportState(self.profile, self.trace, self.sys, self.builtins)
        self.builtins.__dict__["__import__"] = self.state.import_func
        self.state.init_importlib()
        self.state.init_importlib_external()

    # -- The model interpreter's state -------------------------------------------------

    @property
    def modules(self) -> dict[str, Any]:
        """The model's `sys.modules`."""
        modules: dict[str, Any] = self.sys.modules
        return modules

    @property
    def bootstrap(self) -> ModuleType:
        """The model's `_frozen_importlib` (its copy of the bootstrap)."""
        module: ModuleType = self.state.importlib
        return module

    @property
    def bootstrap_external(self) -> ModuleType:
        """The model's `_frozen_importlib_external`."""
        module: ModuleType = self.state.importlib._bootstrap_external
        return module

    # -- Importing -----------------------------------------------------------------------

    def import_module(self, name: str, package: str | None = None) -> ModuleType:
        """`importlib.import_module(name, package)` in the model.

        A relative `name` (`'.sub'`) needs `package`.
        """
        if not isinstance(name, str):
            raise TypeError(f"a module name is a string such as 'json', not {name!r}")
        level = 0
        if name.startswith("."):
            if not package:
                raise TypeError("the 'package' argument is required to perform a relative "
                                f"import for {name!r}")
            for character in name:
                if character != ".":
                    break
                level += 1
        module: ModuleType = self.bootstrap._gcd_import(name[level:], package, level)
        return module

    def execute(self, source: str, *, filename: str = "<string>") -> dict[str, Any]:
        """Run `source` as the model's `__main__` (as `python -c` would) and return
        its namespace.

        Each call makes a fresh `__main__`.  Errors propagate, with the model's own
        frames in the traceback (CPython removes importlib's).
        """
        if not isinstance(source, str):
            raise TypeError(f"source is the text of a program, not {type(source).__name__}")
        main = ModuleType("__main__")
        main.__dict__["__builtins__"] = self.builtins
        main.__loader__ = self.bootstrap.BuiltinImporter
        self.modules["__main__"] = main
        code = compile(source, filename, "exec", dont_inherit=True)
        exec(code, main.__dict__)
        return main.__dict__

    def reload(self, module: ModuleType) -> ModuleType:
        """`importlib.reload(module)` in the model: find the module's spec again and
        run its loader in the same module object."""
        messages = self.profile.messages
        try:
            name = module.__spec__.name  # type: ignore[union-attr]
        except AttributeError:
            try:
                name = module.__name__
            except AttributeError:
                raise TypeError(messages.reload_not_module.template) from None
        if self.modules.get(name) is not module:
            raise ImportError(messages.reload_not_in_modules.format(name=name), name=name)
        parent_name = name.rpartition(".")[0]
        pkgpath = None
        if parent_name:
            try:
                parent = self.modules[parent_name]
            except KeyError:
                raise ImportError(f"parent {parent_name!r} not in sys.modules",
                                  name=parent_name) from None
            pkgpath = parent.__path__
        spec = self.bootstrap._find_spec(name, pkgpath, module)
        if spec is None:
            raise ModuleNotFoundError(f"spec not found for the module {name!r}", name=name)
        module.__spec__ = spec
        self.bootstrap._exec(spec, module)
        # The module may have replaced itself in sys.modules.
        result: ModuleType = self.modules[name]
        return result

    # -- Drawing ------------------------------------------------------------------------

    def to_dot(self) -> str:
        """The modules the model has loaded, as a package tree (see
        {py:class}`~pyinternals.importing.diagrams.ModuleTree`)."""
        from pyinternals.importing.diagrams import ModuleTree

        return ModuleTree(self.modules).to_dot()

    def __repr__(self) -> str:
        return (f"<ImportSystem {self.profile_name}: {len(self.modules)} modules, "
                f"{len(self.sys.path)} path entries>")


def _new_sys(path: list[str], values: Mapping[str, Any]) -> ModuleType:
    """The model interpreter's `sys`: the host's attributes, fresh import state."""
    sys_module = ModuleType("sys", _host_sys.__doc__)
    for key, value in dict(vars(_host_sys)).items():
        if key not in _MODULE_ATTRS and key not in _FRESH:
            sys_module.__dict__[key] = value
    sys_module.__dict__.update(
        modules={}, path=path, meta_path=[], path_hooks=[], path_importer_cache={},
        argv=list(_host_sys.argv), warnoptions=list(_host_sys.warnoptions),
        _xoptions=dict(_host_sys._xoptions), flags=flags_like_host(),
    )
    for key, value in values.items():
        if key in _FRESH:
            raise ValueError(f"sys.{key} belongs to the import system; pass path= for "
                             "sys.path, the others start empty")
        setattr(sys_module, key, flags_like_host(**value)
                if key == "flags" and isinstance(value, Mapping) else value)
    return sys_module
