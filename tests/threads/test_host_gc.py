"""The host's cycle collector runs neither inside a model thread nor while
`count_opcodes` counts."""

from __future__ import annotations

import gc

from pyinternals.threads import Simulation
from pyinternals.threads.ceval import count_opcodes


class _Finalized:
    """A host object in a cycle whose finalizer runs Python code when collected."""

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        total = 0
        for i in range(50):
            total += i


def _allocating(n: int) -> None:
    items = []
    for i in range(n):
        items.append([i])


def test_a_host_collection_does_not_count_as_a_model_threads_opcodes():
    old = gc.get_threshold()
    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            _Finalized()
        gc.set_threshold(500)
        gc.enable()
        alone = count_opcodes(_allocating, 3000)
        assert gc.isenabled()
        gc.collect()
        gc.disable()
        # Garbage cycles of the host made while the collector is off, and a threshold
        # the model thread's allocations (not the few of run()'s start) would reach.
        for _ in range(20):
            _Finalized()
        sim = Simulation("ticker")
        try:
            sim.start_new_thread(_allocating, (3000,))
            gc.set_threshold(500)
            gc.enable()
            sim.run()
            counts = [stats.opcodes for stats in sim.stats.values() if stats.opcodes]
        finally:
            sim.close()
        assert gc.isenabled()
    finally:
        gc.set_threshold(*old)
        gc.enable()
        gc.collect()
    assert counts == [alone]
