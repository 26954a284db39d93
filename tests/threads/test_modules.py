"""The `thread` and `threading` models, bad input, deadlocks, aborts."""

from __future__ import annotations

import io

import pytest

from pyinternals.threads import Deadlock, Simulation, VirtualClock


@pytest.fixture(params=["ticker", "switch"])
def sim(request):
    s = Simulation(request.param, switch_interval=0.0001)
    yield s
    s.close()


def test_start_new_thread_returns_the_ident_and_runs_the_function(sim):
    seen = []
    ident = sim.start_new_thread(lambda a, b=0: seen.append((sim.thread.get_ident(), a, b)),
                                 (1,), {"b": 2})
    assert ident == 2
    assert sim.run()
    assert seen == [(2, 1, 2)]
    assert sim.thread._count() == 0


@pytest.mark.parametrize(("args", "message"), [
    ((1, ()), "first arg must be callable"),
    ((len, []), "2nd arg must be a tuple"),
    ((len, (), []), "optional 3rd arg must be a dictionary"),
])
def test_start_new_thread_bad_arguments_leave_the_simulation_usable(sim, args, message):
    with pytest.raises(TypeError, match=message):
        sim.start_new_thread(*args)
    assert sim.threads.keys() == {1}
    sim.start_new_thread(len, ((),))
    assert sim.run()


def test_thread_states_are_preallocated_bound_and_deleted(sim):
    states = []

    def body():
        tstate = sim.current().tstate
        states.append((tstate.id, tstate.thread_id, sim.runtime.PyThreadState_Get() is tstate))

    sim.start_new_thread(body)
    # Before it runs, the thread state exists and belongs to no OS thread yet.
    assert [t.id for t in sim.interp.threads()] == [2, 1]
    assert sim.interp.tstate_head.thread_id is None
    assert sim.run()
    assert states == [(2, 2, True)]
    assert [t.id for t in sim.interp.threads()] == [1]


def test_uncaught_exception_is_reported_systemexit_is_not(sim):
    sim.stderr = io.StringIO()

    def boom():
        raise ValueError("boom")

    sim.start_new_thread(boom)
    sim.start_new_thread(sim.thread.exit)
    assert sim.run()
    text = sim.stderr.getvalue()
    assert text.startswith(sim.profile.unhandled_line(boom))
    assert "in boom" in text
    assert text.rstrip().endswith("ValueError: boom")
    assert "SystemExit" not in text
    assert [type(e) for _, e in sim.unhandled] == [ValueError]


def test_lock_blocks_times_out_and_reports_locked(sim):
    lock = sim.allocate_lock()
    results = []

    def holder():
        with lock:
            sim.sleep(0.001)

    def waiter():
        sim.sleep(0.0001)
        results.append(lock.locked())
        results.append(lock.acquire(True, 0.0002))  # times out: the holder sleeps 1 ms
        results.append(lock.acquire())               # waits until it is released
        lock.release()

    sim.start_new_thread(holder)
    sim.start_new_thread(waiter)
    assert sim.run()
    assert results == [True, False, True]
    assert not lock.locked()


def test_lock_bad_input(sim):
    lock = sim.allocate_lock()
    with pytest.raises(RuntimeError, match="release unlocked lock"):
        lock.release()
    with pytest.raises(ValueError, match="timeout value must be"):
        lock.acquire(True, -2)
    with pytest.raises(ValueError, match="can't specify a timeout for a non-blocking call"):
        lock.acquire(False, 1)
    assert lock.acquire(False)
    assert not lock.acquire(False)
    lock.release()


def test_2x_lock_error_is_thread_error():
    sim = Simulation(profile="2.7")
    with pytest.raises(RuntimeError, match="release unlocked lock") as info:
        sim.allocate_lock().release()
    assert type(info.value).__name__ == "error"
    sim.close()


def test_stack_size_and_aliases(sim):
    thread = sim.thread
    assert thread.stack_size() == 0
    assert thread.stack_size(65536) == 0
    assert thread.stack_size() == 65536
    with pytest.raises(ValueError, match="size not valid: 100 bytes"):
        thread.stack_size(100)
    assert thread.start_new is thread.start_new_thread or \
        thread.start_new.__func__ is thread.start_new_thread.__func__
    assert thread.allocate().locked() is False


def test_threading_limbo_active_join_and_is_alive(sim):
    threading = sim.threading
    seen = []

    def work():
        me = threading.current_thread()
        seen.append((me.name, me in threading._active.values(), me in threading._limbo))
        sim.sleep(0.0005)

    t = threading.Thread(target=work)
    assert repr(t) == "<Thread(Thread-1, initial)>"
    t.start()  # waits until the thread has started: it is in _active, not in _limbo
    assert seen == [("Thread-1", True, False)]
    assert t.is_alive()
    t.join()
    assert not t.is_alive()
    assert t.ident not in threading._active
    with pytest.raises(RuntimeError, match="threads can only be started once"):
        t.start()


def test_join_with_timeout_returns_with_the_thread_alive(sim):
    t = sim.threading.Thread(target=sim.sleep, args=(0.01,))
    t.start()
    t.join(0.001)
    assert t.is_alive()
    t.join()
    assert not t.is_alive()


