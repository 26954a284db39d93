"""Layer 0, part two: the C library's `malloc`, `free` and `realloc`.

obmalloc sits on top of the system allocator: requests it does not serve itself
(more than 512 bytes, or none) go to `malloc` through `PyMem_RawMalloc`, and so does
the `arenas` vector.  This model is glibc's allocator reduced to what a reader of
obmalloc sees of it:

- chunks are 16-byte aligned and carry a 16-byte header; the size field sits just
  below the address returned (`p - 8`), with the `PREV_INUSE` bit set, as in glibc's
  `struct malloc_chunk`;
- small chunks are carved from the `[heap]`, which `brk` grows 128 KiB at a time;
  freed chunks wait in exact-size bins and are reused last-freed-first (like glibc's
  tcache and fastbins);
- requests of 128 KiB and more get their own `mmap` (`M_MMAP_THRESHOLD`), and `free`
  unmaps them at once.

Departures: freed heap chunks are never coalesced or trimmed, and `realloc` grows a
heap chunk by moving it.  None of that is visible to obmalloc.

```python
>>> from pyinternals.memory.obmalloc.space import AddressSpace
>>> libc = SystemAllocator(AddressSpace())
>>> p = libc.malloc(513)
>>> hex(p), libc.usable_size(p)
('0x555555600010', 520)
>>> libc.free(p)
>>> libc.malloc(520) == p          # same chunk size: reused from its bin
True

```
"""

from __future__ import annotations

from pyinternals.memory.obmalloc.space import (
    PAGE_SIZE,
    AddressSpace,
    InvalidFree,
    _round_up,
)

#: `sizeof(size_t)`.
SIZE_SZ = 8
#: `MALLOC_ALIGNMENT`: every address `malloc` returns is a multiple of it.
MALLOC_ALIGNMENT = 16
#: The smallest chunk (`MINSIZE`).
MINSIZE = 32
#: Requests of this many bytes or more get their own mapping (`M_MMAP_THRESHOLD`).
MMAP_THRESHOLD = 128 * 1024
#: How much more than needed `brk` asks for (`M_TOP_PAD`).
TOP_PAD = 128 * 1024
#: Size-field flag bits: the previous chunk is in use; the chunk was `mmap`ped.
PREV_INUSE, IS_MMAPPED = 1, 2
#: From the chunk's start to the address handed out: `prev_size` and `size`.
CHUNK_HEADER = 2 * SIZE_SZ


def request2size(nbytes: int) -> int:
    """The chunk size that serves a request of `nbytes` (glibc's `request2size`)."""
    return max(MINSIZE, (nbytes + SIZE_SZ + MALLOC_ALIGNMENT - 1) & ~(MALLOC_ALIGNMENT - 1))


class SystemAllocator:
    """`malloc`, `free` and `realloc` of the C library, in one address space."""

    def __init__(self, space: AddressSpace) -> None:
        self.space = space
        self._chunks: dict[int, int] = {}      # heap chunk: address -> chunk size
        self._mmapped: dict[int, int] = {}     # mmapped chunk: address -> mapping length
        self._bins: dict[int, list[int]] = {}  # chunk size -> free chunks (LIFO)
        self._top = 0                          # where the unused heap starts
        self._heap_end = 0

    # -- The three calls -----------------------------------------------------------

    def malloc(self, nbytes: int) -> int:
        """A block of at least `nbytes` bytes, or 0 (NULL) when memory runs out."""
        csize = request2size(nbytes)
        if csize >= MMAP_THRESHOLD:
            return self._mmap_chunk(nbytes)
        free_chunks = self._bins.get(csize)
        if free_chunks:
            p = free_chunks.pop()
        else:
            if self._top + csize > self._heap_end and not self._sbrk(csize):
                return 0
            p = self._top + CHUNK_HEADER
            self._top += csize
        self._chunks[p] = csize
        self._set_size_field(p, csize | PREV_INUSE)
        return p

    def free(self, p: int) -> None:
        """Give a block back; `free(NULL)` does nothing."""
        if p == 0:
            return
        csize = self._chunks.pop(p, None)
        if csize is not None:
            self._bins.setdefault(csize, []).append(p)
            return
        length = self._mmapped.pop(p, None)
        if length is None:
            raise InvalidFree(p, f"free(): invalid pointer {p:#x}: it is not the start of "
                                 "a chunk malloc handed out (or it was freed already)")
        self.space.munmap(p - CHUNK_HEADER, length)

    def realloc(self, p: int, nbytes: int) -> int:
        """Resize a block: in place when its chunk is big enough, else by moving it.

        `realloc(NULL, n)` is `malloc(n)`; `realloc(p, 0)` frees `p` and returns NULL,
        as glibc does.  On failure the old block is left as it was.
        """
        if p == 0:
            return self.malloc(nbytes)
        if not self.owns(p):
            raise InvalidFree(p, f"realloc(): invalid pointer {p:#x}: it is not the start "
                                 "of a chunk malloc handed out (or it was freed already)")
        if nbytes == 0:
            self.free(p)
            return 0
        if p in self._chunks and request2size(nbytes) <= self._chunks[p]:
            return p
        q = self.malloc(nbytes)
        if q:
            self.space.copy(q, p, min(self.usable_size(p), nbytes))
            self.free(p)
        return q

    # -- Questions about chunks -------------------------------------------------------

    def owns(self, p: int) -> bool:
        """Whether `p` is a block this allocator handed out and that is not free."""
        return p in self._chunks or p in self._mmapped

    def usable_size(self, p: int) -> int:
        """How many bytes the block at `p` may use (`malloc_usable_size`)."""
        if p in self._chunks:
            return self._chunks[p] - SIZE_SZ
        if p in self._mmapped:
            return self._mmapped[p] - CHUNK_HEADER
        raise InvalidFree(p, f"malloc_usable_size(): {p:#x} is not a live malloc chunk")

    def chunk_containing(self, address: int) -> int | None:
        """The live block whose bytes include `address`, if any (slow: for messages)."""
        for p in (*self._chunks, *self._mmapped):
            if p <= address < p + self.usable_size(p):
                return p
        return None

    def live_blocks(self) -> int:
        """How many blocks are allocated."""
        return len(self._chunks) + len(self._mmapped)

    # -- Getting memory from the kernel ----------------------------------------------

    def _sbrk(self, csize: int) -> bool:
        old = self.space.brk(csize + TOP_PAD)
        if old == 0:
            return False
        if self._heap_end == 0:
            self._top = old
        self._heap_end = old + _round_up(csize + TOP_PAD, PAGE_SIZE)
        return True

    def _mmap_chunk(self, nbytes: int) -> int:
        length = _round_up(nbytes + CHUNK_HEADER, PAGE_SIZE)
        base = self.space.mmap(length, "malloc")
        if base == 0:
            return 0
        p = base + CHUNK_HEADER
        self._mmapped[p] = length
        self._set_size_field(p, length | IS_MMAPPED)
        return p

    def _set_size_field(self, p: int, value: int) -> None:
        self.space.poke_word(p - SIZE_SZ, value)
