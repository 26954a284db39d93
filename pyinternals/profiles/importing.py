"""The import system's facts per version: its words, its suffixes, its start-up modules.

The import chapter ({doc}`/importing`) has two models: the C import machinery of 2.x
(`Python/import.c`) and importlib (3.3+).  What they say when an import fails, in which
order a directory's files are tried, which modules are frozen into the interpreter
and which ones are already loaded when a script starts are the facts that differ
between versions; the models read them from here.

Messages are `str.format` templates; each {py:class}`Message` also names the exception
class the interpreter raises with it (2.x raised `ValueError` for a bad relative
import, 3.x raises `ImportError`).  Every message, suffix order and module list below
is checked against the real interpreters in the {doc}`/fidelity`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pyinternals.profiles import resolve


@dataclass(frozen=True)
class Message:
    """One error: the exception class's name and the template of its message."""

    exception: str
    template: str

    def format(self, **fields: object) -> str:
        """The message with `fields` filled in."""
        return self.template.format(**fields)


@dataclass(frozen=True)
class Messages:
    """What the import machinery says when something goes wrong."""

    #: `import nosuch`.  2.x names the last dotted part only.
    no_module: Message
    #: `import mod.x` where `mod` is a plain module (3.x; 2.x says `no_module`).
    not_a_package: Message | None
    #: The name is mapped to `None` in `sys.modules` (3.x).
    halted: Message | None
    #: `from mod import missing` (IMPORT_FROM in `Python/ceval.c`).
    cannot_import: Message
    #: The same, while `mod` is still being initialised (3.x).
    cannot_import_partial: Message | None
    #: The same, for a module without `__file__` (3.x).
    cannot_import_unknown: Message | None
    #: `from . import x` outside any package.
    relative_no_parent: Message
    #: `from ... import x` climbing above the top-level package.
    relative_beyond: Message
    #: `__import__('')`.
    empty_name: Message
    #: `__import__(1)`.
    name_not_str: Message
    #: `__import__('x', level=-1)` (3.x; -1 *means* "implicit relative" in 2.x).
    level_negative: Message | None
    #: `__import__('pkg', fromlist=[1])`.
    fromlist_item: Message
    #: `reload(1)`.
    reload_not_module: Message
    #: `reload(m)` for a module that is not in `sys.modules`.
    reload_not_in_modules: Message
    #: Two threads each waiting for a module the other one is importing (3.x).
    deadlock: Message | None


_MESSAGES_3 = Messages(
    no_module=Message("ModuleNotFoundError", "No module named {name!r}"),
    not_a_package=Message("ModuleNotFoundError",
                          "No module named {name!r}; {parent!r} is not a package"),
    halted=Message("ModuleNotFoundError", "import of {name} halted; None in sys.modules"),
    cannot_import=Message("ImportError", "cannot import name {name!r} from {module!r} ({path})"),
    cannot_import_partial=Message(
        "ImportError", "cannot import name {name!r} from partially initialized module "
        "{module!r} (most likely due to a circular import) ({path})"),
    cannot_import_unknown=Message("ImportError",
                                  "cannot import name {name!r} from {module!r} (unknown location)"),
    relative_no_parent=Message("ImportError",
                               "attempted relative import with no known parent package"),
    relative_beyond=Message("ImportError", "attempted relative import beyond top-level package"),
    empty_name=Message("ValueError", "Empty module name"),
    name_not_str=Message("TypeError", "module name must be a string"),
    level_negative=Message("ValueError", "level must be >= 0"),
    fromlist_item=Message("TypeError", "Item in {where} must be str, not {type}"),
    reload_not_module=Message("TypeError", "reload() argument must be a module"),
    reload_not_in_modules=Message("ImportError", "module {name} not in sys.modules"),
    deadlock=Message("_DeadlockError", "deadlock detected by {lock!r}"),
)

_MESSAGES_2 = Messages(
    no_module=Message("ImportError", "No module named {name}"),
    not_a_package=None,
    halted=None,
    cannot_import=Message("ImportError", "cannot import name {name}"),
    cannot_import_partial=None,
    cannot_import_unknown=None,
    relative_no_parent=Message("ValueError", "Attempted relative import in non-package"),
    relative_beyond=Message("ValueError", "Attempted relative import beyond toplevel package"),
    empty_name=Message("ValueError", "Empty module name"),
    name_not_str=Message("TypeError", "__import__() argument 1 must be string, not {type}"),
    level_negative=None,
    fromlist_item=Message("TypeError", "Item in {where} must be str, not {type}"),
    reload_not_module=Message("TypeError", "reload() argument must be module"),
    reload_not_in_modules=Message("ImportError", "reload(): module {name} not in sys.modules"),
    deadlock=None,
)


