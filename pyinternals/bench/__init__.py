"""Benchmarks: the models' speed, as ratios against the real mechanisms.

Each chapter that has a performance target adds a module here defining `BENCHMARKS`,
a list of {py:class}`Benchmark`.  A benchmark measures the model and the real thing
in the same run (the real `PyObject_Malloc` through ctypes, real `gc.collect()`,
real `importlib`), so the ratio it reports is meaningful on any machine.  They run
with `nox -s bench` or `python -m pyinternals bench`, never as timed tests.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Result:
    """What one benchmark measured."""

    #: Figures in words, each a (name, value, unit) triple.
    figures: list[tuple[str, float, str]]
    #: Model time over real time (lower is better), when there is a real mechanism.
    ratio: float | None = None
    #: The target for `ratio`, if the project set one.
    target: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool | None:
        """Whether the ratio meets the target (None without a target)."""
        if self.ratio is None or self.target is None:
            return None
        return self.ratio <= self.target


@dataclass(frozen=True)
class Benchmark:
    """A named measurement."""

    name: str
    description: str
    run: Callable[[], Result]


def all_benchmarks() -> list[Benchmark]:
    """Every benchmark of every module in this package, by module name."""
    found: list[Benchmark] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found += getattr(module, "BENCHMARKS", [])
    return found


def main(names: Sequence[str] = ()) -> int:
    """Run the benchmarks named (all by default), print them; 1 if a target is missed."""
    benchmarks = all_benchmarks()
    if names:
        unknown = sorted(set(names) - {b.name for b in benchmarks})
        if unknown:
            known = ", ".join(b.name for b in benchmarks) or "none"
            print(f"no benchmark named {', '.join(unknown)}; known: {known}")
            return 2
        benchmarks = [b for b in benchmarks if b.name in names]
    if not benchmarks:
        print("pyinternals bench: no benchmarks are defined yet "
              "(the chapters bring them with their models)")
        return 0
    missed = 0
    for bench in benchmarks:
        print(f"== {bench.name}: {bench.description}")
        started = time.perf_counter()
        result = bench.run()
        for name, value, unit in result.figures:
            print(f"   {name:48} {value:14,.3f} {unit}")
        if result.ratio is not None:
            verdict = {None: "", True: " (target met)", False: " (TARGET MISSED)"}[result.met]
            target = f", target <= {result.target:g}x" if result.target is not None else ""
            print(f"   {'model / real':48} {result.ratio:14.2f} x{target}{verdict}")
        for note in result.notes:
            print(f"   note: {note}")
        print(f"   ({time.perf_counter() - started:.1f} s)")
        missed += result.met is False
    return 1 if missed else 0
