"""Finding the real CPythons on this machine.

Candidates come from four places, in this order:

1. the running interpreter (`sys.executable`), always;
2. `PYINTERNALS_PYTHONS`, a list of executables separated by `os.pathsep`; when it is
   set it *replaces* the search of PATH and pyenv (the running interpreter stays);
3. pyenv's versions: `$(pyenv root)/versions/*/bin/python`;
4. `python`, `pythonX` and `pythonX.Y` in each folder on `PATH` (except pyenv's
   `shims`, which only dispatch to the versions of step 3).

Each candidate is asked who it is by running a small script in it (written to run
unchanged on 2.7 and 3.x).  Candidates that are the same binary (a virtual
environment's `python` and the interpreter it was made from, a pyenv shim and the
version it points to) become one {py:class}`Interpreter`; candidates that fail to run
are kept in {py:attr}`Discovery.rejected` with the reason.

The fidelity ledger questions one interpreter per version family (see
{py:func}`representatives`); every one found is listed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from pyinternals import profiles

#: Replaces the PATH and pyenv search with these executables (`os.pathsep`-separated).
ENV_VAR = "PYINTERNALS_PYTHONS"
#: Version families that must be found (comma-separated, e.g. `2.7,3.12`): with it
#: set, a missing one is an error instead of a skip.  CI sets it.
REQUIRE_VAR = "PYINTERNALS_REQUIRE"

_NAME_RE = re.compile(r"^python(\d(\.\d+)?)?$")
_SOURCE_ORDER = ("running", "env", "pyenv", "PATH")

# Runs unchanged on 2.7 and 3.x; -S keeps site (and its .pth files) out of it.
_IDENTITY = r"""
import json, os, struct, sys
try:
    import sysconfig
    ft = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
except Exception:
    ft = False
impl = getattr(sys, "implementation", None)
name = impl.name if impl is not None else (
    "cpython" if sys.subversion[0] == "CPython" else sys.subversion[0].lower())
sys.stdout.write(json.dumps({
    "version": list(sys.version_info[:3]),
    "releaselevel": sys.version_info[3],
    "implementation": name,
    "pointer_size": struct.calcsize("P"),
    "debug": hasattr(sys, "gettotalrefcount"),
    "free_threaded": ft,
    "executable": sys.executable,
    "real_executable": os.path.realpath(sys.executable),
}))
"""


@dataclass(frozen=True)
class Interpreter:
    """One real Python interpreter found on the machine."""

    #: The path to run it by.
    executable: str
    version: tuple[int, int, int]
    releaselevel: str
    #: `sys.implementation.name`: `"cpython"` for every interpreter the models know.
    implementation: str
    #: `struct.calcsize("P")`: 8 on a 64-bit build.
    pointer_size: int
    #: A debug build (`--with-pydebug`: `sys.gettotalrefcount` exists).
    debug: bool
    #: A free-threaded build (PEP 703, `Py_GIL_DISABLED`).
    free_threaded: bool
    #: The binary behind `executable`, symlinks resolved.
    real_executable: str
    #: Where it was found: some of `running`, `env`, `pyenv`, `PATH`.
    sources: tuple[str, ...] = ()

    @property
    def running(self) -> bool:
        """Whether this is the interpreter running this code."""
        return "running" in self.sources

    @property
    def family(self) -> str:
        """The version family, `"3.11"` for 3.11.7: the key of the profiles."""
        return profiles.family(self.version)

    @property
    def label(self) -> str:
        """The full version, as `"3.11.7"` (with a suffix for debug/free-threaded)."""
        text = ".".join(map(str, self.version))
        if self.releaselevel != "final":
            text += f" ({self.releaselevel})"
        if self.free_threaded:
            text += "t"
        if self.debug:
            text += "d"
        return text

    @property
    def profile(self) -> str | None:
        """The profile key the models use for it, or `None` when no model knows it."""
        if self.implementation != "cpython" or self.family not in profiles.KNOWN:
            return None
        return self.family

    @property
    def display_path(self) -> str:
        """`executable` with pyenv's root, the current folder and home abbreviated."""
        return _abbreviate(self.executable)

    def describe(self) -> str:
        """`CPython 3.11.7 (~/.pyenv/versions/3.11.7/bin/python)` and the like."""
        name = "CPython" if self.implementation == "cpython" else self.implementation
        return f"{name} {self.label} ({self.display_path})"


