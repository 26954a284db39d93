"""The collector model against real `gc`: the chapter's rows of the fidelity ledger.

Object graphs ({py:func}`~pyinternals.memory.gc.workloads.random_graph` and a few
fixed ones) are built of real instances by the `graph` probe in each interpreter,
which takes a snapshot of them as the collector sees them, then drops references
step by step and collects.  The model is built from that snapshot
({py:meth}`Heap.from_snapshot <pyinternals.memory.gc.heap.Heap.from_snapshot>`) and runs
the same steps; every step must agree: which objects died, the order of `__del__`
calls and weak reference callbacks, `gc.collect()`'s return value, `gc.garbage`.
On the same graphs without `__del__`, the textbook's marking from the roots each
collection infers ({py:mod}`~pyinternals.memory.gc.marking`) must leave white what
real `gc.collect()` frees.

Allocation workloads run with the collector on, in the `auto` probe and in the
model, and the automatic collections must agree: when, which generation, what they
found.  See {doc}`/memory/gc`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyinternals.memory.gc import workloads
from pyinternals.memory.gc.heap import Heap
from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.ledger import Check, Outcome, Status, compare
from pyinternals.observe.probing import probe_once, run_probe

CHAPTER = "memory/gc"
PROBES = Path(__file__).parent / "probes"


def _graph(interpreter: Interpreter, spec: workloads.Spec) -> tuple[list[Any], list[Any]]:
    """The steps as the real interpreter and as the model ran them."""
    assert interpreter.profile is not None
    real = run_probe(interpreter, PROBES / "graph.py", payload=spec)
    model = workloads.run_graph(spec, real["snapshot"], interpreter.profile)
    return model, real["steps"]


def _first_difference(model: list[Any], real: list[Any]) -> tuple[Any, Any]:
    for m, r in zip(model, real, strict=False):
        if m != r:
            return m, r
    return f"{len(model)} steps", f"{len(real)} steps"


def _steps_agree(model: list[Any], real: list[Any], summary: str, note: str = "") -> Outcome:
    """`pass` with a short summary when every step agrees, else the first that differs."""
    if model == real:
        return Outcome(Status.PASS, summary, summary, note)
    m, r = _first_difference(model, real)
    return Outcome(Status.FAIL, m, r, note)


def _events(record: dict[str, Any]) -> str:
    """`del a, cb w1` for a step's `__del__` calls and weakref callbacks, in order."""
    short = {"del": "del", "callback": "cb"}
    return ", ".join(f"{short[kind]} {name}" for kind, name in record["events"]) or "no calls"


def _collect_summary(record: dict[str, Any]) -> str:
    """A collection step in a few words: result, what died, gc.garbage, the calls."""
    garbage = f"; garbage {' '.join(record['garbage'])}" if record["garbage"] else ""
    return (f"{record['result']}; freed {' '.join(record['died']) or 'none'}{garbage}; "
            f"{_events(record)}")


def _fixed_graph(spec: workloads.Spec, describe: Callable[[list[Any]], str]
                 ) -> Callable[[Interpreter], Outcome]:
    def evaluate(interpreter: Interpreter) -> Outcome:
        model, real = _graph(interpreter, spec)
        return _steps_agree(model, real, describe(real))
    return evaluate


def _collects(records: list[Any]) -> str:
    return " / ".join(_collect_summary(r) for r in records if r["step"][0] == "collect")


def _fixed(name: str, nodes: dict[str, str], edges: list[tuple[str, str]],
           steps: list[list[Any]], weakrefs: tuple[tuple[str, str], ...] = ()
           ) -> workloads.Spec:
    return {"seed": name, "nodes": [{"name": n, "kind": k} for n, k in nodes.items()],
            "edges": [list(e) for e in edges],
            "weakrefs": [{"name": w, "target": t, "holder": None} for w, t in weakrefs],
            "steps": steps}


TWO_CYCLE = _fixed("two-cycle", {"a": "plain", "b": "plain"}, [("a", "b"), ("b", "a")],
                   [["unroot", "a"], ["unroot", "b"], ["collect", 2]])
DEL_CYCLE = _fixed("del-cycle", {"a": "del", "b": "del"}, [("a", "b"), ("b", "a")],
                   [["unroot", "a"], ["unroot", "b"], ["collect", 2]])
WEAKREF_ORDER = _fixed(
    "weakref-order", {"a": "del", "b": "del", "c": "plain"},
    [("a", "b"), ("b", "c"), ("c", "a")],
    [["unroot", "a"], ["unroot", "b"], ["unroot", "c"], ["collect", 2]],
    weakrefs=(("wa", "a"), ("wc", "c")))
