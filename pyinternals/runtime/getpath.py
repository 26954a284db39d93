"""Where the standard library is: the path calculation (`Modules/getpath.c`, `getpath.py`).

Before it can import anything, an interpreter has to find the standard library.
It knows only where it was *configured* to live (`PREFIX`, given to `./configure`)
and how it was started (`argv[0]`, `PATH`).  From the folder of the executable it
searches upwards for a *landmark*, a file that only the standard library's folder
holds (`lib/python3.12/os.py`); the folder above `lib` is the *prefix*.  The same
search with another landmark (`lib/python3.12/lib-dynload`, the extension modules)
gives the *exec_prefix*.  The module search path, the future `sys.path`, is built
from them.

- 2.x does it in C (`Modules/getpath.c`, {py:func}`calculate_path_27`): `PYTHONHOME`,
  the build folder, the search up from the executable, then `PREFIX`.
- 3.11+ runs a Python script frozen into the interpreter (`Modules/getpath.py`,
  {py:func}`calculate_path_3`).  It adds virtual environments: a `pyvenv.cfg` beside
  or above the executable names the `home` folder the search starts from instead.
  It does *not* change `sys.prefix` to the environment: `site` does that later.

Both read the build's constants from a {py:class}`BuildConfig`, files through a
{py:class}`~pyinternals.runtime.fs.FileSystem`, and can report each decision through
a trace function.  {py:func}`calculate_path` picks the profile's algorithm.  The
chapter {doc}`/runtime` draws the search.

```python
>>> from pyinternals.runtime.fs import VirtualFileSystem
>>> fs = VirtualFileSystem({"/opt/py/bin/python3.12": "", "/opt/py/lib/python3.12/os.py": "",
...                         "/opt/py/lib/python3.12/lib-dynload/": ""},
...                        executables={"/opt/py/bin/python3.12"})
>>> from pyinternals.runtime.config import read_config
>>> config = read_config(["/opt/py/bin/python3.12", "-c", "pass"], {}, profile="3.12")
>>> paths = calculate_path(config, BuildConfig.installed("/usr/local", "3.12"), fs, {})
>>> paths.prefix
'/opt/py'
>>> paths.module_search_paths  # doctest: +NORMALIZE_WHITESPACE
['/opt/py/lib/python312.zip', '/opt/py/lib/python3.12',
 '/opt/py/lib/python3.12/lib-dynload']

```
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyinternals import profiles
from pyinternals.observe.discovery import Interpreter
from pyinternals.profiles.runtime import RuntimeProfile, expand
from pyinternals.runtime.config import PyConfig
from pyinternals.runtime.fs import FileSystem, abspath

__all__ = [
    "BuildConfig",
    "PathConfig",
    "calculate_path",
    "calculate_path_3",
    "calculate_path_27",
]

Trace = Callable[[str], None]
DELIM = ":"
#: The start-up chapter's probes.
PROBES = Path(__file__).parent / "probes"
SEP = "/"


@dataclass(frozen=True)
class BuildConfig:
    """The constants a build bakes into its binary (`Makefile` variables).

    They belong to one build on one machine, not to a version: the checks read them
    from each real interpreter (its `sysconfig`), the book makes one up with
    {py:meth}`installed`.
    """

    #: `PREFIX` and `EXEC_PREFIX`: where `./configure --prefix` said it would live.
    prefix: str
    exec_prefix: str
    #: The compiled-in `PYTHONPATH`, relative to the prefix's library folder (2.x:
    #: `:plat-linux2:lib-tk:lib-old`; empty in 3.x).
    pythonpath: str = ""
    #: `VPATH`: the source folder relative to the build folder.
    vpath: str = ""
    #: `PLATLIBDIR`: `lib` (some distributions use `lib64`).
    platlibdir: str = "lib"

    @classmethod
    def of(cls, interpreter: Interpreter) -> BuildConfig:
        """The constants of a real interpreter (the `build` probe, run once)."""
        from pyinternals.observe import probe_once

        data = probe_once(interpreter, PROBES / "build.py")
        return cls(prefix=data["prefix"], exec_prefix=data["exec_prefix"],
                   pythonpath=data["pythonpath"], vpath=data["vpath"],
                   platlibdir=data["platlibdir"])

    @classmethod
    def running(cls) -> BuildConfig:
        """The constants of the interpreter running this code."""
        import importlib.util
        import sysconfig

        name = sysconfig._get_sysconfigdata_name()  # type: ignore[attr-defined]
        module = sys.modules.get(name)
        if module is None:
            # Read the module without importing it: the host's sys.modules stays as it was.
            spec = importlib.util.find_spec(name)
            if spec is None or spec.loader is None:
                raise RuntimeError(f"the running interpreter has no {name} module")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        build = module.build_time_vars
        return cls(prefix=build["prefix"], exec_prefix=build["exec_prefix"],
                   pythonpath=build.get("PYTHONPATH") or "", vpath=build.get("VPATH") or "",
                   platlibdir=build.get("PLATLIBDIR") or "lib")

    @classmethod
    def installed(cls, prefix: str, profile: str | None = None) -> BuildConfig:
        """The constants of `./configure --prefix=PREFIX && make install`."""
        rt = profiles.runtime.get(profile)
        machdep = ":plat-linux2:lib-tk:lib-old" if rt.path_algorithm == "getpath.c" else ""
        return cls(prefix=prefix, exec_prefix=prefix, pythonpath=machdep, vpath=".")


@dataclass
class PathConfig:
    """What the path calculation found (the path fields of `PyConfig`)."""

    program_name: str
    #: `sys.executable`: where the executable was found (links not resolved).
    executable: str
    #: `sys._base_executable`: the interpreter behind a virtual environment's link.
    base_executable: str
    prefix: str
    exec_prefix: str
    base_prefix: str
    base_exec_prefix: str
    #: The future `sys.path`, before `site` and before `sys.path[0]`.
    module_search_paths: list[str]
    stdlib_dir: str = ""
    #: `PYTHONHOME`, when it was set.
    home: str | None = None
    #: The `pyvenv.cfg` that was read, if any (3.x).
    pyvenv_cfg: str | None = None
    #: The messages the real interpreter prints on stderr while calculating.
    warnings: list[str] = field(default_factory=list)
    #: `._pth` file settings (3.x): they override isolation and `site`.
    pth_overrides: dict[str, int] = field(default_factory=dict)
    #: `sys.platlibdir` (3.x).
    platlibdir: str = "lib"


def calculate_path(config: PyConfig, build: BuildConfig, fs: FileSystem,
                   env: Mapping[str, str], *, trace: Trace | None = None) -> PathConfig:
    """The path calculation of the configuration's version (2.x or 3.11+)."""
    rt = config.profile
    if rt.path_algorithm == "getpath.c":
        return calculate_path_27(config, build, fs, env, trace=trace)
    return calculate_path_3(config, build, fs, env, trace=trace)


