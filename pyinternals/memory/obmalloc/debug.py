"""The debug allocator: `PYMALLOC_DEBUG` and the debug hooks of `Objects/obmalloc.c`.

The notes say that obmalloc comes in two builds, chosen when CPython is compiled:
the ordinary one, and one with `PYMALLOC_DEBUG` defined, which wraps every block.
Since 3.6 a release build can switch the wrapping on at start-up as well
(`PYTHONMALLOC=pymalloc_debug`, or `debug`; PEP 445's hooks).  The wrapper asks the
allocator underneath for a few words more than the caller wanted and lays them out
around the caller's bytes (S is `sizeof(size_t)`, 8 here):

| bytes at | what | written as |
|---|---|---|
| `p-2S` | the size requested | big-endian, "easier to read in a memory dump" |
| `p-S` | the API id: `'r'`, `'m'` or `'o'` | one byte (none in 2.5: pad instead) |
| `p-S+1` | `S-1` pad bytes | `FORBIDDENBYTE` |
| `p` | the caller's `n` bytes | `CLEANBYTE`, so that uninitialised reads stand out |
| `p+n` | `S` pad bytes | `FORBIDDENBYTE` |
| `p+n+S` | a serial number (2.x; 3.x only with `PYMEM_DEBUG_SERIALNO`) | big-endian |

Freeing checks the id, then the pads before and after the block
(`_PyMem_DebugCheckAddress`); if one is wrong it prints what it finds
(`_PyObject_DebugDumpAddress`) and aborts (`Py_FatalError`).  If all is well, it
fills the whole block, header and trailer too, with `DEADBYTE` and frees it.  The
byte values and which fields exist are the profile's
({py:mod}`pyinternals.profiles.obmalloc`).  The chapter {doc}`/memory/allocator`
shows a block and a caught overflow.

```python
>>> d = DebugAllocator("3.12")
>>> p = d.malloc(10)
>>> d.space.read(p - 16, 16).hex(" ")       # size 10, API 'o', 7 pad bytes
'00 00 00 00 00 00 00 0a 6f fd fd fd fd fd fd fd'
>>> d.space.read(p, 10 + 8).hex(" ")        # 10 clean bytes, 8 pad bytes
'cd cd cd cd cd cd cd cd cd cd fd fd fd fd fd fd fd fd'
>>> d.allocator.pool(p).block_size         # pymalloc was asked for 10 + 24 bytes
48

```

Where the model departs from C: a failed check raises
{py:class}`DebugMemoryError` (its text is what C prints to `stderr` before it
aborts) and changes nothing; where C's dump would read unmapped memory and crash,
the dump says so instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyinternals.diagrams import Drawable
from pyinternals.memory.obmalloc.allocator import Allocator, _as_size
from pyinternals.memory.obmalloc.space import InvalidFree, SegmentationFault
from pyinternals.profiles.obmalloc import PY_SSIZE_T_MAX, ObmallocProfile

#: `SST`, `sizeof(size_t)`.
SST = 8

#: The entry points of each API id (PEP 445's domains): allocate, free.
API_FUNCTIONS = {
    "r": ("PyMem_RawMalloc", "PyMem_RawFree"),
    "m": ("PyMem_Malloc", "PyMem_Free"),
    "o": ("PyObject_Malloc", "PyObject_Free"),
}


class DebugMemoryError(InvalidFree):
    """What the debug allocator found wrong with a block: C aborts, the model raises.

    `str()` is the line `Py_FatalError` prints; `dump` is what
    `_PyObject_DebugDumpAddress` printed before it, and `report` both, as
    they appear on `stderr`.
    """

    def __init__(self, address: int, problem: str, fatal: str, dump: str) -> None:
        super().__init__(address, fatal)
        #: The check that failed: `"bad trailing pad byte"`, `"bad ID: ..."`.
        self.problem = problem
        #: The dump of the block, line by line.
        self.dump = dump
        #: The dump and the fatal error line, as on C's `stderr`.
        self.report = f"{dump}\n{fatal}"


def read_size_t(data: bytes) -> int:
    """`read_size_t`: a big-endian `size_t`."""
    return int.from_bytes(data, "big")


def write_size_t(n: int) -> bytes:
    """`write_size_t`: `n` as a big-endian `size_t`."""
    return n.to_bytes(SST, "big")


def _char(byte: int) -> str:
    """A byte as C's `%c` shows it, or as `\\xNN` when it is not printable."""
    return chr(byte) if 0x20 <= byte < 0x7F else f"\\x{byte:02x}"


