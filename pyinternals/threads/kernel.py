"""The operating system under the model: threads, locks, condition variables, time.

CPython's GIL is written on top of a few primitives of the platform's thread library
(`Python/thread_pthread.h`): a lock (`PyThread_type_lock`, a POSIX semaphore on Linux
in 2.x), and, in 3.x, a mutex and a condition variable with a timed wait
(`Python/condvar.h`).  The model's GILs ({py:mod}`pyinternals.threads.gil`) are
written on the same primitives, and a *kernel* provides them, in one of two ways:

- {py:class}`VirtualKernel` runs one model thread at a time.  Each one is a real OS
  thread, but it only runs while it holds its *baton*; the kernel passes the baton
  from thread to thread in the order of a virtual clock, so that a run is a
  deterministic function of the program and the seed.  A thread executing bytecode
  moves the clock by one per opcode; waiting, waking and system calls move it by the
  costs of the {py:class}`~pyinternals.threads.clock.VirtualClock`.
  Its locks are POSIX semaphores ({py:class}`VirtualLock`) or, with
  `platform="nt"`, 2.x Windows' {py:class}`NRMUTEX` (`Python/thread_nt.h`).
- {py:class}`WallKernel` hands out real `threading` locks and condition variables.
  The threads run as the host interpreter and the operating system let them, and
  time is real.

Both report a model thread that can never run again as a {py:class}`Deadlock`, naming
who waits for what, instead of hanging, and both can *abort* the model threads: the
next time an aborted thread touches the kernel (or executes an opcode) it raises
{py:class}`Abort`, which unwinds it quietly.
"""

from __future__ import annotations

import _thread
import heapq
import itertools
import random
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal, Protocol

from pyinternals.diagrams import Drawable
from pyinternals.diagrams.dot import Field, Record
from pyinternals.diagrams.style import edge_role, graph, role
from pyinternals.threads.clock import VirtualClock, WallClock

#: Whose thread library the kernel imitates: `thread_pthread.h` or `thread_nt.h`.
Platform = Literal["posix", "nt"]


class Abort(BaseException):
    """Raised inside a model thread that the simulation stops; unwinds it quietly."""


class Deadlock(RuntimeError):
    """Every model thread waits for something that no running thread can give."""


#: What a thread waits for, in words, or a function that says it when asked (a lock
#: names its holder at the time of the question).
Describer = str | Callable[[], str]


def describe(what: Describer | None) -> str:
    """The words of a describer."""
    if what is None:
        return "nothing it can name"
    return what() if callable(what) else what


class Hooks(Protocol):
    """What a kernel asks of the code running in a model thread (its eval loop)."""

    def sync(self) -> None:
        """Account for the opcodes executed since the last call."""

    def rebudget(self) -> None:
        """Recompute how many opcodes may run before the next check."""


class Task:
    """The kernel's record of one model thread."""

    def __init__(self, ident: int, name: str) -> None:
        self.ident = ident
        self.name = name
        #: What it waits for ("the GIL", "lock 1"), while it waits.
        self.waiting_for: Describer | None = None
        #: Wall clock: whether the current wait has no timeout, and a count of waits.
        self.untimed = False
        self.wait_serial = 0
        self.alive = True
        self.started = False
        self.aborted = False
        self.hooks: Hooks | None = None
        # Virtual kernel only.
        self.baton = _thread.allocate_lock()
        self.channel: Channel | None = None
        self.timed_out = False
        self.token = 0
        #: The channel a signal took it from, and whether its wait has no timeout.
        self.woken_from: Channel | None = None
        self.untimed_wait = False
        #: The host thread running this task (`threading.get_ident()`).
        self.host_ident: int | None = None

    def __repr__(self) -> str:
        return f"<Task {self.ident} {self.name}>"

    def check_abort(self) -> None:
        """Raise {py:class}`Abort` if the simulation stopped this thread."""
        if self.aborted:
            raise Abort


