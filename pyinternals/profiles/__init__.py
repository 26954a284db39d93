"""What differs between CPython versions, as data.

A *profile* is the set of facts a model needs about one CPython version: the .pyc
magic number, the garbage collector's thresholds, how the GIL is handed over, the
allocator's constants.  The algorithms in the chapters read a profile instead of
testing version numbers, so that "2.x then, 3.x now" is a difference in data.

Each mechanism keeps its facts in its own module (`pyc`, `gc`, `gil`, `build`, ...),
one frozen dataclass per version, keyed by the version's *family* (`"2.7"`,
`"3.11"`, ...).  Some mechanisms add a `"book"` profile: the values the notes (and
the book "Python源码剖析" they read) describe, which were never one real build.

```python
>>> from pyinternals import profiles
>>> profiles.family((3, 12, 1))
'3.12'
>>> profiles.pyc.get("2.7").header_size
8

```
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TypeVar

#: The CPython versions whose behaviour the models know, oldest first.
KNOWN: tuple[str, ...] = ("2.7", "3.11", "3.12", "3.13")

T = TypeVar("T")


class UnknownProfile(ValueError):
    """Raised for a profile name no model knows; the message lists the known ones."""


def family(version: tuple[int, ...]) -> str:
    """The profile key of a version tuple: `(3, 11, 7)` gives `"3.11"`."""
    return f"{version[0]}.{version[1]}"


def running() -> str:
    """The profile key of the interpreter running this code."""
    return family(tuple(sys.version_info[:2]))


def resolve(name: str | None, table: Mapping[str, T], *, what: str) -> T:
    """Look up `name` in one mechanism's `table`; `None` means the running version.

    The error for an unknown name says which names exist, in the reader's terms.
    """
    key = running() if name is None else name
    if not isinstance(key, str):
        raise TypeError(f"a {what} profile name is a string such as '3.11', not {key!r}")
    try:
        return table[key]
    except KeyError:
        known = ", ".join(repr(k) for k in table)
        origin = " (the running interpreter's version)" if name is None else ""
        raise UnknownProfile(
            f"no {what} profile for {key!r}{origin}; the known ones are {known}"
        ) from None


# The sections, one per line; each defines `get(name)` on top of `resolve`.
from pyinternals.profiles import (  # noqa: E402
    build,
    freelists,
    gc,
    gil,
    importing,
    obmalloc,
    pyc,
    runtime,
)

__all__ = [
    "KNOWN", "UnknownProfile", "build", "family", "freelists", "gc",
    "gil", "importing", "obmalloc", "pyc",
    "resolve", "running", "runtime",
]
