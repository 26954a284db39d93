"""Bytecode cache files: reading a `.pyc` header, and checking the model's files.

A `.pyc` is a header, then the module's code object as `marshal` writes it.  The
header says which interpreter wrote the file (the magic number: 2 bytes that change
with every bytecode change, then `\\r\\n`) and how to tell whether the file is still
good for its source:

- 2.x: magic, then the source's mtime: 8 bytes.
- 3.x (PEP 552): magic, a flags word, then either the source's mtime and size
  (flags 0, *timestamp-based*), or an 8-byte hash of the source (flags 1,
  *unchecked hash*: never compared, the file is trusted; flags 3, *checked hash*:
  compared with a hash of the source at import time).

{py:class}`PycHeader` reads either layout (and draws it);
{py:func}`compare_with_cpython` has the running CPython and a model import system
run the same `pyc` probe, and compares the files they write.  See {doc}`/importing`.
"""

from __future__ import annotations

import functools
import io
import shutil
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyinternals import profiles
from pyinternals.diagrams import Drawable
from pyinternals.diagrams.dot import Field, Record
from pyinternals.diagrams.style import graph, role
from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.probing import run_probe

PROBE = Path(__file__).parent / "probes" / "pyc.py"
REREAD = Path(__file__).parent / "probes" / "pyc_reread.py"


class PycError(ValueError):
    """The bytes are not a `.pyc` header of the version asked for."""


@dataclass(frozen=True)
class PycHeader:
    """The header of a `.pyc` file, word by word."""

    #: The version family whose layout was used to read it.
    family: str
    magic: bytes
    #: PEP 552 flags (3.7+): 0 timestamp, 1 unchecked hash, 3 checked hash.
    flags: int | None
    mtime: int | None
    source_size: int | None
    source_hash: bytes | None

    @classmethod
    def parse(cls, data: bytes, family: str | None = None) -> PycHeader:
        """Read the header at the start of `data`, with the layout of `family`
        (default: the running interpreter's)."""
        name = profiles.running() if family is None else family
        pyc = profiles.pyc.get(name)
        if len(data) < pyc.header_size:
            raise PycError(f"a {name} .pyc header is {pyc.header_size} bytes; got only "
                           f"{len(data)}")
        magic = bytes(data[:4])
        if not pyc.flags_word:
            return cls(name, magic, None, int.from_bytes(data[4:8], "little"), None, None)
        flags = int.from_bytes(data[4:8], "little")
        if flags & ~0b11:
            raise PycError(f"invalid flags {flags} in a {name} .pyc header")
        if flags & 0b1:
            return cls(name, magic, flags, None, None, bytes(data[8:16]))
        return cls(name, magic, flags, int.from_bytes(data[8:12], "little"),
                   int.from_bytes(data[12:16], "little"), None)

    @property
    def kind(self) -> str:
        """`timestamp`, `checked hash` or `unchecked hash`."""
        if self.flags is None or self.flags == 0:
            return "timestamp"
        return "checked hash" if self.flags & 0b10 else "unchecked hash"

    @property
    def magic_number(self) -> int:
        """The magic as an integer (3495 for 3.11)."""
        return int.from_bytes(self.magic[:2], "little")

    def writer(self) -> str | None:
        """The version whose magic number this is, if a profile knows it."""
        for name in profiles.KNOWN:
            if profiles.pyc.get(name).magic == self.magic:
                return name
        return None

    def describe(self) -> str:
        """The header in one line."""
        who = self.writer()
        parts = [f"magic {self.magic.hex()} ({self.magic_number}"
                 + (f", CPython {who})" if who else ")")]
        if self.flags is not None:
            parts.append(f"flags {self.flags} ({self.kind})")
        if self.source_hash is not None:
            parts.append(f"source hash {self.source_hash.hex()}")
        else:
            parts.append(f"mtime {self.mtime}")
            if self.source_size is not None:
                parts.append(f"source size {self.source_size}")
        return ", ".join(parts)

    def to_dot(self) -> str:
        """The header as a row of 4-byte words."""
        g = graph("pyc_header", rankdir="LR")
        fields: list[Field | Record | str] = [Field(f"magic\n{self.magic.hex()}", "magic")]
        if self.flags is not None:
            fields.append(Field(f"flags\n{self.flags} ({self.kind})", "flags"))
        if self.source_hash is not None:
            fields.append(Field(f"source hash\n{self.source_hash.hex()}", "hash"))
        else:
            fields.append(Field(f"mtime\n{self.mtime}", "mtime"))
            if self.source_size is not None:
                fields.append(Field(f"size\n{self.source_size}", "size"))
        fields.append(Field("marshalled\ncode object ...", "code"))
        g.node("header", label=Record([Record(fields)]), **role("struct"))
        return g.source()


class _Drawn(PycHeader, Drawable):
    """A header that draws itself in Jupyter (`PycHeader` is the data)."""


def header(data: bytes, family: str | None = None) -> PycHeader:
    """{py:meth}`PycHeader.parse`, as an object that also renders as SVG."""
    parsed = PycHeader.parse(data, family)
    return _Drawn(**{f: getattr(parsed, f) for f in PycHeader.__dataclass_fields__})


# -- Checking the model's files against CPython's ---------------------------------


@functools.cache
def compare_with_cpython(interpreter: Interpreter) -> dict[str, Any]:
    """Run the `pyc` probe in `interpreter` (the running one) and, unchanged, in a
    fresh model import system; then let the model import a module whose `.pyc`
    CPython wrote.

    Returns `{"real": ..., "model": ..., "reads_cpython": ..., "cpython_rereads":
    ...}`: each mode of the first two maps to the value the import saw and the
    `.pyc`'s bytes; the last two say whether the model, and CPython in a new
    process, used the cache CPython wrote.
    """
    from pyinternals.importing.system import ImportSystem

    if not interpreter.running:
        raise ValueError("the model compiles with the running interpreter: compare its "
                         f"bytecode with that interpreter's, not {interpreter.describe()}")
    root = Path(tempfile.mkdtemp()).resolve()
    work = root / "work"  # both run here: the code objects hold their file's path
    try:
        work.mkdir()
        real = run_probe(interpreter, PROBE, str(work))
        work.rename(root / "real")
        work.mkdir()
        stdlib = sysconfig.get_path("stdlib")
        imp = ImportSystem([stdlib, str(Path(stdlib) / "lib-dynload")],
                           sys_values={"dont_write_bytecode": False,
                                       "argv": [str(PROBE), str(work)],
                                       "stdout": io.StringIO()})
        imp.execute(PROBE.read_text(encoding="utf-8"), filename=str(PROBE))
        import json

        model = json.loads(imp.sys.stdout.getvalue())
        # A module whose cache CPython wrote, imported by a second model.
        reader = ImportSystem([str(root / "real" / "timestamp")])
        with reader.trace:
            value = reader.import_module("probe_timestamp").VALUE
        states = [str(e.details["state"]) for e in reader.trace.events
                  if e.kind == "bytecode" and e.name == "probe_timestamp"]
        # And CPython itself, importing it again in a new process.
        again = run_probe(interpreter, REREAD, str(root / "real" / "timestamp"),
                          "probe_timestamp", flags=("-E", "-s", "-v"))
        return {"real": real, "model": model,
                "reads_cpython": {"value": value, "used_cache": states == ["hit"]},
                "cpython_rereads": again}
    finally:
        shutil.rmtree(root, ignore_errors=True)
