"""The allocator's statistics, and the report `sys._debugmallocstats()` prints.

{py:func}`collect` walks every arena and every pool carved in it, as
`_PyObject_DebugMallocStats` does (full pools are on no list, so walking the
arenas is the only way to find them).  The result is a {py:class}`MallocStats`
of plain numbers; {py:meth}`MallocStats.format` prints them in the exact format of
the C function: the class table, the arena counters, where every byte of the
arenas went, and (3.10+) what the radix tree costs.  The free-list lines that
`sys._debugmallocstats()` prints after that come from the object types (layer 3),
which are not modelled.

2.x had the same report without the radix-tree part, but only in debug builds
(`PYMALLOC_DEBUG`), so `sys` never offered it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyinternals.memory.obmalloc.radix import ArenaMap
from pyinternals.profiles.obmalloc import ObmallocProfile

if TYPE_CHECKING:
    from pyinternals.memory.obmalloc.allocator import Allocator


@dataclass(frozen=True)
class ClassRow:
    """One line of the class table: a size class that has pools."""

    szidx: int
    num_pools: int
    blocks_in_use: int
    avail_blocks: int


@dataclass(frozen=True)
class MallocStats:
    """What `_PyObject_DebugMallocStats` counts; everything else is derived."""

    profile: ObmallocProfile
    #: Classes with at least one used or full pool, by class index.
    rows: tuple[ClassRow, ...]
    #: `ntimes_arena_allocated`, `narenas_highwater` and the arenas allocated now.
    arenas_allocated_total: int
    arenas_highwater: int
    arenas_current: int
    #: Free pools plus pools not yet carved, over every arena.
    unused_pools: int
    #: Bytes lost because arenas did not start on a pool boundary.
    arena_alignment: int
    #: The radix tree's node counts (`None` without a radix tree).
    arena_map_mid_nodes: int | None = None
    arena_map_bot_nodes: int | None = None

    # -- Derived, as C computes them while printing -----------------------------------

    def row(self, szidx: int) -> ClassRow:
        """The row of class `szidx` (all zeros when the class has no pool)."""
        for r in self.rows:
            if r.szidx == szidx:
                return r
        return ClassRow(szidx, 0, 0, 0)

    @property
    def allocated_bytes(self) -> int:
        """Bytes in blocks handed out."""
        return sum(r.blocks_in_use * self.profile.INDEX2SIZE(r.szidx) for r in self.rows)

    @property
    def available_bytes(self) -> int:
        """Bytes in free blocks of used pools."""
        return sum(r.avail_blocks * self.profile.INDEX2SIZE(r.szidx) for r in self.rows)

    @property
    def pool_header_bytes(self) -> int:
        """Bytes taken by the headers of used and full pools."""
        return sum(r.num_pools for r in self.rows) * self.profile.POOL_OVERHEAD

    @property
    def quantization(self) -> int:
        """Bytes at the end of pools too small for one more block."""
        p = self.profile
        return sum(r.num_pools * ((p.POOL_SIZE - p.POOL_OVERHEAD) % p.INDEX2SIZE(r.szidx))
                   for r in self.rows)

    @property
    def total(self) -> int:
        """Every byte accounted for; equals `arenas_current * ARENA_SIZE`."""
        return (self.allocated_bytes + self.available_bytes +
                self.unused_pools * self.profile.POOL_SIZE + self.pool_header_bytes +
                self.quantization + self.arena_alignment)

    # -- The report ---------------------------------------------------------------------

    def format(self) -> str:
        """The text `_PyObject_DebugMallocStats(out)` writes."""
        p = self.profile
        lines = [f"Small block threshold = {p.SMALL_REQUEST_THRESHOLD}, in "
                 f"{p.NB_SMALL_SIZE_CLASSES} size classes.", "",
                 "class   size   num pools   blocks in use  avail blocks",
                 "-----   ----   ---------   -------------  ------------"]
        lines += [f"{r.szidx:5} {p.INDEX2SIZE(r.szidx):6} {r.num_pools:11} "
                  f"{r.blocks_in_use:15} {r.avail_blocks:13}" for r in self.rows]
        lines += [
            "",
            printone("# arenas allocated total", self.arenas_allocated_total),
            printone("# arenas reclaimed", self.arenas_allocated_total - self.arenas_current),
            printone("# arenas highwater mark", self.arenas_highwater),
            printone("# arenas allocated current", self.arenas_current),
            printone(f"{self.arenas_current} arenas * {p.ARENA_SIZE} bytes/arena",
                     self.arenas_current * p.ARENA_SIZE),
            "",
            printone("# bytes in allocated blocks", self.allocated_bytes),
            printone("# bytes in available blocks", self.available_bytes),
            printone(f"{self.unused_pools} unused pools * {p.POOL_SIZE} bytes",
                     self.unused_pools * p.POOL_SIZE),
            printone("# bytes lost to pool headers", self.pool_header_bytes),
            printone("# bytes lost to quantization", self.quantization),
            printone("# bytes lost to arena alignment", self.arena_alignment),
            printone("Total", self.total),
        ]
        if self.arena_map_mid_nodes is not None and self.arena_map_bot_nodes is not None:
            tree = ArenaMap(p)
            mid = self.arena_map_mid_nodes * tree.mid_bytes
            bot = self.arena_map_bot_nodes * tree.bot_bytes
            lines += [
                "", "arena map counts",
                printone("# arena map mid nodes", self.arena_map_mid_nodes),
                printone("# arena map bot nodes", self.arena_map_bot_nodes),
                "",
                printone("# bytes lost to arena map root", tree.root_bytes),
                printone("# bytes lost to arena map mid", mid),
                printone("# bytes lost to arena map bot", bot),
                printone("Total", tree.root_bytes + mid + bot),
            ]
        return "\n".join(lines) + "\n"


def printone(msg: str, value: int) -> str:
    """One `name = value` line: the name padded to 35 columns, the value with
    thousands separators right-aligned in 21 (obmalloc.c's `printone`)."""
    return f"{msg:<35}={value:>21,}"


def collect(allocator: Allocator) -> MallocStats:
    """Walk every arena and pool, counting as `_PyObject_DebugMallocStats` does."""
    p = allocator.profile
    numpools = [0] * p.NB_SMALL_SIZE_CLASSES
    numblocks = [0] * p.NB_SMALL_SIZE_CLASSES
    numfree = [0] * p.NB_SMALL_SIZE_CLASSES
    narenas = unused_pools = arena_alignment = 0
    for arena in allocator.arenas():
        narenas += 1
        unused_pools += arena.nfreepools
        if arena.address & (p.POOL_SIZE - 1):
            arena_alignment += p.POOL_SIZE
        for pool in arena.pools():
            count = pool.count
            if count == 0:
                continue   # in freepools
            sz = pool.szidx
            numpools[sz] += 1
            numblocks[sz] += count
            numfree[sz] += p.NUMBLOCKS(sz) - count
    rows = tuple(ClassRow(i, numpools[i], numblocks[i], numfree[i])
                 for i in range(p.NB_SMALL_SIZE_CLASSES) if numpools[i])
    tree = allocator.arena_map
    mgmt = allocator.mgmt
    return MallocStats(
        p, rows, mgmt.ntimes_arena_allocated, mgmt.narenas_highwater, narenas,
        unused_pools, arena_alignment,
        tree.mid_count if tree is not None else None,
        tree.bot_count if tree is not None else None,
    )


# -- Reading the report back (for the checks against real interpreters) ----------------


def obmalloc_section(text: str) -> str:
    """The part of a `sys._debugmallocstats()` report that obmalloc writes.

    It ends with the last `Total` line (after the radix-tree counts in 3.10+); the
    free-list lines that follow come from the object types.
    """
    lines = text.splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith("Total "))
    return "".join(lines[:last + 1])


