"""Mirroring real Python objects into the model heap.

{py:func}`snapshot` reads a graph of real objects the way the collector sees it:
starting from the objects given, it follows `gc.get_referents` (each type's
`tp_traverse`) to every container the collector tracks, and records for each its
type, the references it holds, its reference count (`sys.getrefcount`, minus the
references the snapshot itself holds), the weak references to it, and its place in
the collector's lists.  {py:func}`build` turns a snapshot into a
{py:class}`~pyinternals.memory.gc.heap.Heap`; the references that do not come from
mirrored objects become *outside* references.  A probe running in another
interpreter (2.7 included) takes the same kind of snapshot there, as JSON.

What a mirror leaves out, on purpose:

- Atomic objects (numbers, strings): they cannot be part of a cycle.
- Classes, modules, functions, methods, code and frames: the program's structure,
  not its data.  A mirrored instance's reference to its class is dropped, and what
  is reachable only through such objects is not mirrored.
- The collection passed in: references that the list (or dict) of objects handed
  to {py:func}`snapshot` holds are not counted, so the model sees the objects as
  they will be once that collection is gone.
- A real `__del__` or weak reference callback cannot run on model objects: a
  mirrored one is recorded as present, and shows in the trace when the model calls
  it.

The snapshot switches the collector off while it reads, reads everything twice,
and refuses a graph that changed in between ({py:class}`MirrorError`).
"""

from __future__ import annotations

import gc
import sys
import types
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from pyinternals.memory.gc.heap import HeapError
from pyinternals.memory.gc.objects import (
    DICT,
    INSTANCE,
    LIST,
    TUPLE,
    WEAKREF,
    PyObject,
    PyTypeObject,
    gc_list_append,
    other_type,
)

if TYPE_CHECKING:
    from pyinternals.memory.gc.heap import Heap

#: Objects the mirror does not follow (the program's structure, not its data).
OPAQUE: tuple[type, ...] = (
    type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
    types.MethodType, types.CodeType, types.FrameType,
)
#: `Py_TPFLAGS_HEAPTYPE`: a class defined in Python.
HEAPTYPE = 1 << 9
_KINDS = {"instance": INSTANCE, "list": LIST, "dict": DICT, "tuple": TUPLE,
          "weakref": WEAKREF}


class MirrorError(HeapError):
    """The objects cannot be mirrored (changed while read, not containers, too many)."""


class MirroredObject(NamedTuple):
    """One real container as a snapshot saw it (a named tuple: a snapshot may hold millions)."""

    name: str
    #: The real type's name (`tp_name`).
    type: str
    #: `instance`, `list`, `dict`, `tuple`, `weakref`, or `object` for other containers.
    kind: str
    #: The reference count, without the snapshot's own references.
    refcnt: int
    #: The mirrored objects it references, in `tp_traverse` order, once per reference.
    referents: tuple[str, ...] = ()
    #: Whether its class defines `__del__`.
    finalizer: bool = False
    #: The number of items (tuples).
    size: int = 0
    #: Whether its type supports weak references.
    weakrefs: bool = False
    #: For a weak reference: the mirrored referent (or `None`) and whether it has a callback.
    wr_target: str | None = None
    wr_callback: bool = False
    #: The mirrored weak references to it, in the order of its weak reference list.
    weakreflist: tuple[str, ...] = ()
    #: The generation it is in (0 when the interpreter cannot tell).
    generation: int = 0


