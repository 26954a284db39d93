"""Reference counting and the cyclic garbage collector, in both eras.

A model of `Modules/gcmodule.c` (2.7, 3.11, 3.12) and `Python/gc.c` (3.13), with the
reference counting and deallocation around it (`Include/object.h`,
`Objects/typeobject.c`'s `subtype_dealloc`, `Objects/weakrefobject.c`).  The
chapter is {doc}`/memory/gc`.

- {py:class}`~pyinternals.memory.gc.heap.Heap`: containers, references, outside
  references, the three generations, `gc.garbage` and `gc.callbacks`, for one
  version's profile ({py:mod}`pyinternals.profiles.gc`).
- {py:class}`~pyinternals.memory.gc.collector.Collection`: one collection, phase by
  phase, with the state after each phase drawn.
- {py:mod}`~pyinternals.memory.gc.mirror`: a heap mirrored from real objects.
- {py:class}`~pyinternals.memory.gc.marking.TricolourMark`: the textbook's
  tri-colour mark and sweep, from the heap's known roots or from the roots a
  collection infers.

The names are CPython's; the real module stays `gc` (`import gc` still means the
interpreter's own collector).

```python
>>> from pyinternals.memory.gc import Heap
>>> h = Heap("2.7")
>>> a = h.container("a", finalizer=True)
>>> h.link(a, a); h.unroot(a)     # a cycle with __del__, unreachable
>>> h.collect(), [op.name for op in h.garbage]
(1, ['a'])

```
"""

from pyinternals.memory.gc.collector import Collection
from pyinternals.memory.gc.heap import Generation, Heap, HeapError
from pyinternals.memory.gc.mirror import MirrorError, Snapshot, snapshot
from pyinternals.memory.gc.objects import PyGC_Head, PyObject, PyTypeObject

__all__ = [
    "Collection",
    "Generation",
    "Heap",
    "HeapError",
    "MirrorError",
    "PyGC_Head",
    "PyObject",
    "PyTypeObject",
    "Snapshot",
    "snapshot",
]
