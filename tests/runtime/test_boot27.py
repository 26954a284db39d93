"""The 2.x `Py_InitializeEx` executed (`pyinternals.runtime.boot27`)."""

from __future__ import annotations

import contextlib
import io
import sys

import pytest

from pyinternals import profiles
from pyinternals.runtime import initialize
from pyinternals.runtime.boot27 import CannotRun2xCode, LegacyInterpreter, boot_27
from pyinternals.runtime.fs import VirtualFileSystem
from pyinternals.runtime.getpath import BuildConfig
from pyinternals.runtime.pylifecycle import InterpreterFinalized
from pyinternals.runtime.status import InitError, UsageError

BUILD = BuildConfig.installed("/srv", "2.7")
INSTALL = {"/srv/bin/python2.7": "", "/srv/lib/python2.7/os.py": "",
           "/srv/lib/python2.7/site.py": "", "/srv/lib/python2.7/lib-dynload/": "",
           "/srv/lib/python2.7/site-packages/": ""}
STDLIB = "/srv/lib/python2.7"


def fs(files=INSTALL):
    return VirtualFileSystem(files, cwd="/home/ada", executables={"/srv/bin/python2.7"})


def boot(*options, files=INSTALL, env=None, **kw):
    return boot_27(["/srv/bin/python2.7", *options], env or {}, build=BUILD, fs=fs(files),
                   **kw)


@pytest.fixture
def interp():
    booted = boot("-S", "-c", "pass")
    yield booted
    booted.finalize()


def test_the_steps_run_in_the_profiles_order(interp):
    expected = [s.function for s in profiles.runtime.get("2.7").startup_steps]
    assert [r.step.function for r in interp.steps] == expected
    # __builtin__ before sys, the path after sys's copy, hooks after the exceptions
    assert expected.index("_PyBuiltin_Init") < expected.index("_PySys_Init")
    assert expected.index('_PyImport_FixupExtension("sys")') < expected.index(
        "PySys_SetPath(Py_GetPath())")


def test_the_states(interp):
    runtime = interp.runtime
    assert runtime.name == "globals"
    assert runtime.interp_head is interp.state
    assert runtime.tstate_current is interp.tstate
    assert list(interp.state.threads()) == [interp.tstate]
    assert interp.state.modules is interp.sys.modules is interp.modules
    assert interp.state.sysdict is vars(interp.sys)
    assert interp.state.builtins is interp.builtins is vars(interp.modules["__builtin__"])
    assert interp.main_dict["__builtins__"] is interp.modules["__builtin__"]


def test_the_modules_and_the_hooks_after_a_boot_with_dash_S(interp):
    assert sorted(interp.modules) == ["__builtin__", "__main__", "_warnings", "exceptions",
                                      "signal", "sys", "zipimport"]
    assert interp.startup_imports == ["zipimport"]
    assert interp.sys.meta_path == []
    assert interp.sys.path_importer_cache == {}
    assert [h.__name__ for h in interp.sys.path_hooks] == ["zipimporter"]
    assert interp.sys.argv == ["-c"]
    assert interp.sys.path == ["", "/srv/lib/python27.zip", STDLIB, f"{STDLIB}/plat-linux2",
                               f"{STDLIB}/lib-tk", f"{STDLIB}/lib-old", f"{STDLIB}/lib-dynload"]


def test_the_exceptions_are_in_both_modules(interp):
    exceptions = interp.modules["exceptions"]
    assert exceptions.ValueError is ValueError
    assert interp.builtins["KeyError"] is exceptions.KeyError
    assert "ValueError" not in _functions_only(interp)


def _functions_only(interp):
    return {k for k, v in interp.builtins.items() if k != "__import__" and callable(v)
            and not isinstance(v, type)}


def test_the_extensions_are_copies_taken_when_each_step_ran(interp):
    ext = interp.extensions
    assert sorted(ext) == ["__builtin__", "exceptions", "signal", "sys", "zipimport"]
    assert ext["sys"] is not vars(interp.sys)
    later = {"path", "modules", "meta_path", "path_hooks", "path_importer_cache", "argv"}
    assert set(vars(interp.sys)) - set(ext["sys"]) == later
    # __builtin__'s copy was taken after _PyExc_Init and _PyImport_Init
    assert ext["__builtin__"]["ValueError"] is ValueError
    assert "__import__" in ext["__builtin__"]


