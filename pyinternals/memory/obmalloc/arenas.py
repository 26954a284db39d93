"""Arena management: the `arena_object` vector and its two lists (`Objects/obmalloc.c`).

obmalloc gets memory from the system an *arena* at a time and carves it into pools.
Each arena is described by an `arena_object`; they live in one vector, `arenas`,
which `realloc` doubles when every object is in use (16 to start with).  An
`arena_object` is in one of three states:

- *unused*: no arena is associated with it (`address == 0`).  Such objects form the
  singly-linked list `unused_arena_objects`, linked through `nextarena`;
- *usable*: its arena has pools available, never carved or freed.  These form the
  doubly-linked list `usable_arenas`, kept sorted by `nfreepools`, fullest arena
  first, so that allocations come from busy arenas and nearly empty ones get a
  chance to become empty and be returned to the system;
- *full*: every pool of its arena is in use; it is on no list.

Keeping `usable_arenas` sorted is where the eras differ
({py:class}`SortedBySearch`, {py:class}`SortedByFingers`), as is whether the last
wholly free arena is kept
({py:attr}`~pyinternals.profiles.obmalloc.ObmallocProfile.keep_free_arena`).

The globals of `obmalloc.c` (`arenas`, `maxarenas`, `usable_arenas`...) are
attributes holding addresses, 0 standing for NULL; the `arena_object`s themselves
are bytes in the model's memory, read and written through the offsets of
{py:mod}`~pyinternals.memory.obmalloc.structs`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pyinternals.memory.obmalloc.libc import SystemAllocator
from pyinternals.memory.obmalloc.radix import ArenaMap
from pyinternals.memory.obmalloc.space import AddressSpace
from pyinternals.memory.obmalloc.structs import (
    AO_ADDRESS,
    AO_FREEPOOLS,
    AO_NEXTARENA,
    AO_NFREEPOOLS,
    AO_NTOTALPOOLS,
    AO_POOL_ADDRESS,
    AO_PREVARENA,
    ARENAINDEX,
    DUMMY_SIZE_IDX,
    NEXTPOOL,
    SIZEOF_ARENA_OBJECT,
)
from pyinternals.profiles.obmalloc import ObmallocProfile


class ArenaManagement:
    """`struct _obmalloc_mgmt` (3.12's name for these globals) and the functions on it.

    Use {py:func}`arena_management` to get the variant a profile calls for.
    """

    def __init__(self, profile: ObmallocProfile, space: AddressSpace, libc: SystemAllocator,
                 arena_map: ArenaMap | None, note: Callable[[str], None]) -> None:
        self.profile = profile
        self.space = space
        self.libc = libc
        self.arena_map = arena_map
        self._note = note
        #: Address of the `arena_object` vector (0 until the first arena).
        self.arenas = 0
        #: Slots in the vector.
        self.maxarenas = 0
        #: Head of the singly-linked list of unassociated `arena_object`s.
        self.unused_arena_objects = 0
        #: Head of the doubly-linked list of arenas with free pools, fullest first.
        self.usable_arenas = 0
        self.narenas_currently_allocated = 0
        #: How many times an arena was obtained from the system.
        self.ntimes_arena_allocated = 0
        self.narenas_highwater = 0

    # -- Reading and writing arena_object fields -----------------------------------

    def get(self, ao: int, field: int) -> int:
        """A pointer-sized field of the `arena_object` at `ao`."""
        return self.space.peek_word(ao + field)

    def put(self, ao: int, field: int, value: int) -> None:
        """Store a pointer-sized field."""
        self.space.poke_word(ao + field, value)

    def get_uint(self, ao: int, field: int) -> int:
        """A `uint` field (`nfreepools`, `ntotalpools`): half of a word."""
        return self.space.peek_uint(ao + field)

    def put_uint(self, ao: int, field: int, value: int) -> None:
        """Store a `uint` field."""
        self.space.poke_uint(ao + field, value)

    def arena_object(self, index: int) -> int:
        """`&arenas[index]`."""
        return self.arenas + index * SIZEOF_ARENA_OBJECT

    def index_of(self, ao: int) -> int:
        """`ao - arenas`: the index of an `arena_object`."""
        return (ao - self.arenas) // SIZEOF_ARENA_OBJECT

    def walk(self, head: int) -> Iterator[int]:
        """The `arena_object`s of a list, from `head` along `nextarena`."""
        while head:
            yield head
            head = self.get(head, AO_NEXTARENA)

    # -- Getting an arena (new_arena) ---------------------------------------------------

    def new_arena(self) -> int:
        """Map a new arena and return its `arena_object`, or 0 when memory runs out."""
        if self.unused_arena_objects == 0 and not self._grow_arenas_vector():
            return 0
        ao = self.unused_arena_objects
        self.unused_arena_objects = self.get(ao, AO_NEXTARENA)
        address = self.space.mmap(self.profile.ARENA_SIZE, f"arena {self.index_of(ao)}")
        if address == 0:
            # The allocation failed: put the arena_object back and report NULL.
            self.put(ao, AO_NEXTARENA, self.unused_arena_objects)
            self.unused_arena_objects = ao
            return 0
        if self.arena_map is not None:
            self.arena_map.arena_map_mark_used(address, True)
        self.put(ao, AO_ADDRESS, address)
        self.narenas_currently_allocated += 1
        self.ntimes_arena_allocated += 1
        self.narenas_highwater = max(self.narenas_highwater, self.narenas_currently_allocated)
        self.put(ao, AO_FREEPOOLS, 0)
        # pool_address: the first pool-aligned address; an unaligned arena loses a pool.
        pool_address, nfreepools = self.carve_geometry(address)
        self.put(ao, AO_POOL_ADDRESS, pool_address)
        self.put_uint(ao, AO_NFREEPOOLS, nfreepools)
        self.put_uint(ao, AO_NTOTALPOOLS, nfreepools)
        self._note("new arena")
        return ao

    def carve_geometry(self, address: int) -> tuple[int, int]:
        """Where an arena at `address` carves its first pool, and how many it holds."""
        p = self.profile
        excess = address & (p.POOL_SIZE - 1)
        if excess:
            return address + p.POOL_SIZE - excess, p.MAX_POOLS_IN_ARENA - 1
        return address, p.MAX_POOLS_IN_ARENA

    def _grow_arenas_vector(self) -> bool:
        """Double `arenas` (16 at first) and put the new slots on the unused list."""
        numarenas = self.maxarenas << 1 if self.maxarenas else self.profile.INITIAL_ARENA_OBJECTS
        vector = self.libc.realloc(self.arenas, numarenas * SIZEOF_ARENA_OBJECT)
        if vector == 0:
            return False
        # No pointer into the old vector survives: this only happens when every
        # arena_object is in use, so usable_arenas and unused_arena_objects are NULL.
        self.arenas = vector
        for i in range(self.maxarenas, numarenas):
            ao = self.arena_object(i)
            self.put(ao, AO_ADDRESS, 0)
            self.put(ao, AO_NEXTARENA, ao + SIZEOF_ARENA_OBJECT if i < numarenas - 1 else 0)
        self.unused_arena_objects = self.arena_object(self.maxarenas)
        self.maxarenas = numarenas
        return True

    # -- Handing out a pool (allocate_from_new_pool, first half) ------------------------

    def allocate_pool(self) -> int:
        """A pool for a size class whose used list is empty, or 0 when memory runs out.

        From the head of `usable_arenas`: a cached free pool if it has one, else a
        pool carved off at its `pool_address`.  A carved pool gets its `arenaindex`
        and the dummy size class; the caller initialises the rest.
        """
        if self.usable_arenas == 0:
            ao = self.new_arena()
            if ao == 0:
                return 0
            self.usable_arenas = ao
            self.put(ao, AO_NEXTARENA, 0)
            self.put(ao, AO_PREVARENA, 0)
            self._became_usable(ao)
        ua = self.usable_arenas
        self._taking_pool(ua)
        pool = self.get(ua, AO_FREEPOOLS)
        nfreepools = self.get_uint(ua, AO_NFREEPOOLS) - 1
        self.put_uint(ua, AO_NFREEPOOLS, nfreepools)
        if pool:
            self._note("cached pool")
            self.put(ua, AO_FREEPOOLS, self.space.peek_word(pool + NEXTPOOL))  # ->nextpool
        else:
            self._note("new pool")
            pool = self.get(ua, AO_POOL_ADDRESS)
            # pool->arenaindex and pool->szidx share the header's fifth word.
            self.space.poke_word(pool + ARENAINDEX, self.index_of(ua) | (DUMMY_SIZE_IDX << 32))
            self.put(ua, AO_POOL_ADDRESS, pool + self.profile.POOL_SIZE)
        if nfreepools == 0:
            # Wholly allocated: the arena leaves usable_arenas.
            self.usable_arenas = self.get(ua, AO_NEXTARENA)
            if self.usable_arenas:
                self.put(self.usable_arenas, AO_PREVARENA, 0)
        return pool

    # -- Taking a pool back (insert_to_freepool, second half) ----------------------------

    def free_pool(self, pool: int) -> None:
        """Link an empty pool to its arena's `freepools`; then keep the arena lists right.

        The four cases of `insert_to_freepool`: (1) every pool of the arena is free:
        give the arena back to the system; (2) it is the arena's only free pool: the
        arena joins `usable_arenas` at the front; (3) the arena now has more free
        pools than the next one: slide it right; (4) nothing to do.
        """
        ao = self.arena_object(self.space.peek_uint(pool + ARENAINDEX))
        self.space.poke_word(pool + NEXTPOOL, self.get(ao, AO_FREEPOOLS))
        self.put(ao, AO_FREEPOOLS, pool)
        nf = self.get_uint(ao, AO_NFREEPOOLS)
        lastnf = self._giving_pool(ao, nf)
        nf += 1
        self.put_uint(ao, AO_NFREEPOOLS, nf)
        if nf == self.get_uint(ao, AO_NTOTALPOOLS):
            if not self.profile.keep_free_arena or self.get(ao, AO_NEXTARENA) != 0:
                self._release_arena(ao)
                return
            self._note("last free arena kept")
        if nf == 1:
            # Case 2: the arena was full, so on no list: put it at the front.
            head = self.usable_arenas
            self.put(ao, AO_NEXTARENA, head)
            self.put(ao, AO_PREVARENA, 0)
            if head:
                self.put(head, AO_PREVARENA, ao)
            self.usable_arenas = ao
            self._became_usable(ao)
            self._note("arena usable again")
            return
        self._keep_sorted(ao, nf, lastnf)

    def _release_arena(self, ao: int) -> None:
        """Case 1: unlink `ao` from `usable_arenas` and give its arena back."""
        prev, nxt = self.get(ao, AO_PREVARENA), self.get(ao, AO_NEXTARENA)
        if prev == 0:
            self.usable_arenas = nxt
        else:
            self.put(prev, AO_NEXTARENA, nxt)
        if nxt:
            self.put(nxt, AO_PREVARENA, prev)
        self.put(ao, AO_NEXTARENA, self.unused_arena_objects)
        self.unused_arena_objects = ao
        address = self.get(ao, AO_ADDRESS)
        if self.arena_map is not None:
            self.arena_map.arena_map_mark_used(address, False)
        self.space.munmap(address, self.profile.ARENA_SIZE)
        self.put(ao, AO_ADDRESS, 0)
        self.narenas_currently_allocated -= 1
        self._note("arena freed")

    def _unlink_usable(self, ao: int) -> None:
        """Take `ao` out of `usable_arenas` (it has a successor)."""
        prev, nxt = self.get(ao, AO_PREVARENA), self.get(ao, AO_NEXTARENA)
        if prev:
            self.put(prev, AO_NEXTARENA, nxt)
        else:
            self.usable_arenas = nxt
        self.put(nxt, AO_PREVARENA, prev)

    def _insert_after(self, ao: int, prev: int) -> None:
        """Link `ao` into `usable_arenas` just after `prev`."""
        nxt = self.get(prev, AO_NEXTARENA)
        self.put(ao, AO_PREVARENA, prev)
        self.put(ao, AO_NEXTARENA, nxt)
        if nxt:
            self.put(nxt, AO_PREVARENA, ao)
        self.put(prev, AO_NEXTARENA, ao)

    # -- The ordering hooks (one variant per era) -------------------------------------

    def _became_usable(self, ao: int) -> None:
        """`ao` just joined `usable_arenas` at its head."""

    def _taking_pool(self, ua: int) -> None:
        """A pool is about to be taken from the head arena `ua`."""

    def _giving_pool(self, ao: int, nf: int) -> int:
        """A pool is about to be given back to `ao`, which has `nf` free pools."""
        return 0

    def _keep_sorted(self, ao: int, nf: int, lastnf: int) -> None:
        """Cases 3 and 4: move `ao` right if it now has more free pools than its successor."""
        raise NotImplementedError

    # -- Is this address ours?  (2.x) -------------------------------------------------

    def address_in_range(self, p: int) -> bool:
        """2.x's test (`Py_ADDRESS_IN_RANGE`): read the `arenaindex` of `p`'s pool.

        When obmalloc does not own `p` the index is whatever bytes lie there; the test
        stays right because it also checks that `p` lies in that arena.
        """
        pool = p & ~(self.profile.POOL_SIZE - 1)
        arenaindex = self.space.peek_uint(pool + ARENAINDEX)   # maybe uninitialised
        if arenaindex >= self.maxarenas:
            return False
        address = self.get(self.arena_object(arenaindex), AO_ADDRESS)
        return 0 <= p - address < self.profile.ARENA_SIZE and address != 0


class SortedBySearch(ArenaManagement):
    """2.x: after a free, walk `usable_arenas` to the arena's new place (linear)."""

    def _keep_sorted(self, ao: int, nf: int, lastnf: int) -> None:
        nxt = self.get(ao, AO_NEXTARENA)
        if nxt == 0 or nf <= self.get_uint(nxt, AO_NFREEPOOLS):
            return   # case 4: still in order
        # Case 3: unlink, then look for the first arena with at least nf free pools.
        self._unlink_usable(ao)
        prev = nxt
        while self.get(prev, AO_NEXTARENA) and \
                nf > self.get_uint(self.get(prev, AO_NEXTARENA), AO_NFREEPOOLS):
            prev = self.get(prev, AO_NEXTARENA)
        self._insert_after(ao, prev)
        self._note("arena moved right")


class SortedByFingers(ArenaManagement):
    """3.8+: `nfp2lasta[n]` is the last usable arena with `n` free pools (bpo-37029).

    The "search fingers" turn the linear walk of {py:class}`SortedBySearch` into a
    jump: an arena whose count grows from n to n+1 goes right after the last arena
    that had n, which is where the search would have stopped.
    """

    def __init__(self, profile: ObmallocProfile, space: AddressSpace, libc: SystemAllocator,
                 arena_map: ArenaMap | None, note: Callable[[str], None]) -> None:
        super().__init__(profile, space, libc, arena_map, note)
        #: `nfp2lasta[nfp]`: the rightmost usable arena with `nfp` free pools, or 0.
        self.nfp2lasta = [0] * (profile.MAX_POOLS_IN_ARENA + 1)

    def _became_usable(self, ao: int) -> None:
        nf = self.get_uint(ao, AO_NFREEPOOLS)
        if self.nfp2lasta[nf] == 0:
            self.nfp2lasta[nf] = ao

    def _taking_pool(self, ua: int) -> None:
        # The head has the fewest free pools, so taking one keeps the order; only
        # the fingers move.
        nf = self.get_uint(ua, AO_NFREEPOOLS)
        if self.nfp2lasta[nf] == ua:
            self.nfp2lasta[nf] = 0
        if nf > 1:
            self.nfp2lasta[nf - 1] = ua

    def _giving_pool(self, ao: int, nf: int) -> int:
        lastnf = self.nfp2lasta[nf]
        if lastnf == ao:
            prev = self.get(ao, AO_PREVARENA)
            self.nfp2lasta[nf] = prev if prev and self.get_uint(prev, AO_NFREEPOOLS) == nf \
                else 0
        return lastnf

    def _keep_sorted(self, ao: int, nf: int, lastnf: int) -> None:
        if self.nfp2lasta[nf] == 0:
            self.nfp2lasta[nf] = ao
        if ao == lastnf:
            return   # case 4: it was the rightmost with its old count
        # Case 3: move it just after the last arena that had its old count.
        self._unlink_usable(ao)
        self._insert_after(ao, lastnf)
        self._note("arena moved right")


def arena_management(profile: ObmallocProfile, space: AddressSpace, libc: SystemAllocator,
                     arena_map: ArenaMap | None, note: Callable[[str], None]) -> ArenaManagement:
    """The arena management a profile calls for."""
    kind = {"search": SortedBySearch, "nfp2lasta": SortedByFingers}[profile.usable_arenas_order]
    return kind(profile, space, libc, arena_map, note)
