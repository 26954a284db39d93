"""Talking to real interpreters: discovery, probes and the fidelity ledger.

```python
>>> from pyinternals import observe
>>> observe.running().running
True
>>> observe.running().family == observe.profiles.running()
True

```
"""

from pyinternals import profiles
from pyinternals.observe.discovery import (
    ENV_VAR,
    REQUIRE_VAR,
    Discovery,
    Interpreter,
    InterpreterMissing,
    discover,
    interpreters,
    representatives,
    require,
    required_families,
    running,
)
from pyinternals.observe.ledger import Check, Ledger, Outcome, Row, Status, agreement, compare
from pyinternals.observe.probing import PROBES, ProbeError, probe_once, run_probe

__all__ = [
    "ENV_VAR",
    "PROBES",
    "REQUIRE_VAR",
    "Check",
    "Discovery",
    "Interpreter",
    "InterpreterMissing",
    "Ledger",
    "Outcome",
    "ProbeError",
    "Row",
    "Status",
    "agreement",
    "compare",
    "discover",
    "interpreters",
    "probe_once",
    "profiles",
    "representatives",
    "require",
    "required_families",
    "run_probe",
    "running",
]
