"""How the GIL changes hands (`Python/ceval.c` in 2.x, `Python/ceval_gil.c` in 3.x).

- 2.x, the *ticker*: `_Py_Ticker` counts down from the check interval (100) once per
  opcode; at zero the running thread releases the GIL and asks for it again at once,
  and the operating system decides who wins.  `sys.getcheckinterval()`.
- 3.2+, the *switch interval*: a thread that waits longer than the interval (5 ms)
  sets `gil_drop_request`; the holder drops the GIL at its next check and, with
  `FORCE_SWITCHING`, waits until another thread has taken it.
  `sys.getswitchinterval()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pyinternals.profiles import resolve


@dataclass(frozen=True)
class GILProfile:
    """The GIL design and its default interval in one CPython version."""

    design: Literal["ticker", "switch"]
    #: Opcodes between releases under the ticker (2.x); `None` for 3.x.
    check_interval: int | None
    #: Seconds a waiter waits before asking for a drop (3.x); `None` for 2.x.
    switch_interval: float | None

    def describe(self) -> str:
        """The interval in words, as the book's tables print it."""
        if self.design == "ticker":
            return f"check interval {self.check_interval} opcodes"
        assert self.switch_interval is not None
        return f"switch interval {self.switch_interval * 1000:g} ms"


PROFILES: dict[str, GILProfile] = {
    "2.7": GILProfile("ticker", check_interval=100, switch_interval=None),
    "3.11": GILProfile("switch", check_interval=None, switch_interval=0.005),
    "3.12": GILProfile("switch", check_interval=None, switch_interval=0.005),
    "3.13": GILProfile("switch", check_interval=None, switch_interval=0.005),
}


def get(name: str | None = None) -> GILProfile:
    """The GIL profile of version `name` (default: the running interpreter's)."""
    return resolve(name, PROFILES, what="GIL")