def _say(trace: Trace | None, text: str) -> None:
    if trace is not None:
        trace(text)


# -- 3.x: Modules/getpath.py ----------------------------------------------------------


def _joinpath(*parts: str) -> str:
    """getpath.py's `joinpath`: an absolute part restarts the path; normalized."""
    return posixpath.normpath(posixpath.join(*parts)) if any(parts) else ""


def _dirname(path: str) -> str:
    """getpath.c's `dirname`: everything before the last slash (`"/usr"` gives `""`)."""
    return path[: max(path.rfind(SEP), 0)]


def _basename(path: str) -> str:
    """getpath.c's `basename`: everything after the last slash."""
    return path[path.rfind(SEP) + 1:]


def _search_up(fs: FileSystem, prefix: str, landmarks: tuple[str, ...],
               test: Callable[[str], bool] | None = None) -> str | None:
    """`search_up`: the first folder, from `prefix` upwards, holding a landmark.

    The root itself is never tried: `dirname("/usr")` is the empty string, which
    ends the loop.
    """
    check = test or fs.isfile
    while prefix:
        if any(check(_joinpath(prefix, f)) for f in landmarks):
            return prefix
        prefix = _dirname(prefix)
    return None


def _realpath(fs: FileSystem, path: str) -> str:
    """getpath.c's `realpath` on POSIX: follows the links of the *last* component only.

    The comment in C: "This readlink calculation only resolves a symlinked file, and
    does not resolve any path segments."  A missing file is returned as it is.
    """
    for _ in range(41):
        try:
            link = fs.readlink(path)
        except OSError:
            return path
        path = link if link.startswith(SEP) else _joinpath(_dirname(path), link)
    raise OSError(f"maximum number of symbolic links reached in {path!r}")


