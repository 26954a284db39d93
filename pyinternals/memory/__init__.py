"""Chapter 4: memory, from the system's allocator up to the cyclic garbage collector.

The notes describe four layers, each built on the one below:

- layer 0, the operating system's `malloc` and `mmap`: modelled as a simulated
  address space and a C library allocator
  ({py:mod}`pyinternals.memory.obmalloc.space`, {py:mod}`pyinternals.memory.obmalloc.libc`);
- layer 1, `PyMem_`: thin wrappers that make the platforms agree (`malloc(0)` becomes
  `malloc(1)`, sizes above `PY_SSIZE_T_MAX` fail);
- layer 2, `PyObject_` and the small-object allocator, obmalloc: pools of
  equal-sized blocks in arenas
  ({py:class}`~pyinternals.memory.obmalloc.allocator.Allocator`,
  {py:mod}`pyinternals.memory.obmalloc`);
- layer 3, the object-specific allocators: free lists and caches kept by the types
  themselves (small ints, ints and floats in 2.7, floats, tuples;
  {py:class}`~pyinternals.memory.freelists.model.FreeLists`,
  {py:mod}`pyinternals.memory.freelists`).

Reference counting and the cycle collector decide when objects give their memory back.

```python
>>> from pyinternals.memory import Allocator
>>> Allocator("2.7").profile.POOL_SIZE
4096

```
"""

from pyinternals.memory.obmalloc import Allocator

__all__ = ["Allocator"]
