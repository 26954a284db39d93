"""Allocation traces: realistic mixes of `malloc` and `free` to drive an allocator.

A trace is a list of operations `(kind, slot, nbytes)`: kind 1 is
`slots[slot] = malloc(nbytes)`, kind 0 is `free(slots[slot])`.  Slots are
reused, so a driver needs `max_live` of them.  {py:func}`drive` runs a trace
against any `malloc`/`free` pair: the model's, or the real `PyObject_Malloc` and
`PyObject_Free` through ctypes (the benchmark does both).

The mix imitates what CPython asks of its allocator: mostly small objects (ints,
floats, short strings and tuples of 16 to 64 bytes), fewer medium ones, a few
over the 512-byte threshold; most objects die young, in roughly the reverse order
of their birth, while some live long.

```python
>>> ops = mixed_trace(6, seed=1)
>>> [kind for kind, _, _ in ops]
[1, 1, 1, 1, 1, 0]
>>> from pyinternals.memory import Allocator
>>> a = Allocator("3.12")
>>> slots = drive(a.malloc, a.free, ops)
>>> len(a.live_blocks())               # five mallocs, one free
4

```
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

Op = tuple[int, int, int]

#: (weight, smallest, largest request): the size mix of {py:func}`mixed_trace`.
SIZE_MIX: tuple[tuple[int, int, int], ...] = (
    (60, 16, 64),
    (20, 65, 128),
    (10, 129, 256),
    (7, 257, 512),
    (25, 513, 4096),      # per thousand: 2.5 %
    (5, 4097, 65536),     # 0.5 %
)


def _sizes(rng: random.Random) -> Callable[[], int]:
    weights = [w * (10 if lo <= 512 else 1) for w, lo, _ in SIZE_MIX]
    bands = [(lo, hi) for _, lo, hi in SIZE_MIX]

    def draw() -> int:
        lo, hi = rng.choices(bands, weights)[0]
        return rng.randint(lo, hi)

    return draw


def mixed_trace(n_ops: int, *, seed: int = 0, max_live: int = 20_000) -> list[Op]:
    """`n_ops` operations; the live set grows to about `max_live` blocks and churns."""
    rng = random.Random(seed)
    draw = _sizes(rng)
    ops: list[Op] = []
    live: list[int] = []           # slots in use, youngest last
    free_slots: list[int] = []
    next_slot = 0
    for _ in range(n_ops):
        target = 0.5 + 0.15 * (1 - len(live) / max_live)
        if live and (len(live) >= max_live or rng.random() > target):
            # Mostly one of the youngest (LIFO-ish lifetimes), sometimes any.
            k = len(live) - 1 - min(int(rng.expovariate(0.3)), len(live) - 1) \
                if rng.random() < 0.8 else rng.randrange(len(live))
            slot = live.pop(k)
            ops.append((0, slot, 0))
            free_slots.append(slot)
        else:
            if free_slots:
                slot = free_slots.pop()
            else:
                slot, next_slot = next_slot, next_slot + 1
            live.append(slot)
            ops.append((1, slot, draw()))
    return ops


def drive(malloc: Callable[[int], Any], free: Callable[[Any], Any],
          ops: list[Op], slots: list[Any] | None = None) -> list[Any]:
    """Run `ops`; returns the slots (the addresses still live at the end)."""
    if slots is None:
        slots = [0] * (1 + max((slot for _, slot, _ in ops), default=0))
    for kind, slot, nbytes in ops:
        if kind:
            slots[slot] = malloc(nbytes)
        else:
            free(slots[slot])
    return slots
