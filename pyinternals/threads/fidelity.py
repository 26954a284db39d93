"""The threads chapter's rows of the fidelity ledger.

Three kinds of claims:

- **interpreter facts**: the `thread` module's functions, the report of an uncaught
  exception, the errors of bad input, each produced by the model with a version's
  profile and by that version's real interpreter (the `gil` probe);
- **mechanics on the virtual clock**, exact: the opcodes each thread runs under the
  simulation equal those of the same function run alone (under the running
  interpreter's tracing); the ticker's slices and the switch GIL's longest wait are
  the real interpreter's check and switch intervals;
- **the measured shapes** ({py:mod}`pyinternals.threads.experiments`): the convoy, two
  CPU-bound threads and `sleep(0)` alone, run on the model (virtual clock, the
  version's profile) and measured on the real interpreter, judged with the same bands.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

from pyinternals import profiles
from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.ledger import Check, Outcome, agreement, compare, skipped
from pyinternals.observe.probing import probe_once
from pyinternals.profiles.gil import NOTES_THREAD_FUNCTIONS
from pyinternals.threads import experiments
from pyinternals.threads.ceval import count_opcodes
from pyinternals.threads.clock import VirtualClock
from pyinternals.threads.simulation import Simulation

CHAPTER = "threads"
_SWITCH = tuple(f for f in profiles.KNOWN if profiles.gil.get(f).design == "switch")
_TICKER = tuple(f for f in profiles.KNOWN if profiles.gil.get(f).design == "ticker")
_REPR = re.compile(r"<function .*? at 0x[0-9a-fA-F]+>")


def _model_functions(family: str) -> str:
    sim = Simulation(profile=family)
    try:
        present = [n for n in NOTES_THREAD_FUNCTIONS if callable(getattr(sim.thread, n, None))]
        return f"{sim.thread.__name__}: {', '.join(present)}"
    finally:
        sim.close()


def _real_functions(interpreter: Interpreter) -> str:
    facts = experiments.real_facts(interpreter)
    return f"{facts['module']}: {', '.join(facts['functions'])}"


def _boom() -> None:
    raise ValueError("boom")


def _model_unhandled(family: str) -> tuple[str, str]:
    sim = Simulation(profile=family)
    sim.stderr = io.StringIO()
    try:
        sim.start_new_thread(_boom)
        sim.run()
    finally:
        sim.close()
    lines = sim.stderr.getvalue().strip().splitlines()
    return _REPR.sub("{func}", lines[0]), lines[-1]


def _real_unhandled(interpreter: Interpreter) -> tuple[str, str]:
    facts = experiments.real_facts(interpreter)
    return _REPR.sub("{func}", facts["unhandled_first_line"]), facts["unhandled_last_line"]


def _error(call: Any) -> tuple[str, str] | None:
    try:
        call()
    except Exception as exc:
        return type(exc).__name__, str(exc)
    return None


def _model_errors(family: str) -> dict[str, tuple[str, str] | None]:
    sim = Simulation(profile=family)
    try:
        thread, threading = sim.thread, sim.threading
        lock = thread.allocate_lock()
        errors = {
            "not callable": _error(lambda: thread.start_new_thread(1, ())),
            "args not a tuple": _error(lambda: thread.start_new_thread(len, [])),
            "kwargs not a dict": _error(lambda: thread.start_new_thread(len, (), [])),
            "release unlocked": _error(lock.release),
            "join unstarted": _error(threading.Thread(target=len).join),
            "join itself": _error(threading.current_thread().join),
        }
        refusing = Simulation(profile=family, max_threads=0)
        try:
            errors["start refused"] = _error(lambda: refusing.start_new_thread(len, ((),)))
        finally:
            refusing.close()
        if profiles.gil.get(family).negative_timeout_message is not None:
            errors["negative timeout"] = _error(lambda: lock.acquire(True, -2))
            errors["timeout without blocking"] = _error(lambda: lock.acquire(False, 1))
        return errors
    finally:
        sim.close()


def _model_child_exit(family: str) -> tuple[str, int]:
    sim = Simulation(profile=family)
    sim.stderr = io.StringIO()
    try:
        sim.start_new_thread(sim.thread.exit)
        sim.run()
        return sim.stderr.getvalue(), sim.thread._count()
    finally:
        sim.close()


def _real_child_exit(interpreter: Interpreter) -> tuple[str, int]:
    text, count = experiments.real_facts(interpreter)["child_exit"]
    return str(text), int(count)


def _model_start_refused(family: str) -> tuple[int, int, bool]:
    """`_count()` before and after a refused start, and whether a thread starts after."""
    sim = Simulation(profile=family, max_threads=0)
    try:
        before = sim.thread._count()
        refused = _error(lambda: sim.start_new_thread(len, ((),)))
        after = sim.thread._count()
        sim.max_threads = None  # the limit is lifted, as the probe lifts RLIMIT_AS
        sim.start_new_thread(len, ((),))
        return before, after, refused is not None and sim.run()
    finally:
        sim.close()


def _start_refused(interpreter: Interpreter) -> Outcome:
    assert interpreter.profile is not None
    state = experiments.real_facts(interpreter).get("start_refused_count")
    if state is None:
        return skipped("this interpreter's OS would not let the probe limit its address space")
    real = (int(state[0]), int(state[1]), bool(state[2]))
    return agreement(_model_start_refused(interpreter.profile), real)


def _real_errors(interpreter: Interpreter) -> dict[str, tuple[str, str] | None]:
    facts = experiments.real_facts(interpreter)
    return {k: ((v[0], v[1]) if v else None) for k, v in facts["errors"].items()}


# -- Mechanics on the virtual clock ---------------------------------------------------


def _spinner(n: int) -> None:
    i = 0
    while i < n:
        i += 1


def _opcode_counts(interpreter: Interpreter) -> Outcome:
    work = {2: 3_000, 3: 5_000, 4: 700}
    model = {}
    for design in ("ticker", "switch"):
        sim = Simulation(design, switch_interval=0.0002)
        try:
            for n in work.values():
                sim.start_new_thread(_spinner, (n,))
            sim.run()
            model[design] = {i: s.opcodes for i, s in sim.stats.items()}
        finally:
            sim.close()
    real = {i: count_opcodes(_spinner, n) for i, n in work.items()}
    return agreement({d: sorted(c.values()) for d, c in model.items()},
                     {d: sorted(real.values()) for d in model})


def _ticker_slices(family: str) -> int:
    """The commonest slice of CPU-bound threads under the ticker, less one opcode."""
    sim = Simulation("ticker", profile=family,
                     check_interval=profiles.gil.get(family).check_interval or 100)
    try:
        for _ in range(2):
            sim.start_new_thread(_spinner, (4_000,))
        sim.run()
    finally:
        sim.close()
    length, _ = Counter(s.opcodes for s in sim.timeline if s.reason == "ticks").most_common(1)[0]
    return int(length - 1)


def _switch_wait(family: str) -> float:
    """The longest wait for the GIL beside a CPU-bound thread, all costs zero."""
    interval = profiles.gil.get(family).switch_interval or 0.005
    clock = VirtualClock(syscall=0, wake=0, signal=0, timer_slack=0, wake_jitter=0)
    sim = Simulation("switch", profile=family, switch_interval=interval, clock=clock)
    stop: list[bool] = []

    def cpu() -> None:
        while not stop:
            pass

    def waiter() -> None:
        for _ in range(3):
            sim.sleep(0)
        stop.append(True)

    try:
        sim.start_new_thread(cpu)
        sim.start_new_thread(waiter)
        sim.run()
    finally:
        sim.close()
    # At most an interval plus one opcode: to the microsecond, the interval.
    return round(clock.seconds(sim.stats[3].longest_wait), 6)


def _real_check_interval(interpreter: Interpreter) -> int:
    return int(probe_once(interpreter, "facts")["check_interval"])


def _real_switch_interval(interpreter: Interpreter) -> float:
    return float(probe_once(interpreter, "facts")["switch_interval"])


# -- Measured shapes ----------------------------------------------------------------------


def _shape(attribute: str) -> Any:
    def evaluate(interpreter: Interpreter) -> Outcome:
        assert interpreter.profile is not None
        model = getattr(experiments.model_for(interpreter.profile), attribute)
        real = experiments.measure_real(interpreter)
        note = (f"real: sleep(0) alone {real.sleep_alone.median * 1e6:.1f} µs; beside a CPU "
                f"thread median {real.sleep_cpu.median * 1e6:.1f} µs, max "
                f"{real.sleep_cpu.max * 1e6:.1f} µs; two CPU threads {real.cpu_wall:.2f}x wall, "
                f"{real.cpu_time:.2f}x CPU ({real.trials} trials; segment medians "
                f"{', '.join(f'{m:.2f}' for m in real.cpu_segments)}) {real.note}").rstrip()
        return agreement(model, getattr(real, attribute), note)

    return evaluate


CHECKS: list[Check] = [
    compare(
        "threads.functions",
        CHAPTER,
        "the notes' thread module functions (start_new_thread ... stack_size) are there",
        "which of them the thread (2.x) or _thread (3.x) module has",
        model=_model_functions,
        observe=_real_functions,
    ),
    compare(
        "threads.unhandled-exception",
        CHAPTER,
        "what t_bootstrap prints for an exception the thread's function did not catch "
        "(first and last line)",
        "start_new_thread(f) where f raises ValueError, sys.stderr read back",
        model=_model_unhandled,
        observe=_real_unhandled,
    ),
    compare(
        "threads.bad-input",
        CHAPTER,
        "the errors for bad input: start_new_thread's arguments, releasing an unlocked "
        "lock, joining a thread not started or oneself, bad timeouts; and "
        "start_new_thread when the OS refuses the thread",
        "each call made in the real interpreter, exception type and message (the OS "
        "refuses a 256 MiB thread stack under a tight RLIMIT_AS)",
        model=_model_errors,
        observe=_real_errors,
    ),
    compare(
        "threads.child-exit",
        CHAPTER,
        "a child thread that ends with SystemExit (thread.exit) ends only itself: "
        "t_bootstrap prints nothing and deletes its own thread state, the main thread "
        "goes on",
        "start_new_thread(thread.exit) with sys.stderr read back, then _count()",
        model=_model_child_exit,
        observe=_real_child_exit,
    ),
    Check(
        "threads.start-refused-state",
        CHAPTER,
        "a start the OS refused leaves the module as it was: _count() unchanged, and a "
        "thread starts once the OS has room again",
        "start_new_thread under a tight RLIMIT_AS with a 256 MiB stack, then again with "
        "the limit lifted",
        _start_refused,
    ),
    Check(
        "threads.opcode-counts",
        CHAPTER,
        "each thread executes, under either GIL, exactly the opcodes of its function run "
        "alone",
        "three counting functions as threads of the model (virtual clock), against the "
        "same functions under bare opcode tracing in the running interpreter",
        _opcode_counts,
        families=_SWITCH,
        scope="running",
    ),
    compare(
        "threads.ticker-slice",
        CHAPTER,
        "under the ticker a CPU-bound thread runs check interval + 1 opcodes between "
        "releases (--_Py_Ticker < 0)",
        "sys.getcheckinterval(), against the model's commonest slice less one",
        model=_ticker_slices,
        observe=_real_check_interval,
        families=_TICKER,
    ),
    compare(
        "threads.switch-wait",
        CHAPTER,
        "under the switch GIL a waiter gets the GIL at most one switch interval (plus "
        "one opcode) after it asked, all other costs zero",
        "sys.getswitchinterval(), against the model's longest wait (to the µs)",
        model=_switch_wait,
        observe=_real_switch_interval,
        families=_SWITCH,
    ),
    Check(
        "threads.sleep0",
        CHAPTER,
        "time.sleep(0) alone: 2.x's select() returns at once, 3.11's clock_nanosleep() "
        "sleeps Linux's timer slack",
        "median of an I/O thread's sleep(0) round trips (0.1 s)",
        _shape("sleep"),
        exclusive=True,
    ),
    Check(
        "threads.convoy",
        CHAPTER,
        "beside a CPU-bound thread, an I/O thread waits about a switch interval per round "
        "trip (3.x) or mostly not at all, with a long tail (2.x)",
        "sleep(0) round trips beside a spinning thread for 0.25 s: median and max",
        _shape("convoy"),
        exclusive=True,
    ),
    Check(
        "threads.cpu-bound",
        CHAPTER,
        "two CPU-bound threads on two cores burn clearly more CPU than the same work done "
        "one after the other (2.x), about the same (3.x)",
        "15 trials, threads pinned to two cores, run together and in turn: CPU-time "
        "ratios, the highest median of three segments of five trials against a 1.2 band",
        _shape("cpu"),
        exclusive=True,
    ),
]
