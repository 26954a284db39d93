"""The C structures obmalloc keeps in memory, laid out as on a 64-bit build.

```c
struct pool_header {                    /* offset */
    union { block *_padding;
            uint count; } ref;          /*  0  blocks allocated        */
    block *freeblock;                   /*  8  head of the free list   */
    struct pool_header *nextpool;       /* 16  next pool of this class */
    struct pool_header *prevpool;       /* 24  previous pool           */
    uint arenaindex;                    /* 32  index into arenas       */
    uint szidx;                         /* 36  size class index        */
    uint nextoffset;                    /* 40  bytes to virgin block   */
    uint maxnextoffset;                 /* 44  largest valid nextoffset */
};                                      /* 48 bytes */

struct arena_object {
    uintptr_t address;                  /*  0  the arena (0: none)     */
    block* pool_address;                /*  8  next pool to carve off  */
    uint nfreepools;                    /* 16  free + never-carved     */
    uint ntotalpools;                   /* 20                          */
    struct pool_header* freepools;      /* 24  singly-linked           */
    struct arena_object* nextarena;     /* 32                          */
    struct arena_object* prevarena;     /* 40                          */
};                                      /* 48 bytes */
```

The `usedpools` trick depends on `nextpool` and `prevpool` following exactly two
pointer-sized members: a pool header's `nextpool` is 16 bytes past its start.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- struct pool_header ------------------------------------------------------------
REF = 0
FREEBLOCK = 8
NEXTPOOL = 16
PREVPOOL = 24
ARENAINDEX = 32
SZIDX = 36
NEXTOFFSET = 40
MAXNEXTOFFSET = 44
SIZEOF_POOL_HEADER = 48

#: `szidx` of a pool carved off an arena and not yet given a class.
DUMMY_SIZE_IDX = 0xFFFF

# -- struct arena_object -------------------------------------------------------------
AO_ADDRESS = 0
AO_POOL_ADDRESS = 8
AO_NFREEPOOLS = 16
AO_NTOTALPOOLS = 20
AO_FREEPOOLS = 24
AO_NEXTARENA = 32
AO_PREVARENA = 40
SIZEOF_ARENA_OBJECT = 48


@dataclass(frozen=True)
class CField:
    """One member of a C struct: its name, offset, size and C type."""

    name: str
    offset: int
    size: int
    ctype: str


POOL_HEADER: tuple[CField, ...] = (
    CField("ref.count", REF, 8, "uint (padded to a pointer)"),
    CField("freeblock", FREEBLOCK, 8, "block *"),
    CField("nextpool", NEXTPOOL, 8, "poolp"),
    CField("prevpool", PREVPOOL, 8, "poolp"),
    CField("arenaindex", ARENAINDEX, 4, "uint"),
    CField("szidx", SZIDX, 4, "uint"),
    CField("nextoffset", NEXTOFFSET, 4, "uint"),
    CField("maxnextoffset", MAXNEXTOFFSET, 4, "uint"),
)

ARENA_OBJECT: tuple[CField, ...] = (
    CField("address", AO_ADDRESS, 8, "uintptr_t"),
    CField("pool_address", AO_POOL_ADDRESS, 8, "block *"),
    CField("nfreepools", AO_NFREEPOOLS, 4, "uint"),
    CField("ntotalpools", AO_NTOTALPOOLS, 4, "uint"),
    CField("freepools", AO_FREEPOOLS, 8, "poolp"),
    CField("nextarena", AO_NEXTARENA, 8, "struct arena_object *"),
    CField("prevarena", AO_PREVARENA, 8, "struct arena_object *"),
)
