"""Bytecode cache files: the magic number, the header, where the file goes.

- 2.x (`Python/import.c`): `MAGIC` followed by a 4-byte source mtime, 8 bytes in all;
  `foo.pyc` sits beside `foo.py`.
- 3.x (`Lib/importlib/_bootstrap_external.py`, PEP 3147 and PEP 552): magic, a 4-byte
  flags word, then either mtime and source size or an 8-byte source hash: 16 bytes;
  the file is `__pycache__/foo.<cache_tag>.pyc`.

The fields below the first four describe the header word by word, for
{py:mod}`pyinternals.importing.pyc`, which reads and writes both layouts.
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
    #: A 4-byte flags word follows the magic (PEP 552): bit 0 says "hash-based",
    #: bit 1 "check the source".
    flags_word: bool = False
    #: The source's size (mod 2**32) follows its mtime (3.3+, bpo-13645).
    source_size: bool = False

    @property
    def magic_number(self) -> int:
        """The magic as the integer the C sources and importlib's comments use."""
        return int.from_bytes(self.magic[:2], "little")

    @property
    def hash_based(self) -> bool:
        """Whether this version can write hash-based `.pyc` files (PEP 552, 3.7+)."""
        return self.flags_word

    def header_fields(self) -> tuple[str, ...]:
        """The 4-byte words of the header, in order, for timestamp-based files."""
        words = ["magic"]
        if self.flags_word:
            words.append("flags")
        words.append("mtime")
        if self.source_size:
            words.append("source_size")
        return tuple(words)


PROFILES: dict[str, PycProfile] = {
    "2.7": PycProfile(bytes.fromhex("03f30d0a"), 8, "beside", None),
    "3.11": PycProfile(bytes.fromhex("a70d0d0a"), 16, "__pycache__", "cpython-311",
                       flags_word=True, source_size=True),
    "3.12": PycProfile(bytes.fromhex("cb0d0d0a"), 16, "__pycache__", "cpython-312",
                       flags_word=True, source_size=True),
    "3.13": PycProfile(bytes.fromhex("f30d0d0a"), 16, "__pycache__", "cpython-313",
                       flags_word=True, source_size=True),
}


def get(name: str | None = None) -> PycProfile:
    """The `.pyc` profile of version `name` (default: the running interpreter's)."""
    return resolve(name, PROFILES, what=".pyc")
