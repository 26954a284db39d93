"""Drawings of the allocator's state: a pool's bytes, `usedpools`, an arena, the arena lists.

Each function reads the live state through the views of
{py:mod}`~pyinternals.memory.obmalloc.views` and returns DOT text.  Node names come
from the allocator's vocabulary (`header`, `b0a0` for the block at offset 0xa0,
`pool7f0000004000`, `arenas3`), so the same state always gives the same drawing.
Pointers are shown the way a reader follows them: an offset inside the same pool,
another pool, or the fake header of a `usedpools` class.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from pyinternals.diagrams.dot import Field, Record
from pyinternals.diagrams.style import edge_role, graph, role
from pyinternals.memory.obmalloc import structs as S

if TYPE_CHECKING:
    from pyinternals.memory.obmalloc.allocator import Allocator
    from pyinternals.memory.obmalloc.views import ArenaObject, Pool, UsedPools

#: Pool-map columns in an arena drawing.
ARENA_COLUMNS = 8
#: Unused `arena_object`s drawn before the rest of the list is summarised.
UNUSED_SHOWN = 3


def describe_pointer(allocator: Allocator, value: int, here: int | None = None) -> str:
    """A pointer in the reader's terms: NULL, `+0xa0` (in pool `here`), a pool, a header."""
    if value == 0:
        return "NULL"
    p = allocator.profile
    if here is not None and here <= value < here + p.POOL_SIZE:
        return f"+{value - here:#05x}"
    first = allocator.PTA(0)
    if first <= value <= allocator.PTA(p.NB_SMALL_SIZE_CLASSES - 1) and \
            (value - first) % 16 == 0:
        return f"usedpools header of class {(value - first) // 16}"
    if allocator.address_in_range(value) and value % p.POOL_SIZE == 0:
        return f"pool {value:#x}"
    return f"{value:#x}"


# -- A pool's bytes ------------------------------------------------------------------


def pool_dot(pool: Pool) -> str:
    """The header's fields, then the blocks in address order, free-list arrows on the side."""
    a = pool.allocator
    p = a.profile
    g = graph(f"pool {pool.address:#x}", rankdir="TB", ranksep=0.04, nodesep=0.3)
    width = 3.6
    state = pool.state
    if state == "free":
        title = f"pool {pool.address:#x}: empty, in its arena's freepools"
    else:
        title = (f"pool {pool.address:#x}: class {pool.szidx} ({pool.block_size}-byte blocks),"
                 f" {pool.count} of {pool.numblocks} in use")
    fields: list[Field | Record | str] = [Field(title)]
    for f in S.POOL_HEADER:
        value = pool.header()[f.name]
        shown = describe_pointer(a, value, pool.address) if f.size == 8 and \
            f.name != "ref.count" else str(value)
        fields.append(Field(f"+{f.offset:<2}  {f.name} = {shown}", f.name.replace(".", "_")))
    g.node("header", label=Record([Record(fields)]), width=width, **role("struct"))
    if state == "free":
        return g.source()
    previous = "header"
    names: dict[int, str] = {}
    for start, stop, kind in _block_runs(pool):
        size = pool.block_size
        first, last = start - pool.address, stop - size - pool.address
        n = (stop - start) // size
        if kind == "free":
            text = f"+{first:#05x}: free"
        elif kind == "used":
            text = (f"+{first:#05x}: in use" if n == 1 else
                    f"+{first:#05x} to +{last:#05x}: {n} blocks in use")
        else:
            text = f"+{first:#05x} to +{last:#05x}: {n} virgin blocks"
        name = f"b{first:03x}"
        names[start] = name
        g.node(name, label=text, width=width, **role(kind))
        g.edge(previous, name, style="invis")
        previous = name
    tail = (p.POOL_SIZE - p.POOL_OVERHEAD) % pool.block_size
    if tail:
        g.node("tail", label=f"+{p.POOL_SIZE - tail:#05x}: {tail} bytes, too few for a block",
               width=width, **role("value"))
        g.edge(previous, "tail", style="invis")
    free = pool.free_list()
    if free:
        g.edge("header", names[free[0]], tailport="freeblock", constraint=False,
               **edge_role("free"))
    for block, nxt in itertools.pairwise(free):
        g.edge(names[block], names[nxt], tailport="e", headport="e", constraint=False,
               **edge_role("free"))
    virgin = pool.address + pool.nextoffset
    if virgin in names:
        g.edge("header", names[virgin], tailport="nextoffset", constraint=False,
               **edge_role("request"))
    return g.source()


