"""The experiments of the fidelity checks, run against the model or a real interpreter.

The experiments live in one script, `probes/obmalloc.py`, written to run unchanged
on 2.7 and 3.x.  A real interpreter runs it as a probe, with a *world* made of
ctypes' `PyObject_Malloc`, `PyObject_Free` and `PyObject_Realloc`, raw memory reads
and `/proc/self/maps`.  The model runs the very same functions in-process, with a
{py:class}`ModelWorld`: the model's allocator, its memory and its address space.
So a check compares what one procedure observes in two allocators, and no
expectation is written down twice.

Each experiment starts from what it can find in a busy allocator: it allocates
until it sees whole *fresh* pools (blocks handed out at a constant stride from a
pool's first block to its last), and works in those.  The model starts empty, so
its first pools are fresh at once; what the experiments report is the same.

```python
>>> result = run_model("3.12", "layout", {"sizes": [200]})
>>> result[0]["stride"], result[0]["blocks"], result[0]["first_offset"]
(208, 78, 48)

```
"""

from __future__ import annotations

import functools
import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

from pyinternals import profiles
from pyinternals.memory.obmalloc.allocator import Allocator
from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.probing import run_probe

#: The probe script holding the experiments.
PROBE = Path(__file__).parent / "probes" / "obmalloc.py"

#: Request sizes whose classes the layout experiment measures: classes of 96 bytes
#: and up (smaller ones are in constant use by ctypes and the interpreter), at and
#: around class boundaries.
LAYOUT_SIZES = (81, 96, 97, 112, 113, 200, 208, 209, 304, 305, 400, 497, 512)
#: The classes the scenarios use (nbytes, other): unlike 200-odd bytes (small dicts
#: in 3.x) or 448 and up (frames in 2.7), nothing the probe does allocates them.
SCENARIO_SIZES = (304, 368)


class ModelWorld:
    """The model seen as the probe sees a real interpreter."""

    _KIND: ClassVar[dict[str, str]] = {"heap": "heap", "mmap": "anon", "bss": "file"}

    def __init__(self, allocator: Allocator) -> None:
        self.allocator = allocator
        self.malloc = allocator.malloc
        self.realloc = allocator.realloc

    def free(self, p: int | None) -> None:
        """`PyObject_Free`, which ctypes may call with None for NULL."""
        self.allocator.free(p or 0)

    def read_word(self, address: int) -> int:
        """The word at `address`."""
        return self.allocator.space.read_word(address)

    def array(self, n: int) -> list[int]:
        """Room for `n` addresses."""
        return [0] * n

    def mappings(self) -> list[tuple[int, int, str]]:
        """The address space's mappings as `/proc/self/maps` shows them."""
        return [(m.start, m.end, self._KIND[m.kind]) for m in self.allocator.space.mappings()]

    def stats_text(self) -> str:
        """`sys._debugmallocstats()`, the obmalloc part."""
        return self.allocator.debugmallocstats()

    def allocated_blocks(self) -> int:
        """`sys.getallocatedblocks()`."""
        return self.allocator.allocated_blocks()


