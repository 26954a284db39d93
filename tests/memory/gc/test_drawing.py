"""Drawings come from the model's state, deterministically."""

from pyinternals.diagrams.render import render_svg
from pyinternals.memory.gc import Heap
from pyinternals.memory.gc.drawing import MAX_DRAWN


def small_heap():
    heap = Heap("3.12")
    a, b = heap.container("a"), heap.container("b")
    heap.link(a, b)
    heap.link(b, a)
    heap.unroot(b)
    heap.weakref(b, name="w")
    return heap


def test_the_same_state_gives_the_same_dot():
    assert small_heap().to_dot() == small_heap().to_dot()


def test_the_heap_drawing_shows_objects_references_and_outside():
    dot = small_heap().to_dot()
    for fragment in ('"obj:a"', '"obj:b"', '"obj:w"', '"outside" -> "obj:a"',
                     '"obj:a" -> "obj:b"', 'label="weak"', "generation 0\\ncount 3"):
        assert fragment in dot
    assert "0x" not in dot


def test_a_generation_draws_its_list_in_order():
    heap = small_heap()
    dot = heap.generations[0].to_dot()
    assert dot.index('"obj:a"') < dot.index('"obj:b"') < dot.index('"obj:w"')
    assert dot.count("_gc_next") == 4                # head -> a -> b -> w -> head


def test_big_heaps_are_drawn_in_part():
    heap = Heap("3.12")
    [heap.container() for _ in range(MAX_DRAWN + 5)]
    dot = heap.to_dot()
    assert "5 more objects not drawn" in dot


def test_drawings_render():
    heap = small_heap()
    collection = heap.collection()
    collection.run_until("move_unreachable")
    assert "<svg" in render_svg(collection.to_dot())
    collection.run()
    assert "<svg" in render_svg(heap.to_dot())