def _hex(data: bytes) -> str:
    return " ".join(f"{b:02x}" for b in data)


class DebugAllocator(Drawable):
    """The debug hooks around an {py:class}`~pyinternals.memory.obmalloc.allocator.Allocator`.

    `profile` names the version (default: the running interpreter's); or pass the
    `allocator` to wrap (it keeps its own address space, which this shares).  Every
    call names an API id (`api`, default `"o"`, `PyObject_`): what is allocated
    with one API must be freed with the same.  `"m"` and `"o"` blocks come from
    pymalloc, `"r"` blocks (3.x) from the C library's `malloc`.  With `trace=True`
    each call adds a line to `log`.
    """

    def __init__(self, profile: str | None = None, *, allocator: Allocator | None = None,
                 limit: int | None = None, trace: bool = False) -> None:
        if allocator is None:
            allocator = Allocator(profile, limit=limit)
        elif profile is not None and profile != allocator.profile.name:
            raise ValueError(f"the allocator given is a {allocator.profile.name} allocator, "
                             f"not {profile}: pass one or the other")
        #: The allocator underneath (`api->alloc` in C).
        self.allocator = allocator
        self.profile: ObmallocProfile = allocator.profile
        self.space = allocator.space
        #: `serialno`: debug mallocs so far (2.x stores it in each block).
        self.serialno = 0
        #: One line per call while `trace` is on.
        self.log: list[str] = []
        #: Whether calls are being logged.
        self.trace = trace
        self._live: dict[int, tuple[int, str]] = {}    # data address -> (nbytes, api)
        p = self.profile
        self._lead = SST - 1 if p.debug_api_ids else SST   # leading pad bytes

    def __repr__(self) -> str:
        return f"<DebugAllocator {self.profile.name}: {len(self._live)} blocks live>"

    # -- Allocating: _PyMem_DebugRawAlloc ----------------------------------------------

    def malloc(self, nbytes: int, api: str = "o") -> int:
        """`PyObject_Malloc(nbytes)` (or `PyMem_Malloc`, `PyMem_RawMalloc` by `api`)
        through the debug hooks: the address of the caller's bytes, or 0 (NULL)."""
        if type(nbytes) is not int:
            nbytes = _as_size("malloc", nbytes)
        self._check_api(api)
        if nbytes < 0:
            raise ValueError(f"malloc() size must be >= 0, not {nbytes} (size_t is unsigned)")
        p = self.profile
        if nbytes > PY_SSIZE_T_MAX - p.DEBUG_EXTRA_BYTES:
            return 0                     # "integer overflow: can't represent total"
        total = nbytes + p.DEBUG_EXTRA_BYTES
        q = self._underlying_malloc(api, total)
        if q == 0:
            return 0
        self.serialno += 1               # bumpserialno()
        data = q + 2 * SST
        self.space.write(q, self._header(nbytes, api))
        if nbytes:
            self.space.write(data, bytes([p.CLEANBYTE]) * nbytes)
        self.space.write(data + nbytes, self._trailer(self.serialno))
        self._live[data] = (nbytes, api)
        if self.trace:
            self.log.append(
                f"{API_FUNCTIONS[api][0]}({nbytes}) -> {data:#x}: {self._below(api)} "
                f"block {q:#x} of {total} bytes; size, pads written, {nbytes} clean bytes")
        return data

    def _header(self, nbytes: int, api: str) -> bytes:
        """The two words before the data: size, API id (if any), leading pad."""
        pad = bytes([self.profile.FORBIDDENBYTE])
        ident = api.encode() if self.profile.debug_api_ids else b""
        return write_size_t(nbytes) + ident + pad * self._lead

    def _trailer(self, serial: int) -> bytes:
        """The words after the data: trailing pad, then the serial number (2.x)."""
        pad = bytes([self.profile.FORBIDDENBYTE]) * SST
        return pad + write_size_t(serial) if self.profile.debug_serialno else pad

    def _check_api(self, api: Any) -> None:
        ids = self.profile.debug_api_ids or "mo"
        if not isinstance(api, str) or api not in ids:
            raise ValueError(f"api must be one of {', '.join(repr(i) for i in ids)} in the "
                             f"{self.profile.name} profile, not {api!r}")

    def _below(self, api: str) -> str:
        return "malloc" if api == "r" and "r" in self.profile.debug_api_ids else "pymalloc"

    def _underlying_malloc(self, api: str, total: int) -> int:
        if self._below(api) == "malloc":
            return self.allocator.libc.malloc(total)       # PyMem_RawMalloc: malloc()
        return self.allocator.malloc(total)

    # -- Freeing: _PyMem_DebugRawFree ----------------------------------------------------

    def free(self, p: int, api: str = "o") -> None:
        """`PyObject_Free(p)` (or `PyMem_Free`, `PyMem_RawFree`) through the debug hooks.

        Checks the block first ({py:meth}`check_address`); then fills it, header and
        trailer included, with `DEADBYTE` and gives it to the allocator underneath.
        """
        if type(p) is int and p == 0:
            return                                   # free(NULL) has no effect
        self._check_api(api)
        self.check_address(p, api)
        q = p - 2 * SST
        nbytes = read_size_t(self.space.read(q, SST))
        live = self._live.get(p)
        if live is None or live[0] != nbytes:
            # Every check passed, yet the allocator below never handed out q: the
            # bytes around p only look like a debug block.  C would free q anyway.
            raise InvalidFree(p, f"{API_FUNCTIONS[api][1]}({p:#x}): the debug header and "
                                 f"pads look intact, but {q:#x} is not a block the debug "
                                 "allocator handed out")
        total = nbytes + self.profile.DEBUG_EXTRA_BYTES
        self.space.write(q, bytes([self.profile.DEADBYTE]) * total)
        if self._below(api) == "malloc":
            self.allocator.libc.free(q)
        else:
            self.allocator.free(q)
        del self._live[p]
        if self.trace:
            self.log.append(f"{API_FUNCTIONS[api][1]}({p:#x}): id and pads intact; "
                            f"{total} bytes dead; {self._below(api)} free({q:#x})")

    # -- Checking: _PyMem_DebugCheckAddress and _PyObject_DebugDumpAddress ----------------

    def check_address(self, p: int, api: str = "o") -> None:
        """`_PyMem_DebugCheckAddress`: the id, then the leading pad, then the trailing pad.

        Raises {py:class}`DebugMemoryError` at the first that is wrong (C calls
        `Py_FatalError`).  The leading pad is checked before the size is trusted: "if
        there's underwrite corruption, the number-of-bytes field may be nuts".
        """
        if not isinstance(p, int) or isinstance(p, bool):
            raise TypeError(f"free() takes an address (an int), not {type(p).__name__}")
        self._check_api(api)
        prof = self.profile
        head = self.space.read(p - 2 * SST, 2 * SST)   # SegmentationFault if unmapped
        if prof.debug_api_ids and head[SST] != ord(api):
            self._fatal(p, f"bad ID: Allocated using API '{_char(head[SST])}', "
                           f"verified using API '{api}'")
        if any(b != prof.FORBIDDENBYTE for b in head[2 * SST - self._lead:]):
            self._fatal(p, "bad leading pad byte")
        nbytes = read_size_t(head[:SST])
        tail = self._read_or_none(p + nbytes, SST)
        if tail is None or any(b != prof.FORBIDDENBYTE for b in tail):
            self._fatal(p, "bad trailing pad byte")

    def _fatal(self, p: int, problem: str) -> None:
        func = self.profile.debug_free_function
        fatal = f"Fatal Python error: {func + ': ' if func else ''}{problem}"
        raise DebugMemoryError(p, problem, fatal, self.dump_address(p))

    def _read_or_none(self, address: int, size: int) -> bytes | None:
        if not 0 <= address < 2**64 - size:
            return None
        try:
            return self.space.read(address, size)
        except SegmentationFault:
            return None

    def dump_address(self, p: int) -> str:
        """`_PyObject_DebugDumpAddress(p)`: what C prints about the block at `p`."""
        prof = self.profile
        head = self.space.read(p - 2 * SST, 2 * SST)
        api = f" API '{_char(head[SST])}'" if prof.debug_api_ids else ""
        nbytes = read_size_t(head[:SST])
        lines = [f"Debug memory block at address p={p:#x}:{api}",
                 f"    {nbytes} bytes originally requested"]
        lead = head[2 * SST - self._lead:]
        pad = f"0x{prof.FORBIDDENBYTE:02x}"
        lines.append(f"    The {self._lead} pad bytes at p-{self._lead} are "
                     + ("FORBIDDENBYTE, as expected." if all(b == prof.FORBIDDENBYTE
                                                             for b in lead)
                        else f"not all FORBIDDENBYTE ({pad}):"))
        if any(b != prof.FORBIDDENBYTE for b in lead):
            for i in range(self._lead, 0, -1):
                byte = lead[self._lead - i]
                ouch = " *** OUCH" if byte != prof.FORBIDDENBYTE else ""
                lines.append(f"        at p-{i}: 0x{byte:02x}{ouch}")
            lines.append("    Because memory is corrupted at the start, the count of "
                         "bytes requested")
            lines.append("       may be bogus, and checking the trailing pad bytes may "
                         "segfault.")
        tail = p + nbytes
        trailing = self._read_or_none(tail, SST)
        if trailing is None:
            # C reads on and crashes (SIGSEGV); the model stops and says so.
            lines.append(f"    The {SST} pad bytes at tail={tail:#x} cannot be read: the "
                         "address is not mapped (C crashes here)")
            return "\n".join(lines)
        ok = all(b == prof.FORBIDDENBYTE for b in trailing)
        lines.append(f"    The {SST} pad bytes at tail={tail:#x} are "
                     + ("FORBIDDENBYTE, as expected." if ok
                        else f"not all FORBIDDENBYTE ({pad}):"))
        if not ok:
            for i, byte in enumerate(trailing):
                ouch = " *** OUCH" if byte != prof.FORBIDDENBYTE else ""
                lines.append(f"        at tail+{i}: 0x{byte:02x}{ouch}")
        if prof.debug_serialno:
            serial = self._read_or_none(tail + SST, SST)
            if serial is not None:
                lines.append(f"    The block was made by call #{read_size_t(serial)} to "
                             "debug malloc/realloc.")
        if nbytes > 0:
            data = self.space.read(p, min(nbytes, 16))
            shown = _hex(data[:8])
            if nbytes > 8:
                end = self.space.read(tail - min(nbytes - 8, 8), min(nbytes - 8, 8))
                shown += (" ... " if nbytes > 16 else " ") + _hex(end)
            lines.append(f"    Data at p: {shown}")
        return "\n".join(lines)

    # -- Looking inside -------------------------------------------------------------------

    def live_blocks(self) -> dict[int, int]:
        """Data address -> bytes requested, for every debug block not yet freed."""
        return {p: n for p, (n, _) in self._live.items()}

    def block(self, p: int, nbytes: int | None = None) -> DebugBlock:
        """The debug block whose data starts at `p`, as a readable, drawable view.

        `nbytes` is the size to assume, for a block whose size field is gone (a freed
        one: the allocator below threads its free list through that word).
        """
        if nbytes is None:
            nbytes = read_size_t(self.space.read(p - 2 * SST, SST))
        return DebugBlock(self, p, nbytes)

    def hexdump(self, p: int, nbytes: int | None = None) -> str:
        """The bytes of the block at `p`, field by field (see {py:meth}`block`)."""
        return self.block(p, nbytes).hexdump()

    def to_dot(self) -> str:
        """The allocator underneath: its arenas and lists."""
        return self.allocator.to_dot()


