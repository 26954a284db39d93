"""The fidelity ledger, run by the test suite: one test per check and version."""

from __future__ import annotations

import pytest

from pyinternals import ledger, profiles
from pyinternals.observe import Ledger, Status, representatives
from tests.support import real_interpreter

CHECKS = ledger.all_checks()


def test_check_ids_are_unique_and_dotted():
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert all("." in i for i in ids)


def _cells() -> list:
    """(check, family) for every claim a check makes: each family it names, or only
    the running interpreter's for a check scoped to the running interpreter."""
    running = profiles.running()
    return [pytest.param(check, family, id=f"{check.id}-{family}")
            for check in CHECKS for family in profiles.KNOWN
            if family in check.families and (check.scope == "each" or family == running)]


@pytest.mark.parametrize(("check", "family"), _cells())
def test_check(check, family):
    interp = real_interpreter(family)
    outcome = check.run(interp)
    assert outcome.status is Status.PASS, (
        f"{check.id} on {interp.describe()}: {outcome.status.value}\n"
        f"  claim: {check.claim}\n  how:   {check.how}\n"
        f"  model: {outcome.model!r}\n  real:  {outcome.observed!r}\n  {outcome.note}"
    )


def test_the_whole_ledger_text_names_every_interpreter_found():
    text = Ledger.run(CHECKS[:1]).format_text()
    for interp in representatives().values():
        assert interp.label in text