def _readlines(fs: FileSystem, path: str) -> list[str]:
    """getpath.c's `readlines`: the lines of a UTF-8 file (`OSError` if unreadable).

    A folder reads as an empty file: `fopen` opens one on Linux, `fread` gets nothing.
    """
    try:
        data = fs.read_bytes(path)
    except IsADirectoryError:
        return []
    return data.decode("utf-8", "surrogateescape").splitlines()


@dataclass
class _GetPath:
    """The variables of getpath.py as it runs, one step after another."""

    rt: RuntimeProfile
    build: BuildConfig
    fs: FileSystem
    trace: Trace | None
    use_environment: bool
    platlibdir: str = "lib"
    program_name: str = ""
    executable: str = ""
    executable_dir: str | None = None
    real_executable: str = ""
    real_executable_dir: str | None = None
    base_executable: str = ""
    home: str | None = None
    venv_prefix: str | None = None
    pyvenv_cfg: str | None = None
    prefix: str | None = None
    exec_prefix: str | None = None
    stdlib_dir: str | None = None
    platstdlib_dir: str | None = None
    build_prefix: str | None = None
    pth: list[str] | None = None
    pth_dir: str | None = None
    warnings: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        _say(self.trace, text)

    def subdir(self, template: str) -> str:
        """A profile path below a prefix, `{platlibdir}` filled in."""
        return expand(template, self.platlibdir)

    def warn(self, message: str, enabled: bool) -> None:
        if enabled:
            self.warnings.append(message)
        self.say(f"warning: {message}")


def calculate_path_3(config: PyConfig, build: BuildConfig, fs: FileSystem,
                     env: Mapping[str, str], *, trace: Trace | None = None) -> PathConfig:
    """getpath.py (3.11+), POSIX: the executable, `pyvenv.cfg`, the prefixes, the path.

    Departures from C: only the POSIX branches (no Windows registry, no macOS
    framework); `PYTHONEXECUTABLE` and `__PYVENV_LAUNCHER__`, which only macOS reads,
    are ignored.
    """
    g = _GetPath(config.profile, build, fs, trace, bool(config.use_environment),
                 config.platlibdir or build.platlibdir)
    _calculate_program_name(g, config)
    _calculate_executable(g, env)
    _calculate_home(g, env)
    _read_pyvenv_cfg(g)
    _calculate_base_executable(g)
    _detect_pth_file(g)
    _check_build_directory(g)
    _calculate_prefix(g, config)
    _calculate_exec_prefix(g, config)
    paths = _update_pythonpath(g, config)
    assert g.prefix is not None
    assert g.exec_prefix is not None
    overrides: dict[str, int] = {}
    if g.pth is not None and g.pth_dir is not None:
        paths, overrides = _apply_pth_file(g)
    return PathConfig(
        program_name=g.program_name, executable=g.executable,
        base_executable=g.base_executable, prefix=g.prefix, exec_prefix=g.exec_prefix,
        base_prefix=g.prefix, base_exec_prefix=g.exec_prefix, module_search_paths=paths,
        stdlib_dir=g.stdlib_dir or "", home=g.home, pyvenv_cfg=g.pyvenv_cfg,
        warnings=g.warnings, pth_overrides=overrides, platlibdir=g.platlibdir,
    )