@dataclass(frozen=True)
class Discovery:
    """The outcome of one search: what was found, what was tried and failed."""

    interpreters: tuple[Interpreter, ...]
    #: `(candidate, reason)` for every candidate that could not be identified.
    rejected: tuple[tuple[str, str], ...] = ()
    #: The places searched, in words.
    searched: tuple[str, ...] = field(default=())


class InterpreterMissing(LookupError):
    """No interpreter of a version family was found; tests turn this into a skip."""

    def __init__(self, family: str, discovery: Discovery) -> None:
        self.family = family
        found = ", ".join(i.label for i in discovery.interpreters) or "none"
        super().__init__(
            f"no CPython {family} found (looked in: {'; '.join(discovery.searched)}; "
            f"found: {found}); add one with {ENV_VAR}=/path/to/python{family}"
        )


# -- Searching ------------------------------------------------------------------


def pyenv_root() -> Path | None:
    """pyenv's root folder: `$PYENV_ROOT`, else what `pyenv root` prints, else None."""
    env = os.environ.get("PYENV_ROOT")
    if env and Path(env).is_dir():
        return Path(env)
    exe = shutil.which("pyenv")
    if exe:
        try:
            out = subprocess.run([exe, "root"], capture_output=True, text=True, timeout=10,
                                 check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        root = out.stdout.strip()
        if out.returncode == 0 and root and Path(root).is_dir():
            return Path(root)
    return None


def _pyenv_candidates(root: Path | None) -> Iterator[str]:
    if root is None:
        return
    versions = root / "versions"
    if versions.is_dir():
        for entry in sorted(versions.iterdir()):
            exe = entry / "bin" / "python"
            if exe.exists():
                yield str(exe)


def _path_candidates(path: str, skip: Path | None) -> Iterator[str]:
    for folder in path.split(os.pathsep):
        if not folder or not os.path.isdir(folder):
            continue
        if skip is not None and Path(folder) == skip:
            continue  # pyenv's shims only dispatch to the versions searched already
        for name in sorted(os.listdir(folder)):
            full = os.path.join(folder, name)
            if _NAME_RE.match(name) and os.access(full, os.X_OK) and not os.path.isdir(full):
                yield full


def _abbreviate(path: str) -> str:
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    if path.startswith(root + os.sep):
        return "$(pyenv root)" + path[len(root):]
    here = os.getcwd()
    if here not in ("", "/") and path.startswith(here + os.sep):
        return "." + path[len(here):]
    home = str(Path.home())
    if home not in ("", "/") and path.startswith(home + os.sep):
        return "~" + path[len(home):]
    return path


def _identify_running() -> Interpreter:
    impl = sys.implementation.name
    return Interpreter(
        executable=sys.executable,
        version=(sys.version_info[0], sys.version_info[1], sys.version_info[2]),
        releaselevel=sys.version_info[3],
        implementation=impl,
        pointer_size=8 if sys.maxsize > 2**32 else 4,
        debug=hasattr(sys, "gettotalrefcount"),
        free_threaded=bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        real_executable=os.path.realpath(sys.executable),
        sources=("running",),
    )


def _identify(candidate: str) -> Interpreter | str:
    """Ask `candidate` who it is; an `Interpreter`, or the reason it could not say."""
    try:
        proc = subprocess.run(
            [candidate, "-E", "-S", "-c", _IDENTITY],
            capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL, check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"could not run: {exc}"
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["no message"])[0]
        return f"exited with status {proc.returncode}: {first}"
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        return f"printed something that is not JSON: {proc.stdout[:80]!r}"
    return Interpreter(
        executable=candidate,
        version=(int(data["version"][0]), int(data["version"][1]), int(data["version"][2])),
        releaselevel=str(data["releaselevel"]),
        implementation=str(data["implementation"]),
        pointer_size=int(data["pointer_size"]),
        debug=bool(data["debug"]),
        free_threaded=bool(data["free_threaded"]),
        real_executable=str(data["real_executable"]),
    )


def _merge(found: Iterable[tuple[str, Interpreter]]) -> list[Interpreter]:
    """One entry per binary; the first candidate's path wins, sources accumulate."""
    merged: dict[str, Interpreter] = {}
    for source, interp in found:
        key = interp.real_executable
        if key in merged:
            old = merged[key]
            if source not in old.sources:
                merged[key] = replace(old, sources=(*old.sources, source))
        else:
            merged[key] = replace(interp, sources=(source,))
    return list(merged.values())


@functools.cache
def _discover(override: str | None, path: str) -> Discovery:
    searched = ["the running interpreter"]
    candidates: list[tuple[str, str]] = []
    if override is not None:
        searched.append(f"${ENV_VAR}")
        candidates += [("env", c) for c in override.split(os.pathsep) if c]
    else:
        root = pyenv_root()
        searched.append(f"pyenv ({_abbreviate(str(root))})" if root else "pyenv (not installed)")
        searched.append("PATH")
        candidates += [("pyenv", c) for c in _pyenv_candidates(root)]
        shims = root / "shims" if root else None
        candidates += [("PATH", c) for c in _path_candidates(path, shims)]
    # Skip paths that are the running interpreter's own, without running them again.
    here = os.path.realpath(sys.executable)
    todo = [(s, c) for s, c in candidates if os.path.realpath(c) != here]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda sc: _identify(sc[1]), todo))
    found: list[tuple[str, Interpreter]] = [("running", _identify_running())]
    rejected: list[tuple[str, str]] = []
    for (source, candidate), result in zip(todo, results, strict=True):
        if isinstance(result, str):
            rejected.append((_abbreviate(candidate), result))
        else:
            found.append((source, result))
    # A candidate that is the running interpreter only adds its source to it.
    found += [(source, found[0][1]) for source, c in candidates if os.path.realpath(c) == here]
    interps = _merge(found)
    interps[1:] = sorted(interps[1:], key=lambda i: (i.version, i.executable))
    return Discovery(tuple(interps), tuple(rejected), tuple(searched))


