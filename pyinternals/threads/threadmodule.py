"""The `thread` module (`_thread` in 3.x): a model of `Modules/threadmodule.c`.

The module that `threading` is built on has a handful of functions
(`thread_methods` in C): `start_new_thread` (alias `start_new`), `allocate_lock`
(`allocate`), `exit` (`exit_thread`), `get_ident`, `interrupt_main`, `_count` and
`stack_size`, and one type, the lock.

Starting a thread is the path the notes follow:

1. `thread_PyThread_start_new_thread` checks its arguments and fills a
   {py:class}`bootstate`: the interpreter, the function, its arguments, and a thread
   state made in advance (`_PyThreadState_Prealloc`);
2. `PyEval_InitThreads` creates the GIL if this is the first thread (2.x);
3. `PyThread_start_new_thread` asks the OS for a thread that runs
   {py:meth}`~ThreadModule.t_bootstrap`;
4. {py:meth}`~ThreadModule.t_bootstrap`, in the new thread, binds the thread state to it
   (`_PyThreadState_Init`, whose `_PyGILState_NoteThreadState` records it as the
   thread's own in the runtime's `gilstate`), takes the GIL (`PyEval_AcquireThread`), calls the
   function, reports an exception nobody caught (`SystemExit` excepted), then clears
   and deletes its thread state, which drops the GIL, and ends.  That is all a
   child thread tears down: the interpreter and the runtime are the main thread's,
   destroyed by `Py_Finalize` when the program ends.

When the OS refuses a thread (`PyThread_start_new_thread` returns -1) or a lock
(`PyThread_allocate_lock` returns `NULL`), the errors are "can't start new thread"
and "can't allocate lock" ({py:class}`~pyinternals.threads.simulation.Simulation`'s
`max_threads` and `max_locks`).

See {doc}`/threads` for the walk through.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pyinternals.runtime.pystate import PyInterpreterState, PyThreadState
from pyinternals.threads.kernel import Abort, KLock

if TYPE_CHECKING:
    from pyinternals.threads.simulation import ModelThread, Simulation

#: `threading.TIMEOUT_MAX` on 64-bit Linux (`PY_TIMEOUT_MAX` in microseconds / 1e6).
TIMEOUT_MAX = 9223372036.0


@dataclass
class bootstate:
    """What the new thread needs to run (`struct bootstate`)."""

    interp: PyInterpreterState
    func: Callable[..., Any]
    args: tuple[Any, ...]
    keyw: dict[str, Any] | None
    tstate: PyThreadState


class LockType:
    """A lock object (`lockobject`): a `PyThread_type_lock` behind a Python type.

    Any thread may release it, not just the one that acquired it.  Waiting for it is
    a blocking call: the GIL is released meanwhile.
    """

    def __init__(self, module: ThreadModule, number: int, lock_lock: KLock) -> None:
        self._module = module
        self._sim = module.sim
        #: Numbered in the order of `allocate_lock()` calls: `lock 1`, `lock 2` ...
        self.number = number
        #: The model thread that acquired it last (C does not know; for diagnostics).
        self.owner: int | None = None
        #: The OS lock (`PyThread_type_lock`): a semaphore, or an NRMUTEX on Windows.
        self.lock_lock: KLock = lock_lock

    def _describe(self) -> str:
        held = f", held by thread {self.owner}" if self.locked() and self.owner else ""
        return f"lock {self.number}{held}"

    def __repr__(self) -> str:
        state = "locked" if self.locked() else "unlocked"
        return f"<{state} {self._module.__name__}.lock {self.number}>"

    def locked(self) -> bool:
        """Whether the lock is held (`lock_locked_lock`)."""
        return self.lock_lock.locked()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Acquire the lock, waiting at most `timeout` seconds (-1: forever).

        3.x first tries without releasing the GIL, and only releases it to wait
        (`acquire_timed`); 2.x released it around every attempt.
        """
        sim = self._sim
        profile = sim.profile
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool):
            raise TypeError(f"timeout must be a number of seconds, not {timeout!r}")
        if not blocking and timeout != -1:
            raise ValueError("can't specify a timeout for a non-blocking call")
        if timeout < 0 and timeout != -1:
            raise ValueError(profile.negative_timeout_message or "timeout value must be positive")
        if timeout > TIMEOUT_MAX:
            raise OverflowError("timeout value is too large")
        if profile.lock_tries_first or not blocking:
            if self.lock_lock.acquire(False):
                self.owner = sim.current().ident
                return True
            if not blocking:
                return False
        units = None if timeout == -1 else sim.kernel.units(timeout)
        got = sim.blocking_call(f"waits for lock {self.number}",
                                lambda: self.lock_lock.acquire(True, units))
        if got:
            self.owner = sim.current().ident
        return bool(got)

    def release(self) -> None:
        """Release the lock; an unlocked lock is an error (`thread.error` in 2.x)."""
        if not self.lock_lock.locked():
            raise self._module.error("release unlocked lock")
        self.owner = None
        self.lock_lock.release()

    acquire_lock = acquire
    release_lock = release
    locked_lock = locked

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