def _calculate_program_name(g: _GetPath, config: PyConfig) -> None:
    """CALCULATE program_name: `argv[0]`, else `python3`."""
    g.program_name = config.program_name or f"python{g.rt.version[0]}"
    g.say(f"program_name = {g.program_name!r}")


def _calculate_executable(g: _GetPath, env: Mapping[str, str]) -> None:
    """CALCULATE executable: `argv[0]` if it has a slash, else a search of `PATH`."""
    name = g.program_name
    if SEP in name:
        g.executable = abspath(g.fs, name)
        g.say(f"executable = {g.executable!r} (argv[0] has a slash: made absolute)")
        return
    path_env = env.get("PATH")
    if path_env:  # the use_environment flag is ignored for this lookup
        for folder in path_env.split(DELIM):
            candidate = _joinpath(folder, name)
            if g.fs.isxfile(candidate):
                g.executable = candidate
                g.say(f"executable = {candidate!r} (found on PATH)")
                return
    g.executable = ""
    g.executable_dir = g.real_executable_dir = abspath(g.fs, ".")
    g.say(f"executable = '' (not found on PATH): search from the current folder "
          f"{g.executable_dir!r}")


def _calculate_home(g: _GetPath, env: Mapping[str, str]) -> None:
    """CALCULATE (default) home: PYTHONHOME, unless -E."""
    value = env.get("PYTHONHOME")
    if g.use_environment and value:
        g.home = value
        g.say(f"home = {value!r} (PYTHONHOME)")


def _read_pyvenv_cfg(g: _GetPath) -> None:
    """READ pyvenv.cfg: one folder above the executable's, else beside it."""
    landmark = g.rt.venv_landmark
    if g.home or landmark is None:
        return
    prefix2 = g.executable_dir or _dirname(g.executable)
    prefix = _dirname(prefix2)
    lines: list[str] = []
    try:
        try:
            lines = _readlines(g.fs, _joinpath(prefix, landmark))
            g.venv_prefix = prefix
        except (FileNotFoundError, PermissionError):
            lines = _readlines(g.fs, _joinpath(prefix2, landmark))
            g.venv_prefix = prefix2
    except (FileNotFoundError, PermissionError):
        g.venv_prefix = None
        return
    g.pyvenv_cfg = _joinpath(g.venv_prefix, landmark)
    for line in lines:
        key, had_equ, value = line.partition("=")
        if had_equ and key.strip().lower() == "home":
            g.executable_dir = g.real_executable_dir = value.strip()
            g.say(f"{g.pyvenv_cfg} says home = {g.executable_dir!r}: the prefix search "
                  "starts there")
            if not g.base_executable:
                _venv_base_executable(g)
            return
    g.say(f"{g.pyvenv_cfg} has no home key: not a virtual environment")
    g.venv_prefix = None


def _venv_base_executable(g: _GetPath) -> None:
    """The interpreter behind a virtual environment's `python`."""
    try:
        resolved = _realpath(g.fs, g.executable)
        g.base_executable = "" if resolved == g.executable else resolved
    except OSError:
        pass
    if g.base_executable:
        return
    assert g.executable_dir is not None
    g.base_executable = _joinpath(g.executable_dir, _basename(g.executable))
    if not g.fs.isfile(g.base_executable):
        base_exe = _basename(g.executable)
        major, minor = g.rt.version.split(".")
        for candidate in (f"python{major}", f"python{major}.{minor}"):
            if base_exe == candidate:
                continue
            path = _joinpath(g.executable_dir, candidate)
            if g.fs.isfile(path):
                g.base_executable = path
                break


def _calculate_base_executable(g: _GetPath) -> None:
    """CALCULATE base_executable, real_executable AND executable_dir."""
    if not g.base_executable:
        g.base_executable = g.executable or g.real_executable or ""
    if not g.real_executable:
        g.real_executable = g.base_executable
    if g.real_executable:
        g.real_executable = _realpath(g.fs, g.real_executable)
    if not g.executable_dir and g.real_executable:
        g.executable_dir = g.real_executable_dir = _dirname(g.real_executable)
        g.say(f"executable_dir = {g.executable_dir!r} (links resolved)")
    if not g.real_executable_dir and g.real_executable:
        g.real_executable_dir = _dirname(g.real_executable)


