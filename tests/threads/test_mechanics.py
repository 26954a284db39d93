"""The exact mechanics of both GILs on the virtual clock."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyinternals.threads import Simulation, VirtualClock
from pyinternals.threads.ceval import count_opcodes

ROUND = VirtualClock(wake_jitter=0)
FREE = VirtualClock(syscall=0, wake=0, signal=0, timer_slack=0, wake_jitter=0)


def spin(n):
    i = 0
    while i < n:
        i += 1


def forever(stop):
    while not stop:
        pass


def run(sim, *bodies):
    try:
        for body, args in bodies:
            sim.start_new_thread(body, args)
        assert sim.run()
    finally:
        sim.close()
    return sim


# 256 and beyond: the countdown holds at most COUNTDOWN_MAX opcodes of a budget at once.
@pytest.mark.parametrize("check_interval", [1, 10, 100, 250, 256, 257, 1000])
def test_ticker_slices_are_check_interval_plus_one(check_interval):
    sim = run(Simulation("ticker", check_interval=check_interval, clock=ROUND),
              (spin, (2_000,)), (spin, (2_000,)))
    lengths = Counter(s.opcodes for s in sim.timeline if s.reason == "ticks")
    # The first slice starts on a full ticker (check_interval); every later full slice
    # runs the opcode at which the check happened too: --_Py_Ticker < 0.
    assert lengths.most_common(1)[0][0] == check_interval + 1
    assert set(lengths) <= {check_interval, check_interval + 1} | {
        s.opcodes for s in sim.timeline if s.reason == "ticks" and s is sim.timeline[0]
    } | set(range(check_interval + 2))


@settings(max_examples=12, deadline=None)
@given(work=st.lists(st.integers(min_value=0, max_value=1_500), min_size=1, max_size=4),
       design=st.sampled_from(["ticker", "switch"]), seed=st.integers(0, 3))
def test_opcodes_per_thread_equal_running_alone(work, design, seed):
    sim = Simulation(design, switch_interval=0.00005, seed=seed)
    run(sim, *((spin, (n,)) for n in work))
    alone = sorted(count_opcodes(spin, n) for n in work)
    assert sorted(s.opcodes for s in sim.stats.values()) == alone
    assert sum(s.opcodes for s in sim.timeline) == sum(alone)


def test_slices_never_overlap_and_are_in_time_order():
    sim = run(Simulation("switch", switch_interval=0.0001),
              (spin, (3_000,)), (spin, (3_000,)), (spin, (500,)))
    for a, b in zip(sim.timeline, sim.timeline[1:], strict=False):
        assert a.end <= b.start


def test_switch_waiter_gets_the_gil_within_an_interval_and_an_opcode():
    interval = 0.0002
    sim = Simulation("switch", switch_interval=interval, clock=FREE)
    stop = []

    def waiter():
        for _ in range(5):
            sim.sleep(0)
        stop.append(True)

    run(sim, (forever, (stop,)), (waiter,  ()))
    longest = sim.stats[3].longest_wait
    assert FREE.ticks(interval) <= longest <= FREE.ticks(interval) + 1
    assert sim.stats[3].drop_requests == sim.stats[3].waits


def test_switch_costs_add_up_as_stated():
    interval = 0.0001
    sim = run(Simulation("switch", switch_interval=interval, clock=ROUND),
              (spin, (2_000,)), (spin, (2_000,)))
    first, second = sim.timeline[0], sim.timeline[1]
    assert first.reason == "drop request"
    assert first.start == ROUND.wake
    assert first.end - first.start == ROUND.ticks(interval)  # the waiter waited from `wake`
    # drop_gil wakes the waiter (it runs `wake` later, while the dropper pays `signal`),
    # then the new holder pays `signal` to wake the dropper waiting on switch_cond.
    assert second.start - first.end == ROUND.wake + ROUND.signal


def test_a_blocking_thread_hands_over_at_once():
    sim = Simulation("switch", switch_interval=0.001, clock=ROUND)
    stop = []

    def sleeper():
        sim.sleep(0.0005)
        stop.append(True)

    run(sim, (sleeper, ()), (forever, (stop,)))
    first = sim.timeline[0]
    cpu = sim.timeline[1]
    assert (first.thread, first.reason) == (2, "blocking")
    assert cpu.thread == 3
    # No interval was waited: only the wake-up of the waiting thread.
    assert cpu.start - first.end == ROUND.wake


def test_ticker_blocking_call_lets_a_sleeper_in():
    sim = Simulation("ticker", clock=ROUND)
    order = []

    def first():
        order.append("first sleeps")
        sim.sleep(0.001)
        order.append("first wakes")

    def second():
        order.append("second runs")

    run(sim, (first, ()), (second, ()))
    assert order == ["first sleeps", "second runs", "first wakes"]


def test_same_seed_same_timeline_different_seed_may_differ():
    def timeline(seed):
        sim = run(Simulation("ticker", seed=seed), (spin, (3_000,)), (spin, (3_000,)))
        return [(s.thread, s.start, s.end, s.reason) for s in sim.timeline]

    assert timeline(1) == timeline(1)
    assert any(timeline(0) != timeline(s) for s in (1, 2, 3))


def test_the_gil_is_created_by_the_first_thread_in_2x_and_at_startup_in_3x():
    old = Simulation(profile="2.7")
    new = Simulation(profile="3.12")
    try:
        assert not old.gil.created
        assert new.gil.created
        old.start_new_thread(spin, (10,))
        assert old.gil.created
        assert old.gil.main_thread == 1
        assert old.run()
    finally:
        old.close()
        new.close()


def test_handoff_probability_one_switches_at_every_check():
    clock = VirtualClock(handoff=1.0, wake_jitter=0)
    sim = run(Simulation("ticker", clock=clock), (spin, (1_000,)), (spin, (1_000,)))
    threads = [s.thread for s in sim.timeline][:6]
    assert threads == [2, 3, 2, 3, 2, 3]


def test_virtual_time_moves_one_per_opcode():
    sim = Simulation("switch", clock=ROUND)
    seen = []

    def body():
        start = sim.now()
        spin(100)
        seen.append(sim.now() - start)

    run(sim, (body, ()))
    # The loop's opcodes, and the few of the call and the second `sim.now()`.
    assert count_opcodes(spin, 100) < seen[0] < count_opcodes(spin, 100) + 20
