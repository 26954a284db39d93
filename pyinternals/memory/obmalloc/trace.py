"""The allocator's trace: what each `malloc`, `free` and `realloc` did.

With tracing on (`Allocator(trace=True)`, or `allocator.trace = True`), every call
appends an {py:class}`Event` to `allocator.log`.  An event names the steps the
call went through, in the order C takes them:

| step | meaning |
|---|---|
| `freeblock` | took (malloc) or pushed (free) the head of the pool's free list |
| `virgin` | the free list ran out, so the next never-used block was added to it |
| `full` | that was the pool's last block: the pool left `usedpools` |
| `new arena` | no arena had a free pool: a new one was mapped |
| `new pool` / `cached pool` | a pool carved off the arena / taken from its `freepools` |
| `init` / `same class` | the pool was set up for the class / still was |
| `was full: front of usedpools` | a free into a full pool put it back, at the front |
| `empty: to freepools` | the pool's last block came back: the arena takes the pool |
| `arena usable again`, `arena moved right` | `usable_arenas` kept sorted |
| `arena freed` / `last free arena kept` | an empty arena went back to the system, or not |
| `system` | the system's `malloc`/`free`/`realloc` handled it |
| `in place` / `moved` | what `realloc` did |
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """One call to the allocator, and the path it took."""

    #: `"malloc"`, `"free"` or `"realloc"`.
    op: str
    #: The size asked for (`None` for `free`).
    nbytes: int | None
    #: The block returned (malloc) or passed in (free, realloc).
    address: int
    #: The steps taken, in order.
    steps: tuple[str, ...]
    #: The block's size class, when a pool was involved.
    szidx: int | None = None
    #: The pool, when one was involved.
    pool: int | None = None
    #: What `realloc` returned.
    result: int | None = None

    def __str__(self) -> str:
        if self.op == "malloc":
            call = f"malloc({self.nbytes})"
            head = f"{call:<13} -> {_addr(self.address)}"
        elif self.op == "free":
            head = f"free({_addr(self.address)})"
        else:
            call = f"realloc({_addr(self.address)}, {self.nbytes})"
            head = f"{call} -> {_addr(self.result or 0)}"
        where = ""
        if self.pool is not None:
            where = f"  class {self.szidx} in pool {_addr(self.pool)}"
        return f"{head}{where}: {', '.join(self.steps)}"


def _addr(address: int) -> str:
    return f"{address:#x}" if address else "NULL"


class TraceLog(list[Event]):
    """The events logged so far; printing it gives one line per call."""

    def __str__(self) -> str:
        return "\n".join(str(event) for event in self)

    def paths(self) -> list[tuple[str, ...]]:
        """Just the steps of each call."""
        return [event.steps for event in self]
