"""Facts of the build the models assume: word size and the compiled-in modules.

`builtin_modules` is the part of `_inittab` (`Modules/config.c`, generated from
`Modules/Setup`) that every Unix build of the version compiles into the interpreter:
the modules `sys.builtin_module_names` always lists.  Builds may add more (a
distribution can link `math` in statically), so the models claim membership only for
these and absence only for `not_builtin`: modules that are compiled in under one
era's name and not the other's, or that moved out of `_inittab`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyinternals.profiles import resolve


@dataclass(frozen=True)
class BuildProfile:
    """What the models assume about one version's build."""

    #: `sizeof(void *)`: the models lay structures out as on a 64-bit build.
    pointer_size: int
    #: Module names every build of this version compiles in.
    builtin_modules: frozenset[str]
    #: Module names that are not compiled in (renamed, removed or pure Python now).
    not_builtin: frozenset[str]


_CORE_3 = frozenset(
    {"sys", "builtins", "_imp", "marshal", "gc", "_thread", "_warnings", "_weakref",
     "_io", "_codecs", "posix", "_signal", "_abc", "time", "errno", "itertools"}
)

PROFILES: dict[str, BuildProfile] = {
    "2.7": BuildProfile(
        8,
        frozenset({"sys", "__builtin__", "exceptions", "imp", "marshal", "gc", "thread",
                   "_warnings", "_weakref", "zipimport", "_codecs", "posix", "signal",
                   "errno"}),
        frozenset({"builtins", "_imp", "_thread", "_io", "_signal", "_abc", "time",
                   "itertools"}),
    ),
    "3.11": BuildProfile(8, _CORE_3, frozenset({"__builtin__", "exceptions", "imp",
                                                "thread", "zipimport", "signal"})),
    "3.12": BuildProfile(8, _CORE_3, frozenset({"__builtin__", "exceptions", "imp",
                                                "thread", "zipimport", "signal"})),
    "3.13": BuildProfile(8, _CORE_3, frozenset({"__builtin__", "exceptions", "imp",
                                                "thread", "zipimport", "signal"})),
}


def get(name: str | None = None) -> BuildProfile:
    """The build profile of version `name` (default: the running interpreter's)."""
    return resolve(name, PROFILES, what="build")