def _detect_pth_file(g: _GetPath) -> None:
    """DETECT _pth FILE beside the executable: it fixes sys.path outright.

    Only `Py_SetPythonHome` (never called by the model) prevents the search;
    `PYTHONHOME` does not.
    """
    for exe in (g.executable, g.real_executable):
        if exe:
            try:
                g.pth = _readlines(g.fs, exe + "._pth")
            except OSError:
                continue
            g.pth_dir = _dirname(exe + "._pth")
            g.home = g.pth_dir
            g.use_environment = False
            g.say(f"{exe}._pth found: it gives sys.path, and isolates the interpreter")
            return


def _check_build_directory(g: _GetPath) -> None:
    """CHECK FOR BUILD DIRECTORY: `pybuilddir.txt` or `Modules/Setup.local`."""
    if not g.real_executable_dir:
        return
    folder = g.real_executable_dir
    try:
        lines = _readlines(g.fs, _joinpath(folder, "pybuilddir.txt"))
        g.platstdlib_dir = _joinpath(folder, lines[0]) if lines else folder
        g.build_prefix = _joinpath(folder, g.build.vpath)
    except OSError:
        if g.fs.isfile(_joinpath(folder, "Modules/Setup.local")):
            g.build_prefix = _joinpath(folder, g.build.vpath)
    if g.build_prefix:
        found = _search_up(g.fs, g.build_prefix, ("Lib/os.py",))
        g.stdlib_dir = _joinpath(found or g.build_prefix, "Lib")
        g.prefix = found
        g.exec_prefix = g.build_prefix
        g.say(f"running in a build folder: {g.build_prefix!r}")


def _calculate_prefix(g: _GetPath, config: PyConfig) -> None:
    """CALCULATE prefix: PYTHONHOME, the zip archive, the landmark, then PREFIX."""
    rt = g.rt
    warn = bool(config.pathconfig_warnings)
    if g.home:
        g.prefix, had_delim, exec_prefix = g.home.partition(DELIM)
        g.exec_prefix = exec_prefix if had_delim else g.prefix
        g.stdlib_dir = None
        g.say(f"prefix = {g.prefix!r}, exec_prefix = {g.exec_prefix!r} (home)")
        return
    zip_landmark, stdlib_subdir = g.subdir(rt.zip_landmark), g.subdir(rt.stdlib_subdir)
    if g.executable_dir and not g.prefix:
        g.prefix = _search_up(g.fs, g.executable_dir, (zip_landmark,))
        if g.prefix:
            g.stdlib_dir = _joinpath(g.prefix, stdlib_subdir)
            if not g.fs.isdir(g.stdlib_dir):
                g.stdlib_dir = None
            g.say(f"prefix = {g.prefix!r} (found {zip_landmark})")
    if g.executable_dir and not g.prefix:
        landmarks = tuple(f"{stdlib_subdir}/{f}" for f in rt.landmarks)
        g.prefix = _search_up(g.fs, g.executable_dir, landmarks)
        if g.prefix:
            if not g.stdlib_dir:
                g.stdlib_dir = _joinpath(g.prefix, stdlib_subdir)
            g.say(f"prefix = {g.prefix!r} (found {landmarks[0]} searching up from "
                  f"{g.executable_dir!r})")
    if g.build.prefix and not g.prefix:
        g.prefix = g.build.prefix
        g.say(f"prefix = {g.prefix!r} (the configured PREFIX)")
        if not any(g.fs.isfile(_joinpath(g.prefix, stdlib_subdir, f))
                   for f in rt.landmarks):
            g.warn("Could not find platform independent libraries <prefix>", warn)
    if not g.prefix:
        g.prefix = abspath(g.fs, "")
        g.warn("Could not find platform independent libraries <prefix>", warn)


