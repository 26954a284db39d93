"""The cyclic garbage collector's tunables (`Modules/gcmodule.c`, `Python/gc.c`).

- `thresholds`: `gc.get_threshold()` of a fresh interpreter.  Generation 0 is
  collected when its count (container allocations minus deallocations) exceeds the
  first; each older generation when the number of collections of the one below
  exceeds its own.  3.13 raised the first threshold from 700 to 2000.
- `legacy_finalizers`: before PEP 442 (3.4) a cycle holding an object with `__del__`
  was never freed; the collector put it in `gc.garbage` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyinternals.profiles import resolve


@dataclass(frozen=True)
class GCProfile:
    """The garbage collector's defaults in one CPython version."""

    thresholds: tuple[int, int, int]
    legacy_finalizers: bool


PROFILES: dict[str, GCProfile] = {
    "2.7": GCProfile((700, 10, 10), legacy_finalizers=True),
    "3.11": GCProfile((700, 10, 10), legacy_finalizers=False),
    "3.12": GCProfile((700, 10, 10), legacy_finalizers=False),
    "3.13": GCProfile((2000, 10, 10), legacy_finalizers=False),
}


def get(name: str | None = None) -> GCProfile:
    """The gc profile of version `name` (default: the running interpreter's)."""
    return resolve(name, PROFILES, what="gc")
