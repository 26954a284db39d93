"""`{gil-measurements}`: the threads chapter's measured table, run while the book is built.

Each real CPython found (one per version the models know) runs the `gil` probe's
measurements, and each model configuration of
{py:data}`~pyinternals.threads.experiments.MODELS` runs the same experiments; the
table shows them side by side with their shapes.  The runs are the ones the ledger's
rows use in the same build ({py:func}`~pyinternals.threads.experiments.measure_real`
remembers them), so the table and the ledger never disagree about what was measured.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

import pyinternals
from pyinternals import profiles
from pyinternals.observe.discovery import representatives
from pyinternals.observe.sphinx import table, tables_wanted
from pyinternals.threads import experiments


class GILMeasurementsDirective(SphinxDirective):
    """`{gil-measurements}`: the convoy and two CPU-bound threads, real and model."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        if not tables_wanted():
            return []
        interpreters = representatives()
        measurements = experiments.measure_all(interpreters)
        result: list[nodes.Node] = [table(experiments.TABLE_HEADER,
                                          experiments.table_rows(measurements),
                                          (24, 12, 22, 16, 16, 10),
                                          ["pyinternals-measurements"])]
        config = experiments.REAL_CONFIG
        note = (f"Real runs: sleep(0) alone for {config['alone_seconds']} s, beside a "
                f"CPU-bound thread for {config['convoy_seconds']} s (in "
                f"{config['segments']} segments); {config['trials']} trials of "
                f"{config['work']:,} iterations per thread, the two threads pinned to two "
                "cores, together and then in turn. Model, virtual clock: 50 round trips "
                "alone, 200 (ticker) or 15 "
                "(switch) beside the CPU-bound thread, one trial of 20,000 iterations; "
                "model, wall clock: 0.05 s and 0.25 s, 5 trials.")
        missing = [f for f in profiles.KNOWN if f not in interpreters]
        if missing:
            note += f" Not found on this machine, so not measured: CPython {', '.join(missing)}."
        result.append(nodes.paragraph(text=note))
        return result


def setup(app: Sphinx) -> dict[str, Any]:
    """Register `{gil-measurements}`."""
    app.add_directive("gil-measurements", GILMeasurementsDirective)
    return {"version": pyinternals.__version__, "parallel_read_safe": True,
            "parallel_write_safe": True}