class Channel:
    """Threads waiting for one thing (a condition variable, a lock): FIFO."""

    def __init__(self, what: Describer,
                 still_blocked: Callable[[], bool] | None = None) -> None:
        self.what = what
        self.waiters: deque[Task] = deque()
        #: For a lock: whether a sleeper woken now would find it taken and sleep again.
        #: The kernel then puts it back to sleep without running it (a futile wake-up
        #: costs the sleeper, not the running thread, so nothing else changes).
        self.still_blocked = still_blocked


# -- The primitives, as the GIL code sees them -----------------------------------------


class KLock(Protocol):
    """`PyThread_type_lock`: a lock any thread may release."""

    what: Describer
    #: Whether `release()` with a sleeper hands the lock straight to it, so that the
    #: releaser cannot take it back (the NRMUTEX); a semaphore leaves it free.
    hands_over: bool

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """Take the lock; wait for it (up to `timeout`, in clock units) if `blocking`."""

    def release(self) -> None:
        """Give the lock back, waking one waiter."""

    def locked(self) -> bool:
        """Whether some thread has it."""

    def has_waiters(self) -> bool:
        """Whether some thread is asleep waiting for it."""


class KCond(Protocol):
    """`PyCOND_T` with its mutex: wait (with a timeout), signal."""

    def wait(self, timeout: float | None = None) -> bool:
        """Wait (the mutex held) for a signal; True when the wait timed out."""

    def signal(self) -> None:
        """Wake one waiter."""


class KMutex(Protocol):
    """`PyMUTEX_T`: held for short critical sections."""

    def __enter__(self) -> object: ...

    def __exit__(self, *exc: object) -> None: ...


class Kernel(Protocol):
    """What the GIL and the `thread` module model need from the platform."""

    @property
    def clock(self) -> VirtualClock | WallClock:
        """The clock the kernel keeps time with."""

    def now(self) -> float:
        """The current time on the clock (opcodes or seconds)."""

    def units(self, seconds: float) -> float:
        """A duration in seconds, in this clock's units."""

    def current(self) -> Task:
        """The model thread running the caller."""

    def spawn(self, task: Task, target: Callable[[], None]) -> None:
        """Start an OS thread for `task` running `target`."""

    def lock(self, what: Describer) -> KLock: ...

    def mutex(self) -> KMutex: ...

    def cond(self, mutex: KMutex, what: Describer) -> KCond: ...

    def busy(self, units: float) -> None:
        """The current thread is busy outside the GIL for `units` (virtual only)."""

    def reschedule(self) -> bool:
        """After releasing a lock a sleeper waits for: does the OS switch to it?"""

    def exited(self, task: Task) -> None:
        """`task`'s OS thread is about to end (`PyThread_exit_thread`)."""


# -- The virtual kernel -----------------------------------------------------------------


