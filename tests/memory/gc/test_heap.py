"""The heap: reference counting, deallocation order, weak references, counts, bad input."""

import pytest

from pyinternals import profiles
from pyinternals.memory.gc import Heap, HeapError


def cycle(heap, *names):
    ops = [heap.container(name) for name in names]
    for a, b in zip(ops, ops[1:] + ops[:1], strict=True):
        heap.link(a, b)
    for op in ops:
        heap.unroot(op)
    return ops


# -- Reference counting ------------------------------------------------------------


def test_default_profile_is_the_running_interpreters():
    heap = Heap()
    assert heap.version == profiles.running()
    assert heap.get_threshold() == profiles.gc.get().thresholds


def test_a_new_container_has_one_outside_reference():
    heap = Heap("3.12")
    a = heap.container("a")
    assert (a.ob_refcnt, a.roots, heap.alive(a), a.tracked) == (1, 1, True, True)
    assert heap.get_objects(0) == [a]


def test_acyclic_garbage_is_freed_at_once_depth_first():
    freed = []
    heap = Heap("3.12", trace=lambda line: freed.append(line.split()[-1])
                if line.strip().startswith("free") else None)
    a, b, c, d = (heap.container(n) for n in "abcd")
    heap.link(a, b)
    heap.link(b, c)
    heap.link(a, d)
    for op in (b, c, d):
        heap.unroot(op)
    heap.unroot(a)
    assert freed == ["c", "b", "d", "a"]       # a's memory goes after its references
    assert not any(heap.alive(op) for op in (a, b, c, d))
    assert heap.get_objects() == []


def test_a_cycle_survives_unroot_and_dies_at_collect():
    heap = Heap("3.11")
    a, b = cycle(heap, "a", "b")
    assert heap.alive(a)
    assert heap.alive(b)
    assert a.ob_refcnt == b.ob_refcnt == 1
    assert heap.collect() == 2
    assert not heap.alive(a)
    assert a.freed == "the collector"


def test_list_references_are_kept_in_traverse_order_last_item_first():
    heap = Heap("3.12")
    items = heap.container("items", kind="list")
    x, y = heap.container("x"), heap.container("y")
    heap.link(items, x)
    heap.link(items, y)                        # items == [x, y]
    assert [op.name for op in items.referents] == ["y", "x"]
    heap.link(items, x)                        # [x, y, x]: list.remove drops the first x
    heap.unlink(items, x)
    assert [op.name for op in items.referents] == ["x", "y"]


def test_deallocating_a_list_drops_the_last_item_first():
    order = []
    heap = Heap("3.12")
    items = heap.container("items", kind="list")
    for name in "xyz":
        op = heap.container(name, finalizer=lambda op: order.append(op.name))
        heap.link(items, op)
        heap.unroot(op)
    heap.unroot(items)
    assert order == ["z", "y", "x"]


def test_check_finds_a_broken_count():
    heap = Heap("3.12")
    a = heap.container("a")
    heap.check()
    a.ob_refcnt += 1
    with pytest.raises(AssertionError, match="a: ob_refcnt 2"):
        heap.check()


# -- Weak references and finalizers ---------------------------------------------------


def test_a_plain_weak_reference_is_shared():
    heap = Heap("3.12")
    a = heap.container("a")
    w1, w2 = heap.weakref(a), heap.weakref(a)
    assert w1 is w2
    assert w1.roots == 2
    assert heap.weakref(a, lambda wr: None) is not w1


def test_callbacks_of_dead_weak_references_do_not_run():
    calls = []
    heap = Heap("3.12")
    a = heap.container("a")
    w = heap.weakref(a, lambda wr: calls.append(wr.name))
    heap.unroot(w)                             # the weak reference itself dies first
    heap.unroot(a)
    assert calls == []
    assert not heap.alive(w)


