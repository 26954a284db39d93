"""The layers of CPython's memory management, as the notes (and obmalloc.c) draw them.

```python
>>> print(LayerMap().describe())
 3  object-specific allocators   free lists of int, float, list, dict...   modelled
 2  object allocator (obmalloc)  PyObject_Malloc, PyObject_Free            modelled
 1  raw memory allocator         PyMem_RawMalloc, PyMem_Malloc             wrappers
 0  C library and kernel         malloc, free, mmap, brk                   modelled

```
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from pyinternals.diagrams import Drawable
from pyinternals.diagrams.dot import Field, Record
from pyinternals.diagrams.style import edge_role, graph, role


@dataclass(frozen=True)
class Layer:
    """One layer: its number, name, C API, and how much of it the book models."""

    number: int
    name: str
    api: str
    notes: str
    #: `modelled`, `wrappers` (a few lines in the model) or `map only`.
    model: str
    #: Where the model is, if anywhere.
    where: str = ""


LAYERS: tuple[Layer, ...] = (
    Layer(3, "object-specific allocators", "free lists of int, float, list, dict...",
          "第3层: 对象缓冲池机制", "modelled", "FreeLists"),
    Layer(2, "object allocator (obmalloc)", "PyObject_Malloc, PyObject_Free",
          "第2层: PyObject_ 函数族", "modelled", "Allocator"),
    Layer(1, "raw memory allocator", "PyMem_RawMalloc, PyMem_Malloc",
          "第1层: PyMem_ API", "wrappers", "Allocator._malloc_large"),
    Layer(0, "C library and kernel", "malloc, free, mmap, brk",
          "第0层: 操作系统提供的接口", "modelled", "SystemAllocator, AddressSpace"),
)


class LayerMap(Drawable):
    """The four layers, top to bottom, with what each rests on."""

    def describe(self) -> str:
        """One line per layer, top first."""
        return "\n".join(f"{layer.number:2}  {layer.name:<28} {layer.api:<41} {layer.model}"
                         for layer in LAYERS)

    def to_dot(self) -> str:
        """The layers as a stack of boxes, the modelled ones coloured."""
        g = graph("layers", rankdir="TB", nodesep=0.2, ranksep=0.15)
        names = []
        for layer in LAYERS:
            name = f"layer{layer.number}"
            kind = {"modelled": "used", "wrappers": "struct", "map only": "virgin"}[layer.model]
            g.node(name, label=Record([Record([
                Field(f"layer {layer.number}: {layer.name}"), Field(layer.api),
                Field(f"{layer.notes}  ({layer.model})")])]), width=5.0, **role(kind))
            names.append(name)
        for upper, lower in itertools.pairwise(names):
            g.edge(upper, lower, **edge_role("request"))
        return g.source()