class VirtualKernel:
    """Model threads run one at a time, in the order of a virtual clock.

    The kernel keeps a heap of *events*: a task becoming ready at a time (woken by a
    signal, its timeout expired, its system call done).  The task holding the baton
    runs until it waits; then the earliest event's task gets the baton and the clock
    jumps to that event's time.  A task executing bytecode is interrupted by its eval
    loop when the clock reaches the next event (see `Hooks.rebudget`), so that events
    happen at their time even while one thread computes.
    """

    def __init__(self, clock: VirtualClock, seed: int = 0,
                 platform: Platform = "posix") -> None:
        if platform not in ("posix", "nt"):
            raise ValueError(f"platform must be 'posix' (thread_pthread.h) or 'nt' "
                             f"(thread_nt.h), not {platform!r}")
        self.clock = clock
        #: Whose `PyThread_type_lock` {py:meth}`lock` makes: a POSIX semaphore or an NRMUTEX.
        self.platform: Platform = platform
        #: Told about the NRMUTEX's slow path, for the simulation's trace.
        self.note: Callable[[str], None] | None = None
        self.rng = random.Random(seed)
        self.time = 0
        self._heap: list[tuple[int, int, int, Task]] = []
        self._seq = itertools.count()
        self._by_host: dict[int, Task] = {}
        self.tasks: list[Task] = []
        self.running: Task | None = None
        self.failure: Deadlock | None = None
        self.main: Task | None = None

    # -- Tasks ------------------------------------------------------------------------

    def adopt_main(self, task: Task) -> None:
        """The host thread calling the simulation is the model's main thread."""
        task.host_ident = threading.get_ident()
        task.started = True
        task.baton.acquire()  # held: the main thread runs now
        self._by_host[task.host_ident] = task
        self.tasks.append(task)
        self.running = self.main = task

    def now(self) -> int:
        """The virtual time, in opcodes (the running thread's opcodes included)."""
        self._sync()
        return self.time

    def units(self, seconds: float) -> int:
        """`seconds` in opcodes."""
        return self.clock.ticks(seconds)

    def current(self) -> Task:
        """The task whose host thread is calling."""
        try:
            return self._by_host[threading.get_ident()]
        except KeyError:
            raise RuntimeError("this thread is not a thread of the simulation") from None

    def spawn(self, task: Task, target: Callable[[], None]) -> None:
        """Start `task`'s OS thread; it runs once it is `wake` opcodes old."""
        task.baton.acquire()  # parked until the kernel passes it the baton
        self.tasks.append(task)
        self._schedule(task, self.now() + self.wake_delay())
        _thread.start_new_thread(self._trampoline, (task, target))

    def _trampoline(self, task: Task, target: Callable[[], None]) -> None:
        task.host_ident = threading.get_ident()
        self._by_host[task.host_ident] = task
        task.baton.acquire()  # wait for the first turn
        task.started = True
        try:
            if not task.aborted:
                target()
        finally:
            self.exited(task)

    def exited(self, task: Task) -> None:
        """`task` ends: pass the baton on without parking."""
        if not task.alive:
            return
        task.alive = False
        task.token += 1  # any pending event of it is stale now
        self._switch(task, park=False)

    # -- Time and events --------------------------------------------------------------

    def _sync(self) -> None:
        running = self.running
        if running is not None and running.hooks is not None:
            running.hooks.sync()

    def _rebudget(self) -> None:
        running = self.running
        if running is not None and running.hooks is not None:
            running.hooks.rebudget()

    def advance(self, ticks: int) -> None:
        """The running task executed `ticks` opcodes (called by its eval loop)."""
        self.time += ticks

    def next_event(self) -> int | None:
        """The time of the earliest pending event, if any."""
        heap = self._heap
        while heap and heap[0][2] != heap[0][3].token:
            heapq.heappop(heap)  # a stale event: its task was woken some other way
        return heap[0][0] if heap else None

    def _schedule(self, task: Task, at: int) -> None:
        task.token += 1
        heapq.heappush(self._heap, (at, next(self._seq), task.token, task))

    def _pop(self) -> Task | None:
        heap = self._heap
        while heap:
            at, _, token, task = heapq.heappop(heap)
            if token != task.token or not task.alive:
                continue
            self.time = max(self.time, at)
            task.token += 1
            if task.channel is not None:  # its timeout expired before any signal
                task.channel.waiters.remove(task)
                task.channel = None
                task.timed_out = True
            woken_from, task.woken_from = task.woken_from, None
            if (woken_from is not None and task.untimed_wait and not task.aborted
                    and woken_from.still_blocked is not None and woken_from.still_blocked()):
                woken_from.waiters.append(task)  # wakes, finds it taken, sleeps again
                task.channel = woken_from
                continue
            return task
        return None

    def _switch(self, me: Task, *, park: bool = True) -> None:
        """Give the baton to the next ready task; park `me` until it is given back."""
        nxt = self._pop()
        if nxt is None:
            nxt = self._deadlock(me)
        if nxt is me:
            return
        self.running = nxt
        nxt.baton.release()
        if park:
            me.baton.acquire()
            # Resumed: the clock was set by whoever passed the baton.

    def _deadlock(self, me: Task) -> Task:
        """Nothing can run any more: fail, in the main thread."""
        waiting = [t for t in self.tasks if t.alive and t is not me] + ([me] if me.alive else [])
        self.failure = Deadlock(describe_deadlock(waiting))
        main = self.main
        assert main is not None
        for task in waiting:
            if task is not main:
                task.aborted = True
        if main.channel is not None:
            main.channel.waiters.remove(main)
            main.channel = None
        return main

    # -- Waiting ------------------------------------------------------------------------

    def block(self, channel: Channel | None, timeout: float | None = None) -> bool:
        """The running task waits on `channel` (and/or `timeout` opcodes); True on timeout."""
        me = self.running
        assert me is not None
        me.check_abort()
        self._sync()
        if channel is not None:
            channel.waiters.append(me)
            me.channel = channel
            me.waiting_for = channel.what
        me.timed_out = False
        me.woken_from = None
        me.untimed_wait = timeout is None
        if timeout is not None:
            self._schedule(me, self.time + max(0, int(timeout)))
        try:
            self._switch(me)
        finally:
            me.waiting_for = None
        if self.failure is not None and me is self.main:
            failure, self.failure = self.failure, None
            raise failure
        me.check_abort()
        self._rebudget()
        return me.timed_out

    def notify(self, channel: Channel, n: int = 1) -> int:
        """Wake up to `n` waiters of `channel`: each runs `wake` opcodes from now."""
        woken = 0
        now = self.now()
        while channel.waiters and woken < n:
            task = channel.waiters.popleft()
            task.channel = None
            task.woken_from = channel
            self._schedule(task, now + self.wake_delay())  # replaces its timeout, if any
            woken += 1
        self._rebudget()
        return woken

    def wake_delay(self) -> int:
        """How long a woken (or new) thread takes to run: `wake`, give or take the jitter."""
        clock = self.clock
        if not clock.wake_jitter:
            return clock.wake
        spread = clock.wake_jitter * (2 * self.rng.random() - 1)
        return max(0, round(clock.wake * (1 + spread)))

    def busy(self, units: float) -> None:
        """The running task is busy for `units` opcodes (not executing bytecode).

        A task being aborted is never busy: it unwinds at once.  When no other event
        falls due before the busy time is over, the heap would hand the baton straight
        back: the clock just moves on.
        """
        me = self.running
        assert me is not None
        if me.aborted and me is not self.main:
            return
        self._sync()
        end = self.time + max(0, int(units))
        due = self.next_event()
        if due is not None and due <= end:  # an event at `end` was scheduled first: it goes first
            self.block(None, units)
            return
        me.check_abort()
        self.time = end
        self._rebudget()

    def stuck(self) -> list[Task]:
        """The other tasks, if every one waits and no event will ever wake one."""
        main = self.main
        live = [t for t in self.tasks if t.alive and t is not main]
        pending = {t for _, _, token, t in self._heap if token == t.token}
        if live and all(t.channel is not None and t not in pending for t in live):
            return live
        return []

    def reschedule(self) -> bool:
        """Seeded: does the OS let the woken sleeper in before the releaser asks again?

        If so, the releaser is kept off the processor until the sleeper has run.
        """
        if self.rng.random() < self.clock.handoff:
            self.busy(round(self.clock.wake * (1 + self.clock.wake_jitter)) + 1)
            return True
        return False

    # -- Primitives ---------------------------------------------------------------------

    def lock(self, what: Describer) -> VirtualLock | NRMUTEX:
        """A new `PyThread_type_lock` (`PyThread_allocate_lock`) of the kernel's platform."""
        if self.platform == "nt":
            return NRMUTEX(self, what)
        return VirtualLock(self, what)

    def mutex(self) -> VirtualMutex:
        """A mutex: only one task runs at a time, so it has nothing to do."""
        return VirtualMutex()

    def cond(self, mutex: KMutex, what: Describer) -> VirtualCond:
        """A condition variable."""
        return VirtualCond(self, what)

    # -- Stopping ---------------------------------------------------------------------

    def abort_all(self) -> None:
        """Unwind every other task (called by the main thread); returns when all ended."""
        me = self.running
        assert me is not None
        assert me is self.main
        for task in self.tasks:
            if task is me or not task.alive:
                continue
            task.aborted = True
            if task.channel is not None:
                task.channel.waiters.remove(task)
                task.channel = None
            self._schedule(task, self.time)
        while any(t.alive for t in self.tasks if t is not me):
            horizon = max((at for at, _, tok, t in self._heap if tok == t.token), default=None)
            if horizon is None:  # pragma: no cover - every live task was scheduled above
                break
            self.block(None, horizon - self.time + 1)


