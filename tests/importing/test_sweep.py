"""The standard-library sweep (the running interpreter), and what it must not touch."""

from __future__ import annotations

import sys

from pyinternals.importing import sweep


def test_the_module_list_covers_packages_and_leaves_out_what_acts_on_the_machine():
    names = sweep.stdlib_modules()
    assert {"json", "json.decoder", "email.mime.text"} <= set(names)
    assert not {"antigravity", "idlelib.idle"} & set(names)
    assert not [n for n in names if n.endswith("__main__") or ".test." in n]


def test_after_the_sweep_the_hosts_sys_modules_is_unchanged():
    before = dict(sys.modules)
    result = sweep.sweep()  # once per process: the ledger's rows share it
    assert result.host_changes == []
    after = dict(sys.modules)
    assert [k for k in before if after.get(k) is not before[k]] == []
    assert result.differences == {}, result.differences
    assert result.baseline == result.model_baseline
    assert result.matching == result.count > 700


def test_describe_reads_a_module_as_the_probe_does():
    assert sweep.describe(None) is None
    json_info = sweep.describe(sys.modules["json"])
    assert json_info is not None
    assert json_info["loader"] == "SourceFileLoader"
    assert json_info["path"] == list(sys.modules["json"].__path__)
    assert sweep.describe(sys)["file"] == "<absent>"  # type: ignore[index]


def test_importing_extension_modules_in_this_process_leaves_its_sys_modules_alone():
    # This process (pytest) has loaded many of these already: single-phase modules
    # are shared, multi-phase ones get a second instance, none leaks into sys.modules.
    names = ["_asyncio", "asyncio", "xml.etree.ElementTree", "pickle", "decimal", "ssl",
             "socket", "sqlite3", "ctypes", "datetime", "zoneinfo", "_pickle", "pyexpat",
             "unicodedata", "encodings.big5", "csv", "_strptime"]
    real = sweep.run_real(sweep.running(), names)
    before = dict(sys.modules)
    answer = sweep.run_model_here(real, names)
    assert answer["host_changes"] == []
    assert [k for k in before if sys.modules.get(k) is not before[k]] == []
    outcomes = {row[0]: row[1] for row in answer["results"]}
    assert outcomes == dict.fromkeys(names)
