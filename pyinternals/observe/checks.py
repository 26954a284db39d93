"""The ledger's first rows: facts of each version, straight from the profiles.

Each row compares one field of a version profile ({py:mod}`pyinternals.profiles`)
with what the real interpreter reports through the `facts` probe.  They are the
constants every chapter leans on, so they are checked first.
"""

from __future__ import annotations

from typing import Any

from pyinternals import profiles
from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.ledger import Check, compare
from pyinternals.observe.probing import probe_once

CHAPTER = "intro"


def _facts(interpreter: Interpreter) -> dict[str, Any]:
    facts: dict[str, Any] = probe_once(interpreter, "facts")
    return facts


def _pyc_location(name: str) -> str:
    pyc = profiles.pyc.get(name)
    if pyc.location == "beside":
        return "probe_mod.pyc"
    return f"__pycache__/probe_mod.{pyc.cache_tag}.pyc"


def _gil_interval(interpreter: Interpreter) -> str:
    facts = _facts(interpreter)
    if "check_interval" in facts:
        return f"check interval {facts['check_interval']} opcodes"
    return f"switch interval {facts['switch_interval'] * 1000:g} ms"


def _builtin_row(name: str) -> Check:
    def model(version: str) -> bool | None:
        build = profiles.build.get(version)
        if name in build.builtin_modules:
            return True
        if name in build.not_builtin:
            return False
        return None  # the profile makes no claim

    return compare(
        f"build.builtin.{name}",
        CHAPTER,
        f"{name!r} is compiled into the interpreter",
        f"{name!r} in sys.builtin_module_names",
        model=model,
        observe=lambda i: name in _facts(i)["builtin_module_names"],
        families=tuple(v for v in profiles.KNOWN if model(v) is not None),
    )


CHECKS: list[Check] = [
    compare(
        "build.pointer-size",
        CHAPTER,
        "a pointer is 8 bytes (the models lay structures out as on a 64-bit build)",
        "struct.calcsize('P')",
        model=lambda v: profiles.build.get(v).pointer_size,
        observe=lambda i: _facts(i)["pointer_size"],
    ),
    compare(
        "pyc.magic",
        CHAPTER,
        "the magic number that starts every .pyc file",
        "importlib.util.MAGIC_NUMBER (imp.get_magic() on 2.7)",
        model=lambda v: profiles.pyc.get(v).magic.hex(),
        observe=lambda i: _facts(i)["magic"],
    ),
    compare(
        "pyc.header-size",
        CHAPTER,
        "the bytes before the marshalled code object in a .pyc file",
        "py_compile a module, then find the offset where marshal.loads gives a code object",
        model=lambda v: profiles.pyc.get(v).header_size,
        observe=lambda i: _facts(i)["pyc_header_size"],
    ),
    compare(
        "pyc.location",
        CHAPTER,
        "where the .pyc file of probe_mod.py is written",
        "py_compile.compile(probe_mod.py) and the path of the file it wrote",
        model=_pyc_location,
        observe=lambda i: _facts(i)["pyc_path"],
    ),
    compare(
        "gc.thresholds",
        CHAPTER,
        "the collector's default thresholds for generations 0, 1, 2",
        "gc.get_threshold() in a fresh interpreter",
        model=lambda v: tuple(profiles.gc.get(v).thresholds),
        observe=lambda i: tuple(_facts(i)["gc_threshold"]),
    ),
    compare(
        "gil.interval",
        CHAPTER,
        "how long a thread may run before it offers the GIL",
        "sys.getcheckinterval() on 2.7, sys.getswitchinterval() on 3.x",
        model=lambda v: profiles.gil.get(v).describe(),
        observe=_gil_interval,
    ),
    *(_builtin_row(name) for name in
      ("sys", "builtins", "__builtin__", "exceptions", "_thread", "thread", "gc",
       "marshal", "zipimport")),
]
