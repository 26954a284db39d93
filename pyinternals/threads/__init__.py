"""Chapter 3: threads and the GIL.

Ordinary Python functions run as threads on real OS threads, and a model GIL decides
which of them may execute bytecode: the 2.x ticker or the 3.2+ switch interval.

- {py:mod}`~pyinternals.threads.simulation`: the
  {py:class}`~pyinternals.threads.simulation.Simulation` that runs them, with its
  timeline and statistics;
- {py:mod}`~pyinternals.threads.gil`: the two GIL designs;
- {py:mod}`~pyinternals.threads.ceval`: the eval loop's opcode counting and check;
- {py:mod}`~pyinternals.threads.threadmodule`: the `thread` module, `bootstate`,
  `t_bootstrap`, locks;
- {py:mod}`~pyinternals.threads.threading`: the `threading` module on top;
- {py:mod}`~pyinternals.threads.kernel` and {py:mod}`~pyinternals.threads.clock`: the
  operating system underneath, virtual or real;
- {py:mod}`~pyinternals.threads.experiments`: the convoy and the two-CPU-threads
  measurements, on the model and on real interpreters.

The chapter is {doc}`/threads`.
"""

from pyinternals.threads.clock import VirtualClock, WallClock
from pyinternals.threads.kernel import Abort, Deadlock
from pyinternals.threads.simulation import ModelThread, Simulation, Snapshot
from pyinternals.threads.timeline import Slice, ThreadStats, Timeline

__all__ = [
    "Abort",
    "Deadlock",
    "ModelThread",
    "Simulation",
    "Slice",
    "Snapshot",
    "ThreadStats",
    "Timeline",
    "VirtualClock",
    "WallClock",
]
