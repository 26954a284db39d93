"""2.x's zipimport in the legacy model: the hook, the importer, its trace, its errors."""

from __future__ import annotations

import marshal
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyinternals.importing.legacy import LegacyImportSystem, NullImporter, pyc_header
from pyinternals.importing.legacy_zipimport import (
    ZipImportError,
    eq_mtime,
    parse_dostime,
    zipimporter,
)

WHEN = (2001, 9, 9, 1, 46, 40)


def make_zip(path: Path, files: dict[str, str | bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, WHEN), data)
    return path


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return make_zip(tmp_path / "lib.zip", {
        "zmod.py": "v = 'zip'\n",
        "zpkg/__init__.py": "from zpkg import sub\n",
        "zpkg/sub.py": "import zmod\ns = zmod.v\n",
    })


def test_the_hook_2_7_installs_is_the_models_zipimporter():
    legacy = LegacyImportSystem([])
    zipimport = legacy.modules["zipimport"]
    assert legacy.sys.path_hooks == [zipimport.zipimporter]
    assert issubclass(zipimport.zipimporter, zipimporter)
    assert zipimport.zipimporter.__name__ == "zipimporter"
    assert zipimport.ZipImportError is ZipImportError
    assert issubclass(ZipImportError, ImportError)
    assert zipimport._zip_directory_cache == {}
    # Each model has its own: two interpreters, two zipimport modules.
    assert LegacyImportSystem([]).modules["zipimport"].zipimporter is not zipimport.zipimporter


def test_a_zip_import_prints_2_7s_lines_in_2_7s_order(lib: Path):
    legacy = LegacyImportSystem([str(lib)])
    with legacy.trace:
        ns = legacy.execute("import zpkg\nimport zmod")
    # The package's line comes after its __init__ ran (and imported zpkg.sub and
    # zmod); the second `import zmod` finds it in sys.modules and prints nothing.
    assert legacy.trace.lines() == [
        f"# zipimport: found 3 names in {lib}",
        f"import zmod # loaded from Zip {lib}/zmod.py",
        f"import zpkg.sub # loaded from Zip {lib}/zpkg/sub.py",
        f"import zpkg # loaded from Zip {lib}/zpkg/__init__.py",
    ]
    zpkg = ns["zpkg"]
    assert zpkg.__path__ == [f"{lib}/zpkg"]
    assert zpkg.__file__ == f"{lib}/zpkg/__init__.py"
    assert zpkg.sub.s == "zip"
    assert zpkg.__loader__ is legacy.sys.path_importer_cache[str(lib)]
    assert repr(zpkg.sub.__loader__) == f'<zipimporter object "{lib}/zpkg/">'
    assert legacy.trace.lines(2).count(f"# trying {lib}/zmod/__init__.pyc") == 1


def test_path_importer_cache_after_a_zip_a_folder_and_a_file(tmp_path: Path, lib: Path):
    (tmp_path / "plain.txt").write_text("")
    folder, afile = str(tmp_path), str(tmp_path / "plain.txt")
    legacy = LegacyImportSystem([str(lib), folder, afile])
    with pytest.raises(ImportError, match=r"^No module named nowhere$"):
        legacy.execute("import nowhere")
    cache = legacy.sys.path_importer_cache
    assert type(cache[str(lib)]).__name__ == "zipimporter"
    assert cache[folder] is None          # a directory: the built-in search
    assert isinstance(cache[afile], NullImporter)


def test_the_directory_is_read_once_per_archive(lib: Path):
    legacy = LegacyImportSystem([str(lib)])
    hook = legacy.sys.path_hooks[0]
    with legacy.trace:
        first, second = hook(str(lib)), hook(f"{lib}/zpkg")
    assert legacy.trace.lines() == [f"# zipimport: found 3 names in {lib}"]
    assert first.files is second.files
    assert (first.prefix, second.prefix) == ("", "zpkg/")
    assert first._files["zmod.py"][0] == f"{lib}/zmod.py"
    assert first._files["zmod.py"][5:7] == (3540, 11049)  # DOS time and date, as 2.7 has them


def test_bad_archives_are_refused_with_2_7s_words(tmp_path: Path):
    hook = LegacyImportSystem([]).sys.path_hooks[0]
    (tmp_path / "empty.zip").write_bytes(b"")
    (tmp_path / "junk.zip").write_bytes(b"x" * 30)
    cases = {"": "archive path is empty", str(tmp_path): "not a Zip file",
             str(tmp_path / "absent.zip"): "not a Zip file",
             str(tmp_path / "empty.zip"): f"can't read Zip file: {tmp_path}/empty.zip",
             str(tmp_path / "junk.zip"): f"not a Zip file: {tmp_path}/junk.zip"}
    for path, message in cases.items():
        with pytest.raises(ZipImportError) as info:
            hook(path)
        assert str(info.value) == message
    with pytest.raises(TypeError, match="must be string, not int"):
        hook(3)


