"""The small-object allocator model against the real `PyObject_Malloc` and `PyObject_Free`.

Both run the same realistic trace of a million operations
({py:func}`pyinternals.memory.obmalloc.workload.mixed_trace`) through the same
driver loop: the real functions through ctypes, the model's as bound methods.  Each
side runs three times, alternately, on a fresh allocator; the fastest run of each
counts, which keeps a busy machine's noise out of the ratio.
"""

from __future__ import annotations

import ctypes
import time
from typing import Any

from pyinternals.bench import Benchmark, Result
from pyinternals.memory.obmalloc.allocator import Allocator
from pyinternals.memory.obmalloc.workload import Op, drive, mixed_trace

#: Operations in the trace.
N_OPS = 1_000_000
#: The target: the model no more than three times slower than the real path.
TARGET = 3.0
REPEATS = 3


def _real_functions() -> tuple[Any, Any]:
    api = ctypes.pythonapi
    malloc, free = api.PyObject_Malloc, api.PyObject_Free
    malloc.argtypes, malloc.restype = [ctypes.c_size_t], ctypes.c_void_p
    free.argtypes, free.restype = [ctypes.c_void_p], None
    return malloc, free


def _left_live(ops: list[Op]) -> list[int]:
    live: dict[int, bool] = {}
    for kind, slot, _ in ops:
        if kind:
            live[slot] = True
        else:
            del live[slot]
    return list(live)


def run() -> Result:
    """Time the trace on the real allocator and on the model, alternately."""
    started = time.perf_counter()
    ops = mixed_trace(N_OPS, seed=7)
    generated = time.perf_counter() - started
    slots_needed = 1 + max(slot for _, slot, _ in ops)
    leftovers = _left_live(ops)
    malloc, free = _real_functions()
    real_times, model_times = [], []
    arenas = 0
    for _ in range(REPEATS):
        slots: list[int | None] = [0] * slots_needed
        t = time.perf_counter()
        drive(malloc, free, ops, slots)
        real_times.append(time.perf_counter() - t)
        for slot in leftovers:
            free(slots[slot])
        model = Allocator()
        slots = [0] * slots_needed
        t = time.perf_counter()
        drive(model.malloc, model.free, ops, slots)
        model_times.append(time.perf_counter() - t)
        arenas = model.mgmt.ntimes_arena_allocated
    real, modelled = min(real_times), min(model_times)
    small = sum(1 for kind, _, n in ops if kind and 0 < n <= 512)
    mallocs = sum(1 for kind, _, _ in ops if kind)
    return Result(
        figures=[
            ("operations in the trace", float(len(ops)), "ops"),
            ("real PyObject_Malloc/Free via ctypes", len(ops) / real, "ops/s"),
            ("model Allocator (this interpreter's profile)", len(ops) / modelled, "ops/s"),
            ("real, per operation", real / len(ops) * 1e9, "ns"),
            ("model, per operation", modelled / len(ops) * 1e9, "ns"),
        ],
        ratio=modelled / real,
        target=TARGET,
        notes=[f"{small * 100 // mallocs}% of the mallocs are small requests; the model "
               f"mapped {arenas} arenas",
               f"best of {REPEATS} alternating runs each; generating the trace took "
               f"{generated:.1f} s"],
    )


BENCHMARKS = [
    Benchmark("obmalloc", "the allocator model vs PyObject_Malloc/PyObject_Free (ctypes), "
              "a mixed trace of a million operations", run),
]
