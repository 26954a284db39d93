"""The `threading` module, built on the model `thread` module as 2.x builds it.

This is Python code in CPython too (`Lib/threading.py`), so the model's version is
traced like the thread bodies: its opcodes count as ticks.  What it does, as the
notes tell it:

- `Thread.start()` records the thread in `_limbo`, starts an OS thread running
  `_bootstrap` with `start_new_thread`, and waits until the new thread says it has
  started;
- `_bootstrap_inner`, in the new thread, moves it from `_limbo` to `_active` (keyed
  by its ident), calls `run()`, and at the end `_stop()`s: under the thread's
  `Condition` it marks the thread stopped and `notify_all()`s;
- `join()` waits on that `Condition` until the thread is stopped (or the timeout
  passes);
- a `Condition` keeps a list of *waiter locks*: `wait()` allocates a lock, acquires it,
  releases the condition's lock and acquires the waiter lock again, which blocks
  until `notify()` releases it.

Departures: 2.x's `Condition` defaults to an `RLock`, the model's to a plain lock;
2.x's timed `wait()` polled with growing sleeps, the model's waits on the lock with a
timeout, as 3.2+ does.  See {doc}`/threads`.
"""

from __future__ import annotations

import itertools
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pyinternals.threads.kernel import Abort

if TYPE_CHECKING:
    from pyinternals.threads.simulation import Simulation
    from pyinternals.threads.threadmodule import LockType


class Condition:
    """A condition variable made of a lock and a list of waiter locks."""

    def __init__(self, module: ThreadingModule, lock: LockType | None = None) -> None:
        self._module = module
        self._lock = module.Lock() if lock is None else lock
        self._waiters: list[LockType] = []

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Acquire the underlying lock."""
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        """Release the underlying lock."""
        self._lock.release()

    def __enter__(self) -> bool:
        return self._lock.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._lock.release()

    def __repr__(self) -> str:
        return f"<Condition({self._lock!r}, {len(self._waiters)})>"

    def _is_owned(self) -> bool:
        # 2.x's test for a lock that does not know its owner: if it can be taken, it
        # was not held.
        if self._lock.acquire(False):
            self._lock.release()
            return False
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Release the lock, wait for a `notify` (or `timeout` seconds), take it back."""
        if not self._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        waiter = self._module.Lock()
        waiter.acquire()
        self._waiters.append(waiter)
        self._lock.release()
        got = False
        try:
            if timeout is None:
                waiter.acquire()
                got = True
            elif timeout > 0:
                got = waiter.acquire(True, timeout)
            else:
                got = waiter.acquire(False)
            return got
        finally:
            if not got and waiter in self._waiters:
                self._waiters.remove(waiter)
            self._lock.acquire()

    def notify(self, n: int = 1) -> None:
        """Wake up to `n` threads waiting on this condition."""
        if not self._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        for waiter in self._waiters[:n]:
            waiter.release()
            self._waiters.remove(waiter)

    def notify_all(self) -> None:
        """Wake every thread waiting on this condition."""
        self.notify(len(self._waiters))

    notifyAll = notify_all


