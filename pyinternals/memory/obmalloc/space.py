"""Layer 0, part one: a simulated 64-bit address space (`mmap`, `munmap`, `brk`).

Everything obmalloc builds lives in bytes: pool headers, the free lists threaded
through free blocks, the `usedpools` table, the `arena_object` vector.  This module
provides those bytes.  Addresses are plain integers; memory comes in *mappings* of
whole 4 KiB pages, as the kernel hands it out:

- `[bss]`: a fixed mapping standing for the interpreter's static data, where
  obmalloc's globals such as `usedpools` live;
- `[heap]`: the region `brk` grows, from which the C library's `malloc` carves
  small chunks ({py:mod}`~pyinternals.memory.obmalloc.libc`);
- anonymous mappings made by {py:meth}`AddressSpace.mmap`, for arenas and for large
  `malloc` requests, placed first-fit upwards from `MMAP_BASE`.

Memory is kept as a page table: `AddressSpace.frames` maps the address of
a page to its *frame*, a list of the page's 512 64-bit little-endian words, the
word at byte offset `8 * i` at index `i`.  A CPU finds a word the same way: the
page table (through the TLB) gives the page's frame, the low bits of the address
the word in it.  The allocator reads and writes words all the time, and this is
the cheapest way to do it in Python: a pool starts a page, so one lookup gives
the frame whose first words are its header, and the fields are list items from
then on.  Bytes are packed and unpacked from the words on demand.  As with a real
kernel, memory costs nothing until it is written: a page gets its frame, zero-filled,
on its first write, and a mapped word that was never written reads as zero
({py:meth}`AddressSpace.resident_pages` counts the pages written to).  Reading or
writing outside every mapping raises {py:class}`SegmentationFault` instead of
crashing, and an optional limit on the mapped bytes makes `mmap` and `brk` fail as
they do when the system runs out of address space.

```python
>>> space = AddressSpace()
>>> arena = space.mmap(256 * 1024)
>>> hex(arena)
'0x7f00003c1000'
>>> space.write_word(arena + 8, 0xDEADBEEF)
>>> hex(space.read_word(arena + 8)), space.read(arena + 8, 4).hex()
('0xdeadbeef', 'efbeadde')
>>> try:
...     space.read_word(0x10)
... except SegmentationFault as exc:
...     print(exc)
read of 8 bytes at 0x10: the address is not mapped

```

Departures from a real system: there is one address space per model, pages are
never swapped, and protections are not modelled (every mapping is read-write).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Literal

PAGE_SIZE = 4096
PAGE_SHIFT = 12
#: `address & PAGE_MASK` is the page holding `address`: Linux's `PAGE_MASK`,
#: `~(PAGE_SIZE - 1)`, as the unsigned 64-bit number C computes.
PAGE_MASK = 2**64 - PAGE_SIZE
#: `address & PAGE_OFFSET_MASK` is where `address` lies in its page.  The word at
#: an 8-aligned `address` is `frames[address & PAGE_MASK][(address & PAGE_OFFSET_MASK) >> 3]`.
PAGE_OFFSET_MASK = PAGE_SIZE - 1
#: Words in a page (and in a frame).
PAGE_WORDS = PAGE_SIZE // 8
_WORD_MASK = 2**64 - 1

#: Where the static data (`[bss]`) of the interpreter is placed.
BSS_BASE = 0x5555_5555_8000
#: Where `brk` starts the heap (glibc's `main_arena`).
HEAP_BASE = 0x5555_5560_0000
#: Where `mmap` starts handing out addresses, downwards as Linux does.  Not
#: 16 KiB-aligned, like most addresses a real `mmap` returns, so a 3.x arena
#: loses a pool to alignment.
MMAP_TOP = 0x7F00_0040_1000
#: The lowest address `mmap` may use (the heap grows up to it).
MMAP_BASE = 0x7000_0000_0000

Kind = Literal["bss", "heap", "mmap"]


class SegmentationFault(Exception):
    """An access to an address outside every mapping: in C, SIGSEGV."""

    def __init__(self, what: str, address: int, size: int) -> None:
        super().__init__(f"{what} of {size} bytes at {address:#x}: the address is not mapped")
        self.address = address


class InvalidFree(ValueError):
    """`free` or `realloc` of an address the allocator did not hand out, or no longer owns.

    In C this is undefined behaviour (the debug allocators abort with a message);
    the models raise instead, and leave their state as it was.
    """

    def __init__(self, address: int, message: str) -> None:
        super().__init__(message)
        self.address = address


@dataclass(frozen=True)
class Mapping:
    """A run of mapped pages: `[start, end)`."""

    start: int
    end: int
    kind: Kind
    #: What the mapping is for, in drawings and tables (`arena`, `malloc`...).
    name: str = ""

    @property
    def length(self) -> int:
        """The mapping's size in bytes."""
        return self.end - self.start

    def __contains__(self, address: object) -> bool:
        return isinstance(address, int) and self.start <= address < self.end


