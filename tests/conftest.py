"""Shared fixtures: the real interpreters, one per version family the models know."""

from __future__ import annotations

import pytest

from pyinternals import profiles
from pyinternals.observe import Interpreter
from tests.support import real_interpreter


@pytest.fixture(params=profiles.KNOWN)
def real_python(request: pytest.FixtureRequest) -> Interpreter:
    """Each known version family's real interpreter, in turn."""
    return real_interpreter(request.param)
