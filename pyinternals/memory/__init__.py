"""Chapter 4: memory, from the system's allocator up to the cyclic garbage collector.

The notes describe four layers: the operating system's `malloc` and `mmap` (layer 0),
`PyMem_` on top of them (layer 1), `PyObject_` and the small-object allocator (layer 2)
and the per-type free lists and object caches (layer 3).  Reference counting and the
cycle collector decide when objects give their memory back.
"""
