"""How 3.10+ recognises its own addresses: the radix tree of arenas (`arena_map`).

`free(p)` must decide whether `p` came from obmalloc or from the system's `malloc`.
2.x answered by reading the pool header that *would* hold `p` and checking its
`arenaindex` (see {py:meth}`~pyinternals.memory.obmalloc.arenas.ArenaManagement.address_in_range`).
That reads memory obmalloc may not own, which is why pools could be no larger than
a page.  3.10 replaced it with a three-level radix tree indexed by the high bits of
the address, which made 16 KiB pools possible (bpo-37448).

On 64-bit builds with 1 MiB arenas the 44 bits above the arena bits split into 15
(`MAP_TOP`), 15 (`MAP_MID`) and 14 (`MAP_BOT`).  A leaf (`arena_coverage_t`) covers
one *ideal* arena: an `ARENA_SIZE`-aligned slice of the address space.  A real arena
is only page-aligned, so it straddles two ideal slices: the lower one records where
the arena starts (`tail_hi`), the upper one where it ends (`tail_lo`).  An address
belongs to obmalloc when its offset in its slice is at or past `tail_hi` (and
`tail_hi` is set) or below `tail_lo`.

```python
>>> from pyinternals import profiles
>>> tree = ArenaMap(profiles.obmalloc.get("3.12"))
>>> tree.arena_map_mark_used(0x7f0000001000, True)
>>> tree.arena_map_is_used(0x7f0000004030), tree.arena_map_is_used(0x7f0000000ff0)
(True, False)
>>> tree.coverage(0x7f0000001000), tree.coverage(0x7f0000101000)
((4096, 0), (0, 4096))

```

The nodes are Python dictionaries, not bytes: C allocates them with
`PyMem_RawCalloc` and never frees them; the model counts them as C does and
reports the bytes they would take ({py:attr}`ArenaMap.node_bytes`).
"""

from __future__ import annotations

from collections.abc import Callable

from pyinternals.profiles.obmalloc import ObmallocProfile

#: Bits in an address; none is ignored (`IGNORE_BITS` is 0 on Linux builds).
POINTER_BITS = 64