class AddressSpace:
    """The memory of one simulated process (64-bit, little-endian, 4 KiB pages).

    The fast paths of the allocator use `frames` directly: the 8-byte word at an
    8-aligned `address` is `frames[address & PAGE_MASK][(address & PAGE_OFFSET_MASK) >> 3]`.
    A `uint` is half a word: the low half at offset 0 of the word, the high half
    at offset 4 (little-endian).
    """

    def __init__(self, limit: int | None = None) -> None:
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise ValueError(f"the address-space limit is a number of bytes >= 0, "
                             f"not {limit!r}")
        #: The most bytes that may be mapped at once (None: no limit).
        self.limit = limit
        #: The page table: page address -> the page's frame, its 512 unsigned
        #: 64-bit words.  A page never written has no frame and reads as zero.  The
        #: allocator's fast paths index it directly: they only read pages that they
        #: (or `mmap`) wrote.
        self.frames: dict[int, list[int]] = {}
        self._starts: list[int] = []          # sorted mapping starts
        self._mappings: dict[int, Mapping] = {}
        self._heap: Mapping | None = None
        #: Bytes currently mapped.
        self.mapped = 0

    # -- Mappings ------------------------------------------------------------------

    def mappings(self) -> list[Mapping]:
        """Every mapping, by address."""
        return [self._mappings[s] for s in self._starts]

    def mapping_at(self, address: int) -> Mapping | None:
        """The mapping holding `address`, if any."""
        i = bisect.bisect_right(self._starts, address) - 1
        if i >= 0:
            m = self._mappings[self._starts[i]]
            if address < m.end:
                return m
        return None

    def _fits(self, length: int) -> bool:
        return self.limit is None or self.mapped + length <= self.limit

    def _add(self, mapping: Mapping) -> None:
        bisect.insort(self._starts, mapping.start)
        self._mappings[mapping.start] = mapping
        self.mapped += mapping.length

    def _remove(self, mapping: Mapping) -> None:
        self._starts.remove(mapping.start)
        del self._mappings[mapping.start]
        self.mapped -= mapping.length
        for page in range(mapping.start, mapping.end, PAGE_SIZE):
            self.frames.pop(page, None)

    def map_fixed(self, start: int, length: int, kind: Kind, name: str = "") -> Mapping:
        """Map `[start, start + length)` (page-aligned), as a loader maps a binary."""
        if start & PAGE_OFFSET_MASK or length <= 0:
            raise ValueError(f"a fixed mapping needs a page-aligned start and a positive "
                             f"length, not {start:#x}+{length}")
        length = _round_up(length, PAGE_SIZE)
        if any(self.mapping_at(a) for a in (start, start + length - 1)):
            raise ValueError(f"{start:#x}+{length:#x} overlaps an existing mapping")
        if not self._fits(length):
            raise MemoryError(f"mapping {length} bytes exceeds the address-space limit")
        mapping = Mapping(start, start + length, kind, name)
        self._add(mapping)
        return mapping

    def mmap(self, length: int, name: str = "") -> int:
        """An anonymous, zero-filled read-write mapping; 0 when it cannot be made.

        `mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)`:
        C gets `MAP_FAILED` on failure; the model returns 0, as obmalloc's
        `_PyObject_ArenaMmap` does.  Placed as Linux places it: in the highest gap
        below `MMAP_TOP` that fits, so that new mappings go below older ones.
        """
        if not isinstance(length, int) or length <= 0:
            raise ValueError(f"mmap() length must be a positive int, not {length!r}")
        length = _round_up(length, PAGE_SIZE)
        if not self._fits(length):
            return 0
        end = MMAP_TOP
        for s in reversed(self._starts):
            mapping = self._mappings[s]
            if mapping.kind != "mmap" or mapping.start >= MMAP_TOP:
                continue
            if mapping.end <= end - length:
                break
            end = min(end, mapping.start)
        if end - length < MMAP_BASE:
            return 0
        self._add(Mapping(end - length, end, "mmap", name))
        return end - length

    def munmap(self, address: int, length: int) -> None:
        """Remove a mapping made by {py:meth}`mmap` (whole mappings only)."""
        mapping = self._mappings.get(address)
        if mapping is None or mapping.kind != "mmap" or \
                mapping.length != _round_up(length, PAGE_SIZE):
            raise ValueError(f"munmap({address:#x}, {length}): no anonymous mapping of "
                             "that size starts there")
        self._remove(mapping)

    def brk(self, increment: int) -> int:
        """Grow the heap by `increment` bytes (page-rounded); the old break, or 0.

        `sbrk(increment)`: the heap is one mapping that grows upwards from
        `HEAP_BASE`.  Returns 0 when the limit forbids it (C: `(void *) -1`).
        """
        increment = _round_up(increment, PAGE_SIZE)
        if not self._fits(increment):
            return 0
        heap = self._heap
        if heap is None:
            heap = Mapping(HEAP_BASE, HEAP_BASE + increment, "heap", "[heap]")
            self._add(heap)
            self._heap = heap
            return HEAP_BASE
        grown = Mapping(heap.start, heap.end + increment, "heap", heap.name)
        if self.mapping_at(heap.end) or (heap.end + increment > MMAP_BASE):
            return 0
        self._mappings[heap.start] = grown
        self.mapped += increment
        self._heap = grown
        return heap.end

    # -- Pages ----------------------------------------------------------------------

    def resident_pages(self) -> int:
        """How many pages have been written to (and so would use physical memory)."""
        return len(self.frames)

    def frame(self, page: int) -> list[int]:
        """The frame of the page at `page` (page-aligned), made on first use.

        The kernel's answer to the first write to a page (a page fault): a frame of
        zeros.
        """
        frame = self.frames.get(page)
        if frame is None:
            frame = self.frames[page] = [0] * PAGE_WORDS
        return frame

    def is_mapped(self, address: int) -> bool:
        """Whether `address` lies in a mapping."""
        return self.mapping_at(address) is not None

    def _check(self, what: str, address: int, size: int) -> None:
        if not isinstance(address, int) or isinstance(address, bool):
            raise TypeError(f"an address is an int, not {type(address).__name__}")
        if address < 0 or size < 0:
            raise SegmentationFault(what, address, size)
        end = address + max(size, 1)
        a = address
        while a < end:
            m = self.mapping_at(a)
            if m is None:
                raise SegmentationFault(what, address, size)
            a = m.end

    # -- Reading and writing --------------------------------------------------------

    def read(self, address: int, size: int) -> bytes:
        """`size` bytes from `address` (they may span pages and mappings)."""
        self._check("read", address, size)
        first, last = address & ~7, (address + size + 7) & ~7
        peek = self.peek_word
        raw = b"".join(peek(a).to_bytes(8, "little") for a in range(first, last, 8))
        start = address & 7
        return raw[start:start + size]

    def write(self, address: int, data: bytes) -> None:
        """Copy `data` to `address`."""
        self._check("write", address, len(data))
        if not data:
            return
        first, last = address & ~7, (address + len(data) + 7) & ~7
        peek = self.peek_word
        raw = bytearray(b"".join(peek(a).to_bytes(8, "little")
                                 for a in range(first, last, 8)))
        start = address & 7
        raw[start:start + len(data)] = data
        for k, a in enumerate(range(first, last, 8)):
            self.poke_word(a, int.from_bytes(raw[8 * k:8 * k + 8], "little"))

    def copy(self, dest: int, src: int, size: int) -> None:
        """`memcpy(dest, src, size)`."""
        if size:
            self.write(dest, self.read(src, size))

    def read_word(self, address: int) -> int:
        """The unsigned 64-bit word (a pointer, a `size_t`) at `address`."""
        if address & 7:
            return int.from_bytes(self.read(address, 8), "little")
        self._check("read", address, 8)
        return self.peek_word(address)

    def peek_word(self, address: int) -> int:
        """The word at a mapped, 8-aligned `address`, without checks."""
        frame = self.frames.get(address & PAGE_MASK)
        return 0 if frame is None else frame[(address & PAGE_OFFSET_MASK) >> 3]

    def poke_word(self, address: int, value: int) -> None:
        """Store the unsigned 64-bit `value` at a mapped, 8-aligned `address`, without checks."""
        self.frame(address & PAGE_MASK)[(address & PAGE_OFFSET_MASK) >> 3] = value

    def peek_uint(self, address: int) -> int:
        """The `uint` at a mapped, 4-aligned `address`, without checks."""
        frame = self.frames.get(address & PAGE_MASK)
        word = 0 if frame is None else frame[(address & PAGE_OFFSET_MASK) >> 3]
        return word >> 32 if address & 4 else word & 0xFFFFFFFF

    def poke_uint(self, address: int, value: int) -> None:
        """Store a `uint` at a mapped, 4-aligned `address`, without checks."""
        word = self.peek_word(address & ~7)
        self.poke_word(address & ~7, set_uint(word, address & 4, value))

    def write_word(self, address: int, value: int) -> None:
        """Store a 64-bit word at `address`."""
        if address & 7:
            self.write(address, value.to_bytes(8, "little"))
            return
        self._check("write", address, 8)
        self.poke_word(address, value & _WORD_MASK)

    def read_uint(self, address: int) -> int:
        """The 32-bit `uint` at `address`."""
        if address & 3:
            return int.from_bytes(self.read(address, 4), "little")
        self._check("read", address, 4)
        return self.peek_uint(address)

    def write_uint(self, address: int, value: int) -> None:
        """Store a 32-bit `uint` at `address`."""
        if address & 3:
            self.write(address, value.to_bytes(4, "little"))
            return
        self._check("write", address, 4)
        self.poke_uint(address, value)


def set_uint(word: int, half: int, value: int) -> int:
    """`word` with its low (`half` 0) or high (`half` 4) 32 bits replaced by `value`."""
    value &= 0xFFFFFFFF
    if half:
        return (word & 0xFFFFFFFF) | (value << 32)
    return (word & ~0xFFFFFFFF) | value


def _round_up(n: int, to: int) -> int:
    return (n + to - 1) & ~(to - 1)
