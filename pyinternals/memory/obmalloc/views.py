"""Readable views of obmalloc's structures: a pool, an arena, `usedpools`.

A view reads the bytes of the model's memory each time it is asked, so it always
shows the current state; it never changes anything, and reading does not touch
pages that were never touched.  Each view draws itself (`to_dot()`).

```python
>>> from pyinternals.memory import Allocator
>>> a = Allocator("2.7")
>>> blocks = [a.malloc(200) for _ in range(3)]
>>> a.free(blocks[1])
>>> pool = a.pool(blocks[0])
>>> pool
<Pool 0x7f00003c1000: class 12 (208 bytes), 2 of 19 blocks used>
>>> {name: hex(value) for name, value in pool.header().items()}
{'ref.count': '0x2', 'freeblock': '0x7f00003c1100', 'nextpool': '0x5555555581b0', \
'prevpool': '0x5555555581b0', 'arenaindex': '0x0', 'szidx': '0xc', 'nextoffset': '0x370', \
'maxnextoffset': '0xf30'}
>>> [hex(b) for b in pool.free_list()]
['0x7f00003c1100', '0x7f00003c12a0']

```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pyinternals.diagrams import Drawable
from pyinternals.memory.obmalloc import structs as S

if TYPE_CHECKING:
    from pyinternals.memory.obmalloc.allocator import Allocator

PoolState = Literal["used", "full", "free"]
BlockState = Literal["used", "free", "virgin"]
ArenaState = Literal["unused", "usable", "full"]


class Pool(Drawable):
    """The pool at `address` (a pool-aligned address inside an arena)."""

    def __init__(self, allocator: Allocator, address: int) -> None:
        self.allocator = allocator
        self.address = address

    def _word(self, offset: int) -> int:
        return self.allocator.space.peek_word(self.address + offset)

    def _uint(self, offset: int) -> int:
        return self.allocator.space.peek_uint(self.address + offset)

    # -- The header's fields ----------------------------------------------------------

    @property
    def count(self) -> int:
        """`ref.count`: blocks handed out and not freed."""
        return self._uint(S.REF)

    @property
    def freeblock(self) -> int:
        """The head of the free list (0 when the pool is full)."""
        return self._word(S.FREEBLOCK)

    @property
    def nextpool(self) -> int:
        """The next pool of the class (or in `freepools`)."""
        return self._word(S.NEXTPOOL)

    @property
    def prevpool(self) -> int:
        """The previous pool of the class."""
        return self._word(S.PREVPOOL)

    @property
    def arenaindex(self) -> int:
        """Which `arenas[]` entry describes the pool's arena."""
        return self._uint(S.ARENAINDEX)

    @property
    def szidx(self) -> int:
        """The size class of its blocks."""
        return self._uint(S.SZIDX)

    @property
    def nextoffset(self) -> int:
        """Offset of the first virgin block (one never handed out)."""
        return self._uint(S.NEXTOFFSET)

    @property
    def maxnextoffset(self) -> int:
        """The largest `nextoffset` at which a whole block still fits."""
        return self._uint(S.MAXNEXTOFFSET)

    def header(self) -> dict[str, int]:
        """Every field of `struct pool_header`, by name."""
        return {f.name: (self._uint if f.size == 4 or f.name == "ref.count" else self._word)
                (f.offset) for f in S.POOL_HEADER}

    # -- What the header means -------------------------------------------------------

    @property
    def block_size(self) -> int:
        """`INDEX2SIZE(szidx)`."""
        return self.allocator.profile.INDEX2SIZE(self.szidx)

    @property
    def numblocks(self) -> int:
        """`NUMBLOCKS(szidx)`: how many blocks the pool holds."""
        return self.allocator.profile.NUMBLOCKS(self.szidx)

    @property
    def state(self) -> PoolState:
        """`used` (on `usedpools`), `full` (on no list) or `free` (in `freepools`)."""
        count = self.count
        if count == 0:
            return "free"
        return "full" if self.freeblock == 0 else "used"

    def free_list(self) -> list[int]:
        """The free blocks, in the order `malloc` will hand them out."""
        found: list[int] = []
        block = self.freeblock
        limit = self.numblocks + 1
        while block and len(found) < limit:
            found.append(block)
            block = self.allocator.space.peek_word(block)
        return found

    def blocks(self) -> list[tuple[int, BlockState]]:
        """Every block of the pool by address, with its state."""
        if self.state == "free":
            raise ValueError(f"pool {self.address:#x} is empty: its blocks have no class "
                             "until it is used again")
        free = set(self.free_list())
        overhead = self.allocator.profile.POOL_OVERHEAD
        size, nextoffset = self.block_size, self.nextoffset
        out: list[tuple[int, BlockState]] = []
        for i in range(self.numblocks):
            offset = overhead + i * size
            state: BlockState = "virgin" if offset >= nextoffset else (
                "free" if self.address + offset in free else "used")
            out.append((self.address + offset, state))
        return out

    def __repr__(self) -> str:
        if self.state == "free":
            return f"<Pool {self.address:#x}: empty, in its arena's freepools>"
        return (f"<Pool {self.address:#x}: class {self.szidx} ({self.block_size} bytes), "
                f"{self.count} of {self.numblocks} blocks used>")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pool) and other.allocator is self.allocator and \
            other.address == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    def to_dot(self) -> str:
        """The pool's bytes: header fields, blocks, the free list and the virgin rest."""
        from pyinternals.memory.obmalloc.drawing import pool_dot

        return pool_dot(self)


