"""The start-up chapter's rows of the fidelity ledger.

- `runtime.start.*`: a real interpreter started in a scenario of
  {py:mod}`pyinternals.runtime.scenarios` (plain, `-S`, `-s`, `-I`, `-E` with
  `PYTHONPATH`, missing `PYTHONPATH` entries, `PYTHONHOME`, a script in another
  folder, `-m`, a fresh venv with and without `-S`) against the model's
  {py:func}`~pyinternals.runtime.pathconfig.configure` on the same command line,
  environment and folder: `sys.path`, `sys.prefix`, `sys.exec_prefix`,
  `sys.base_prefix`, `sys.flags` and `sys.argv` must be equal.
- `runtime.flags.*`: crowded command lines and environments: `sys.flags`,
  `sys.warnoptions`, `sys._xoptions`.
- `runtime.refuse.*`: command lines and values the interpreter refuses: the exit
  status and what it prints must be equal.

The model's side is computed from the version's profile and the build's constants
(`PREFIX`, ...), which are read from the interpreter: they belong to one build on
one machine, not to a version.
"""

from __future__ import annotations

from pyinternals.observe import Interpreter
from pyinternals.observe.ledger import Check, Outcome, agreement
from pyinternals.runtime.scenarios import (
    BAD_SCENARIOS,
    FLAG_SCENARIOS,
    SCENARIOS,
    Scenario,
    sandbox,
)

CHAPTER = "runtime"
_3X = ("3.11", "3.12", "3.13")


def _scenario_check(prefix: str, scenario: Scenario, claim: str) -> Check:
    def evaluate(interpreter: Interpreter) -> Outcome:
        box = sandbox(interpreter)
        observed = box.observe(scenario).compared(scenario.fields)
        model = box.model(scenario).compared(scenario.fields)
        return agreement(model, observed)

    how = (f"the startup probe run as `python {' '.join(scenario.options)} "
           f"{'' if scenario.run in ('', '-c') else scenario.run}` in a sandbox "
           "(HOME and PATH only); the model's configure() on the same command line")
    families = _3X if scenario.venv else ("2.7", *_3X)
    return Check(f"runtime.{prefix}.{scenario.name}", CHAPTER, claim, " ".join(how.split()),
                 evaluate, families)


CHECKS: list[Check] = [
    *(_scenario_check("start", s, f"sys.path, prefixes, flags and argv: {s.what}")
      for s in SCENARIOS),
    *(_scenario_check("flags", s, f"sys.flags, warnoptions and _xoptions: {s.what}")
      for s in FLAG_SCENARIOS),
    *(_scenario_check("refuse", s, f"the exit status and message for {s.what}")
      for s in BAD_SCENARIOS),
]
