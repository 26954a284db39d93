"""The 2.x model: import.c's algorithm, its trace, its .pyc files, its errors."""

from __future__ import annotations

import os
import sys
import warnings

import pytest

from pyinternals.importing.diagrams import CallTree
from pyinternals.importing.legacy import LegacyImportSystem, pyc_header


def test_startup_state_has_the_misses_2_7_leaves():
    legacy = LegacyImportSystem([])
    assert legacy.modules["sys"] is legacy.sys
    assert legacy.modules["__builtin__"] is legacy.builtins
    assert [k for k, v in legacy.modules.items() if v is None] == [
        "encodings.__builtin__", "encodings.codecs", "encodings.encodings"]
    assert "stand-in" in legacy.modules["codecs"].__doc__


def test_implicit_relative_import_and_the_none_it_leaves(make_tree):
    root = make_tree({"ip/__init__.py": "", "ip/a.py": "import b\nimport sys\n", "ip/b.py": ""})
    legacy = LegacyImportSystem([str(root)])
    legacy.execute("import ip.a")
    assert legacy.modules["ip.a"].b is legacy.modules["ip.b"]
    assert legacy.modules["ip.sys"] is None
    assert legacy.modules["ip.a"].sys is legacy.sys
    assert legacy.modules["ip.a"].__package__ == "ip"  # set by get_parent


def test_absolute_import_turns_the_relative_try_off(make_tree):
    root = make_tree({"ip/__init__.py": "", "ip/b.py": "",
                      "ip/c.py": "from __future__ import absolute_import\nimport b\n"})
    legacy = LegacyImportSystem([str(root)])
    legacy.standin("__future__")
    with pytest.raises(ImportError, match=r"^No module named b$"):
        legacy.execute("import ip.c")
    assert "ip.c" not in legacy.modules


def test_the_trace_is_python2_7_v(make_tree):
    root = make_tree({"pkg/__init__.py": "", "pkg/a.py": "x = 1\n"})
    legacy = LegacyImportSystem([str(root)])
    with legacy.trace:
        legacy.execute("import pkg.a\nimport errno")
    assert legacy.trace.lines() == [
        f"import pkg # directory {root}/pkg",
        f"import pkg # from {root}/pkg/__init__.py",
        f"# wrote {root}/pkg/__init__.pyc",
        f"import pkg.a # from {root}/pkg/a.py",
        f"# wrote {root}/pkg/a.pyc",
        "import errno # builtin",
    ]
    again = LegacyImportSystem([str(root)])
    with again.trace:
        again.execute("import pkg.a")
    assert again.trace.lines()[1:3] == [
        f"# {root}/pkg/__init__.pyc matches {root}/pkg/__init__.py",
        f"import pkg # precompiled from {root}/pkg/__init__.pyc",
    ]
    assert again.modules["pkg"].__file__ == f"{root}/pkg/__init__.pyc"


def test_the_calls_are_the_notes_path(make_tree):
    legacy = LegacyImportSystem([str(make_tree({"m.py": ""}))])
    with legacy.trace:
        legacy.execute("import m")
    names = [line.strip().split("(")[0] for line in CallTree(legacy.trace).describe().splitlines()]
    assert names == ["builtin___import__", "PyImport_ImportModuleLevel", "import_module_level",
                     "get_parent", "load_next", "import_submodule", "find_module",
                     "load_module", "load_source_module"]
    with pytest.raises(ValueError, match="recorded no calls"):
        CallTree(LegacyImportSystem([]).trace)


def test_pyc_beside_the_source_with_an_8_byte_header(make_tree):
    root = make_tree({"m.py": "x = 1\n"})
    os.utime(root / "m.py", (1_000_000_000, 1_000_000_000))
    legacy = LegacyImportSystem([str(root)])
    legacy.import_module("m")
    data = (root / "m.pyc").read_bytes()
    assert data[:8] == pyc_header("matching", 1_000_000_000, legacy.magic)
    assert data[4:8] == (1_000_000_000).to_bytes(4, "little")


def test_a_foreign_or_stale_pyc_is_recompiled(make_tree):
    root = make_tree({"m.py": "x = 1\n"})
    (root / "m.pyc").write_bytes(b"\x03\xf3\r\n" + b"\0" * 20)  # 2.7's magic
    legacy = LegacyImportSystem([str(root)])
    with legacy.trace:
        assert legacy.import_module("m").x == 1
    assert legacy.trace.lines()[0] == f"# {root}/m.pyc has bad magic"


def test_a_sourceless_pyc_with_a_bad_magic_is_refused(make_tree):
    root = make_tree({})
    (root / "alone.pyc").write_bytes(b"\x03\xf3\r\n" + b"\0" * 20)
    legacy = LegacyImportSystem([str(root)])
    with pytest.raises(ImportError, match=f"^Bad magic number in {root}/alone.pyc$"):
        legacy.import_module("alone")
    assert not legacy.lock_held()


