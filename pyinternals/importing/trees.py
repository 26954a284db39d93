"""Package trees: small programs of import statements, run by real CPythons and by
the models, compared outcome by outcome.

A {py:class}`Tree` is a folder of modules and packages (sources, zip archives, `.pyc`
files in a given state) and a list of statements.  {py:func}`run_real` builds it in a
temporary folder and runs the statements in a fresh real interpreter of a given
version (the `tree` probe); {py:func}`run_model` does the same with a fresh model
import system under that version's profile: the modern
{py:class}`~pyinternals.importing.system.ImportSystem` for 3.x, the
{py:class}`~pyinternals.importing.legacy.LegacyImportSystem` for 2.7.  Both report:

- each statement's outcome: `None`, or the exception's class and message;
- the modules the statements added to `sys.modules`, in order (sorted for 2.7,
  whose `sys.modules` has no order), each with its import attributes and the
  submodules bound on it (`None` for the names 2.x tried and missed);
- the names the statements bound, the warnings they raised;
- the lines `-v` printed meanwhile (2.7: `import X # ...`; 3.x: importlib's
  messages, loader addresses blanked), and (3.x) the modules `-X importtime` listed,
  in its order, with their nesting.

The `.pyc` files are described, not given: each side writes them with its own magic,
header and location, so "a stale cache" means the same thing to every version.
Paths are shown relative to the tree, as `<root>`.  See {doc}`/importing`.
"""

from __future__ import annotations

import functools
import json
import marshal
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from pyinternals import profiles
from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.probing import run_probe

PROBE = Path(__file__).parent / "probes" / "tree.py"
MTIME = 1_000_000_000
_ABSENT = "<absent>"
_MODERN = ("3.11", "3.12", "3.13")
_ALL = ("2.7", *_MODERN)

PycState = Literal["matching", "stale", "bad-magic", "truncated", "bad-body", "sourceless",
                   "sourceless-bad-magic"]


@dataclass(frozen=True)
class Pyc:
    """A `.pyc` file for the source `source`, holding `code` compiled, in `state`:

    - `matching`: its header matches the source: the import trusts it;
    - `stale`: the header's mtime is one second off: the import recompiles;
    - `bad-magic`: another version's magic number;
    - `truncated`: cut inside the header;
    - `bad-body`: a valid header, then bytes `marshal` cannot read;
    - `sourceless`: no source at all; the `.pyc` sits where the source would;
    - `sourceless-bad-magic`: the same, with another version's magic number.
    """

    source: str
    code: str
    state: PycState

    def to_json(self) -> dict[str, Any]:
        return {"kind": "pyc", "source": self.source, "code": self.code, "state": self.state}


@dataclass(frozen=True)
class Zip:
    """A zip archive holding text files."""

    files: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"kind": "zip", "files": [[k, v] for k, v in self.files.items()]}


@dataclass(frozen=True)
class Dir:
    """An empty folder."""

    def to_json(self) -> dict[str, Any]:
        return {"kind": "dir"}


Entry = str | Pyc | Zip | Dir


