"""The small-object allocator: `PyObject_Malloc`, `PyObject_Free`, `PyObject_Realloc`.

A model of `Objects/obmalloc.c` (2.x and 3.x), working on the bytes of a simulated
address space ({py:class}`~pyinternals.memory.obmalloc.space.AddressSpace`).
Requests of 1 to 512 bytes are rounded up to a *size class* and served from a
*pool* of blocks of that class; pools are carved from *arenas* obtained from the
system with `mmap`.  Everything else goes to the C library's `malloc`
({py:class}`~pyinternals.memory.obmalloc.libc.SystemAllocator`).

The sections follow the C file: `usedpools`, allocating (`pymalloc_alloc` with
`pymalloc_pool_extend` inlined, `allocate_from_new_pool`), freeing (`pymalloc_free`
with `insert_to_usedpool` inlined, `insert_to_freepool`), reallocating, then what
the model adds: validation of bad calls, the trace, and inspection.  (C's compiler
inlines the small step functions into the fast paths; so does the model, for speed,
and says where.)  The debug allocator that `PYMALLOC_DEBUG` puts on top is
{py:class}`~pyinternals.memory.obmalloc.debug.DebugAllocator`.
The chapter {doc}`/memory/allocator` walks through all of it.

```python
>>> a = Allocator("3.12")
>>> p = a.malloc(100)               # class 6: 112-byte blocks
>>> hex(p), a.pool(p).szidx
('0x7f0000304030', 6)
>>> q = a.malloc(100)
>>> q - p                            # the next block of the same pool
112
>>> a.free(p)
>>> a.malloc(97) == p                # last freed, first reused (97 to 112: class 6)
True

```
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pyinternals import profiles
from pyinternals.diagrams import Drawable
from pyinternals.memory.obmalloc.arenas import ArenaManagement, arena_management
from pyinternals.memory.obmalloc.libc import SystemAllocator
from pyinternals.memory.obmalloc.radix import ArenaMap
from pyinternals.memory.obmalloc.space import (
    BSS_BASE,
    PAGE_MASK,
    PAGE_OFFSET_MASK,
    PAGE_SIZE,
    AddressSpace,
    InvalidFree,
)
from pyinternals.memory.obmalloc.structs import (
    AO_ADDRESS,
    AO_POOL_ADDRESS,
    ARENAINDEX,
    NEXTPOOL,
    PREVPOOL,
)
from pyinternals.memory.obmalloc.trace import Event, TraceLog
from pyinternals.profiles.obmalloc import PY_SSIZE_T_MAX, ObmallocProfile

if TYPE_CHECKING:
    from pyinternals.memory.obmalloc.stats import MallocStats
    from pyinternals.memory.obmalloc.views import ArenaObject, Pool, UsedPools

#: Where `usedpools` sits in the `[bss]` mapping (other statics come before it, so
#: that the fake header of class 0, 16 bytes before the array, is mapped memory).
USEDPOOLS_OFFSET = 0x100
#: `usedpools[0]` is this word of the first page of `[bss]`, whose frame the fast
#: paths keep at hand: `usedpools[i]` is `bss[USEDPOOLS + i]`.
USEDPOOLS = USEDPOOLS_OFFSET >> 3


class Allocator(Drawable):
    """obmalloc for one version's profile, with its own address space.

    `profile` names a version (`"book"`, `"2.7"`, `"3.11"`, `"3.12"`, `"3.13"`;
    default: the running interpreter's).  `limit` caps the bytes the address space
    may map; when an arena can no longer be mapped, small requests fall back to the
    system's `malloc`, and when that fails too, `malloc` returns 0 (NULL).  With
    `trace=True` every call is logged in `log`.
    """

    def __init__(self, profile: str | None = None, *, limit: int | None = None,
                 trace: bool = False) -> None:
        #: The constants and design choices of the version modelled.
        self.profile: ObmallocProfile = profiles.obmalloc.get(profile)
        p = self.profile
        #: Layer 0: the memory, and the C library's allocator on top of it.
        self.space = AddressSpace(limit)
        self.libc = SystemAllocator(self.space)
        #: The trace: one {py:class}`~pyinternals.memory.obmalloc.trace.Event` per call
        #: made while {py:attr}`trace` is on.
        self.log = TraceLog()
        self._steps: list[str] | None = None
        #: 3.x's radix tree of arenas (`None` in the 2.x designs).
        self.arena_map = ArenaMap(p) if p.address_check == "radix" else None
        #: The arena globals: `arenas`, `usable_arenas`, ... (`_obmalloc_mgmt`).
        self.mgmt: ArenaManagement = arena_management(p, self.space, self.libc,
                                                      self.arena_map, self._note)
        #: Blocks the system allocator holds for obmalloc's callers (3.x counts them
        #: in `sys.getallocatedblocks()`).
        self.raw_allocated_blocks = 0
        # What the caller asked for, per live address (the debug allocator's record).
        self._live: dict[int, int] = {}
        self._usedpools_init()
        # The frames of memory (see space.py), and the one holding usedpools.
        self._frames = self.space.frames
        self._bss = self.space.frame(BSS_BASE)
        self._threshold = p.SMALL_REQUEST_THRESHOLD
        self._shift = p.ALIGNMENT_SHIFT
        # POOL_ADDR's mask, ~(POOL_SIZE - 1), as the unsigned 64-bit number C uses.
        self._pool_mask = 2**64 - p.POOL_SIZE
        self._address_in_range = (self.arena_map.is_used if self.arena_map
                                  else self.mgmt.address_in_range)
        self._leaves = self.arena_map.leaves if self.arena_map else None
        self._arena_bits = p.ARENA_BITS
        self._arena_mask = p.ARENA_SIZE - 1
        self.trace = trace

    def __repr__(self) -> str:
        return (f"<Allocator {self.profile.name}: {len(self._live)} blocks live, "
                f"{self.mgmt.narenas_currently_allocated} arenas>")

    # -- usedpools: headed, circular, doubly-linked lists of partially used pools --------

    def _usedpools_init(self) -> None:
        """Lay out `usedpools` as C's initialiser does: `PT(0), PT(1), ...`.

        Slot `2*i` and `2*i+1` both hold `PTA(i)`, the address 16 bytes (two
        pointers) before slot `2*i`.  Read as a pool header, that address has its
        `nextpool` in slot `2*i` and its `prevpool` in slot `2*i+1`, both pointing
        back to itself: an empty circular list, headed by a header that is not there.
        """
        nb = self.profile.NB_SMALL_SIZE_CLASSES
        slots = 2 * ((nb + 7) // 8) * 8
        assert USEDPOOLS_OFFSET + 8 * slots <= PAGE_SIZE, "usedpools is in [bss]'s first page"
        self.space.map_fixed(BSS_BASE, USEDPOOLS_OFFSET + 8 * slots, "bss",
                             "[bss] obmalloc.c statics")
        #: The address of `usedpools[0]`.
        self.usedpools = BSS_BASE + USEDPOOLS_OFFSET
        for i in range(nb):
            self.space.write_word(self.usedpools + 16 * i, self.PTA(i))
            self.space.write_word(self.usedpools + 16 * i + 8, self.PTA(i))

    def PTA(self, szidx: int) -> int:
        """The fake pool header of class `szidx`: `&usedpools[2*szidx] - 2*sizeof(block *)`."""
        return self.usedpools + 16 * szidx - 16

    # -- Allocating (pymalloc_alloc and friends) -------------------------------------
    #
    # A pool starts a page, so its header is the first six words of the page's frame,
    # `header = frames[pool]`: [0] ref.count (the union's upper half stays zero),
    # [1] freeblock, [2] nextpool, [3] prevpool, [4] arenaindex | szidx << 32,
    # [5] nextoffset | maxnextoffset << 32 (the words at pool + 0, 8, ... 40).  Any
    # other word is found from its address `a`, as the MMU finds it: in the frame of
    # its page, `frames[a & PAGE_MASK]`, at `(a & PAGE_OFFSET_MASK) >> 3`.

    def malloc(self, nbytes: int) -> int:
        """`PyObject_Malloc(nbytes)`: the address of a new block, or 0 (NULL).

        The fast path is C's `pymalloc_alloc`: the class's first used pool,
        `usedpools[size + size]`, gives the head of its free list.
        """
        if type(nbytes) is not int:
            nbytes = _as_size("malloc", nbytes)
        if not 0 < nbytes <= self._threshold:
            return self._malloc_large(nbytes)
        size = (nbytes - 1) >> self._shift
        frames = self._frames
        steps = self._steps
        pool = self._bss[USEDPOOLS + size + size]                  # usedpools[size + size]
        # A pool's header is the start of a frame; the fake header of a class with
        # no pool is not (it lies inside [bss]), so its nextpool is read the long way.
        header = frames.get(pool)
        nextpool = header[2] if header is not None else self.space.peek_word(pool + NEXTPOOL)
        if pool != nextpool:                                        # pool != pool->nextpool
            # There is a used pool for this class: take the head of its free list.
            assert header is not None                               # (a real pool)
            header[0] += 1                                          # ++pool->ref.count
            bp = header[1]                                          # bp = pool->freeblock
            # pool->freeblock = *(block **)bp
            header[1] = nxt = frames[bp & PAGE_MASK][(bp & PAGE_OFFSET_MASK) >> 3]
            if steps is not None:
                steps.append("freeblock")
            if not nxt:
                # The end of the free list (NULL): pymalloc_pool_extend, inlined as
                # the C compiler inlines it.
                offsets = header[5]                  # nextoffset | maxnextoffset << 32
                nextoffset = offsets & 0xFFFFFFFF
                if nextoffset <= offsets >> 32:
                    # Room for another block: the next virgin one is the free list
                    # (its page may never have been written: poke_word maps a frame).
                    header[1] = pool + nextoffset
                    header[5] = offsets + ((size + 1) << self._shift)   # nextoffset += size
                    self.space.poke_word(pool + nextoffset, 0)
                    if steps is not None:
                        steps.append("virgin")
                else:
                    # The pool is full: unlink it from usedpools.  It was the first
                    # pool of its class, so prev is the fake header, inside [bss]; next
                    # is the next pool (its header starts a frame), or the fake header
                    # again when there is none.  Both are found from their addresses.
                    nxt, prev = header[2], header[3]
                    words, at = frames.get(nxt), 3      # next->prevpool: word 3 of a pool,
                    if words is None:                   # or at the fake header's address + 24
                        words, at = frames[nxt & PAGE_MASK], ((nxt & PAGE_OFFSET_MASK) + 24) >> 3
                    words[at] = prev                    # next->prevpool = prev
                    # prev->nextpool = next
                    frames[prev & PAGE_MASK][((prev & PAGE_OFFSET_MASK) + 16) >> 3] = nxt
                    if steps is not None:
                        steps.append("full")
        else:
            bp = self._allocate_from_new_pool(size)
            if bp == 0:
                return self._malloc_large(nbytes)   # no arena: let the system try
        self._live[bp] = nbytes
        if steps is not None:
            self._record("malloc", nbytes, bp, pool=bp & self._pool_mask)
        return bp

    def _allocate_from_new_pool(self, size: int) -> int:
        """No used pool for this class: take a pool, put it on usedpools, take a block."""
        pool = self.mgmt.allocate_pool()
        if pool == 0:
            return 0
        space = self.space
        header = space.frame(pool)                                  # the start of its frame
        # Frontlink to used pools (the list is empty: next is the fake header).
        nxt = self.PTA(size)
        header[2] = header[3] = nxt                                 # pool->nextpool, prevpool
        space.poke_word(nxt + NEXTPOOL, pool)                       # next->nextpool = pool
        space.poke_word(nxt + PREVPOOL, pool)                       # next->prevpool = pool
        header[0] = 1                                               # pool->ref.count = 1
        if header[4] >> 32 == size:                                 # pool->szidx == size
            # Luckily, the pool last held this class: its free list is still there.
            bp = header[1]
            header[1] = space.peek_word(bp)
            self._note("same class")
            return bp
        # Initialise: return the first block, the second is the free list.
        # Word 4 holds arenaindex (low half) and szidx (high half); word 5 holds
        # nextoffset and maxnextoffset.
        header[4] = (header[4] & 0xFFFFFFFF) | (size << 32)         # pool->szidx = size
        block_size = (size + 1) << self._shift
        bp = pool + self.profile.POOL_OVERHEAD
        header[5] = (self.profile.POOL_OVERHEAD + (block_size << 1)) | \
            ((self.profile.POOL_SIZE - block_size) << 32)            # nextoffset, maxnextoffset
        header[1] = bp + block_size
        space.poke_word(bp + block_size, 0)
        self._note("init")
        return bp

    def _malloc_large(self, nbytes: int) -> int:
        """Not for pymalloc (0 bytes, over the threshold, no arena): `PyMem_RawMalloc`."""
        if nbytes < 0:
            raise ValueError(f"malloc() size must be >= 0, not {nbytes} (size_t is unsigned)")
        if nbytes > PY_SSIZE_T_MAX:
            return 0
        self._note("system")
        p = self.libc.malloc(nbytes or 1)        # PyMem_RawMalloc(0) means malloc(1)
        if p:
            self.raw_allocated_blocks += 1
            self._live[p] = nbytes
        if self._steps is not None:
            self._record("malloc", nbytes, p)
        return p

    # -- Freeing (pymalloc_free and friends) ---------------------------------------------

    def free(self, p: int) -> None:
        """`PyObject_Free(p)`: give a block back.  `free(0)` does nothing.

        The body is C's `pymalloc_free`, inlined (as the C compiler does): push `p`
        on its pool's free list, then move the pool if it was full or is now
        empty.  An address obmalloc does not own goes to the system's `free`.
        An address this allocator did not hand out (or that is already free) raises
        {py:class}`~pyinternals.memory.obmalloc.space.InvalidFree`, and nothing changes.
        """
        if self._live.pop(p, None) is None:
            if type(p) is int and p == 0:
                return
            raise self._diagnose(p, "free")
        leaves = self._leaves
        if leaves is not None:
            # 3.x: arena_map_is_used, with the leaf found in one lookup (see radix.py).
            cov = leaves.get(p >> self._arena_bits)
            if cov is None:
                self._free_system(p)
                return
            hi, lo = cov
            tail = p & self._arena_mask
            if not (tail < lo or (tail >= hi and hi != 0)):
                self._free_system(p)
                return
        elif not self._address_in_range(p):
            self._free_system(p)
            return
        frames = self._frames
        pool = p & self._pool_mask                                  # POOL_ADDR(p)
        header = frames[pool]                                       # its frame starts it
        lastfree = header[1]                                        # pool->freeblock
        # *(block **)p = lastfree
        frames[p & PAGE_MASK][(p & PAGE_OFFSET_MASK) >> 3] = lastfree
        header[1] = p                                               # pool->freeblock = p
        header[0] = count = header[0] - 1                           # pool->ref.count--
        steps = self._steps
        if steps is not None:
            steps.append("freeblock")
            szidx = header[4] >> 32  # read now: the arena may be gone by the end
        if not lastfree:
            # The pool was full (its free list was NULL): back to the front of its
            # class's used list (insert_to_usedpool, inlined).  next,
            # usedpools[szidx + szidx], is the first pool (its header starts a
            # frame), or the fake header when the list is empty; prev, before it,
            # is the fake header, inside [bss].  Both are found from their addresses.
            nxt = self._bss[USEDPOOLS + ((header[4] >> 32) << 1)]
            words, at = frames.get(nxt), 3              # next->prevpool: word 3 of a pool,
            if words is None:                           # or at the fake header's address + 24
                words, at = frames[nxt & PAGE_MASK], ((nxt & PAGE_OFFSET_MASK) + 24) >> 3
            prev = words[at]                            # prev = next->prevpool
            header[2] = nxt                             # prev <-> pool <-> next
            header[3] = prev
            words[at] = pool
            # prev->nextpool = pool
            frames[prev & PAGE_MASK][((prev & PAGE_OFFSET_MASK) + 16) >> 3] = pool
            if steps is not None:
                steps.append("was full: front of usedpools")
        elif count == 0:
            # The pool is empty: to its arena's free pools.
            self._insert_to_freepool(pool)
        if steps is not None:
            self._record("free", None, p, pool=pool, szidx=szidx)

    def _free_system(self, p: int) -> None:
        """Not obmalloc's: `PyMem_RawFree(p)`."""
        self.raw_allocated_blocks -= 1
        self._note("system")
        self.libc.free(p)
        if self._steps is not None:
            self._record("free", None, p)

    def _insert_to_freepool(self, pool: int) -> None:
        """Unlink an empty pool from usedpools; its arena takes it back."""
        space = self.space
        nxt, prev = space.peek_word(pool + NEXTPOOL), space.peek_word(pool + PREVPOOL)
        space.poke_word(nxt + PREVPOOL, prev)
        space.poke_word(prev + NEXTPOOL, nxt)
        self._note("empty: to freepools")
        self.mgmt.free_pool(pool)

    # -- Reallocating ---------------------------------------------------------------------

    def realloc(self, p: int, nbytes: int) -> int:
        """`PyObject_Realloc(p, nbytes)`: resize a block; the new address, or 0.

        A pymalloc block stays where it is when the new size fits its class and
        does not shrink it by a quarter or more; otherwise it moves (malloc, copy,
        free).  A system block stays with the system's `realloc`.  On failure (0)
        the old block is untouched.
        """
        if type(nbytes) is not int:
            nbytes = _as_size("realloc", nbytes)
        if nbytes < 0:
            raise ValueError(f"realloc() size must be >= 0, not {nbytes} (size_t is unsigned)")
        if type(p) is int and p == 0:
            return self.malloc(nbytes)
        if p not in self._live:
            raise self._diagnose(p, "realloc")
        if nbytes > PY_SSIZE_T_MAX:
            return 0
        if self._address_in_range(p):
            szidx = self.space.peek_word((p & self._pool_mask) + ARENAINDEX) >> 32
            size = self.profile.INDEX2SIZE(szidx)
            if nbytes <= size:
                if 4 * nbytes > 3 * size:
                    # The same class, or shrinking by less than a quarter: stay.
                    self._live[p] = nbytes
                    self._note("in place")
                    if self._steps is not None:
                        self._record("realloc", nbytes, p, result=p, pool=p & self._pool_mask)
                    return p
                size = nbytes
            bp = self.malloc(nbytes)
            if bp:
                self.space.copy(bp, p, size)
                self.free(p)
            self._note("moved")
            if self._steps is not None:
                self._record("realloc", nbytes, p, result=bp)
            return bp
        q = self.libc.realloc(p, nbytes or 1)     # PyMem_RawRealloc: 0 means 1
        if q:
            del self._live[p]
            self._live[q] = nbytes
        self._note("system")
        if self._steps is not None:
            self._record("realloc", nbytes, p, result=q)
        return q

    # -- The trace --------------------------------------------------------------------------

    @property
    def trace(self) -> bool:
        """Whether calls are being logged in `log`."""
        return self._steps is not None

    @trace.setter
    def trace(self, on: bool) -> None:
        self._steps = [] if on else None

    def _note(self, step: str) -> None:
        if self._steps is not None:
            self._steps.append(step)

    def _record(self, op: str, nbytes: int | None, address: int, *,
                result: int | None = None, pool: int | None = None,
                szidx: int | None = None) -> None:
        assert self._steps is not None
        if pool is not None and szidx is None:
            szidx = self.space.peek_word(pool + ARENAINDEX) >> 32
        self.log.append(Event(op, nbytes, address, tuple(self._steps), szidx=szidx,
                              pool=pool, result=result))
        self._steps.clear()

    # -- Bad calls: say what was wrong, change nothing ------------------------------------

    def _diagnose(self, p: Any, call: str) -> Exception:
        """Why `p` cannot be freed (or reallocated): the exception to raise."""
        if not isinstance(p, int) or isinstance(p, bool):
            return TypeError(f"{call}() takes an address (an int), not {type(p).__name__}")
        if p < 0:
            return InvalidFree(p, f"{call}({p}): an address is never negative")
        where = f"{call}({p:#x})"
        if not self.space.is_mapped(p):
            return InvalidFree(p, f"{where}: the address is not mapped, so no allocator "
                                  "handed it out")
        if self._address_in_range(p):
            return self._diagnose_pool_address(p, where)
        chunk = self.libc.chunk_containing(p)
        if chunk is not None and chunk in self._live:
            return InvalidFree(p, f"{where}: interior pointer: it lies {p - chunk} bytes "
                                  f"inside the system block at {chunk:#x}")
        if chunk is not None or self.libc.owns(p):
            return InvalidFree(p, f"{where}: the address belongs to a block of the system "
                                  "allocator that PyObject_Malloc did not hand out")
        return InvalidFree(p, f"{where}: the address was never returned by this allocator "
                              "(or it was freed already)")

    def _diagnose_pool_address(self, p: int, where: str) -> InvalidFree:
        pool = self.pool(p)
        offset = p - pool.address
        if pool.state == "free":
            return InvalidFree(p, f"{where}: the address lies in pool {pool.address:#x}, "
                                  "which is empty (every block in it was freed already)")
        if offset < self.profile.POOL_OVERHEAD:
            return InvalidFree(p, f"{where}: the address points into the header of pool "
                                  f"{pool.address:#x}")
        size = pool.block_size
        block = pool.address + self.profile.POOL_OVERHEAD + \
            (offset - self.profile.POOL_OVERHEAD) // size * size
        index = (block - pool.address - self.profile.POOL_OVERHEAD) // size
        what = f"block {index} of pool {pool.address:#x} (class {pool.szidx}, {size} bytes)"
        if index >= pool.numblocks:
            return InvalidFree(p, f"{where}: the address lies in the unused tail of pool "
                                  f"{pool.address:#x}, past its last block")
        if block != p:
            live = "a live" if block in self._live else "a free"
            return InvalidFree(p, f"{where}: interior pointer: it lies {p - block} bytes "
                                  f"inside {live} block, {what} at {block:#x}")
        if block - pool.address >= pool.nextoffset:
            return InvalidFree(p, f"{where}: {what} was never handed out (it is virgin)")
        return InvalidFree(p, f"{where}: double free: {what} is free already "
                              "(it is on its pool's free list)")

    # -- Looking inside ---------------------------------------------------------------------

    def pool(self, address: int) -> Pool:
        """The pool holding `address` (`POOL_ADDR(address)`), as a readable view."""
        from pyinternals.memory.obmalloc.views import Pool

        return Pool(self, address & self._pool_mask)

    def arena(self, index: int) -> ArenaObject:
        """`arenas[index]`, as a readable view."""
        from pyinternals.memory.obmalloc.views import ArenaObject

        if not 0 <= index < self.mgmt.maxarenas:
            raise IndexError(f"arenas has {self.mgmt.maxarenas} slots; there is no "
                             f"arenas[{index}]")
        return ArenaObject(self, index)

    def arenas(self) -> list[ArenaObject]:
        """The `arena_object`s associated with an arena, by index."""
        return [self.arena(i) for i in range(self.mgmt.maxarenas)
                if self.mgmt.get(self.mgmt.arena_object(i), AO_ADDRESS)]

    def used_pools(self, szidx: int) -> list[Pool]:
        """The pools on `usedpools[szidx + szidx]`, front to back."""
        if not 0 <= szidx < self.profile.NB_SMALL_SIZE_CLASSES:
            raise IndexError(f"size classes run from 0 to "
                             f"{self.profile.NB_SMALL_SIZE_CLASSES - 1}, not {szidx}")
        head = self.PTA(szidx)
        found = []
        pool = self.space.peek_word(head + NEXTPOOL)
        while pool != head:
            found.append(self.pool(pool))
            pool = self.space.peek_word(pool + NEXTPOOL)
        return found

    def address_in_range(self, p: int) -> bool:
        """Whether obmalloc handed out `p` (the era's test: arenaindex or radix tree)."""
        if not self.space.is_mapped(p):
            return False
        return bool(self._address_in_range(p))

    def is_live(self, p: int) -> bool:
        """Whether `p` was handed out by `malloc` or `realloc` and not freed since."""
        return p in self._live

    def live_blocks(self) -> dict[int, int]:
        """Address -> bytes requested, for every block handed out and not freed."""
        return dict(self._live)

    def carved_pools(self) -> Iterator[Pool]:
        """Every pool carved so far, arena by arena (free ones included)."""
        for arena in self.arenas():
            start, _ = self.mgmt.carve_geometry(arena.address)
            end = self.mgmt.get(arena.ao, AO_POOL_ADDRESS)
            for address in range(start, end, self.profile.POOL_SIZE):
                yield self.pool(address)

    def allocated_blocks(self) -> int:
        """`_Py_GetAllocatedBlocks()`, which `sys.getallocatedblocks()` returns (3.x)."""
        return self.raw_allocated_blocks + sum(pool.count for pool in self.carved_pools())

    def stats(self) -> MallocStats:
        """The numbers behind `sys._debugmallocstats()`."""
        from pyinternals.memory.obmalloc.stats import collect

        return collect(self)

    def debugmallocstats(self) -> str:
        """The report `sys._debugmallocstats()` prints, for this allocator."""
        return self.stats().format()

    def usedpools_view(self) -> UsedPools:
        """`usedpools`, with the fake headers overlapping it, as a drawable view."""
        from pyinternals.memory.obmalloc.views import UsedPools

        return UsedPools(self)

    def to_dot(self) -> str:
        """The `arena_object`s and the lists that link them."""
        from pyinternals.memory.obmalloc.drawing import arena_lists_dot

        return arena_lists_dot(self)


def _as_size(call: str, nbytes: object) -> int:
    """`nbytes` as an int, or a TypeError that says what was passed instead."""
    if not isinstance(nbytes, bool):
        try:
            return operator.index(nbytes)  # type: ignore[arg-type]
        except TypeError:
            pass
    raise TypeError(f"{call}() size must be an int, not {type(nbytes).__name__}")