def _calculate_exec_prefix(g: _GetPath, config: PyConfig) -> None:
    """CALCULATE exec_prefix: the search for `lib-dynload`, then EXEC_PREFIX."""
    rt = g.rt
    warn = bool(config.pathconfig_warnings)
    landmark = g.subdir(rt.platstdlib_landmark)
    if not g.exec_prefix:
        if g.executable_dir:
            g.exec_prefix = _search_up(g.fs, g.executable_dir, (landmark,), test=g.fs.isdir)
            if g.exec_prefix:
                g.say(f"exec_prefix = {g.exec_prefix!r} (found {landmark})")
        if not g.exec_prefix and g.build.exec_prefix:
            g.exec_prefix = g.build.exec_prefix
            g.say(f"exec_prefix = {g.exec_prefix!r} (the configured EXEC_PREFIX)")
        if not g.exec_prefix or not g.fs.isdir(_joinpath(g.exec_prefix, landmark)):
            g.warn("Could not find platform dependent libraries <exec_prefix>", warn)
    if not g.exec_prefix:
        g.exec_prefix = g.prefix
    if not g.prefix or not g.exec_prefix:
        g.warn("Consider setting $PYTHONHOME to <prefix>[:<exec_prefix>]", warn)


def _update_pythonpath(g: _GetPath, config: PyConfig) -> list[str]:
    """UPDATE pythonpath: PYTHONPATH, the zip archive, the stdlib, lib-dynload."""
    rt = g.rt
    assert g.prefix is not None
    assert g.exec_prefix is not None
    paths: list[str] = []
    if g.use_environment and config.pythonpath_env:
        paths += [abspath(g.fs, p) for p in config.pythonpath_env.split(DELIM)]
    zip_base = g.build.prefix if g.build_prefix else g.prefix
    paths.append(_joinpath(zip_base, g.subdir(rt.zip_landmark)))
    if g.build.pythonpath:
        paths += [_joinpath(g.prefix, p) for p in g.build.pythonpath.split(DELIM)]
    if not g.stdlib_dir and g.prefix:
        g.stdlib_dir = _joinpath(g.prefix, g.subdir(rt.stdlib_subdir))
    if not g.platstdlib_dir and g.exec_prefix:
        g.platstdlib_dir = _joinpath(g.exec_prefix, g.subdir(rt.platstdlib_landmark))
    if g.stdlib_dir:
        paths.append(g.stdlib_dir)
    if g.platstdlib_dir:
        paths.append(g.platstdlib_dir)
    if g.build_prefix:  # POSIX QUIRK: a build folder reports the configured prefixes
        g.prefix = g.build.prefix
        g.exec_prefix = g.build.exec_prefix or g.prefix
    g.say(f"module search path: {paths}")
    return paths


def _apply_pth_file(g: _GetPath) -> tuple[list[str], dict[str, int]]:
    """SET pythonpath FROM _PTH FILE: its lines are the path; `import site` allows site."""
    assert g.pth is not None
    assert g.pth_dir is not None
    overrides = {"isolated": 1, "use_environment": 0, "site_import": 0, "safe_path": 1}
    paths = []
    for line in g.pth:
        text = line.partition("#")[0].strip()
        if not text:
            continue
        if text == "import site":
            overrides["site_import"] = 1
        elif text.startswith("import "):
            g.warn("unsupported 'import' line in ._pth file", True)
        else:
            paths.append(_joinpath(g.pth_dir, text))
    return paths, overrides


# -- 2.x: Modules/getpath.c ------------------------------------------------------------


def _reduce(path: str) -> str:
    """`reduce`: cut the last component (and its slash) off."""
    i = path.rfind(SEP)
    return path[:i] if i > 0 else ""


def _cjoin(buffer: str, stuff: str) -> str:
    """getpath.c's `joinpath`: an absolute `stuff` replaces; no normalization."""
    if stuff.startswith(SEP):
        return stuff
    if buffer and not buffer.endswith(SEP):
        buffer += SEP
    return buffer + stuff


