"""One collection of the cycle collector, phase by phase (`Modules/gcmodule.c`, `Python/gc.c`).

The collector never knows the program's variables.  It finds garbage from the
reference counts alone: for the objects of the generation being collected it
copies each `ob_refcnt` into `gc_refs` (`update_refs`), then subtracts every
reference that comes from inside the generation (`subtract_refs`).  What is left is
the number of references from *outside*: an object with `gc_refs > 0` is certainly
reachable.  `move_unreachable` then walks the list once, moving the objects with
`gc_refs == 0` to a tentative `unreachable` list, and moving back any of them that
a reachable object turns out to reference.  When the walk ends, what remains on
`unreachable` is garbage, whatever the program's roots were.

The notes describe the same verdict with the textbook's three colours: white
objects are not known to be reachable yet, grey ones are known reachable but their
references are not followed yet, black ones are reachable and done.  In
`move_unreachable`, an object in `young` with `gc_refs > 0` is grey, an object the
walk has passed is black, and one on `unreachable` (or not reached yet with
`gc_refs == 0`) is white.  {py:meth}`Collection.colour` gives each object's colour.

What follows differs between eras, and the profile lists the phases in order:

- 2.x: objects with `__del__` (`tp_del`) and everything they reach are moved to
  `finalizers`, and end in `gc.garbage`; weak references are cleared and their
  callbacks called; the rest is freed through `tp_clear` (`delete_garbage`).
- 3.4+ (PEP 442): weak references first, then every `__del__` (`tp_finalize`) runs,
  once; since a finalizer may have resurrected objects, the unreachable set is
  computed again (`handle_resurrected_objects`), and only what is still
  unreachable is freed.

The narrative is in {doc}`/memory/gc`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyinternals.diagrams import Drawable
from pyinternals.memory.gc.objects import (
    PyGC_Head,
    PyObject,
    gc_list_init,
    gc_list_is_empty,
    gc_list_merge,
    gc_list_move,
    gc_list_size,
    gc_refs_text,
)

if TYPE_CHECKING:
    from pyinternals.memory.gc.heap import Heap

#: 2.7's names for the steps 3.x renamed when PEP 442 made `__del__` a new slot.
_ALIASES = {
    "move_finalizers": "move_legacy_finalizers",
    "move_finalizer_reachable": "move_legacy_finalizer_reachable",
    "handle_finalizers": "handle_legacy_finalizers",
}


# -- Finding the unreachable objects: shared by the first pass and by the second
# -- one after finalizers (`deduce_unreachable` in 3.x) ------------------------------


def update_refs(containers: PyGC_Head) -> int:
    """`gc_refs = ob_refcnt` and `PREV_MASK_COLLECTING` for every object on the list."""
    n = 0
    op = containers._gc_next
    while op is not containers:
        op.gc_refs = op.ob_refcnt
        op.collecting = True
        n += 1
        op = op._gc_next
    return n


def subtract_refs(containers: PyGC_Head) -> int:
    """Subtract from `gc_refs` every reference that comes from the list itself.

    `tp_traverse` visits each reference (`visit_decref`); only objects being
    collected (`collecting`) have a `gc_refs` to decrement.  Returns how many
    references were subtracted.
    """
    n = 0
    op = containers._gc_next
    while op is not containers:
        for ref in op.referents:
            if ref.collecting:
                ref.gc_refs -= 1
                n += 1
        op = op._gc_next
    return n


def move_unreachable(young: PyGC_Head, unreachable: PyGC_Head) -> tuple[int, int]:
    """Move what is not reachable from outside `young` to `unreachable`.

    Objects with `gc_refs > 0` are reachable: the walk follows their references
    (`visit_reachable`), giving `gc_refs = 1` to objects it has not reached yet and
    moving back to the end of `young` those it had already moved out.  Objects with
    `gc_refs == 0` are moved out, tentatively.  Returns (moved out, moved back).

    2.x marks a reachable object `GC_REACHABLE` and a tentative one
    `GC_TENTATIVELY_UNREACHABLE`; 3.8+ clears `PREV_MASK_COLLECTING` and sets
    `NEXT_MASK_UNREACHABLE` while it keeps `unreachable` singly linked.  The moves
    are the same, and so is the order they leave the lists in.
    """
    moved_out = moved_back = 0
    op = young._gc_next
    while op is not young:
        if op.gc_refs:
            for ref in op.referents:                       # visit_reachable
                if ref.collecting:
                    if ref.unreachable:
                        ref.unreachable = False
                        gc_list_move(ref, young)
                        ref.gc_refs = 1
                        moved_back += 1
                    elif ref.gc_refs == 0:
                        ref.gc_refs = 1
            op.collecting = False
            op = op._gc_next
        else:
            following = op._gc_next
            gc_list_move(op, unreachable)
            op.unreachable = True
            moved_out += 1
            op = following
    return moved_out, moved_back


def _may_be_tracked(op: PyObject) -> bool:
    """`_PyObject_GC_MAY_BE_TRACKED`: a container, unless it is an untracked tuple."""
    return op.ob_type.kind != "tuple" or op.tracked


class Collection(Drawable):
    """A collection of one generation (and the younger ones), run phase by phase.

    Made by {py:meth}`Heap.collection <pyinternals.memory.gc.heap.Heap.collection>`:
    creating it does what `gc_collect_main` does first (the callbacks' `"start"`,
    the counts, merging the younger generations into the one collected); each
    {py:meth}`step` runs one phase of the profile's list; {py:meth}`run` runs the
    rest and returns what `gc.collect()` would.
    """

    def __init__(self, heap: Heap, generation: int) -> None:
        self.heap = heap
        #: The generation collected.
        self.generation = generation
        #: The phases of this version's collector, by their C names.
        self.phases = heap.profile.phases
        #: The phases done so far.
        self.done: list[str] = []
        #: What each phase did, in words (the trace prints it).
        self.summaries: dict[str, str] = {}
        #: Objects collected (freed, or weak references freed after their callback).
        self.m = 0
        #: Objects found unreachable that could not be collected.
        self.n = 0
        #: The result once finished: what `gc.collect()` returns.
        self.result: int | None = None
        #: Set while a phase runs (finalizers and callbacks may change the heap then).
        self.running = True
        self.unreachable = PyGC_Head("unreachable")
        self.finalizers = PyGC_Head("finalizers")
        #: The list `delete_garbage` frees: `unreachable`, or after PEP 442
        #: finalizers, the objects that are still unreachable.
        self.collectable = self.unreachable
        self.resurrected = 0
        heap.collecting = True
        heap._collection = self
        heap._invoke_gc_callback("start", generation, 0, 0)
        gens = heap.generations
        heap._trace(f"gc: collecting generation {generation}...")
        heap._trace("gc: objects in each generation: "
                    + " ".join(str(len(g)) for g in gens))
        # Update the collection and allocation counters.
        if generation + 1 < len(gens):
            gens[generation + 1].count += 1
        for gen in gens[: generation + 1]:
            gen.count = 0
        # Merge the younger generations into the one being collected.
        for gen in gens[:generation]:
            gc_list_merge(gen.head, gens[generation].head)
        #: The list being collected, and where survivors go.
        self.young = gens[generation].head
        self.old = gens[generation + 1].head if generation + 1 < len(gens) else self.young
        self.running = False

    # -- Driving ----------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """Whether every phase has run."""
        return self.result is not None

    @property
    def next_phase(self) -> str | None:
        """The C name of the phase `step()` runs next, or `None` when finished."""
        return None if self.finished else self.phases[len(self.done)]

    def step(self) -> str:
        """Run the next phase; returns its C name."""
        name = self.next_phase
        if name is None:
            from pyinternals.memory.gc.heap import HeapError

            raise HeapError("this collection is over; start another with Heap.collection()")
        phase = getattr(self, _ALIASES.get(name, name))
        self.running = True
        try:
            summary = phase()
        finally:
            self.running = False
        self.done.append(name)
        self.summaries[name] = summary
        self.heap._trace(f"  {name}: {summary}")
        if len(self.done) == len(self.phases):
            self._finish()
        return name

    def run_until(self, phase: str) -> None:
        """Run phases up to and including `phase` (a C name of this version's list)."""
        if phase not in self.phases:
            from pyinternals.memory.gc.heap import HeapError

            raise HeapError(f"the {self.heap.version} collector has no phase {phase!r}; "
                            f"its phases are {', '.join(self.phases)}")
        if phase in self.done:
            from pyinternals.memory.gc.heap import HeapError

            raise HeapError(f"{phase} has already run")
        while self.step() != phase:
            pass

    def run(self) -> int:
        """Run every remaining phase; returns what `gc.collect()` would return."""
        while not self.finished:
            self.step()
        assert self.result is not None
        return self.result

    def _finish(self) -> None:
        heap, n, m = self.heap, self.n, self.m
        stats = heap.stats[self.generation]
        stats["collections"] += 1
        stats["collected"] += m
        stats["uncollectable"] += n
        heap._trace(f"gc: done, {n + m} unreachable, {n} uncollectable")
        if self.generation == len(heap.generations) - 1:
            heap.freelists.clear()                          # clear_freelists
        self.running = True
        heap._invoke_gc_callback("stop", self.generation, m, n)
        self.running = False
        heap.collecting = False
        heap._collection = None
        self.result = n + m

    # -- Looking at the state ------------------------------------------------------

    def lists(self) -> dict[str, list[PyObject]]:
        """The lists this collection uses, by name, each in its order."""
        found = {"young": list(self.young)}
        if self.old is not self.young:
            found["old"] = list(self.old)
        found["unreachable"] = list(self.unreachable)
        found["finalizers"] = list(self.finalizers)
        if self.collectable is not self.unreachable:
            found[self.collectable.name] = list(self.collectable)
        return found

    def colour(self, op: PyObject) -> str:
        """The object's colour in the three-colour model: white, grey or black.

        Black: found reachable and its references followed.  Grey: known to be
        reachable from outside (`gc_refs > 0`), references not followed yet.  White:
        not known to be reachable (tentatively unreachable, or not reached yet).
        Objects outside this collection are black: the collection treats them as
        reachable.  Until `subtract_refs` has run nothing is known: all are white.
        """
        if not op.collecting:
            return "black"
        if "subtract_refs" not in self.done:
            return "white"
        if op.unreachable or op.gc_refs == 0:
            return "white"
        return "grey"

    def describe(self) -> str:
        """Each list of the collection, its objects in order, `gc_refs` and colour."""
        field = self.heap.profile.gc_refs_field
        lines = []
        for name, members in self.lists().items():
            if members:
                lines.append(f"{name}:")
                lines += [f"  {op.name:4} {gc_refs_text(op, field):32} {self.colour(op)}"
                          for op in members]
        return "\n".join(lines)

    def to_dot(self) -> str:
        """The collection's lists, with `gc_refs` as this version stores it."""
        from pyinternals.memory.gc.drawing import draw_collection

        return draw_collection(self)

    def __repr__(self) -> str:
        last = self.done[-1] if self.done else "start"
        return f"<Collection of generation {self.generation} after {last}>"

    # -- The phases (C names) ---------------------------------------------------------

    def update_refs(self) -> str:
        """Copy every `ob_refcnt` of the generation into `gc_refs`."""
        n = update_refs(self.young)
        return f"gc_refs = ob_refcnt for {n} objects"

    def subtract_refs(self) -> str:
        """Subtract the references from inside the generation from `gc_refs`."""
        n = subtract_refs(self.young)
        outside = sum(1 for op in self.young if op.gc_refs > 0)
        return (f"{n} references from inside subtracted; "
                f"{outside} objects are referenced from outside")

    def move_unreachable(self) -> str:
        """Move the objects not reachable from outside to the `unreachable` list."""
        out, back = move_unreachable(self.young, self.unreachable)
        left = gc_list_size(self.unreachable)
        return f"{out} moved to unreachable, {back} moved back; {left} unreachable"

    def untrack_tuples(self) -> str:
        """Stop tracking reachable tuples that hold no container (`_PyTuple_MaybeUntrack`).

        2.x does it inside `move_unreachable`, for each reachable tuple it passes.
        """
        n = 0
        for op in self.young:
            if op.ob_type.kind == "tuple" and not any(map(_may_be_tracked, op.referents)):
                self.heap._untrack(op)
                n += 1
        return f"{n} tuples untracked"

    def promote(self) -> str:
        """Move the survivors to the next generation (inline in `gc_collect_main`).

        A full collection keeps them in generation 2, untracks dicts that hold no
        container (`untrack_dicts`), and resets the long-lived counts.
        """
        heap = self.heap
        if self.young is not self.old:
            size = gc_list_size(self.young)
            if self.generation == len(heap.generations) - 2:
                heap.long_lived_pending += size
            gc_list_merge(self.young, self.old)
            return f"{size} survivors moved to generation {self.generation + 1}"
        untracked = 0
        for op in self.young:
            if op.ob_type.kind == "dict" and not any(map(_may_be_tracked, op.referents)):
                heap._untrack(op)
                untracked += 1
        heap.long_lived_pending = 0
        heap.long_lived_total = gc_list_size(self.young)
        return (f"{heap.long_lived_total} survivors stay in generation 2 "
                f"(long_lived_total), {untracked} dicts untracked")

    def move_legacy_finalizers(self) -> str:
        """Move unreachable objects with a legacy finalizer (`tp_del`) to `finalizers`."""
        legacy = self.heap.profile.legacy_finalizers
        n = 0
        for op in self.unreachable:
            op.unreachable = False
            if legacy and op.finalizer is not None:
                gc_list_move(op, self.finalizers)
                op.collecting = False
                n += 1
        return f"{n} objects with a legacy finalizer moved to finalizers"

    def move_legacy_finalizer_reachable(self) -> str:
        """Move what the legacy finalizers reach to `finalizers` too: it cannot be freed."""
        n = 0
        op = self.finalizers._gc_next
        while op is not self.finalizers:          # the list grows as it is walked
            for ref in op.referents:
                if ref.collecting:
                    gc_list_move(ref, self.finalizers)
                    ref.collecting = False
                    n += 1
            op = op._gc_next
        return f"{n} objects reachable from them moved"

    def handle_weakrefs(self) -> str:
        """Clear weak references to unreachable objects; call the callbacks that count.

        A callback runs only if its weak reference is not garbage itself.  Such weak
        references are moved to `wrcb_to_call`, called in that order once every weak
        reference is cleared, then moved to the older generation (or freed, when the
        callback dropped the last reference: they count as collected).
        """
        heap = self.heap
        clear_garbage_refs = heap.profile.clear_unreachable_weakrefs
        wrcb_to_call = PyGC_Head("wrcb_to_call")
        cleared = 0
        for op in self.unreachable:
            if clear_garbage_refs and op.wr_object is not None:
                heap._PyWeakref_ClearRef(op)          # bpo-38006: garbage weakrefs
            if not op.weakreflist:
                continue
            for wr in list(op.weakreflist):
                heap._PyWeakref_ClearRef(wr)
                cleared += 1
                if wr.wr_callback is None or wr.collecting:
                    continue
                wr.ob_refcnt += 1
                gc_list_move(wr, wrcb_to_call)
        called = freed = 0
        while not gc_list_is_empty(wrcb_to_call):
            wr = wrcb_to_call._gc_next
            callback = wr.wr_callback
            assert callback is not None
            heap._handle_callback(wr, callback)
            called += 1
            heap._decref(wr)
            if wrcb_to_call._gc_next is wr:
                gc_list_move(wr, self.old)
            else:
                freed += 1
        self.m += freed
        return f"{cleared} weak references cleared, {called} callbacks called"

    def finalize_garbage(self) -> str:
        """Call `__del__` (`tp_finalize`) of every unreachable object, once (PEP 442)."""
        heap, unreachable = self.heap, self.unreachable
        seen = PyGC_Head("seen")
        n = 0
        while unreachable._gc_next is not unreachable:
            op = unreachable._gc_next
            gc_list_move(op, seen)
            if op.finalizer is not None and not op.finalized:
                op.finalized = True
                op.ob_refcnt += 1
                heap._call_finalizer(op)
                n += 1
                heap._decref(op)
        gc_list_merge(seen, self.unreachable)
        return f"{n} finalizers called"

    def handle_resurrected_objects(self) -> str:
        """Compute the unreachable set again: finalizers may have resurrected objects.

        What is reachable now (the resurrected objects and what they reach) goes to
        the older generation and is not counted; the rest is still garbage.
        """
        still = PyGC_Head("final_unreachable")
        for op in self.unreachable:
            op.collecting = False                 # gc_list_clear_collecting
        update_refs(self.unreachable)
        subtract_refs(self.unreachable)
        move_unreachable(self.unreachable, still)
        for op in still:
            op.unreachable = False                # clear_unreachable_mask
        self.resurrected = gc_list_size(self.unreachable)
        gc_list_merge(self.unreachable, self.old)
        self.collectable = still
        return f"{self.resurrected} resurrected objects moved to the older generation"

    def delete_garbage(self) -> str:
        """Break the cycles: `tp_clear` on each object; reference counting frees the rest.

        An object still alive after its `tp_clear` (a tuple has none; an object can
        be held by another that is not cleared yet) moves to the older generation,
        to die when its holder is cleared.
        """
        heap, collectable = self.heap, self.collectable
        n = gc_list_size(collectable)
        self.m += n
        while collectable._gc_next is not collectable:
            op = collectable._gc_next
            if op.ob_type.clear:
                op.ob_refcnt += 1
                heap._tp_clear(op)
                op.ob_refcnt -= 1                 # Py_DECREF
                if op.ob_refcnt == 0:
                    heap._dealloc(op)
            if collectable._gc_next is op:
                op.collecting = False
                gc_list_move(op, self.old)
        return f"{n} objects cleared"

    def handle_legacy_finalizers(self) -> str:
        """Append the objects with legacy finalizers to `gc.garbage`; keep the rest."""
        heap = self.heap
        self.n = gc_list_size(self.finalizers)
        added = 0
        for op in self.finalizers:
            if heap.profile.legacy_finalizers and op.finalizer is not None:
                heap._garbage.append(op)
                op.ob_refcnt += 1
                added += 1
        gc_list_merge(self.finalizers, self.old)
        return f"{self.n} uncollectable, {added} appended to gc.garbage"


__all__ = ["Collection", "gc_list_init", "move_unreachable", "subtract_refs", "update_refs"]
