# Probe: threads and the GIL in a real interpreter.  Runs unchanged on 2.7 and 3.x and
# prints one JSON object.
#
#   gil.py facts      the thread module's functions, what an uncaught exception in a
#                     thread prints, the errors of bad input
#   gil.py measure    timings (payload on stdin: durations and trial counts):
#                     - the convoy: latency of time.sleep(0) in an I/O thread, alone
#                       and beside a CPU-bound thread;
#                     - two CPU-bound threads (pinned to two cores when possible)
#                       against the same work done twice in one thread.
import json
import os
import sys
import time

try:
    import thread as _thread
except ImportError:
    import _thread

clock = getattr(time, "perf_counter", time.time)


def error_of(call):
    try:
        call()
    except Exception as exc:
        return [type(exc).__name__, str(exc)]
    return None


def facts():
    out = {"module": _thread.__name__}
    names = ["start_new_thread", "start_new", "allocate_lock", "allocate", "exit_thread",
             "exit", "interrupt_main", "get_ident", "_count", "stack_size"]
    out["functions"] = [n for n in names if hasattr(_thread, n)]

    # An uncaught exception: what t_bootstrap prints (sys.stderr swapped for a buffer).
    try:
        from StringIO import StringIO  # 2.x: io.StringIO would refuse byte strings
    except ImportError:
        from io import StringIO
    buffer = StringIO()
    saved = sys.stderr
    sys.stderr = buffer
    finished = _thread.allocate_lock()
    finished.acquire()

    def boom():
        try:
            raise ValueError("boom")
        finally:
            finished.release()

    try:
        _thread.start_new_thread(boom, ())
        finished.acquire()
        deadline = clock() + 5  # until the report is complete (its last line names it)
        while "ValueError: boom" not in buffer.getvalue() and clock() < deadline:
            time.sleep(0.001)
        time.sleep(0.01)
    finally:
        sys.stderr = saved
    text = buffer.getvalue()
    out["unhandled_first_line"] = text.splitlines()[0] if text else ""
    out["unhandled_last_line"] = text.strip().splitlines()[-1] if text.strip() else ""
    out["count_after"] = _thread._count()

    lock = _thread.allocate_lock()
    import threading
    errors = {
        "not callable": error_of(lambda: _thread.start_new_thread(1, ())),
        "args not a tuple": error_of(lambda: _thread.start_new_thread(len, [])),
        "kwargs not a dict": error_of(lambda: _thread.start_new_thread(len, (), [])),
        "release unlocked": error_of(lock.release),
        "join unstarted": error_of(threading.Thread(target=len).join),
        "join itself": error_of(threading.current_thread().join),
    }
    if sys.version_info[0] >= 3:
        errors["negative timeout"] = error_of(lambda: lock.acquire(True, -2))
        errors["timeout without blocking"] = error_of(lambda: lock.acquire(False, 1))
    out["child_exit"] = child_exit()
    refused = start_refused()
    if refused is not None:
        errors["start refused"], out["start_refused_count"] = refused
    out["errors"] = errors
    return out


def child_exit():
    """A child thread that ends with SystemExit (thread.exit()): what it prints, and
    the thread count once it is gone; the main thread is still here to say so."""
    try:
        from StringIO import StringIO
    except ImportError:
        from io import StringIO
    buffer = StringIO()
    saved = sys.stderr
    sys.stderr = buffer
    done = _thread.allocate_lock()
    done.acquire()

    def body():
        try:
            _thread.exit()
        finally:
            done.release()

    try:
        _thread.start_new_thread(body, ())
        done.acquire()
        deadline = clock() + 5
        while _thread._count() and clock() < deadline:
            time.sleep(0.001)
        time.sleep(0.01)
    finally:
        sys.stderr = saved
    return [buffer.getvalue(), _thread._count()]


def start_refused():
    """start_new_thread when the OS cannot make the thread: a 256 MiB stack that the
    address-space limit leaves no room for makes pthread_create fail.  Returns the
    error, and whether the module is as before (_count unchanged, a new thread starts
    once the limit is lifted); None where the limit cannot be set."""
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/statm") as f:
            size = int(f.read().split()[0]) * resource.getpagesize()
    except (ImportError, IOError, OSError, ValueError):
        return None
    before = _thread._count()
    old = _thread.stack_size(256 * 1024 * 1024)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (size + 64 * 1024 * 1024, hard))
        error = error_of(lambda: _thread.start_new_thread(len, ((),)))
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        _thread.stack_size(old)
    done = _thread.allocate_lock()
    done.acquire()
    _thread.start_new_thread(done.release, ())
    done.acquire()
    return error, [before, _thread._count(), True]


