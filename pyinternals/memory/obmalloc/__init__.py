"""The small-object allocator, obmalloc (`Objects/obmalloc.c`), in both eras.

Layer 2 of CPython's memory: `PyObject_Malloc` serves requests of up to 512 bytes
from pools of equal-sized blocks, carved from arenas it maps from the system
(layer 0).  The model keeps every structure in the bytes of a simulated address
space, laid out as on a 64-bit build, and reads its constants and design choices
from a profile ({py:mod}`pyinternals.profiles.obmalloc`): the notes' book, 2.7,
3.11, 3.12, 3.13.  The chapter {doc}`/memory/allocator` tells the story.

- {py:mod}`~pyinternals.memory.obmalloc.space` and
  {py:mod}`~pyinternals.memory.obmalloc.libc`: layer 0, the address space
  (`mmap`, `brk`) and the C library's `malloc`;
- {py:mod}`~pyinternals.memory.obmalloc.allocator`: `malloc`, `free`, `realloc`,
  pools and `usedpools`;
- {py:mod}`~pyinternals.memory.obmalloc.arenas`: the `arena_object` vector and its
  lists; {py:mod}`~pyinternals.memory.obmalloc.radix`: 3.x's radix tree;
- {py:mod}`~pyinternals.memory.obmalloc.views`,
  {py:mod}`~pyinternals.memory.obmalloc.drawing`,
  {py:mod}`~pyinternals.memory.obmalloc.stats`,
  {py:mod}`~pyinternals.memory.obmalloc.trace`: looking inside;
- {py:mod}`~pyinternals.memory.obmalloc.debug`: the debug allocator
  (`PYMALLOC_DEBUG`, `PYTHONMALLOC=pymalloc_debug`) wrapped around it;
- {py:mod}`~pyinternals.memory.obmalloc.fidelity`: the checks against the real
  allocators, run through {py:mod}`~pyinternals.memory.obmalloc.experiments` and
  {py:mod}`~pyinternals.memory.obmalloc.debug_experiments`.
"""

from pyinternals.memory.obmalloc.allocator import Allocator
from pyinternals.memory.obmalloc.debug import DebugAllocator, DebugMemoryError
from pyinternals.memory.obmalloc.space import AddressSpace, InvalidFree, SegmentationFault
from pyinternals.memory.obmalloc.stats import MallocStats
from pyinternals.memory.obmalloc.trace import Event, TraceLog
from pyinternals.memory.obmalloc.views import ArenaObject, Pool, UsedPools

__all__ = [
    "AddressSpace",
    "Allocator",
    "ArenaObject",
    "DebugAllocator",
    "DebugMemoryError",
    "Event",
    "InvalidFree",
    "MallocStats",
    "Pool",
    "SegmentationFault",
    "TraceLog",
    "UsedPools",
]
