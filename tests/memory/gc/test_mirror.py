"""Mirroring real objects: what a snapshot reads, and what it refuses."""

import gc
import weakref

import pytest

from pyinternals.memory.gc import Heap, MirrorError, Snapshot, mirror, snapshot
from pyinternals.memory.gc.fidelity import PROBES
from pyinternals.observe import run_probe, running


class Node:
    def __init__(self, name):
        self.name = name
        self.refs = []


class Finalized(Node):
    def __del__(self):
        pass


@pytest.fixture
def no_gc():
    """Keep automatic collections from moving the objects between generations."""
    was = gc.isenabled()
    gc.disable()
    yield
    if was:
        gc.enable()


def test_a_real_cycle(no_gc):
    a, b = Node("a"), Node("b")
    a.refs.append(b)
    b.refs.append(a)
    heap = Heap.from_objects({"a": a, "b": b}, "3.12")
    names = [op.name for op in heap.objects()]
    assert sorted(names) == ["a", "a.list", "b", "b.list"]
    assert (heap["a"].ob_refcnt, heap["a"].roots) == (2, 1)    # b's list, and `a`
    assert (heap["a.list"].ob_refcnt, heap["a.list"].roots) == (1, 0)
    heap.unroot(heap["a"])
    heap.unroot(heap["b"])
    assert heap.collect() == 4
    heap.check()


def test_the_argument_holds_no_reference_but_a_kept_list_does(no_gc):
    items = [Node("x")]
    from_iterable = Heap.from_objects(iter(items))
    from_list = Heap.from_objects(items)
    assert from_iterable["o1"].roots == 1      # held by `items`, a list outside the mirror
    assert from_list["o1"].roots == 0          # `items` is the argument: not counted


def test_weak_references_to_mirrored_objects_come_along(no_gc):
    a = Finalized("a")
    kept = weakref.ref(a, lambda wr: None)
    heap = Heap.from_objects({"a": a}, "3.12")
    wr = heap["a.ReferenceType"]
    assert heap["a"].finalizer is True
    assert heap["a"].weakreflist == [wr]
    assert wr.wr_object is heap["a"]
    assert wr.wr_callback is not None
    heap.unroot(heap["a"])
    assert not heap.alive(heap["a"])
    assert wr.wr_object is None
    del kept


def test_snapshots_round_trip_through_json(no_gc):
    a = Node("a")
    a.refs.append(a)
    snap = snapshot({"a": a})
    again = Snapshot.from_mapping(snap.to_mapping())
    assert again.objects == snap.objects


def test_what_is_refused(no_gc, monkeypatch):
    with pytest.raises(MirrorError, match="x \\(int\\) is not a container"):
        snapshot({"x": 5})
    with pytest.raises(MirrorError, match="not a container the collector tracks"):
        snapshot([Node])
    chain = Node("0")
    for i in range(20):
        chain.refs.append(Node(str(i)))
    with pytest.raises(MirrorError, match="more than 10 containers"):
        snapshot([chain], max_objects=10)
    readings = iter([[[1]], [[]]])
    monkeypatch.setattr(mirror, "_read_referents", lambda objs, index: next(readings))
    with pytest.raises(MirrorError, match="changed while it was mirrored"):
        snapshot([Node("a")])


@pytest.mark.parametrize("second", [False, True], ids=["before-reading", "between-readings"])
def test_a_container_added_under_the_mirror_is_refused(no_gc, monkeypatch, second):
    """A new object appended to a mirrored list after the walk: the list's references
    no longer match what was walked, whichever reading sees it first."""
    a = Node("a")
    calls = []
    real = mirror._read_referents

    def read(objs, index):
        calls.append(1)
        if len(calls) == (2 if second else 1):
            a.refs.append(Node("new"))
        return real(objs, index)

    monkeypatch.setattr(mirror, "_read_referents", read)
    with pytest.raises(MirrorError, match="changed while it was mirrored"):
        snapshot({"a": a})
    assert len(a.refs) == 1


def test_inconsistent_snapshots_are_refused():
    with pytest.raises(MirrorError, match="not a snapshot"):
        Heap.from_snapshot({"objects": [{"name": "a"}]})
    row = {"name": "a", "type": "list", "kind": "list", "refcnt": 1, "referents": ["a", "a"]}
    with pytest.raises(MirrorError, match="ob_refcnt 1 but 2 references"):
        Heap.from_snapshot({"objects": [row]})
    with pytest.raises(MirrorError, match="refers to 'b'"):
        Heap.from_snapshot({"objects": [dict(row, referents=["b"])]})
    heap = Heap("3.12")
    heap.container("x")
    with pytest.raises(MirrorError, match="empty heap"):
        mirror.build(heap, {"objects": []})


def test_the_probe_reads_what_from_objects_reads(no_gc):
    """The graph probe's snapshotter (2.7-compatible) against the package's own."""
    spec = {"seed": "same", "nodes": [{"name": "a", "kind": "del"}, {"name": "b", "kind": "plain"},
                                      {"name": "c", "kind": "plain"}],
            "edges": [["a", "b"], ["b", "a"], ["c", "a"], ["c", "c"]],
            "weakrefs": [], "steps": []}
    probed = run_probe(running(), PROBES / "graph.py", payload=spec)["snapshot"]["objects"]
    a, b, c = Finalized("a"), Node("b"), Node("c")
    a.refs.append(b)
    b.refs.append(a)
    c.refs.extend([a, c])
    here = snapshot({"a": a, "b": b, "c": c}).objects

    def shape(rows):
        index = {row["name"] if isinstance(row, dict) else row.name: i
                 for i, row in enumerate(rows)}
        return [(r["kind"], r["refcnt"], [index[x] for x in r["referents"]], r["finalizer"])
                if isinstance(r, dict) else
                (r.kind, r.refcnt, [index[x] for x in r.referents], r.finalizer) for r in rows]

    assert shape(probed) == shape(here)
