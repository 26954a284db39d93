"""The textbook's mark and sweep, beside CPython's `gc_refs` (`Modules/gcmodule.c`).

A textbook collector (the notes' 标记-清除) starts from a *root set*: the global
variables, the local variables of every frame, the registers.  It marks everything
the roots reach with the three colours, and sweeps away what stays white:

- **white**: not reached yet.  At the start every object is white.
- **grey**: reached, its references not followed yet.  The roots start grey.
- **black**: reached, and its references followed.

Each step takes one grey object, makes every white object it refers to grey, and
turns it black.  When no grey object is left, the grey wave has passed over
everything reachable; the white objects are garbage.

CPython's collector has no root set: C extensions hold references nobody can list.
It infers one.  After `update_refs` and `subtract_refs`, an object with
`gc_refs > 0` has a reference from outside the generation being collected: that is
a root, as far as this collection is concerned ({py:func}`inferred_roots`).
`move_unreachable` then does the marking in a single pass over the list, without a
separate grey worklist.  {py:class}`TricolourMark` is the textbook algorithm,
one object per step; fed the inferred roots, it finds exactly the unreachable set
`move_unreachable` finds, which the tests check on random heaps and the fidelity
ledger against real `gc.collect()`.

The model heap, unlike CPython, *does* know its roots: every outside reference was
taken with {py:meth}`Heap.root <pyinternals.memory.gc.heap.Heap.root>`
({py:func}`known_roots`).  The narrative is in {doc}`/memory/gc`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from pyinternals.diagrams import Drawable
from pyinternals.diagrams.dot import Record
from pyinternals.diagrams.style import edge_role, graph, role
from pyinternals.memory.gc.heap import HeapError, Trace
from pyinternals.memory.gc.objects import PyObject

if TYPE_CHECKING:
    from pyinternals.memory.gc.collector import Collection
    from pyinternals.memory.gc.heap import Heap

Colour = Literal["white", "grey", "black"]


# -- Where the roots come from -----------------------------------------------------


def known_roots(heap: Heap) -> list[PyObject]:
    """The objects the model knows are referenced from outside, in creation order.

    Outside references (`roots`, taken with `Heap.root`) and `gc.garbage`'s: what a
    textbook collector would scan as its root set.  CPython cannot make this list.
    """
    in_garbage = {id(op) for op in heap.garbage}
    return [op for op in heap.objects() if op.roots or id(op) in in_garbage]


def inferred_roots(collection: Collection) -> list[PyObject]:
    """The roots CPython infers: objects with `gc_refs > 0` after `subtract_refs`.

    In the order of the list being collected.  Only defined between
    `subtract_refs` and `move_unreachable`: before, `gc_refs` is not computed yet;
    after, `move_unreachable` has overwritten it.
    """
    if "subtract_refs" not in collection.done or "move_unreachable" in collection.done:
        after = collection.done[-1] if collection.done else "none"
        raise HeapError("the inferred roots are the objects with gc_refs > 0 between "
                        "subtract_refs and move_unreachable; this collection has run "
                        f"{after!s} last: use run_until('subtract_refs') on a new one")
    return [op for op in collection.young if op.gc_refs > 0]


# -- The marker --------------------------------------------------------------------


class TricolourMark(Drawable):
    """Textbook tri-colour marking of `objects` from `roots`, one grey object per step.

    `objects` is the world the marker sees (a heap's objects, or the list a
    collection is collecting); references to anything else are not followed, as
    `visit_reachable` ignores objects outside the collection.  Grey objects wait in a
    first-in first-out queue, so the grey wave advances breadth first.  `trace`
    switches the log on: `True` prints it, a callable receives each line.
    """

    def __init__(self, objects: Iterable[PyObject], roots: Iterable[PyObject], *,
                 trace: Trace = False) -> None:
        world = list(objects)
        seen: dict[int, PyObject] = {}
        for op in world:
            if not isinstance(op, PyObject):
                raise TypeError(f"objects must be model objects (PyObject), "
                                f"not {type(op).__name__}")
            if op.freed is not None:
                raise HeapError(f"{op.name} was freed by {op.freed}: it cannot be marked")
            if id(op) in seen:
                raise HeapError(f"{op.name} is given twice")
            seen[id(op)] = op
        root_list = list(roots)
        for op in root_list:
            if id(op) not in seen:
                name = op.name if isinstance(op, PyObject) else repr(op)
                raise HeapError(f"the root {name} is not one of the objects to mark")
        #: The objects marked, in the order given.
        self.objects = world
        #: The root set, in the order given (duplicates dropped).
        self.roots: list[PyObject] = list({id(op): op for op in root_list}.values())
        #: The trace switch.
        self.trace: Trace = trace
        #: How many steps (grey objects scanned) so far.
        self.steps = 0
        #: The object the last step scanned (`None` before the first).
        self.scanned: PyObject | None = None
        self._colour: dict[int, Colour] = {id(op): "white" for op in world}
        self._grey: deque[PyObject] = deque()
        for op in self.roots:
            self._shade(op)
        self._trace("mark roots: " + (" ".join(op.name for op in self.roots) or "none")
                    + " grey")

    # -- Looking at the state --------------------------------------------------------

    def colour(self, op: PyObject) -> Colour:
        """The object's colour now: white, grey or black."""
        try:
            return self._colour[id(op)]
        except KeyError:
            raise HeapError(f"{op.name} is not one of the objects marked") from None

    @property
    def grey(self) -> list[PyObject]:
        """The grey objects, in the order they will be scanned."""
        return list(self._grey)

    @property
    def finished(self) -> bool:
        """Whether no grey object is left: the marking is over."""
        return not self._grey

    def garbage(self) -> list[PyObject]:
        """The white objects, in the order given: what the sweep frees, once finished."""
        if not self.finished:
            raise HeapError(f"{len(self._grey)} objects are still grey: white does not "
                            "mean garbage until the marking is over (run() finishes it)")
        return [op for op in self.objects if self._colour[id(op)] == "white"]

    def describe(self) -> str:
        """One line per colour, the objects in the order given (grey in queue order)."""
        by_colour: dict[str, list[str]] = {"white": [], "black": []}
        for op in self.objects:
            colour = self._colour[id(op)]
            if colour != "grey":
                by_colour[colour].append(op.name)
        rows = [("grey", [op.name for op in self._grey]), ("black", by_colour["black"]),
                ("white", by_colour["white"])]
        return "\n".join(f"{name:5}  {' '.join(names) or '-'}" for name, names in rows)

    def to_dot(self) -> str:
        """The objects coloured white, grey or black; the roots marked from outside."""
        title = ("the roots shaded grey" if self.scanned is None
                 else f"step {self.steps}: {self.scanned.name} scanned")
        if self.finished:
            title += "; no grey left, white is garbage"
        g = graph("tricolour", rankdir="LR", label=title, labelloc="t")
        if self.roots:
            g.node("roots", label="roots", **role("name"))
        for op in self.objects:
            colour = self._colour[id(op)]
            g.node(f"obj:{op.name}", label=Record([op.name, colour]), **role(colour))
        for op in self.roots:
            g.edge("roots", f"obj:{op.name}", **edge_role("outside"))
        for op in self.objects:
            for ref in op.referents:
                if id(ref) in self._colour:
                    g.edge(f"obj:{op.name}", f"obj:{ref.name}", **edge_role("strong"))
        return g.source()

    def __repr__(self) -> str:
        counts = {c: 0 for c in ("white", "grey", "black")}
        for colour in self._colour.values():
            counts[colour] += 1
        return ("<TricolourMark " + ", ".join(f"{n} {c}" for c, n in counts.items())
                + ">")

    # -- Marking -----------------------------------------------------------------------

    def step(self) -> PyObject:
        """Scan the first grey object: shade what it refers to, then blacken it.

        Returns the object scanned.  `visit_reachable` does the same for one object
        of `move_unreachable`'s walk.
        """
        if not self._grey:
            raise HeapError("no grey object is left: the marking is over")
        op = self._grey.popleft()
        shaded = [ref for ref in op.referents if self._shade(ref)]
        self._colour[id(op)] = "black"
        self.steps += 1
        self.scanned = op
        self._trace(f"scan {op.name}: "
                    + (" ".join(ref.name for ref in shaded) + " grey" if shaded
                       else "nothing new")
                    + f"; {op.name} black")
        return op

    def run(self) -> list[PyObject]:
        """Step until no grey object is left; returns the garbage (the white objects)."""
        while self._grey:
            self.step()
        found = self.garbage()
        self._trace("sweep: " + (" ".join(op.name for op in found) or "nothing")
                    + " white")
        return found

    def _shade(self, op: PyObject) -> bool:
        """Make a white object of the world grey; `False` for anything else."""
        if self._colour.get(id(op)) != "white":
            return False
        self._colour[id(op)] = "grey"
        self._grey.append(op)
        return True

    def _trace(self, line: str) -> None:
        if self.trace is True:
            print(f"  {line}")
        elif self.trace:
            self.trace(f"  {line}")


def mark_from_roots(objects: Iterable[PyObject], roots: Iterable[PyObject]) -> list[PyObject]:
    """Mark and sweep in one call: the objects of `objects` not reachable from `roots`."""
    return TricolourMark(objects, roots).run()


__all__ = ["Colour", "TricolourMark", "inferred_roots", "known_roots", "mark_from_roots"]