@dataclass(frozen=True)
class Tree:
    """A package tree and the statements run against it."""

    #: A short id (ledger rows are `importing.tree.<name>`).
    name: str
    #: What the tree shows, as a sentence.
    claim: str
    files: Mapping[str, Entry]
    statements: tuple[str, ...]
    #: `sys.path` entries, relative to the tree (`""` is its root), put first.
    path: tuple[str, ...] = ("",)
    #: The versions the tree is run on.
    families: tuple[str, ...] = _ALL
    #: Standard-library modules imported before the statements run (not part of
    #: what is compared).
    preload: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The tree as the `tree` probe reads it."""
        files = []
        for relpath, entry in self.files.items():
            files.append([relpath, {"kind": "text", "text": entry} if isinstance(entry, str)
                          else entry.to_json()])
        return {"files": files, "path": list(self.path), "statements": list(self.statements),
                "preload": list(self.preload)}


# -- The trees ---------------------------------------------------------------------

TREES: tuple[Tree, ...] = (
    Tree(
        "relative",
        "relative imports one, two and three levels up, and `import a.b.c as d`",
        {
            "rel/__init__.py": "",
            "rel/a.py": "x = 'a.x'\n",
            "rel/sub/__init__.py": "from . import c\n",
            "rel/sub/b.py": "from .. import a\nfrom ..a import x\nfrom .c import y as z\n",
            "rel/sub/c.py": "y = 'c.y'\n",
            "rel/sub/deep/__init__.py": "",
            "rel/sub/deep/d.py": "from ...a import x\nfrom ... import sub\n",
        },
        ("import rel.sub.b", "from rel.sub.deep import d", "from rel.sub import b as bb",
         "import rel.sub.deep.d as dd", "values = [bb.x, bb.z, dd.x]"),
    ),
    Tree(
        "circular-import",
        "a circular `import` sees a partially initialised module, not yet bound on its "
        "package",
        {
            "circ/__init__.py": "",
            "circ/a.py": "import circ.b\nx = 1\n",
            "circ/b.py": "import circ.a\nbound_during = hasattr(circ, 'a')\n"
                         "def later():\n    return circ.a.x\n",
            "circ2/__init__.py": "",
            "circ2/a.py": "import circ2.b\nx = 1\n",
            "circ2/b.py": "import circ2.a\ny = circ2.a.x\n",
        },
        ("import circ.a", "during = circ.b.bound_during", "after = circ.b.later()",
         "import circ2.a"),
    ),
    Tree(
        "circular-from",
        "a circular `from . import` finds the partially initialised submodule in "
        "sys.modules (3.x); `from m import name` of a name not yet set fails",
        {
            "cf/__init__.py": "from . import a\n",
            "cf/a.py": "from . import b\nx = 1\n",
            "cf/b.py": "from . import a\ny = 2\n",
            "cf2/__init__.py": "",
            "cf2/a.py": "from cf2.b import y\nx = 1\n",
            "cf2/b.py": "from cf2.a import x\ny = 2\n",
        },
        ("import cf", "import cf2.a"),
    ),
    Tree(
        "namespace",
        "a directory without __init__.py is a namespace package, split across path "
        "entries, whose __path__ follows sys.path",
        {
            "one/ns/a.py": "x = 'one'\n",
            "two/ns/b.py": "y = 'two'\n",
            "three/ns/c.py": "z = 'three'\n",
        },
        ("import ns.a", "import ns.b", "before = len(ns.__path__)", "import sys",
         "sys.path.append(sys.path[0].replace('one', 'three'))", "import ns.c",
         "after = len(ns.__path__)", "from ns import nothing"),
        path=("one", "two"),
    ),
    Tree(
        "zip",
        "modules and packages inside a zip archive on sys.path",
        {"lib.zip": Zip({"zmod.py": "v = 'zip'\n", "zpkg/__init__.py": "",
                         "zpkg/inner.py": "from . import sibling\nw = sibling.s\n",
                         "zpkg/sibling.py": "s = 'sib'\n"})},
        ("import zmod", "import zpkg.inner", "from zpkg import inner as i", "value = i.w",
         "import zpkg.missing"),
        path=("lib.zip",),
    ),
    Tree(
        "zip.legacy",
        "2.x's zipimporter: an implicit relative import inside a zipped package (and "
        "the None it leaves), a .pyc with bad magic skipped for its source, a .pyc too "
        "short to read, the importers cached for the archive and its package",
        {"lib.zip": Zip({"zp/__init__.py": "import helper\n",
                         "zp/helper.py": "h = 'helper'\n",
                         "zp/user.py": "import top\nt = top.t\n",
                         "old.pyc": "not bytecode, not even close\n",
                         "old.py": "o = 'source'\n",
                         "short.pyc": "junk\n"}),
         "top.py": "t = 'top'\n"},
        ("import zp", "from zp import user", "value = user.t", "import old", "import short",
         "import sys", "hooks = len(sys.path_hooks)",
         "zipped = repr(sys.path_importer_cache[zp.__path__[0]])", "import zp.nothing"),
        path=("lib.zip", ""),
        families=("2.7",),
    ),
    Tree(
        "fails-halfway",
        "a module that raises halfway is removed from sys.modules and not bound on its "
        "package; what it imported stays",
        {
            "half/__init__.py": "",
            "half/ok.py": "",
            "half/bad.py": "import half.ok\nx = 1\nraise RuntimeError('boom')\n",
        },
        ("import half.bad", "import sys", "ok_kept = 'half.ok' in sys.modules",
         "bad_gone = 'half.bad' not in sys.modules", "import half",
         "bound = hasattr(half, 'bad')", "import half.bad"),
    ),
    Tree(
        "bytecode",
        "a .pyc whose header matches its source is used; a stale, foreign, truncated one "
        "is recompiled; an unreadable body fails; a .pyc alone is loaded",
        {
            "fresh.py": "VALUE = 'source'\n", "stale.py": "VALUE = 'source'\n",
            "foreign.py": "VALUE = 'source'\n", "short.py": "VALUE = 'source'\n",
            "broken.py": "VALUE = 'source'\n",
            "fresh.pyc": Pyc("fresh.py", "VALUE = 'cache'\n", "matching"),
            "stale.pyc": Pyc("stale.py", "VALUE = 'cache'\n", "stale"),
            "foreign.pyc": Pyc("foreign.py", "VALUE = 'cache'\n", "bad-magic"),
            "short.pyc": Pyc("short.py", "VALUE = 'cache'\n", "truncated"),
            "broken.pyc": Pyc("broken.py", "VALUE = 'cache'\n", "bad-body"),
            "alone.pyc": Pyc("alone.py", "VALUE = 'cache'\n", "sourceless"),
            "lonely.pyc": Pyc("lonely.py", "VALUE = 'cache'\n", "sourceless-bad-magic"),
        },
        ("import fresh", "import stale", "import foreign", "import short", "import broken",
         "import alone", "import lonely",
         "values = [fresh.VALUE, stale.VALUE, foreign.VALUE, short.VALUE, alone.VALUE]"),
    ),
    Tree(
        "missing",
        "what `import` says when a module, a submodule or a name is missing",
        {"mp/__init__.py": "", "mp/sub.py": "", "plain.py": "x = 1\n"},
        ("import nosuch", "import mp.nosuch", "import plain.x", "from mp import nosuch",
         "from plain import nosuch", "from sys import nosuch", "import sys",
         "sys.modules['blocked'] = None", "import blocked", "from mp import sub, nosuch"),
    ),
    Tree(
        "relative-errors",
        "relative imports beyond the top-level package, from a top-level module and "
        "from a script",
        {"top.py": "from . import x\n", "rp/__init__.py": "",
         "rp/up.py": "from ... import x\n", "rp/ok.py": "from . import up\n"},
        ("from . import x", "from .. import y", "import top", "import rp.up", "import rp.ok"),
    ),
    Tree(
        "implicit-relative",
        "inside a package, 2.x tries `import b` as the sibling `pkg.b` first (and "
        "leaves None for misses); 3.x imports absolutely",
        {"ip/__init__.py": "", "ip/a.py": "import b\nimport sys\n", "ip/b.py": "",
         "ip/c.py": "from __future__ import absolute_import\nimport b\n"},
        ("import ip.a", "import ip.c"),
        preload=("__future__",),
    ),
    Tree(
        "no-init",
        "a directory without __init__.py: a namespace package in 3.x, skipped by 2.x",
        {"plaindir/mod.py": "m = 1\n"},
        ("import plaindir", "import plaindir.mod"),
    ),
    Tree(
        "star",
        "`from pkg import *` imports the submodules named in __all__",
        {"st/__init__.py": "__all__ = ['one', 'two', 'VALUE']\nVALUE = 3\n",
         "st/one.py": "", "st/two.py": "", "st/three.py": ""},
        ("from st import *",),
    ),
    Tree(
        "reload",
        "`reload` runs a module's code again in the same module object",
        {"counter.py": "n = 0\n"},
        ("try:\n    from importlib import reload\nexcept ImportError:\n    pass",
         "import counter", "counter.n = 5", "again = reload(counter)",
         "same = again is counter", "n = counter.n", "reload(1)",
         "import sys", "reload(type(sys)('zz'))"),
        preload=("importlib",),
    ),
    Tree(
        "deadlock",
        "two threads importing modules that import each other: the module locks detect "
        "the deadlock, and the second thread goes on with the partially initialised module",
        {
            "dl/__init__.py": "",
            "dl/sync.py": "import threading\nb_running = threading.Event()\n",
            "dl/a.py": "import dl.b\nx = 'a'\n",
            "dl/b.py": (
                "import sys, time\nimport _frozen_importlib\nfrom dl import sync\n"
                "sync.b_running.set()\n"
                "def waiting():\n"
                "    table = _frozen_importlib._blocking_on\n"
                "    for value in list(getattr(table, 'data', table).values()):\n"
                "        if callable(value):\n            value = value()\n"
                "        if value:\n            return True\n    return False\n"
                "deadline = time.time() + 30\n"
                "while not waiting() and time.time() < deadline:\n    time.sleep(0.001)\n"
                "import dl.a\nseen = hasattr(sys.modules['dl.a'], 'x')\ny = 'b'\n"),
        },
        ("import threading, time, dl.sync", "results = {}",
         "def run(name):\n    try:\n        __import__(name)\n        results[name] = 'ok'\n"
         "    except Exception as error:\n        results[name] = type(error).__name__",
         "t2 = threading.Thread(target=run, args=('dl.b',))",
         "t1 = threading.Thread(target=run, args=('dl.a',))",
         "t2.start()", "dl.sync.b_running.wait(30)", "t1.start()", "t1.join(); t2.join()",
         "outcome = sorted(results.items())", "import dl.b", "seen = dl.b.seen"),
        families=_MODERN,
        preload=("threading", "time"),
    ),
    Tree(
        "bad-input",
        "bad module names, a syntax error, a path entry that is a file or is missing",
        {"notadir": "this is a file\n", "syntax_err.py": "x = 1\ny = = 2\n",
         "fine.py": "ok = True\n", "pk/__init__.py": ""},
        ("__import__('')", "__import__(1)", "__import__('.')", "__import__('a..b')",
         "__import__('fine', level=-1)", "__import__('pk', fromlist=[1])",
         "import syntax_err", "import sys", "sys.path.insert(0, sys.path[0] + '/notadir')",
         "sys.path.insert(0, sys.path[1] + '/missing')", "import fine",
         "finders = list(map(lambda p: type(sys.path_importer_cache[p]).__name__, "
         "sys.path[:2]))"),
    ),
)


def tree(name: str) -> Tree:
    """The tree called `name`."""
    for t in TREES:
        if t.name == name:
            return t
    raise KeyError(f"no tree named {name!r}; the trees are "
                   f"{', '.join(t.name for t in TREES)}")


# -- Running a tree ----------------------------------------------------------------

_HARNESS = """\
_outcomes = []
for _statement in _statements:
    try:
        exec(_statement)
        _outcomes.append(None)
    except Exception as _error:
        _outcomes.append([type(_error).__name__, str(_error)])
