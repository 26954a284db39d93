"""The eval loop's part in the GIL: counting opcodes and the periodic check.

CPython's eval loop (`PyEval_EvalFrameEx` in 2.x, `_PyEval_EvalFrameDefault` in 3.x)
decrements `_Py_Ticker` (2.x) or tests `eval_breaker` (3.x) between opcodes, and runs
its periodic check when told to.  The model thread bodies are ordinary Python
functions run by the host interpreter, so the model watches their opcodes through
the tracing hook: `sys.settrace` with `frame.f_trace_opcodes = True` calls a
function before every opcode.  That function is the model's eval-loop check:

```python
def opcode_tracer(frame, event, arg):
    nonlocal countdown
    if event is OPCODE:
        countdown -= 1
        if countdown < 0:
            countdown = slow_path()
    return opcode_tracer
```

`countdown` plays both `_Py_Ticker` and `eval_breaker`: it is the number of opcodes
the thread may run before something must be looked at (the ticker runs out, a drop
request, or, on the virtual clock, another thread's event coming due).  The slow
path ({py:meth}`EvalLoop.slow_path`) accounts for the opcodes, lets due events happen,
runs the GIL's periodic check, and sets the next countdown.

C's `_Py_Ticker` is a machine `int`; the model's `countdown` is a Python int, and
`countdown -= 1` makes a new int object for every opcode, unless the result is one of
the small ints CPython keeps preallocated (-5 to 256, `_PY_NSMALLNEGINTS` and
`_PY_NSMALLPOSINTS`, which `get_small_int()` in `Objects/longobject.c` hands out).  So
a long budget (the 3.x GIL's, or the time to the next event) is counted down in parts
of at most {py:data}`COUNTDOWN_MAX` opcodes: when a part runs out and the budget has
not, the slow path only hands out the next part.

Frames of the model's own machinery (this package's modules other than the
`threading` model, which is Python code in CPython too) are not traced: they stand
for C code, which runs no opcodes.

Where the model departs from C: every opcode is counted and checked (2.x skipped the
ticker for its "fast" opcodes; 3.10+ only looks at `eval_breaker` on backward jumps,
calls and a few others), and an opcode costs one unit of virtual time whatever it is.
"""

from __future__ import annotations

import _thread
import gc
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from pyinternals.threads.gil import FOREVER
from pyinternals.threads.kernel import VirtualKernel

if TYPE_CHECKING:
    from pyinternals.threads.simulation import ModelThread, Simulation

#: On the wall clock, how many opcodes the switch GIL's holder runs between two looks
#: at `gil_drop_request` (the eval breaker is a flag set by another thread there).
POLL_OPCODES = 64

#: The largest part of a budget the countdown holds at once: 256, the largest small
#: int (`_PY_NSMALLPOSINTS - 1`), so that counting down allocates nothing.
COUNTDOWN_MAX = 256

_HERE = Path(__file__).resolve().parent
_PACKAGE = _HERE.parent
#: Files whose frames stand for C code, or are no part of the simulated program (the
#: drawings): not traced, their opcodes not counted.  The `threading` model is Python
#: in CPython too, and `experiments` is a program run on the model: both are traced.
UNTRACED: frozenset[str] = frozenset(
    [str(_HERE / f"{name}.py")
     for name in ("__init__", "ceval", "clock", "gil", "kernel", "simulation",
                  "threadmodule", "timeline")]
    + [str(p) for folder in ("runtime", "diagrams") for p in (_PACKAGE / folder).glob("*.py")]
)

TraceFunction = Callable[[FrameType, str, Any], Any]


