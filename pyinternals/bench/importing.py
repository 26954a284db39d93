"""The import system: the whole standard library through one model, against CPython.

Each side runs in a fresh process of the running interpreter, so that neither finds
a module the other loaded: CPython imports every module of the standard-library
sweep ({py:func}`pyinternals.importing.sweep.stdlib_modules`) one after another
(`-I -S`), and a fresh model import system, brought to the same start-up state
first, imports the same modules in the same order.  Only the imports are timed,
never the start-up.  Three runs of each, interleaved; their medians are compared,
and the target is the model within 1.5 times CPython's time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pyinternals.bench import Benchmark, Result

PROBE = Path(__file__).resolve().parents[1] / "importing" / "probes" / "import_all.py"
RUNS = 3
TARGET = 1.5


def _real(names: list[str]) -> dict[str, Any]:
    from pyinternals.observe import run_probe, running

    answer: dict[str, Any] = run_probe(running(), PROBE, payload=names, flags=("-I", "-S"),
                                       timeout=600)
    return answer


def _model(real: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """One model run, in a fresh process (`python -m pyinternals.bench.importing`)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    proc = subprocess.run([sys.executable, "-m", "pyinternals.bench.importing"],
                          input=json.dumps({"real": real, "names": names}), text=True,
                          capture_output=True, env=env, timeout=600, check=False)
    if proc.returncode != 0:
        raise RuntimeError("the model's benchmark process failed:\n" + proc.stderr[-2000:])
    answer: dict[str, Any] = json.loads(proc.stdout)
    return answer


def model_run(real: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """Time a fresh model importing `names` (its start-up excluded)."""
    from pyinternals.importing.sweep import _quiet, model_system

    imp = model_system(real)
    imported = 0
    with _quiet(imp):
        started = time.perf_counter()
        for name in names:
            try:
                imp.state.import_func(name)
                imported += 1
            except BaseException:  # as on the real side: every module is tried
                continue
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "imported": imported, "modules": len(imp.modules)}


def run() -> Result:
    """Three runs of each side; medians and their ratio."""
    from pyinternals.importing.sweep import stdlib_modules

    names = stdlib_modules()
    real_runs: list[dict[str, Any]] = []
    model_runs: list[dict[str, Any]] = []
    for _ in range(RUNS):  # interleaved, so that a busy moment of the machine hits both
        real_runs.append(_real(names))
        model_runs.append(_model(real_runs[0], names))
    real = statistics.median(r["seconds"] for r in real_runs)
    model = statistics.median(m["seconds"] for m in model_runs)
    return Result(
        figures=[
            ("modules imported (of the sweep's list)", float(real_runs[0]["imported"]), ""),
            ("CPython's importlib, median of 3", real * 1000, "ms"),
            ("the model, median of 3", model * 1000, "ms"),
            ("CPython, per module", real / len(names) * 1e6, "us"),
            ("the model, per module", model / len(names) * 1e6, "us"),
        ],
        ratio=model / real,
        target=TARGET,
        notes=[f"{len(names)} modules tried, {model_runs[0]['imported']} imported by the "
               f"model; each run in a fresh process, start-up not timed"],
    )


BENCHMARKS = [
    Benchmark("importing", "the whole standard library through one model import system "
              "vs CPython's importlib", run),
]


if __name__ == "__main__":
    request = json.loads(sys.stdin.read())
    json.dump(model_run(request["real"], request["names"]), sys.stdout)
