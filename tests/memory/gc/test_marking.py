"""The textbook's tri-colour mark and sweep, and CPython's inferred roots."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyinternals import profiles
from pyinternals.diagrams.style import role
from pyinternals.memory.gc import Heap, HeapError
from pyinternals.memory.gc.marking import (
    TricolourMark,
    inferred_roots,
    known_roots,
    mark_from_roots,
)
from tests.memory.gc.test_collector import worked_example


def names(objects):
    return [op.name for op in objects]


def colours(mark):
    return {op.name: mark.colour(op) for op in mark.objects}


# -- The marker, step by step ---------------------------------------------------------


def test_the_grey_wave_on_the_worked_example():
    heap = worked_example("3.12")
    mark = TricolourMark(heap.objects(), known_roots(heap))
    assert names(mark.roots) == ["c"]
    assert colours(mark) == {"a": "white", "b": "white", "d": "white", "e": "white",
                             "c": "grey"}
    assert mark.step().name == "c"
    assert colours(mark) == {"a": "white", "b": "white", "d": "grey", "e": "white",
                             "c": "black"}
    assert names(mark.grey) == ["d"]
    assert mark.step().name == "d"
    assert names(mark.grey) == ["e"]
    assert not mark.finished
    assert names(mark.run()) == ["a", "b"]
    assert mark.finished
    assert mark.steps == 3
    assert colours(mark) == {"a": "white", "b": "white", "d": "black", "e": "black",
                             "c": "black"}


def test_the_queue_is_first_in_first_out():
    heap = Heap("3.12")
    r, x, y, z = (heap.container(n) for n in ("r", "x", "y", "z"))
    heap.link(r, x)
    heap.link(r, y)
    heap.link(x, z)
    for op in (x, y, z):
        heap.unroot(op)
    mark = TricolourMark(heap.objects(), [r])
    assert [mark.step().name for _ in range(4)] == ["r", "x", "y", "z"]


def test_the_trace_switch():
    heap = worked_example("2.7")
    lines = []
    mark_trace = TricolourMark(heap.objects(), known_roots(heap), trace=lines.append)
    mark_trace.run()
    assert lines == ["  mark roots: c grey", "  scan c: d grey; c black",
                     "  scan d: e grey; d black", "  scan e: nothing new; e black",
                     "  sweep: a b white"]


def test_references_outside_the_world_are_not_followed():
    heap = worked_example("3.12")
    c, d, e = heap["c"], heap["d"], heap["e"]
    assert names(mark_from_roots([c, e], [c])) == ["e"]     # c -> d is not in the world
    assert names(mark_from_roots([d, e], [])) == ["d", "e"]


def test_no_roots_means_everything_is_garbage():
    heap = worked_example("3.13")
    mark = TricolourMark(heap.objects(), [])
    assert mark.finished
    assert names(mark.garbage()) == ["a", "b", "d", "e", "c"]


def test_the_drawing_colours_each_object_and_is_deterministic():
    heap = worked_example("3.12")
    mark = TricolourMark(heap.objects(), known_roots(heap))
    mark.step()
    dot = mark.to_dot()
    assert f'"obj:c" [label="c|black" fillcolor="{role("black")["fillcolor"]}"' in dot
    assert f'"obj:d" [label="d|grey" fillcolor="{role("grey")["fillcolor"]}"' in dot
    assert '"roots" -> "obj:c"' in dot
    assert '"obj:c" -> "obj:d"' in dot
    assert "step 1: c scanned" in dot
    again = TricolourMark(worked_example("3.12").objects(), [])
    assert again.to_dot() == TricolourMark(worked_example("3.12").objects(), []).to_dot()
    assert repr(mark) == "<TricolourMark 3 white, 1 grey, 1 black>"


# -- Bad input --------------------------------------------------------------------------


def test_bad_input_is_refused_clearly():
    heap = worked_example("3.12")
    a, c = heap["a"], heap["c"]
    with pytest.raises(HeapError, match="root c is not one of the objects"):
        TricolourMark([a], [c])
    with pytest.raises(HeapError, match="a is given twice"):
        TricolourMark([a, a], [])
    with pytest.raises(TypeError, match="not str"):
        TricolourMark(["a"], [])  # type: ignore[list-item]
    heap.unroot(c)
    with pytest.raises(HeapError, match="c was freed by reference counting"):
        TricolourMark([c], [])


def test_a_finished_marking_refuses_to_step_and_an_unfinished_one_has_no_garbage():
    heap = worked_example("3.12")
    mark = TricolourMark(heap.objects(), known_roots(heap))
    with pytest.raises(HeapError, match="1 objects are still grey"):
        mark.garbage()
    mark.run()
    before = colours(mark)
    with pytest.raises(HeapError, match="no grey object is left"):
        mark.step()
    assert colours(mark) == before
    other = Heap("3.12").container("z")
    with pytest.raises(HeapError, match="z is not one of the objects marked"):
        mark.colour(other)


def test_inferred_roots_exist_only_between_subtract_refs_and_move_unreachable():
    collection = worked_example("3.12").collection()
    with pytest.raises(HeapError, match="has run none last"):
        inferred_roots(collection)
    collection.step()
    with pytest.raises(HeapError, match="update_refs last"):
        inferred_roots(collection)
    collection.step()
    assert names(inferred_roots(collection)) == ["c"]
    collection.step()
    with pytest.raises(HeapError, match="move_unreachable last"):
        inferred_roots(collection)
    collection.run()


def test_an_older_generation_is_outside_so_its_references_make_roots():
    heap = Heap("3.12")
    heap.disable()
    old = heap.container("old")
    heap.collect(0)                       # old moves to generation 1
    young = heap.container("young")
    heap.link(old, young)
    heap.unroot(young)
    collection = heap.collection(0)
    collection.run_until("subtract_refs")
    assert names(inferred_roots(collection)) == ["young"]
    assert known_roots(heap) == [old]
    collection.run()


# -- The claim: the same verdict as move_unreachable ------------------------------------


@st.composite
def heaps(draw):
    """A heap of 1 to 12 containers spread over the generations, with references
    (cycles and self references among them), outside references, finalizers, and
    maybe untracked objects (as a C type without Py_TPFLAGS_HAVE_GC would be)."""
    version = draw(st.sampled_from(profiles.KNOWN))
    heap = Heap(version)
    heap.disable()
    size = draw(st.integers(1, 12))
    objects = []
    for i in range(size):
        kind = draw(st.sampled_from(["instance", "instance", "list", "dict"]))
        finalizer = kind == "instance" and draw(st.booleans())
        objects.append(heap.container(f"o{i}", kind=kind, finalizer=finalizer))
        if draw(st.integers(0, 5)) == 0:
            heap.collect(draw(st.integers(0, 1)))      # promote what is there so far
    pairs = st.tuples(st.integers(0, size - 1), st.integers(0, size - 1))
    for src, dst in draw(st.lists(pairs, min_size=size // 2, max_size=2 * size)):
        if heap.alive(objects[src]) and heap.alive(objects[dst]):
            heap.link(objects[src], objects[dst])
    for indices in draw(st.lists(st.lists(st.integers(0, size - 1), min_size=1,
                                          max_size=4), max_size=3)):
        ring = [objects[i] for i in indices if heap.alive(objects[i])]
        for src, dst in zip(ring, ring[1:] + ring[:1], strict=True):
            heap.link(src, dst)
    kept = draw(st.lists(st.integers(0, 3), min_size=size, max_size=size))
    for op, keep in zip(objects, kept, strict=True):
        if keep != 0 and heap.alive(op) and op.roots:     # three in four lose theirs
            heap.unroot(op)
    untracked = []
    for i in draw(st.lists(st.integers(0, size - 1), unique=True, max_size=2)):
        op = objects[i]
        if heap.alive(op) and op.tracked and op.ob_type.kind in ("instance", "list"):
            heap._untrack(op)               # test-only: nothing public untracks a list
            untracked.append(op)
    return heap, draw(st.integers(0, 2)), untracked


SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(heaps())
def test_the_inferred_roots_give_the_textbook_exactly_move_unreachables_verdict(case):
    heap, generation, _ = case
    collection = heap.collection(generation)
    collection.run_until("subtract_refs")
    young = list(collection.young)
    white = mark_from_roots(young, inferred_roots(collection))
    collection.step()                         # move_unreachable
    assert names(white) == names(collection.unreachable), collection.describe()
    collection.run()
    heap.check()


@SETTINGS
@given(heaps())
def test_the_known_roots_give_the_same_verdict_unless_an_untracked_object_hides_some(case):
    heap, _, untracked = case
    white = mark_from_roots(heap.objects(), known_roots(heap))
    collection = heap.collection(2)
    collection.run_until("move_unreachable")
    unreachable = names(collection.unreachable)
    tracked_white = [op.name for op in white if op.tracked]
    if untracked:
        # CPython is conservative: a reference from an object it cannot see is a
        # root to it, so it never frees what the textbook keeps.
        assert set(unreachable) <= set(tracked_white)
    else:
        assert sorted(unreachable) == sorted(tracked_white), collection.describe()
    collection.run()


def test_an_untracked_object_in_a_garbage_cycle_keeps_it_from_cpython():
    heap = Heap("3.12")
    x, hidden = heap.container("x"), heap.container("hidden", kind="list")
    heap.link(x, hidden)
    heap.link(hidden, x)
    heap._untrack(hidden)                     # as a non-GC C type holding x would
    heap.unroot(x)
    heap.unroot(hidden)
    assert names(mark_from_roots(heap.objects(), known_roots(heap))) == ["x", "hidden"]
    collection = heap.collection(2)
    collection.run_until("subtract_refs")
    assert names(inferred_roots(collection)) == ["x"]
    assert collection.run() == 0
    assert heap.alive(x)
