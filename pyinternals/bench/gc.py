"""The collector model on a heap of a million objects, against the real `gc.collect()`.

The real objects: 500,000 `Node` instances, each holding a list of references (an
instance and its list: a million containers), tied into rings of four.  Half of the
rings stay reachable from a list kept aside, the other half are cyclic garbage.  The
real `gc.collect()` is timed on them; then the same objects are built again,
mirrored into the model ({py:meth}`Heap.from_objects
<pyinternals.memory.gc.heap.Heap.from_objects>`), and the model's full collection is
timed.  Both must find the same number of unreachable objects.  The chapter is
{doc}`/memory/gc`.
"""

from __future__ import annotations

import gc
import time

from pyinternals.bench import Benchmark, Result
from pyinternals.memory.gc import Heap

NODES = 500_000
RING = 4
TARGET = 10.0


class Node:
    """A real object of the benchmark: an instance and its list of references."""

    def __init__(self) -> None:
        self.refs: list[Node] = []


def _build() -> tuple[list[Node], list[Node]]:
    nodes = [Node() for _ in range(NODES)]
    for i in range(0, NODES, RING):
        for k in range(RING):
            nodes[i + k].refs.append(nodes[i + (k + 1) % RING])
    keep = nodes[:: 2 * RING]          # one node of every other ring
    return nodes, keep


def _full_collection() -> Result:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        # The real collector first, with only the real objects around: the model's
        # mirror is itself millions of Python objects, which gc.collect() would
        # otherwise traverse too.  The model gets the same objects, built again.
        gc.collect()
        nodes, keep = _build()
        del nodes
        started = time.perf_counter()
        real_found = gc.collect()
        real_time = time.perf_counter() - started
        del keep
        gc.collect()
        nodes, keep = _build()
        started = time.perf_counter()
        heap = Heap.from_objects(nodes)
        mirrored = time.perf_counter() - started
        size = len(heap.objects())
        del nodes                      # the mirror does not count the list passed in
        started = time.perf_counter()
        model_found = heap.collect()
        model_time = time.perf_counter() - started
        del keep, heap
        gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    notes = [f"{size:,} containers mirrored in {mirrored:.1f} s (not timed)"]
    if model_found != real_found:
        notes.append(f"THE MODEL FOUND {model_found:,} unreachable objects, "
                     f"real gc.collect() {real_found:,}")
    else:
        notes.append(f"both found {real_found:,} unreachable objects")
    return Result(
        figures=[
            ("containers in the heap", float(size), "objects"),
            ("model: full collection", model_time, "s"),
            ("real gc.collect(), same objects", real_time, "s"),
        ],
        ratio=model_time / real_time,
        target=TARGET,
        notes=notes,
    )


BENCHMARKS = [
    Benchmark(
        "gc-full-collection",
        "a full collection of a heap mirrored from a million real objects with cycles",
        _full_collection,
    ),
]