@dataclass(frozen=True)
class Snapshot:
    """A graph of real containers, in the order of the collector's lists."""

    objects: tuple[MirroredObject, ...]
    #: Which interpreter took it (`sys.version` of that interpreter).
    source: str = field(default_factory=lambda: sys.version.split()[0])

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Snapshot:
        """A snapshot from its JSON form, as a probe prints it."""
        try:
            rows = data["objects"]
            objects = tuple(
                MirroredObject(
                    name=str(r["name"]), type=str(r["type"]), kind=str(r["kind"]),
                    refcnt=int(r["refcnt"]), referents=tuple(r.get("referents", ())),
                    finalizer=bool(r.get("finalizer", False)), size=int(r.get("size", 0)),
                    weakrefs=bool(r.get("weakrefs", False)), wr_target=r.get("wr_target"),
                    wr_callback=bool(r.get("wr_callback", False)),
                    weakreflist=tuple(r.get("weakreflist", ())),
                    generation=int(r.get("generation", 0)),
                )
                for r in rows
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MirrorError(f"not a snapshot: {type(exc).__name__}: {exc}") from None
        return cls(objects, str(data.get("source", "?")))

    def to_mapping(self) -> dict[str, Any]:
        """The JSON form."""
        return {"source": self.source, "objects": [
            {"name": o.name, "type": o.type, "kind": o.kind, "refcnt": o.refcnt,
             "referents": list(o.referents), "finalizer": o.finalizer, "size": o.size,
             "weakrefs": o.weakrefs, "wr_target": o.wr_target,
             "wr_callback": o.wr_callback, "weakreflist": list(o.weakreflist),
             "generation": o.generation}
            for o in self.objects]}


# -- Taking a snapshot here ----------------------------------------------------------


def _kind(obj: object) -> str:
    cls = type(obj)
    if cls is list:
        return "list"
    if cls is dict:
        return "dict"
    if cls is tuple:
        return "tuple"
    if isinstance(obj, weakref.ReferenceType):
        return "weakref"
    if cls.__flags__ & HEAPTYPE:
        return "instance"
    return "object"


def _read_referents(objs: Sequence[object], index: Mapping[int, int]) -> list[list[int]]:
    """For each object, the positions of the mirrored objects it references.

    A container referenced now that the walk did not find was added since: the
    graph changed under the mirror, which is an error, not a reference to leave out.
    """
    found = []
    is_tracked = gc.is_tracked
    for obj in objs:
        row = []
        for r in gc.get_referents(obj):
            at = index.get(id(r))
            if at is not None:
                row.append(at)
            elif is_tracked(r) and not isinstance(r, OPAQUE):
                raise MirrorError(_CHANGED.format(type(obj).__name__))
        found.append(row)
    return found


_CHANGED = ("the object graph changed while it was mirrored (a {} object's references "
            "or reference count differ between two readings); mirror objects no other "
            "thread is changing")


def _read_refcounts(objs: list[object]) -> list[int]:
    """Each object's reference count, without the references this function holds.

    `sys.getrefcount` sees the list's reference, the loop variable's and its own
    argument's; a fresh object with one known reference measures how many that is.
    """
    probe = object()                  # one reference: the name `probe`
    objs.append(probe)
    counts = [sys.getrefcount(obj) for obj in objs]
    objs.pop()
    overhead = counts.pop() - 1
    return [c - overhead for c in counts]


def _walk(given: Sequence[object], max_objects: int) -> tuple[list[object], list[int]]:
    """Every container reachable from `given`, breadth first; and who reached each."""
    objs: list[object] = []
    parent: list[int] = []
    index: dict[int, int] = {}

    def add(obj: object, by: int) -> None:
        if id(obj) in index:
            return
        if len(objs) >= max_objects:
            raise MirrorError(f"more than {max_objects} containers are reachable from the "
                              "objects given; pass max_objects= to mirror them all")
        index[id(obj)] = len(objs)
        objs.append(obj)
        parent.append(by)

    for obj in given:
        add(obj, -1)
    is_tracked, get_referents, getweakrefs = gc.is_tracked, gc.get_referents, weakref.getweakrefs
    i = 0
    while i < len(objs):
        obj = objs[i]
        for ref in get_referents(obj):
            if id(ref) not in index and is_tracked(ref) and not isinstance(ref, OPAQUE):
                add(ref, i)
        if type(obj).__weakrefoffset__:
            for wr in getweakrefs(obj):
                if isinstance(wr, weakref.ReferenceType) and is_tracked(wr):
                    add(wr, i)
        i += 1
    obj = None
    return objs, parent


def _names(objs: Sequence[object], parent: Sequence[int],
           given_names: Sequence[str | None]) -> list[str]:
    names: list[str] = []
    used: set[str] = set()
    for i, obj in enumerate(objs):
        if i < len(given_names) and given_names[i]:
            base = str(given_names[i])
        elif parent[i] < 0:
            base = f"o{i + 1}"
        else:
            base = f"{names[parent[i]]}.{type(obj).__name__}"
        name, k = base, 2
        while name in used:
            name, k = f"{base}#{k}", k + 1
        used.add(name)
        names.append(name)
    return names


def _positions(index: Mapping[int, int]) -> dict[int, tuple[int, int]]:
    """Where each mirrored object is in the collector's lists: (generation, position)."""
    where: dict[int, tuple[int, int]] = {}
    for generation in range(3):
        for position, obj in enumerate(gc.get_objects(generation=generation)):
            if id(obj) in index:
                where[index[id(obj)]] = (generation, position)
    return where


def _given(objects: Mapping[str, object] | Iterable[object]
           ) -> tuple[list[object], list[str | None], Counter[int]]:
    """The distinct objects given, their names, and the references the argument holds.

    A helper, so that no loop variable of the caller keeps one of them alive while
    reference counts are read.
    """
    if isinstance(objects, Mapping):
        pairs: list[tuple[str | None, object]] = [(str(k), v) for k, v in objects.items()]
        held_by_argument = Counter(id(v) for _, v in pairs)
    else:
        pairs = [(None, v) for v in objects]
        held = isinstance(objects, (list, tuple, set, frozenset))
        held_by_argument = Counter(id(v) for _, v in pairs) if held else Counter()
    given: list[object] = []
    given_names: list[str | None] = []
    seen: set[int] = set()
    for name, obj in pairs:
        if not gc.is_tracked(obj) or isinstance(obj, OPAQUE):
            what = name or type(obj).__name__
            raise MirrorError(
                f"{what} ({type(obj).__name__}) is not a container the collector tracks: "
                "reference counting alone manages it, there is nothing to mirror")
        if id(obj) not in seen:
            seen.add(id(obj))
            given.append(obj)
            given_names.append(name)
    return given, given_names, held_by_argument


def snapshot(objects: Mapping[str, object] | Iterable[object], *,
             max_objects: int = 2_000_000) -> Snapshot:
    """Read the real objects given, and every container they reach, into a snapshot.

    `objects` is a mapping of names to objects (the names are kept) or any iterable
    of objects (named `o1`, `o2`...); objects reached from them are named after the
    first object that reached them (`a.list`, `a.list.Node`...).
    """
    given, given_names, held_by_argument = _given(objects)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        objs, parent = _walk(given, max_objects)
        del given
        index = {id(obj): i for i, obj in enumerate(objs)}
        referents = _read_referents(objs, index)
        refcounts = _read_refcounts(objs)
        again = _read_referents(objs, index)
        refcounts_again = _read_refcounts(objs)
        if again != referents or refcounts_again != refcounts:
            changed = next(i for i in range(len(objs))
                           if again[i] != referents[i] or refcounts[i] != refcounts_again[i])
            raise MirrorError(_CHANGED.format(type(objs[changed]).__name__))
        where = _positions(index)
    finally:
        if was_enabled:
            gc.enable()
    names = _names(objs, parent, given_names)
    rows = []
    for i, obj in enumerate(objs):
        kind = _kind(obj)
        wr_target, wr_callback = None, False
        if kind == "weakref":
            assert isinstance(obj, weakref.ReferenceType)
            target = obj()
            if target is not None and id(target) in index:
                wr_target = names[index[id(target)]]
            wr_callback = obj.__callback__ is not None
            del target
        weakrefs = type(obj).__weakrefoffset__ != 0
        rows.append(MirroredObject(
            name=names[i], type=type(obj).__name__, kind=kind,
            refcnt=refcounts[i] - held_by_argument.get(id(obj), 0),
            referents=tuple(names[j] for j in referents[i]),
            finalizer=kind == "instance" and hasattr(type(obj), "__del__"),
            size=len(obj) if isinstance(obj, tuple) else 0,
            weakrefs=weakrefs, wr_target=wr_target, wr_callback=wr_callback,
            weakreflist=tuple(names[index[id(w)]] for w in weakref.getweakrefs(obj)
                              if id(w) in index) if weakrefs else (),
            generation=where.get(i, (0, 0))[0],
        ))
    order = sorted(range(len(objs)), key=lambda i: where.get(i, (0, i)))
    return Snapshot(tuple(rows[i] for i in order))


# -- Building a heap from a snapshot -------------------------------------------------


def _mirrored_callback(wr: PyObject) -> None:
    """Stands for a real weak reference callback, which cannot run on model objects."""


def build(heap: Heap, snap: Snapshot | Mapping[str, Any]) -> Heap:
    """Fill an empty `heap` with the objects of `snap`, in the snapshot's list order."""
    if not isinstance(snap, Snapshot):
        snap = Snapshot.from_mapping(snap)
    if heap.objects():
        raise MirrorError("a snapshot is built into an empty heap")
    by_name: dict[str, PyObject] = {}
    types_by_name: dict[tuple[str, bool], PyTypeObject] = {}
    for row in snap.objects:
        if row.name in by_name:
            raise MirrorError(f"the snapshot names two objects {row.name!r}")
        if not 0 <= row.generation <= 2:
            raise MirrorError(f"{row.name} is in generation {row.generation}")
        if row.kind in _KINDS:
            ob_type = _KINDS[row.kind]
        else:
            key = (row.type, row.weakrefs)
            ob_type = types_by_name.setdefault(key, other_type(row.type,
                                                               weakrefs=row.weakrefs))
        op = PyObject(row.name, ob_type)
        op.ob_refcnt = row.refcnt
        op.size = row.size
        op.finalizer = True if row.finalizer else None
        by_name[row.name] = op
    incoming: Counter[str] = Counter()
    try:
        for row in snap.objects:
            op = by_name[row.name]
            op.referents = [by_name[r] for r in row.referents]
            incoming.update(row.referents)
            if row.kind == "weakref":
                op.wr_object = by_name[row.wr_target] if row.wr_target else None
                op.wr_callback = _mirrored_callback if row.wr_callback else None
            op.weakreflist = [by_name[w] for w in row.weakreflist]
    except KeyError as exc:
        raise MirrorError(f"the snapshot refers to {exc.args[0]!r}, which it does not "
                          "contain") from None
    for row in snap.objects:
        op = by_name[row.name]
        op.roots = op.ob_refcnt - incoming[row.name]
        if op.roots < 0:
            raise MirrorError(
                f"{row.name} has ob_refcnt {op.ob_refcnt} but {incoming[row.name]} references "
                "from mirrored objects: the snapshot is not consistent")
    for row in snap.objects:
        op = by_name[row.name]
        heap._objects[op.name] = op
        gc_list_append(op, heap.generations[row.generation].head)
    return heap
