"""One collection, phase by phase, in both eras."""

import pytest

from pyinternals import profiles
from pyinternals.memory.gc import Heap, HeapError


def worked_example(version):
    """The chapter's example: a <-> b garbage; c (rooted) -> d <-> e."""
    heap = Heap(version)
    a, b, d, e, c = (heap.container(name) for name in "abdec")
    heap.link(a, b)
    heap.link(b, a)
    heap.link(d, e)
    heap.link(e, d)
    heap.link(c, d)
    for op in (a, b, d, e):
        heap.unroot(op)
    return heap


def state(collection):
    return {name: [(op.name, op.gc_refs, collection.colour(op)) for op in members]
            for name, members in collection.lists().items() if members}


@pytest.mark.parametrize("version", profiles.KNOWN)
def test_the_worked_example_phase_by_phase(version):
    collection = worked_example(version).collection()
    assert collection.step() == "update_refs"
    assert state(collection) == {"young": [("a", 1, "white"), ("b", 1, "white"),
                                           ("d", 2, "white"), ("e", 1, "white"),
                                           ("c", 1, "white")]}
    collection.step()
    assert state(collection) == {"young": [("a", 0, "white"), ("b", 0, "white"),
                                           ("d", 0, "white"), ("e", 0, "white"),
                                           ("c", 1, "grey")]}
    collection.step()
    found = state(collection)
    assert [n for n, _, colour in found["young"] if colour == "black"] == ["c", "d", "e"]
    assert [n for n, *_ in found["unreachable"]] == ["a", "b"]
    assert collection.summaries["move_unreachable"] == (
        "4 moved to unreachable, 2 moved back; 2 unreachable")
    assert collection.run() == 2
    assert collection.finished
    assert collection.next_phase is None


def test_phases_follow_the_profile():
    old = Heap("2.7").collection()
    assert "move_finalizers" in old.phases
    assert "finalize_garbage" not in old.phases
    old.run_until("handle_weakrefs")
    assert old.next_phase == "delete_garbage"
    with pytest.raises(HeapError, match="has already run"):
        old.run_until("update_refs")
    with pytest.raises(HeapError, match="no phase 'finalize_garbage'"):
        old.run_until("finalize_garbage")
    old.run()
    with pytest.raises(HeapError, match="this collection is over"):
        old.step()


def test_27_uncollectable_cycle_and_what_it_reaches():
    heap = Heap("2.7")
    a = heap.container("a", finalizer=True)
    b, c = heap.container("b"), heap.container("c")
    heap.link(a, b)
    heap.link(b, a)
    heap.link(b, c)
    for op in (a, b, c):
        heap.unroot(op)
    assert heap.collect() == 3                  # all three unreachable, none collectable
    assert heap.garbage == [a]                  # only objects with __del__ are listed
    assert all(heap.alive(op) for op in (a, b, c))
    assert heap.stats[2] == {"collections": 1, "collected": 0, "uncollectable": 3}
    heap.check()


def test_pep442_resurrection_is_not_counted():
    heap = Heap("3.12")
    r = heap.container("r", finalizer=heap.root)
    s, t = heap.container("s"), heap.container("t")
    heap.link(r, s)
    heap.link(s, r)
    heap.link(t, t)
    for op in (r, s, t):
        heap.unroot(op)
    assert heap.collect() == 1                  # t; r and s were resurrected
    assert heap.alive(r)
    assert heap.alive(s)
    assert not heap.alive(t)
    assert r.finalized
    heap.unroot(r)                              # garbage again: __del__ does not run twice
    assert heap.collect() == 2


def test_weakref_callbacks_run_before_finalizers_and_only_from_outside():
    calls = []
    heap = Heap("3.11")
    a = heap.container("a", finalizer=lambda op: calls.append("del a"))
    b = heap.container("b")
    heap.link(a, b)
    heap.link(b, a)
    heap.weakref(a, lambda wr: calls.append("outside"), name="w_out")
    inside = heap.weakref(b, lambda wr: calls.append("inside"), name="w_in")
    heap.link(a, inside)                        # this weak reference is garbage too
    heap.unroot(inside)
    heap.unroot(a)
    heap.unroot(b)
    assert heap.collect() == 3
    assert calls == ["outside", "del a"]


def test_a_weak_reference_freed_by_its_callback_is_counted():
    heap = Heap("3.12")
    a = heap.container("a")
    heap.link(a, a)
    heap.weakref(a, heap.unroot, name="w")
    heap.unroot(a)
    assert heap.collect() == 2                  # a, and w freed after its callback
    assert not heap.alive(heap["w"])


def test_a_cycle_through_a_tuple_is_broken_elsewhere():
    # A tuple has no tp_clear: delete_garbage moves it on, and it dies when the
    # instance that holds it is cleared.
    heap = Heap.from_snapshot({"objects": [
        {"name": "t", "type": "tuple", "kind": "tuple", "refcnt": 1, "referents": ["a"],
         "size": 1},
        {"name": "a", "type": "Node", "kind": "instance", "refcnt": 1, "referents": ["t"],
         "weakrefs": True},
    ]}, "3.12")
    collection = heap.collection()
    assert collection.run() == 2
    assert collection.summaries["delete_garbage"] == "2 objects cleared"
    assert not heap.alive(heap["t"])
    assert not heap.alive(heap["a"])


def test_untracking_dicts_and_tuples():
    heap = Heap("3.12")
    d = heap.container("d", kind="dict")
    heap.collect()                              # a dict holding no container: untracked
    assert not d.tracked
    assert heap.alive(d)
    x = heap.container("x")
    heap.link(d, x)                             # holding one, it is tracked again
    assert d.tracked
    assert heap.get_objects(0) == [x, d]


def test_the_long_lived_rule_defers_full_collections():
    heap = Heap("3.13")
    heap.set_threshold(1, 1, 1)
    heap.long_lived_total = 1000
    [heap.container() for _ in range(20)]
    assert heap.full_collections_deferred > 0
    assert heap.stats[2]["collections"] == 0


def test_collection_drawing_is_deterministic_and_shows_the_era():
    def dot(version):
        collection = worked_example(version).collection()
        collection.run_until("move_unreachable")
        return collection.to_dot()

    assert dot("3.12") == dot("3.12")
    assert "NEXT_MASK_UNREACHABLE" in dot("3.12")
    assert "GC_TENTATIVELY_UNREACHABLE" in dot("2.7")
    assert "0x" not in dot("3.12")