def _block_runs(pool: Pool) -> list[tuple[int, int, str]]:
    """`(start, stop, kind)`: runs of used blocks, single free blocks, the virgin rest."""
    runs: list[tuple[int, int, str]] = []
    size = pool.block_size
    for address, kind in pool.blocks():
        if runs and kind != "free" and runs[-1][2] == kind and runs[-1][1] == address:
            runs[-1] = (runs[-1][0], address + size, kind)
        else:
            runs.append((address, address + size, kind))
    return runs


# -- usedpools and its fake headers ----------------------------------------------------


def usedpools_dot(view: UsedPools, classes: list[int] | None = None) -> str:
    """The slots of `usedpools` for some classes, and each class's circular list."""
    a = view.allocator
    nb = a.profile.NB_SMALL_SIZE_CLASSES
    if classes is None:
        classes = [i for i in range(nb) if not view.is_empty(i)] or [0]
    for i in classes:
        if not 0 <= i < nb:
            raise IndexError(f"size classes run from 0 to {nb - 1}, not {i}")
    g = graph("usedpools", rankdir="LR", nodesep=0.25, ranksep=0.6)
    rows: list[Field | Record | str] = [Field(f"usedpools at {a.usedpools:#x}")]
    shown: list[int] = []
    for i in sorted(set(classes)):
        for slot in range(2 * i - 2, 2 * i + 2):
            if slot not in shown:
                shown.append(slot)
    for slot in shown:
        if slot < 0:
            text = f"{slot * 8:+d} bytes: before the array (other statics)"
        else:
            cls, second = divmod(slot, 2)
            member = "prevpool" if second else "nextpool"
            text = (f"[{slot}] = {describe_pointer(a, view.slot(slot))}   "
                    f"({member} of class {cls})")
        rows.append(Field(text, f"s{slot}" if slot >= 0 else f"m{-slot}"))
    g.node("usedpools", label=Record(rows), **role("struct"))
    for i in sorted(set(classes)):
        head_port = f"s{2 * i - 2}" if i > 0 else "m2"
        pools = a.used_pools(i)
        if not pools:
            g.edge("usedpools", "usedpools", tailport=f"s{2 * i}", headport=head_port,
                   label=f"class {i}: empty, points to its own header", **edge_role("list"))
            continue
        names = [f"pool{pool.address:x}" for pool in pools]
        for pool, name in zip(pools, names, strict=True):
            g.node(name, label=f"pool {pool.address:#x}\nclass {i}: {pool.count} of "
                               f"{pool.numblocks} in use", **role("used"))
        g.edge("usedpools", names[0], tailport=f"s{2 * i}", label="nextpool",
               **edge_role("list"))
        g.edge("usedpools", names[-1], tailport=f"s{2 * i + 1}", label="prevpool",
               **edge_role("weak"))
        for left, right in itertools.pairwise(names):
            g.edge(left, right, label="nextpool", **edge_role("list"))
        g.edge(names[-1], "usedpools", headport=head_port,
               label=f"nextpool: back to the header (&usedpools[{2 * i}] - 16)",
               constraint=False, **edge_role("list"))
    return g.source()


# -- An arena's pool map --------------------------------------------------------------