@pytest.mark.parametrize(("version", "expected"), [
    ("2.7", ["w2", "w1", "__del__"]),
    ("3.11", ["__del__", "w2", "w1"]),
])
def test_refcount_death_order_of_callbacks_and_finalizer(version, expected):
    calls = []
    heap = Heap(version)
    a = heap.container("a", finalizer=lambda op: calls.append("__del__"))
    heap.weakref(a, lambda wr: calls.append("w1"), name="w1")
    heap.weakref(a, lambda wr: calls.append("w2"), name="w2")
    heap.unroot(a)
    assert calls == expected


def test_pep442_finalizer_runs_once_legacy_every_time():
    for version, calls_expected in (("3.12", 1), ("2.7", 2)):
        calls = []
        heap = Heap(version)

        def resurrect_once(op, heap=heap, calls=calls):
            calls.append(op.name)
            if len(calls) == 1:
                heap.root(op)

        a = heap.container("a", finalizer=resurrect_once)
        heap.unroot(a)                         # __del__ resurrects it
        assert heap.alive(a)
        assert a.roots == 1
        heap.unroot(a)                         # 3.x: no second call; 2.x: called again
        assert len(calls) == calls_expected
        assert not heap.alive(a)


def test_a_resurrected_object_is_tracked_again_in_generation_0():
    heap = Heap("3.12")
    a = heap.container("a", finalizer=heap.root)
    heap.collect()                             # a moves to generation 2
    heap.unroot(a)
    assert heap.get_objects(0) == [a]
    assert a.tracked


def test_an_exception_in_a_finalizer_is_unraisable():
    heap = Heap("3.12")

    def broken(op):
        raise RuntimeError("boom")

    a, b = heap.container("a", finalizer=broken), heap.container("b")
    heap.link(a, b)
    heap.link(b, a)
    heap.unroot(a)
    heap.unroot(b)
    assert heap.collect() == 2
    assert [(where, str(exc)) for where, exc in heap.unraisable] == [("a.__del__", "boom")]


# -- Counts, thresholds, automatic collections --------------------------------------


def test_get_count_allocates_its_tuple_after_a_full_collection():
    heap = Heap("2.7")
    heap.collect()
    assert heap.get_count() == (0, 0, 0)
    assert heap.get_count() == (1, 0, 0)       # the first tuple went to the free list
    assert heap.get_count() == (1, 0, 0)


def test_deallocation_count_stops_at_zero():
    heap = Heap("3.12")
    a = heap.container("a")
    heap.collect()
    heap.unroot(a)
    assert heap.generations[0].count == 0


@pytest.mark.parametrize(("version", "sizes"), [("3.11", [1, 3, 0]), ("3.12", [0, 4, 0])])
def test_where_the_automatic_collection_runs(version, sizes):
    heap = Heap(version)
    heap.set_threshold(3)
    [heap.container() for _ in range(4)]
    assert [len(g) for g in heap.generations] == sizes
    assert heap.get_count()[1] == 1


def test_disabled_collector_only_collects_when_asked():
    heap = Heap("3.12")
    heap.set_threshold(2)
    heap.disable()
    cycle(heap, "a", "b")
    cycle(heap, "c", "d")
    assert not heap.isenabled()
    assert heap.stats[0]["collections"] == 0
    assert heap.collect(0) == 4
    heap.enable()
    assert heap.isenabled()


def test_callbacks_get_what_gc_callbacks_gets():
    heap = Heap("3.13")
    calls = []
    heap.callbacks.append(lambda phase, info: calls.append((phase, info)))
    cycle(heap, "a", "b")
    heap.collect(1)
    assert calls == [("start", {"generation": 1, "collected": 0, "uncollectable": 0}),
                     ("stop", {"generation": 1, "collected": 2, "uncollectable": 0})]


def test_callbacks_do_not_exist_in_27():
    with pytest.raises(AttributeError, match=r"new in Python 3\.3"):
        Heap("2.7").callbacks  # noqa: B018


def test_collect_during_a_collection_does_nothing():
    heap = Heap("3.12")
    results = []
    a = heap.container("a", finalizer=lambda op: results.append(heap.collect()))
    heap.link(a, a)
    heap.unroot(a)
    assert heap.collect() == 1
    assert results == [0]


