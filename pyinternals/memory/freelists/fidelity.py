"""The free lists' rows of the fidelity ledger.

One run of `probes/freelists.py` per interpreter makes, frees and remakes objects
and reports, for each new object, which dead one's address it took (from `id()`).
The model ({py:class}`~pyinternals.memory.freelists.model.FreeLists` of that
version, starting empty) runs the same steps, and each row compares one summary of
the two: a reuse pattern, a count, the stride of fresh objects.  Raw addresses are
never compared.  The chapter {doc}`/memory/allocator` shows the rows.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyinternals import profiles
from pyinternals.memory.freelists.model import FreeLists
from pyinternals.observe import probe_once
from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.ledger import Check, Outcome, agreement

CHAPTER = "memory/allocator"
PROBE = Path(__file__).parent / "probes" / "freelists.py"
TWO = tuple(v for v in profiles.KNOWN if profiles.freelists.get(v).int_free_list == "blocks")
THREE = tuple(v for v in profiles.KNOWN if v not in TWO)


# -- The model's side of the experiments (the probe's, step for step) ---------------


def _maker(fl: FreeLists, kind: str) -> Callable[[int], int]:
    if kind == "float":
        return lambda i: fl.new_float()
    if kind == "int":
        return lambda i: fl.new_int(10**6 + i)
    length = int(kind.split(":")[1])
    return lambda i: fl.new_tuple(length)


def reuse(family: str, freed: str, n: int, new: str, m: int) -> list[int]:
    """Make `n` objects of kind `freed`, free them in order, make `m` of kind `new`:
    for each new one, the index of the dead object whose address it took, or -1."""
    fl = FreeLists(family)
    make = _maker(fl, freed)
    before = [make(i) for i in range(n)]
    for address in before:
        fl.dealloc(address)
    make = _maker(fl, new)
    where = {a: i for i, a in enumerate(before)}
    return [where.get(make(i), -1) for i in range(m)]


def strides(family: str, kind: str, n: int) -> list[int]:
    """The distances between the addresses of `n` objects made in a row."""
    fl = FreeLists(family)
    make = _maker(fl, kind)
    got = [make(i) for i in range(n)]
    return [b - a for a, b in itertools.pairwise(got)]


def small_ints(family: str, lo: int, hi: int) -> list[int]:
    """The values in `[lo, hi)` for which two ints made apart are the same object."""
    fl = FreeLists(family)
    return [v for v in range(lo, hi) if fl.new_int(v) == fl.new_int(v)]


#: The experiments, by the probe's key: the model's computation of each.
MODEL: dict[str, Callable[[str], Any]] = {
    "float_lifo": lambda f: reuse(f, "float", 8, "float", 8),
    "tuple_lifo": lambda f: reuse(f, "tuple:3", 8, "tuple:3", 8),
    "tuple_per_size": lambda f: reuse(f, "tuple:3", 50, "tuple:2", 50),
    "float_bound": lambda f: reuse(f, "float", 150, "int", 150),
    "tuple_bound": lambda f: reuse(f, "tuple:5", 2100, "tuple:4", 2100),
    "int_to_float": lambda f: reuse(f, "int", 1000, "float", 1000),
    "int_strides": lambda f: strides(f, "int", 1100),
    "float_strides": lambda f: strides(f, "float", 1100),
    "small_ints": lambda f: small_ints(f, -10, 300),
}


# -- Summaries ---------------------------------------------------------------------


def reused(pattern: list[int]) -> int:
    """How many new objects took a dead one's address."""
    return sum(1 for i in pattern if i >= 0)


def any_reused(pattern: list[int]) -> str:
    """`"none"` or `"some"`: whether any new object took a dead one's address."""
    return "some" if reused(pattern) else "none"


def block_stride(steps: list[int]) -> dict[str, int]:
    """The commonest step between fresh objects, and the longest run of it."""
    step = Counter(steps).most_common(1)[0][0]
    longest = run = 0
    for s in steps:
        run = run + 1 if s == step else 0
        longest = max(longest, run)
    return {"step": step, "objects per run": longest + 1}


def value_range(values: list[int]) -> str:
    """`"-5..256 (262 values)"`."""
    return f"{values[0]}..{values[-1]} ({len(values)} values)" if values else "none"


def _row(id: str, claim: str, how: str, key: str, summary: Callable[[Any], Any], *,
         families: tuple[str, ...] = profiles.KNOWN) -> Check:
    def evaluate(interpreter: Interpreter) -> Outcome:
        family = interpreter.profile
        assert family is not None
        real = probe_once(interpreter, PROBE)[key]
        return agreement(summary(MODEL[key](family)), summary(real))

    return Check(id, CHAPTER, claim, how, evaluate, families)


CHECKS: list[Check] = [
    _row("freelists.small-ints",
         "the ints -5 to 256 are made once and shared",
         "v for v in -10..299 with int(str(v)) is int(str(v))",
         "small_ints", value_range),
    _row("freelists.float-lifo",
         "a dead float is kept and handed out again, last freed first",
         "8 floats freed in order, 8 made: which dead float's address each took",
         "float_lifo", lambda p: p),
    _row("freelists.tuple-lifo",
         "a dead tuple is kept on the free list of its length, last freed first",
         "8 3-tuples freed in order, 8 made: which dead tuple's address each took",
         "tuple_lifo", lambda p: p),
    _row("freelists.tuple-per-length",
         "tuples of one length are not reused for another, even of the same size class",
         "50 3-tuples freed, 50 2-tuples made: how many took a dead 3-tuple's address",
         "tuple_per_size", reused),
    _row("freelists.float-bound",
         "3.x keeps at most 100 dead floats and frees the rest; 2.7 keeps them all",
         "150 floats freed (free list drained first), 150 ints made: how many took a "
         "dead float's address", "float_bound", reused),
    _row("freelists.tuple-bound",
         "at most 2000 dead tuples of one length are kept; the rest are freed",
         "2100 5-tuples freed (free list drained first), 2100 4-tuples made (same size "
         "class): how many took a dead 5-tuple's address", "tuple_bound", reused),
    _row("freelists.int-memory-kept",
         "2.7 never gives a dead int's memory back: no float takes it; 3.x frees it",
         "1000 ints freed, 1000 floats made: whether any took a dead int's address",
         "int_to_float", any_reused),
    _row("freelists.int-blocks",
         "2.7 makes ints in blocks of 41, handed out from the last to the first",
         "1100 ints made in a row (free list drained first): commonest id() step, "
         "longest run", "int_strides", block_stride, families=TWO),
    _row("freelists.float-blocks",
         "2.7 makes floats in blocks of 41, handed out from the last to the first",
         "1100 floats made in a row (free list drained first): commonest id() step, "
         "longest run", "float_strides", block_stride, families=TWO),
]