# -- Measurements ------------------------------------------------------------------------


def spin(n):
    i = 0
    while i < n:
        i += 1


def summary(values):
    values = sorted(values)
    n = len(values)
    if not n:
        return {"n": 0}
    return {"n": n, "median": values[n // 2], "p90": values[min(n - 1, int(n * 0.9))],
            "p99": values[min(n - 1, int(n * 0.99))], "max": values[-1]}


def io_loop(duration, out):
    end = clock() + duration
    while True:
        t0 = clock()
        if t0 > end:
            break
        time.sleep(0)
        out.append(clock() - t0)


def convoy(duration, with_cpu, segments=1):
    """Round trips of sleep(0) for `duration` seconds, in consecutive segments."""
    latencies = []
    stop = []
    running = _thread.allocate_lock()
    running.acquire()
    finished = _thread.allocate_lock()
    finished.acquire()

    def cpu():
        running.release()
        while not stop:
            spin(200)
        finished.release()

    if with_cpu:
        _thread.start_new_thread(cpu, ())
        running.acquire()  # the CPU-bound thread is running before the I/O starts
    parts = []
    for _ in range(segments):
        part = []
        io_loop(float(duration) / segments, part)
        parts.append(part)
        latencies.extend(part)
    stop.append(True)
    if with_cpu:
        finished.acquire()
    result = summary(latencies)
    result["segment_medians"] = [summary(part)["median"] for part in parts if part]
    return result


def cpus():
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        import ctypes
        import ctypes.util
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        mask = (ctypes.c_ulong * 16)()
        if libc.sched_getaffinity(0, ctypes.sizeof(mask), mask) == 0:
            bits = 8 * ctypes.sizeof(ctypes.c_ulong)
            return [i for i in range(16 * bits) if mask[i // bits] >> (i % bits) & 1]
    except Exception:
        pass
    return []


def pin(cpu):
    """Keep the calling thread on one CPU; False when the platform cannot."""
    try:
        os.sched_setaffinity(0, [cpu])
        return True
    except AttributeError:
        pass
    except OSError:
        return False
    try:
        import ctypes
        import ctypes.util
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        mask = ctypes.c_ulong(1 << cpu)
        return libc.sched_setaffinity(0, ctypes.sizeof(mask), ctypes.byref(mask)) == 0
    except Exception:
        return False


def cpu_time():
    try:
        import resource
    except ImportError:
        return None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_threads(work, cpus):
    """Threads pinned to `cpus` spin `work` each, all released at once by a gate;
    the wall time from the gate to the last one's end, and the CPU time burnt."""
    gate = _thread.allocate_lock()
    gate.acquire()
    finished = _thread.allocate_lock()
    finished.acquire()
    ends = []

    def body(cpu):
        if cpu is not None:
            pin(cpu)
        gate.acquire()
        gate.release()
        spin(work)
        ends.append(clock())
        if len(ends) == len(cpus):
            finished.release()

    for cpu in cpus:
        _thread.start_new_thread(body, (cpu,))
    time.sleep(0.005)  # every thread is waiting at the gate
    cpu0 = cpu_time()
    start = clock()
    gate.release()
    finished.acquire()
    wall = max(ends) - start
    cpu1 = cpu_time()
    return wall, (None if cpu0 is None else cpu1 - cpu0)


def cpu_trial(work, where):
    """The same work on the same cores: one thread after the other, then together.

    The sequential run uses the cores of the parallel one (a thread on each, in turn),
    so that two cores of different speed (a virtual machine's neighbours) cost both
    runs alike."""
    walls, cpus = [], []
    for cpu in where:
        wall, used = run_threads(work, [cpu])
        walls.append(wall)
        cpus.append(used)
    parallel, cpu_parallel = run_threads(work, where)
    if None in cpus or cpu_parallel is None:
        return sum(walls), parallel, None, None
    return sum(walls), parallel, sum(cpus), cpu_parallel


def measure(config):
    out = {}
    out["sleep_alone"] = convoy(config["alone_seconds"], False)
    out["sleep_cpu"] = convoy(config["convoy_seconds"], True, config["segments"])
    available = cpus()
    where = available[:2] if len(available) >= 2 else [None, None]
    out["cores"] = len(available)
    out["pinned"] = where[0] is not None
    trials = [cpu_trial(config["work"], where) for _ in range(config["trials"])]
    out["cpu_trials"] = [list(trial) for trial in trials]
    return out


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "facts"
    if what == "facts":
        result = facts()
    else:
        result = measure(json.loads(sys.stdin.read()))
    sys.stdout.write(json.dumps(result))
