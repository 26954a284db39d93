"""Windows' NRMUTEX under the 2.x ticker, and the failure and teardown paths of threads."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyinternals.threads import Simulation, VirtualClock
from pyinternals.threads.kernel import NRMUTEX, VirtualKernel, VirtualLock

ROUND = VirtualClock(wake_jitter=0)


def program(sim: Simulation, n: int = 700) -> list[tuple[str, int]]:
    """Two counting threads and a third that sleeps between lock-protected appends."""
    out: list[tuple[str, int]] = []
    lock = sim.allocate_lock()

    def count(name: str, n: int) -> None:
        total = 0
        for i in range(n):
            total += i
        with lock:
            out.append((name, total))

    def napper() -> None:
        for i in range(3):
            sim.sleep(0.00001)
            with lock:
                out.append(("napper", i))

    sim.start_new_thread(count, ("a", n))
    sim.start_new_thread(count, ("b", n))
    sim.start_new_thread(napper)
    try:
        assert sim.run()
    finally:
        sim.close()
    return out


def test_the_nrmutex_fast_path_touches_only_the_counter():
    sim = Simulation("ticker", clock=ROUND, platform="nt")
    lock = sim.kernel.lock("a lock")
    assert isinstance(lock, NRMUTEX)
    assert (lock.owned, lock.thread_id, lock.hevent.signaled) == (-1, 0, False)
    assert lock.acquire()
    assert (lock.owned, lock.thread_id) == (0, 1)
    assert not lock.acquire(False)  # InterlockedCompareExchange finds it owned
    assert lock.owned == 0
    lock.release()
    assert (lock.owned, lock.thread_id, lock.locked()) == (-1, 0, False)
    with pytest.raises(RuntimeError, match="not owned"):
        lock.release()
    assert lock.owned == -1
    sim.close()


def test_a_set_event_with_no_waiter_stays_signalled_for_the_next_wait():
    sim = Simulation("ticker", clock=ROUND, platform="nt")
    lock = sim.kernel.lock("a lock")
    assert isinstance(lock, NRMUTEX)
    lock.hevent.SetEvent()
    assert lock.hevent.signaled
    assert lock.hevent.WaitForSingleObject() is False  # went through, and reset it
    assert not lock.hevent.signaled
    sim.close()


def test_the_posix_kernel_still_makes_semaphores():
    assert isinstance(VirtualKernel(ROUND).lock("x"), VirtualLock)
    with pytest.raises(ValueError, match="platform must be"):
        VirtualKernel(ROUND, platform="os2")  # type: ignore[arg-type]


def test_release_hands_the_nrmutex_to_the_waiter():
    sim = Simulation("ticker", clock=ROUND, platform="nt")
    seen: list[tuple[int, int]] = []
    gil_lock = []

    def spin() -> None:
        lock = sim.gil.interpreter_lock
        assert isinstance(lock, NRMUTEX)
        gil_lock.append(lock)
        i = 0
        while i < 400:
            i += 1
            if i % 50 == 0:
                seen.append((lock.owned, lock.thread_id))

    sim.start_new_thread(spin)
    sim.start_new_thread(spin)
    assert sim.run()
    sim.close()
    # While both compute, one owns the GIL and the other waits: owned is 1.
    assert (1, 2) in seen
    assert (1, 3) in seen
    # At the end the main thread has it back, and nobody waits.
    assert (gil_lock[0].owned, gil_lock[0].thread_id) == (0, 1)
    first_exit = next(i for i, s in enumerate(sim.timeline) if s.reason == "exit")
    slices = list(sim.timeline)[:first_exit]
    # Handed over at every check: while both compute, they take strict turns.
    assert all(a.thread != b.thread for a, b in itertools.pairwise(slices))


def test_same_program_same_results_on_both_locks():
    runs = {p: Simulation("ticker", clock=ROUND, platform=p) for p in ("posix", "nt")}
    outputs = {p: sorted(program(sim)) for p, sim in runs.items()}
    assert outputs["posix"] == outputs["nt"]
    opcodes = {p: {i: s.opcodes for i, s in sim.stats.items()} for p, sim in runs.items()}
    assert opcodes["posix"] == opcodes["nt"]
    for sim in runs.values():
        ticks = Counter(s.opcodes for s in sim.timeline if s.reason == "ticks")
        assert ticks.most_common(1)[0][0] == 101
        assert max(ticks) == 101
    # ... but not the same interleaving: the semaphore lets the releaser back in.
    order = {p: [s.thread for s in sim.timeline] for p, sim in runs.items()}
    assert order["posix"] != order["nt"]


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), check_interval=st.sampled_from([7, 50, 100]))
def test_outputs_do_not_depend_on_the_lock(seed, check_interval):
    results = []
    for platform in ("posix", "nt"):
        sim = Simulation("ticker", check_interval=check_interval, seed=seed,
                         platform=platform)
        out = program(sim, 300)
        results.append((sorted(out), [sim.stats[i].opcodes for i in (2, 3)],
                        [o for o in out if o[0] == "napper"]))
    assert results[0] == results[1]


def test_the_nt_run_is_deterministic():
    traces = []
    for _ in range(2):
        sim = Simulation("ticker", clock=VirtualClock(), platform="nt", seed=3)
        program(sim, 300)
        traces.append([(s.thread, s.start, s.end, s.reason) for s in sim.timeline])
    assert traces[0] == traces[1]


def test_drawings_of_the_nrmutex():
    sim = Simulation("ticker", clock=ROUND, platform="nt")
    pictures = []

    def spin() -> None:
        i = 0
        while i < 300:
            i += 1
            if i == 250:
                lock = sim.gil.interpreter_lock
                assert lock is not None
                pictures.append((sim.to_dot(), lock.to_dot()))

    sim.start_new_thread(spin)
    sim.start_new_thread(spin)
    sim.run()
    sim.close()
    whole, lock_dot = (dot.replace("\\ ", " ") for dot in pictures[0])  # record escapes
    assert "NRMUTEX owned: 1" in whole
    assert "owned: 1" in lock_dot
    assert "WaitForSingleObject" in lock_dot
    assert '"t2" -> "hevent"' in lock_dot or '"t3" -> "hevent"' in lock_dot
    assert "0x" not in lock_dot


def test_the_trace_shows_the_slow_path(capsys):
    sim = Simulation("ticker", clock=ROUND, platform="nt")
    sim.trace = True
    program(sim, 300)
    out = capsys.readouterr().out
    assert "EnterNonRecursiveMutex: owned 0 -> 1, waits on the event" in out
    assert "LeaveNonRecursiveMutex: owned 1 -> 0, SetEvent hands the lock to a waiter" in out


def test_nt_needs_a_2x_profile_and_the_virtual_clock():
    with pytest.raises(ValueError, match=r"no 'nt' lock for profile 3\.12"):
        Simulation("switch", profile="3.12", platform="nt")
    with pytest.raises(ValueError, match="virtual clock only"):
        Simulation("ticker", clock="wall", platform="nt")
    with pytest.raises(ValueError, match="platform must be"):
        Simulation("ticker", platform="win32")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_threads"):
        Simulation("ticker", max_threads=-1)


# -- The OS refuses -------------------------------------------------------------------


@pytest.mark.parametrize(("profile", "error"), [("2.7", "error"), ("3.12", "RuntimeError")])
def test_cant_start_new_thread_leaves_the_state_as_it_was(profile, error):
    sim = Simulation(profile=profile, clock=ROUND, max_threads=1)
    done: list[int] = []
    first = sim.start_new_thread(lambda: done.append(1))
    before = [t.id for t in sim.interp.threads()]
    with pytest.raises(Exception, match="can't start new thread") as failed:
        sim.start_new_thread(len, ((),))
    assert type(failed.value).__name__ == error
    assert [t.id for t in sim.interp.threads()] == before
    assert sorted(sim.threads) == [1, first]
    assert sim.thread._count() == 0
    assert sim.run()
    assert done == [1]
    # Once the first thread is gone, the OS has room again.
    second = sim.start_new_thread(lambda: done.append(2))
    assert sim.run()
    assert done == [1, 2]
    assert second > first
    sim.close()


def test_threading_start_refused_leaves_limbo_empty():
    sim = Simulation("switch", clock=ROUND, max_threads=0)
    threading = sim.threading
    with pytest.raises(RuntimeError, match="can't start new thread"):
        threading.Thread(target=len, args=((),)).start()
    assert threading._limbo == {}
    assert sorted(threading._active) == [1]
    sim.close()


@pytest.mark.parametrize(("profile", "error"), [("2.7", "error"), ("3.13", "RuntimeError")])
def test_cant_allocate_lock(profile, error):
    sim = Simulation(profile=profile, clock=ROUND, max_locks=1)
    lock = sim.allocate_lock()
    with pytest.raises(Exception, match="can't allocate lock") as failed:
        sim.allocate_lock()
    assert type(failed.value).__name__ == error
    assert sim.thread._locks == 1
    assert lock.acquire()
    assert lock.locked()
    lock.release()
    sim.close()


# -- Teardown: a child deletes its thread state, nothing more ------------------------


def test_a_child_tears_down_only_its_own_thread_state(capsys):
    sim = Simulation("ticker", clock=ROUND)
    seen = []

    def child() -> None:
        seen.append(sorted(sim.runtime.gilstate))

    sim.start_new_thread(child)
    sim.trace = True
    assert sim.run()
    out = capsys.readouterr().out
    assert seen == [[1, 2]]  # _PyGILState_NoteThreadState recorded thread 2's own
    assert "t_bootstrap: PyThreadState_Clear, PyThreadState_DeleteCurrent" in out
    assert [t.id for t in sim.interp.threads()] == [1]
    assert sorted(sim.runtime.gilstate) == [1]
    assert list(sim.runtime.interpreters()) == [sim.interp]
    sim.close()


def test_a_windows_thread_starts_through_bootstrap_and_its_callobj(capsys):
    sim = Simulation("ticker", clock=ROUND, platform="nt")
    freed = []

    def body() -> None:
        freed.append(True)

    sim.trace = True
    sim.start_new_thread(body)
    assert sim.run()
    sim.close()
    out = capsys.readouterr().out
    assert "thread 2  bootstrap: frees the callobj, calls t_bootstrap" in out
    assert freed == [True]
    posix = Simulation("ticker", clock=ROUND)
    posix.trace = True
    posix.start_new_thread(body)
    assert posix.run()
    posix.close()
    assert "callobj" not in capsys.readouterr().out