DEALLOC_ORDER = _fixed(
    "dealloc-order", {"a": "del"}, [],
    [["unroot", "a"]], weakrefs=(("w1", "a"), ("w2", "a")))
RESURRECTION = _fixed(
    "resurrection", {"r": "resurrect", "s": "plain", "t": "plain"},
    [("r", "s"), ("s", "r"), ("t", "t")],
    [["unroot", "r"], ["unroot", "s"], ["unroot", "t"], ["collect", 2], ["collect", 2]])

#: The random graphs every interpreter runs: (seed, number of nodes).
RANDOM_GRAPHS: tuple[tuple[int, int], ...] = (
    (1, 8), (2, 10), (3, 10), (5, 12), (8, 12), (13, 14), (21, 14), (34, 16),
)


def _random_graphs(interpreter: Interpreter) -> Outcome:
    steps = collections = 0
    for seed, size in RANDOM_GRAPHS:
        spec = workloads.random_graph(seed, size)
        model, real = _graph(interpreter, spec)
        if model != real:
            m, r = _first_difference(model, real)
            return Outcome(Status.FAIL, m, r, f"graph seed {seed}, {size} nodes")
        steps += len(real)
        collections += sum(1 for r in real if r["step"][0] == "collect")
    summary = (f"{len(RANDOM_GRAPHS)} graphs, {steps} steps "
               f"({collections} collections) agree")
    return Outcome(Status.PASS, summary, summary)


#: The graphs of the mark-and-sweep row: random graphs with every `__del__` taken out.
MARKED_GRAPHS: tuple[tuple[int, int], ...] = ((1, 8), (3, 10), (5, 12), (8, 12), (13, 14))


def _textbook_marking(interpreter: Interpreter) -> Outcome:
    """Each collection's white set (inferred roots, textbook marking) against real gc."""
    assert interpreter.profile is not None
    found = total = 0
    for seed, size in MARKED_GRAPHS:
        spec = workloads.plain_graph(workloads.random_graph(seed, size))
        real = run_probe(interpreter, PROBES / "graph.py", payload=spec)
        marked = workloads.mark_graph(spec, real["snapshot"], interpreter.profile)
        collected = [r for r in real["steps"] if r["step"][0] == "collect"]
        model = [[m["nodes"], m["white"]] for m in marked]
        observed = [[r["died"], r["result"]] for r in collected]
        if model != observed:
            m, r = _first_difference(model, observed)
            return Outcome(Status.FAIL, m, r, f"graph seed {seed}, {size} nodes: "
                           "[nodes left white, white objects] against "
                           "[nodes freed, gc.collect()]")
        found += sum(len(m["nodes"]) for m in marked)
        total += sum(m["white"] for m in marked)
    summary = (f"{len(MARKED_GRAPHS)} graphs: the same {found} nodes ({total} objects) "
               "white and freed")
    return Outcome(Status.PASS, summary, summary)


#: The allocation workloads: the version's thresholds, and small ones that bring
#: full collections and the long-lived rule within a few thousand allocations.
AUTO_DEFAULT = workloads.allocation_workload(7, 24_000, keep_every=2)
AUTO_SMALL = workloads.allocation_workload(11, 12_000, keep_every=3, thresholds=(50, 3, 3))


def _auto(spec: workloads.Spec) -> Callable[[Interpreter], Outcome]:
    def evaluate(interpreter: Interpreter) -> Outcome:
        assert interpreter.profile is not None
        real = run_probe(interpreter, PROBES / "auto.py", payload=spec)
        run = workloads.AllocationRun(spec, interpreter.profile, real["long_lived"])
        model = run.run()
        skipped = run.heap.full_collections_deferred
        stats = run.heap.get_stats() if real["stats"] is not None else None
        if model != real["seen"] or run.reports != real["reports"] or stats != real["stats"]:
            if model != real["seen"]:
                m, r = _first_difference(model, real["seen"])
            elif run.reports != real["reports"]:
                m, r = _first_difference(run.reports, real["reports"])
            else:
                m, r = stats, real["stats"]
            return Outcome(Status.FAIL, m, r, f"{len(model)} model and {len(real['seen'])} "
                           "real observations")
        if interpreter.profile == "2.7":
            by_generation = Counter(r[0] for r in real["reports"])
        else:
            by_generation = Counter(r[1] for r in real["seen"])
        summary = (f"{sum(by_generation.values())} collections: "
                   + ", ".join(f"{by_generation[g]} of generation {g}"
                               for g in sorted(by_generation)))
        note = (f"{real['long_lived']} long-lived objects at the start; the model skipped "
                f"{skipped} full collections for the long-lived rule")
        return Outcome(Status.PASS, summary, summary, note)
    return evaluate


