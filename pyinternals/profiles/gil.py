"""How the GIL changes hands (`Python/ceval.c` in 2.x, `Python/ceval_gil.c` in 3.x).

- 2.x, the *ticker*: `_Py_Ticker` counts down from the check interval (100) once per
  opcode; at zero the running thread releases the GIL and asks for it again at once,
  and the operating system decides who wins.  `sys.getcheckinterval()`.
- 3.2+, the *switch interval*: a thread that waits longer than the interval (5 ms)
  sets `gil_drop_request`; the holder drops the GIL at its next check and, with
  `FORCE_SWITCHING`, waits until another thread has taken it.
  `sys.getswitchinterval()`.

The other fields are what the `thread` module (`Modules/threadmodule.c` in 2.x,
`Modules/_threadmodule.c` in 3.x) and `time.sleep` do differently: when the GIL is
created, the message printed for an exception nobody caught in a thread, the
wording of the lock's errors, and which system call `time.sleep` makes.  The threads
chapter ({doc}`/threads`) reads all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pyinternals.profiles import resolve

#: The functions of the notes' `thread_methods` table (2.x `Modules/threadmodule.c`).
NOTES_THREAD_FUNCTIONS: tuple[str, ...] = (
    "start_new_thread", "start_new", "allocate_lock", "allocate", "exit_thread", "exit",
    "interrupt_main", "get_ident", "_count", "stack_size",
)


@dataclass(frozen=True)
class GILProfile:
    """The GIL design and its default interval in one CPython version."""

    design: Literal["ticker", "switch"]
    #: Opcodes between releases under the ticker (2.x); `None` for 3.x.
    check_interval: int | None
    #: Seconds a waiter waits before asking for a drop (3.x); `None` for 2.x.
    switch_interval: float | None
    #: `"first thread"`: `PyEval_InitThreads` creates the GIL when the first thread is
    #: started (2.x); `"startup"`: `Py_Initialize` creates it (3.7+, bpo-20891).
    gil_created: Literal["first thread", "startup"] = "startup"
    #: 3.x's `drop_gil` waits until another thread took the GIL (`FORCE_SWITCHING`).
    force_switching: bool = True
    #: The name of the low-level module: `thread` (2.x) or `_thread` (3.x).
    thread_module: str = "_thread"
    #: What `t_bootstrap` prints before the traceback of an uncaught exception;
    #: `{func}` stands for `repr()` of the thread's function.
    unhandled_format: str = "Exception ignored in thread started by: {func}"
    #: `lock.acquire()` first tries without releasing the GIL (3.2+ `acquire_timed`);
    #: 2.x always released it around `PyThread_acquire_lock`.
    lock_tries_first: bool = True
    #: The exception of a lock released while unlocked: 2.x's own `thread.error`,
    #: 3.x's `RuntimeError` (which `_thread.error` is an alias of).
    lock_error: Literal["error", "RuntimeError"] = "RuntimeError"
    #: The `ValueError` for a negative timeout other than -1 (`None`: 2.x has no
    #: timeout argument at all).
    negative_timeout_message: str | None = "timeout value must be positive"
    #: The system call of `time.sleep`: `select()` (2.x, 3.0-3.10) returns at once for
    #: 0; `clock_nanosleep()` (3.11+) always sleeps at least the timer slack.
    sleep_call: Literal["select", "clock_nanosleep"] = "clock_nanosleep"
    #: The platforms whose `PyThread_type_lock` the model has for this version:
    #: `"posix"` (a semaphore, `thread_pthread.h`) and, for 2.x, `"nt"` (the NRMUTEX of
    #: `thread_nt.h`: a counter and an event; 3.x rebuilt Windows locks on other
    #: primitives, which the model does not have).
    lock_platforms: tuple[str, ...] = ("posix",)

    def describe(self) -> str:
        """The interval in words, as the book's tables print it."""
        if self.design == "ticker":
            return f"check interval {self.check_interval} opcodes"
        assert self.switch_interval is not None
        return f"switch interval {self.switch_interval * 1000:g} ms"

    def unhandled_line(self, func: object) -> str:
        """The line `t_bootstrap` writes before the traceback, for thread function `func`."""
        return self.unhandled_format.format(func=repr(func))


PROFILES: dict[str, GILProfile] = {
    "2.7": GILProfile(
        "ticker", check_interval=100, switch_interval=None, gil_created="first thread",
        force_switching=False, thread_module="thread",
        unhandled_format="Unhandled exception in thread started by {func}",
        lock_tries_first=False, lock_error="error", negative_timeout_message=None,
        sleep_call="select", lock_platforms=("posix", "nt"),
    ),
    "3.11": GILProfile("switch", check_interval=None, switch_interval=0.005),
    "3.12": GILProfile("switch", check_interval=None, switch_interval=0.005),
    "3.13": GILProfile(
        "switch", check_interval=None, switch_interval=0.005,
        unhandled_format="Exception ignored in thread started by {func}:",
        negative_timeout_message="timeout value must be a non-negative number",
    ),
}


def get(name: str | None = None) -> GILProfile:
    """The GIL profile of version `name` (default: the running interpreter's)."""
    return resolve(name, PROFILES, what="GIL")