"""


def run_real(interpreter: Interpreter, t: Tree) -> dict[str, Any]:
    """Run `t` in a fresh `interpreter` (`-E -S -v`).

    The trees of a version run in one probe (each in its own forked child), once
    per process: see {py:func}`run_real_all`.
    """
    if interpreter.profile not in t.families:
        raise ValueError(f"tree {t.name!r} is not run on CPython {interpreter.family}")
    answer = dict(run_real_all(interpreter)[t.name])
    if "error" in answer:
        raise RuntimeError(f"the tree probe failed on {t.name!r} in "
                           f"{interpreter.describe()}: {answer['error']}")
    answer["importtime"] = _importtime(answer["stderr"])
    answer["stderr"] = _import_lines(interpreter.profile or "", answer["stderr"])
    return answer


def _importtime(lines: list[str]) -> list[list[Any]]:
    """`[name, depth]` for each row `-X importtime` printed (3.x), in order."""
    rows: list[list[Any]] = []
    for line in lines:
        if not line.startswith("import time:") or "imported package" in line:
            continue
        column = line.rsplit("|", 1)[1][1:]
        name = column.lstrip(" ")
        rows.append([name, (len(column) - len(name)) // 2])
    return rows


@functools.cache
def run_real_all(interpreter: Interpreter) -> dict[str, dict[str, Any]]:
    """Every tree of `interpreter`'s version, run by it: tree name -> answer."""
    chosen = [t for t in TREES if interpreter.profile in t.families]
    timing = () if interpreter.profile == "2.7" else ("-X", "importtime")
    answers = run_probe(interpreter, PROBE, payload=[t.to_json() for t in chosen],
                        flags=("-E", "-S", "-v", *timing))
    return {t.name: answer for t, answer in zip(chosen, answers, strict=True)}