@pytest.mark.parametrize(("statement", "error", "message"), [
    ("from . import x", ValueError, "Attempted relative import in non-package"),
    ("__import__('')", ValueError, "Empty module name"),
    ("__import__(1)", TypeError, "__import__() argument 1 must be string, not int"),
    ("import nosuch.sub", ImportError, "No module named nosuch.sub"),
    ("import a/b", SyntaxError, None),
])
def test_errors_use_2_7s_words(statement, error, message):
    legacy = LegacyImportSystem([])
    with pytest.raises(error) as info:
        legacy.execute(statement)
    if message is not None:
        assert str(info.value) == message
    assert not legacy.lock_held()


def test_relative_import_beyond_the_top_and_from_missing(make_tree):
    root = make_tree({"rp/__init__.py": "", "rp/up.py": "from ... import x\n",
                      "rp/mis.py": "from rp import nothing\n"})
    legacy = LegacyImportSystem([str(root)])
    with pytest.raises(ValueError, match=r"^Attempted relative import beyond toplevel package$"):
        legacy.import_module("rp.up")
    with pytest.raises(ImportError, match=r"^cannot import name nothing$"):
        legacy.import_module("rp.mis")
    assert "rp.up" not in legacy.modules
    assert "rp.mis" not in legacy.modules


