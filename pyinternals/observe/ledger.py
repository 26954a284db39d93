"""The fidelity ledger: every claim the models make about real CPythons, checked.

A {py:class}`Check` is one claim ("the .pyc magic number of this version is ...")
with how it is observed.  Run against one real interpreter it gives an
{py:class}`Outcome`: what the model says, what the interpreter says, and whether
they agree.  A {py:class}`Ledger` runs every check against one interpreter per
known version family and keeps the results as rows.

Statuses: `pass` (model and interpreter agree), `fail` (they do not: a bug in the
model or in the claim), `skip` (the claim does not apply, or the interpreter is not
on this machine; always with a reason), `error` (the observation itself broke, for
instance a probe crashed).  `fail` and `error` make `python -m pyinternals fidelity`
exit non-zero and the test suite fail.

The chapters contribute their checks; {py:mod}`pyinternals.ledger` collects them.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from pyinternals import profiles
from pyinternals.observe.discovery import (
    Interpreter,
    representatives,
    required_families,
)
from pyinternals.observe.probing import ProbeError


class Status(enum.Enum):
    """The verdict of one check on one interpreter."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"

    @property
    def ok(self) -> bool:
        """Whether this verdict lets the ledger pass."""
        return self in (Status.PASS, Status.SKIP)


@dataclass(frozen=True)
class Outcome:
    """One check on one interpreter: the model's answer, the real one, the verdict."""

    status: Status
    model: Any = None
    observed: Any = None
    #: Why it was skipped, what broke, or what the reader should know.
    note: str = ""


def agreement(model: Any, observed: Any, note: str = "") -> Outcome:
    """`pass` when the model's answer equals the observed one, else `fail`."""
    status = Status.PASS if model == observed else Status.FAIL
    return Outcome(status, model, observed, note)


def skipped(reason: str) -> Outcome:
    """A `skip` with its reason."""
    return Outcome(Status.SKIP, note=reason)


@dataclass(frozen=True)
class Check:
    """One claim about real CPythons, and how to observe it."""

    #: Dotted, stable identifier: `pyc.magic`, `obmalloc.reuse-order`, ...
    id: str
    #: The chapter the claim belongs to (its docname: `intro`, `memory/obmalloc`...).
    chapter: str
    #: The claim, as a sentence or a noun phrase.
    claim: str
    #: How it is observed in the real interpreter.
    how: str
    #: Computes the outcome for one interpreter (whose `profile` is in `families`).
    evaluate: Callable[[Interpreter], Outcome]
    #: The version families the claim is about.
    families: tuple[str, ...] = profiles.KNOWN
    #: `"each"` interpreter, or only the `"running"` one (for checks that need the
    #: models to run that version's standard library, say).
    scope: Literal["each", "running"] = "each"
    #: Run alone, after the others (for timing measurements that must not share the
    #: machine with other probes).
    exclusive: bool = False

    def run(self, interpreter: Interpreter) -> Outcome:
        """Evaluate on `interpreter`; a broken observation becomes an `error` outcome."""
        if interpreter.profile not in self.families:
            return skipped(f"not a claim about {interpreter.family}")
        if self.scope == "running" and not interpreter.running:
            return skipped("checked on the running interpreter only")
        try:
            return self.evaluate(interpreter)
        except ProbeError as exc:
            return Outcome(Status.ERROR, note=str(exc))
        except Exception as exc:  # the ledger reports every broken check; it never hides one
            return Outcome(Status.ERROR, note=f"{type(exc).__name__}: {exc}")


def compare(
    id: str,
    chapter: str,
    claim: str,
    how: str,
    *,
    model: Callable[[str], Any],
    observe: Callable[[Interpreter], Any],
    families: tuple[str, ...] = profiles.KNOWN,
) -> Check:
    """A check whose model answer depends only on the version's profile."""

    def evaluate(interpreter: Interpreter) -> Outcome:
        assert interpreter.profile is not None
        return agreement(model(interpreter.profile), observe(interpreter))

    return Check(id, chapter, claim, how, evaluate, families)


@dataclass(frozen=True)
class Row:
    """A check and its outcome per version family."""

    check: Check
    outcomes: dict[str, Outcome]

    @property
    def ok(self) -> bool:
        """No interpreter failed or errored on this check."""
        return all(o.status.ok for o in self.outcomes.values())


