"""Who held the GIL when, and why they let go: the timeline of a simulation.

A {py:class}`Slice` is one period during which one thread held the GIL and executed
opcodes: its thread, when it started and ended (on the simulation's clock: opcodes
on the virtual clock, seconds on the wall clock), how many opcodes ran, and why it
ended:

- `"ticks"`: the 2.x ticker ran out (the thread may well have taken the GIL straight
  back: that is a new slice of the same thread);
- `"drop request"`: in 3.x, a thread that had waited a whole switch interval asked;
- `"blocking"`: the thread made a blocking call (`sleep`, I/O, waiting for a lock);
- `"exit"`: the thread's function returned.

Holds during which no opcode ran (the main thread, whose code is not modelled) are
not slices.  {py:class}`ThreadStats` sums a thread's slices and its waits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from pyinternals.diagrams import Drawable
from pyinternals.diagrams.style import graph, role
from pyinternals.threads.clock import Clock, VirtualClock
from pyinternals.threads.gil import Reason


@dataclass(frozen=True)
class Slice:
    """One thread's hold of the GIL."""

    thread: int
    start: float
    end: float
    reason: Reason
    opcodes: int

    @property
    def duration(self) -> float:
        """`end - start`, in the clock's units."""
        return self.end - self.start


@dataclass
class ThreadStats:
    """What one model thread did, summed over the run."""

    thread: int
    name: str
    #: Opcodes executed.
    opcodes: int = 0
    #: Slices, and the time they add up to.
    slices: int = 0
    held: float = 0
    #: Times it had to wait in `take_gil`, the total and the longest of those waits.
    waits: int = 0
    waited: float = 0
    longest_wait: float = 0
    #: 3.x: drop requests it made (`SET_GIL_DROP_REQUEST`).
    drop_requests: int = 0
    #: Blocking calls it made (each one releases the GIL).
    blocking_calls: int = 0
    #: How its slices ended, by reason.
    endings: dict[str, int] = field(default_factory=dict)


class Timeline(Drawable):
    """The slices of a run, in time order; draws itself as a chart."""

    def __init__(self, clock: Clock, names: dict[int, str] | None = None) -> None:
        self.clock = clock
        self.slices: list[Slice] = []
        #: Thread idents to names, for labels.
        self.names: dict[int, str] = {} if names is None else names

    def __iter__(self) -> Iterator[Slice]:
        return iter(self.slices)

    def __len__(self) -> int:
        return len(self.slices)

    def __getitem__(self, index: int) -> Slice:
        return self.slices[index]

    def __repr__(self) -> str:
        return f"<Timeline: {len(self.slices)} slices>"

    def of(self, thread: int) -> list[Slice]:
        """The slices of one thread."""
        return [s for s in self.slices if s.thread == thread]

    def _time(self, t: float) -> str:
        if isinstance(self.clock, VirtualClock):
            return f"{t:g}"
        return f"{t * 1e6:.1f}µs"

    def format(self, first: int | None = None) -> str:
        """The slices as a table (the `first` ones only, if given)."""
        unit = "opcodes" if isinstance(self.clock, VirtualClock) else "wall clock"
        rows = self.slices if first is None else self.slices[:first]
        lines = [f"{'thread':<14} {'start':>9} {'end':>9} {'opcodes':>8}  ended by   ({unit})"]
        for s in rows:
            who = f"{s.thread} {self.names.get(s.thread, '')}".rstrip()
            lines.append(f"{who:<14} {self._time(s.start):>9} {self._time(s.end):>9} "
                         f"{s.opcodes:>8}  {s.reason}")
        if first is not None and len(self.slices) > first:
            lines.append(f"... and {len(self.slices) - first} more slices")
        return "\n".join(lines)

    # -- Drawing ----------------------------------------------------------------------

    def to_dot(self, first: int = 16) -> str:
        """A chart: one row per thread, one column per slice (the first `first`).

        Column widths follow the slices' durations, within limits, so that a long
        slice looks long; each filled cell says how many opcodes ran and why the
        slice ended.
        """
        return draw_slices(self.slices[:first], self.names, self._time,
                           more=max(0, len(self.slices) - first),
                           threads=sorted({s.thread for s in self.slices}))


def draw_slices(slices: Sequence[Slice], names: dict[int, str],
                fmt: Callable[[float], str], *, more: int = 0, name: str = "timeline",
                threads: Sequence[int] = ()) -> str:
    """The chart of `slices` (see {py:meth}`Timeline.to_dot`), a row for each of
    `threads` (by default, those with a slice among `slices`)."""
    g = graph(name, rankdir="LR", nodesep=0.06, ranksep=0.02)
    threads = sorted(set(threads) | {s.thread for s in slices})
    total = sum(s.duration for s in slices) or 1.0
    # Within a rank of a left-to-right graph, dot stacks the nodes from the bottom in
    # the order they are made: the time axis first (at the bottom), the last thread next.
    g.node("axis", label="", shape="point", style="invis", width=0.01)
    for t in reversed(threads):
        g.node(f"row{t}", label=f"thread {t} {names.get(t, '')}".rstrip(), **role("name"))
    g.same_rank("axis", *(f"row{t}" for t in reversed(threads)))
    previous = ["axis", *(f"row{t}" for t in reversed(threads))]
    for i, s in enumerate(slices):
        width = min(2.4, max(0.55, 10.0 * s.duration / total))
        column = [f"t{i}"]
        g.node(f"t{i}", label=fmt(s.start), shape="plaintext", style="",
               fontsize=8, width=width, fixedsize=True)
        for t in reversed(threads):
            cell = f"c{i}_{t}"
            column.append(cell)
            if t == s.thread:
                g.node(cell, label=f"{s.opcodes}\n{s.reason}", fixedsize=True, width=width,
                       height=0.42, fontsize=8, **role("holder"))
            else:
                g.node(cell, label="", fixedsize=True, width=width, height=0.42,
                       style="dotted", color="#bbbbbb")
        g.same_rank(*column)
        for a, b in zip(previous, column, strict=True):
            g.edge(a, b, style="invis")
        previous = column
    if more:
        g.node("more", label=f"… {more} more", **role("elided"))
        g.edge(previous[0], "more", style="invis")
    if slices:
        g.node("end", label=fmt(slices[-1].end), shape="plaintext", style="",
               fontsize=8)
        g.edge(previous[0], "end", style="invis")
    return g.source()