def _copy_absolute(fs: FileSystem, path: str) -> str:
    """`copy_absolute`: a relative path joined to the current folder (a leading `./`
    dropped)."""
    if path.startswith(SEP):
        return path
    if path.startswith("./"):
        path = path[2:]
    return _cjoin(fs.cwd, path)


def _ismodule(fs: FileSystem, filename: str, optimize: int) -> tuple[bool, str]:
    """`ismodule`: the file, or its compiled form (`strcat(filename, "c")`)."""
    if fs.isfile(filename):
        return True, filename
    compiled = filename + ("o" if optimize else "c")
    return fs.isfile(compiled), compiled


def calculate_path_27(config: PyConfig, build: BuildConfig, fs: FileSystem,
                      env: Mapping[str, str], *, trace: Trace | None = None) -> PathConfig:
    """`calculate_path` of 2.x's `Modules/getpath.c`, step by step.

    The search works on C strings: `reduce` cuts the last component, `joinpath`
    appends one; `prefix` holds `.../lib/python2.7/os.py` while searching and is cut
    back to the prefix at the end.
    """
    rt = config.profile
    lib_python = rt.stdlib_subdir
    landmark = rt.landmarks[0]
    def getenv(name: str) -> str | None:
        """`Py_GETENV`: nothing under -E; an empty value counts (no check in 2.x)."""
        return env.get(name) if config.use_environment else None

    home = getenv("PYTHONHOME")
    warnings: list[str] = []
    # The program: argv[0] if it has a slash, else found on PATH.
    prog = config.program_name or "python"
    progpath = ""
    if SEP in prog:
        progpath = prog
    elif env.get("PATH"):
        for folder in env["PATH"].split(DELIM):
            candidate = _cjoin(folder, prog)
            if fs.isxfile(candidate):
                progpath = candidate
                break
    if progpath and not progpath.startswith(SEP):
        progpath = _copy_absolute(fs, progpath)
    _say(trace, f"progpath = {progpath!r}")
    # Follow the executable's links (HAVE_READLINK), then take its folder.
    argv0_path = progpath
    for _ in range(40):
        try:
            link = fs.readlink(argv0_path)
        except OSError:
            break
        argv0_path = link if link.startswith(SEP) else _cjoin(_reduce(argv0_path), link)
    argv0_path = _reduce(argv0_path)
    _say(trace, f"argv0_path = {argv0_path!r}")
    pfound, prefix = _search_for_prefix(fs, argv0_path, home=home, build=build,
                                        lib_python=lib_python, landmark=landmark,
                                        optimize=config.optimization_level, trace=trace)
    if not pfound:
        warnings.append("Could not find platform independent libraries <prefix>")
        prefix = _cjoin(build.prefix, lib_python)
    else:
        prefix = _reduce(prefix)
    zip_path = _reduce(_reduce(prefix)) if pfound > 0 else build.prefix
    zip_path = _cjoin(zip_path, rt.zip_landmark)
    efound, exec_prefix = _search_for_exec_prefix(fs, argv0_path, home=home, build=build,
                                                  lib_python=lib_python, trace=trace)
    if not efound:
        warnings.append("Could not find platform dependent libraries <exec_prefix>")
        exec_prefix = _cjoin(build.exec_prefix, "lib/lib-dynload")
    if not pfound or not efound:
        warnings.append("Consider setting $PYTHONHOME to <prefix>[:<exec_prefix>]")
    # The module search path: $PYTHONPATH, the zip file, the compiled-in PYTHONPATH
    # relative to the prefix's library folder, then lib-dynload.
    rtpypath = getenv("PYTHONPATH")
    buf = f"{rtpypath}{DELIM}" if rtpypath is not None else ""
    buf += zip_path + DELIM
    entries = []
    for entry in build.pythonpath.split(DELIM):
        if entry.startswith(SEP):
            entries.append(entry)
        elif prefix and not prefix.endswith(SEP) and entry:
            entries.append(prefix + SEP + entry)
        else:
            entries.append(prefix + entry)
    buf += DELIM.join(entries) + DELIM + exec_prefix
    paths = buf.split(DELIM)
    _say(trace, f"module search path: {paths}")
    # Reduce prefix and exec_prefix to their essence: /usr/local/lib/python2.7 -> /usr/local.
    prefix = (_reduce(_reduce(prefix)) or SEP) if pfound > 0 else build.prefix
    exec_prefix = ((_reduce(_reduce(_reduce(exec_prefix))) or SEP) if efound > 0
                   else build.exec_prefix)
    return PathConfig(
        program_name=prog, executable=progpath, base_executable=progpath, prefix=prefix,
        exec_prefix=exec_prefix, base_prefix=prefix, base_exec_prefix=exec_prefix,
        module_search_paths=paths, stdlib_dir=_cjoin(prefix, lib_python), home=home,
        warnings=warnings if config.pathconfig_warnings else [],
    )