def test_a_module_taken_out_comes_back_from_its_copy(interp):
    live = interp.sys
    del interp.modules["sys"]
    again = interp.import_module("sys")
    assert again is not live
    assert interp.modules["sys"] is again
    assert not hasattr(again, "path")
    assert again.prefix == "/srv"
    interp.modules["sys"] = live
    exceptions = interp.modules["exceptions"]
    exceptions.ADDED_LATER = 1
    del interp.modules["exceptions"]
    back = interp.import_module("exceptions")
    assert back is not exceptions
    assert back.ValueError is ValueError
    assert not hasattr(back, "ADDED_LATER")


def test_site_from_the_standard_library_is_modelled():
    interp = boot("-c", "pass")
    try:
        assert interp.sys.path[-1] == f"{STDLIB}/site-packages"
        assert interp.sys.path[0] == ""
        assert "site" in interp.modules
        assert interp.steps[-2].detail.startswith("the standard library's site")
    finally:
        interp.finalize()


def test_site_on_pythonpath_runs_through_the_legacy_import_system(tmp_path):
    (tmp_path / "site.py").write_text("import sys\nsys.SEEN = sorted(sys.modules)\n")
    build = BuildConfig.installed(str(tmp_path / "py"), "2.7")
    stdlib = tmp_path / "py" / "lib" / "python2.7"
    stdlib.mkdir(parents=True)
    (stdlib / "os.py").write_text("")
    interp = boot_27([str(tmp_path / "py" / "bin" / "python2.7"), "-B", "-c", "pass"],
                     {"PYTHONPATH": str(tmp_path)}, build=build)
    try:
        assert interp.sys.SEEN == ["__builtin__", "__main__", "_warnings", "exceptions",
                                   "signal", "site", "sys", "zipimport"]
        assert interp.modules["site"].__file__ == str(tmp_path / "site.py")
        assert not (tmp_path / "site.pyc").exists()  # -B
    finally:
        interp.finalize()


def test_no_site_is_the_real_failure():
    files = {k: v for k, v in INSTALL.items() if not k.endswith("site.py")}
    with pytest.raises(InitError) as info:
        boot("-c", "pass", files=files)
    assert info.value.stderr == "ImportError: No module named site\n"


def test_the_trace_prints_each_step():
    lines = []
    interp = boot("-S", "-c", "pass", trace=lines.append)
    interp.finalize()
    assert lines[0] == "Py_InitializeEx: sys.flags(no_site=1)"
    assert lines[11].endswith("[imports zipimport]")
    assert lines[-1] == "Py_Finalize: interpreter 0 deleted"


def test_initialize_returns_a_legacy_interpreter_for_2_7_and_it_runs_nothing():
    interp = initialize(["/srv/bin/python2.7", "-S"], {}, profile="2.7", build=BUILD,
                        fs=fs())
    assert isinstance(interp, LegacyInterpreter)
    calls = [(interp.run_source, ("pass",)), (interp.run_file, ("x.py",)),
             (interp.run_main, ()), (interp.interactive, (["1"],))]
    for method, args in calls:
        with pytest.raises(CannotRun2xCode, match=r"2\.x bytecode"):
            method(*args)
    interp.finalize()
    assert list(interp.runtime.interpreters()) == []
    with pytest.raises(InterpreterFinalized):
        interp.import_module("sys")
    interp.finalize()  # twice: nothing


def test_bad_command_lines_are_refused_as_2_7_refuses():
    with pytest.raises(UsageError, match="Unknown option: -I"):
        boot("-I")


def test_the_host_is_untouched():
    before = (dict(sys.modules), list(sys.path))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        interp = boot("-c", "pass")
        interp.finalize()
    assert (dict(sys.modules), list(sys.path)) == before


def test_the_diagram_is_the_same_for_the_same_state():
    a, b = boot("-S"), boot("-S")
    try:
        assert a.to_dot() == b.to_dot()
        dot = a.to_dot()
        assert '"modules":"m_sys" -> "extensions":"m_sys"' in dot
        assert "0x" not in dot
        assert "zipimport" in a.timeline().to_dot()
    finally:
        a.finalize()
        b.finalize()
