"""The measurements: the convoy, and two CPU-bound threads, on real CPythons and the model.

Two experiments, run the same way on the real interpreters (the `gil` probe) and on
the model ({py:class}`~pyinternals.threads.simulation.Simulation`):

- **The convoy.**  An I/O thread calls `time.sleep(0)` over and over and measures each
  round trip: alone, then beside a thread that only computes.  A round trip releases
  the GIL and must get it back; beside a CPU-bound thread, that is the whole story.
- **Two CPU-bound threads** do some work each, at the same time, against the same
  work done one thread after the other.  On the real interpreters the threads are
  pinned to two cores, and the sequential run uses the same two cores in turn, so
  that two cores of unequal speed (a virtual machine has neighbours) cost both runs
  alike; on the model one thread does both pieces.  Each trial gives a ratio of wall
  times and a ratio of the CPU time the process burnt; the medians are reported.

The real runs are short (a quarter of a second of convoy, a dozen trials of a few tens
of milliseconds: REFERENCE's 3-second runs are too slow for every build) and noisy,
on a machine that other work shares.  So the claims are about *shape*, with wide
bands:

- {py:func}`convoy_shape`: beside a CPU-bound thread, the median round trip is at least
  half a switch interval ("waits about a switch interval", 3.x), or it stays under
  100 µs with a tail at least ten times longer ("small median, long tail", 2.x);
- {py:func}`cpu_shape`: two threads burn at least 1.2 times the CPU of one ("clearly
  slower", 2.x on two cores) or less ("about the same", 3.x).  The CPU time is the
  robust measure here: the wall time of two threads also measures the other tenants
  of the machine, whenever one of them holds the second core.  For the same reason
  the real trials are judged in segments, as the convoy is: 2.x's extra CPU needs
  both threads on a processor at once, and while another process holds one of the
  two cores there is none; so the shape is read from the segment (five trials in a
  row) whose median ratio is highest.
- {py:func}`sleep_shape`: `time.sleep(0)` alone returns in under 20 µs (2.x's
  `select`) or sleeps Linux's timer slack (3.11's `clock_nanosleep`).

Each real interpreter and each model configuration is measured once per process
({py:func}`measure_real`, {py:func}`measure_model`): the ledger's rows and the book's
table show the same runs.
"""

from __future__ import annotations

import functools
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pyinternals import profiles
from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.probing import run_probe
from pyinternals.threads.simulation import Simulation

PROBE = Path(__file__).parent / "probes" / "gil.py"

#: The real runs: seconds of convoy, trials of CPU-bound work (iterations per thread).
REAL_CONFIG: dict[str, Any] = {"alone_seconds": 0.1, "convoy_seconds": 0.25, "segments": 5,
                               "work": 150_000, "trials": 15}

#: The real CPU-bound trials are judged in this many segments of consecutive trials.
CPU_SEGMENTS = 3

#: The switch interval the shapes are judged against (every 3.x default).
INTERVAL = 0.005


