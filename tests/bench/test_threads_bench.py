"""The threads benchmark runs (on a short count here: benchmarks are never timed tests)."""

from pyinternals.bench import all_benchmarks
from pyinternals.bench import threads as threads_bench


def test_the_benchmark_is_registered():
    assert "threads" in {b.name for b in all_benchmarks()}


def test_a_short_run_reports_both_gils_against_the_target(monkeypatch):
    monkeypatch.setattr(threads_bench, "WORK", 2_000)
    monkeypatch.setattr(threads_bench, "REPEATS", 1)
    result = threads_bench._run()
    names = [name for name, _, _ in result.figures]
    assert "simulation, 3.x GIL (5 ms), per opcode" in names
    assert "2.x ticker / bare tracing" in names
    assert result.target == 1.5
    assert result.ratio is not None
    assert result.ratio > 0
    assert any(note.startswith("2.x ticker against the same target: ") for note in result.notes)
