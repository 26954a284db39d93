"""The two GILs: 2.x's lock and ticker (`Python/ceval.c`), 3.x's `Python/ceval_gil.c`.

Both are written on the primitives of a {py:mod}`kernel <pyinternals.threads.kernel>`,
as CPython writes them on `Python/thread_pthread.h`, so that each runs unchanged on
the virtual clock and on the wall clock.  Both offer the same entry points, named
after the C functions that use them:

- `PyEval_InitThreads` creates the GIL and gives it to the calling thread;
- `PyEval_AcquireThread` / `PyEval_ReleaseThread` bracket a thread's life
  (`t_bootstrap`); `PyEval_SaveThread` / `PyEval_RestoreThread` bracket a blocking
  call (`Py_BEGIN_ALLOW_THREADS` / `Py_END_ALLOW_THREADS`);
- {py:meth}`TickerGIL.eval_breaker` and {py:meth}`SwitchGIL.eval_breaker` are the
  eval loop's periodic check, where a running thread gives the GIL away;
- `budget` says how many opcodes the holder may execute before that check must run.

Every change of hands is reported to a {py:class}`GILObserver` (the simulation's
timeline) with the reason the holder let go: `"ticks"` (2.x: the ticker ran out),
`"drop request"` (3.x: a waiter asked), `"blocking"` (a blocking call), `"exit"` (the
thread ended).  The C functions take no reason; it is the model's addition.

The chapter {doc}`/threads` walks through both.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pyinternals.runtime.pystate import FatalError, PyThreadState, Runtime
from pyinternals.threads.kernel import Kernel, KLock

Reason = Literal["ticks", "drop request", "blocking", "exit"]

#: The budget when nothing will ask the holder to stop (about a billion opcodes).
FOREVER = 1 << 30


class GILObserver(Protocol):
    """Told about every change of hands (the timeline and the trace)."""

    def gil_wanted(self, tstate: PyThreadState) -> None:
        """`tstate` starts waiting for the GIL."""

    def gil_taken(self, tstate: PyThreadState) -> None:
        """`tstate` has the GIL now."""

    def gil_dropped(self, tstate: PyThreadState, reason: Reason) -> None:
        """`tstate` let the GIL go, for `reason`."""

    def drop_requested(self, tstate: PyThreadState) -> None:
        """`tstate` set `gil_drop_request`."""

    def note(self, tstate: PyThreadState | None, text: str) -> None:
        """Something worth a line of the trace."""


class GILBase:
    """What both designs share: the bookkeeping and the thread-state swaps around
    taking and dropping the GIL."""

    design: Literal["ticker", "switch"]

    def __init__(self, kernel: Kernel, runtime: Runtime, observer: GILObserver) -> None:
        self.kernel = kernel
        self.runtime = runtime
        self.observer = observer
        #: The thread state holding the GIL, for drawings (C only knows `locked`).
        self.holder: PyThreadState | None = None
        #: Thread states waiting in `take_gil`, oldest first (C keeps no such list).
        self.waiters: list[PyThreadState] = []

    def take_gil(self, tstate: PyThreadState) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def drop_gil(self, tstate: PyThreadState | None, *, reason: Reason) -> None:
        raise NotImplementedError  # pragma: no cover - abstract

    def _wanted(self, tstate: PyThreadState) -> None:
        self.waiters.append(tstate)
        self.observer.gil_wanted(tstate)

    def _taken(self, tstate: PyThreadState) -> None:
        if tstate in self.waiters:
            self.waiters.remove(tstate)
        self.holder = tstate
        self.observer.gil_taken(tstate)

    def _dropped(self, tstate: PyThreadState, reason: Reason) -> None:
        self.holder = None
        self.observer.gil_dropped(tstate, reason)

    def _giving_up(self, tstate: PyThreadState | None) -> None:
        """Forget `tstate` as a waiter when it stops waiting without the GIL (abort)."""
        if tstate is not None and tstate in self.waiters:
            self.waiters.remove(tstate)

    # -- The API around the GIL (ceval.c / ceval_gil.c) -----------------------------------

    def PyEval_AcquireThread(self, tstate: PyThreadState) -> None:
        """Take the GIL, then make `tstate` current (`t_bootstrap`'s first step)."""
        self.take_gil(tstate)
        if self.runtime.PyThreadState_Swap(tstate) is not None:
            raise FatalError("PyEval_AcquireThread", "non-NULL old thread state")

    def _PyEval_ReleaseLock(self, tstate: PyThreadState) -> None:
        """The release in `PyThreadState_DeleteCurrent`: `drop_gil` with no thread state.

        A thread that ends never waits for the switch.  C passes `NULL`; the model
        passes the ending thread state so that the timeline knows whose slice ended.
        """
        self._dropped(tstate, "exit")
        self.drop_gil(None, reason="exit")

    def PyEval_SaveThread(self) -> PyThreadState:
        """`Py_BEGIN_ALLOW_THREADS`: no current thread state, the GIL dropped."""
        tstate = self.runtime.PyThreadState_Swap(None)
        if tstate is None:
            raise FatalError("PyEval_SaveThread", "NULL tstate")
        self.drop_gil(tstate, reason="blocking")
        return tstate

    def PyEval_RestoreThread(self, tstate: PyThreadState) -> None:
        """`Py_END_ALLOW_THREADS`: take the GIL back, make `tstate` current again."""
        self.take_gil(tstate)
        self.runtime.PyThreadState_Swap(tstate)


class TickerGIL(GILBase):
    """The 2.x GIL: a plain lock, offered to others every `check_interval` opcodes.

    `interpreter_lock` is a `PyThread_type_lock`, created by `PyEval_InitThreads`
    when the first thread is started.  `_Py_Ticker` counts down once per opcode
    (`if (--_Py_Ticker < 0)` at the top of the eval loop); when it goes below zero it
    is reset to `_Py_CheckInterval` and the thread releases the lock and asks for it
    again at once.  Nothing makes the releaser wait: the operating system decides
    whether a sleeping waiter gets in first.

    Because the test is `< 0`, a thread runs `_Py_CheckInterval + 1` opcodes between
    two releases.  CPython 2.x also skipped the test for the opcodes that jump to
    `fast_next_opcode` (`LOAD_FAST`, `LOAD_CONST`, `STORE_FAST`, ...), so it counted
    fewer than it executed; the model counts every opcode it sees.

    The lock is the kernel's `PyThread_type_lock`: a POSIX semaphore
    (`thread_pthread.h`) or, on Windows, an NRMUTEX
    ({py:class}`~pyinternals.threads.kernel.NRMUTEX`, `thread_nt.h`).  The ticker's
    code is the same on both; what "the operating system decides" is not: the
    semaphore is free after the release and the releaser usually takes it back, the
    NRMUTEX is handed to the thread already waiting, so contended threads take turns.
    """

    design: Literal["ticker", "switch"] = "ticker"

    def __init__(self, kernel: Kernel, runtime: Runtime, observer: GILObserver,
                 check_interval: int = 100) -> None:
        super().__init__(kernel, runtime, observer)
        #: `interpreter_lock`: the GIL itself, `None` until `PyEval_InitThreads`.
        self.interpreter_lock: KLock | None = None
        #: `sys.setcheckinterval()`'s value.
        self._Py_CheckInterval = check_interval
        #: Opcodes left before the next periodic check.  C starts it at 0 so that the
        #: very first opcode does the periodic things; the model's main thread runs
        #: no bytecode, so the model starts it full.
        self._Py_Ticker = check_interval
        #: `main_thread`: the ident of the thread that created the GIL.
        self.main_thread: int | None = None

    @property
    def created(self) -> bool:
        """`PyEval_ThreadsInitialized()`."""
        return self.interpreter_lock is not None

    def PyEval_InitThreads(self, tstate: PyThreadState) -> None:
        """Create the GIL and take it, unless it exists (the first thread does it)."""
        if self.interpreter_lock is not None:
            return
        self.interpreter_lock = self.kernel.lock("the GIL")
        self.interpreter_lock.acquire()
        self.main_thread = tstate.thread_id
        self.observer.note(tstate, "PyEval_InitThreads: creates the GIL and takes it")
        self._taken(tstate)

    def take_gil(self, tstate: PyThreadState) -> None:
        """`PyThread_acquire_lock(interpreter_lock, 1)`: wait for the lock."""
        lock = self.interpreter_lock
        if lock is None:
            raise FatalError("take_gil", "the GIL does not exist (PyEval_InitThreads "
                             "was never called)")
        if not lock.acquire(False):  # a free semaphore is taken at once
            self._wanted(tstate)
            try:
                lock.acquire()
            except BaseException:
                self._giving_up(tstate)
                raise
        self._taken(tstate)

    def drop_gil(self, tstate: PyThreadState | None, *, reason: Reason) -> None:
        """`PyThread_release_lock(interpreter_lock)`."""
        lock = self.interpreter_lock
        if lock is None or not lock.locked():
            raise FatalError("drop_gil", "GIL is not locked")
        if tstate is not None:
            self._dropped(tstate, reason)
        lock.release()

    def budget(self) -> int:
        """Opcodes before the next periodic check: what is left of `_Py_Ticker`."""
        return max(self._Py_Ticker, 0)

    def count(self, opcodes: int) -> None:
        """The holder executed `opcodes` opcodes: `--_Py_Ticker` for each."""
        self._Py_Ticker -= opcodes

    def eval_breaker(self, tstate: PyThreadState) -> bool:
        """The periodic check, when `_Py_Ticker` went below zero; True if it ran.

        ```c
        _Py_Ticker = _Py_CheckInterval;
        tstate->tick_counter++;
        if (interpreter_lock) {
            /* Give another thread a chance */
            if (PyThreadState_Swap(NULL) != tstate)
                Py_FatalError("ceval: tstate mix-up");
            PyThread_release_lock(interpreter_lock);
            /* Other threads may run now */
            PyThread_acquire_lock(interpreter_lock, 1);
            if (PyThreadState_Swap(tstate) != NULL)
                Py_FatalError("ceval: orphan tstate");
        }
        ```
        """
        if self._Py_Ticker >= 0:
            return False
        self._Py_Ticker = self._Py_CheckInterval
        if self.interpreter_lock is None:
            return True
        if self.runtime.PyThreadState_Swap(None) is not tstate:
            raise FatalError("ceval", "tstate mix-up")
        lock = self.interpreter_lock
        contended = lock.has_waiters()
        self._dropped(tstate, "ticks")
        lock.release()
        # Other threads may run now.  Whether one does is the operating system's call:
        # the releaser asks again at once, and usually gets the lock straight back.
        # An NRMUTEX (Windows) has already handed the lock to the waiter: no question.
        if contended and not lock.hands_over and self.kernel.reschedule():
            self.observer.note(tstate, "the OS lets a woken waiter in first")
        if not lock.acquire(False):
            self._wanted(tstate)
            try:
                lock.acquire()
            except BaseException:
                self._giving_up(tstate)
                raise
        self._taken(tstate)
        if self.runtime.PyThreadState_Swap(tstate) is not None:
            raise FatalError("ceval", "orphan tstate")
        return True


class SwitchGIL(GILBase):
    """The 3.2+ GIL (Antoine Pitrou's): a flag under a mutex, and a drop request.

    `locked` is protected by `mutex`; a thread that finds it set waits on `cond` for
    `interval`.  If the wait times out and no switch happened meanwhile
    (`switch_number` unchanged), the waiter sets `gil_drop_request`, which the holder's
    eval loop checks between opcodes.  The holder then drops the GIL and, with
    `FORCE_SWITCHING`, waits on `switch_cond` until another thread has taken it, so
    that it cannot take it straight back.
    """

    design: Literal["ticker", "switch"] = "switch"

    def __init__(self, kernel: Kernel, runtime: Runtime, observer: GILObserver,
                 switch_interval: float = 0.005, *, force_switching: bool = True) -> None:
        super().__init__(kernel, runtime, observer)
        #: `gil->interval`, in the kernel clock's units (opcodes or seconds).
        self.interval = kernel.units(switch_interval)
        self.switch_interval = switch_interval
        self.force_switching = force_switching
        self.locked = False
        #: The thread state that last held the GIL (`gil->last_holder`).
        self.last_holder: PyThreadState | None = None
        #: Incremented every time the GIL changes to another thread.
        self.switch_number = 0
        #: `ceval->gil_drop_request`, folded into `eval_breaker`.
        self.gil_drop_request = False
        #: Who set the current drop request (for drawings; C does not know).
        self.drop_requested_by: PyThreadState | None = None
        self.mutex = kernel.mutex()
        self.cond = kernel.cond(self.mutex, "the GIL (gil->cond)")
        self.switch_mutex = kernel.mutex()
        self.switch_cond = kernel.cond(self.switch_mutex, "another thread to take the GIL "
                                                          "(gil->switch_cond)")
        self.created = False

    def PyEval_InitThreads(self, tstate: PyThreadState) -> None:
        """`_PyEval_InitGIL`: create the GIL at start-up and take it."""
        if self.created:
            return
        self.created = True
        self.observer.note(tstate, "_PyEval_InitGIL: creates the GIL and takes it")
        self.take_gil(tstate)

    def SET_GIL_DROP_REQUEST(self, tstate: PyThreadState) -> None:
        """Ask the holder to drop the GIL at its next check."""
        self.gil_drop_request = True
        self.drop_requested_by = tstate
        self.observer.drop_requested(tstate)
        holder = self.holder
        self.observer.note(tstate, "waited a whole interval: sets gil_drop_request"
                           + (f" (holder: thread {holder.thread_id})" if holder else ""))

    def RESET_GIL_DROP_REQUEST(self) -> None:
        """The request has been served."""
        self.gil_drop_request = False
        self.drop_requested_by = None

    def take_gil(self, tstate: PyThreadState) -> None:
        """Wait for `locked` to clear, asking for a drop after each idle interval."""
        with self.mutex:
            if self.locked:
                self._wanted(tstate)
                try:
                    while self.locked:
                        saved_switchnum = self.switch_number
                        timed_out = self.cond.wait(self.interval)
                        # Timed out, and no switch happened meanwhile: ask for a drop.
                        if timed_out and self.locked and self.switch_number == saved_switchnum:
                            self.SET_GIL_DROP_REQUEST(tstate)
                except BaseException:
                    self._giving_up(tstate)
                    raise
            # _ready:
            with self.switch_mutex:
                self.locked = True
                if tstate is not self.last_holder:
                    self.last_holder = tstate
                    self.switch_number += 1
                if self.force_switching:
                    self.switch_cond.signal()
            if self.gil_drop_request:
                self.RESET_GIL_DROP_REQUEST()
            self._taken(tstate)

    def drop_gil(self, tstate: PyThreadState | None, *, reason: Reason) -> None:
        """Clear `locked`, wake a waiter; if asked to drop, wait for the switch."""
        if not self.locked:
            raise FatalError("drop_gil", "GIL is not locked")
        if tstate is not None:
            self.last_holder = tstate
            self._dropped(tstate, reason)
        with self.mutex:
            self.locked = False
            self.cond.signal()
        if self.force_switching and tstate is not None and self.gil_drop_request:
            with self.switch_mutex:
                # Not switched yet => wait
                if self.last_holder is tstate:
                    self.RESET_GIL_DROP_REQUEST()
                    self.switch_cond.wait()

    def budget(self) -> int:
        """Opcodes before the holder must look: none while a drop is requested."""
        return 0 if self.gil_drop_request else FOREVER

    def count(self, opcodes: int) -> None:
        """The switch GIL does not count opcodes."""

    def eval_breaker(self, tstate: PyThreadState) -> bool:
        """`_Py_HandlePending`: if a drop was requested, give the GIL away and ask again.

        ```c
        if (_Py_atomic_load_relaxed_int32(&interp_ceval_state->gil_drop_request)) {
            /* Give another thread a chance */
            if (_PyThreadState_SwapNoGIL(NULL) != tstate)
                Py_FatalError("tstate mix-up");
            drop_gil(ceval, tstate);
            /* Other threads may run now */
            take_gil(tstate);
            if (_PyThreadState_SwapNoGIL(tstate) != NULL)
                Py_FatalError("orphan tstate");
        }
        ```
        """
        if not self.gil_drop_request:
            return False
        if self.runtime.PyThreadState_Swap(None) is not tstate:
            raise FatalError("_Py_HandlePending", "tstate mix-up")
        self.drop_gil(tstate, reason="drop request")
        self.take_gil(tstate)
        if self.runtime.PyThreadState_Swap(tstate) is not None:
            raise FatalError("_Py_HandlePending", "orphan tstate")
        return True


GIL = TickerGIL | SwitchGIL
