"""The modern model: an isolated import system, its semantics and its bad input."""

from __future__ import annotations

import sys
import textwrap
import threading
import time
import warnings

import pytest

from pyinternals import profiles
from pyinternals.importing import ImportSystem

BOOT = ["sys", "builtins", "_frozen_importlib", "_imp", "_thread", "_warnings", "_weakref",
        "_io", "marshal", "posix", "_frozen_importlib_external", "time", "zipimport"]


def model(*paths: object, **sys_values: object) -> ImportSystem:
    return ImportSystem([str(p) for p in paths], sys_values={"dont_write_bytecode": True,
                                                             **sys_values})


def test_a_new_model_has_loaded_what_cpython_loads_to_install_its_import_system():
    imp = ImportSystem([])
    assert list(imp.modules) == BOOT
    assert imp.modules["_frozen_importlib"] is imp.bootstrap
    assert imp.sys.meta_path == [imp.bootstrap.BuiltinImporter, imp.bootstrap.FrozenImporter,
                                 imp.bootstrap_external.PathFinder]
    assert imp.sys.path_hooks[0] is imp.modules["zipimport"].zipimporter
    assert imp.builtins.__import__ is imp.state.import_func


def test_the_host_modules_are_left_alone(make_tree):
    root = make_tree({"pkg/__init__.py": "import json, importlib, pkgutil\n"
                      "m = importlib.import_module('csv')\n"
                      "found = [i.name for i in pkgutil.iter_modules([__path__[0]])]\n",
                      "pkg/sub.py": ""})
    before = dict(sys.modules)
    imp = ImportSystem([str(root), *sys.path])
    pkg = imp.import_module("pkg")
    assert pkg.found == ["sub"]
    assert pkg.m is imp.modules["csv"]
    assert {k for k in sys.modules if sys.modules[k] is not before.get(k)} == set()
    assert "pkg" not in sys.modules


def test_a_package_and_its_submodules(make_tree):
    root = make_tree({"pkg/__init__.py": "", "pkg/a.py": "x = 1\n",
                      "pkg/sub/__init__.py": "from .. import a\nfrom ..a import x\n"})
    imp = model(root)
    ns = imp.execute("import pkg.sub\nfrom pkg.sub import x as y\n")
    assert ns["pkg"] is imp.modules["pkg"]
    assert ns["y"] == 1
    assert imp.modules["pkg"].sub is imp.modules["pkg.sub"]
    assert imp.modules["pkg.sub"].__spec__.parent == "pkg.sub"
    assert imp.modules["pkg"].__path__ == [str(root / "pkg")]


def test_import_module_relative_to_a_package(make_tree):
    imp = model(make_tree({"pkg/__init__.py": "", "pkg/a.py": "x = 1\n"}))
    assert imp.import_module(".a", "pkg").x == 1
    with pytest.raises(TypeError, match="the 'package' argument is required"):
        imp.import_module(".a")
    with pytest.raises(TypeError, match="a module name is a string"):
        imp.import_module(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(("statement", "error", "message"), [
    ("__import__('')", ValueError, "Empty module name"),
    ("__import__(1)", TypeError, "module name must be a string"),
    ("__import__('x', level=-1)", ValueError, "level must be >= 0"),
    ("__import__('a..b')", ModuleNotFoundError, "No module named 'a'"),
    ("from . import x", ImportError, "attempted relative import with no known parent package"),
    ("import nosuch", ModuleNotFoundError, "No module named 'nosuch'"),
])
def test_bad_names_are_refused_with_cpythons_words(statement, error, message):
    imp = model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImportWarning)
        with pytest.raises(error) as info:
            imp.execute(statement)
    assert str(info.value) == message
    assert list(imp.modules) == [*BOOT, "__main__"]


def test_a_failed_import_leaves_nothing_behind(make_tree):
    root = make_tree({"pkg/__init__.py": "", "pkg/ok.py": "",
                      "pkg/bad.py": "import pkg.ok\nraise RuntimeError('boom')\n"})
    imp = model(root)
    with pytest.raises(RuntimeError, match="boom"):
        imp.import_module("pkg.bad")
    assert "pkg.bad" not in imp.modules
    assert "pkg.ok" in imp.modules
    assert not hasattr(imp.modules["pkg"], "bad")