def _counts_after_collect(version: str) -> list[list[int]]:
    heap = Heap(version)
    heap.collect()
    return [list(heap.get_count()), list(heap.get_count())]


CHECKS: list[Check] = [
    compare(
        "gc.counts.after-collect",
        CHAPTER,
        "gc.get_count() right after a full collection, read twice: the first reading's "
        "tuple is an allocation, since the collection emptied the tuple free list",
        "gc.collect(); gc.get_count(); gc.get_count() (counts probe)",
        model=_counts_after_collect,
        observe=lambda i: probe_once(i, PROBES / "counts.py")["readings"],
    ),
    compare(
        "gc.callbacks.exists",
        CHAPTER,
        "gc.callbacks exists (new in 3.3)",
        "hasattr(gc, 'callbacks')",
        model=lambda v: Heap(v).profile.callbacks,
        observe=lambda i: probe_once(i, PROBES / "counts.py")["callbacks"],
    ),
    Check(
        "gc.graph.two-cycle", CHAPTER,
        "two instances referring to each other (through their lists `refs`) survive "
        "`del` and die at gc.collect(), which counts instances and lists (and 2.7's "
        "instance __dict__s)",
        "graph probe: a <-> b, del both, gc.collect(); model mirrored from the probe's "
        "snapshot (result; freed; calls)",
        _fixed_graph(TWO_CYCLE, _collects),
    ),
    Check(
        "gc.graph.del-cycle", CHAPTER,
        "a cycle of objects with __del__: 2.7 keeps it in gc.garbage uncalled; 3.4+ "
        "calls each __del__ once and frees it (PEP 442)",
        "graph probe: a <-> b with __del__, del both, gc.collect()",
        _fixed_graph(DEL_CYCLE, _collects),
    ),
    Check(
        "gc.graph.weakrefs-before-finalizers", CHAPTER,
        "in a collection, 3.x calls the weakref callbacks of the garbage before any "
        "__del__; 2.7 calls neither: the cycle goes to gc.garbage",
        "graph probe: a -> b -> c -> a, a and b with __del__, weakrefs with callbacks "
        "to a and c, gc.collect()",
        _fixed_graph(WEAKREF_ORDER, _collects),
    ),
    Check(
        "gc.graph.dealloc-order", CHAPTER,
        "an instance freed by reference counting: 2.7 calls its weakref callbacks "
        "(newest first) before __del__; 3.x calls __del__ first",
        "graph probe: a with __del__ and two weakrefs with callbacks, del a",
        _fixed_graph(DEALLOC_ORDER, lambda real: _events(real[0])),
    ),
    Check(
        "gc.graph.resurrection", CHAPTER,
        "an object whose __del__ resurrects it survives with what it reaches, and is "
        "not counted (3.x); 2.7 leaves the cycle in gc.garbage",
        "graph probe: r <-> s, r's __del__ saves r; t -> t; gc.collect() twice",
        _fixed_graph(RESURRECTION, _collects),
    ),
    Check(
        "gc.graph.random", CHAPTER,
        "random graphs (cycles, chains off cycles, kept roots, __del__, resurrection, "
        "weakref callbacks): every step agrees",
        "graph probe per graph: what died at each del, the order of __del__ and "
        "callbacks, gc.collect()'s result and gc.garbage, step by step",
        _random_graphs,
    ),
    Check(
        "gc.marksweep.inferred-roots", CHAPTER,
        "textbook tri-colour marking from the roots CPython infers (gc_refs > 0 after "
        "subtract_refs) leaves white exactly the objects real gc.collect() frees, and "
        "as many as it returns",
        "graph probe on random graphs without __del__; in the model mirrored from its "
        "snapshot, each collection stopped after subtract_refs and marked with "
        "TricolourMark (nodes white and their number; nodes freed and gc.collect())",
        _textbook_marking,
    ),
    Check(
        "gc.auto.default", CHAPTER,
        "the automatic collections of an allocation workload, with the version's "
        "thresholds: when, which generation, what they found",
        "auto probe: gc.callbacks and gc.get_stats() (3.x), or polling gc.get_count() "
        "and DEBUG_STATS (2.7); the model replays the same ops after as many "
        "long-lived objects",
        _auto(AUTO_DEFAULT),
    ),
    Check(
        "gc.auto.long-lived", CHAPTER,
        "with thresholds (50, 3, 3): generations 1 and 2 collected, full collections "
        "held back by the long-lived rule, free lists emptied by each full collection",
        "auto probe, gc.set_threshold(50, 3, 3), as gc.auto.default",
        _auto(AUTO_SMALL),
    ),
]
