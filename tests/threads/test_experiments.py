"""The shapes, the model's experiments on the virtual clock, and the probe."""

from __future__ import annotations

import pytest

from pyinternals.threads import experiments as ex

MS = 1e-3
US = 1e-6


def lat(median, max_, segments=()):
    return ex.Latencies(100, median, median, max_, max_, tuple(segments))


def test_convoy_shapes():
    assert ex.convoy_shape(lat(5.2 * MS, 9 * MS)) == ex.WAITS_AN_INTERVAL
    assert ex.convoy_shape(lat(3 * US, 300 * US)) == ex.SMALL_WITH_TAIL
    # A run in which the CPU-bound thread was kept off the processor for a while.
    assert ex.convoy_shape(lat(54 * US, 9 * MS, [54 * US, 5.1 * MS])) == ex.WAITS_AN_INTERVAL
    assert ex.convoy_shape(lat(3 * US, 4 * US)).startswith("neither")
    assert ex.convoy_shape(lat(1 * MS, 9 * MS)).startswith("neither")


def test_cpu_and_sleep_shapes():
    assert ex.cpu_shape(1.5) == ex.SLOWER
    assert ex.cpu_shape(1.05) == ex.SAME
    assert ex.sleep_shape(lat(1 * US, 2 * US)) == ex.AT_ONCE
    assert ex.sleep_shape(lat(54 * US, 60 * US)) == ex.TIMER_SLACK


def test_latencies_of_values_and_segments():
    summary = ex.Latencies.of([5, 1, 4, 2, 3, 9], segments=2)
    assert (summary.n, summary.median, summary.max) == (6, 4, 9)
    assert summary.segment_medians == (4, 3)
    with pytest.raises(ValueError, match="no round trips"):
        ex.Latencies.of([])


@pytest.mark.parametrize(("design", "profile"), [("ticker", "2.7"), ("switch", "3.12")])
def test_model_reproduces_the_shapes_on_the_virtual_clock(design, profile):
    m = ex.measure_model(design, profile, "virtual")
    if design == "ticker":
        assert (m.sleep, m.convoy, m.cpu) == (ex.AT_ONCE, ex.SMALL_WITH_TAIL, ex.SLOWER)
    else:
        assert (m.sleep, m.convoy, m.cpu) == (ex.TIMER_SLACK, ex.WAITS_AN_INTERVAL, ex.SAME)
    assert len(ex.table_rows([m])[0]) == len(ex.TABLE_HEADER)


def test_probe_facts_run_unchanged_everywhere(real_python):
    facts = ex.real_facts(real_python)
    assert facts["module"] in ("thread", "_thread")
    assert "start_new_thread" in facts["functions"]
    assert facts["unhandled_last_line"] == "ValueError: boom"