def test_clear_garbage_drops_the_lists_references():
    heap = Heap("2.7")
    a = heap.container("a", finalizer=True)
    heap.link(a, a)
    heap.unroot(a)
    assert heap.collect() == 1
    assert heap.garbage == [a]
    assert a.ob_refcnt == 2
    heap.clear_garbage()
    assert heap.garbage == []
    assert a.ob_refcnt == 1
    assert heap.alive(a)
    heap.check()


# -- Bad input: clear errors, nothing changed ----------------------------------------


def test_freed_objects_cannot_be_referenced():
    heap = Heap("3.12")
    a, b = heap.container("a"), heap.container("b")
    heap.unroot(b)
    for action in (lambda: heap.link(a, b), lambda: heap.root(b), lambda: heap.unroot(b),
                   lambda: heap.link(b, a), lambda: heap.weakref(b)):
        with pytest.raises(HeapError, match="b: it was freed by reference counting"):
            action()
    assert a.ob_refcnt == 1
    assert a.referents == []


def test_unrooting_more_than_rooted():
    heap = Heap("3.12")
    a, b = heap.container("a"), heap.container("b")
    heap.link(a, b)
    heap.unroot(b)
    with pytest.raises(HeapError, match="b has no outside reference to drop"):
        heap.unroot(b)
    assert b.ob_refcnt == 1
    assert heap.alive(b)


def test_unlinking_a_reference_that_is_not_there():
    heap = Heap("3.12")
    a, b = heap.container("a"), heap.container("b")
    with pytest.raises(HeapError, match="a holds no reference to b"):
        heap.unlink(a, b)
    assert b.ob_refcnt == 1


@pytest.mark.parametrize(("args", "error", "message"), [
    (("700",), TypeError, "threshold0 must be an int, not str"),
    ((700, 1.5), TypeError, "threshold1 must be an int, not float"),
    ((700, 10, True), TypeError, "threshold2 must be an int, not bool"),
    ((-1,), ValueError, "threshold0 must be 0 or more, not -1"),
    ((700, 10, -3), ValueError, "threshold2 must be 0 or more"),
])
def test_bad_thresholds(args, error, message):
    heap = Heap("3.12")
    with pytest.raises(error, match=message):
        heap.set_threshold(*args)
    assert heap.get_threshold() == (700, 10, 10)


def test_other_bad_input():
    heap, other = Heap("3.12"), Heap("3.12")
    a = heap.container("a")
    stranger = other.container("a")
    with pytest.raises(HeapError, match="belongs to another heap"):
        heap.link(a, stranger)
    with pytest.raises(TypeError, match="not str"):
        heap.link(a, "b")
    with pytest.raises(HeapError, match="already an object named 'a'"):
        heap.container("a")
    with pytest.raises(HeapError, match="kind must be one of"):
        heap.container(kind="set")
    with pytest.raises(HeapError, match="only instances have __del__"):
        heap.container(kind="list", finalizer=True)
    with pytest.raises(HeapError, match="cannot create weak reference to 'list'"):
        heap.weakref(heap.container(kind="list"))
    with pytest.raises(ValueError, match="invalid generation 3"):
        heap.collect(3)
    with pytest.raises(TypeError, match="generation must be an int"):
        heap.collect("2")
    with pytest.raises(KeyError, match="no object named 'zz'"):
        heap["zz"]
    assert a.ob_refcnt == 1
    assert a.referents == []


def test_a_paused_collection_blocks_changes():
    heap = Heap("3.12")
    a = heap.container("a")
    collection = heap.collection()
    collection.step()
    with pytest.raises(HeapError, match="paused after update_refs"):
        heap.link(a, a)
    with pytest.raises(HeapError, match="already running"):
        heap.collection()
    assert heap.collect() == 0                 # as gc.collect() during a collection
    collection.run()
    heap.link(a, a)
