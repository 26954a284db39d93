"""Layer 3: the free lists that ints, floats and tuples keep above obmalloc.

A dead float need not go back to `PyObject_Free`: its type keeps it and hands it
out again to the next `PyFloat_FromDouble`, which then skips the allocator.  The
model keeps these caches as C does, in the memory of an
{py:class}`~pyinternals.memory.obmalloc.allocator.Allocator` (layer 2): a free list
is threaded through its dead objects, in `ob_type` for ints and floats and in
`ob_item[0]` for tuples, and only its head is a variable.  What each version keeps
is profile data ({py:mod}`pyinternals.profiles.freelists`).  The chapter
{doc}`/memory/allocator` tells the story.

```python
>>> fl = FreeLists("3.12")
>>> x = fl.new_float(); fl.dealloc(x)
>>> fl.new_float() == x                 # last freed, first reused, no malloc
True

```

The model knows which objects are alive but not their reference counts: `dealloc`
stands for the last reference going away.  Where it departs from C: the objects
hold only their free-list link, not their fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyinternals import profiles
from pyinternals.diagrams import Drawable
from pyinternals.diagrams.dot import Field, Record
from pyinternals.diagrams.style import edge_role, graph, role
from pyinternals.memory.obmalloc.allocator import Allocator
from pyinternals.memory.obmalloc.space import BSS_BASE

#: Where the model puts 3.x's static small ints: the interpreter binary's data,
#: past obmalloc's `[bss]` and below the heap.
RUNTIME_STATICS = BSS_BASE + 0x10000
#: The link's offset in an int or float (`ob_type`) and in a tuple (`ob_item[0]`).
OB_TYPE = 8
OB_ITEM = 24


@dataclass(frozen=True)
class Event:
    """One object made or destroyed, and where its memory came from or went."""

    #: `"new"` or `"dealloc"`.
    op: str
    #: `int`, `float`, `tuple(3)`...
    kind: str
    address: int
    #: The path, in C's words: `free_list`, `fill_free_list`, `PyObject_Malloc`...
    steps: tuple[str, ...]

    def __str__(self) -> str:
        call = f"{self.op} {self.kind}"
        return f"{call:<16} {self.address:#x}: {', '.join(self.steps)}"


class TraceLog(list[Event]):
    """The events logged so far; printing it gives one line per object."""

    def __str__(self) -> str:
        return "\n".join(str(event) for event in self)


class FreeLists(Drawable):
    """The int, float and tuple caches of one CPython version, over an allocator.

    `FreeLists(profile=None, allocator=None, trace=False)`: `profile` is a version
    (`"2.7"`, `"3.11"`...; default the running one); `allocator` the layer-2 model
    the objects come from (default a fresh one of the same version).  With
    `trace=True` every object made or destroyed is logged in `log`.
    """

    def __init__(self, profile: str | None = None, *, allocator: Allocator | None = None,
                 trace: bool = False) -> None:
        #: The version's facts ({py:class}`~pyinternals.profiles.freelists.FreeListsProfile`).
        self.profile = profiles.freelists.get(profile)
        #: Layer 2, where objects come from when their free list is empty.
        self.allocator = allocator if allocator is not None else Allocator(self.profile.name)
        self.space = self.allocator.space
        #: The heads of the int and float free lists (0 is NULL).
        self.free_list: dict[str, int] = {"int": 0, "float": 0}
        #: How many objects each bounded list holds (`numfree`).
        self.numfree: dict[str, int] = {"float": 0}
        #: 2.7: the newest `PyIntBlock`/`PyFloatBlock`; each block's first word links
        #: the one before (`block_list`).
        self.block_list: dict[str, int] = {"int": 0, "float": 0}
        #: Tuple free lists by length: heads, and how many each holds.
        self.tuple_free_list = [0] * self.profile.PyTuple_MAXSAVESIZE
        self.tuple_numfree = [0] * self.profile.PyTuple_MAXSAVESIZE
        #: Live objects: address -> kind (`"int"`, `"float"`, `"tuple(3)"`...).
        self.objects: dict[int, str] = {}
        #: The small ints, value -> address.
        self.small_ints: dict[int, int] = {}
        #: One {py:class}`Event` per object made or destroyed while tracing.
        self.log = TraceLog()
        self.trace = False
        self._steps: list[str] = []
        self._init_small_ints()
        self._steps.clear()
        self.trace = trace

    # -- Small ints (_PyInt_Init, _PyLong_Init / _PyRuntime) ----------------------------

    def _init_small_ints(self) -> None:
        p = self.profile
        values = range(-p.NSMALLNEGINTS, p.NSMALLPOSINTS)
        if p.small_ints_home == "int blocks":         # 2.7 _PyInt_Init
            for v in values:
                self.small_ints[v] = self._int_from_free_list()
        else:                                          # 3.11+: static, never freed
            self.space.map_fixed(RUNTIME_STATICS, 32 * len(values), "bss",
                                 "[data] _PyRuntime small ints")
            for i, v in enumerate(values):
                self.small_ints[v] = RUNTIME_STATICS + 32 * i
        for address in self.small_ints.values():
            self.objects[address] = "int"

    # -- Ints (PyInt_FromLong, int_dealloc / PyLong_FromLong, long_dealloc) -------------

    def new_int(self, value: int) -> int:
        """The int `value`: a shared small int, else a new object."""
        if not isinstance(value, int):
            raise TypeError(f"new_int() takes an int value, not {type(value).__name__}")
        if self.profile.is_small_int(value):
            return self._made("int", self.small_ints[value], "small int")
        if self.profile.int_free_list == "blocks":
            return self._made("int", self._int_from_free_list())
        return self._made("int", self._malloc(self.profile.int_size(value)))

    def _int_from_free_list(self) -> int:
        return self._pop_block_list("int", 24)

    # -- Floats (PyFloat_FromDouble, float_dealloc) -------------------------------------

    def new_float(self) -> int:
        """A new float: from the free list if it has one, else from below."""
        p = self.profile
        if p.float_free_list == "blocks":
            return self._made("float", self._pop_block_list("float", p.float_size))
        head = self.free_list["float"]
        if head:
            self.free_list["float"] = self.space.read_word(head + OB_TYPE)
            self.numfree["float"] -= 1
            self._steps.append(f"free_list (numfree {self.numfree['float']})")
            return self._made("float", head)
        return self._made("float", self._malloc(p.float_size))

    # -- Tuples (PyTuple_New, tupledealloc) ------------------------------------------

    def new_tuple(self, length: int) -> int:
        """A new tuple of `length` items: from its length's free list, else from below."""
        p = self.profile
        if not isinstance(length, int) or length < 0:
            raise ValueError(f"a tuple length is an int >= 0, not {length!r}")
        kind = f"tuple({length})"
        if p.tuple_min_saved <= length < p.PyTuple_MAXSAVESIZE and self.tuple_free_list[length]:
            head = self.tuple_free_list[length]
            self.tuple_free_list[length] = self.space.read_word(head + OB_ITEM)
            self.tuple_numfree[length] -= 1
            self._steps.append(f"free_list[{length}] (numfree {self.tuple_numfree[length]})")
            return self._made(kind, head)
        return self._made(kind, self._malloc(p.tuple_size(length)) + p.GC_HEAD_SIZE)

    # -- Deallocation ---------------------------------------------------------------

    def dealloc(self, address: int) -> None:
        """The last reference to the object at `address` went away."""
        kind = self.objects.get(address)
        if kind is None:
            raise ValueError(f"dealloc({address:#x}): no live object of this model is "
                             "there (never made, or deallocated already)")
        p = self.profile
        if kind == "int" and address in self.small_ints.values():
            self._steps.append("small int: never deallocated")
            self._record("dealloc", kind, address)
            return
        del self.objects[address]
        kept_for_ever = {"int": p.int_free_list == "blocks",
                         "float": p.float_free_list == "blocks"}
        if kept_for_ever.get(kind, False):
            self._push(kind, address, "free_list (kept for ever)")
        elif kind == "float" and self.numfree["float"] < (p.PyFloat_MAXFREELIST or 0):
            self.numfree["float"] += 1
            self._push(kind, address, f"free_list (numfree {self.numfree['float']})")
        elif kind.startswith("tuple"):
            self._tupledealloc(kind, address)
        else:
            self._free(address, "free list full: " if kind == "float" else "")
        self._record("dealloc", kind, address)

    def _tupledealloc(self, kind: str, address: int) -> None:
        p = self.profile
        length = int(kind[6:-1])
        if (p.tuple_min_saved <= length < p.PyTuple_MAXSAVESIZE
                and self.tuple_numfree[length] < p.PyTuple_MAXFREELIST):
            self.space.write_word(address + OB_ITEM, self.tuple_free_list[length])
            self.tuple_free_list[length] = address
            self.tuple_numfree[length] += 1
            self._steps.append(f"free_list[{length}] (numfree {self.tuple_numfree[length]})")
        else:
            full = "free list full: " if length < p.PyTuple_MAXSAVESIZE else ""
            self._free(address - p.GC_HEAD_SIZE, full)

    # -- Steps shared by the types -----------------------------------------------------

    def _pop_block_list(self, kind: str, size: int) -> int:
        """2.7: the head of `free_list`, after `fill_free_list` if it is empty."""
        if not self.free_list[kind]:
            self.free_list[kind] = self._fill_free_list(kind, size)
        head = self.free_list[kind]
        self.free_list[kind] = self.space.read_word(head + OB_TYPE)
        self._steps.append("free_list")
        return head

    def _fill_free_list(self, kind: str, size: int) -> int:
        """A new block from `PyMem_MALLOC`, its objects linked last to first."""
        p = self.profile
        n = p.N_OBJECTS(size)
        # sizeof(PyIntBlock): 992 bytes, more than obmalloc serves: PyMem_MALLOC
        # (malloc itself in 2.7) and the model's PyObject_Malloc both go to libc.
        block = self.allocator.malloc(p.BHEAD_SIZE + n * size)
        if not block:
            raise MemoryError(f"fill_free_list: no memory for a new {kind} block")
        self.space.write_word(block, self.block_list[kind])     # block->next
        self.block_list[kind] = block
        first = block + p.BHEAD_SIZE
        self.space.write_word(first + OB_TYPE, 0)
        for i in range(1, n):          # Py_TYPE(q) = q - 1, from the rear
            self.space.write_word(first + i * size + OB_TYPE, first + (i - 1) * size)
        self._steps.append(f"fill_free_list: new block {block:#x} of {n}")
        return first + (n - 1) * size

    def _push(self, kind: str, address: int, step: str) -> None:
        self.space.write_word(address + OB_TYPE, self.free_list[kind])
        self.free_list[kind] = address
        self._steps.append(step)

    def _malloc(self, nbytes: int) -> int:
        block = self.allocator.malloc(nbytes)
        if not block:
            raise MemoryError(f"PyObject_Malloc({nbytes}) returned NULL")
        self._steps.append(f"PyObject_Malloc({nbytes})")
        return block

    def _free(self, block: int, why: str) -> None:
        self.allocator.free(block)
        self._steps.append(f"{why}PyObject_Free")

    def _made(self, kind: str, address: int, step: str | None = None) -> int:
        if step:
            self._steps.append(step)
        self.objects[address] = kind
        self._record("new", kind, address)
        return address

    def _record(self, op: str, kind: str, address: int) -> None:
        if self.trace:
            self.log.append(Event(op, kind, address, tuple(self._steps)))
        self._steps.clear()

    # -- Looking inside ------------------------------------------------------------

    def chain(self, kind: str) -> list[int]:
        """The objects on a free list, head first: `"int"`, `"float"` or `"tuple(n)"`."""
        if kind.startswith("tuple("):
            head, link = self.tuple_free_list[int(kind[6:-1])], OB_ITEM
        elif kind in self.free_list:
            head, link = self.free_list[kind], OB_TYPE
        else:
            raise ValueError(f"no free list {kind!r}: try 'int', 'float' or 'tuple(3)'")
        out = []
        while head:
            out.append(head)
            head = self.space.read_word(head + link)
        return out

    def to_dot(self, kinds: tuple[str, ...] = ("float", "tuple(3)"), limit: int = 6) -> str:
        """The free lists of `kinds`: each head, then its objects linked in memory."""
        g = graph("freelists", rankdir="LR", nodesep=0.15)
        for kind in kinds:
            name = kind.replace("(", "_").replace(")", "")
            chain = self.chain(kind)
            count = f"{len(chain)} kept"
            if kind == "float" and self.profile.PyFloat_MAXFREELIST:
                count += f", at most {self.profile.PyFloat_MAXFREELIST}"
            if kind.startswith("tuple"):
                count += f", at most {self.profile.PyTuple_MAXFREELIST}"
            head = "free_list" if kind in self.free_list else f"free_list[{kind[6:-1]}]"
            g.node(f"{name}_head", label=Record([Field(f"{kind}: {head}"), Field(count)]),
                   **role("struct"))
            previous = f"{name}_head"
            link = "ob_type" if kind in self.free_list else "ob_item[0]"
            for i, address in enumerate(chain[:limit]):
                node = f"{name}_{i}"
                g.node(node, label=Record([Field(f"{address:#x}"), Field(link)]), **role("free"))
                g.edge(previous, node, **edge_role("free"))
                previous = node
            if len(chain) > limit:
                g.node(f"{name}_more", label=f"{len(chain) - limit} more", **role("elided"))
                g.edge(previous, f"{name}_more", **edge_role("free"))
        return g.source()