class ArenaMap:
    """`arena_map_root` and its `MAP_MID` and `MAP_BOT` nodes."""

    def __init__(self, profile: ObmallocProfile) -> None:
        self.ARENA_BITS = profile.ARENA_BITS
        self.ARENA_SIZE_MASK = profile.ARENA_SIZE - 1
        interior = (POINTER_BITS - self.ARENA_BITS + 2) // 3
        self.MAP_TOP_BITS = self.MAP_MID_BITS = interior
        self.MAP_BOT_BITS = POINTER_BITS - self.ARENA_BITS - 2 * interior
        self.MAP_BOT_SHIFT = self.ARENA_BITS
        self.MAP_MID_SHIFT = self.MAP_BOT_BITS + self.MAP_BOT_SHIFT
        self.MAP_TOP_SHIFT = self.MAP_MID_BITS + self.MAP_MID_SHIFT
        self._top_mask = (1 << self.MAP_TOP_BITS) - 1
        self._mid_mask = (1 << self.MAP_MID_BITS) - 1
        self._bot_mask = (1 << self.MAP_BOT_BITS) - 1
        #: `arena_map_root.ptrs`: top index -> mid node (mid index -> bot node).
        self.root: dict[int, dict[int, dict[int, list[int]]]] = {}
        #: `arena_map_mid_count`, `arena_map_bot_count`.
        self.mid_count = 0
        self.bot_count = 0
        #: Ideal-arena number -> its leaf (the same list the bottom node holds).
        self.leaves: dict[int, list[int]] = {}
        #: {py:meth}`arena_map_is_used`, as a plain function (the fast path's).
        self.is_used = self._make_is_used()

    def indices(self, p: int) -> tuple[int, int, int]:
        """`MAP_TOP_INDEX(p)`, `MAP_MID_INDEX(p)`, `MAP_BOT_INDEX(p)`."""
        return ((p >> self.MAP_TOP_SHIFT) & self._top_mask,
                (p >> self.MAP_MID_SHIFT) & self._mid_mask,
                (p >> self.MAP_BOT_SHIFT) & self._bot_mask)

    def arena_map_get(self, p: int, create: bool) -> dict[int, list[int]] | None:
        """The bottom node covering `p`, made on the way when `create` is true."""
        i1, i2, _ = self.indices(p)
        mid = self.root.get(i1)
        if mid is None:
            if not create:
                return None
            mid = self.root[i1] = {}
            self.mid_count += 1
        bot = mid.get(i2)
        if bot is None:
            if not create:
                return None
            bot = mid[i2] = {}
            self.bot_count += 1
        return bot

    def arena_map_mark_used(self, arena_base: int, is_used: bool) -> None:
        """Mark (or unmark) the addresses an arena at `arena_base` covers."""
        tail = arena_base & self.ARENA_SIZE_MASK
        if tail == 0:
            # An ideal (ARENA_SIZE-aligned) arena: the whole slice is ours.
            self._leaf(arena_base, is_used)[0] = -1 if is_used else 0
            return
        self._leaf(arena_base, is_used)[0] = tail if is_used else 0
        self._leaf(arena_base + (self.ARENA_SIZE_MASK + 1), is_used)[1] = \
            tail if is_used else 0

    def _leaf(self, p: int, create: bool) -> list[int]:
        """`&n->arenas[MAP_BOT_INDEX(p)]`: the `[tail_hi, tail_lo]` leaf for `p`."""
        bot = self.arena_map_get(p, create)
        assert bot is not None, "unmarking an arena that was never marked"
        i3 = self.indices(p)[2]
        leaf = bot.get(i3)
        if leaf is None:
            leaf = bot[i3] = self.leaves[p >> self.ARENA_BITS] = [0, 0]
        return leaf

    def arena_map_is_used(self, p: int) -> bool:
        """Whether `p` lies inside an arena obmalloc holds (3.x `address_in_range`).

        Walks down from the root, as C does: a missing node means "not ours".
        """
        leaf = self.walk(p)
        if leaf is None:
            return False
        hi, lo = leaf
        tail = p & self.ARENA_SIZE_MASK
        return tail < lo or (tail >= hi and hi != 0)

    def walk(self, p: int) -> list[int] | None:
        """The leaf for `p`, found from the root as C finds it (None: no such node)."""
        bot = self.arena_map_get(p, False)
        return None if bot is None else bot.get(self.indices(p)[2])

    def _make_is_used(self) -> Callable[[int], bool]:
        """`arena_map_is_used` for the fast path.

        `free` asks on every call, so this version reaches the leaf through
        `leaves`, an index of the same leaf objects by ideal-arena number
        (`p >> ARENA_BITS`), in one dictionary lookup instead of three.  The tree
        is still built, counted and walked ({py:meth}`walk`) exactly as in C; the
        index only saves the descent, and the tests check both give one answer.
        """
        leaves = self.leaves
        bits = self.ARENA_BITS
        arena_mask = self.ARENA_SIZE_MASK

        def arena_map_is_used(p: int) -> bool:
            cov = leaves.get(p >> bits)
            if cov is None:
                return False
            tail = p & arena_mask
            return tail < cov[1] or (tail >= cov[0] and cov[0] != 0)

        return arena_map_is_used

    def coverage(self, p: int) -> tuple[int, int]:
        """`(tail_hi, tail_lo)` of the leaf for the ideal slice holding `p`."""
        leaf = self.walk(p) or [0, 0]
        return (leaf[0], leaf[1])

    # -- What the tree costs (the end of `sys._debugmallocstats()`) ----------------

    @property
    def root_bytes(self) -> int:
        """`sizeof(arena_map_root)`: one pointer per top index."""
        return 8 << self.MAP_TOP_BITS

    @property
    def mid_bytes(self) -> int:
        """`sizeof(arena_map_mid_t)`."""
        return 8 << self.MAP_MID_BITS

    @property
    def bot_bytes(self) -> int:
        """`sizeof(arena_map_bot_t)`: two `int32_t` per leaf."""
        return 8 << self.MAP_BOT_BITS

    @property
    def node_bytes(self) -> int:
        """Everything the tree takes: root, mid and bottom nodes."""
        return self.root_bytes + self.mid_count * self.mid_bytes + \
            self.bot_count * self.bot_bytes