@dataclass(frozen=True)
class ImportProfile:
    """The import system of one CPython version, as data."""

    #: `"import.c"`: the 2.x C machinery ({py:mod}`pyinternals.importing.legacy`);
    #: `"importlib"`: 3.3+ ({py:class}`pyinternals.importing.system.ImportSystem`).
    machinery: Literal["import.c", "importlib"]
    messages: Messages
    #: The suffixes a directory is searched for, in order, each with its kind
    #: (`extension`, `source`, `bytecode`).  `{soabi}` stands for the interpreter's
    #: `SOABI` (`cpython-311-x86_64-linux-gnu`).  2.x: `_PyImport_Filetab`;
    #: 3.x: `_get_supported_file_loaders()`.
    suffixes: tuple[tuple[str, str], ...]
    #: The frozen modules the interpreter carries (`_imp._frozen_module_names()` in
    #: 3.11+; `PyImport_FrozenModules` in 2.x), in table order.
    frozen_modules: tuple[str, ...]
    #: `sys.modules` when a script starts under `-I -S` (3.x) or `-E -S` (2.x), in
    #: order.  Names mapped to `None` (2.x's misses) are in `startup_misses`.
    startup_modules: tuple[str, ...]
    #: The `None` entries 2.x leaves in `sys.modules` while starting.
    startup_misses: tuple[str, ...] = ()
    #: 2.x tries a plain `import x` inside a package as `pkg.x` first.
    implicit_relative_imports: bool = False
    #: PEP 420: a directory without `__init__.py` is a namespace package (3.3+).
    namespace_packages: bool = True
    #: A finder without `find_spec` falls back to `find_module` (3.4 to 3.11).
    legacy_finder_fallback: bool = False
    #: The warning `__package__ != __spec__.parent` raises (`ImportWarning` until
    #: 3.11, `DeprecationWarning` from 3.12).
    package_mismatch_warning: str = "ImportWarning"
    #: `_ModuleLock` is re-entrant in one thread (3.12+, gh-90791), so that an
    #: import re-entered from a signal handler or `__del__` does not deadlock.
    reentrant_module_locks: bool = False

    def suffix_list(self, soabi: str) -> list[str]:
        """The suffixes in the order they are tried, `{soabi}` filled in."""
        return [suffix.format(soabi=soabi) for suffix, _ in self.suffixes]

    def suffixes_of(self, kind: str, soabi: str = "") -> list[str]:
        """The suffixes of one kind (`extension`, `source`, `bytecode`), in order."""
        return [s.format(soabi=soabi) for s, k in self.suffixes if k == kind]


_FROZEN_3 = (
    "_frozen_importlib", "_frozen_importlib_external", "zipimport", "abc", "codecs", "io",
    "_collections_abc", "_sitebuiltins", "genericpath", "ntpath", "posixpath", "os.path",
    "os", "site", "stat", "importlib.util", "importlib.machinery", "runpy", "__hello__",
    "__hello_alias__", "__phello_alias__", "__phello_alias__.spam", "__phello__",
    "__phello__.__init__", "__phello__.ham", "__phello__.ham.__init__", "__phello__.ham.eggs",
    "__phello__.spam", "__hello_only__",
)

_STARTUP_3 = (
    "sys", "builtins", "_frozen_importlib", "_imp", "_thread", "_warnings", "_weakref",
    "_io", "marshal", "posix", "_frozen_importlib_external", "time", "zipimport", "_codecs",
    "codecs", "encodings.aliases", "encodings", "encodings.utf_8", "_signal", "_abc", "abc",
    "io", "__main__",
)

_SUFFIXES_3 = ((".{soabi}.so", "extension"), (".abi3.so", "extension"), (".so", "extension"),
               (".py", "source"), (".pyc", "bytecode"))

PROFILES: dict[str, ImportProfile] = {
    "2.7": ImportProfile(
        machinery="import.c",
        messages=_MESSAGES_2,
        suffixes=((".so", "extension"), ("module.so", "extension"), (".py", "source"),
                  (".pyc", "bytecode")),
        frozen_modules=("__hello__", "__phello__", "__phello__.spam"),
        startup_modules=("__builtin__", "sys", "exceptions", "zipimport", "_codecs", "codecs",
                         "encodings.aliases", "encodings", "encodings.utf_8", "_warnings",
                         "signal", "__main__"),
        startup_misses=("encodings.__builtin__", "encodings.codecs", "encodings.encodings"),
        implicit_relative_imports=True,
        namespace_packages=False,
    ),
    "3.11": ImportProfile(
        machinery="importlib",
        messages=_MESSAGES_3,
        suffixes=_SUFFIXES_3,
        frozen_modules=_FROZEN_3,
        startup_modules=_STARTUP_3,
        legacy_finder_fallback=True,
    ),
    "3.12": ImportProfile(
        machinery="importlib",
        messages=_MESSAGES_3,
        suffixes=_SUFFIXES_3,
        frozen_modules=_FROZEN_3,
        startup_modules=_STARTUP_3,
        package_mismatch_warning="DeprecationWarning",
        reentrant_module_locks=True,
    ),
    "3.13": ImportProfile(
        machinery="importlib",
        messages=_MESSAGES_3,
        suffixes=_SUFFIXES_3,
        frozen_modules=_FROZEN_3,
        startup_modules=_STARTUP_3,
        package_mismatch_warning="DeprecationWarning",
        reentrant_module_locks=True,
    ),
}


def get(name: str | None = None) -> ImportProfile:
    """The import profile of version `name` (default: the running interpreter's)."""
    return resolve(name, PROFILES, what="import")