def test_importer_protocol_methods(lib: Path):
    z = LegacyImportSystem([]).sys.path_hooks[0](str(lib))
    assert z.find_module("zpkg") is z
    assert z.find_module("nope") is None
    assert z.is_package("zpkg")
    assert not z.is_package("zmod")
    assert z.get_source("zmod") == "v = 'zip'\n"
    assert z.get_data(f"{lib}/zmod.py") == b"v = 'zip'\n"
    assert z.get_code("zmod").co_filename == f"{lib}/zmod.py"
    for method in (z.is_package, z.load_module, z.get_source):
        with pytest.raises(ZipImportError, match=r"^can't find module 'nope'$"):
            method("nope")
    with pytest.raises(OSError, match="No such file in the archive"):
        z.get_data("nope")


def test_bytecode_in_the_archive(tmp_path: Path):
    code = marshal.dumps(compile("b = 'bytecode'\n", "b.py", "exec"))
    source_mtime = parse_dostime((1 << 11) | (46 << 5) | 20, (21 << 9) | (9 << 5) | 9)
    archive = make_zip(tmp_path / "b.zip", {
        "b.py": "b = 'source'\n", "b.pyc": pyc_header("matching", source_mtime) + code,
        "stale.py": "s = 'source'\n", "stale.pyc": pyc_header("stale", source_mtime + 1) + code,
        "alone.pyc": pyc_header("matching", 0) + code,
        "old.py": "o = 'source'\n", "old.pyc": pyc_header("bad-magic", source_mtime) + code,
        "short.pyc": b"junk"})
    legacy = LegacyImportSystem([str(archive)])
    with legacy.trace:
        ns = legacy.execute("import b, stale, alone, old")
    assert (ns["b"].b, ns["stale"].s, ns["alone"].b, ns["old"].o) == (
        "bytecode", "source", "bytecode", "source")
    assert ns["b"].__file__ == f"{archive}/b.pyc"
    assert legacy.trace.lines()[1:] == [
        f"import b # loaded from Zip {archive}/b.pyc",
        f"# {archive}/stale.pyc has bad mtime",
        f"import stale # loaded from Zip {archive}/stale.py",
        f"import alone # loaded from Zip {archive}/alone.pyc",
        f"# {archive}/old.pyc has bad magic",
        f"import old # loaded from Zip {archive}/old.py",
    ]
    with pytest.raises(ZipImportError, match=r"^bad pyc data$"):
        legacy.execute("import short")
    assert "short" not in legacy.modules


def test_a_failing_zipped_module_leaves_nothing_behind(tmp_path: Path):
    archive = make_zip(tmp_path / "f.zip", {"fails.py": "x = 1\nraise KeyError('half')\n",
                                            "bad.py": "def (\n"})
    legacy = LegacyImportSystem([str(archive)])
    with legacy.trace:
        with pytest.raises(KeyError, match="half"):
            legacy.execute("import fails")
        with pytest.raises(SyntaxError) as info:
            legacy.execute("import bad")
    assert info.value.filename == f"{archive}/bad.py"
    assert "fails" not in legacy.modules
    assert "bad" not in legacy.modules
    # No "loaded from Zip" line: 2.7 prints it only once the code has run.
    assert not any(line.startswith("import ") for line in legacy.trace.lines())


def test_implicit_relative_import_inside_a_zipped_package(tmp_path: Path):
    archive = make_zip(tmp_path / "r.zip", {"rp/__init__.py": "import helper\nimport zmissing\n",
                                            "rp/helper.py": "", "zmissing.py": ""})
    legacy = LegacyImportSystem([str(archive)])
    legacy.execute("import rp")
    assert legacy.modules["rp"].helper is legacy.modules["rp.helper"]
    assert legacy.modules["rp.zmissing"] is None
    assert legacy.modules["rp"].zmissing is legacy.modules["zmissing"]


@settings(max_examples=25, deadline=None)
@given(st.tuples(st.integers(1980, 2107), st.integers(1, 12), st.integers(1, 28)),
       st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 29)))
def test_dos_times_read_back_to_within_a_second(date, clock):
    import time

    year, month, day = date
    hour, minute, half = clock
    dostime = (hour << 11) | (minute << 5) | half
    dosdate = ((year - 1980) << 9) | (month << 5) | day
    expected = time.mktime((year, month, day, hour, minute, half * 2, 0, 0, -1))
    assert eq_mtime(parse_dostime(dostime, dosdate), int(expected))