@dataclass(frozen=True)
class Region:
    """One field of a debug block: where it starts (relative to `p`) and its bytes."""

    name: str
    offset: int
    data: bytes
    #: The byte the field should be made of, for pads (`None`: any).
    expected: int | None = None

    @property
    def clobbered(self) -> bool:
        """Whether a pad holds a byte other than `FORBIDDENBYTE`."""
        return self.expected is not None and any(b != self.expected for b in self.data)


class DebugBlock(Drawable):
    """A debug block's fields, read from memory: header, data, trailer."""

    def __init__(self, debug: DebugAllocator, p: int, nbytes: int) -> None:
        self.debug = debug
        #: The address handed to the caller, and the size requested.
        self.p, self.nbytes = p, nbytes
        prof = debug.profile
        read = debug.space.read
        lead = debug._lead
        regions = [Region("size", -2 * SST, read(p - 2 * SST, SST))]
        if prof.debug_api_ids:
            regions.append(Region("api id", -SST, read(p - SST, 1)))
        regions.append(Region("leading pad", -lead, read(p - lead, lead), prof.FORBIDDENBYTE))
        regions.append(Region("data", 0, read(p, nbytes)))
        regions.append(Region("trailing pad", nbytes, read(p + nbytes, SST),
                              prof.FORBIDDENBYTE))
        if prof.debug_serialno:
            regions.append(Region("serial", nbytes + SST, read(p + nbytes + SST, SST)))
        #: The fields in address order.
        self.regions = regions

    def _describe(self, r: Region) -> str:
        prof = self.debug.profile
        if r.name == "size":
            return f"size: {read_size_t(r.data)} (big-endian)"
        if r.name == "api id":
            return f"api id: '{_char(r.data[0])}'"
        if r.name == "serial":
            return f"serial: {read_size_t(r.data)}"
        if r.name == "data":
            names = {prof.CLEANBYTE: "CLEANBYTE", prof.DEADBYTE: "DEADBYTE"}
            same = len(set(r.data)) == 1 and r.data[0] in names
            return f"data: {len(r.data)} bytes" + (f", {names[r.data[0]]}" if same else "")
        return f"{r.name}: " + ("clobbered" if r.clobbered else "FORBIDDENBYTE")

    def hexdump(self) -> str:
        """One line per field: offset from `p`, bytes (long data elided), meaning."""
        lines = []
        for r in self.regions:
            shown = _hex(r.data) if len(r.data) <= 8 else \
                f"{_hex(r.data[:4])} .. {_hex(r.data[-4:])}"
            lines.append(f"p{r.offset:+4d}  {shown:<26}  {self._describe(r)}")
        return "\n".join(lines)

    def to_dot(self) -> str:
        """The fields left to right; `p` and the allocator's block point into them."""
        from pyinternals.diagrams.dot import Field, Record
        from pyinternals.diagrams.style import edge_role, graph, role

        g = graph(f"debug block {self.p:#x}", rankdir="TB", nodesep=0.1, ranksep=0.3)
        fields: list[Field | Record | str] = []
        for i, r in enumerate(self.regions):
            shown = _hex(r.data) if len(r.data) <= 4 else \
                f"{_hex(r.data[:2])} .. {_hex(r.data[-2:])}"
            text = self._describe(r).replace(": ", "\n", 1)
            fields.append(Record([Field(f"p{r.offset:+d}", f"f{i}"), Field(text),
                                  Field(shown)]))
        bad = any(r.clobbered for r in self.regions)
        g.node("block", label=Record(fields), **role("clobbered" if bad else "struct"))
        g.node("q", label="pymalloc's block", **role("name"))
        g.node("p", label="p (returned)", **role("name"))
        data = next(i for i, r in enumerate(self.regions) if r.name == "data")
        g.edge("q", "block", headport="f0", **edge_role("ref"))
        g.edge("p", "block", headport=f"f{data}", **edge_role("ref"))
        return g.source()