class VirtualMutex:
    """A mutex of the virtual kernel: a no-op, only one task runs at a time."""

    def __enter__(self) -> VirtualMutex:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class VirtualCond:
    """A condition variable of the virtual kernel."""

    def __init__(self, kernel: VirtualKernel, what: Describer) -> None:
        self.kernel = kernel
        self.channel = Channel(what)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a signal (or `timeout` opcodes); True when it timed out."""
        return self.kernel.block(self.channel, timeout)

    def signal(self) -> None:
        """Wake the longest waiter; a sleeper costs the signaller `signal` opcodes."""
        if self.kernel.notify(self.channel, 1) and self.kernel.clock.signal:
            self.kernel.busy(self.kernel.clock.signal)


class VirtualLock:
    """`PyThread_type_lock` on the virtual kernel: a binary semaphore.

    `release()` wakes one sleeper (which runs `wake` opcodes later) and costs the
    releaser `signal` opcodes; a woken sleeper that finds the lock taken again goes
    back to sleep, as with `sem_wait`.
    """

    hands_over = False

    def __init__(self, kernel: VirtualKernel, what: Describer) -> None:
        self.kernel = kernel
        self.what = what
        self._locked = False
        self.channel = Channel(what, still_blocked=self.locked)

    def locked(self) -> bool:
        """Whether the lock is held."""
        return self._locked

    def has_waiters(self) -> bool:
        """Whether some task sleeps waiting for it."""
        return bool(self.channel.waiters)

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """Take the lock; wait (at most `timeout` opcodes) when `blocking`."""
        kernel = self.kernel
        if not self._locked:
            self._locked = True
            return True
        if not blocking:
            return False
        deadline = None if timeout is None else kernel.now() + timeout
        while self.locked():  # a woken sleeper may find it taken again: sleep again
            left = None if deadline is None else deadline - kernel.now()
            if left is not None and left <= 0:
                return False
            if kernel.block(self.channel, left) and self.locked():
                return False
        self._locked = True
        return True

    def release(self) -> None:
        """Give the lock back; wake the longest sleeper."""
        self._locked = False
        kernel = self.kernel
        if kernel.notify(self.channel, 1) and kernel.clock.signal:
            kernel.busy(kernel.clock.signal)


# -- Windows: the NRMUTEX of thread_nt.h ---------------------------------------------------


class WinEvent:
    """An auto-reset event kernel object (`CreateEvent(NULL, FALSE, FALSE, NULL)`).

    `SetEvent` wakes exactly one thread waiting in `WaitForSingleObject` and the event
    resets itself; with no thread waiting, the event stays *signalled* and the next
    wait goes through at once (and resets it).  Windows does not promise which waiter
    it wakes; the model wakes the longest waiter.
    """

    def __init__(self, kernel: VirtualKernel, what: Describer) -> None:
        self.kernel = kernel
        #: Whether the event is signalled (set, and no waiter has consumed it yet).
        self.signaled = False
        self.channel = Channel(what)

    def WaitForSingleObject(self, timeout: float | None = None) -> bool:
        """Wait until the event is set (or `timeout` opcodes); True when it timed out."""
        if self.signaled:
            self.signaled = False  # auto-reset: this wait consumes it
            return False
        return self.kernel.block(self.channel, timeout)

    def SetEvent(self) -> None:
        """Wake one waiter (a system call: `signal` opcodes), or stay signalled."""
        kernel = self.kernel
        if kernel.notify(self.channel, 1):
            if kernel.clock.signal:
                kernel.busy(kernel.clock.signal)
        else:
            self.signaled = True


class NRMUTEX(Drawable):
    """`PyThread_type_lock` on Windows in 2.x: a counter and an event (`thread_nt.h`).

    ```c
    typedef struct NRMUTEX {
        LONG   owned ;      /* -1: free; 0: owned; n > 0: owned, n threads waiting */
        DWORD  thread_id ;  /* the owner, for debugging */
        HANDLE hevent ;     /* an auto-reset event */
    } NRMUTEX, *PNRMUTEX ;
    ```

    `owned` counts the owner and the waiters, less one.  Taking a free lock is one
    atomic instruction on `owned` (`InterlockedIncrement`, or
    `InterlockedCompareExchange` when the caller will not wait), with no call into
    the kernel; only a thread that finds the lock owned waits on the event, and only
    a release that finds waiters sets it.  The woken waiter owns the lock at once:
    `owned` never went back to -1, so the releaser cannot take it back, and a
    releaser that asks again queues behind the waiter.  A POSIX semaphore
    ({py:class}`VirtualLock`) leaves the lock free instead, and the first thread to
    ask gets it.

    The model is the virtual kernel's, one thread at a time, so the interlocked
    operations are plain arithmetic; a timed wait (3.2's addition; 2.x's waits are
    `INFINITE` or 0) that expires takes its waiter back out of `owned`.

    {doc}`/threads` runs the 2.x ticker on it and on the semaphore, side by side.
    """

    hands_over = True

    def __init__(self, kernel: VirtualKernel, what: Describer) -> None:
        self.kernel = kernel
        self.what = what
        self.InitializeNonRecursiveMutex()

    def InitializeNonRecursiveMutex(self) -> None:
        """No owner, no waiter; a new, unsignalled auto-reset event."""
        #: -1 when free, else the number of threads that own it or wait for it, less one.
        self.owned = -1
        #: The owner's thread ident (`GetCurrentThreadId()`), 0 when there is none.
        self.thread_id = 0
        self.hevent = WinEvent(self.kernel, self.what)

    def __repr__(self) -> str:
        return f"<NRMUTEX owned={self.owned} thread_id={self.thread_id}>"

    def _note(self, text: str) -> None:
        note = self.kernel.note
        if note is not None:
            note(text)

    def EnterNonRecursiveMutex(self, wait: bool, timeout: float | None = None) -> bool:
        """Take the mutex; True when the caller owns it (`WAIT_OBJECT_0`)."""
        if not wait:
            # InterlockedCompareExchange(&mutex->owned, 0, -1): only a free lock.
            if self.owned != -1:
                return False
            self.owned = 0
        else:
            self.owned += 1  # InterlockedIncrement(&mutex->owned)
            if self.owned:  # some thread owns it: let's wait
                self._note(f"EnterNonRecursiveMutex: owned {self.owned - 1} -> {self.owned}, "
                           f"waits on the event")
                if self.hevent.WaitForSingleObject(timeout):
                    self.owned -= 1  # WAIT_TIMEOUT: no longer one of the waiters
                    return False
        self.thread_id = self.kernel.current().ident  # we own it
        return True

    def LeaveNonRecursiveMutex(self) -> None:
        """Give the mutex up; if a thread waits, set the event: the lock is its now."""
        self.thread_id = 0
        self.owned -= 1  # InterlockedDecrement(&mutex->owned)
        if self.owned < 0:
            return  # nobody waits: no kernel call
        self._note(f"LeaveNonRecursiveMutex: owned {self.owned + 1} -> {self.owned}, "
                   "SetEvent hands the lock to a waiter")
        self.hevent.SetEvent()

    # -- KLock: PyThread_acquire_lock / PyThread_release_lock --------------------------

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """`PyThread_acquire_lock`: `EnterNonRecursiveMutex`."""
        return self.EnterNonRecursiveMutex(blocking, timeout)

    def release(self) -> None:
        """`PyThread_release_lock`: `LeaveNonRecursiveMutex`."""
        if self.owned < 0:
            raise RuntimeError("LeaveNonRecursiveMutex: the mutex is not owned")
        self.LeaveNonRecursiveMutex()

    def locked(self) -> bool:
        """Owned, or handed over to a waiter that has not run yet."""
        return self.owned >= 0

    def has_waiters(self) -> bool:
        """Whether some thread waits on the event for it."""
        return self.owned > 0

    def to_dot(self) -> str:
        """The NRMUTEX, its event, and the threads waiting on it."""
        g = graph("nrmutex", rankdir="LR")
        g.node("nrmutex", label=Record([Field("NRMUTEX"), Field(f"owned: {self.owned}"),
                                        Field(f"thread_id: {self.thread_id}"),
                                        Field("hevent", "hevent")]),
               **{**role("lock"), "shape": "record"})
        event = self.hevent
        g.node("hevent", label=Record([Field("event (auto-reset)"),
                                       Field(f"signaled: {'yes' if event.signaled else 'no'}")]),
               **role("state"))
        g.edge("nrmutex", "hevent", tailport="hevent", **edge_role("list"))
        if self.thread_id:
            g.node(f"t{self.thread_id}", label=f"thread {self.thread_id}\nowner",
                   **role("holder"))
            g.edge("nrmutex", f"t{self.thread_id}", label="owned by", **edge_role("holds"))
        for task in event.channel.waiters:
            g.node(f"t{task.ident}", label=f"thread {task.ident}\nWaitForSingleObject",
                   **role("waiter"))
            g.edge(f"t{task.ident}", "hevent", label="waits", **edge_role("request"))
        return g.source()


# -- The wall-clock kernel ----------------------------------------------------------------

#: How often a wall-clock wait wakes up to look for an abort, in seconds.
POLL = 0.05


class WallKernel:
    """Real threads, real locks and condition variables, real time."""

    def __init__(self, clock: WallClock) -> None:
        self.clock = clock
        self.origin = clock.now()
        self._by_host: dict[int, Task] = {}
        self.tasks: list[Task] = []
        self.main: Task | None = None
        #: Guards `tasks` and the `waiting_for` fields for deadlock detection.
        self.state = threading.Lock()
        self._last_look: tuple[tuple[int, int], ...] | None = None

    def adopt_main(self, task: Task) -> None:
        """The host thread calling the simulation is the model's main thread."""
        task.host_ident = threading.get_ident()
        task.started = True
        self._by_host[task.host_ident] = task
        self.tasks.append(task)
        self.main = task

    def now(self) -> float:
        """Seconds since the kernel was made."""
        return self.clock.now() - self.origin

    def units(self, seconds: float) -> float:
        """Seconds are this clock's unit."""
        return seconds

    def current(self) -> Task:
        """The task whose host thread is calling."""
        try:
            return self._by_host[threading.get_ident()]
        except KeyError:
            raise RuntimeError("this thread is not a thread of the simulation") from None

    def spawn(self, task: Task, target: Callable[[], None]) -> None:
        """Start `task` on a new OS thread at once."""
        with self.state:
            self.tasks.append(task)

        def bootstrap() -> None:
            task.host_ident = threading.get_ident()
            self._by_host[task.host_ident] = task
            task.started = True
            try:
                if not task.aborted:
                    target()
            finally:
                self.exited(task)

        _thread.start_new_thread(bootstrap, ())

    def exited(self, task: Task) -> None:
        """`task`'s thread ends."""
        with self.state:
            task.alive = False

    def busy(self, units: float) -> None:
        """Real calls take their own time."""

    def reschedule(self) -> bool:
        """The real OS decides; the model does not interfere."""
        return False

    @contextmanager
    def waiting(self, what: Describer, *, untimed: bool) -> Iterator[Task]:
        """Mark the current task as waiting for `what` (for deadlock detection)."""
        task = self.current()
        task.check_abort()
        with self.state:
            task.waiting_for = what
            task.untimed = untimed
            task.wait_serial += 1
        try:
            yield task
        finally:
            with self.state:
                task.waiting_for = None
                task.untimed = False

    def lock(self, what: Describer) -> WallLock:
        """A real lock (a POSIX semaphore under `_thread.allocate_lock`, as in 2.x)."""
        return WallLock(self, what)

    def mutex(self) -> WallMutex:
        """A real mutex."""
        return WallMutex()

    def cond(self, mutex: KMutex, what: Describer) -> WallCond:
        """A real condition variable on `mutex`."""
        assert isinstance(mutex, WallMutex)
        return WallCond(self, mutex, what)

    def _all_waiting(self) -> tuple[tuple[int, int], ...] | None:
        """Every live task's `(ident, wait_serial)`, if each one waits without a timeout."""
        with self.state:
            live = [t for t in self.tasks if t.alive]
            if live and all(t.waiting_for is not None and t.untimed for t in live):
                return tuple((t.ident, t.wait_serial) for t in live)
        return None

    def check_deadlock(self) -> None:
        """Raise {py:class}`Deadlock` if every task has been waiting, untimed, since the
        previous call with nothing changing (two looks, `POLL` apart, so that a thread
        about to be woken is not taken for a stuck one)."""
        seen = self._all_waiting()
        if seen is not None and seen == self._last_look:
            self._last_look = None
            tasks = [t for t in self.tasks if t.alive and t is not self.main]
            raise Deadlock(describe_deadlock(tasks))
        self._last_look = seen

    def abort_all(self) -> None:
        """Ask every other task to unwind, and wait until they have."""
        me = self.current()
        for task in self.tasks:
            if task is not me:
                task.aborted = True
        while any(t.alive and t.started for t in self.tasks if t is not me):
            threading.Event().wait(0.002)


