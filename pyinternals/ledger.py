"""The whole fidelity ledger: the checks of every chapter, in the book's order.

{py:mod}`pyinternals.observe.ledger` provides the machinery; each chapter package
keeps its checks in a `fidelity` module with a `CHECKS` list, and this module
collects them.  It sits above the chapters, so that `observe` never imports one.
"""

from __future__ import annotations

import importlib
import importlib.util

from pyinternals.observe.checks import CHECKS as INTRO_CHECKS
from pyinternals.observe.ledger import Check, Ledger

#: The chapter packages, in the book's order; each may have a `fidelity` module.
CHAPTERS: tuple[str, ...] = (
    "pyinternals.runtime",
    "pyinternals.importing",
    "pyinternals.threads",
    "pyinternals.memory.obmalloc",
    "pyinternals.memory.freelists",
    "pyinternals.memory.gc",
)


def all_checks() -> list[Check]:
    """Every check, the introduction's first, then chapter by chapter."""
    checks = list(INTRO_CHECKS)
    for package in CHAPTERS:
        name = f"{package}.fidelity"
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # the chapter package itself is not there yet
            found = False
        if found:
            checks += importlib.import_module(name).CHECKS
    ids = [c.id for c in checks]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuntimeError(f"two checks share the id(s) {', '.join(duplicates)}")
    return checks


def run(patterns: tuple[str, ...] = (), *, jobs: int = 4) -> Ledger:
    """Run the checks whose id starts with one of `patterns` (all by default)."""
    from pyinternals.observe.ledger import select

    return Ledger.run(select(all_checks(), patterns), jobs=jobs)
