"""The cyclic garbage collector's tunables and design (`Modules/gcmodule.c`, `Python/gc.c`).

- `thresholds`: `gc.get_threshold()` of a fresh interpreter.  Generation 0 is
  collected when its count (container allocations minus deallocations) exceeds the
  first; each older generation when the number of collections of the one below
  exceeds its own.  3.13 raised the first threshold from 700 to 2000.
- `legacy_finalizers`: before PEP 442 (3.4) a cycle holding an object with `__del__`
  was never freed; the collector put it in `gc.garbage` instead.  In 2.x `__del__`
  fills the type's `tp_del` slot (a *legacy* finalizer); since 3.4 it fills
  `tp_finalize`, which the collector may call, once, before it breaks a cycle.
- `collect_on`: where an automatic collection runs once generation 0's count is
  over its threshold.  Up to 3.11 it runs inside the allocation
  (`_PyObject_GC_Malloc`, `_PyObject_GC_Link`), before the new object is tracked;
  from 3.12 the allocation only schedules it (`_Py_ScheduleGC`) and the eval loop
  runs it at its next check of the *eval breaker*, once the new object is tracked.
- `long_lived_ratio`: a full collection is skipped, even when generation 2's count
  is over its threshold, while `long_lived_pending < long_lived_total / 4`: fewer
  objects have reached generation 2 since the last full collection than a quarter
  of those that survived it (issue #4074, in 2.7 and 3.1 onwards).
- `dealloc_order`: what an instance's deallocator does first when its reference
  count drops to zero: clear its weak references (and call their callbacks), or
  call `__del__`.  2.7's `subtype_dealloc` clears the weak references first; 3.x
  calls the finalizer first.
- `gc_refs_field`: where the collector keeps `gc_refs` during a collection.  2.x
  has a field `gc_refs` in `PyGC_Head`, which also holds the states `GC_UNTRACKED`,
  `GC_REACHABLE` and `GC_TENTATIVELY_UNREACHABLE`; since 3.8 the count lives in the
  upper bits of `_gc_prev`, beside the flags `PREV_MASK_COLLECTING` and
  `_PyGC_PREV_MASK_FINALIZED`, and `NEXT_MASK_UNREACHABLE` is a bit of `_gc_next`.
- `phases`: the steps of one collection, by the names of the C functions that do
  them, in order (`collect()` in 2.7, `gc_collect_main()` in 3.x).
- `clear_unreachable_weakrefs`: whether the collector clears weak reference objects
  that are themselves garbage before it breaks cycles (bpo-38006, 3.9+).
- `freelists`: how many freed objects of a type its free list keeps for reuse.  An
  object taken from a free list is not a new allocation for the collector, and one
  put back is not a deallocation; every free list is emptied by a full collection.
- `callbacks`: whether `gc.callbacks` exists (3.3+).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pyinternals.profiles import resolve

#: The steps of `collect()` in 2.7 (`Modules/gcmodule.c`), by their C names.
PHASES_27: tuple[str, ...] = (
    "update_refs", "subtract_refs", "move_unreachable", "untrack_tuples",
    "promote", "move_finalizers", "move_finalizer_reachable", "handle_weakrefs",
    "delete_garbage", "handle_finalizers",
)

#: The steps of `gc_collect_main()` in 3.11-3.13, by their C names.
PHASES_3: tuple[str, ...] = (
    "update_refs", "subtract_refs", "move_unreachable", "untrack_tuples",
    "promote", "move_legacy_finalizers", "move_legacy_finalizer_reachable",
    "handle_weakrefs", "finalize_garbage", "handle_resurrected_objects",
    "delete_garbage", "handle_legacy_finalizers",
)

#: Free-list capacities (`PyDict_MAXFREELIST`, `PyList_MAXFREELIST`,
#: `PyTuple_MAXFREELIST` per tuple size from 1 to 19): the same in every version here.
FREELISTS: tuple[tuple[str, int], ...] = (("dict", 80), ("list", 80), ("tuple", 2000))


@dataclass(frozen=True)
class GCProfile:
    """The garbage collector's defaults and design in one CPython version."""

    thresholds: tuple[int, int, int]
    legacy_finalizers: bool
    collect_on: Literal["allocation", "eval_breaker"] = "allocation"
    long_lived_ratio: int = 4
    dealloc_order: tuple[str, str] = ("finalizer", "weakrefs")
    gc_refs_field: Literal["gc_refs", "_gc_prev"] = "_gc_prev"
    phases: tuple[str, ...] = PHASES_3
    clear_unreachable_weakrefs: bool = True
    freelists: tuple[tuple[str, int], ...] = FREELISTS
    callbacks: bool = True

    @property
    def del_slot(self) -> str:
        """The type slot `__del__` fills: `tp_del` (2.x) or `tp_finalize` (PEP 442)."""
        return "tp_del" if self.legacy_finalizers else "tp_finalize"


PROFILES: dict[str, GCProfile] = {
    "2.7": GCProfile(
        (700, 10, 10), legacy_finalizers=True, dealloc_order=("weakrefs", "finalizer"),
        gc_refs_field="gc_refs", phases=PHASES_27, clear_unreachable_weakrefs=False,
        callbacks=False,
    ),
    "3.11": GCProfile((700, 10, 10), legacy_finalizers=False),
    "3.12": GCProfile((700, 10, 10), legacy_finalizers=False, collect_on="eval_breaker"),
    "3.13": GCProfile((2000, 10, 10), legacy_finalizers=False, collect_on="eval_breaker"),
}


def get(name: str | None = None) -> GCProfile:
    """The gc profile of version `name` (default: the running interpreter's)."""
    return resolve(name, PROFILES, what="gc")
