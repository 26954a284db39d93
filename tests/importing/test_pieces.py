"""The smaller pieces: .pyc headers, IMPORT_FROM's stand-in, trees, diagrams, profiles."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyinternals import profiles
from pyinternals.importing import ImportSystem
from pyinternals.importing.ceval import FromImport, import_name_followed_by_import_from
from pyinternals.importing.diagrams import FinderChain, ImportSequence, ModuleTree
from pyinternals.importing.pyc import PycError, PycHeader, header
from pyinternals.importing.trees import TREES, Pyc, Tree, tree

# -- .pyc headers ----------------------------------------------------------------


def test_a_3x_timestamp_header():
    data = importlib.util.MAGIC_NUMBER + bytes(4) + (7).to_bytes(4, "little") + \
        (12).to_bytes(4, "little") + b"code"
    h = PycHeader.parse(data)
    assert (h.kind, h.mtime, h.source_size, h.writer()) == ("timestamp", 7, 12,
                                                            profiles.running())
    assert "mtime 7, source size 12" in h.describe()


def test_hash_headers_and_2x_headers():
    magic = profiles.pyc.get("3.12").magic
    checked = PycHeader.parse(magic + (3).to_bytes(4, "little") + b"h" * 8, "3.12")
    assert (checked.kind, checked.source_hash) == ("checked hash", b"h" * 8)
    unchecked = PycHeader.parse(magic + (1).to_bytes(4, "little") + b"h" * 8, "3.12")
    assert unchecked.kind == "unchecked hash"
    old = PycHeader.parse(profiles.pyc.get("2.7").magic + (9).to_bytes(4, "little"), "2.7")
    assert (old.flags, old.mtime, old.writer(), old.magic_number) == (None, 9, "2.7", 62211)


def test_bad_headers_are_refused():
    with pytest.raises(PycError, match="16 bytes; got only 3"):
        PycHeader.parse(b"abc", "3.11")
    with pytest.raises(PycError, match="invalid flags 4"):
        PycHeader.parse(b"abcd" + (4).to_bytes(4, "little") + bytes(8), "3.11")


def test_a_header_draws_itself():
    dot = header(importlib.util.MAGIC_NUMBER + bytes(12)).to_dot()
    assert "magic" in dot
    assert "marshalled" in dot


# -- IMPORT_FROM ---------------------------------------------------------------------


def test_the_stand_in_reads_names_through_import_from():
    seen: list[tuple[object, str]] = []

    def import_from(module: object, name: str) -> object:
        seen.append((module, name))
        return f"{module}.{name}"

    chain = FromImport(import_from, "a", ["b", "c"])
    assert chain.b.c == "a.b.c"  # type: ignore[attr-defined]
    assert seen == [("a", "b"), ("a.b", "c")]
    with pytest.raises(AttributeError, match="read-only"):
        chain.x = 1


def test_the_caller_is_recognised_from_its_bytecode():
    frames = []

    def fake_import(*args: object, **kwargs: object) -> object:
        frames.append(import_name_followed_by_import_from(sys._getframe(1)))
        return sys

    exec("from sys import path\nimport json\n", {"__builtins__": {"__import__": fake_import}})
    assert frames == [True, False]
    assert not import_name_followed_by_import_from(None)


# -- Trees -----------------------------------------------------------------------


def test_trees_are_data():
    relative = tree("relative")
    doc = json.loads(json.dumps(relative.to_json()))
    assert doc["path"] == [""]
    assert doc["statements"][0] == "import rel.sub.b"
    assert {t.name for t in TREES} >= {"relative", "namespace", "zip", "deadlock", "bytecode"}
    bytecode = tree("bytecode").to_json()
    states = {e["state"] for _, e in bytecode["files"] if e["kind"] == "pyc"}
    assert states == {"matching", "stale", "bad-magic", "truncated", "bad-body", "sourceless",
                      "sourceless-bad-magic"}
    with pytest.raises(KeyError, match="no tree named 'nope'; the trees are relative"):
        tree("nope")
    assert Tree("t", "claim", {"a.pyc": Pyc("a.py", "x = 1", "stale")}, ()).to_json()[
        "files"][0][1]["state"] == "stale"


# -- Diagrams ----------------------------------------------------------------------


def test_drawings_depend_on_the_state_only(make_tree):
    root = make_tree({"pkg/__init__.py": "from . import a\n", "pkg/a.py": ""})
    drawings = []
    for _ in range(2):
        imp = ImportSystem([str(root)], sys_values={"dont_write_bytecode": True})
        with imp.trace:
            imp.execute("import pkg")
        drawings.append((ModuleTree(imp.modules, ["pkg"], relative_to=str(root)).to_dot(),
                         FinderChain(imp.trace, "pkg.a", relative_to=str(root)).to_dot(),
                         ImportSequence(imp.trace, "pkg", relative_to=str(root)).to_dot()))
    assert drawings[0] == drawings[1]
    assert "\\<root\\>/pkg" in drawings[0][0]  # a record field: < and > escaped
    assert str(root) not in "".join(drawings[0])
    tree_text = ModuleTree(imp.modules, ["pkg"], relative_to=str(root)).describe()
    assert tree_text == "pkg: package, __path__ ['<root>/pkg']\n  pkg.a: module"
    with pytest.raises(KeyError, match="no import of 'nope'"):
        FinderChain(imp.trace, "nope")


# -- Profiles ------------------------------------------------------------------------


def test_the_eras_differ_as_data():
    old, new = profiles.importing.get("2.7"), profiles.importing.get("3.11")
    assert (old.machinery, new.machinery) == ("import.c", "importlib")
    assert old.messages.relative_no_parent.exception == "ValueError"
    assert new.messages.relative_no_parent.exception == "ImportError"
    assert old.implicit_relative_imports
    assert not new.implicit_relative_imports
    assert new.suffix_list("cpython-311-x86_64-linux-gnu")[0] == \
        ".cpython-311-x86_64-linux-gnu.so"
    assert old.suffixes_of("source") == [".py"]
    assert profiles.importing.get("3.12").package_mismatch_warning == "DeprecationWarning"
    assert new.messages.no_module.format(name="x") == "No module named 'x'"
    assert profiles.pyc.get("3.11").header_fields() == ("magic", "flags", "mtime",
                                                        "source_size")
    assert profiles.pyc.get("2.7").header_fields() == ("magic", "mtime")


# -- Properties against the real importlib --------------------------------------------


_names = st.lists(st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True), min_size=1,
                  max_size=4).map(".".join)
_MODEL = ImportSystem([])


@settings(max_examples=60, deadline=None)
@given(name=_names, package=_names, level=st.integers(1, 5))
def test_resolve_name_agrees_with_importlib(name, package, level):
    from importlib import _bootstrap  # type: ignore[attr-defined]

    def outcome(function: object) -> object:
        try:
            return function(name, package, level)  # type: ignore[operator]
        except ImportError as exc:
            return str(exc)

    assert outcome(_MODEL.bootstrap._resolve_name) == outcome(_bootstrap._resolve_name)


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(st.from_regex(r"[a-z][a-z0-9_.]{0,8}", fullmatch=True), min_size=1,
                      max_size=4))
def test_cache_paths_agree_with_importlib(parts):
    source = "/" + "/".join(parts) + ".py"
    external = _MODEL.bootstrap_external

    def outcome(function: object, path: str) -> object:
        try:
            return function(path)  # type: ignore[operator]
        except ValueError as exc:
            return f"ValueError: {exc}"

    cached = external.cache_from_source(source)
    assert cached == importlib.util.cache_from_source(source)
    assert outcome(external.source_from_cache, cached) == \
        outcome(importlib.util.source_from_cache, cached)