def _probe_opcode_events(lines: bool) -> str | None:
    """Trace a tiny function; the `"opcode"` event object CPython passed, if any."""
    seen: list[str] = []

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "opcode":
            seen.append(event)
        return local

    def global_(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace = local
        frame.f_trace_lines = lines
        frame.f_trace_opcodes = True
        return local

    def probe() -> int:
        return len(seen)

    old = sys.gettrace()
    sys._getframe().f_trace_opcodes = True
    sys.settrace(global_)
    try:
        probe()
    finally:
        sys.settrace(old)
    return seen[0] if seen else None


_without_lines = _probe_opcode_events(False)
#: 3.12 and 3.13 deliver no opcode events to a frame whose line events are off.
KEEP_LINES = _without_lines is None
#: The event name exactly as CPython passes it: the same string object every time, so
#: the hot path compares identities (the literal "opcode" is another object in 3.11).
OPCODE: str = _without_lines or _probe_opcode_events(True) or "opcode"


def _no_trace(frame: FrameType, event: str, arg: Any) -> None:
    return None


_anchor_guard = _thread.allocate_lock()
#: Whether the helper thread of `keep_tracing_on` runs (a list: set once, from any thread).
_anchored: list[bool] = []


def keep_tracing_on() -> None:
    """3.12+: keep `sys.settrace` (with opcode events) on in the process from now on.

    Since 3.12 `sys.settrace` is built on `sys.monitoring` (PEP 669): when the first
    thread starts tracing, or the last one stops, CPython re-instruments every code
    object being executed, in every thread.  If another thread is inside a trace
    function at that moment, 3.12.1 can crash.  The model's threads do exactly that
    (they wait for the GIL inside their trace function), so a helper thread that
    traces and never runs keeps the number of tracing threads above zero for the life
    of the process.  3.11 traces per thread, and needs nothing.
    """
    if getattr(sys, "monitoring", None) is None or _anchored:  # 3.11: per-thread tracing
        return
    with _anchor_guard:
        if _anchored:
            return
        ready = _thread.allocate_lock()
        ready.acquire()
        forever = _thread.allocate_lock()
        forever.acquire()

        def anchor() -> None:
            sys._getframe().f_trace_opcodes = True  # see start_tracing
            sys.settrace(_no_trace)
            ready.release()
            forever.acquire()  # never released: the thread sleeps, tracing, until exit

        _thread.start_new_thread(anchor, ())
        ready.acquire()
        _anchored.append(True)


def start_tracing(global_trace: TraceFunction) -> None:
    """Install `global_trace` for this thread so that new frames report opcodes.

    Two workarounds.  In 3.12 opcode events only start once some frame had
    `f_trace_opcodes` set before `sys.settrace` was called (gh-103615), and from then
    on they are on for every thread: {py:func}`keep_tracing_on` does that once, in its
    helper thread.  (Doing it here would crash 3.12.1: with opcode events on, this
    frame's next opcode would be reported before this thread has a trace function.)
    And in 3.13 setting `f_trace_opcodes` only takes effect on a frame whose `f_trace`
    is already set, which `global_trace` must do in that order.
    """
    keep_tracing_on()
    sys.settrace(global_trace)


def watch_opcodes(frame: FrameType, tracer: TraceFunction) -> None:
    """Have `tracer` see `frame`'s opcodes (and its line events only where 3.12+ needs
    them for opcode events to come at all)."""
    frame.f_trace = tracer  # before f_trace_opcodes: see start_tracing
    if not KEEP_LINES:
        frame.f_trace_lines = False
    frame.f_trace_opcodes = True


def count_opcodes(func: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """How many opcode events running `func(*args, **kwargs)` alone delivers.

    Bare tracing, with the same rules as the simulation's (frames of the model's
    machinery are not counted, and the host's cycle collector waits, so that no
    finalizer of the host's objects is counted): the reference the simulation's
    counts are checked against.

    ```python
    >>> def three_adds():
    ...     x = 1
    ...     x += 1
    ...     x += 1
    ...     return x
    >>> count_opcodes(three_adds) == count_opcodes(three_adds) > 5
    True

    ```
    """
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event is OPCODE:
            count += 1
        return local

    def global_(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename in UNTRACED:
            return None
        watch_opcodes(frame, local)
        return local

    old = sys.gettrace()
    host_gc = gc.isenabled()
    gc.disable()
    start_tracing(global_)
    try:
        func(*args, **kwargs)
    finally:
        sys.settrace(old)
        if host_gc:
            gc.enable()
    return count


class EvalLoop:
    """One model thread's opcode counter and periodic check (`Hooks` for the kernel).

    The opcodes that may still run before the next check are `countdown + reserve`:
    the tracer counts `countdown` down, a small int, and `reserve` holds the rest of
    the budget (see {py:data}`COUNTDOWN_MAX`).  `budget` is that sum as it was last
    set or synced; the opcodes executed since are `budget - (countdown + reserve)`.
    {py:meth}`sync` turns them into elapsed time (virtual clock), ticks of
    `_Py_Ticker` (2.x) and the thread's count; {py:meth}`rebudget` sets the budget to
    the opcodes that may run before the next check.
    """

    def __init__(self, sim: Simulation, thread: ModelThread) -> None:
        self.sim = sim
        self.thread = thread
        self.kernel = sim.kernel
        self.virtual = isinstance(sim.kernel, VirtualKernel)
        #: Moves the virtual clock on (None on the wall clock, where time moves itself).
        self._advance = sim.kernel.advance if isinstance(sim.kernel, VirtualKernel) else None
        self.budget = 0
        #: The part of the budget beyond `countdown`.
        self.reserve = 0
        #: Opcodes executed by this thread while it held the GIL.
        self.opcodes = 0
        #: Whether opcodes count now (not while the thread is outside the GIL).
        self.counting = True
        #: Whether the periodic check is running (it sets the countdown as it returns).
        self.checking = False
        countdown = 0
        slow = self.slow_path
        opcode = OPCODE

        def opcode_tracer(frame: FrameType, event: str, arg: Any) -> Any:
            # `is`: CPython hands the trace function the same event string each time.
            nonlocal countdown
            if event is opcode:
                countdown -= 1
                if countdown < 0:
                    countdown = slow()
            return opcode_tracer

        def get() -> int:
            return countdown

        def put(value: int) -> None:
            nonlocal countdown
            countdown = value

        untraced = UNTRACED

        def global_trace(frame: FrameType, event: str, arg: Any) -> Any:
            if frame.f_code.co_filename in untraced:
                return None
            watch_opcodes(frame, opcode_tracer)
            return opcode_tracer

        self.global_trace = global_trace
        self.tracer = opcode_tracer
        self._get = get
        self._put = put

    # -- Installing ------------------------------------------------------------------

    def install(self) -> None:
        """Trace this (OS) thread's new frames; called by the thread itself."""
        start_tracing(self.global_trace)
        self.rebudget()

    @staticmethod
    def uninstall() -> None:
        """Stop tracing this thread."""
        sys.settrace(None)

    # -- Hooks for the kernel ----------------------------------------------------------

    def _executed(self, opcodes: int) -> None:
        self.opcodes += opcodes
        if self._advance is not None:
            self._advance(opcodes)

    def sync(self) -> None:
        """Account for the opcodes executed since the countdown was last set."""
        countdown = self._get() + self.reserve
        done = self.budget - countdown
        if done:
            self.budget = countdown
            if self.counting:
                self.sim.gil.count(done)
                self._executed(done)

    def rebudget(self) -> None:
        """Set the countdown: the GIL's budget, cut short by the next event.

        While the periodic check runs, the kernel asks for this at every step that
        moves the clock (a wake-up, a wait); no opcode runs before the check returns,
        and it sets the countdown then, once.
        """
        if self.checking:
            return
        if not self.counting:
            budget = FOREVER
        else:
            budget = self.sim.gil.budget()
            if self.virtual:
                kernel: VirtualKernel = self.kernel  # type: ignore[assignment]
                due = kernel.next_event()
                if due is not None:
                    budget = min(budget, due - kernel.time)
            else:
                budget = min(budget, POLL_OPCODES)
            budget = max(budget, 0)
        self.budget = budget
        countdown = min(budget, COUNTDOWN_MAX)
        self.reserve = budget - countdown
        self._put(countdown)

    def suspend(self) -> None:
        """Stop counting (the thread leaves the GIL for a blocking call)."""
        self.sync()
        self.counting = False
        self.rebudget()

    def resume(self) -> None:
        """Count again (the thread has the GIL back); what ran meanwhile is ignored."""
        self.budget = self._get() + self.reserve
        self.counting = True
        self.rebudget()

    # -- The periodic check ------------------------------------------------------------

    def slow_path(self) -> int:
        """The countdown ran out: account, let due events happen, check, recount.

        Called before an opcode executes; the ticker was decremented for it (as
        `--_Py_Ticker` is in C, before the test), but it runs after the check, in
        whatever slice the check leaves the thread in.

        If only the countdown's part of the budget ran out, nothing is due: the
        countdown takes the next part of the reserve, and the opcodes are accounted
        for later, when something asks ({py:meth}`sync`).
        """
        reserve = self.reserve
        if reserve:
            # The countdown is -1 and the budget left is `reserve - 1`: count its next part.
            countdown = min(reserve - 1, COUNTDOWN_MAX)
            self.reserve = reserve - 1 - countdown
            return countdown
        try:
            return self._slow_path()
        except BaseException:
            self._disarm()
            raise

    def _disarm(self) -> None:
        """Stop opcode events in this thread's traced frames, before an exception leaves
        the trace function (which switches tracing off for the thread).  3.12.1 would
        otherwise report the next opcode of such a frame to a trace function that is
        no longer there, and crash."""
        frame: FrameType | None = sys._getframe()
        while frame is not None:
            if frame.f_trace is self.tracer:
                frame.f_trace_opcodes = False
                frame.f_trace = None
            frame = frame.f_back

    def _slow_path(self) -> int:
        thread = self.thread
        thread.task.check_abort()
        events = self.budget + 1  # the countdown went from budget to -1
        self.budget = -1
        if self.counting:
            gil = self.sim.gil
            gil.count(events)
            self._executed(events - 1)
            self.checking = True
            try:
                if self.virtual:
                    kernel: VirtualKernel = self.kernel  # type: ignore[assignment]
                    due = kernel.next_event()
                    if due is not None and due <= kernel.time:
                        kernel.busy(0)  # other threads' events at this moment happen first
                gil.eval_breaker(thread.tstate)
            finally:
                self.checking = False
            self._executed(1)  # the opcode that was waiting
        self.rebudget()
        return self._get()