def discover(*, refresh: bool = False) -> Discovery:
    """Search the machine (once per process, unless `refresh`)."""
    if refresh:
        _discover.cache_clear()
    return _discover(os.environ.get(ENV_VAR), os.environ.get("PATH", ""))


def interpreters() -> tuple[Interpreter, ...]:
    """Every interpreter found: the running one first, then by version."""
    return discover().interpreters


def running() -> Interpreter:
    """The interpreter running this code."""
    return interpreters()[0]


def representatives() -> dict[str, Interpreter]:
    """One interpreter per known version family, in {py:data}`pyinternals.profiles.KNOWN` order.

    The running interpreter stands for its own family; otherwise the first found by
    source (`env`, then pyenv, then PATH), the newest patch release first.
    """
    chosen: dict[str, Interpreter] = {}

    def rank(i: Interpreter) -> tuple[int, tuple[int, ...]]:
        first = min(_SOURCE_ORDER.index(s) for s in i.sources)
        return (first, tuple(-v for v in i.version))

    for interp in sorted(interpreters(), key=rank):
        if interp.profile is not None and interp.free_threaded is False:
            chosen.setdefault(interp.profile, interp)
    return {fam: chosen[fam] for fam in profiles.KNOWN if fam in chosen}


def required_families() -> frozenset[str]:
    """The families `PYINTERNALS_REQUIRE` demands (empty when it is not set)."""
    raw = os.environ.get(REQUIRE_VAR, "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def require(family: str) -> Interpreter:
    """The representative of `family`, or {py:class}`InterpreterMissing`."""
    try:
        return representatives()[family]
    except KeyError:
        raise InterpreterMissing(family, discover()) from None