@dataclass
class Ledger:
    """The outcome of running checks against the interpreters found."""

    #: One interpreter per version family that was found, in `profiles.KNOWN` order.
    interpreters: dict[str, Interpreter]
    rows: list[Row] = field(default_factory=list)

    @classmethod
    def run(
        cls,
        checks: Iterable[Check],
        interpreters: dict[str, Interpreter] | None = None,
        *,
        jobs: int = 4,
    ) -> Ledger:
        """Run every check against every family (missing families give skips)."""
        interps = representatives() if interpreters is None else interpreters
        checks = list(checks)
        required = required_families()
        cells = [(c, fam) for c in checks for fam in profiles.KNOWN]

        def one(cell: tuple[Check, str]) -> Outcome:
            check, fam = cell
            if fam not in check.families:
                return skipped(f"not a claim about {fam}")
            interp = interps.get(fam)
            if interp is None:
                if fam in required:
                    return Outcome(Status.ERROR, note=f"CPython {fam} is required "
                                   "(PYINTERNALS_REQUIRE) but was not found")
                return skipped(f"no CPython {fam} found on this machine")
            return check.run(interp)

        shared = [cell for cell in cells if not cell[0].exclusive]
        alone = [cell for cell in cells if cell[0].exclusive]
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            results = dict(zip(shared, pool.map(one, shared), strict=True))
        results.update((cell, one(cell)) for cell in alone)
        rows = [Row(c, {fam: results[(c, fam)] for fam in profiles.KNOWN}) for c in checks]
        return cls(dict(interps), rows)

    # -- Reading the results -----------------------------------------------------

    @property
    def ok(self) -> bool:
        """No check failed or errored."""
        return all(row.ok for row in self.rows)

    def counts(self) -> dict[Status, int]:
        """How many outcomes of each status."""
        counts = dict.fromkeys(Status, 0)
        for row in self.rows:
            for outcome in row.outcomes.values():
                counts[outcome.status] += 1
        return counts

    def column_label(self, family: str) -> str:
        """`3.11.7` for a family that was found, `3.12 (absent)` otherwise."""
        interp = self.interpreters.get(family)
        return interp.label if interp else f"{family} (absent)"

    def format_text(self, *, verbose: bool = False) -> str:
        """The ledger as a plain-text table; failures are always spelled out."""
        labels = [self.column_label(f) for f in profiles.KNOWN]
        width = max([len(r.check.id) for r in self.rows] + [5])
        lines = [
            f"pyinternals fidelity ledger: {len(self.rows)} checks against "
            + ", ".join(labels),
            "",
            "check".ljust(width) + "  " + "  ".join(label.ljust(8) for label in labels),
        ]
        chapter = None
        for row in self.rows:
            if row.check.chapter != chapter:
                chapter = row.check.chapter
                lines.append(f"[{chapter}]")
            marks = [row.outcomes[f].status.value.ljust(max(8, len(lab)))
                     for f, lab in zip(profiles.KNOWN, labels, strict=True)]
            lines.append(row.check.id.ljust(width) + "  " + "  ".join(marks).rstrip())
        details = [
            (row, fam, out) for row in self.rows for fam, out in row.outcomes.items()
            if verbose or not out.status.ok
        ]
        if details:
            lines += ["", "details:"]
        for row, fam, out in details:
            lines.append(f"- {row.check.id} on {self.column_label(fam)}: {out.status.value}"
                         f" ({row.check.claim})")
            if out.status in (Status.PASS, Status.FAIL):
                lines.append(f"    model: {show(out.model)}")
                lines.append(f"    real:  {show(out.observed)}")
            if out.note:
                lines.append("    " + out.note.replace("\n", "\n    "))
        counts = self.counts()
        lines += ["", "summary: " + ", ".join(f"{counts[s]} {s.value}" for s in Status)]
        return "\n".join(lines)

    def to_json(self) -> str:
        """The ledger as JSON: interpreters, then one object per check."""
        doc = {
            "interpreters": {
                fam: {"label": i.label, "executable": i.display_path}
                for fam, i in self.interpreters.items()
            },
            "checks": [
                {
                    "id": row.check.id,
                    "chapter": row.check.chapter,
                    "claim": row.check.claim,
                    "how": row.check.how,
                    "outcomes": {
                        fam: {"status": o.status.value, "model": _jsonable(o.model),
                              "observed": _jsonable(o.observed), "note": o.note}
                        for fam, o in row.outcomes.items()
                    },
                }
                for row in self.rows
            ],
        }
        return json.dumps(doc, indent=2)


def show(value: Any) -> str:
    """A short, stable text for a model or observed value."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, str):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, float)) for v in value):
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return repr(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return repr(value)


def select(checks: Sequence[Check], patterns: Sequence[str]) -> list[Check]:
    """The checks whose id starts with one of `patterns` (all when none given)."""
    if not patterns:
        return list(checks)
    chosen = [c for c in checks if any(c.id.startswith(p) for p in patterns)]
    if not chosen:
        known = ", ".join(sorted({c.id.split(".")[0] for c in checks}))
        raise ValueError(f"no check id starts with {', '.join(patterns)}; prefixes: {known}")
    return chosen
