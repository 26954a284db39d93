"""Drawings and the trace: deterministic, in the model's vocabulary."""

from __future__ import annotations

import re

from pyinternals.threads import Simulation, VirtualClock


def spin(n):
    i = 0
    while i < n:
        i += 1


def snapshot_run(design):
    sim = Simulation(design, switch_interval=0.0001, clock=VirtualClock(wake_jitter=0))
    pictures = []

    def watcher():
        spin(3_000)
        pictures.append(sim.snapshot())

    sim.start_new_thread(watcher)
    sim.start_new_thread(spin, (6_000,))
    assert sim.run()
    sim.close()
    return sim, pictures[0]


def test_snapshot_draws_holder_and_waiter():
    _, picture = snapshot_run("switch")
    dot = picture.to_dot()
    assert '"gil" -> "t2"' in dot  # the GIL is held by the thread taking the picture
    assert '"t3" -> "gil"' in dot  # and thread 3 waits in take_gil
    assert "gil_drop_request" in dot
    assert not re.search(r"0x[0-9a-f]{6,}", dot)  # no addresses


def test_same_run_same_drawings():
    a, pa = snapshot_run("ticker")
    b, pb = snapshot_run("ticker")
    assert a is not b
    assert pa.to_dot() == pb.to_dot()
    assert a.timeline.to_dot() == b.timeline.to_dot()
    assert "_Py_Ticker" in pa.to_dot()


def test_timeline_chart_has_a_row_per_thread_and_a_cell_per_slice():
    sim, _ = snapshot_run("switch")
    dot = sim.timeline.to_dot(first=4)
    assert '"row2"' in dot
    assert '"row3"' in dot
    assert len(re.findall(r'^\s+"c0_\d+" \[', dot, re.M)) == 2  # slice 0: a cell per thread
    assert "more" in dot


def test_trace_prints_the_changes_of_hands(capsys):
    sim = Simulation("switch", switch_interval=0.0001, clock=VirtualClock(wake_jitter=0))
    sim.trace = True
    sim.start_new_thread(spin, (2_000,))
    sim.start_new_thread(spin, (2_000,))
    sim.run()
    sim.close()
    out = capsys.readouterr().out
    assert "     100  thread 2  takes the GIL" in out
    assert "    2100  thread 3  waited a whole interval: sets gil_drop_request" in out
    assert "    2100  thread 2  drops the GIL (drop request, 2000 opcodes)" in out


def test_timeline_format_and_stats_table():
    sim, _ = snapshot_run("ticker")
    text = sim.timeline.format(first=2)
    assert text.splitlines()[0].startswith("thread")
    assert "more slices" in text
    assert "opcodes" in sim.format_stats().splitlines()[0]


def test_trace_can_be_a_function_that_draws_the_moment():
    sim = Simulation("switch", switch_interval=0.0001, clock=VirtualClock(wake_jitter=0))
    lines, pictures = [], []

    def watch(line):
        lines.append(line)
        if "sets gil_drop_request" in line and not pictures:
            pictures.append(sim.snapshot())

    sim.trace = watch
    sim.start_new_thread(spin, (2_000,))
    sim.start_new_thread(spin, (2_000,))
    assert sim.run()
    sim.close()
    dot = pictures[0].to_dot()
    assert "gil_drop_request:\\ 1" in dot  # record labels escape their spaces
    assert "asked: gil_drop_request" in dot
    assert any("takes the GIL" in line for line in lines)
