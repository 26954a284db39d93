"""Sphinx directives that show the machine the book was built on.

- `{interpreters}`: the table of real interpreters found at build time.
- `{fidelity-ledger}`: the fidelity ledger's rows, run at build time.  Options:
  `:chapter: NAME` keeps the rows of one chapter, `:prefix: A B` the rows whose id
  starts with one of the prefixes.  A row that fails or errors is shown as it is and
  reported as a warning, which fails a strict build.

The checks come from the callable named by the `pyinternals_checks` setting
(`"module:function"`), so that this module never imports a chapter.  Each check
runs once per build process, however many pages show it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import pyinternals
from pyinternals import profiles
from pyinternals.observe.discovery import Interpreter, discover, representatives
from pyinternals.observe.ledger import Check, Ledger, Outcome, Row, Status, show

logger = logging.getLogger(__name__)

_SYMBOL = {Status.PASS: "✓", Status.FAIL: "✗", Status.SKIP: "–", Status.ERROR: "⚠"}
_rows: dict[str, Row] = {}
# The doctest builder only runs examples: it neither shows tables nor runs the ledger.
_BUILDERS_WITHOUT_TABLES = frozenset({"doctest"})
_builder = {"name": ""}


def _on_builder_inited(app: Sphinx) -> None:
    _builder["name"] = app.builder.name


def tables_wanted() -> bool:
    """Whether the builder shows measured tables (the doctest builder does not)."""
    return _builder["name"] not in _BUILDERS_WITHOUT_TABLES


def cell(*content: nodes.Node | str, classes: Sequence[str] = ()) -> nodes.entry:
    """A table cell holding one paragraph of text and inline nodes."""
    entry = nodes.entry(classes=list(classes))
    para = nodes.paragraph()
    for item in content:
        para += nodes.Text(item) if isinstance(item, str) else item
    entry += para
    return entry


def table(header: Sequence[str], rows: Sequence[Sequence[nodes.entry | str]],
          widths: Sequence[int], classes: Sequence[str]) -> nodes.table:
    """A docutils table: a header row, then rows of cells (text becomes a cell)."""
    result = nodes.table(classes=list(classes))
    group = nodes.tgroup(cols=len(header))
    result += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head_row = nodes.row()
    head += head_row
    for title in header:
        head_row += cell(title)
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        row.extend(cell(c) if isinstance(c, str) else c for c in cells)
        body += row
    return result


# -- {interpreters} ------------------------------------------------------------------


def _build_kind(interp: Interpreter) -> str:
    kinds = [k for k, on in (("debug", interp.debug), ("free-threaded", interp.free_threaded))
             if on]
    return ", ".join(kinds) or "release"


def _ledger_role(interp: Interpreter, chosen: dict[str, Interpreter]) -> str:
    if interp.profile is None:
        return f"no: no model knows {interp.family}"
    if chosen.get(interp.profile) == interp:
        return f"yes: the {interp.profile} column"
    other = chosen.get(interp.profile)
    return f"no: {other.label} stands for {interp.profile}" if other else "no"


class InterpretersDirective(SphinxDirective):
    """`{interpreters}`: every real interpreter found when the book was built."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        if not tables_wanted():
            return []
        found = discover()
        chosen = representatives()
        rows = []
        for interp in found.interpreters:
            name = ("CPython " if interp.implementation == "cpython"
                    else interp.implementation + " ") + interp.label
            rows.append([
                cell(name),
                cell(", ".join(interp.sources)),
                cell(nodes.literal(text=interp.display_path)),
                cell(f"{interp.pointer_size * 8}-bit, {_build_kind(interp)}"),
                cell(_ledger_role(interp, chosen)),
            ])
        found_table = table(["Interpreter", "Found via", "Executable", "Build", "In the ledger"],
                            rows, [14, 14, 36, 16, 20], ["pyinternals-interpreters"])
        result: list[nodes.Node] = [found_table]
        missing = [fam for fam in profiles.KNOWN if fam not in chosen]
        note = nodes.paragraph()
        note += nodes.Text(f"Searched: {'; '.join(found.searched)}. ")
        if missing:
            note += nodes.Text(f"Not found: CPython {', '.join(missing)}; their ledger "
                               "columns are skipped. ")
        if found.rejected:
            note += nodes.Text(f"{len(found.rejected)} candidate(s) on the search path "
                               "could not be run and are left out.")
        result.append(note)
        return result


# -- {fidelity-ledger} -------------------------------------------------------------


def _load_checks(spec: str) -> Callable[[], list[Check]]:
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"pyinternals_checks must be 'module:function', not {spec!r}")
    function: Callable[[], list[Check]] = getattr(importlib.import_module(module_name), attr)
    return function


def _run_checks(checks: list[Check], interps: dict[str, Interpreter]) -> list[Row]:
    todo = [c for c in checks if c.id not in _rows]
    if todo:
        for row in Ledger.run(todo, interps).rows:
            _rows[row.check.id] = row
    return [_rows[c.id] for c in checks]


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _outcomecell(outcome: Outcome) -> nodes.entry:
    symbol = _SYMBOL[outcome.status]
    if outcome.status is Status.PASS:
        text = _short(show(outcome.observed))
    elif outcome.status is Status.FAIL:
        text = (f"model: {_short(show(outcome.model), 40)}; "
                f"real: {_short(show(outcome.observed), 40)}")
    else:
        text = _short(outcome.note.splitlines()[0] if outcome.note else "")
    return cell(f"{symbol} {text}", classes=[f"ledger-{outcome.status.value}"])


class LedgerDirective(SphinxDirective):
    """`{fidelity-ledger}`: the ledger's rows, as observed while the book was built."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "chapter": directives.unchanged_required,
        "prefix": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        if not tables_wanted():
            return []
        checks = _load_checks(self.config.pyinternals_checks)()
        if "chapter" in self.options:
            checks = [c for c in checks if c.chapter == self.options["chapter"]]
        if "prefix" in self.options:
            prefixes = tuple(self.options["prefix"].split())
            checks = [c for c in checks if c.id.startswith(prefixes)]
        if not checks:
            raise self.error("no fidelity check matches these options")
        interps = representatives()
        rows = _run_checks(checks, interps)
        labels = [interps[f].label if f in interps else f"{f} (absent)" for f in profiles.KNOWN]
        body = []
        for row in rows:
            check = row.check
            body.append([
                cell(nodes.literal(text=check.id), nodes.Text(" "), check.claim),
                cell(check.how),
                *(_outcomecell(row.outcomes[f]) for f in profiles.KNOWN),
            ])
            for fam, outcome in row.outcomes.items():
                if not outcome.status.ok:
                    logger.warning(
                        "fidelity check %s %s on %s: model %s, real %s %s", check.id,
                        outcome.status.value, fam, show(outcome.model),
                        show(outcome.observed), outcome.note,
                        location=(self.env.docname, self.lineno),
                        type="pyinternals", subtype="ledger",
                    )
        widths = [30, 22, *([12] * len(labels))]
        return [table(["Check", "How it is observed", *labels], body, widths,
                       ["pyinternals-ledger"])]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register `{interpreters}` and `{fidelity-ledger}`."""
    app.add_config_value("pyinternals_checks", "pyinternals.ledger:all_checks", "env",
                         types=frozenset({str}))
    app.connect("builder-inited", _on_builder_inited)
    app.add_directive("interpreters", InterpretersDirective)
    app.add_directive("fidelity-ledger", LedgerDirective)
    return {"version": pyinternals.__version__, "parallel_read_safe": True,
            "parallel_write_safe": True}
