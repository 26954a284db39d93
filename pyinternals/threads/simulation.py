"""Running ordinary Python functions as threads under a model GIL.

A {py:class}`Simulation` is one interpreter (a {py:class}`~pyinternals.runtime.pystate.Runtime`
with its main thread state), one GIL of either design, a `thread` module and a
`threading` module built on them, and a clock.  The code that creates it is the
model's main thread: it holds the GIL whenever it runs, and the other threads run
while it waits (in {py:meth}`Simulation.run`, a `join`, a lock).

```python
>>> from pyinternals.threads.clock import VirtualClock
>>> sim = Simulation("ticker", check_interval=100, clock=VirtualClock(wake_jitter=0))
>>> def spin():
...     n = 0
...     while n < 300:
...         n += 1
>>> a = sim.start_new_thread(spin)
>>> b = sim.start_new_thread(spin)
>>> sim.run()
True
>>> [(s.thread, s.opcodes, s.reason) for s in sim.timeline][:3]
[(2, 100, 'ticks'), (2, 101, 'ticks'), (2, 101, 'ticks')]

```

See {doc}`/threads` for the whole story.
"""

from __future__ import annotations

import gc
import select
import sys
import threading as _host_threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Literal, TypeVar

from pyinternals import profiles
from pyinternals.diagrams import Drawable
from pyinternals.diagrams.dot import Field, Record
from pyinternals.diagrams.style import edge_role, graph, role
from pyinternals.runtime.pystate import PyThreadState, Runtime
from pyinternals.threads.ceval import EvalLoop, keep_tracing_on
from pyinternals.threads.clock import Clock, VirtualClock, WallClock
from pyinternals.threads.gil import GIL, Reason, SwitchGIL, TickerGIL
from pyinternals.threads.kernel import (
    NRMUTEX,
    POLL,
    Abort,
    Channel,
    Deadlock,
    Describer,
    KLock,
    Platform,
    Task,
    VirtualKernel,
    WallKernel,
    describe_deadlock,
)
from pyinternals.threads.threading import ThreadingModule
from pyinternals.threads.threadmodule import ThreadModule, bootstate
from pyinternals.threads.timeline import Slice, ThreadStats, Timeline

T = TypeVar("T")

#: What a thread is doing right after it let the GIL go, for drawings.
_AFTER_DROP: dict[str, str] = {"ticks": "asks for the GIL again",
                               "drop request": "was asked to drop",
                               "blocking": "blocked", "exit": "ending"}

#: On the wall clock, the host interpreter's own switch interval during `run()`.  The
#: model threads are threads of the host too: a model thread that wakes up needs the
#: host's GIL to go on, and with the host's default 5 ms it would wait up to that long.
HOST_SWITCH_INTERVAL = 5e-5


@dataclass
class callobj:
    """`thread_nt.h`: the function and the argument `_beginthreadex` hands a new thread."""

    func: Callable[[bootstate, ModelThread], None]
    arg: bootstate
    #: Whether `bootstrap` has freed it (`HeapFree`).
    freed: bool = False


class ModelThread:
    """One thread of the simulation: its thread state, kernel task and eval loop."""

    def __init__(self, sim: Simulation, tstate: PyThreadState, name: str) -> None:
        self.tstate = tstate
        #: The model's thread ident: its thread state's id (main is 1).
        self.ident = tstate.id
        self.name = name
        self.task = Task(self.ident, name)
        self.eval = EvalLoop(sim, self)
        self.task.hooks = self.eval
        self.stats = ThreadStats(self.ident, name)
        #: In words, for drawings: what the thread is doing now.
        self.state = "not started"
        self.wait_since: float | None = None
        self.slice_start: float | None = None
        self.slice_opcodes = 0

    def __repr__(self) -> str:
        return f"<ModelThread {self.ident} {self.name} ({self.state})>"


