"""Drawing the model heap, one of its lists, and a collection between two phases.

Each object is a record: its name, `ob_refcnt`, and during a collection `gc_refs` as
the version's C code stores it (a field of its own in 2.x, bits of `_gc_prev` in
3.x).  Solid arrows are strong references, dashed ones weak references; the orange
arrows come from *outside*: variables, the eval stack, `gc.garbage`, everything the
collector cannot see.  During a collection the fill is the object's colour in the
three-colour model: white, grey, black.  See {doc}`/memory/gc`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from pyinternals.diagrams.dot import Digraph, Record
from pyinternals.diagrams.style import edge_role, graph, role
from pyinternals.memory.gc.objects import PyGC_Head, PyObject, gc_refs_text

if TYPE_CHECKING:
    from pyinternals.memory.gc.collector import Collection
    from pyinternals.memory.gc.heap import Heap

#: The most objects one drawing shows; a bigger heap is drawn in part.
MAX_DRAWN = 60


def _node_id(op: PyObject) -> str:
    return f"obj:{op.name}"


def _label(op: PyObject, *lines: str) -> Record:
    kind = "" if op.ob_type.kind == "instance" else f" ({op.ob_type.tp_name})"
    return Record([op.name + kind, f"ob_refcnt {op.ob_refcnt}", *lines])


def _edges(g: Digraph, drawn: Sequence[PyObject], heap: Heap) -> None:
    """References between drawn objects, weak references, and outside references."""
    shown = {id(op) for op in drawn}
    in_garbage = {id(op) for op in heap._garbage}
    outside = [op for op in drawn if op.roots or id(op) in in_garbage]
    if outside:
        g.node("outside", label="outside", **role("name"))
        for op in outside:
            count = op.roots + heap._garbage.count(op)
            g.edge("outside", _node_id(op), label=f"×{count}" if count > 1 else None,
                   **edge_role("outside"))
    for op in drawn:
        for ref in op.referents:
            if id(ref) in shown:
                g.edge(_node_id(op), _node_id(ref), **edge_role("strong"))
        if op.wr_object is not None and id(op.wr_object) in shown:
            g.edge(_node_id(op), _node_id(op.wr_object), label="weak", **edge_role("weak"))


def _elided(g: Digraph, hidden: int) -> None:
    if hidden:
        g.node("elided", label=f"… {hidden} more objects not drawn", **role("elided"))


def draw_heap(heap: Heap) -> str:
    """Every live tracked object, one cluster per generation, plus the untracked ones."""
    g = graph("heap", rankdir="LR")
    drawn: list[PyObject] = []
    hidden = 0
    for gen in heap.generations:
        members = list(gen)
        keep = members[: max(0, MAX_DRAWN - len(drawn))]
        hidden += len(members) - len(keep)
        label = f"generation {gen.number}\ncount {gen.count}, threshold {gen.threshold}"
        with g.cluster(f"gen{gen.number}", label=label, style="rounded",
                       color=role("struct")["fillcolor"]):
            # An invisible anchor per generation keeps them left to right, young to old.
            g.node(f"anchor{gen.number}", label="", shape="point", style="invis", width=0)
            if not keep:
                g.node(f"empty{gen.number}", label="(empty)", **role("elided"))
            for op in keep:
                g.node(_node_id(op), label=_label(op), **role(_role_of(op)))
        drawn += keep
    for older in range(1, len(heap.generations)):
        g.edge(f"anchor{older - 1}", f"anchor{older}", style="invis", weight=10)
    loose = [op for op in heap.objects() if not op.tracked]
    if loose:
        with g.cluster("untracked", label="untracked", style="dashed"):
            for op in loose[: max(0, MAX_DRAWN - len(drawn))]:
                g.node(_node_id(op), label=_label(op), **role(_role_of(op)))
                drawn.append(op)
    _edges(g, drawn, heap)
    _elided(g, hidden)
    return g.source()


def _role_of(op: PyObject) -> str:
    if op.ob_type.kind == "weakref":
        return "value"
    return "container"


def draw_list(heap: Heap, head: PyGC_Head, name: str) -> str:
    """One list as C links it: the head, then each object by `_gc_next`."""
    g = graph(name, rankdir="LR")
    field = heap.profile.gc_refs_field
    head_id = f"head:{head.name}"
    g.node(head_id, label=Record(["PyGC_Head", head.name]), **role("struct"))
    members = list(head)
    keep = members[:MAX_DRAWN]
    previous = head_id
    for op in keep:
        g.node(_node_id(op), label=_label(op, gc_refs_text(op, field)),
               **role(_role_of(op)))
        g.edge(previous, _node_id(op), label="_gc_next", **edge_role("list"))
        previous = _node_id(op)
    g.edge(previous, head_id, label="_gc_next", **edge_role("list"))
    _elided(g, len(members) - len(keep))
    return g.source()


def draw_collection(collection: Collection) -> str:
    """The lists of a collection; each object coloured white, grey or black."""
    heap = collection.heap
    field = heap.profile.gc_refs_field
    after = collection.done[-1] if collection.done else "the start"
    g = graph("collection", rankdir="LR",
              label=f"collecting generation {collection.generation}, after {after}",
              labelloc="t")
    drawn: list[PyObject] = []
    for list_name, members in collection.lists().items():
        if not members:
            continue
        keep = members[: max(0, MAX_DRAWN - len(drawn))]
        with g.cluster(list_name.replace(" ", "_"), label=list_name, style="rounded"):
            for position, op in enumerate(keep):
                label = Record([f"{position}: {op.name}", f"ob_refcnt {op.ob_refcnt}",
                                gc_refs_text(op, field).replace(" ", "\n")])
                g.node(_node_id(op), label=label, **role(collection.colour(op)))
        drawn += keep
    shown = {id(op) for op in drawn}
    outside_gen = _referenced_elsewhere(drawn, shown)
    if outside_gen:
        with g.cluster("elsewhere", label="not in this collection", style="dashed"):
            for op in outside_gen:
                g.node(_node_id(op), label=_label(op), **role("freed" if op.freed
                                                               else "idle"))
        drawn += outside_gen
    _edges(g, drawn, heap)
    return g.source()


def _referenced_elsewhere(drawn: Iterable[PyObject], shown: set[int]) -> list[PyObject]:
    found: list[PyObject] = []
    seen = set(shown)
    for op in drawn:
        for ref in op.referents:
            if id(ref) not in seen:
                seen.add(id(ref))
                found.append(ref)
    return found
