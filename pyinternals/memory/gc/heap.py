"""The model heap: allocation, reference counting, deallocation, weak references.

A {py:class}`Heap` is the part of one interpreter that memory management sees: the
containers, the references between them, the references from outside (variables,
the eval stack, anything the model does not represent as an object), the three
generations and their counts, the free lists, `gc.garbage` and `gc.callbacks`.

Reference counting is the first mechanism: {py:meth}`Heap.unroot` and
{py:meth}`Heap.unlink` drop a reference, and an object whose count reaches zero is
deallocated at once, dropping its own references in turn (`_Py_Dealloc`, the type's
`tp_dealloc`).  The cycle collector, in {py:mod}`pyinternals.memory.gc.collector`, is
the second: it runs when generation 0's count exceeds its threshold
(`_PyObject_GC_Link`), or when asked ({py:meth}`Heap.collect`).

Where the model departs from C:

- There is no trashcan (`Py_TRASHCAN_BEGIN`): C postpones deallocations nested more
  than 50 deep to keep its own stack small, which changes the order in which the
  members of a very deep structure are freed.  The model frees depth first always.
- Free lists are counted, not kept: the model knows how many freed dicts, lists and
  tuples of each size a free list holds, which is all the collector's counts depend
  on.
- Exceptions raised by finalizers and callbacks are kept in `Heap.unraisable`, where
  C prints them (`PyErr_WriteUnraisable`).

The narrative is in {doc}`/memory/gc`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pyinternals import profiles
from pyinternals.diagrams import Drawable
from pyinternals.memory.gc.objects import (
    KINDS,
    WEAKREF,
    Finalizer,
    PyGC_Head,
    PyObject,
    PyTypeObject,
    WeakCallback,
    gc_list_append,
    gc_list_remove,
)

if TYPE_CHECKING:
    from pyinternals.memory.gc.collector import Collection
    from pyinternals.memory.gc.mirror import Snapshot

NUM_GENERATIONS = 3
#: The largest tuple size a free list keeps (`PyTuple_MAXSAVESIZE`, exclusive).
TUPLE_MAXSAVESIZE = 20

Trace = bool | Callable[[str], object]
GCCallback = Callable[[str, dict[str, int]], object]


class HeapError(ValueError):
    """A heap operation that cannot be done; the message says why, the heap is unchanged."""


class Generation(Drawable):
    """One of the three generations: its list, its threshold and its count."""

    def __init__(self, heap: Heap, number: int, threshold: int) -> None:
        self.heap = heap
        self.number = number
        #: The list head (`GEN_HEAD(n)`).
        self.head = PyGC_Head(f"generation {number}")
        self.threshold = threshold
        #: Generation 0: container allocations minus deallocations since its last
        #: collection; older ones: collections of the generation below.
        self.count = 0

    def __iter__(self) -> Iterator[PyObject]:
        return iter(self.head)

    def __len__(self) -> int:
        return len(self.head)

    def __repr__(self) -> str:
        return (f"<Generation {self.number}: {len(self)} objects, "
                f"count {self.count}, threshold {self.threshold}>")

    def to_dot(self) -> str:
        """This generation's list, head first, with each object's `PyGC_Head` fields."""
        from pyinternals.memory.gc.drawing import draw_list

        return draw_list(self.heap, self.head, f"generation{self.number}")


class Heap(Drawable):
    """A model heap of containers under one CPython version's memory management.

    ```python
    >>> h = Heap("3.12")
    >>> a = h.container("a")          # a = Node(): one outside reference
    >>> b = h.container("b")
    >>> h.link(a, b); h.link(b, a)    # a.other = b; b.other = a
    >>> h.unroot(a); h.unroot(b)      # del a, b: the cycle keeps both alive
    >>> h.alive(a), a.ob_refcnt
    (True, 1)
    >>> h.collect()
    2
    >>> h.alive(a)
    False

    ```

    `profile` names the version (`"2.7"`, `"3.11"`, `"3.12"`, `"3.13"`; default the
    running interpreter's).  `trace` switches the log on: `True` prints it, a
    callable receives each line.
    """

    def __init__(self, profile: str | None = None, *, trace: Trace = False) -> None:
        #: The version this heap behaves as.
        self.version = profiles.running() if profile is None else profile
        #: Its garbage collector profile ({py:mod}`pyinternals.profiles.gc`).
        self.profile = profiles.gc.get(profile)
        self.generations = [Generation(self, i, t)
                            for i, t in enumerate(self.profile.thresholds)]
        #: `gc.isenabled()`.
        self.enabled = True
        #: Set while a collection runs: allocations then never start another one.
        self.collecting = False
        #: 3.12+: an allocation asked for a collection at the next eval-breaker check.
        self.gc_scheduled = False
        #: Survivors of the last full collection, and objects promoted to the oldest
        #: generation since (the long-lived rule: `collect_generations`).
        self.long_lived_total = 0
        self.long_lived_pending = 0
        #: How many times generation 2 was due but the long-lived rule held it back.
        self.full_collections_deferred = 0
        #: How many freed objects each free list holds, by `"dict"`, `"list"` or
        #: `("tuple", size)`.
        self.freelists: dict[Any, int] = {}
        self._capacity = dict(self.profile.freelists)
        self._garbage: list[PyObject] = []
        self._callbacks: list[GCCallback] = []
        #: `gc.get_stats()`: collections, collected and uncollectable per generation.
        self.stats = [{"collections": 0, "collected": 0, "uncollectable": 0}
                      for _ in range(NUM_GENERATIONS)]
        #: What finalizers and callbacks raised: `(where, exception)` pairs.
        self.unraisable: list[tuple[str, BaseException]] = []
        #: The trace switch.
        self.trace: Trace = trace
        self._objects: dict[str, PyObject] = {}
        self._names = itertools.count(1)
        self._collection: Collection | None = None

    # -- Looking at the heap -------------------------------------------------------

    def __getitem__(self, name: str) -> PyObject:
        """The object called `name` (alive or freed)."""
        try:
            return self._objects[name]
        except KeyError:
            raise KeyError(f"no object named {name!r} in this heap") from None

    def __contains__(self, name: object) -> bool:
        return name in self._objects

    def objects(self) -> list[PyObject]:
        """Every object still alive, in the order they were created."""
        return [op for op in self._objects.values() if op.freed is None]

    def get_objects(self, generation: int | None = None) -> list[PyObject]:
        """`gc.get_objects()`: tracked objects, generation 0 first, in list order."""
        gens = self.generations if generation is None else [self._generation(generation)]
        return [op for gen in gens for op in gen]

    def describe(self) -> str:
        """The generations as text: count and threshold, then each object in list order.

        Each object shows as `name(ob_refcnt)`, with `+k` for `k` outside references.
        """
        lines = []
        for gen in self.generations:
            members = " ".join(
                f"{op.name}({op.ob_refcnt}{'+' + str(op.roots) if op.roots else ''})"
                for op in gen)
            lines.append(f"generation {gen.number} (count {gen.count}, threshold "
                         f"{gen.threshold}): {members or '-'}")
        if self._garbage:
            lines.append("gc.garbage: " + " ".join(op.name for op in self._garbage))
        return "\n".join(lines)

    def alive(self, obj: PyObject) -> bool:
        """Whether `obj` has not been freed yet."""
        return self._own(obj).freed is None

    @property
    def garbage(self) -> list[PyObject]:
        """`gc.garbage`: what a collection found unreachable but could not free.

        In 2.x, cycles with `__del__` methods; in 3.x only objects with a C-level
        `tp_del` (none in this model), so it stays empty.  The list holds a
        reference to each object.  This is a copy; {py:meth}`clear_garbage` empties it.
        """
        return list(self._garbage)

    def clear_garbage(self) -> None:
        """`del gc.garbage[:]`: drop the list's references (`list_ass_slice`)."""
        self._check_not_paused()
        dropped, self._garbage = self._garbage, []
        for op in dropped:
            self._decref(op)
        self._eval_breaker()

    @property
    def callbacks(self) -> list[GCCallback]:
        """`gc.callbacks`: called with `("start" | "stop", info)` around each collection.

        `info` has `generation`, `collected` and `uncollectable`, as in CPython.  Like
        CPython's, calling callbacks costs an allocation: the `info` dict.
        """
        if not self.profile.callbacks:
            raise AttributeError(
                f"gc.callbacks is new in Python 3.3: the {self.version} profile has none "
                "(switch the trace on to watch its collections)")
        return self._callbacks

    def get_count(self) -> tuple[int, int, int]:
        """`gc.get_count()`.

        As in C, the counts are read first and the result tuple allocated after: from
        the tuple free list when it holds one, else as a new container, which adds one
        to generation 0's count.  The model drops the tuple at once, as `c0, c1, c2 =
        gc.get_count()` does.
        """
        counts = (self.generations[0].count, self.generations[1].count,
                  self.generations[2].count)
        self._transient("tuple", 3)
        return counts

    def get_stats(self) -> list[dict[str, int]]:
        """`gc.get_stats()`: collections, collected and uncollectable, per generation.

        (Unlike `get_count`, the model does not count what building this list costs.)
        """
        return [dict(stats) for stats in self.stats]

    def get_threshold(self) -> tuple[int, int, int]:
        """`gc.get_threshold()` (its result tuple costs what `get_count`'s does)."""
        thresholds = (self.generations[0].threshold, self.generations[1].threshold,
                      self.generations[2].threshold)
        self._transient("tuple", 3)
        return thresholds

    def set_threshold(self, threshold0: int, threshold1: int | None = None,
                      threshold2: int | None = None) -> None:
        """`gc.set_threshold()`; 0 for `threshold0` turns automatic collection off.

        CPython accepts any C `int`; the model refuses negative numbers, which make
        no sense as thresholds.
        """
        values = [threshold0, threshold1, threshold2]
        for i, value in enumerate(values):
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"threshold{i} must be an int, not {type(value).__name__}")
            if value < 0:
                raise ValueError(f"threshold{i} must be 0 or more, not {value}")
        for gen, value in zip(self.generations, values, strict=True):
            if value is not None:
                gen.threshold = value

    def enable(self) -> None:
        """`gc.enable()`."""
        self.enabled = True

    def disable(self) -> None:
        """`gc.disable()`: no more automatic collections (`collect` still works)."""
        self.enabled = False

    def isenabled(self) -> bool:
        """`gc.isenabled()`."""
        return self.enabled

    def check(self) -> None:
        """Raise `AssertionError` unless every live object's count adds up.

        `ob_refcnt` must equal the references from other live objects, plus the
        outside references, plus `gc.garbage`'s.
        """
        incoming: dict[int, int] = {}
        for op in self._objects.values():
            if op.freed is None:
                for ref in op.referents:
                    incoming[id(ref)] = incoming.get(id(ref), 0) + 1
        in_garbage = {id(op): self._garbage.count(op) for op in self._garbage}
        for op in self._objects.values():
            if op.freed is not None:
                continue
            expected = incoming.get(id(op), 0) + op.roots + in_garbage.get(id(op), 0)
            assert op.ob_refcnt == expected, (
                f"{op.name}: ob_refcnt {op.ob_refcnt}, but {incoming.get(id(op), 0)} "
                f"references from objects + {op.roots} outside + "
                f"{in_garbage.get(id(op), 0)} from gc.garbage = {expected}")

    # -- Making objects -------------------------------------------------------------

    def container(self, name: str | None = None, *, finalizer: Finalizer = False,
                  kind: str = "instance") -> PyObject:
        """A new tracked container, held by one outside reference (`x = Node()`).

        It counts as an allocation in generation 0, which may start a collection: in
        the allocation itself up to 3.11 (before the new object is tracked), or at
        the eval loop's next check once the call returns from 3.12 on.  `finalizer`
        gives the object a `__del__`: `True` for one that only shows in the trace,
        or a callable that receives the object.  `kind` is `"instance"` (a class
        defined in Python), `"list"` or `"dict"`.
        """
        self._check_not_paused()
        if kind not in KINDS:
            known = ", ".join(repr(k) for k in KINDS)
            raise HeapError(f"kind must be one of {known}, not {kind!r}")
        if finalizer is not False and kind != "instance":
            raise HeapError(f"only instances have __del__ methods; a {kind} cannot")
        if not (finalizer is True or finalizer is False or callable(finalizer)):
            raise TypeError(f"finalizer must be True, False or a callable, "
                            f"not {type(finalizer).__name__}")
        name = self._check_name(name)
        op = self._new(name, KINDS[kind])
        op.finalizer = finalizer if finalizer is not False else None
        op.ob_refcnt = op.roots = 1
        self._track(op)
        self._eval_breaker()
        return op

    def weakref(self, obj: PyObject, callback: WeakCallback | None = None, *,
                name: str | None = None) -> PyObject:
        """`weakref.ref(obj, callback)`: a weak reference object, held from outside.

        Without a callback, an existing plain weak reference to `obj` is returned
        again (with one more outside reference), as CPython does.  A weak reference
        is itself a container: it counts as an allocation.
        """
        self._check_not_paused()
        target = self._live(obj, "take a weak reference to")
        if not target.ob_type.weakrefs:
            raise HeapError(f"cannot create weak reference to {target.ob_type.tp_name!r} "
                            f"object {target.name}")
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be callable or None, not {type(callback).__name__}")
        basic = self._basic_ref(target)
        if callback is None and basic is not None:
            basic.ob_refcnt += 1
            basic.roots += 1
            return basic
        name = self._check_name(name, prefix="w")
        wr = self._new(name, WEAKREF)          # may collect: recompute the list after
        wr.wr_object, wr.wr_callback = target, callback
        wr.ob_refcnt = wr.roots = 1
        basic = self._basic_ref(target)
        if callback is None or basic is None:
            target.weakreflist.insert(0, wr)   # insert_head
        else:
            target.weakreflist.insert(1, wr)   # insert_after(result, ref)
        self._track(wr)
        self._eval_breaker()
        return wr

    # -- References -----------------------------------------------------------------

    def link(self, src: PyObject, dst: PyObject) -> None:
        """`src` takes a strong reference to `dst` (`src.attr = dst`, `src.append(dst)`)."""
        self._check_not_paused()
        holder = self._live(src, "take a reference from")
        target = self._live(dst, "take a reference to")
        if holder.ob_type.kind == "weakref":
            raise HeapError(f"{holder.name} is a weak reference: it holds no strong "
                            "references")
        if holder.ob_type.kind == "tuple":
            raise HeapError(f"{holder.name} is a tuple: tuples cannot change")
        if holder.ob_type.traverse == "forward":
            holder.referents.append(target)
        else:
            holder.referents.insert(0, target)   # list_traverse: the last item first
        target.ob_refcnt += 1
        if holder.ob_type.kind == "dict" and not holder.tracked:
            self._track(holder)        # MAINTAIN_TRACKING: a dict tracks itself again

    def unlink(self, src: PyObject, dst: PyObject) -> None:
        """`src` drops one of its references to `dst`; `dst` may be freed at once.

        For a list, the first occurrence goes, as `list.remove` does.
        """
        self._check_not_paused()
        holder = self._live(src, "drop a reference from")
        target = self._own(dst)
        refs = holder.referents
        positions = range(len(refs)) if holder.ob_type.traverse == "forward" else (
            range(len(refs) - 1, -1, -1))
        for i in positions:
            if refs[i] is target:
                del refs[i]
                break
        else:
            raise HeapError(f"{holder.name} holds no reference to {target.name}")
        self._decref(target)
        self._eval_breaker()

    def root(self, obj: PyObject) -> None:
        """Take an outside reference to `obj` (a variable, a slot on the eval stack)."""
        self._check_not_paused()
        op = self._live(obj, "take an outside reference to")
        op.roots += 1
        op.ob_refcnt += 1

    def unroot(self, obj: PyObject) -> None:
        """Drop an outside reference to `obj` (`del x`); at zero it is freed at once."""
        self._check_not_paused()
        op = self._live(obj, "drop an outside reference to")
        if op.roots == 0:
            raise HeapError(f"{op.name} has no outside reference to drop "
                            f"(its {op.ob_refcnt} references come from other objects)")
        op.roots -= 1
        self._decref(op)
        self._eval_breaker()

    # -- Collecting -----------------------------------------------------------------

    def collect(self, generation: int = 2) -> int:
        """`gc.collect(generation)`: collect now; the number CPython would return.

        That number is what the collection found unreachable: the objects it freed,
        weak reference objects freed after their callback ran, and the objects it
        could not free.  During a collection it returns 0 and does nothing.
        """
        self._generation(generation)
        if self.collecting:
            return 0
        return self.collection(generation).run()

    def collection(self, generation: int = 2) -> Collection:
        """A collection of `generation` that runs phase by phase (`.step()`, `.run()`).

        Between two phases, the heap refuses every change: finish the collection
        first.  Its `to_dot()` draws the lists and `gc_refs` after the last phase.
        """
        from pyinternals.memory.gc.collector import Collection

        self._generation(generation)
        if self.collecting:
            raise HeapError("a collection is already running")
        return Collection(self, generation)

    # -- Mirroring real objects -----------------------------------------------------

    @classmethod
    def from_objects(cls, objects: Mapping[str, object] | Iterable[object],
                     profile: str | None = None, *, max_objects: int = 2_000_000,
                     trace: Trace = False) -> Heap:
        """A heap mirrored from real Python objects and everything they reach.

        See {py:func}`pyinternals.memory.gc.mirror.snapshot`: the model gets the
        containers, their references and their reference counts; references from
        outside the mirrored objects become outside references.
        """
        from pyinternals.memory.gc.mirror import snapshot

        return cls.from_snapshot(snapshot(objects, max_objects=max_objects), profile,
                                 trace=trace)

    @classmethod
    def from_snapshot(cls, snap: Snapshot | Mapping[str, Any], profile: str | None = None,
                      *, trace: Trace = False) -> Heap:
        """A heap built from a snapshot (one taken here, or by a probe elsewhere)."""
        from pyinternals.memory.gc.mirror import build

        return build(cls(profile, trace=trace), snap)

    # -- Drawing --------------------------------------------------------------------

    def to_dot(self) -> str:
        """Every live object, by generation, with its references and outside references."""
        from pyinternals.memory.gc.drawing import draw_heap

        return draw_heap(self)

    # ================================================================================
    # Internals: named after the C functions they model.
    # ================================================================================

    def _trace(self, line: str) -> None:
        if self.trace is True:
            print(line)
        elif self.trace:
            self.trace(line)

    def _generation(self, generation: int) -> Generation:
        if not isinstance(generation, int) or isinstance(generation, bool):
            raise TypeError(f"generation must be an int, not {type(generation).__name__}")
        if not 0 <= generation < NUM_GENERATIONS:
            raise ValueError(f"invalid generation {generation}: there are 0, 1 and 2")
        return self.generations[generation]

    def _own(self, obj: object) -> PyObject:
        if not isinstance(obj, PyObject):
            raise TypeError(f"expected an object of this heap, not {type(obj).__name__}")
        if self._objects.get(obj.name) is not obj:
            raise HeapError(f"{obj.name} belongs to another heap")
        return obj

    def _live(self, obj: object, action: str) -> PyObject:
        op = self._own(obj)
        if op.freed is not None:
            raise HeapError(f"cannot {action} {op.name}: it was freed by {op.freed}")
        return op

    def _check_name(self, name: str | None, prefix: str = "o") -> str:
        if name is None:
            name = f"{prefix}{next(self._names)}"
            while name in self._objects:
                name = f"{prefix}{next(self._names)}"
            return name
        if not isinstance(name, str) or not name:
            raise TypeError(f"a name is a non-empty string, not {name!r}")
        if name in self._objects:
            raise HeapError(f"there is already an object named {name!r}")
        return name

    def _check_not_paused(self) -> None:
        paused = self._collection
        if paused is not None and not paused.running:
            raise HeapError(
                f"a collection of generation {paused.generation} is paused after "
                f"{paused.done[-1] if paused.done else 'its start'}: finish it "
                "(.run()) before changing the heap")

    def _unraisable(self, where: str, exc: Exception) -> None:
        self.unraisable.append((where, exc))
        self._trace(f"  Exception ignored in {where}: {type(exc).__name__}: {exc}")

    # -- Allocation: _PyObject_GC_Link, the free lists, PyObject_GC_Del --------------

    def _freelist_key(self, kind: str, size: int) -> Any:
        if kind == "tuple":
            return ("tuple", size) if 0 < size < TUPLE_MAXSAVESIZE else None
        return kind if kind in self._capacity else None

    def _gc_alloc(self, kind: str, size: int = 0) -> None:
        """Allocate a container: from its free list, or anew (`_PyObject_GC_Link`)."""
        key = self._freelist_key(kind, size)
        if key is not None and self.freelists.get(key, 0) > 0:
            self.freelists[key] -= 1
            return
        self._PyObject_GC_Link()

    def _PyObject_GC_Link(self) -> None:
        """Count the allocation; past the threshold, collect or schedule a collection."""
        gen0 = self.generations[0]
        gen0.count += 1
        if (gen0.count > gen0.threshold and self.enabled and gen0.threshold
                and not self.collecting):
            if self.profile.collect_on == "allocation":
                self._collect_generations()
            else:
                self.gc_scheduled = True      # _Py_ScheduleGC

    def _gc_free(self, kind: str, size: int = 0) -> None:
        """Free a container: onto its free list if there is room, else `PyObject_GC_Del`."""
        key = self._freelist_key(kind, size)
        if key is not None:
            held = self.freelists.get(key, 0)
            capacity = self._capacity["tuple" if kind == "tuple" else kind]
            if held < capacity:
                self.freelists[key] = held + 1
                return
        gen0 = self.generations[0]
        if gen0.count > 0:
            gen0.count -= 1

    def _transient(self, kind: str, size: int = 0) -> None:
        """An object C allocates and frees at once (a result tuple, an info dict)."""
        self._gc_alloc(kind, size)
        self._gc_free(kind, size)

    def _new(self, name: str, ob_type: PyTypeObject, size: int = 0) -> PyObject:
        self._gc_alloc(ob_type.kind, size)
        op = PyObject(name, ob_type)
        op.size = size
        self._objects[name] = op
        return op

    def _track(self, op: PyObject) -> None:
        """`_PyObject_GC_TRACK`: append to generation 0."""
        gc_list_append(op, self.generations[0].head)

    def _untrack(self, op: PyObject) -> None:
        """`_PyObject_GC_UNTRACK`: off its list; the collector's flags are cleared."""
        if op._gc_next is not None:
            gc_list_remove(op)
        op.collecting = op.unreachable = False

    def _eval_breaker(self) -> None:
        """3.12+: the eval loop's check runs a collection an allocation scheduled."""
        if self.gc_scheduled and not self.collecting:
            self.gc_scheduled = False
            if self.enabled:
                self._collect_generations()          # _Py_RunGC

    def _collect_generations(self) -> int:
        """Collect the oldest generation whose count exceeds its threshold.

        A full collection waits until the objects promoted to generation 2 since the
        last one are at least a quarter of those that survived it.
        """
        for i in range(NUM_GENERATIONS - 1, -1, -1):
            gen = self.generations[i]
            if gen.count > gen.threshold:
                if (i == NUM_GENERATIONS - 1 and self.long_lived_pending
                        < self.long_lived_total // self.profile.long_lived_ratio):
                    self.full_collections_deferred += 1
                    self._trace(f"gc: generation 2 is due, but long_lived_pending "
                                f"{self.long_lived_pending} < long_lived_total "
                                f"{self.long_lived_total} / {self.profile.long_lived_ratio}")
                    continue
                return self.collection(i).run()
        return 0

    def _invoke_gc_callback(self, phase: str, generation: int, collected: int,
                            uncollectable: int) -> None:
        """Call `gc.callbacks`; the `info` dict they receive is an allocation too."""
        if not self._callbacks:
            return
        self._gc_alloc("dict")
        info = {"generation": generation, "collected": collected,
                "uncollectable": uncollectable}
        for callback in list(self._callbacks):
            try:
                callback(phase, dict(info))
            except Exception as exc:
                self._unraisable(f"gc callback {callback!r}", exc)
        self._gc_free("dict")

    # -- Reference counting and deallocation ----------------------------------------

    def _decref(self, op: PyObject) -> None:
        """`Py_DECREF`: at zero, `_Py_Dealloc`."""
        op.ob_refcnt -= 1
        if op.ob_refcnt == 0:
            self._dealloc(op)

    def _dealloc(self, op: PyObject) -> None:
        """`tp_dealloc` of `op` and of everything that dies with it.

        C recurses: each object drops its references one by one, and a reference
        that was the last one deallocates its object before the next is dropped; an
        object's memory is freed after its references are gone.  The model keeps an
        explicit stack so that chains of a million objects do not overflow Python's.
        """
        items = self._dealloc_begin(op)
        if items is None:
            return
        if not items:
            self._dealloc_end(op)
            return
        stack: list[tuple[PyObject, Iterator[PyObject]]] = [(op, iter(items))]
        while stack:
            parent, pending = stack[-1]
            for child in pending:
                child.ob_refcnt -= 1
                if child.ob_refcnt == 0:
                    child_items = self._dealloc_begin(child)
                    if child_items is not None:
                        stack.append((child, iter(child_items)))
                        break
            else:
                stack.pop()
                self._dealloc_end(parent)

    def _dealloc_begin(self, op: PyObject) -> list[PyObject] | None:
        """The start of `tp_dealloc`: untrack, finalize, clear weak references.

        Returns the references to drop (in traverse order, which is the order every
        type drops them in), or `None` when `__del__` resurrected the object.
        """
        if op._gc_next is not None:                # PyObject_GC_UnTrack
            prev, following = op._gc_prev, op._gc_next
            prev._gc_next = following
            following._gc_prev = prev
            op._gc_next = op._gc_prev = None
        op.collecting = op.unreachable = False
        kind = op.ob_type.kind
        if kind == "instance":                     # subtype_dealloc
            if op.finalizer is not None or op.weakreflist:
                for step in self.profile.dealloc_order:
                    if step == "finalizer":
                        if op.finalizer is not None and self._finalize_from_dealloc(op):
                            return None
                    elif op.weakreflist:
                        self._PyObject_ClearWeakRefs(op)
        elif kind == "weakref":                    # weakref_dealloc
            self._clear_weakref(op)
        elif op.weakreflist:
            self._PyObject_ClearWeakRefs(op)
        items = op.referents
        op.referents = []
        return items

    def _dealloc_end(self, op: PyObject) -> None:
        """The end of `tp_dealloc`: the memory goes (`tp_free`, a free list)."""
        op.freed = "the collector" if self.collecting else "reference counting"
        kind = op.ob_type.kind
        if kind in self._capacity:
            self._gc_free(kind, op.size)
        else:                                      # PyObject_GC_Del
            gen0 = self.generations[0]
            if gen0.count > 0:
                gen0.count -= 1
        if self.trace:
            self._trace(f"  free {op.name}")

    def _finalize_from_dealloc(self, op: PyObject) -> bool:
        """`__del__` from the deallocator; True if it resurrected the object.

        3.x: `PyObject_CallFinalizerFromDealloc`, at most once per object (PEP 442).
        2.x: `slot_tp_del`, every time the count reaches zero.  Both resurrect the
        object for the call, and track it again in generation 0 while it runs.
        """
        legacy = self.profile.legacy_finalizers
        if not legacy and op.finalized:
            return False
        self._track(op)
        op.ob_refcnt = 1
        op.finalized = not legacy
        self._call_finalizer(op)
        op.ob_refcnt -= 1
        if op.ob_refcnt > 0:
            self._trace(f"  {op.name} resurrected by its __del__")
            return True
        self._untrack(op)
        return False

    def _call_finalizer(self, op: PyObject) -> None:
        if self.trace:
            self._trace(f"  {op.name}.__del__()")
        finalizer = op.finalizer
        if callable(finalizer):
            try:
                finalizer(op)
            except Exception as exc:
                self._unraisable(f"{op.name}.__del__", exc)

    # -- Weak references (Objects/weakrefobject.c) ------------------------------------

    @staticmethod
    def _basic_ref(target: PyObject) -> PyObject | None:
        """`get_basic_refs`: the plain weak reference (no callback), always first."""
        if target.weakreflist and target.weakreflist[0].wr_callback is None:
            return target.weakreflist[0]
        return None

    @staticmethod
    def _PyWeakref_ClearRef(wr: PyObject) -> None:
        """Take `wr` off its referent's list; its callback stays for later."""
        target = wr.wr_object
        if target is not None:
            for i, ref in enumerate(target.weakreflist):
                if ref is wr:
                    del target.weakreflist[i]
                    break
        wr.wr_object = None

    def _clear_weakref(self, wr: PyObject) -> None:
        """`clear_weakref`: as `_PyWeakref_ClearRef`, and the callback is dropped."""
        self._PyWeakref_ClearRef(wr)
        wr.wr_callback = None

    def _PyObject_ClearWeakRefs(self, op: PyObject) -> None:
        """Clear every weak reference to a dying object, then call their callbacks.

        Callbacks run in the list's order (the newest reference with a callback
        first), and only for weak references that are still alive themselves.  With
        several references C first copies them into a tuple, which it allocates.
        """
        refs, op.weakreflist = op.weakreflist, []
        if len(refs) == 1:
            wr = refs[0]
            callback, wr.wr_callback, wr.wr_object = wr.wr_callback, None, None
            if callback is not None and wr.ob_refcnt > 0:
                self._handle_callback(wr, callback)
            return
        self._gc_alloc("tuple", 2 * len(refs))
        held: list[tuple[PyObject, WeakCallback | None]] = []
        for wr in refs:
            if wr.ob_refcnt > 0:
                wr.ob_refcnt += 1
                held.append((wr, wr.wr_callback))
            wr.wr_callback, wr.wr_object = None, None
        for wr, callback in held:
            if callback is not None:
                self._handle_callback(wr, callback)
        for wr, _ in reversed(held):          # tupledealloc: last item first
            self._decref(wr)
        self._gc_free("tuple", 2 * len(refs))

    def _handle_callback(self, wr: PyObject, callback: WeakCallback) -> None:
        if self.trace:
            self._trace(f"  callback of {wr.name}")
        try:
            callback(wr)
        except Exception as exc:
            self._unraisable(f"callback of {wr.name}", exc)

    def _tp_clear(self, op: PyObject) -> None:
        """The type's `tp_clear`: drop every reference (the collector breaks cycles so)."""
        if op.ob_type.kind == "weakref":
            self._clear_weakref(op)
            return
        items = op.referents
        op.referents = []
        for ref in items:
            self._decref(ref)