class Simulation(Drawable):
    """Real Python functions as threads, under the 2.x or the 3.x GIL.

    - `gil`: `"ticker"` (2.x) or `"switch"` (3.2+); by default the design of
      `profile`.
    - `check_interval`: opcodes between the ticker's releases (2.x
      `sys.setcheckinterval`).
    - `switch_interval`: seconds a waiter waits before it asks for a drop (3.x
      `sys.setswitchinterval`).
    - `clock`: `"virtual"` (deterministic, time counted in opcodes) or `"wall"`
      (real threads, real time), or a clock object with costs of your own.
    - `seed`: seeds the virtual clock's choices where the OS would decide.
    - `profile`: the CPython version whose `thread` module, messages and
      `time.sleep` the simulation follows; by default 2.7 for the ticker and the
      running version for the switch GIL.
    - `platform`: whose `PyThread_type_lock` the GIL and the lock objects are:
      `"posix"` (a semaphore) or, with a 2.x profile on the virtual clock, `"nt"`
      (Windows' NRMUTEX, {py:class}`~pyinternals.threads.kernel.NRMUTEX`).
    - `max_threads`, `max_locks`: how many threads (besides the main one) the OS
      lets run at once, and how many lock objects it lets the program allocate;
      beyond them `start_new_thread` fails with "can't start new thread" and
      `allocate_lock` with "can't allocate lock".  `None`: no limit.
    """

    def __init__(
        self,
        gil: Literal["ticker", "switch"] | None = None,
        *,
        check_interval: int = 100,
        switch_interval: float = 0.005,
        clock: Literal["virtual", "wall"] | Clock = "virtual",
        seed: int = 0,
        profile: str | None = None,
        platform: Platform = "posix",
        max_threads: int | None = None,
        max_locks: int | None = None,
    ) -> None:
        if gil not in (None, "ticker", "switch"):
            raise ValueError(f"gil must be 'ticker' (2.x) or 'switch' (3.2+), not {gil!r}")
        if profile is None:
            running = profiles.running()
            use_running = gil != "ticker" and running in profiles.gil.PROFILES and \
                profiles.gil.get(running).design == "switch"
            profile = running if use_running else ("2.7" if gil == "ticker" else "3.12")
        self.profile = profiles.gil.get(profile)
        self.profile_name = profile
        design = gil or self.profile.design
        if isinstance(check_interval, bool) or not isinstance(check_interval, int):
            raise TypeError(f"check_interval is a whole number of opcodes, not "
                            f"{check_interval!r}")
        if check_interval <= 0:
            raise ValueError(f"check interval must be a positive number of opcodes, "
                             f"not {check_interval}")
        if isinstance(switch_interval, bool) or not isinstance(switch_interval, (int, float)):
            raise TypeError(f"switch_interval is a number of seconds, not {switch_interval!r}")
        if not switch_interval > 0:
            raise ValueError("switch interval must be strictly positive")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, not {seed!r}")
        self.clock: Clock = _make_clock(clock)
        if platform not in ("posix", "nt"):
            raise ValueError(f"platform must be 'posix' or 'nt', not {platform!r}")
        if platform not in self.profile.lock_platforms:
            raise ValueError(f"the model has no {platform!r} lock for profile {profile}: "
                             f"only {', '.join(map(repr, self.profile.lock_platforms))} "
                             "(the NRMUTEX is 2.x's thread_nt.h)")
        if platform == "nt" and not isinstance(self.clock, VirtualClock):
            raise ValueError("the NRMUTEX model runs on the virtual clock only: there is no "
                             "Windows kernel under the wall clock")
        for name, limit in (("max_threads", max_threads), ("max_locks", max_locks)):
            if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                      or limit < 0):
                raise ValueError(f"{name} must be None or a whole number >= 0, not {limit!r}")
        #: The platform of the OS under the model (`"posix"` or `"nt"`).
        self.platform: Platform = platform
        #: The OS's limits: threads alive at once besides the main one, lock objects.
        self.max_threads = max_threads
        self.max_locks = max_locks
        keep_tracing_on()
        #: The interpreter's state: the runtime, its interpreter, the main thread state.
        self.runtime = Runtime("globals" if design == "ticker" else "_PyRuntime")
        self.interp = self.runtime.PyInterpreterState_New()
        main_tstate = self.runtime.PyThreadState_New(self.interp, thread_id=1)
        self.runtime.PyThreadState_Swap(main_tstate)
        self.kernel: VirtualKernel | WallKernel = (
            VirtualKernel(self.clock, seed, platform) if isinstance(self.clock, VirtualClock)
            else WallKernel(self.clock)
        )
        #: Every thread of the simulation by ident, the main thread (1) first.
        self.threads: dict[int, ModelThread] = {}
        self.main = self._add_thread(main_tstate, "main")
        self.main.state = "running (the caller)"
        self.kernel.adopt_main(self.main.task)
        self.timeline = Timeline(self.clock, {i: t.name for i, t in self.threads.items()})
        #: The trace switch: true prints a line on standard output for every change of
        #: hands; a function is called with each line instead (to watch for an event).
        self.trace: bool | Callable[[str], object] = False
        #: Where uncaught exceptions of threads are reported (`None`: `sys.stderr`).
        self.stderr: IO[str] | None = None
        #: `(thread ident, exception)` for every exception no thread caught.
        self.unhandled: list[tuple[int, BaseException]] = []
        self.gil: GIL
        if design == "ticker":
            self.gil = TickerGIL(self.kernel, self.runtime, self, check_interval)
        else:
            self.gil = SwitchGIL(self.kernel, self.runtime, self, switch_interval,
                                 force_switching=self.profile.force_switching)
        self.design: Literal["ticker", "switch"] = design
        self._live = 0
        self._interrupted = False
        self._closed = False
        self._pending_name: str | None = None
        self._done_virtual = None if isinstance(self.kernel, WallKernel) else \
            Channel("the other threads to finish")
        self._done_wall = _host_threading.Condition()
        #: The `thread` module (`_thread` in 3.x) of this interpreter.
        self.thread = ThreadModule(self)
        self._threading: ThreadingModule | None = None
        self._print_lock = _host_threading.Lock()
        if isinstance(self.kernel, VirtualKernel):
            self.kernel.note = self._kernel_note
        if self.profile.gil_created == "startup":
            self.gil.PyEval_InitThreads(main_tstate)

    def __repr__(self) -> str:
        n = len(self.threads)
        return (f"<Simulation {self.design} GIL, {self.clock.kind} clock, "
                f"{n} thread{'s' if n != 1 else ''}>")

    @property
    def threading(self) -> ThreadingModule:
        """The `threading` module of this interpreter, built on `thread` (made on first use)."""
        if self._threading is None:
            self._threading = ThreadingModule(self)
        return self._threading

    # -- Threads ------------------------------------------------------------------------

    def _add_thread(self, tstate: PyThreadState, name: str) -> ModelThread:
        thread = ModelThread(self, tstate, name)
        self.threads[thread.ident] = thread
        return thread

    def current(self) -> ModelThread:
        """The model thread running the caller."""
        return self.threads[self.kernel.current().ident]

    def start_new_thread(self, func: Callable[..., Any], args: tuple[Any, ...] = (),
                         kwargs: dict[str, Any] | None = None) -> int:
        """`thread.start_new_thread`: run `func(*args, **kwargs)` in a new thread."""
        return self.thread.start_new_thread(func, args, kwargs)

    def allocate_lock(self) -> Any:
        """`thread.allocate_lock`: a new lock."""
        return self.thread.allocate_lock()

    def _kernel_note(self, text: str) -> None:
        if self.trace:
            self.note(self.current().tstate, text)

    def PyThread_allocate_lock(self, what: Describer) -> KLock | None:
        """A new lock from the OS, or `None` when it refuses (more than `max_locks`)."""
        if self.max_locks is not None and self.thread._locks >= self.max_locks:
            self.note(self.current().tstate, "PyThread_allocate_lock: the OS refuses")
            return None
        return self.kernel.lock(what)

    def PyThread_start_new_thread(self, func: Callable[[bootstate, ModelThread], None],
                                  boot: bootstate) -> int:
        """Ask the OS for a thread running `func(boot)`; return its ident, or -1 when
        the OS refuses (`max_threads` threads are alive already), as
        `pthread_create` or `_beginthreadex` fail when there are too many threads."""
        self._check_open()
        if self.max_threads is not None and self._live >= self.max_threads:
            self._pending_name = None
            self.note(self.current().tstate, f"PyThread_start_new_thread: the OS refuses "
                      f"({self._live} threads alive, max_threads={self.max_threads})")
            return -1
        name = str(self._pending_name or getattr(boot.func, "__name__", "thread"))
        self._pending_name = None
        thread = self._add_thread(boot.tstate, name)
        self.timeline.names[thread.ident] = name
        thread.state = "starting"
        self._live += 1
        self.note(self.current().tstate, f"start_new_thread: thread {thread.ident} ({name}), "
                  f"thread state {boot.tstate.id} preallocated")

        start: Callable[[], None]
        if self.platform == "nt":
            obj = callobj(func, boot)  # HeapAlloc'd, handed to _beginthreadex

            def start() -> None:
                self.bootstrap(obj, thread)
        else:
            def start() -> None:
                func(boot, thread)

        def run() -> None:
            thread.task.hooks = thread.eval
            try:
                start()
            finally:
                self._ended(thread)

        self.kernel.spawn(thread.task, run)
        return thread.ident

    def bootstrap(self, obj: callobj, thread: ModelThread) -> None:
        """`thread_nt.h`'s `bootstrap`, the first function of a new Windows thread.

        `_beginthreadex` wants a `__stdcall` function of one argument: `bootstrap`
        takes the `callobj`, frees it, and calls the function it carries
        (`t_bootstrap`) with its argument.
        """
        func, arg = obj.func, obj.arg
        obj.freed = True  # HeapFree(GetProcessHeap(), 0, obj)
        self.note(arg.tstate, "bootstrap: frees the callobj, calls t_bootstrap")
        func(arg, thread)

    def _ended(self, thread: ModelThread) -> None:
        thread.state = "done"
        self._live -= 1
        self.note(None, f"thread {thread.ident} ends")
        if isinstance(self.kernel, VirtualKernel):
            assert self._done_virtual is not None
            if self._live == 0:
                self.kernel.notify(self._done_virtual, 1)
        else:
            with self._done_wall:
                self._done_wall.notify_all()

    def abandon(self, thread: ModelThread, has_gil: bool) -> None:
        """Clean up after a thread the simulation aborted (it ends without its body)."""
        tstate = thread.tstate
        gil = self.gil
        if gil.holder is tstate:
            gil.holder = None
            if isinstance(gil, TickerGIL):
                assert gil.interpreter_lock is not None
                gil.interpreter_lock.release()
            else:
                gil.locked = False
                gil.cond.signal()
        if self.runtime.tstate_current is tstate:
            self.runtime.PyThreadState_DeleteCurrent()
        elif tstate in list(tstate.interp.threads()):
            self.runtime.PyThreadState_Delete(tstate)

    # -- Blocking calls -----------------------------------------------------------------

    def blocking_call(self, what: str, call: Callable[[], T]) -> T:
        """Run `call()` with the GIL released, as `Py_BEGIN_ALLOW_THREADS` does."""
        thread = self.current()
        thread.eval.suspend()
        thread.stats.blocking_calls += 1
        previous = thread.state
        thread.state = f"blocked: {what}"
        self.note(thread.tstate, what)
        saved = self.gil.PyEval_SaveThread() if self.gil.created else None
        try:
            return call()
        finally:
            if saved is not None:
                self.gil.PyEval_RestoreThread(saved)
            thread.state = previous
            thread.eval.resume()

    def sleep(self, seconds: float) -> None:
        """`time.sleep(seconds)` in a model thread: a blocking call.

        On the virtual clock it takes a system call, the time asked for and, when
        the thread really goes to sleep, the timer slack; 2.x's `select()` does not
        sleep at all for 0, 3.11's `clock_nanosleep()` does.  On the wall clock it
        makes the same system call as the profile's `time.sleep`.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"sleep() wants a number of seconds, not {seconds!r}")
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        kernel = self.kernel
        call: Callable[[], Any]
        if isinstance(kernel, VirtualKernel):
            clock = kernel.clock
            sleeps = seconds > 0 or self.profile.sleep_call == "clock_nanosleep"
            cost = clock.syscall + clock.ticks(seconds) + (clock.timer_slack if sleeps else 0)

            def call() -> None:
                kernel.busy(cost)
        elif self.profile.sleep_call == "select":
            def call() -> Any:
                return select.select([], [], [], seconds)
        else:
            def call() -> None:
                time.sleep(seconds)
        self.blocking_call(f"sleep({seconds:g})", call)

    def allow_threads(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call `func` (a C function such as `os.read`) with the GIL released.

        On the virtual clock the call costs one system call, and must not block for
        real: the virtual clock cannot see it (a pipe read with no writer would hang).
        """
        kernel = self.kernel
        if isinstance(kernel, VirtualKernel):
            def call() -> T:
                result = func(*args, **kwargs)
                kernel.busy(kernel.clock.syscall)
                return result
        else:
            def call() -> T:
                return func(*args, **kwargs)
        name = getattr(func, "__qualname__", getattr(func, "__name__", "a call"))
        return self.blocking_call(f"{name}() with the GIL released", call)

    def now(self) -> float:
        """The time on the simulation's clock: opcodes (virtual) or seconds (wall)."""
        return self.kernel.now()

    def seconds(self, t: float) -> float:
        """A time or duration on the simulation's clock, in seconds."""
        return self.clock.seconds(t)

    # -- Running ------------------------------------------------------------------------

    def run(self, timeout: float | None = None) -> bool:
        """The main thread waits for the others; True when they have all ended.

        With a `timeout` (seconds on the simulation's clock) the main thread takes
        the GIL back after that long, as a `join(timeout)` would, and returns False
        if some threads are still alive; `run()` again lets them go on.  A deadlock
        raises {py:class}`~pyinternals.threads.kernel.Deadlock` and stops every thread.
        """
        self._check_open()
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
                raise TypeError(f"timeout is a number of seconds, not {timeout!r}")
            if timeout < 0:
                raise ValueError("timeout must be a non-negative number of seconds (or None)")
        me = self.current()
        if me is not self.main:
            raise RuntimeError(f"run() is for the main thread; thread {me.ident} "
                               "cannot wait for itself")
        if self._live == 0:
            return True
        units = None if timeout is None else self.kernel.units(timeout)
        host_interval = sys.getswitchinterval()
        if isinstance(self.kernel, WallKernel):
            sys.setswitchinterval(HOST_SWITCH_INTERVAL)
        # The host's cycle collector waits while the model's threads run: it would run
        # finalizers of the host's objects (weakref callbacks, `__del__`) inside
        # whichever model thread allocated last, and they would count as its opcodes.
        host_gc = gc.isenabled()
        gc.disable()
        try:
            finished = self.blocking_call("waits for the other threads (run)",
                                          lambda: self._wait_for_threads(units))
        except Deadlock:
            self.kernel.abort_all()
            raise
        finally:
            sys.setswitchinterval(host_interval)
            if host_gc:
                gc.enable()
        if self._interrupted:
            self._interrupted = False
            raise KeyboardInterrupt
        return finished

    def _wait_for_threads(self, units: float | None) -> bool:
        kernel = self.kernel
        if isinstance(kernel, VirtualKernel):
            assert self._done_virtual is not None
            deadline = None if units is None else kernel.now() + units
            while self._live and not self._interrupted:
                left = None if deadline is None else deadline - kernel.now()
                if left is not None and left <= 0:
                    stuck = kernel.stuck()
                    if stuck:
                        raise Deadlock(describe_deadlock(stuck))
                    return False
                kernel.block(self._done_virtual, left)
            return self._live == 0
        deadline = None if units is None else kernel.now() + units
        with self._done_wall, kernel.waiting("the other threads to finish",
                                             untimed=deadline is None):
            while self._live and not self._interrupted:
                left = POLL if deadline is None else min(POLL, deadline - kernel.now())
                if left <= 0:
                    return False
                self._done_wall.wait(left)
                kernel.check_deadlock()
        return self._live == 0

    def interrupt_main(self) -> None:
        """`thread.interrupt_main`: the main thread raises `KeyboardInterrupt` soon."""
        self._interrupted = True
        if isinstance(self.kernel, VirtualKernel):
            assert self._done_virtual is not None
            self.kernel.notify(self._done_virtual, 1)
        else:
            with self._done_wall:
                self._done_wall.notify_all()

    def close(self) -> None:
        """Stop every thread still alive; the simulation cannot run again."""
        if self._closed:
            return
        if any(t.task.alive for t in self.threads.values() if t is not self.main):
            self.kernel.abort_all()
        self._closed = True

    def __enter__(self) -> Simulation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this simulation was closed; make a new one")

    # -- What happened ------------------------------------------------------------------

    @property
    def stats(self) -> dict[int, ThreadStats]:
        """Per-thread statistics, by ident (the main thread left out)."""
        return {i: t.stats for i, t in self.threads.items() if t is not self.main}

    def format_stats(self) -> str:
        """The statistics as a table, times in the clock's units."""
        fmt = self.timeline._time
        lines = [f"{'thread':<14} {'opcodes':>8} {'slices':>6} {'held':>10} {'waits':>5} "
                 f"{'waited':>10} {'longest':>10}"]
        for ident, s in self.stats.items():
            who = f"{ident} {s.name}"
            lines.append(f"{who:<14} {s.opcodes:>8} {s.slices:>6} {fmt(s.held):>10} "
                         f"{s.waits:>5} {fmt(s.waited):>10} {fmt(s.longest_wait):>10}")
        return "\n".join(lines)

    # -- GILObserver: the timeline, the statistics, the trace -------------------------

    def _thread_of(self, tstate: PyThreadState) -> ModelThread:
        return self.threads[tstate.id]

    def _stamp(self) -> str:
        t = self.kernel.now()
        if isinstance(self.clock, VirtualClock):
            return f"{t:>8}"
        return f"{t * 1e6:>10.1f}µs"

    def note(self, tstate: PyThreadState | None, text: str) -> None:
        """Print a line of the trace, if the trace is on."""
        trace = self.trace
        if trace:
            who = f"thread {tstate.id}" if tstate is not None else ""
            line = f"{self._stamp()}  {who:<9} {text}".rstrip()
            with self._print_lock:  # on the wall clock threads trace at the same time
                if callable(trace):
                    trace(line)
                else:
                    sys.stdout.write(line + "\n")

    def gil_wanted(self, tstate: PyThreadState) -> None:
        """`tstate` starts waiting for the GIL."""
        thread = self._thread_of(tstate)
        thread.wait_since = self.kernel.now()
        thread.state = "waits for the GIL"
        if self.trace:
            holder = self.gil.holder
            self.note(tstate, "take_gil: waits" + (f" (thread {holder.id} has it)" if holder
                                                    else ""))

    def gil_taken(self, tstate: PyThreadState) -> None:
        """`tstate` holds the GIL now: a slice starts."""
        thread = self._thread_of(tstate)
        now = self.kernel.now()
        if thread.wait_since is not None:
            waited = now - thread.wait_since
            thread.stats.waits += 1
            thread.stats.waited += waited
            thread.stats.longest_wait = max(thread.stats.longest_wait, waited)
            thread.wait_since = None
        thread.slice_start = now
        thread.slice_opcodes = thread.eval.opcodes
        thread.state = "running" if thread is not self.main else "running (the caller)"
        self.note(tstate, "takes the GIL")

    def gil_dropped(self, tstate: PyThreadState, reason: Reason) -> None:
        """`tstate` let the GIL go: its slice ends."""
        thread = self._thread_of(tstate)
        thread.eval.sync()
        now = self.kernel.now()
        start = thread.slice_start if thread.slice_start is not None else now
        opcodes = thread.eval.opcodes - thread.slice_opcodes
        thread.slice_start = None
        stats = thread.stats
        stats.opcodes = thread.eval.opcodes
        if opcodes:
            self.timeline.slices.append(Slice(thread.ident, start, now, reason, opcodes))
            stats.slices += 1
            stats.held += now - start
            stats.endings[reason] = stats.endings.get(reason, 0) + 1
        thread.state = _AFTER_DROP[reason]
        if self.trace:
            self.note(tstate, f"drops the GIL ({reason}, {opcodes} opcodes)")

    def drop_requested(self, tstate: PyThreadState) -> None:
        """`tstate` set `gil_drop_request` (counted in its statistics)."""
        self._thread_of(tstate).stats.drop_requests += 1

    # -- Drawing ------------------------------------------------------------------------

    def to_dot(self) -> str:
        """The thread states around the GIL: who holds it, who waits, who asked."""
        g = graph("gil", rankdir="LR")
        gil = self.gil
        holder = gil.holder
        if isinstance(gil, TickerGIL):
            lock = gil.interpreter_lock
            fields = [Field("interpreter_lock (2.x GIL)"),
                      Field("not created yet" if lock is None else
                            f"locked: {'yes' if lock.locked() else 'no'}")]
            if isinstance(lock, NRMUTEX):
                fields += [Field(f"NRMUTEX owned: {lock.owned}"),
                           Field(f"thread_id: {lock.thread_id}"),
                           Field("hevent: " + ("signaled" if lock.hevent.signaled
                                               else "not signaled"))]
            fields += [Field(f"_Py_Ticker: {gil._Py_Ticker}"),
                       Field(f"_Py_CheckInterval: {gil._Py_CheckInterval}")]
        else:
            last = gil.last_holder
            fields = [Field("GIL (3.x ceval_gil.c)"),
                      Field(f"locked: {int(gil.locked)}"),
                      Field(f"last_holder: tstate {last.id if last else 'NULL'}"),
                      Field(f"switch_number: {gil.switch_number}"),
                      Field(f"gil_drop_request: {int(gil.gil_drop_request)}", "request"),
                      Field(f"interval: {self.clock.format(gil.interval)}"
                            if isinstance(self.clock, VirtualClock) else
                            f"interval: {gil.switch_interval * 1000:g} ms")]
        g.node("gil", label=Record(fields), **{**role("lock"), "shape": "record"})
        g.node("interp", label=Record([Field(f"PyInterpreterState {self.interp.id}"),
                                       Field("tstate_head", "head")]), **role("state"))
        previous, port = "interp", "head"
        for tstate in self.interp.threads():
            thread = self.threads.get(tstate.id)
            if thread is None:
                continue
            name = f"t{tstate.id}"
            state = thread.state
            kind = ("holder" if tstate is holder else
                    "waiter" if tstate in gil.waiters else "idle")
            g.node(name, label=f"PyThreadState {tstate.id}\nthread {thread.ident} "
                               f"({thread.name})\n{state}", **role(kind))
            g.edge(previous, name, tailport=port or None, **edge_role("list"))
            previous, port = name, ""
        if holder is not None and holder.id in self.threads:
            g.edge("gil", f"t{holder.id}", label="held by", **edge_role("holds"))
        for waiter in gil.waiters:
            label = "take_gil"
            if isinstance(gil, SwitchGIL) and gil.drop_requested_by is waiter:
                label = "asked: gil_drop_request"
            g.edge(f"t{waiter.id}", "gil", label=label, **edge_role("request"))
        return g.source()

    def snapshot(self) -> Snapshot:
        """A picture of the state right now, to draw later (take it inside a thread)."""
        return Snapshot(self.to_dot(), self.kernel.now())


class Snapshot(Drawable):
    """The drawing of a simulation at one moment."""

    def __init__(self, dot: str, time: float) -> None:
        self.dot = dot
        #: When it was taken, on the simulation's clock.
        self.time = time

    def to_dot(self) -> str:
        """The drawing as it was."""
        return self.dot


def _make_clock(clock: object) -> Clock:
    if isinstance(clock, (VirtualClock, WallClock)):
        return clock
    if clock == "virtual":
        return VirtualClock()
    if clock == "wall":
        return WallClock()
    raise ValueError(f"clock must be 'virtual', 'wall' or a clock object, not {clock!r}")


__all__ = ["Abort", "Deadlock", "ModelThread", "Simulation", "Slice", "Snapshot", "ThreadStats",
           "callobj"]