class Event:
    """A flag threads can wait for."""

    def __init__(self, module: ThreadingModule) -> None:
        self._cond = Condition(module)
        self._flag = False

    def is_set(self) -> bool:
        """Whether the flag is set."""
        return self._flag

    isSet = is_set

    def set(self) -> None:
        """Set the flag and wake every waiter."""
        with self._cond:
            self._flag = True
            self._cond.notify_all()

    def clear(self) -> None:
        """Reset the flag."""
        with self._cond:
            self._flag = False

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the flag is set (or `timeout` seconds pass); the flag."""
        with self._cond:
            if not self._flag:
                self._cond.wait(timeout)
            return self._flag


class Thread:
    """A thread of control: `start()` it, `join()` it."""

    _module: ThreadingModule

    def __init__(self, group: None = None, target: Callable[..., Any] | None = None,
                 name: str | None = None, args: tuple[Any, ...] = (),
                 kwargs: dict[str, Any] | None = None) -> None:
        if group is not None:
            raise ValueError("group argument must be None for now")
        module = self._module
        self._target = target
        self._args = args
        self._kwargs = {} if kwargs is None else kwargs
        self._name = str(name) if name is not None else f"Thread-{next(module._counter)}"
        self._ident: int | None = None
        self._started = Event(module)
        self._stopped = False
        self._block = Condition(module)

    def __repr__(self) -> str:
        status = ("initial" if not self._started.is_set() else
                  "stopped" if self._stopped else "started")
        ident = f" {self._ident}" if self._ident is not None else ""
        return f"<Thread({self._name}, {status}{ident})>"

    @property
    def name(self) -> str:
        """The thread's name, `Thread-N` by default."""
        return self._name

    @property
    def ident(self) -> int | None:
        """The thread's ident once started."""
        return self._ident

    def start(self) -> None:
        """Start the thread, and wait until it has started."""
        module = self._module
        if self._started.is_set() or self in module._limbo:
            raise RuntimeError("threads can only be started once")
        with module._active_limbo_lock:
            module._limbo[self] = self
        try:
            module.sim._pending_name = self._name
            module._start_new_thread(self._bootstrap, ())
        except Exception:
            with module._active_limbo_lock:
                del module._limbo[self]
            raise
        self._started.wait()

    def run(self) -> None:
        """What the thread does: call the target (override it in a subclass)."""
        try:
            if self._target is not None:
                self._target(*self._args, **self._kwargs)
        finally:
            del self._target, self._args, self._kwargs

    def _bootstrap(self) -> None:
        self._bootstrap_inner()

    def _bootstrap_inner(self) -> None:
        module = self._module
        try:
            self._ident = module._get_ident()
            self._started.set()
            with module._active_limbo_lock:
                module._active[self._ident] = self
                del module._limbo[self]
            try:
                self.run()
            except SystemExit:
                pass
            except Abort:
                raise
            except BaseException:
                out = module.sim.stderr if module.sim.stderr is not None else sys.stderr
                out.write(f"Exception in thread {self._name}:\n{traceback.format_exc()}")
        finally:
            with module._active_limbo_lock:
                self._stop()
                module._active.pop(module._get_ident(), None)

    def _stop(self) -> None:
        with self._block:
            self._stopped = True
            self._block.notify_all()

    def join(self, timeout: float | None = None) -> None:
        """Wait until the thread ends, or `timeout` seconds pass."""
        module = self._module
        if not self._started.is_set():
            raise RuntimeError("cannot join thread before it is started")
        if self is module.current_thread():
            raise RuntimeError("cannot join current thread")
        with self._block:
            if timeout is None:
                while not self._stopped:
                    self._block.wait()
            else:
                # On the simulation's clock (opcodes on the virtual one): in seconds, the
                # last fraction of an opcode could never be waited out.
                sim = module.sim
                deadline = sim.now() + sim.kernel.units(timeout)
                while not self._stopped:
                    delay = deadline - sim.now()
                    if delay <= 0:
                        break
                    self._block.wait(sim.seconds(delay))

    def is_alive(self) -> bool:
        """Started and not yet stopped."""
        return self._started.is_set() and not self._stopped

    isAlive = is_alive


class _MainThread(Thread):
    """The main thread, in `_active` from the start."""

    def __init__(self, module: ThreadingModule) -> None:
        self._module = module
        super().__init__(name="MainThread")
        self._ident = module.sim.main.ident
        self._started._flag = True


class ThreadingModule:
    """The `threading` module of one simulation (`sim.threading`)."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self._start_new_thread = sim.thread.start_new_thread
        self._get_ident = sim.thread.get_ident
        self.Lock = sim.thread.allocate_lock
        self._active_limbo_lock = self.Lock()
        #: Threads that are running, by ident.
        self._active: dict[int, Thread] = {}
        #: Threads that were started and have not run yet.
        self._limbo: dict[Thread, Thread] = {}
        self._counter = itertools.count(1)
        module = self
        self.Thread: type[Thread] = type("Thread", (Thread,), {"_module": module,
                                                                "__module__": __name__})
        self._active[sim.main.ident] = _MainThread(self)

    def Condition(self, lock: LockType | None = None) -> Condition:
        """A new condition variable (on `lock`, or on a new lock)."""
        return Condition(self, lock)

    def Event(self) -> Event:
        """A new event."""
        return Event(self)

    def current_thread(self) -> Thread:
        """The `Thread` object of the calling thread."""
        return self._active[self._get_ident()]

    def enumerate(self) -> list[Thread]:
        """The threads alive: those in `_active` and those in `_limbo`."""
        return list(self._active.values()) + list(self._limbo.values())

    def active_count(self) -> int:
        """How many threads are alive."""
        return len(self._active) + len(self._limbo)
