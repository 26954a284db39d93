"""The gc benchmark runs (on a small heap here: benchmarks are never timed tests)."""

from pyinternals.bench import all_benchmarks
from pyinternals.bench import gc as gc_bench


def test_the_benchmark_is_registered():
    assert "gc-full-collection" in {b.name for b in all_benchmarks()}


def test_a_small_run_agrees_with_the_real_collector(monkeypatch):
    monkeypatch.setattr(gc_bench, "NODES", 2000)
    result = gc_bench._full_collection()
    assert result.figures[0] == ("containers in the heap", 4000.0, "objects")
    assert result.ratio is not None
    assert result.target == 10.0
    assert "both found 2,000 unreachable objects" in result.notes