_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _import_lines(family: str, lines: list[str]) -> list[str]:
    """The lines `-v` printed about the tree's imports (addresses blanked).

    `# destroy NAME` lines are left out: the module type's deallocator prints them
    when a module object is freed (a failed import's module, once nothing refers
    to it), which is memory management, not the import system.
    """
    kept = []
    for line in lines:
        if not line.startswith(("import ", "# ")) or line.startswith(
                ("# trying", "# destroy ", "import time:")):
            continue
        kept.append(_ADDRESS.sub(" at 0x…", line))
    return kept


def _word(n: int) -> bytes:
    return (n & 0xFFFFFFFF).to_bytes(4, "little")


def materialize(t: Tree, root: Path, *, pyc_path: Any, header: Any) -> None:
    """Build `t` under `root`; `.pyc` files go to `pyc_path(source, state)` with
    `header(state, size)` before their code."""
    pycs = []
    for relpath, entry in t.files.items():
        path = root.joinpath(*relpath.split("/"))
        if isinstance(entry, str):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(entry.encode("utf-8"))
            os.utime(path, (MTIME, MTIME))
        elif isinstance(entry, Dir):
            path.mkdir(parents=True)
        elif isinstance(entry, Zip):
            path.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(path, "w") as archive:
                for name, text in entry.files.items():
                    archive.writestr(zipfile.ZipInfo(name, (2001, 9, 9, 1, 46, 40)), text)
        else:
            pycs.append(entry)
    for pyc in pycs:
        source = root.joinpath(*pyc.source.split("/"))
        size = len(source.read_bytes()) if source.exists() else 0
        code = compile(pyc.code, str(source), "exec", dont_inherit=True)
        data = header(pyc.state, size) + (b"\xff\xff" if pyc.state == "bad-body"
                                          else marshal.dumps(code))
        if pyc.state == "truncated":
            data = data[:len(header("matching", 0)) // 2]
        target = Path(pyc_path(str(source), pyc.state))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def describe(module: Any) -> dict[str, Any] | None:
    """A module as the tree probe describes it."""
    if module is None:
        return None
    attrs = module.__dict__
    path = attrs.get("__path__", _ABSENT)
    if path is not _ABSENT and path is not None:
        path = list(path)
    spec = attrs.get("__spec__")
    loader = getattr(spec, "loader", None) if spec is not None else None
    if loader is None:
        loader = attrs.get("__loader__")
    kind = None if loader is None else (loader.__name__ if isinstance(loader, type)
                                        else type(loader).__name__)
    return {
        "file": attrs.get("__file__", _ABSENT),
        "path": path,
        "package": attrs.get("__package__", _ABSENT),
        "cached": attrs.get("__cached__", _ABSENT),
        "origin": getattr(spec, "origin", _ABSENT) if spec is not None else _ABSENT,
        "loader": kind,
        "children": sorted(k for k, v in attrs.items()
                           if not k.startswith("__") and isinstance(v, ModuleType)),
    }


def _plain(value: Any) -> bool:
    if isinstance(value, (int, float, str, bool)) or value is None:
        return True
    return isinstance(value, (list, tuple)) and all(_plain(v) for v in value)


def _summary(value: Any) -> str:
    """A bound name's value as the tree probe shows it."""
    if isinstance(value, ModuleType):
        return "module " + value.__name__
    if _plain(value):
        return type(value).__name__ + " " + repr(value)
    return type(value).__name__


def _normalized(value: dict[str, Any], root: Path) -> dict[str, Any]:
    """`value` with the tree's folder written `<root>` and the standard library's
    `<stdlib>` (as the probe writes them)."""
    text = json.dumps(value).replace(json.dumps(str(root))[1:-1], "<root>")
    stdlib = os.path.dirname(os.path.realpath(os.__file__))
    result: dict[str, Any] = json.loads(text.replace(json.dumps(stdlib)[1:-1], "<stdlib>"))
    return result


def run_model(family: str, t: Tree) -> dict[str, Any]:
    """Run `t` through a fresh model import system under `family`'s profile."""
    root = Path(tempfile.mkdtemp()).resolve()
    try:
        if profiles.importing.get(family).machinery == "import.c":
            from pyinternals.importing.legacy import LegacyImportSystem, pyc_header

            legacy_root = root
            materialize(t, legacy_root, pyc_path=lambda source, state: source + "c",
                        header=lambda state, size: pyc_header(state, MTIME))
            legacy = LegacyImportSystem(_entries(t, legacy_root), profile=family)
            for name in t.preload:
                legacy.standin(name)
            return _normalized(_run(legacy, t, legacy.trace.lines), root)
        from importlib.util import MAGIC_NUMBER, cache_from_source

        from pyinternals.importing.system import ImportSystem

        def header(state: str, size: int) -> bytes:
            magic = b"\x00\x00\r\n" if state.endswith("bad-magic") else MAGIC_NUMBER
            mtime = MTIME + 1 if state == "stale" else MTIME
            return magic + _word(0) + _word(mtime) + _word(size)

        materialize(t, root, header=header,
                    pyc_path=lambda source, state: source + "c"
                    if state.startswith("sourceless") else cache_from_source(source))
        imp = ImportSystem(_entries(t, root) + _stdlib(), profile=family,
                           sys_values={"dont_write_bytecode": False})
        for name in t.preload:
            imp.import_module(name)
        return _normalized(_run(imp, t, imp.trace.verbose), root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _entries(t: Tree, root: Path) -> list[str]:
    return [str(root / entry) if entry else str(root) for entry in t.path]


def _stdlib() -> list[str]:
    """The running interpreter's standard library folders (after the tree)."""
    import sysconfig

    stdlib = sysconfig.get_path("stdlib")
    return [stdlib, os.path.join(stdlib, "lib-dynload")]


def _run(system: Any, t: Tree, verbose: Any) -> dict[str, Any]:
    baseline = set(system.modules)
    source = f"_statements = {list(t.statements)!r}\n" + _HARNESS
    with warnings.catch_warnings(record=True) as caught, system.trace:
        warnings.simplefilter("always")
        namespace = system.execute(source, filename="<tree>")
    added = [key for key in system.modules if key not in baseline and key != "__main__"]
    if profiles.importing.get(system.profile_name).machinery == "import.c":
        added.sort()
    trace_importtime = getattr(system.trace, "importtime", None)
    return {
        "outcomes": namespace["_outcomes"],
        "importtime": [[name, depth] for name, depth in trace_importtime()]
        if trace_importtime is not None else [],
        "added": [[key, describe(system.modules[key])] for key in added],
        "bound": {k: _summary(v) for k, v in namespace.items() if not k.startswith("_")},
        "warnings": [[w.category.__name__, str(w.message)] for w in caught],
        "stderr": _import_lines(system.profile_name,
                                list(verbose())),
    }


@dataclass
class Comparison:
    """A tree run by a real interpreter and by the model."""

    tree: Tree
    family: str
    real: dict[str, Any]
    model: dict[str, Any]
    differences: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for key in ("outcomes", "added", "bound", "warnings", "stderr", "importtime"):
            if self.real[key] != self.model[key]:
                self.differences.append(f"{key}: real {self.real[key]!r}\n"
                                        f"       model {self.model[key]!r}")

    @property
    def ok(self) -> bool:
        """The model did exactly what the real interpreter did."""
        return not self.differences


_CACHE_TAG = re.compile(r"cpython-3\d+")


def compare(interpreter: Interpreter, t: Tree) -> Comparison:
    """Run `t` in `interpreter` and in the model of its version.

    A model under another version's profile than the running interpreter's caches
    bytecode under the running interpreter's tag (it compiles with it): `.pyc`
    names are then compared with the tag blanked.
    """
    family = interpreter.profile
    if family is None:
        raise ValueError(f"no model knows {interpreter.describe()}")
    real, model = run_real(interpreter, t), run_model(family, t)
    if family != profiles.running() and family != "2.7":
        real, model = _without_cache_tag(real), _without_cache_tag(model)
    return Comparison(t, family, real, model)


def _without_cache_tag(value: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(_CACHE_TAG.sub("cpython-3XX", json.dumps(value)))
    return result
