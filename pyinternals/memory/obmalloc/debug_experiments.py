"""The debug hooks' experiments, run against the model or a real interpreter.

A real interpreter runs `probes/pydebug.py` (and, for the block strides,
`probes/obmalloc.py`) with `PYTHONMALLOC=pymalloc_debug` in its environment: 3.6+
then wraps every block of its release build as a `PYMALLOC_DEBUG` build would;
2.7 has no such switch and runs as usual.  The model runs the very same experiment
functions with a {py:class}`DebugWorld`: a
{py:class}`~pyinternals.memory.obmalloc.debug.DebugAllocator` where the version can
install the hooks at run time, the plain
{py:class}`~pyinternals.memory.obmalloc.allocator.Allocator` where it cannot.  The
checks are in {py:mod}`~pyinternals.memory.obmalloc.fidelity`; the chapter
{doc}`/memory/allocator` shows them.

```python
>>> run_model("3.12", "decorations", {"sizes": [100]})[0][1]
'00*7 64 6f fd*7 cd*100 fd*8'

```
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

from pyinternals import profiles
from pyinternals.memory.obmalloc import experiments as X
from pyinternals.memory.obmalloc.allocator import Allocator
from pyinternals.memory.obmalloc.debug import DebugAllocator, DebugMemoryError
from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.probing import clean_environment, run_probe

#: The probe script holding the experiments.
PROBE = Path(__file__).parent / "probes" / "pydebug.py"
#: What switches the hooks on in a real 3.x release build.
DEBUG_ENV = {"PYTHONMALLOC": "pymalloc_debug"}
#: Requests whose blocks the decorations experiment reads.  With the hooks, ctypes'
#: own 64- and 32-byte objects become requests of 88 and 56 bytes (classes 96 and
#: 64): these sizes (plus 24) stay clear of them.
DECORATION_SIZES = (8, 100, 200, 488)
#: Requests whose strides the layout experiment measures under the hooks: 100 + 24
#: bytes is a 128-byte block, 488 + 24 the largest small one.
STRIDE_SIZES = (100, 200, 300, 488)
#: The request size of the crimes.
CRIME_SIZE = 100


class DebugWorld:
    """The model, seen as the probe sees a real interpreter run with the hooks asked for."""

    def __init__(self, profile: str) -> None:
        p = profiles.obmalloc.get(profile)
        #: The debug allocator, or None when the version cannot install it at run time.
        self.debug = DebugAllocator(profile) if p.debug_hooks_at_runtime else None
        self.allocator = self.debug.allocator if self.debug else Allocator(profile)
        #: The block and size that `announce` was told about (the crimes' block).
        self.announced = (0, 0)

    def malloc(self, nbytes: int) -> int:
        """`PyObject_Malloc`."""
        return self.debug.malloc(nbytes) if self.debug else self.allocator.malloc(nbytes)

    def mem_malloc(self, nbytes: int) -> int:
        """`PyMem_Malloc` (API `'m'`; without the hooks, pymalloc as well)."""
        return self.debug.malloc(nbytes, "m") if self.debug else self.allocator.malloc(nbytes)

    def free(self, p: int | None) -> None:
        """`PyObject_Free`."""
        if self.debug:
            self.debug.free(p or 0)
        else:
            self.allocator.free(p or 0)

    def array(self, n: int) -> list[int]:
        """Room for `n` addresses."""
        return [0] * n

    def read(self, address: int, size: int) -> bytearray:
        """`size` bytes of memory at `address`."""
        return bytearray(self.allocator.space.read(address, size))

    def poke(self, address: int, byte: int) -> None:
        """Write one byte."""
        self.allocator.space.write(address, bytes([byte]))

    def announce(self, p: int, nbytes: int) -> None:
        """Remember the block the crime is about."""
        self.announced = (p, nbytes)


@functools.cache
def experiments() -> ModuleType:
    """The probe script, loaded as a module (its `main` does not run)."""
    spec = importlib.util.spec_from_file_location("_pyinternals_pydebug_probe", PROBE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _crimes_model(profile: str, nbytes: int) -> dict[str, Any]:
    """Each crime against a fresh model: did it abort, and what did it print."""
    module = experiments()
    out: dict[str, Any] = {}
    for crime in module.CRIMES:
        world = DebugWorld(profile)
        try:
            module.commit(world, crime, nbytes)
        except DebugMemoryError as exc:
            out[crime] = {"status": "abort", "lines": module.report(exc.report,
                                                                    *world.announced)}
        else:
            out[crime] = {"status": "exit 0", "lines": []}
    return out


def run_model(profile: str, command: str, payload: Any = None) -> Any:
    """Run one experiment against a fresh model of `profile`, hooks asked for."""
    payload = dict(payload or {})
    if command == "decorations":
        pool_size = profiles.obmalloc.get(profile).POOL_SIZE
        return experiments().decorations(DebugWorld(profile), payload["sizes"], pool_size)
    if command == "crimes":
        return _crimes_model(profile, payload["nbytes"])
    if command == "layout":
        return X.experiments().layout(DebugWorld(profile), payload["sizes"])
    raise ValueError(f"no debug experiment named {command!r}; known: decorations, "
                     "crimes, layout")


_real_cache: dict[tuple[str, str, str], Any] = {}


def _status(code: int) -> str:
    return "abort" if code == -6 else f"exit {code}" if code >= 0 else f"signal {-code}"


def run_real(interpreter: Interpreter, command: str, payload: Any = None) -> Any:
    """Run one experiment in a real interpreter with `PYTHONMALLOC=pymalloc_debug`."""
    payload = dict(payload or {})
    key = (interpreter.real_executable, command, json.dumps(payload, sort_keys=True))
    if key in _real_cache:
        return _real_cache[key]
    env = clean_environment(DEBUG_ENV)
    if command == "decorations":
        assert interpreter.profile is not None
        payload["pool_size"] = profiles.obmalloc.get(interpreter.profile).POOL_SIZE
        result = run_probe(interpreter, PROBE, command, payload=payload, flags=("-s",),
                           env=env)
    elif command == "crimes":
        raw = run_probe(interpreter, PROBE, command, payload=payload, flags=("-s",), env=env)
        result = {crime: {"status": _status(r["status"]), "lines": r["lines"]}
                  for crime, r in raw.items()}
    elif command == "layout":
        result = run_probe(interpreter, X.PROBE, command, payload=payload, flags=("-s",),
                           env=env)
    else:
        raise ValueError(f"no debug experiment named {command!r}; known: decorations, "
                         "crimes, layout")
    _real_cache[key] = result
    return result
