"""Layer 3 of CPython's memory: the free lists of ints, floats and tuples.

{py:mod}`~pyinternals.memory.freelists.model` keeps the caches over the model
allocator of {py:mod}`pyinternals.memory.obmalloc`;
{py:mod}`~pyinternals.memory.freelists.fidelity` checks them against the real
interpreters through `id()`.  The chapter {doc}`/memory/allocator` tells the story.
"""

from pyinternals.memory.freelists.model import Event, FreeLists, TraceLog

__all__ = ["Event", "FreeLists", "TraceLog"]