class WallMutex:
    """A real mutex."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def __enter__(self) -> WallMutex:
        self.lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


class WallCond:
    """A real condition variable; waits wake up every `POLL` s to look for an abort."""

    def __init__(self, kernel: WallKernel, mutex: WallMutex, what: Describer) -> None:
        self.kernel = kernel
        self.what = what
        self.cond = threading.Condition(mutex.lock)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a signal (or `timeout` seconds); True when it timed out."""
        with self.kernel.waiting(self.what, untimed=timeout is None) as task:
            if timeout is not None and timeout <= POLL:
                signalled = self.cond.wait(timeout)
                task.check_abort()
                return not signalled
            deadline = None if timeout is None else self.kernel.now() + timeout
            while True:
                left = POLL if deadline is None else min(POLL, deadline - self.kernel.now())
                if left <= 0:
                    return True
                if self.cond.wait(left):
                    task.check_abort()
                    return False
                task.check_abort()
                if task is self.kernel.main:
                    self.kernel.check_deadlock()

    def signal(self) -> None:
        """Wake one waiter."""
        self.cond.notify()


class WallLock:
    """A real `_thread` lock (a semaphore: any thread may release it)."""

    hands_over = False

    def __init__(self, kernel: WallKernel, what: Describer) -> None:
        self.kernel = kernel
        self.what = what
        self.lock = _thread.allocate_lock()
        self._waiters = 0

    def locked(self) -> bool:
        """Whether the lock is held."""
        return self.lock.locked()

    def has_waiters(self) -> bool:
        """Whether some thread waits for it."""
        return self._waiters > 0

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """Take the lock; wait (at most `timeout` seconds) when `blocking`."""
        if self.lock.acquire(False):
            return True
        if not blocking:
            return False
        kernel = self.kernel
        deadline = None if timeout is None else kernel.now() + timeout
        with kernel.state:
            self._waiters += 1
        try:
            with kernel.waiting(self.what, untimed=timeout is None) as task:
                while True:
                    left = POLL if deadline is None else min(POLL, deadline - kernel.now())
                    if left <= 0:
                        return False
                    if self.lock.acquire(True, left):
                        if task.aborted:
                            self.lock.release()
                            raise Abort
                        return True
                    task.check_abort()
                    if task is kernel.main:
                        kernel.check_deadlock()
        finally:
            with kernel.state:
                self._waiters -= 1

    def release(self) -> None:
        """Give the lock back."""
        self.lock.release()


def describe_deadlock(tasks: list[Task]) -> str:
    """The message of a {py:class}`Deadlock`: who waits for what."""
    parts = [f"thread {t.ident} ({t.name}) waits for {describe(t.waiting_for)}" for t in tasks]
    return ("deadlock: every thread is blocked and none can wake another: "
            + "; ".join(parts))
