"""Booting a model interpreter with `site` against starting the real one.

The real side is `python -c pass` run as a process (fork, exec, the dynamic loader
and CPython's own start-up), the model side `initialize()` then `run_main()` on the
same command line in this process.  Both start from the same fresh
`venv --without-pip` with an empty home folder, so that no `.pth` file of the
machine's site-packages adds imports to either.  Medians of several runs of each,
measured in the same run of the benchmark.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pyinternals.bench import Benchmark, Result

#: Model boot time over real start-up time the project aims for: within twice a real
#: start, a page of the book can boot a handful of model interpreters.
TARGET = 2.0
RUNS = 15


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def _time_real(argv: list[str], env: dict[str, str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - started)
    return _median(samples)


def _time_model(argv: list[str], env: dict[str, str], runs: int) -> float:
    from pyinternals.runtime import initialize

    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        interp = initialize(argv, env)
        interp.run_main()
        interp.finalize()
        samples.append(time.perf_counter() - started)
    return _median(samples)


def _boot() -> Result:
    root = Path(tempfile.mkdtemp(prefix="pyinternals-bench-runtime-"))
    try:
        venv = root / "venv"
        subprocess.run([sys.executable, "-E", "-m", "venv", "--without-pip", str(venv)],
                       check=True, capture_output=True)
        (root / "home").mkdir()
        python = str(venv / "bin" / "python")
        env = {"HOME": str(root / "home"), "PATH": "/usr/bin:/bin"}
        argv = [python, "-c", "pass"]
        _time_model(argv, env, 2)  # warm the caches: the file system's and the host's
        real = _time_real(argv, env, RUNS)
        model = _time_model(argv, env, RUNS)
        real_s = _time_real([python, "-S", "-c", "pass"], env, RUNS)
        model_s = _time_model([python, "-S", "-c", "pass"], env, RUNS)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return Result(
        figures=[
            ("real `python -c pass` (process), median", real * 1e3, "ms"),
            ("model initialize + run_main, with site, median", model * 1e3, "ms"),
            ("real `python -S -c pass`, median", real_s * 1e3, "ms"),
            ("model with -S, median", model_s * 1e3, "ms"),
        ],
        ratio=model / real,
        target=TARGET,
        notes=[f"{RUNS} runs of each, in a fresh venv with an empty home folder",
               f"with -S the ratio is {model_s / real_s:.2f}x"],
    )


BENCHMARKS = [
    Benchmark("runtime-boot", "boot a model interpreter with site vs start the real one",
              _boot),
]
