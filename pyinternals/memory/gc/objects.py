"""Objects, their `PyGC_Head`, and the collector's doubly linked lists.

Every object CPython's collector knows about is a *container*: an object that can
hold references to other objects (an instance, a list, a dict, a tuple, a weak
reference).  Atomic objects (numbers, strings) cannot form cycles and are left to
reference counting alone, so the model does not represent them at all.

In C a container is allocated with a `PyGC_Head` just in front of its `PyObject`
header (`AS_GC(op)` and `FROM_GC(gc)` convert between them).  The head links the
object into one of the collector's circular doubly linked lists: a generation, or a
temporary list of a collection (`unreachable`, `finalizers`...).  The model keeps
the head's fields on the object itself:

- `_gc_next`, `_gc_prev`: the neighbours in the list; `None` when the object is not
  tracked (C writes 0 into `_gc_next`).
- `gc_refs`: the collector's working copy of the reference count.  2.x keeps it in
  a field of its own, which between collections holds `GC_REACHABLE` or
  `GC_UNTRACKED`; 3.8+ keeps it in the upper bits of `_gc_prev` while the list is
  temporarily singly linked.  {py:func}`gc_refs_text` writes it either way.
- `collecting`, `unreachable`, `finalized`: the 3.x flags `PREV_MASK_COLLECTING`,
  `NEXT_MASK_UNREACHABLE` and `_PyGC_PREV_MASK_FINALIZED`.

The list functions are CPython's (`gc_list_init`, `gc_list_append`,
`gc_list_remove`, `gc_list_move`, `gc_list_merge`, `gc_list_size`): the collector
moves objects between lists exactly as C does, so the order of the lists, which
decides the order of finalizers and weak reference callbacks, is C's order too.
The narrative is in {doc}`/memory/gc`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

#: A finalizer: `True` for a `__del__` that only records that it ran, or a callable
#: that receives the object (it may resurrect it with `Heap.root`).
Finalizer = bool | Callable[["PyObject"], object]
#: A weak reference callback: called with the weak reference object.
WeakCallback = Callable[["PyObject"], object]

Order = Literal["forward", "reverse"]


@dataclass(frozen=True)
class PyTypeObject:
    """What the collector needs to know about an object's type.

    The model keeps an object's references in the order its `tp_traverse` visits
    them: that order decides how `move_unreachable` reorders the lists.  Lists and
    tuples visit their items last to first (`list_traverse`, `tupletraverse`), and
    drop them last to first too (`list_dealloc`, `_list_clear`, `tupledealloc`);
    dicts and instances go first to last both ways.  So every type drops its
    references in traverse order, and only appending differs: a new item of a list
    is visited first.
    """

    tp_name: str
    #: Which kind of C type this is: `instance` (a class defined in Python, whose
    #: deallocator is `subtype_dealloc`), `list`, `dict`, `tuple`, `weakref`, or
    #: `object` for any other container.
    kind: str
    #: The order `tp_traverse` visits the items, relative to the container's own.
    traverse: Order
    #: Whether the type has a `tp_clear`.  Tuples have none: they are immutable, and
    #: a cycle through one is broken elsewhere.
    clear: bool
    #: Whether the type has `tp_weaklistoffset` (its objects can be weakly referenced).
    weakrefs: bool


#: An instance of a class defined in Python: `subtype_dealloc`, `subtype_clear`.
INSTANCE = PyTypeObject("instance", "instance", "forward", clear=True, weakrefs=True)
#: `list`: traversed, cleared and deallocated last item first.
LIST = PyTypeObject("list", "list", "reverse", clear=True, weakrefs=False)
#: `dict`: keys and values in the order of the entries.
DICT = PyTypeObject("dict", "dict", "forward", clear=True, weakrefs=False)
#: `tuple`: no `tp_clear`; traversed and deallocated last item first.
TUPLE = PyTypeObject("tuple", "tuple", "reverse", clear=False, weakrefs=False)
#: `weakref`: a weak reference holds no strong reference the collector follows
#: (its callback is outside the model).
WEAKREF = PyTypeObject("weakref", "weakref", "forward", clear=True, weakrefs=False)

#: The types `Heap.container(kind=...)` accepts, by kind.
KINDS: dict[str, PyTypeObject] = {t.kind: t for t in (INSTANCE, LIST, DICT)}


def other_type(tp_name: str, *, weakrefs: bool) -> PyTypeObject:
    """A type for any other container (a mirrored `set`, `deque`, ...)."""
    return PyTypeObject(tp_name, "object", "forward", clear=True, weakrefs=weakrefs)


class PyGC_Head:
    """The head (sentinel) of one of the collector's circular lists.

    Objects carry the same two pointers, `_gc_next` and `_gc_prev`: the neighbours on
    the list, a {py:class}`PyObject` or the list's head.  (They are typed `Any`:
    which of the two it is depends on where one stands, and the list functions are
    C's, unchecked.)
    """

    __slots__ = ("_gc_next", "_gc_prev", "name")

    def __init__(self, name: str) -> None:
        self._gc_next: Any = self
        self._gc_prev: Any = self
        #: What the list is: `generation 0`, `unreachable`, `finalizers` ...
        self.name = name

    def __iter__(self) -> Iterator[PyObject]:
        """The objects on the list, from `_gc_next` of the head round to the head."""
        node = self._gc_next
        while node is not self:
            following = node._gc_next
            yield node
            node = following

    def __len__(self) -> int:
        return gc_list_size(self)

    def __repr__(self) -> str:
        return f"<PyGC_Head {self.name}: {gc_list_size(self)} objects>"


class PyObject:
    """A container in the model heap: its object header and its `PyGC_Head` fields.

    Create them with {py:meth}`Heap.container <pyinternals.memory.gc.heap.Heap.container>`
    (or `Heap.weakref`, `Heap.from_objects`), never directly: the heap keeps the
    reference counts honest.
    """

    __slots__ = (
        "_gc_next", "_gc_prev",
        "collecting", "finalized", "finalizer", "freed", "gc_refs", "name", "ob_refcnt",
        "ob_type", "referents", "roots", "size", "unreachable", "weakreflist",
        "wr_callback", "wr_object",
    )

    def __init__(self, name: str, ob_type: PyTypeObject) -> None:
        #: The neighbours on the collector's list; `None` while untracked (C writes 0).
        self._gc_next: Any = None
        self._gc_prev: Any = None
        self.name = name
        self.ob_type = ob_type
        #: The reference count: references from other objects plus outside ones.
        self.ob_refcnt = 0
        #: Outside references: variables, the eval stack, anything the model does not
        #: represent as an object (what `Heap.root` takes and `Heap.unroot` drops).
        self.roots = 0
        #: The objects this one holds strong references to, in `tp_traverse` order
        #: (last item first for a list); an object appears once per reference.
        self.referents: list[PyObject] = []
        #: The collector's working copy of `ob_refcnt` during a collection.
        self.gc_refs = 0
        #: `PREV_MASK_COLLECTING`: in the generation being collected and not yet
        #: found reachable.
        self.collecting = False
        #: `NEXT_MASK_UNREACHABLE`: on `move_unreachable`'s tentative list.
        self.unreachable = False
        #: `_PyGC_PREV_MASK_FINALIZED`: `tp_finalize` already ran (PEP 442: once).
        self.finalized = False
        #: `__del__`, or `None`.
        self.finalizer: Finalizer | None = None
        #: The weak references to this object, newest-with-callback first as in C.
        self.weakreflist: list[PyObject] = []
        #: For a weak reference: its referent (`None` once cleared) and its callback.
        self.wr_object: PyObject | None = None
        self.wr_callback: WeakCallback | None = None
        #: How many items a tuple has (it decides the tuple's free list).
        self.size = 0
        #: `None` while alive; then `"reference counting"` or `"the collector"`: who freed it.
        self.freed: str | None = None

    # -- State -----------------------------------------------------------------------

    @property
    def tracked(self) -> bool:
        """Whether the object is on one of the collector's lists (`_PyObject_GC_IS_TRACKED`)."""
        return self._gc_next is not None

    @property
    def alive(self) -> bool:
        """Whether the object has not been freed."""
        return self.freed is None

    def __repr__(self) -> str:
        if self.freed:
            return f"<{self.ob_type.tp_name} {self.name} freed by {self.freed}>"
        return f"<{self.ob_type.tp_name} {self.name} ob_refcnt={self.ob_refcnt}>"