def test_join_bad_input(sim):
    threading = sim.threading
    with pytest.raises(RuntimeError, match="cannot join thread before it is started"):
        threading.Thread(target=len).join()
    with pytest.raises(RuntimeError, match="cannot join current thread"):
        threading.current_thread().join()
    errors = []

    def self_join():
        try:
            threading.current_thread().join()
        except RuntimeError as exc:
            errors.append(str(exc))

    threading.Thread(target=self_join).start()
    assert sim.run()
    assert errors == ["cannot join current thread"]


def test_condition_wait_notify(sim):
    threading = sim.threading
    cond = threading.Condition()
    items = []

    def consumer():
        with cond:
            while not items:
                cond.wait()
            items.append("consumed")

    def producer():
        sim.sleep(0.0003)
        with cond:
            items.append("produced")
            cond.notify()

    for body in (consumer, producer):
        threading.Thread(target=body).start()
    assert sim.run()
    assert items == ["produced", "consumed"]
    with pytest.raises(RuntimeError, match="cannot notify on un-acquired lock"):
        cond.notify()
    with pytest.raises(RuntimeError, match="cannot wait on un-acquired lock"):
        cond.wait()


@pytest.mark.parametrize("clock", ["virtual", "wall"])
def test_deadlock_names_who_waits_for_what_and_leaves_no_thread(clock):
    sim = Simulation("switch", clock=clock)
    a, b = sim.allocate_lock(), sim.allocate_lock()

    def one():
        with a:
            sim.sleep(0.01)
            with b:
                pass

    def two():
        with b:
            sim.sleep(0.01)
            with a:
                pass

    sim.start_new_thread(one)
    sim.start_new_thread(two)
    with pytest.raises(Deadlock) as info:
        sim.run()
    message = str(info.value)
    assert "thread 2 (one) waits for lock 2, held by thread 3" in message
    assert "thread 3 (two) waits for lock 1, held by thread 2" in message
    assert not any(t.task.alive for i, t in sim.threads.items() if i != 1)
    # The simulation is still usable.
    sim.start_new_thread(len, ((),))
    assert sim.run()
    sim.close()


def test_main_blocking_alone_is_a_deadlock():
    sim = Simulation("ticker")
    lock = sim.allocate_lock()
    lock.acquire()
    sim.start_new_thread(lock.acquire)
    with pytest.raises(Deadlock, match=r"thread 2 .* waits for lock 1"):
        sim.run()
    sim.close()


def test_run_timeout_pauses_and_run_resumes():
    sim = Simulation("switch", switch_interval=0.0001)
    stop = []

    def forever():
        while not stop:
            pass

    sim.start_new_thread(forever)
    assert sim.run(timeout=0.001) is False
    assert sim.gil.holder is sim.main.tstate
    stop.append(True)
    assert sim.run() is True
    sim.close()


def test_close_stops_threads_that_never_end():
    sim = Simulation("ticker", clock=VirtualClock(wake_jitter=0))
    sim.start_new_thread(lambda: [None for _ in iter(int, 1)])
    assert sim.run(timeout=0.0001) is False
    sim.close()
    assert not sim.threads[2].task.alive
    with pytest.raises(RuntimeError, match="closed"):
        sim.run()


def test_interrupt_main(sim):
    stop = []

    def body():
        sim.thread.interrupt_main()
        while not stop:
            sim.sleep(0.0001)

    sim.start_new_thread(body)
    with pytest.raises(KeyboardInterrupt):
        sim.run()
    stop.append(True)
    assert sim.run()


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"gil": "fair"}, ValueError, "gil must be 'ticker'"),
    ({"check_interval": 0}, ValueError, "check interval must be a positive number"),
    ({"check_interval": -5}, ValueError, "check interval must be a positive number"),
    ({"switch_interval": 0}, ValueError, "switch interval must be strictly positive"),
    ({"switch_interval": -0.1}, ValueError, "switch interval must be strictly positive"),
    ({"clock": "sundial"}, ValueError, "clock must be 'virtual', 'wall'"),
    ({"profile": "3.4"}, ValueError, "no GIL profile for '3.4'"),
    ({"seed": 1.5}, TypeError, "seed must be an int"),
])
def test_bad_configuration(kwargs, error, message):
    with pytest.raises(error, match=message):
        Simulation(**kwargs)


def test_bad_sleep_and_run_arguments(sim):
    with pytest.raises(ValueError, match="sleep length must be non-negative"):
        sim.sleep(-1)
    with pytest.raises(TypeError, match="sleep"):
        sim.sleep("1")
    with pytest.raises(ValueError, match="timeout must be a non-negative"):
        sim.run(timeout=-1)


def test_run_is_for_the_main_thread(sim):
    errors = []

    def body():
        try:
            sim.run()
        except RuntimeError as exc:
            errors.append(str(exc))

    sim.start_new_thread(body)
    assert sim.run()
    assert errors == ["run() is for the main thread; thread 2 cannot wait for itself"]