def arena_dot(arena: ArenaObject) -> str:
    """Every pool of the arena in address order, eight to a row."""
    a = arena.allocator
    p = a.profile
    if arena.address == 0:
        g = graph(f"arenas[{arena.index}]")
        g.node("ao", label=f"arenas[{arena.index}]: no arena (on unused_arena_objects)",
               **role("idle"))
        return g.source()
    g = graph(f"arenas[{arena.index}]", rankdir="TB", nodesep=0.08, ranksep=0.08,
              labelloc="t",
              label=f"arenas[{arena.index}]: arena {arena.address:#x}, "
                    f"{arena.ntotalpools} pools, {arena.nfreepools} free or never used")
    start, total = a.mgmt.carve_geometry(arena.address)
    carved = {pool.address: pool for pool in arena.pools()}
    free = [pool.address for pool in arena.free_pools()]
    names = []
    for k in range(total):
        address = start + k * p.POOL_SIZE
        pool = carved.get(address)
        name = f"p{k}"
        if pool is None:
            label, kind = f"{k}\nnot carved", "virgin"
        elif pool.state == "free":
            label, kind = f"{k}\nfree", "free"
        else:
            label = f"{k}\n{pool.block_size} B: {pool.count}/{pool.numblocks}"
            kind = "used"
        g.node(name, label=label, width=1.0, height=0.42, fixedsize=True, fontsize=8,
               **role(kind))
        names.append(name)
    for k in range(0, total, ARENA_COLUMNS):
        g.same_rank(*names[k:k + ARENA_COLUMNS])
    for k in range(total - ARENA_COLUMNS):
        g.edge(names[k], names[k + ARENA_COLUMNS], style="invis")
    for k in range(1, total):
        if k % ARENA_COLUMNS:
            g.edge(names[k - 1], names[k], style="invis")
    index = {start + k * p.POOL_SIZE: names[k] for k in range(total)}
    for left, right in itertools.pairwise(free):
        g.edge(index[left], index[right], constraint=False, **edge_role("free"))
    return g.source()


# -- The arena_object vector and its lists -----------------------------------------------


def arena_lists_dot(allocator: Allocator) -> str:
    """`usable_arenas` (fullest first), full arenas, and `unused_arena_objects`."""
    from pyinternals.memory.obmalloc.arenas import SortedByFingers

    mgmt = allocator.mgmt
    g = graph("arenas", rankdir="LR", nodesep=0.2, ranksep=0.35, labelloc="t",
              label=f"arenas: {mgmt.maxarenas} arena_objects, "
                    f"{mgmt.narenas_currently_allocated} with an arena")
    g.node("usable", label="usable_arenas", **role("name"))
    g.node("unused", label="unused_arena_objects", **role("name"))

    def ao_node(ao: int, note: str, kind: str) -> str:
        index = mgmt.index_of(ao)
        name = f"arenas{index}"
        view = allocator.arena(index)
        if view.address:
            text = [f"arenas[{index}]", f"arena {view.address:#x}",
                    f"{view.nfreepools} of {view.ntotalpools} pools free"]
        else:
            text = [f"arenas[{index}]", "no arena"]
        g.node(name, label=Record([*(Field(t) for t in text), Field(note)]), **role(kind))
        return name

    previous = "usable"
    for ao in mgmt.walk(mgmt.usable_arenas):
        name = ao_node(ao, "usable", "free")
        g.edge(previous, name, label="nextarena" if previous != "usable" else None,
               **edge_role("list"))
        previous = name
    if previous == "usable":
        g.node("usable_null", label="NULL", **role("elided"))
        g.edge("usable", "usable_null", **edge_role("list"))
    for view in allocator.arenas():
        if view.state == "full":
            ao_node(view.ao, "full: on no list", "used")
    previous = "unused"
    unused = list(mgmt.walk(mgmt.unused_arena_objects))
    for ao in unused[:UNUSED_SHOWN]:
        name = ao_node(ao, "unused", "idle")
        g.edge(previous, name, label="nextarena" if previous != "unused" else None,
               **edge_role("list"))
        previous = name
    if len(unused) > UNUSED_SHOWN:
        g.node("unused_more", label=f"... {len(unused) - UNUSED_SHOWN} more", **role("elided"))
        g.edge(previous, "unused_more", **edge_role("list"))
    elif not unused:
        g.node("unused_null", label="NULL", **role("elided"))
        g.edge("unused", "unused_null", **edge_role("list"))
    if isinstance(mgmt, SortedByFingers):
        for nf, ao in enumerate(mgmt.nfp2lasta):
            if ao:
                finger = f"nfp2lasta{nf}"
                g.node(finger, label=f"nfp2lasta[{nf}]", **role("name"))
                g.edge(finger, f"arenas{mgmt.index_of(ao)}", **edge_role("request"))
    return g.source()
