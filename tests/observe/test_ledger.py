import json

import pytest

from pyinternals import observe, profiles
from pyinternals.observe.ledger import Check, Ledger, Outcome, Status, agreement, select, skipped


def _check(id_, evaluate, **kw):
    return Check(id_, "test", f"claim {id_}", "by looking", evaluate, **kw)


@pytest.fixture
def here():
    return {profiles.running(): observe.running()}


def test_agreement_passes_equal_answers_only():
    assert agreement(1, 1).status is Status.PASS
    assert agreement(1, 2).status is Status.FAIL


def test_a_disagreement_fails_the_ledger_and_is_spelled_out(here):
    ledger = Ledger.run([_check("x.same", lambda i: agreement(1, 1)),
                         _check("x.differs", lambda i: agreement("model", "real"))], here)
    assert not ledger.ok
    text = ledger.format_text()
    assert "x.differs" in text
    assert "model: model" in text
    assert "real:  real" in text
    assert ledger.counts()[Status.FAIL] == 1


def test_a_broken_observation_is_an_error_not_a_crash(here):
    def boom(interp):
        raise RuntimeError("probe exploded")

    ledger = Ledger.run([_check("x.boom", boom)], here)
    outcome = ledger.rows[0].outcomes[profiles.running()]
    assert outcome.status is Status.ERROR
    assert "RuntimeError: probe exploded" in outcome.note
    assert not ledger.ok


def test_absent_families_are_skipped_with_a_reason(here, monkeypatch):
    monkeypatch.delenv(observe.REQUIRE_VAR, raising=False)
    ledger = Ledger.run([_check("x.ok", lambda i: agreement(1, 1))], here)
    assert ledger.ok
    others = [f for f in profiles.KNOWN if f != profiles.running()]
    for family in others:
        outcome = ledger.rows[0].outcomes[family]
        assert outcome.status is Status.SKIP
        assert outcome.note == f"no CPython {family} found on this machine"


def test_a_required_family_that_is_absent_is_an_error(here, monkeypatch):
    other = next(f for f in profiles.KNOWN if f != profiles.running())
    monkeypatch.setenv(observe.REQUIRE_VAR, other)
    ledger = Ledger.run([_check("x.ok", lambda i: agreement(1, 1))], here)
    assert ledger.rows[0].outcomes[other].status is Status.ERROR
    assert not ledger.ok


def test_checks_apply_only_to_their_families(here):
    ledger = Ledger.run([_check("x.none", lambda i: agreement(1, 2), families=())], here)
    assert ledger.ok
    assert all(o.note.startswith("not a claim about") for o in ledger.rows[0].outcomes.values())


def test_running_scope_skips_the_others():
    interp = observe.running()
    check = _check("x.running", lambda i: agreement(1, 1), scope="running")
    assert check.run(interp).status is Status.PASS


def test_json_has_every_cell(here):
    ledger = Ledger.run([_check("x.ok", lambda i: Outcome(Status.PASS, b"\x03", b"\x03"))], here)
    doc = json.loads(ledger.to_json())
    cell = doc["checks"][0]["outcomes"][profiles.running()]
    assert cell == {"status": "pass", "model": "03", "observed": "03", "note": ""}
    assert set(doc["checks"][0]["outcomes"]) == set(profiles.KNOWN)


def test_select_by_prefix():
    checks = [_check("pyc.a", skipped), _check("gc.b", skipped)]
    assert [c.id for c in select(checks, ["pyc"])] == ["pyc.a"]
    with pytest.raises(ValueError, match="prefixes: gc, pyc"):
        select(checks, ["nope"])
