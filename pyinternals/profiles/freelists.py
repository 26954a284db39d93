"""The object free lists of layer 3: which types keep dead objects, and how many.

Above `PyObject_Malloc` (layer 2), some types keep their own caches so that the
commonest objects skip the allocator altogether.  The facts the model
({py:mod}`pyinternals.memory.freelists`) reads, per version, on a 64-bit build:

- **small ints**: the values `-NSMALLNEGINTS <= v < NSMALLPOSINTS` (-5 to 256) are
  made once and shared.  In 2.7 `_PyInt_Init` takes them from the int blocks
  (`Objects/intobject.c`); since 3.11 they are static objects of `_PyRuntime`.
- **ints**: 2.7 keeps every dead int.  `fill_free_list` gets a `PyIntBlock` of
  `BLOCK_SIZE` bytes from `PyMem_MALLOC` (a `next` pointer, `BHEAD_SIZE` bytes, then
  `N_INTOBJECTS` ints), links its ints from last to first through their `ob_type`
  and puts them on `free_list`; blocks go on `block_list` and are never given back
  (until 2.6 not even by `gc`).  3.x ints (`PyLongObject`) have no free list: a dead
  int goes back to `PyObject_Free`.
- **floats**: 2.7 does the same as for ints, with `PyFloatBlock`s
  (`Objects/floatobject.c`); 3.x keeps at most `PyFloat_MAXFREELIST` (100) dead floats
  on a list linked through `ob_type`, and frees the rest.
- **tuples**: one free list per length below `PyTuple_MAXSAVESIZE` (20), each holding
  at most `PyTuple_MAXFREELIST` (2000) tuples linked through `ob_item[0]`
  (`Objects/tupleobject.c`).  2.7 also keeps the empty tuple in `free_list[0]`; 3.x
  makes it a static singleton.

```python
>>> from pyinternals import profiles
>>> p = profiles.freelists.get("2.7")
>>> p.float_free_list, p.N_OBJECTS(p.float_size), p.PyTuple_MAXFREELIST
('blocks', 41, 2000)
>>> q = profiles.freelists.get("3.12")
>>> q.float_free_list, q.PyFloat_MAXFREELIST
('bounded', 100)

```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pyinternals.profiles import KNOWN, resolve

#: Bits per digit of a 3.x `PyLongObject` (`PYLONG_BITS_IN_DIGIT` on 64-bit builds).
PYLONG_SHIFT = 30


@dataclass(frozen=True)
class FreeListsProfile:
    """The per-type caches of one CPython version, as built on 64-bit Linux."""

    #: The profile's name: `"2.7"`, `"3.11"`...
    name: str
    #: How dead ints are kept: in blocks never given back (`"blocks"`), or not at all.
    int_free_list: Literal["blocks", "none"]
    #: How dead floats are kept: in blocks (`"blocks"`) or on a bounded list.
    float_free_list: Literal["blocks", "bounded"]
    #: Where the small ints live: taken from the int blocks, or static in `_PyRuntime`.
    small_ints_home: Literal["int blocks", "static"]
    #: `sizeof(PyGC_Head)`, which precedes every tuple: 32 in 2.7 (its union with a
    #: `long double` pads it), two pointers since 3.8.
    GC_HEAD_SIZE: int
    #: The smallest tuple length kept on a free list: 2.7 keeps the empty tuple in
    #: `free_list[0]`, 3.x has it as a static singleton and starts at 1.
    tuple_min_saved: int
    #: The most dead floats kept (3.x); `None` when every dead float is kept (2.7).
    PyFloat_MAXFREELIST: int | None
    NSMALLNEGINTS: int = 5
    NSMALLPOSINTS: int = 257
    #: `BLOCK_SIZE` and `BHEAD_SIZE` of 2.7's int and float blocks.
    BLOCK_SIZE: int = 1000
    BHEAD_SIZE: int = 8
    #: Tuples of a length below this one are kept (`PyTuple_MAXSAVESIZE`).
    PyTuple_MAXSAVESIZE: int = 20
    #: The most dead tuples of one length kept.
    PyTuple_MAXFREELIST: int = 2000
    #: `sizeof(PyFloatObject)`: refcount, type, the double.
    float_size: int = 24
    #: `offsetof(PyTupleObject, ob_item)`: refcount, type, length.
    tuple_head: int = 24

    def N_OBJECTS(self, object_size: int) -> int:
        """How many objects of `object_size` bytes a 2.7 block holds (`N_INTOBJECTS`)."""
        return (self.BLOCK_SIZE - self.BHEAD_SIZE) // object_size

    def int_size(self, value: int) -> int:
        """The bytes an int object of `value` takes: 24 in 2.7 (`PyIntObject`); in 3.x
        the `PyLongObject` header and one 4-byte digit per 30 bits (at least one)."""
        if self.int_free_list == "blocks":
            return 24
        digits = max(1, -(-abs(value).bit_length() // PYLONG_SHIFT))
        return 24 + 4 * digits

    def tuple_size(self, length: int) -> int:
        """The bytes `PyObject_GC_NewVar` asks for a tuple: GC header, head, items."""
        return self.GC_HEAD_SIZE + self.tuple_head + 8 * length

    def is_small_int(self, value: int) -> bool:
        """Whether `value` is one of the shared small ints (`IS_SMALL_INT`)."""
        return -self.NSMALLNEGINTS <= value < self.NSMALLPOSINTS


def _three(name: str) -> FreeListsProfile:
    return FreeListsProfile(name, int_free_list="none", float_free_list="bounded",
                            small_ints_home="static", GC_HEAD_SIZE=16, tuple_min_saved=1,
                            PyFloat_MAXFREELIST=100)


PROFILES: dict[str, FreeListsProfile] = {
    "2.7": FreeListsProfile("2.7", int_free_list="blocks", float_free_list="blocks",
                            small_ints_home="int blocks", GC_HEAD_SIZE=32,
                            tuple_min_saved=0, PyFloat_MAXFREELIST=None),
    **{name: _three(name) for name in KNOWN if name != "2.7"},
}


def get(name: str | None = None) -> FreeListsProfile:
    """The free-list profile of version `name` (default: the running interpreter's)."""
    return resolve(name, PROFILES, what="free lists")
