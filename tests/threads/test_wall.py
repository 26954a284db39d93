"""The wall clock: real threads, real waits.  No assertion here is about timing."""

from __future__ import annotations

import itertools

import pytest

from pyinternals.threads import Simulation
from pyinternals.threads.ceval import count_opcodes


def spin(n):
    i = 0
    while i < n:
        i += 1


@pytest.mark.parametrize("design", ["ticker", "switch"])
def test_wall_run_executes_every_opcode_and_hands_over(design):
    sim = Simulation(design, clock="wall", switch_interval=0.001)
    try:
        for _ in range(2):
            sim.start_new_thread(spin, (20_000,))
        assert sim.run(timeout=60)
    finally:
        sim.close()
    assert [s.opcodes for s in sim.stats.values()] == [count_opcodes(spin, 20_000)] * 2
    assert {s.thread for s in sim.timeline} == {2, 3}
    times = [(s.start, s.end) for s in sim.timeline]
    assert all(a <= b for a, b in times)
    assert all(prev[1] <= nxt[0] for prev, nxt in itertools.pairwise(times))


def test_wall_sleep_and_locks_release_the_gil():
    sim = Simulation("switch", clock="wall")
    lock = sim.allocate_lock()
    order = []

    def first():
        with lock:
            order.append("first has the lock")
            sim.sleep(0.01)
        order.append("first done")

    def second():
        sim.sleep(0.002)
        with lock:
            order.append("second has the lock")

    try:
        sim.start_new_thread(first)
        sim.start_new_thread(second)
        assert sim.run(timeout=60)
    finally:
        sim.close()
    assert order.index("first has the lock") < order.index("second has the lock")
    assert sim.stats[2].blocking_calls >= 1


def test_wall_close_stops_a_spinning_thread():
    sim = Simulation("ticker", clock="wall")
    sim.start_new_thread(lambda: [None for _ in iter(int, 1)])
    assert sim.run(timeout=0.05) is False
    sim.close()
    assert not sim.threads[2].task.alive
