import os
import sys

import pytest

from pyinternals import observe, profiles
from pyinternals.observe import discovery


@pytest.fixture
def fresh_discovery(monkeypatch):
    """Discovery without the process-wide cache, restored afterwards."""
    discovery._discover.cache_clear()
    yield monkeypatch
    discovery._discover.cache_clear()


def test_running_interpreter_comes_first():
    first = observe.interpreters()[0]
    assert first.running
    assert first.version == tuple(sys.version_info[:3])
    assert os.path.realpath(sys.executable) == first.real_executable
    assert first.pointer_size * 8 == (64 if sys.maxsize > 2**32 else 32)


def test_each_binary_is_listed_once():
    reals = [i.real_executable for i in observe.interpreters()]
    assert len(reals) == len(set(reals))


def test_representatives_are_one_per_known_family():
    chosen = observe.representatives()
    assert list(chosen) == [f for f in profiles.KNOWN if f in chosen]
    for family, interp in chosen.items():
        assert interp.family == family
    assert chosen[profiles.running()].running


def test_override_replaces_the_search(fresh_discovery, real_python):
    fresh_discovery.setenv(observe.ENV_VAR, real_python.executable)
    found = observe.discover()
    assert found.searched == ("the running interpreter", f"${observe.ENV_VAR}")
    assert {i.real_executable for i in found.interpreters} <= {
        real_python.real_executable, observe.running().real_executable}
    if not real_python.running:
        assert len(found.interpreters) == 2
        assert found.interpreters[1].sources == ("env",)


def test_a_candidate_that_cannot_run_is_rejected_with_a_reason(fresh_discovery, tmp_path):
    broken = tmp_path / "python3.99"
    broken.write_text("#!/bin/sh\necho 'no such interpreter' >&2\nexit 3\n")
    broken.chmod(0o755)
    fresh_discovery.setenv(observe.ENV_VAR, os.pathsep.join([str(broken), "/nonexistent/python"]))
    found = observe.discover()
    reasons = dict(found.rejected)
    assert reasons[str(broken)] == "exited with status 3: no such interpreter"
    assert reasons["/nonexistent/python"].startswith("could not run")
    assert [i.running for i in found.interpreters] == [True]


def test_a_missing_family_says_where_it_looked(fresh_discovery):
    fresh_discovery.setenv(observe.ENV_VAR, "")
    with pytest.raises(observe.InterpreterMissing) as info:
        observe.require("2.7" if profiles.running() != "2.7" else "3.13")
    message = str(info.value)
    assert "the running interpreter" in message
    assert observe.ENV_VAR in message


def test_required_families_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(observe.REQUIRE_VAR, "2.7, 3.12,")
    assert observe.required_families() == {"2.7", "3.12"}
    monkeypatch.delenv(observe.REQUIRE_VAR)
    assert observe.required_families() == frozenset()


def test_paths_are_shown_without_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("PYENV_ROOT", raising=False)
    assert discovery._abbreviate(str(tmp_path / "bin" / "python")) == "~/bin/python"
    assert discovery._abbreviate(str(tmp_path / ".pyenv/versions/3.12.1/bin/python")) == (
        "$(pyenv root)/versions/3.12.1/bin/python")


def test_paths_under_the_current_folder_are_shown_relative(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert discovery._abbreviate(str(tmp_path / ".nox" / "bin" / "python")) == (
        "./.nox/bin/python")