def gc_refs_text(op: PyObject, field: str) -> str:
    """`gc_refs` as the era's C code stores it.

    `field` is the profile's `gc_refs_field`: `"gc_refs"` (2.x, a field of its own,
    with `GC_REACHABLE`, `GC_TENTATIVELY_UNREACHABLE` and `GC_UNTRACKED` between
    and during collections) or `"_gc_prev"` (3.8+, the count and two flag bits).
    """
    if field == "gc_refs":
        if not op.tracked:
            return "GC_UNTRACKED"
        if op.unreachable:
            return "GC_TENTATIVELY_UNREACHABLE"
        if not op.collecting:
            return "GC_REACHABLE"
        return f"gc_refs={op.gc_refs}"
    if not op.collecting:
        return "_gc_prev=prev FINALIZED" if op.finalized else "_gc_prev=prev"
    text = f"gc_refs={op.gc_refs} COLLECTING"
    if op.finalized:
        text += "|FINALIZED"
    if op.unreachable:
        text += " NEXT_MASK_UNREACHABLE"
    return text


# -- The list functions (`gc_list_*` in Modules/gcmodule.c) ----------------------------

#: What the list functions link: objects and list heads.
Link = PyObject | PyGC_Head


def gc_list_init(head: Link) -> None:
    """An empty list points at itself both ways."""
    head._gc_next = head
    head._gc_prev = head


def gc_list_is_empty(head: Link) -> bool:
    """Whether the list holds no object."""
    return head._gc_next is head


def gc_list_append(node: Link, head: Link) -> None:
    """Append `node` (not on any list) at the end of `head`'s list."""
    last = head._gc_prev
    node._gc_prev = last
    last._gc_next = node
    node._gc_next = head
    head._gc_prev = node


def gc_list_remove(node: Link) -> None:
    """Unlink `node` from its list; it is then untracked (`_gc_next` is cleared)."""
    prev, following = node._gc_prev, node._gc_next
    prev._gc_next = following
    following._gc_prev = prev
    node._gc_next = node._gc_prev = None


def gc_list_move(node: Link, head: Link) -> None:
    """Move `node` from whatever list it is on to the end of `head`'s list."""
    prev, following = node._gc_prev, node._gc_next
    prev._gc_next = following
    following._gc_prev = prev
    last = head._gc_prev
    node._gc_prev = last
    last._gc_next = node
    node._gc_next = head
    head._gc_prev = node


def gc_list_merge(source: Link, target: Link) -> None:
    """Append every object of `source` to `target`; `source` becomes empty."""
    assert source is not target
    if not gc_list_is_empty(source):
        tail, first, last = target._gc_prev, source._gc_next, source._gc_prev
        tail._gc_next = first
        first._gc_prev = tail
        last._gc_next = target
        target._gc_prev = last
    gc_list_init(source)


def gc_list_size(head: Link) -> int:
    """How many objects the list holds (C walks the list to count, and so does this)."""
    n = 0
    node = head._gc_next
    while node is not head:
        n += 1
        node = node._gc_next
    return n
