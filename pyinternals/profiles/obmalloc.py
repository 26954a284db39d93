"""The small-object allocator's constants and design choices (`Objects/obmalloc.c`).

The tunables are the ones `obmalloc.c` defines at its top, all on a 64-bit build:

- `ALIGNMENT`: blocks are multiples of it, so requests fall into size classes
  `ALIGNMENT` bytes apart.  The notes' book used 8; in 2019 64-bit builds moved to
  16 to honour the x86-64 ABI (bpo-27987: 3.8, backported to 3.7.4 and 2.7.17),
  which halved the number of classes to 32.
- `SMALL_REQUEST_THRESHOLD`: requests of more bytes (and of none) go to the
  system's `malloc`.
- `POOL_SIZE`: one pool holds blocks of a single class.  4 KiB (a page) until 3.10,
  16 KiB since, when the radix tree made pools larger than a page safe.
- `ARENA_SIZE`: what obmalloc asks the system for at a time.  256 KiB, then 1 MiB.
- `POOL_OVERHEAD`: `sizeof(struct pool_header)` (48 bytes with 8-byte pointers)
  rounded up to `ALIGNMENT`: where the first block of a pool starts.

And three choices of algorithm, which changed between the eras:

- `address_check`: how `free` tells obmalloc's addresses from the system's: 2.x reads
  the pool header's `arenaindex` (`Py_ADDRESS_IN_RANGE`), 3.10+ looks the address up
  in a radix tree of arenas (`arena_map_is_used`).
- `usable_arenas_order`: how the list of arenas with free pools is kept sorted:
  by a linear search (2.x), or with the `nfp2lasta` "search fingers" (3.8+, bpo-37029).
- `keep_free_arena`: whether a wholly free arena that is last in `usable_arenas` is
  kept instead of being returned to the system (3.9+, bpo-37257).

And the debug allocator's layout (`PYMALLOC_DEBUG`; the model is
{py:class}`~pyinternals.memory.obmalloc.debug.DebugAllocator`):

- `CLEANBYTE`, `DEADBYTE`, `FORBIDDENBYTE`: the bytes written into fresh data,
  freed blocks and the pads around each block: 0xCB, 0xDB, 0xFB in 2.x and up to
  3.6; 0xCD, 0xDD, 0xFD since 3.8 (and late 3.7 releases), the values of the Windows
  C runtime's debug heap.
- `debug_api_ids`: the API identifiers the header's id byte may hold (`'r'` raw,
  `'m'` `PyMem_`, `'o'` `PyObject_`; PEP 445 in 3.4, and 2.7's `_PYMALLOC_MEM_ID`,
  `_PYMALLOC_OBJ_ID`); empty when the header has no id byte (the notes' 2.5).
- `debug_serialno`: whether a serial number word follows the trailing pad
  (`PYMEM_DEBUG_SERIALNO`, no longer defined by default since 3.8).
- `debug_hooks_at_runtime`: whether a release build can install the hooks
  (`PYTHONMALLOC=pymalloc_debug`, 3.6+); before that only a build with
  `PYMALLOC_DEBUG` (a `--with-pydebug` build) has them.
- `debug_free_function`: the function that `Py_FatalError` names when a check fails
  on free (3.x prefixes its messages with it; 2.x does not).

The `"book"` profile is the allocator the notes describe (a 2.x design with 8-byte
alignment and 64 classes), laid out as on a 64-bit build like the others.

```python
>>> from pyinternals import profiles
>>> p = profiles.obmalloc.get("3.12")
>>> p.NB_SMALL_SIZE_CLASSES, p.POOL_OVERHEAD, p.NUMBLOCKS(p.size_class(200))
(32, 48, 78)

```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pyinternals.profiles import resolve

#: `sizeof(void *)` on the builds the models lay out: pointers are 8 bytes.
POINTER_SIZE = 8
#: `sizeof(struct pool_header)` with 8-byte pointers: four pointer-sized members
#: (`ref` is a union padded to a pointer) and four `uint`s.
POOL_HEADER_SIZE = 4 * POINTER_SIZE + 4 * 4
#: `PY_SSIZE_T_MAX`: larger requests fail at once (`PyObject_Malloc` returns NULL).
PY_SSIZE_T_MAX = 2**63 - 1


@dataclass(frozen=True)
class ObmallocProfile:
    """The allocator of one CPython version, as built on 64-bit Linux."""

    #: The profile's name: `"book"`, `"2.7"`, `"3.11"`...
    name: str
    ALIGNMENT: int
    SMALL_REQUEST_THRESHOLD: int
    POOL_SIZE: int
    ARENA_SIZE: int
    address_check: Literal["arenaindex", "radix"]
    usable_arenas_order: Literal["search", "nfp2lasta"]
    keep_free_arena: bool
    #: Whether `sys._debugmallocstats()` exists (3.3+) to print the statistics.
    has_debugmallocstats: bool
    #: The page size the allocator assumes (`SYSTEM_PAGE_SIZE`).
    SYSTEM_PAGE_SIZE: int = 4096
    #: How many `arena_object`s the first `arenas` vector holds (doubled as needed).
    INITIAL_ARENA_OBJECTS: int = 16
    #: The debug allocator's byte patterns: fresh data, freed blocks, the pads.
    CLEANBYTE: int = 0xCD
    DEADBYTE: int = 0xDD
    FORBIDDENBYTE: int = 0xFD
    #: The API ids the debug header records (`""`: the header has no id byte).
    debug_api_ids: str = "rmo"
    #: Whether each debug block ends with a serial number (`PYMEM_DEBUG_SERIALNO`).
    debug_serialno: bool = False
    #: Whether a release build installs the debug hooks at run time (`PYTHONMALLOC`).
    debug_hooks_at_runtime: bool = True
    #: The function named by the fatal error a failed check on free raises ("": none).
    debug_free_function: str = "_PyMem_DebugRawFree"

    # -- Derived constants, with the names of obmalloc.c's macros ----------------

    @property
    def ALIGNMENT_SHIFT(self) -> int:
        """log2(`ALIGNMENT`)."""
        return self.ALIGNMENT.bit_length() - 1

    @property
    def NB_SMALL_SIZE_CLASSES(self) -> int:
        """How many size classes there are."""
        return self.SMALL_REQUEST_THRESHOLD // self.ALIGNMENT

    @property
    def POOL_OVERHEAD(self) -> int:
        """The pool header's size rounded up to `ALIGNMENT`: the first block's offset."""
        return -(-POOL_HEADER_SIZE // self.ALIGNMENT) * self.ALIGNMENT

    @property
    def MAX_POOLS_IN_ARENA(self) -> int:
        """Pools in an arena whose address happens to be pool-aligned."""
        return self.ARENA_SIZE // self.POOL_SIZE

    @property
    def ARENA_BITS(self) -> int:
        """log2(`ARENA_SIZE`): the radix tree ignores this many low address bits."""
        return self.ARENA_SIZE.bit_length() - 1

    @property
    def POOL_BITS(self) -> int:
        """log2(`POOL_SIZE`)."""
        return self.POOL_SIZE.bit_length() - 1

    def INDEX2SIZE(self, szidx: int) -> int:
        """The block size of class `szidx`."""
        return (szidx + 1) << self.ALIGNMENT_SHIFT

    def NUMBLOCKS(self, szidx: int) -> int:
        """How many blocks of class `szidx` fit in one pool after its header."""
        return (self.POOL_SIZE - self.POOL_OVERHEAD) // self.INDEX2SIZE(szidx)

    def size_class(self, nbytes: int) -> int:
        """The class index of a small request: `(nbytes - 1) >> ALIGNMENT_SHIFT`."""
        if not 0 < nbytes <= self.SMALL_REQUEST_THRESHOLD:
            raise ValueError(f"{nbytes} bytes is not a small request: obmalloc serves "
                             f"1 to {self.SMALL_REQUEST_THRESHOLD} bytes")
        return (nbytes - 1) >> self.ALIGNMENT_SHIFT

    @property
    def DEBUG_EXTRA_BYTES(self) -> int:
        """What the debug allocator adds to a request: 3 words, 4 with a serial number."""
        return (4 if self.debug_serialno else 3) * POINTER_SIZE

    def describe(self) -> str:
        """The constants in one line, as the chapter's tables print them."""
        return (f"{self.ALIGNMENT}-byte alignment, {self.NB_SMALL_SIZE_CLASSES} classes, "
                f"{self.POOL_SIZE // 1024} KiB pools, {self.ARENA_SIZE // 1024} KiB arenas")


