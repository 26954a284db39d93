"""The workloads, and the model against each real interpreter on graphs the ledger
does not run (a failure prints the step where they part, and the heap's state)."""

import json

import pytest

from pyinternals.memory.gc import Heap, workloads
from pyinternals.memory.gc.fidelity import PROBES, RANDOM_GRAPHS
from pyinternals.observe import run_probe


def test_random_graphs_are_reproducible_and_consistent():
    spec = workloads.random_graph(42, 12)
    assert spec == workloads.random_graph(42, 12)
    names = {n["name"] for n in spec["nodes"]} | {w["name"] for w in spec["weakrefs"]}
    for step in spec["steps"]:
        assert step[0] in ("unroot", "unlink", "collect")
        assert all(name in names for name in step[1:] if isinstance(name, str))
    assert spec["steps"][-1] == ["collect", 2]
    json.dumps(spec)                               # a probe's payload


def test_allocation_workloads_decode():
    spec = workloads.allocation_workload(3, 500, keep_every=4, thresholds=(50, 3, 3))
    ops = workloads.decode(spec["ops"])
    assert len(ops) == 500
    assert [op for op in ops if op[0] == workloads.KEEP] == [[workloads.KEEP]] * 125
    assert all(len(op) == workloads.OP_SIZE[op[0]] for op in ops)


@pytest.mark.parametrize("version", ["2.7", "3.11", "3.12", "3.13"])
def test_an_allocation_run_in_the_model(version):
    spec = workloads.allocation_workload(5, 3000, keep_every=3, thresholds=(50, 3, 3))
    run = workloads.AllocationRun(spec, version, long_lived=100)
    seen = run.run()
    assert seen, "small thresholds collect often"
    if version == "2.7":
        assert len(run.reports) == len(seen)       # one report per collection
    else:
        assert {generation for _, generation, _, _ in seen} == {0, 1, 2}
    run.heap.check()


SEEDS = [(seed, 12) for seed in (100, 101, 102)]
assert not set(SEEDS) & set(RANDOM_GRAPHS)


@pytest.mark.parametrize(("seed", "size"), SEEDS)
def test_random_graphs_against_the_real_collector(real_python, seed, size):
    spec = workloads.random_graph(seed, size)
    real = run_probe(real_python, PROBES / "graph.py", payload=spec)
    model = workloads.run_graph(spec, real["snapshot"], real_python.profile)
    for i, (m, r) in enumerate(zip(model, real["steps"], strict=True)):
        if m != r:
            heap = Heap.from_snapshot(real["snapshot"], real_python.profile)
            pytest.fail(f"step {i} of graph {seed} on {real_python.describe()}:\n"
                        f"  model: {m}\n  real:  {r}\nthe mirrored heap before the steps:\n"
                        f"{heap.describe()}")