def _value(lines: list[str], name: str) -> int:
    for line in lines:
        if line.startswith(name) and "=" in line:
            return int(line.split("=", 1)[1].replace(",", "").strip())
    raise ValueError(f"no {name!r} line in the report")


def parse(text: str, profile: ObmallocProfile) -> MallocStats:
    """The counts a real `sys._debugmallocstats()` report printed.

    Only what C counts is read back (the class table, the arena counters, the
    unused pools, the arena-alignment bytes, the radix-tree nodes); every derived
    line is left for {py:meth}`MallocStats.format` to compute.
    """
    lines = obmalloc_section(text).splitlines()
    rows = []
    table = lines.index("-----   ----   ---------   -------------  ------------")
    for line in lines[table + 1:]:
        if not line.strip():
            break
        szidx, _size, pools, used, avail = (int(x) for x in line.split())
        rows.append(ClassRow(szidx, pools, used, avail))
    unused = next(line for line in lines if "unused pools *" in line)
    radix = any(line == "arena map counts" for line in lines)
    return MallocStats(
        profile, tuple(rows),
        _value(lines, "# arenas allocated total"),
        _value(lines, "# arenas highwater mark"),
        _value(lines, "# arenas allocated current"),
        int(unused.split()[0]),
        _value(lines, "# bytes lost to arena alignment"),
        _value(lines, "# arena map mid nodes") if radix else None,
        _value(lines, "# arena map bot nodes") if radix else None,
    )