class ArenaObject(Drawable):
    """`arenas[index]`: the record of one arena."""

    def __init__(self, allocator: Allocator, index: int) -> None:
        self.allocator = allocator
        self.index = index
        #: The address of the `arena_object` itself (in the `arenas` vector).
        self.ao = allocator.mgmt.arena_object(index)

    def _field(self, offset: int, size: int) -> int:
        space = self.allocator.space
        return space.peek_uint(self.ao + offset) if size == 4 else \
            space.peek_word(self.ao + offset)

    @property
    def address(self) -> int:
        """The arena's address, or 0 when this object has no arena."""
        return self._field(S.AO_ADDRESS, 8)

    @property
    def pool_address(self) -> int:
        """Where the next pool will be carved off."""
        return self._field(S.AO_POOL_ADDRESS, 8)

    @property
    def nfreepools(self) -> int:
        """Free pools plus pools not carved yet."""
        return self._field(S.AO_NFREEPOOLS, 4)

    @property
    def ntotalpools(self) -> int:
        """How many pools the arena holds."""
        return self._field(S.AO_NTOTALPOOLS, 4)

    @property
    def freepools(self) -> int:
        """The first pool of its singly-linked free list."""
        return self._field(S.AO_FREEPOOLS, 8)

    @property
    def nextarena(self) -> int:
        """The next `arena_object` on its list (an address, 0 for NULL)."""
        return self._field(S.AO_NEXTARENA, 8)

    @property
    def prevarena(self) -> int:
        """The previous `arena_object` on `usable_arenas`."""
        return self._field(S.AO_PREVARENA, 8)

    def fields(self) -> dict[str, int]:
        """Every field of `struct arena_object`, by name."""
        return {f.name: self._field(f.offset, f.size) for f in S.ARENA_OBJECT}

    @property
    def state(self) -> ArenaState:
        """`unused` (no arena), `usable` (has free pools) or `full`."""
        if self.address == 0:
            return "unused"
        return "usable" if self.nfreepools else "full"

    def pools(self) -> list[Pool]:
        """The pools carved off so far, by address."""
        if self.address == 0:
            return []
        start, _ = self.allocator.mgmt.carve_geometry(self.address)
        size = self.allocator.profile.POOL_SIZE
        return [Pool(self.allocator, a) for a in range(start, self.pool_address, size)]

    def free_pools(self) -> list[Pool]:
        """The pools on `freepools`, in the order they will be reused."""
        found: list[Pool] = []
        pool = self.freepools
        while pool and len(found) <= self.ntotalpools:
            found.append(Pool(self.allocator, pool))
            pool = self.allocator.space.peek_word(pool + S.NEXTPOOL)
        return found

    def __repr__(self) -> str:
        if self.address == 0:
            return f"<arenas[{self.index}]: unused>"
        return (f"<arenas[{self.index}]: arena {self.address:#x}, {self.nfreepools} of "
                f"{self.ntotalpools} pools free>")

    def to_dot(self) -> str:
        """The arena's pool map: each pool's class and fill, free and uncarved pools."""
        from pyinternals.memory.obmalloc.drawing import arena_dot

        return arena_dot(self)


class UsedPools(Drawable):
    """`usedpools`: two pointers per class, read as the `nextpool`/`prevpool` of a
    header that starts two pointers earlier."""

    def __init__(self, allocator: Allocator) -> None:
        self.allocator = allocator

    def slot(self, i: int) -> int:
        """The value of `usedpools[i]`."""
        return self.allocator.space.peek_word(self.allocator.usedpools + 8 * i)

    def slots(self) -> int:
        """How many pointers the array holds."""
        nb = self.allocator.profile.NB_SMALL_SIZE_CLASSES
        return 2 * ((nb + 7) // 8) * 8

    def is_empty(self, szidx: int) -> bool:
        """Whether class `szidx` has no used pool (its header points to itself)."""
        return self.slot(2 * szidx) == self.allocator.PTA(szidx)

    def to_dot(self, classes: list[int] | None = None) -> str:
        """The array around `classes` (default: those in use, and class 0)."""
        from pyinternals.memory.obmalloc.drawing import usedpools_dot

        return usedpools_dot(self, classes)