def test_a_syntax_error_is_the_real_one_with_file_and_line(make_tree):
    root = make_tree({"broken.py": "x = 1\ny = = 2\n"})
    imp = model(root)
    with pytest.raises(SyntaxError) as info:
        imp.import_module("broken")
    assert info.value.filename == str(root / "broken.py")
    assert info.value.lineno == 2
    assert "broken" not in imp.modules


def test_path_entries_that_are_files_or_missing_are_skipped(make_tree):
    root = make_tree({"notadir": "text\n", "fine.py": "ok = True\n"})
    imp = model(root / "notadir", root / "missing", root)
    assert imp.import_module("fine").ok
    cache = imp.sys.path_importer_cache
    assert cache[str(root / "notadir")] is None
    assert cache[str(root / "missing")] is None


def test_the_constructor_checks_its_arguments():
    with pytest.raises(TypeError, match="not one string"):
        ImportSystem("/tmp")
    with pytest.raises(TypeError, match="entries are strings"):
        ImportSystem([3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="LegacyImportSystem"):
        ImportSystem([], profile="2.7")
    with pytest.raises(profiles.UnknownProfile):
        ImportSystem([], profile="3.4")
    with pytest.raises(ValueError, match="belongs to the import system"):
        ImportSystem([], sys_values={"modules": {}})
    with pytest.raises(ValueError, match=r"sys\.flags has no field"):
        ImportSystem([], sys_values={"flags": {"nonsense": 1}})
    with pytest.raises(TypeError, match="text of a program"):
        ImportSystem([]).execute(b"x = 1")  # type: ignore[arg-type]


def test_reload_runs_the_code_again_in_the_same_module(make_tree):
    root = make_tree({"counter.py": "n = 0\n"})
    imp = model(root)
    counter = imp.import_module("counter")
    counter.n = 5
    (root / "counter.py").write_text("n = 0\nm = 1\n")
    assert imp.reload(counter) is counter
    assert (counter.n, counter.m) == (0, 1)
    with pytest.raises(ImportError, match=r"module zz not in sys\.modules"):
        imp.reload(type(sys)("zz"))
    with pytest.raises(TypeError, match="reload\\(\\) argument must be a module"):
        imp.reload(1)  # type: ignore[arg-type]


def test_a_namespace_package_follows_its_parent_path(make_tree):
    root = make_tree({"one/ns/a.py": "", "two/ns/b.py": "", "three/ns/c.py": ""})
    imp = model(root / "one", root / "two")
    ns = imp.import_module("ns")
    assert list(ns.__path__) == [str(root / "one" / "ns"), str(root / "two" / "ns")]
    assert ns.__file__ is None
    imp.sys.path.append(str(root / "three"))
    assert imp.import_module("ns.c").__name__ == "ns.c"
    assert len(ns.__path__) == 3


def test_bytecode_is_written_only_when_allowed(make_tree):
    root = make_tree({"mod.py": "x = 1\n", "other.py": "y = 2\n"})
    model(root).import_module("mod")
    assert not (root / "__pycache__").exists()
    ImportSystem([str(root)], sys_values={"dont_write_bytecode": False}).import_module("other")
    assert [p.name for p in (root / "__pycache__").iterdir()] == [
        f"other.{sys.implementation.cache_tag}.pyc"]


def test_circular_imports_see_partially_initialised_modules(make_tree):
    root = make_tree({
        "cf/__init__.py": "from . import a\n", "cf/a.py": "from . import b\nx = 1\n",
        "cf/b.py": "from . import a\nseen = hasattr(a, 'x')\n",
        "cf2/__init__.py": "", "cf2/a.py": "from cf2.b import y\nx = 1\n",
        "cf2/b.py": "from cf2.a import x\ny = 2\n"})
    imp = model(root)
    assert imp.import_module("cf").b.seen is False
    with pytest.raises(ImportError, match=r"partially initialized module 'cf2\.a'"):
        imp.import_module("cf2.a")


def test_import_as_of_a_dotted_name_and_from_errors(make_tree):
    root = make_tree({"p/__init__.py": "", "p/q/__init__.py": "", "p/q/r.py": "v = 3\n"})
    imp = model(root)
    ns = imp.execute("import p.q.r as r\n")
    assert ns["r"].v == 3
    with pytest.raises(ImportError) as info:
        imp.execute("from p import nothing\n")
    assert str(info.value) == f"cannot import name 'nothing' from 'p' ({root}/p/__init__.py)"
    assert info.value.name == "p"


def test_none_in_sys_modules_halts_the_import():
    imp = model()
    imp.modules["blocked"] = None
    with pytest.raises(ModuleNotFoundError, match="import of blocked halted"):
        imp.execute("import blocked")


def test_importlib_inside_the_model_is_the_model(make_tree):
    root = make_tree({"m.py": "x = 1\n"})
    imp = ImportSystem([str(root), *sys.path])
    ns = imp.execute(textwrap.dedent("""
        import importlib, importlib.util, importlib.machinery, sys
        spec = importlib.util.find_spec('m')
        mod = importlib.import_module('m')
        same = importlib._bootstrap is sys.modules['_frozen_importlib']
        finder = importlib.machinery.PathFinder
    """))
    assert ns["same"]
    assert ns["finder"] is imp.bootstrap_external.PathFinder
    assert ns["mod"] is imp.modules["m"]
    assert ns["spec"].origin == str(root / "m.py")


def test_module_locks_detect_a_deadlock_between_threads():
    boot = ImportSystem([]).bootstrap
    a, b = boot._ModuleLock("a"), boot._ModuleLock("b")
    a.acquire()

    def other() -> None:
        b.acquire()
        a.acquire()  # waits for us
        a.release()
        b.release()

    thread = threading.Thread(target=other)
    thread.start()
    deadline = time.monotonic() + 30
    while thread.ident not in boot._blocking_on and time.monotonic() < deadline:
        time.sleep(0.001)
    # `other` holds b and waits for a, which we hold: waiting for b would never end.
    with pytest.raises(boot._DeadlockError, match=r"deadlock detected by _ModuleLock\('b'\)"):
        b.acquire()
    a.release()
    thread.join()
    assert (a.owner, b.owner, boot._blocking_on) == (None, None, {})


def test_the_trace_reports_each_step(make_tree):
    root = make_tree({"pkg/__init__.py": "from . import a\n", "pkg/a.py": ""})
    imp = model(root)
    with imp.trace:
        imp.execute("import pkg")
    assert imp.trace.importtime() == [("pkg.a", 1), ("pkg", 0)]
    record = imp.trace.records[0]
    assert (record.name, record.finder, record.loader) == ("pkg", "PathFinder",
                                                           "SourceFileLoader")
    assert record.children[0].name == "pkg.a"
    lines = imp.trace.lines(kinds=("find",))
    assert lines[:3] == ["  BuiltinImporter.find_spec('pkg') -> None",
                         "  FrozenImporter.find_spec('pkg') -> None",
                         f"  PathFinder.find_spec('pkg') -> spec (origin {root}/pkg/__init__.py)"]
    assert f"# code object from {root}/pkg/__init__.py" in imp.trace.verbose()
    assert not imp.trace.enabled
    assert "imports" in repr(imp.trace)


def test_an_unreadable_folder_holds_nothing(make_tree, monkeypatch):
    # Running as root, chmod cannot make a folder unreadable: the model's `posix`
    # refuses to list it instead, as the kernel would.
    root = make_tree({"here.py": ""})
    imp = model(root)
    posix = imp.bootstrap_external._os

    def refuse(path: str) -> list[str]:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(posix, "listdir", refuse)
    with pytest.raises(ModuleNotFoundError, match="No module named 'here'"):
        imp.import_module("here")
    monkeypatch.undo()
    imp.bootstrap.sys.path_importer_cache.clear()
    assert imp.import_module("here").__name__ == "here"


def test_models_in_several_threads_give_the_host_its_modules_back(make_tree):
    # C code reading files imports `_io` through whichever model runs it: each model
    # lends its `_io` to the host for a while, and the host must end with its own.
    root = make_tree({f"m{i}.py": "import json\n" for i in range(8)})
    before = dict(sys.modules)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            imp = ImportSystem([str(root), *sys.path])
            for j in range(8):
                imp.import_module(f"m{(i + j) % 8}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [k for k in sys.modules if sys.modules[k] is not before.get(k)] == []