class ThreadModule:
    """The `thread` module of one simulation (`sim.thread`)."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.__name__ = sim.profile.thread_module
        #: `nb_threads`: threads running their function right now.
        self.nb_threads = 0
        self._locks = 0
        self._stack_size = 0
        self.LockType = LockType
        #: The lock's error: 3.x raises `RuntimeError`, 2.x its own `thread.error`.
        self.error: type[Exception] = (
            RuntimeError if sim.profile.lock_error == "RuntimeError"
            else type("error", (RuntimeError,), {"__module__": self.__name__})
        )

    # -- thread_methods ---------------------------------------------------------------

    def start_new_thread(self, func: Any, args: Any = (), kwargs: Any = None) -> int:
        """`thread_PyThread_start_new_thread`: start `func(*args, **kwargs)`; its ident."""
        if not callable(func):
            raise TypeError("first arg must be callable")
        if not isinstance(args, tuple):
            raise TypeError("2nd arg must be a tuple")
        if kwargs is not None and not isinstance(kwargs, dict):
            raise TypeError("optional 3rd arg must be a dictionary")
        sim = self.sim
        creator = sim.current()
        interp = creator.tstate.interp
        boot = bootstate(interp, func, args, kwargs, sim.runtime._PyThreadState_Prealloc(interp))
        sim.gil.PyEval_InitThreads(creator.tstate)  # start the interpreter's thread-awareness
        ident = sim.PyThread_start_new_thread(self.t_bootstrap, boot)
        if ident == -1:
            # The OS refused.  C clears the preallocated thread state (2.7 leaves it on
            # the interpreter's list, 3.x deletes it); the model deletes it, so that the
            # interpreter is as it was.  The GIL, created above, stays.
            sim.runtime.PyThreadState_Clear(boot.tstate)
            sim.runtime.PyThreadState_Delete(boot.tstate)
            raise self.error("can't start new thread")
        return ident

    start_new = start_new_thread

    def allocate_lock(self) -> LockType:
        """`thread_PyThread_allocate_lock`: a new, unlocked lock (`newlockobject`).

        When the OS has no lock to give (`PyThread_allocate_lock` returns `NULL`),
        the lock object is thrown away and the error is `thread.error` (2.x) or
        `RuntimeError` (3.x): "can't allocate lock".
        """
        made: list[LockType] = []  # the OS lock names its lock object when it waits
        lock_lock = self.sim.PyThread_allocate_lock(lambda: made[0]._describe())  # noqa: PLW0108
        if lock_lock is None:
            raise self.error("can't allocate lock")
        self._locks += 1
        made.append(LockType(self, self._locks, lock_lock))
        return made[0]

    allocate = allocate_lock

    def exit(self) -> None:
        """`thread_PyThread_exit_thread`: end the calling thread (raises `SystemExit`)."""
        raise SystemExit

    exit_thread = exit

    def get_ident(self) -> int:
        """The calling thread's ident (model idents count from 1, the main thread)."""
        return self.sim.current().ident

    def interrupt_main(self) -> None:
        """Raise `KeyboardInterrupt` in the main thread when it next waits in the model."""
        self.sim.interrupt_main()

    def _count(self) -> int:
        """`nb_threads`: threads that are running their function."""
        return self.nb_threads

    def stack_size(self, size: int | None = None) -> int:
        """The stack size for new threads (0: the platform's default); set a new one.

        The model's threads are the host's threads, so the value is only recorded.
        """
        old = self._stack_size
        if size is None:
            return old
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"stack_size() wants an int, not {type(size).__name__}")
        if size != 0 and size < 32768:
            raise ValueError(f"size not valid: {size} bytes")
        self._stack_size = size
        return old

    # -- The new thread ---------------------------------------------------------------

    def t_bootstrap(self, boot: bootstate, thread: ModelThread) -> None:
        """The new thread's first and last Python-level frame.

        ```c
        tstate = boot->tstate;
        tstate->thread_id = PyThread_get_thread_ident();
        _PyThreadState_Init(tstate);
        PyEval_AcquireThread(tstate);
        nb_threads++;
        res = PyEval_CallObjectWithKeywords(boot->func, boot->args, boot->keyw);
        ... /* report an error other than SystemExit */
        nb_threads--;
        PyThreadState_Clear(tstate);
        PyThreadState_DeleteCurrent();
        PyThread_exit_thread();
        ```
        """
        sim = self.sim
        tstate = boot.tstate
        sim.runtime._PyThreadState_Init(tstate, thread.ident)
        has_gil = False
        try:
            sim.gil.PyEval_AcquireThread(tstate)
            has_gil = True
            self.nb_threads += 1
            try:
                thread.eval.install()
                try:
                    boot.func(*boot.args, **(boot.keyw or {}))
                finally:
                    thread.eval.uninstall()
                    thread.eval.sync()
            except SystemExit:
                pass
            except Abort:
                raise
            except BaseException as exc:
                self._report(boot, exc)
            finally:
                self.nb_threads -= 1
            # A child thread tears down only its own thread state; the interpreter and
            # the runtime are the main thread's, which destroys them in Py_Finalize.
            sim.note(tstate, "t_bootstrap: PyThreadState_Clear, PyThreadState_DeleteCurrent "
                     "(its own thread state only)")
            sim.runtime.PyThreadState_Clear(tstate)
            sim.runtime.PyThreadState_DeleteCurrent()
            has_gil = False
            sim.gil._PyEval_ReleaseLock(tstate)  # DeleteCurrent's release, in C
        except Abort:
            sim.abandon(thread, has_gil)

    def _report(self, boot: bootstate, exc: BaseException) -> None:
        """What `t_bootstrap` prints for an uncaught exception (`PyErr_PrintEx`)."""
        sim = self.sim
        sim.unhandled.append((boot.tstate.thread_id or 0, exc))
        out = sim.stderr if sim.stderr is not None else sys.stderr
        tb = exc.__traceback__
        out.write(sim.profile.unhandled_line(boot.func) + "\n")
        out.write("".join(traceback.format_exception(type(exc), exc, tb.tb_next if tb else None)))