#: The 2.x debug allocator (`Objects/obmalloc.c`, `PYMALLOC_DEBUG`): the 0xCB, 0xDB,
#: 0xFB patterns, a serial number in every block, only in a `--with-pydebug` build.
_TWO_DEBUG: dict[str, Any] = {"CLEANBYTE": 0xCB, "DEADBYTE": 0xDB, "FORBIDDENBYTE": 0xFB,
                              "debug_serialno": True, "debug_hooks_at_runtime": False,
                              "debug_free_function": ""}


def _two(name: str) -> ObmallocProfile:
    return ObmallocProfile(name, ALIGNMENT=16, SMALL_REQUEST_THRESHOLD=512,
                           POOL_SIZE=4 * 1024, ARENA_SIZE=256 * 1024,
                           address_check="arenaindex", usable_arenas_order="search",
                           keep_free_arena=False, has_debugmallocstats=False,
                           **_TWO_DEBUG, debug_api_ids="mo")


def _three(name: str) -> ObmallocProfile:
    return ObmallocProfile(name, ALIGNMENT=16, SMALL_REQUEST_THRESHOLD=512,
                           POOL_SIZE=16 * 1024, ARENA_SIZE=1024 * 1024,
                           address_check="radix", usable_arenas_order="nfp2lasta",
                           keep_free_arena=True, has_debugmallocstats=True)


PROFILES: dict[str, ObmallocProfile] = {
    "book": ObmallocProfile("book", ALIGNMENT=8, SMALL_REQUEST_THRESHOLD=512,
                            POOL_SIZE=4 * 1024, ARENA_SIZE=256 * 1024,
                            address_check="arenaindex", usable_arenas_order="search",
                            keep_free_arena=False, has_debugmallocstats=False,
                            # 2.5's header: the size, then a whole word of pad bytes.
                            **_TWO_DEBUG, debug_api_ids=""),
    "2.7": _two("2.7"),
    "3.11": _three("3.11"),
    "3.12": _three("3.12"),
    "3.13": _three("3.13"),
}


def get(name: str | None = None) -> ObmallocProfile:
    """The allocator profile of version `name` (default: the running interpreter's)."""
    return resolve(name, PROFILES, what="obmalloc")
