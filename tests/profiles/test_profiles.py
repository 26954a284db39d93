import sys

import pytest

from pyinternals import profiles


def test_default_is_the_running_version():
    assert profiles.running() == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert profiles.gc.get() == profiles.gc.get(profiles.running())


def test_unknown_version_names_the_known_ones():
    with pytest.raises(profiles.UnknownProfile) as info:
        profiles.pyc.get("3.4")
    message = str(info.value)
    assert "'3.4'" in message
    for known in profiles.KNOWN:
        assert repr(known) in message


def test_a_version_is_a_string():
    with pytest.raises(TypeError, match=r"string such as '3\.11'"):
        profiles.gil.get(3.11)  # type: ignore[arg-type]


def test_every_section_covers_every_known_version():
    for section in (profiles.pyc, profiles.gc, profiles.gil, profiles.build):
        for version in profiles.KNOWN:
            assert section.get(version) is not None


def test_eras_differ_as_data():
    assert profiles.gil.get("2.7").design == "ticker"
    assert {profiles.gil.get(v).design for v in ("3.11", "3.12", "3.13")} == {"switch"}
    assert profiles.gc.get("2.7").legacy_finalizers
    assert not profiles.gc.get("3.13").legacy_finalizers
