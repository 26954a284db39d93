"""Bytecode cache files: the magic number, the header, where the file goes.

- 2.x (`Python/import.c`): `MAGIC` followed by a 4-byte source mtime, 8 bytes in all;
  `foo.pyc` sits beside `foo.py`.
- 3.x (`Lib/importlib/_bootstrap_external.py`, PEP 3147 and PEP 552): magic, a 4-byte
  flags word, then either mtime and source size or an 8-byte source hash: 16 bytes;
  the file is `__pycache__/foo.<cache_tag>.pyc`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pyinternals.profiles import resolve


@dataclass(frozen=True)
class PycProfile:
    """How one CPython version writes `.pyc` files."""

    #: The four magic bytes; the last two are always `\r\n`.
    magic: bytes
    #: Bytes before the marshalled code object.
    header_size: int
    #: `"beside"` the source (2.x) or in `"__pycache__"` (3.2+).
    location: Literal["beside", "__pycache__"]
    #: `sys.implementation.cache_tag`, part of the file name in `__pycache__`.
    cache_tag: str | None


PROFILES: dict[str, PycProfile] = {
    "2.7": PycProfile(bytes.fromhex("03f30d0a"), 8, "beside", None),
    "3.11": PycProfile(bytes.fromhex("a70d0d0a"), 16, "__pycache__", "cpython-311"),
    "3.12": PycProfile(bytes.fromhex("cb0d0d0a"), 16, "__pycache__", "cpython-312"),
    "3.13": PycProfile(bytes.fromhex("f30d0d0a"), 16, "__pycache__", "cpython-313"),
}


def get(name: str | None = None) -> PycProfile:
    """The `.pyc` profile of version `name` (default: the running interpreter's)."""
    return resolve(name, PROFILES, what=".pyc")