@dataclass(frozen=True)
class Latencies:
    """A distribution of round-trip times, in seconds."""

    n: int
    median: float
    p90: float
    p99: float
    max: float
    #: The median of each consecutive part of the run (see {py:func}`convoy_shape`).
    segment_medians: tuple[float, ...] = ()

    @classmethod
    def of(cls, values: Sequence[float], segments: int = 1) -> Latencies:
        """Summarise `values` (picked as the probe picks them: no interpolation)."""
        n = len(values)
        if not n:
            raise ValueError("no round trips were measured")
        ordered = sorted(values)
        size = max(1, n // segments)
        parts = [sorted(values[i:i + size]) for i in range(0, size * segments, size)]
        medians = tuple(part[len(part) // 2] for part in parts if part)
        return cls(n, ordered[n // 2], ordered[min(n - 1, int(n * 0.9))],
                   ordered[min(n - 1, int(n * 0.99))], ordered[-1], medians)

    @classmethod
    def from_probe(cls, summary: dict[str, Any]) -> Latencies:
        """From the probe's JSON summary."""
        return cls(int(summary["n"]), summary["median"], summary["p90"], summary["p99"],
                   summary["max"], tuple(summary.get("segment_medians", ())))


@dataclass(frozen=True)
class Measurement:
    """One interpreter's (or one model configuration's) results."""

    label: str
    kind: Literal["real", "model"]
    sleep_alone: Latencies
    sleep_cpu: Latencies
    #: Median over trials of (two threads together) / (the same work in turn): wall, and
    #: CPU time.
    cpu_wall: float
    cpu_time: float
    trials: int
    note: str = ""
    #: The median CPU-time ratio of each segment of consecutive trials (real runs).
    cpu_segments: tuple[float, ...] = ()

    @property
    def convoy(self) -> str:
        """The convoy's shape, in words."""
        return convoy_shape(self.sleep_cpu)

    @property
    def cpu(self) -> str:
        """The CPU-bound experiment's shape, in words: from the highest segment median
        when the trials were segmented, else from the median of all trials."""
        return cpu_shape(max(self.cpu_segments) if self.cpu_segments else self.cpu_time)

    @property
    def sleep(self) -> str:
        """What `sleep(0)` does alone, in words."""
        return sleep_shape(self.sleep_alone)


# -- The shapes ---------------------------------------------------------------------------

WAITS_AN_INTERVAL = "waits about a switch interval"
SMALL_WITH_TAIL = "small median, long tail"
SLOWER = "clearly slower"
SAME = "about the same"
AT_ONCE = "returns at once"
TIMER_SLACK = "sleeps the timer slack"


def convoy_shape(beside_cpu: Latencies, interval: float = INTERVAL) -> str:
    """How an I/O thread fares beside a CPU-bound one (see the module's bands).

    The convoy needs the CPU-bound thread to be on a processor when the I/O thread
    lets the GIL go.  On a shared machine another process sometimes keeps it off
    for a while, and for that while there is no convoy; so the run is cut into
    segments, and the I/O thread "waits about a switch interval" when the median
    of some segment is at least half an interval.
    """
    medians = beside_cpu.segment_medians or (beside_cpu.median,)
    if max(medians) >= 0.5 * interval:
        return WAITS_AN_INTERVAL
    if beside_cpu.median < 100e-6 and beside_cpu.max >= max(10 * beside_cpu.median, 20e-6):
        return SMALL_WITH_TAIL
    return (f"neither (median {beside_cpu.median * 1e6:.1f} µs, "
            f"max {beside_cpu.max * 1e6:.1f} µs)")


def cpu_shape(cpu_ratio: float) -> str:
    """Two CPU-bound threads against one: `clearly slower` from 1.2 times the CPU."""
    return SLOWER if cpu_ratio >= 1.2 else SAME


def sleep_shape(alone: Latencies) -> str:
    """`sleep(0)` alone: back in under 20 µs, or asleep for the timer slack."""
    return AT_ONCE if alone.median < 20e-6 else TIMER_SLACK


# -- Real interpreters -------------------------------------------------------------------


@functools.cache
def measure_real(interpreter: Interpreter) -> Measurement:
    """Run the `gil` probe's measurements in `interpreter` (once per process)."""
    data = run_probe(interpreter, PROBE, "measure", payload=REAL_CONFIG, timeout=120)
    trials = data["cpu_trials"]
    wall = statistics.median(par / seq for seq, par, _, _ in trials)
    ratios = [cpar / cseq for _, _, cseq, cpar in trials if cseq]
    cpu = statistics.median(ratios)
    size = max(1, len(ratios) // CPU_SEGMENTS)
    segments = tuple(statistics.median(ratios[i:i + size])
                     for i in range(0, len(ratios) - size + 1, size))
    note = "" if data["pinned"] else "threads not pinned to two cores"
    return Measurement(f"CPython {interpreter.label}", "real",
                       Latencies.from_probe(data["sleep_alone"]),
                       Latencies.from_probe(data["sleep_cpu"]), wall, cpu, len(trials), note,
                       segments)


@functools.cache
def real_facts(interpreter: Interpreter) -> dict[str, Any]:
    """The `gil` probe's facts about `interpreter` (once per process)."""
    facts: dict[str, Any] = run_probe(interpreter, PROBE, "facts")
    return facts


# -- The model ---------------------------------------------------------------------------


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def spin(n: int) -> None:
    """The CPU-bound work: count to `n`."""
    i = 0
    while i < n:
        i += 1


def _both(work: int) -> None:
    """One thread doing both pieces of work, in turn."""
    spin(work)
    spin(work)


def model_convoy(make: Callable[[], Simulation], *, with_cpu: bool, round_trips: int = 0,
                 seconds: float = 0.0, segments: int = 1) -> Latencies:
    """The convoy on the model: `round_trips` (virtual) or `seconds` (wall) of I/O."""
    sim = make()
    latencies: list[float] = []
    stop: list[bool] = []
    running = sim.allocate_lock()
    running.acquire()

    def cpu() -> None:
        running.release()
        while not stop:
            spin(200)

    def io() -> None:
        if with_cpu:
            running.acquire()  # the CPU-bound thread is running before the I/O starts
        now = sim.now
        if round_trips:
            for _ in range(round_trips):
                t0 = now()
                sim.sleep(0)
                latencies.append(now() - t0)
        else:
            end = now() + seconds
            while True:
                t0 = now()
                if t0 > end:
                    break
                sim.sleep(0)
                latencies.append(now() - t0)
        stop.append(True)

    try:
        if with_cpu:
            sim.start_new_thread(cpu)
        sim.start_new_thread(io)
        sim.run()
    finally:
        sim.close()
    return Latencies.of([sim.seconds(t) for t in latencies], segments)


def model_cpu(make: Callable[[], Simulation], *, work: int, trials: int) -> tuple[float, float]:
    """Two CPU-bound threads against one doing both, on the model: median ratios."""
    walls, cpus = [], []
    for _ in range(trials):
        times = []
        for threads in (1, 2):
            sim = make()
            try:
                if threads == 1:
                    sim.start_new_thread(_both, (work,))
                else:
                    sim.start_new_thread(spin, (work,))
                    sim.start_new_thread(spin, (work,))
                start, cpu0 = sim.now(), _cpu_seconds()
                sim.run()
                times.append((sim.now() - start, _cpu_seconds() - cpu0))
            finally:
                sim.close()
        (seq, cseq), (par, cpar) = times
        walls.append(par / seq)
        # On the virtual clock, time is what the threads spent: it is the CPU time.
        virtual = sim.clock.kind == "virtual"
        cpus.append(par / seq if virtual else cpar / max(cseq, 1e-9))
    return statistics.median(walls), statistics.median(cpus)


#: The model configurations of the book's table: design, profile, clock.
MODELS: tuple[tuple[Literal["ticker", "switch"], str, Literal["virtual", "wall"]], ...] = (
    ("ticker", "2.7", "virtual"),
    ("switch", "3.12", "virtual"),
    ("ticker", "2.7", "wall"),
    ("switch", "3.12", "wall"),
)


@functools.cache
def measure_model(design: Literal["ticker", "switch"], profile: str,
                  clock: Literal["virtual", "wall"], seed: int = 0) -> Measurement:
    """The two experiments on one model configuration (once per process)."""
    def make() -> Simulation:
        return Simulation(design, profile=profile, clock=clock, seed=seed)

    if clock == "virtual":
        alone = model_convoy(make, with_cpu=False, round_trips=50)
        beside = model_convoy(make, with_cpu=True, segments=5,
                              round_trips=200 if design == "ticker" else 15)
        wall, cpu = model_cpu(make, work=20_000, trials=1)
        trials = 1
    else:
        alone = model_convoy(make, with_cpu=False, seconds=0.05)
        beside = model_convoy(make, with_cpu=True, seconds=0.25, segments=5)
        wall, cpu = model_cpu(make, work=20_000, trials=5)
        trials = 5
    label = f"model: {design} GIL ({profile} profile), {clock} clock"
    return Measurement(label, "model", alone, beside, wall, cpu, trials)


def model_for(family: str) -> Measurement:
    """The model with `family`'s profile on the virtual clock (the ledger's model side)."""
    design = profiles.gil.get(family).design
    return measure_model(design, family, "virtual")


# -- The table ---------------------------------------------------------------------------


def _us(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def table_rows(measurements: Sequence[Measurement]) -> list[list[str]]:
    """The book's table: one row per measurement."""
    rows = []
    for m in measurements:
        rows.append([
            m.label,
            f"{_us(m.sleep_alone.median)}",
            f"{_us(m.sleep_cpu.median)} ({_us(m.sleep_cpu.p99)}; max {_us(m.sleep_cpu.max)})",
            m.convoy,
            f"{m.cpu_wall:.2f}× wall, {m.cpu_time:.2f}× CPU",
            m.cpu,
        ])
    return rows


TABLE_HEADER = ["", "sleep(0) alone, median", "beside a CPU thread: median (p99; max)",
                "convoy shape", "2 CPU threads: together / in turn", "shape"]


def measure_all(interpreters: dict[str, Interpreter]) -> list[Measurement]:
    """Every real interpreter given, then every model configuration."""
    real = [measure_real(interpreters[f]) for f in profiles.KNOWN if f in interpreters]
    return real + [measure_model(*m) for m in MODELS]


def elapsed(func: Callable[[], Any]) -> float:
    """Seconds `func()` takes (for reporting how long measurements took)."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start