def _search_for_prefix(fs: FileSystem, argv0_path: str, *, home: str | None,
                       build: BuildConfig, lib_python: str, landmark: str, optimize: int,
                       trace: Trace | None) -> tuple[int, str]:
    """`search_for_prefix`: 1 and `.../lib/python2.7/os.py` when found, -1 for a build
    folder, 0 when not found."""
    if home is not None:
        prefix = home.split(DELIM, 1)[0]
        _say(trace, f"PYTHONHOME: prefix is {prefix!r}, believed unconditionally")
        return 1, _cjoin(_cjoin(prefix, lib_python), landmark)
    if fs.isfile(_cjoin(argv0_path, "Modules/Setup")):
        found, name = _ismodule(fs, _cjoin(_cjoin(_cjoin(argv0_path, build.vpath), "Lib"),
                                           landmark), optimize)
        if found:
            _say(trace, "running in a build folder")
            return -1, name
    prefix = _copy_absolute(fs, argv0_path)
    while True:
        candidate = _cjoin(_cjoin(prefix, lib_python), landmark)
        found, name = _ismodule(fs, candidate, optimize)
        _say(trace, f"  {candidate}: {'found' if found else 'no'}")
        if found:
            return 1, name
        prefix = _reduce(prefix)
        if not prefix:
            break
    found, name = _ismodule(fs, _cjoin(_cjoin(build.prefix, lib_python), landmark), optimize)
    if found:
        _say(trace, f"found under the configured PREFIX {build.prefix!r}")
        return 1, name
    return 0, ""


def _search_for_exec_prefix(fs: FileSystem, argv0_path: str, *, home: str | None,
                            build: BuildConfig, lib_python: str,
                            trace: Trace | None) -> tuple[int, str]:
    """`search_for_exec_prefix`: the same search for `lib/python2.7/lib-dynload`."""
    if home is not None:
        exec_prefix = home.split(DELIM, 1)[1] if DELIM in home else home
        return 1, _cjoin(_cjoin(exec_prefix, lib_python), "lib-dynload")
    builddir = _cjoin(argv0_path, "pybuilddir.txt")
    if fs.isfile(builddir):
        try:
            rel = fs.read_bytes(builddir).decode("utf-8", "surrogateescape")
        except OSError:
            rel = None
        if rel is not None:
            return -1, _cjoin(argv0_path, rel)
    exec_prefix = _copy_absolute(fs, argv0_path)
    while True:
        candidate = _cjoin(_cjoin(exec_prefix, lib_python), "lib-dynload")
        if fs.isdir(candidate):
            _say(trace, f"  {candidate}: found")
            return 1, candidate
        exec_prefix = _reduce(exec_prefix)
        if not exec_prefix:
            break
    candidate = _cjoin(_cjoin(build.exec_prefix, lib_python), "lib-dynload")
    if fs.isdir(candidate):
        return 1, candidate
    return 0, ""
