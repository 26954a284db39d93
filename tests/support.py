"""Helpers shared by the tests of every chapter."""

from __future__ import annotations

import pytest

from pyinternals.observe import Interpreter, InterpreterMissing, require, required_families


def real_interpreter(family: str) -> Interpreter:
    """The interpreter standing for `family`; skips the test when there is none.

    With PYINTERNALS_REQUIRE naming the family (CI sets it), a missing interpreter
    fails the test instead: on the project's machine image they are all present.
    """
    try:
        return require(family)
    except InterpreterMissing as exc:
        if family in required_families():
            pytest.fail(f"required by PYINTERNALS_REQUIRE: {exc}")
        pytest.skip(str(exc))
