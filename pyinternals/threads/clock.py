"""The two clocks a simulation can run on.

A {py:class}`VirtualClock` counts time in opcodes: every opcode a model thread executes
moves it on by one, and everything else that takes time (a system call, waking a
sleeping thread) costs a stated number of opcodes.  Where the operating system would
decide (which of two threads gets a lock released a moment ago), a random generator
seeded by the simulation decides.  The same program on the same clock therefore gives
the same timeline, which is what the book's examples and diagrams need.

A {py:class}`WallClock` is the real one: the threads really run in parallel (as far as
the host interpreter lets them), wait on real locks and condition variables with real
timeouts, and time is `time.perf_counter()`.  It is the clock to measure with.

The costs below are round figures for the machine the book was written on (an x86-64
Linux virtual machine with two cores); {doc}`/threads` shows how the shape of the
results depends on them and on nothing finer.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class VirtualClock:
    """Time counted in opcodes, with the stated cost of everything else.

    All costs are in opcodes; `opcode` says how many seconds one opcode stands for, so
    that intervals given in seconds (the switch interval, `sleep(0.001)`) can be
    converted.  The defaults:

    - `opcode`: 50 ns.  Simple opcodes take a few nanoseconds in 3.11, calls and
      allocations far more; 50 ns is a round average for ordinary code.
    - `syscall`: 20 opcodes (1 µs): a short system call made with the GIL released,
      such as `select()` with a zero timeout or a one-byte pipe write.
    - `wake`: 100 opcodes (5 µs): from the moment a sleeping thread is woken (or a
      new one is started) to the moment it runs on another core.
    - `signal`: 40 opcodes (2 µs): what waking a sleeping thread costs the waker, a
      `futex` system call inside `sem_post` or `pthread_cond_signal`.
    - `timer_slack`: 1000 opcodes (50 µs): the least a thread that really goes to
      sleep stays asleep (Linux's default timer slack).
    - `wake_jitter`: 0.5: each wake-up takes between `wake * (1 - wake_jitter)` and
      `wake * (1 + wake_jitter)`, drawn by the seeded generator: the scheduler is not a
      metronome, and without the jitter two threads can fall into lock step.  Make
      it 0 for round numbers.
    - `handoff`: 0.1: when the 2.x ticker releases the GIL while another thread is
      asleep waiting for it, the probability that the operating system lets the
      sleeper take it before the releaser asks again.
    """

    opcode: float = 50e-9
    syscall: int = 20
    wake: int = 100
    signal: int = 40
    timer_slack: int = 1000
    wake_jitter: float = 0.5
    handoff: float = 0.1

    def __post_init__(self) -> None:
        if not self.opcode > 0:
            raise ValueError(f"an opcode must last a positive time, not {self.opcode!r} s")
        for name in ("syscall", "wake", "signal", "timer_slack"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"the {name} cost is a whole number of opcodes >= 0, "
                                 f"not {value!r}")
        if not 0.0 <= self.handoff <= 1.0:
            raise ValueError(f"handoff is a probability between 0 and 1, not {self.handoff!r}")
        if not 0.0 <= self.wake_jitter <= 1.0:
            raise ValueError(f"wake_jitter is a fraction between 0 and 1, not "
                             f"{self.wake_jitter!r}")

    kind = "virtual"

    def ticks(self, seconds: float) -> int:
        """`seconds` in opcodes, rounded up (an interval is never shortened)."""
        return math.ceil(seconds / self.opcode - 1e-9)

    def seconds(self, ticks: float) -> float:
        """`ticks` opcodes in seconds."""
        return ticks * self.opcode

    def format(self, ticks: float) -> str:
        """A time on this clock for people: opcodes, and what they stand for."""
        return f"{ticks:g} opcodes ({_human(self.seconds(ticks))})"


@dataclass(frozen=True)
class WallClock:
    """Real time: `time.perf_counter()`, in seconds."""

    kind = "wall"

    def now(self) -> float:
        """The current time in seconds, from an arbitrary origin."""
        return time.perf_counter()

    def seconds(self, ticks: float) -> float:
        """Times on this clock are already seconds."""
        return float(ticks)

    def format(self, ticks: float) -> str:
        """A time in seconds, for people."""
        return _human(ticks)


Clock = VirtualClock | WallClock


def _human(seconds: float) -> str:
    """`0.005` as `5 ms`, `4.2e-06` as `4.2 µs`."""
    magnitude = abs(seconds)
    if magnitude >= 1:
        return f"{seconds:.3g} s"
    if magnitude >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    if magnitude >= 1e-6 or magnitude == 0:
        return f"{seconds * 1e6:.3g} µs"
    return f"{seconds * 1e9:.3g} ns"