@functools.cache
def experiments() -> ModuleType:
    """The probe script, loaded as a module (its `main` does not run)."""
    spec = importlib.util.spec_from_file_location("_pyinternals_obmalloc_probe", PROBE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _call(module: ModuleType, world: Any, command: str, payload: Any) -> Any:
    if command == "layout":
        return module.layout(world, payload["sizes"])
    if command == "scenarios":
        return module.scenarios(world, payload["request"], payload["other"])
    if command == "sequences":
        return [module.sequences(world, plan) for plan in payload["plans"]]
    if command == "arenas":
        return module.arenas(world)
    if command == "stats":
        return module.stats(world)
    raise ValueError(f"no experiment named {command!r}; known: layout, scenarios, "
                     "sequences, arenas, stats")


@functools.cache
def _run_model_cached(profile: str, command: str, payload_json: str) -> str:
    world = ModelWorld(Allocator(profile))
    result = _call(experiments(), world, command, json.loads(payload_json))
    return json.dumps(result)


def run_model(profile: str, command: str, payload: Any = None) -> Any:
    """Run one experiment against a fresh model allocator of `profile`."""
    payload_json = json.dumps(payload, sort_keys=True)
    return json.loads(_run_model_cached(profile, command, payload_json))


_real_cache: dict[tuple[str, str, str], Any] = {}


def run_real(interpreter: Interpreter, command: str, payload: Any = None) -> Any:
    """Run one experiment in a real interpreter (once per process and payload)."""
    key = (interpreter.real_executable, command, json.dumps(payload, sort_keys=True))
    if key not in _real_cache:
        _real_cache[key] = run_probe(interpreter, PROBE, command, payload=payload)
    return _real_cache[key]


# -- Random sequences ------------------------------------------------------------------


#: The request sizes of the random sequences: classes 144, 256, 336 and 400, which
#: neither 2.7's lists, generators and frames nor 3.x's small dicts use.
SEQUENCE_SIZES = (130, 250, 330, 400)


def sequence_plan(profile: str, seed: int, n_ops: int = 300,
                  sizes: tuple[int, ...] = SEQUENCE_SIZES) -> dict[str, Any]:
    """A random malloc/free sequence over several classes, valid for the probe.

    Each class gets two fresh pools with all but their first block free, so at most
    `2 * (NUMBLOCKS - 1)` blocks may be live at once: the sequence never needs a
    third pool, which would come from wherever the real process happens to have one.
    """
    p = profiles.obmalloc.get(profile)
    rng = random.Random(seed)
    caps = [2 * (p.NUMBLOCKS(p.size_class(n)) - 1) for n in sizes]
    live: list[list[int]] = [[] for _ in sizes]
    free_slots: list[int] = []
    next_slot = 0
    ops: list[list[int]] = []
    for _ in range(n_ops):
        c = rng.randrange(len(sizes))
        grow = rng.random() < 0.55
        if live[c] and (not grow or len(live[c]) >= caps[c]):
            slot = live[c].pop(rng.randrange(len(live[c])))
            ops.append([0, c, slot])
            free_slots.append(slot)
        else:
            slot = free_slots.pop() if free_slots else next_slot
            if slot == next_slot:
                next_slot += 1
            live[c].append(slot)
            ops.append([1, c, slot])
    return {"sizes": list(sizes), "ops": ops}


# -- Predicting sys._debugmallocstats() rows from a real starting point ---------------


def replicate_class(allocator: Allocator, nbytes: int, num_pools: int, in_use: int) -> None:
    """Give `allocator` `num_pools` used pools of `nbytes`'s class with `in_use` blocks.

    That is all a `_debugmallocstats` row says of a class, and all the counts that
    follow depend on: blocks are freed from the end of each pool, leaving at least
    one in every pool, as any real distribution does.
    """
    p = allocator.profile
    nb = p.NUMBLOCKS(p.size_class(nbytes))
    pools = [[allocator.malloc(nbytes) for _ in range(nb)] for _ in range(num_pools)]
    excess = num_pools * nb - in_use
    for blocks in pools:
        k = min(excess, nb - 1)
        for block in blocks[nb - k:]:
            allocator.free(block)
        excess -= k
    if excess:
        raise ValueError(f"{num_pools} pools cannot hold only {in_use} blocks in use")


def predict_stats_rows(profile: str, text: str, nbytes: int, k: int
                       ) -> list[tuple[int, int, int]]:
    """The class rows the model predicts around `k` mallocs of `nbytes` and their frees.

    Starting from the state the real report `text` shows for that class, the model
    mallocs `k` blocks, then frees them newest first; the rows are (pools, blocks
    in use, available blocks) before, between and after.
    """
    from pyinternals.memory.obmalloc.stats import parse

    p = profiles.obmalloc.get(profile)
    szidx = p.size_class(nbytes)
    before = parse(text, p).row(szidx)
    model = Allocator(profile)
    replicate_class(model, nbytes, before.num_pools, before.blocks_in_use)

    def row() -> tuple[int, int, int]:
        r = model.stats().row(szidx)
        return (r.num_pools, r.blocks_in_use, r.avail_blocks)

    rows = [row()]
    blocks = [model.malloc(nbytes) for _ in range(k)]
    rows.append(row())
    for block in reversed(blocks):
        model.free(block)
    rows.append(row())
    return rows


def real_world() -> Any:
    """The probe's world for the interpreter running this code: its allocator
    through ctypes, its memory, its `/proc/self/maps`."""
    return experiments().Real()