def test_a_directory_without_init_is_not_a_package(make_tree):
    root = make_tree({"plain/mod.py": ""})
    legacy = LegacyImportSystem([str(root)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ImportError, match=r"^No module named plain$"):
            legacy.import_module("plain")
    assert [str(w.message) for w in caught] == [
        f"Not importing directory '{root}/plain': missing __init__.py"]


def test_reload_and_its_errors(make_tree):
    root = make_tree({"counter.py": "n = 0\n"})
    legacy = LegacyImportSystem([str(root)])
    counter = legacy.import_module("counter")
    counter.n = 3
    assert legacy.builtins.reload(counter) is counter
    assert counter.n == 0
    with pytest.raises(TypeError, match=r"^reload\(\) argument must be module$"):
        legacy.PyImport_ReloadModule(1)
    with pytest.raises(ImportError, match=r"^reload\(\): module zz not in sys\.modules$"):
        legacy.PyImport_ReloadModule(type(sys)("zz"))


def test_missing_attributes_use_2_x_words(make_tree):
    legacy = LegacyImportSystem([str(make_tree({"m.py": ""}))])
    with pytest.raises(AttributeError, match=r"^'module' object has no attribute 'nope'$"):
        legacy.execute("import m\nm.nope")


def test_the_constructor_checks_its_arguments():
    with pytest.raises(TypeError, match="not one string"):
        LegacyImportSystem("/tmp")
    with pytest.raises(ValueError, match="importlib"):
        LegacyImportSystem([], profile="3.11")
    with pytest.raises(ValueError, match="4 bytes"):
        LegacyImportSystem([], magic=b"xx")
    assert "None" in repr(LegacyImportSystem([]))


def test_the_host_modules_are_left_alone(make_tree):
    root = make_tree({"pkg/__init__.py": "import sys\n", "pkg/a.py": "import b\n",
                      "pkg/b.py": ""})
    before = dict(sys.modules)
    legacy = LegacyImportSystem([str(root)])
    legacy.execute("import pkg.a\nimport errno, gc, marshal")
    assert {k for k in sys.modules if sys.modules[k] is not before.get(k)} == set()


# -- C modules: init_builtin, _PyImport_LoadDynamicModule and the extensions backup --


def _extension_folder(tmp_path, name="cmath"):
    """A folder holding the running interpreter's extension `name` as `NAME.so`."""
    import shutil

    from pyinternals.importing.legacy_extensions import host_extension

    shutil.copy(host_extension(name), tmp_path / f"{name}.so")
    return tmp_path


def test_a_builtin_module_is_made_again_from_its_copy():
    legacy = LegacyImportSystem([])
    with legacy.trace:
        ns = legacy.execute("import sys, thread\nfirst = thread\nthread.added = 1\n"
                            "lock = thread.allocate_lock\n"
                            "del sys.modules['thread']\nimport thread\n")
    second = ns["thread"]
    assert second is not ns["first"]
    assert legacy.modules["thread"] is second
    assert not hasattr(second, "added")
    assert ns["first"].added == 1
    assert second.allocate_lock is ns["lock"]
    assert second.__name__ == "thread"
    assert legacy.trace.lines() == ["import thread # builtin",
                                    "import thread # previously loaded (thread)"]
    assert set(legacy.extensions["thread"]) == set(vars(second))
    assert "added" not in legacy.extensions["thread"]
    names = [c.strip().split("(")[0] for c in legacy.trace.calls()]
    assert names.count("init_builtin") == 2
    assert names.count("_PyImport_FixupExtension") == 1
    assert names.count("_PyImport_FindExtension") == 2


def test_reload_of_a_builtin_refreshes_in_place_and_keeps_added_names():
    legacy = LegacyImportSystem([])
    thread = legacy.import_module("thread")
    original = thread.allocate_lock
    thread.allocate_lock = None
    thread.added = 2
    assert legacy.builtins.reload(thread) is thread
    assert thread.allocate_lock is original
    assert thread.added == 2


def test_an_extension_is_loaded_once_then_served_from_its_copy(tmp_path):
    folder = _extension_folder(tmp_path)
    legacy = LegacyImportSystem([str(folder)])
    with legacy.trace:
        first = legacy.import_module("cmath")
        first.added = 1
        del legacy.modules["cmath"]
        second = legacy.import_module("cmath")
    so = f"{folder}/cmath.so"
    assert legacy.trace.lines() == [f'dlopen("{so}", 2);',
                                    f"import cmath # dynamically loaded from {so}",
                                    f"import cmath # previously loaded ({so})"]
    assert second is not first
    assert not hasattr(second, "added")
    assert second.__file__ == so
    assert second.sqrt is first.sqrt
    assert legacy.extensions[so]["__file__"] == so
    calls = [c.strip().split("(")[0] for c in legacy.trace.calls()]
    assert calls.count("_PyImport_LoadDynamicModule") == 2
    assert "cmath" not in sys.modules or sys.modules["cmath"].__file__ != so


def test_a_file_that_is_no_extension_is_refused_with_nothing_left(tmp_path):
    (tmp_path / "fake.so").write_bytes(b"not a shared library")
    legacy = LegacyImportSystem([str(tmp_path)])
    with pytest.raises(ImportError, match="is not an extension module of the interpreter"):
        legacy.import_module("fake")
    assert "fake" not in legacy.modules
    assert str(tmp_path / "fake.so") not in legacy.extensions
    assert not legacy.lock_held()


def test_internal_modules_cannot_be_re_initialised():
    legacy = LegacyImportSystem([])
    with pytest.raises(ImportError, match=r"^Cannot re-init internal module __main__$"):
        legacy.init_builtin("__main__")
    assert legacy.init_builtin("nosuchmodule") is False
    with pytest.raises(SystemError, match="module nosuch not loaded"):
        legacy._PyImport_FixupExtension("nosuch", "nosuch")
    # sys was fixed up at start-up, before its path and module table were set:
    # deleting it and importing it again makes a new module from that copy, as in
    # 2.7 (the runtime.boot27.extensions row observes it).
    ns = legacy.execute("import sys\nold = sys\ndel sys.modules['sys']\nimport sys\n")
    assert ns["sys"] is not ns["old"]
    assert ns["sys"].builtin_module_names == ns["old"].builtin_module_names
    assert not hasattr(ns["sys"], "path")
    assert not hasattr(ns["sys"], "modules")


def test_imp_lock_functions_work_on_the_models_lock():
    legacy = LegacyImportSystem([])
    imp = legacy.import_module("imp")
    assert imp.lock_held() is False
    imp.acquire_lock()
    imp.acquire_lock()
    assert legacy.lock_held()
    imp.release_lock()
    imp.release_lock()
    assert not legacy.lock_held()
    with pytest.raises(RuntimeError, match=r"^not holding the import lock$"):
        imp.release_lock()
    assert imp.get_suffixes()[:2] == [(".so", "rb", 3), ("module.so", "rb", 3)]


def test_the_backup_experiment_matches_python2_7():
    from pyinternals.importing.legacy_extensions import run_model, run_real
    from tests.support import real_interpreter

    real = run_real(real_interpreter("2.7"))
    assert run_model() == real
    assert real["results"]["release_lock"] == ["RuntimeError", "not holding the import lock"]


def test_a_nested_import_binds_only_in_the_importing_module(make_tree):
    root = make_tree({"outer.py": "import inner\n", "inner.py": "x = 1\n"})
    legacy = LegacyImportSystem([str(root)])
    ns = legacy.execute("import outer")
    assert "inner" not in ns
    assert ns["outer"].inner is legacy.modules["inner"]


def test_3_x_runs_the_init_function_again_and_matches_the_running_interpreter():
    from pyinternals.importing.legacy_extensions import run_modern_model, run_real_modern
    from tests.support import real_interpreter

    family = f"{sys.version_info[0]}.{sys.version_info[1]}"
    model = run_modern_model(family)
    rows = {row["name"]: row for row in model["results"]["modules"]}
    assert rows["_thread"]["builtin"]
    assert not rows["cmath"]["builtin"]
    for row in rows.values():
        assert not row["same object"]
        assert not row["values shared"]
        assert row["reload: same object"]
        assert not row["reload: changed name restored"]
    assert rows["cmath"]["file"] == "<dir>/cmath.{soabi}.so"
    assert model == run_real_modern(real_interpreter(family))
    assert "cmath" not in sys.modules or "<dir>" not in str(sys.modules["cmath"].__file__)


def test_a_builtin_module_imported_again_is_a_new_module_filled_from_its_copy():
    # _PyImport_FixupExtension copies the dict once; _PyImport_FindExtension makes a
    # new module from that copy, so what was added later is lost.
    legacy = LegacyImportSystem([])
    errno = legacy.import_module("errno")
    errno.ADDED_LATER = 1
    del legacy.modules["errno"]
    with legacy.trace:
        again = legacy.import_module("errno")
    assert again is not errno
    assert again.ENOENT == errno.ENOENT
    assert not hasattr(again, "ADDED_LATER")
    assert legacy.trace.lines() == ["import errno # previously loaded (errno)"]
