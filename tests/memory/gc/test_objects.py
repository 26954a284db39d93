"""The PyGC_Head lists and the era's view of gc_refs."""

from pyinternals.memory.gc.objects import (
    INSTANCE,
    PyGC_Head,
    PyObject,
    gc_list_append,
    gc_list_is_empty,
    gc_list_merge,
    gc_list_move,
    gc_list_remove,
    gc_list_size,
    gc_refs_text,
)


def objects(*names):
    return [PyObject(name, INSTANCE) for name in names]


def names(head):
    return [op.name for op in head]


def test_append_keeps_order_and_links_both_ways():
    head = PyGC_Head("young")
    a, b, c = objects("a", "b", "c")
    for op in (a, b, c):
        gc_list_append(op, head)
    assert names(head) == ["a", "b", "c"]
    assert head._gc_prev is c
    assert c._gc_next is head
    assert b._gc_prev is a
    assert gc_list_size(head) == len(head) == 3


def test_remove_untracks():
    head = PyGC_Head("young")
    a, b = objects("a", "b")
    gc_list_append(a, head)
    gc_list_append(b, head)
    gc_list_remove(a)
    assert not a.tracked
    assert names(head) == ["b"]


def test_move_goes_to_the_end_of_the_other_list():
    young, unreachable = PyGC_Head("young"), PyGC_Head("unreachable")
    a, b, c = objects("a", "b", "c")
    for op in (a, b, c):
        gc_list_append(op, young)
    gc_list_move(a, unreachable)
    gc_list_move(c, unreachable)
    assert names(young) == ["b"]
    assert names(unreachable) == ["a", "c"]


def test_merge_appends_and_empties_the_source():
    old, young = PyGC_Head("old"), PyGC_Head("young")
    a, b, c = objects("a", "b", "c")
    gc_list_append(a, old)
    gc_list_append(b, young)
    gc_list_append(c, young)
    gc_list_merge(young, old)
    assert names(old) == ["a", "b", "c"]
    assert gc_list_is_empty(young)
    gc_list_merge(young, old)                  # merging an empty list changes nothing
    assert names(old) == ["a", "b", "c"]


def test_iteration_survives_moving_the_current_object():
    young, other = PyGC_Head("young"), PyGC_Head("other")
    ops = objects("a", "b", "c")
    for op in ops:
        gc_list_append(op, young)
    seen = []
    for op in young:
        seen.append(op.name)
        gc_list_move(op, other)
    assert seen == ["a", "b", "c"]
    assert names(other) == seen


def test_gc_refs_in_both_eras():
    head = PyGC_Head("young")
    (op,) = objects("a")
    assert gc_refs_text(op, "gc_refs") == "GC_UNTRACKED"
    gc_list_append(op, head)
    assert gc_refs_text(op, "gc_refs") == "GC_REACHABLE"
    assert gc_refs_text(op, "_gc_prev") == "_gc_prev=prev"
    op.collecting, op.gc_refs = True, 2
    assert gc_refs_text(op, "gc_refs") == "gc_refs=2"
    assert gc_refs_text(op, "_gc_prev") == "gc_refs=2 COLLECTING"
    op.unreachable, op.gc_refs = True, 0
    assert gc_refs_text(op, "gc_refs") == "GC_TENTATIVELY_UNREACHABLE"
    assert gc_refs_text(op, "_gc_prev") == "gc_refs=0 COLLECTING NEXT_MASK_UNREACHABLE"
    op.finalized = True
    assert "COLLECTING|FINALIZED" in gc_refs_text(op, "_gc_prev")
