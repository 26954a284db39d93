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


@pytest.mark.parametrize("family", profiles.KNOWN)
@pytest.mark.parametrize("check", CHECKS, ids=[c.id for c in CHECKS])
def test_check(check, family):
    if family not in check.families:
        pytest.skip(f"{check.id} makes no claim about {family}")
    interp = real_interpreter(family)
    outcome = check.run(interp)
    if outcome.status is Status.SKIP:
        pytest.skip(outcome.note)
    assert outcome.status is Status.PASS, (
        f"{check.id} on {interp.describe()}: {outcome.status.value}\n"
        f"  claim: {check.claim}\n  how:   {check.how}\n"
        f"  model: {outcome.model!r}\n  real:  {outcome.observed!r}\n  {outcome.note}"
    )


def test_the_whole_ledger_text_names_every_interpreter_found():
    text = Ledger.run(CHECKS[:1]).format_text()
    for interp in representatives().values():
        assert interp.label in text
