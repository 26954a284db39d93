"""From a command line to the `sys` it starts with: configuration, paths, `site`, `sys.path[0]`.

{py:func}`configure` chains the start-up models that need no code to run:
{py:func}`~pyinternals.runtime.config.read_config` (the command line and the
environment), {py:func}`~pyinternals.runtime.getpath.calculate_path` (prefixes and
the module search path), {py:func}`~pyinternals.runtime.site.site_main` (what `site`
adds) and {py:func}`compute_sys_path0` (the script's folder, the current folder or
`''` in front).  The result, a {py:class}`Configuration`, is what `sys` looks like
when the real interpreter starts running the program: `sys.path`, `sys.prefix`,
`sys.exec_prefix`, `sys.base_prefix`, `sys.flags`, `sys.argv`.  It works for every
profile, 2.7 included, and is what the fidelity ledger compares with real
interpreters started the same way.

```python
>>> from pyinternals.runtime.fs import VirtualFileSystem
>>> fs = VirtualFileSystem({"/usr/bin/python3.12": "", "/usr/lib/python3.12/os.py": "",
...                         "/usr/lib/python3.12/lib-dynload/": "",
...                         "/usr/lib/python3.12/site-packages/": "",
...                         "/home/ada/hello.py": "print('hi')"},
...                        cwd="/home/ada", executables={"/usr/bin/python3.12"})
>>> boot = configure(["python3.12", "hello.py"], {"PATH": "/usr/bin"}, profile="3.12",
...                  fs=fs, build=BuildConfig.installed("/usr", "3.12"))
>>> boot.sys_path[0], boot.prefix, boot.argv
('/home/ada', '/usr', ['hello.py'])

```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pyinternals import profiles
from pyinternals.runtime.config import PyConfig, SysFlags, read_config, sys_flags
from pyinternals.runtime.fs import FileSystem, RealFileSystem
from pyinternals.runtime.getpath import BuildConfig, PathConfig, calculate_path
from pyinternals.runtime.site import SiteResult, site_main

__all__ = ["BuildConfig", "Configuration", "compute_sys_path0", "configure"]

Trace = Callable[[str], None]


@dataclass
class Configuration:
    """Everything decided before the first line of the program runs."""

    config: PyConfig
    paths: PathConfig
    #: What `site` did, or `None` under `-S`.
    site: SiteResult | None
    #: `sys.path` as the program sees it: `sys.path[0]` first.
    sys_path: list[str]
    #: The entry put in front (`None` when `-P`/`-I` put none).
    path0: str | None
    flags: SysFlags

    @property
    def prefix(self) -> str:
        """`sys.prefix` (a virtual environment's folder once `site` ran)."""
        return self.site.prefix if self.site else self.paths.prefix

    @property
    def exec_prefix(self) -> str:
        """`sys.exec_prefix`."""
        return self.site.exec_prefix if self.site else self.paths.exec_prefix

    @property
    def base_prefix(self) -> str:
        """`sys.base_prefix`: the installation, even in a virtual environment."""
        return self.paths.base_prefix

    @property
    def base_exec_prefix(self) -> str:
        """`sys.base_exec_prefix`."""
        return self.paths.base_exec_prefix

    @property
    def executable(self) -> str:
        """`sys.executable`."""
        return self.paths.executable

    @property
    def argv(self) -> list[str]:
        """`sys.argv` when the program starts (`-m` still shows `-m`; runpy changes it)."""
        return self.config.argv


def compute_sys_path0(config: PyConfig, fs: FileSystem) -> str | None:
    """`_PyPathConfig_ComputeSysPath0` (3.x) and `PySys_SetArgvEx` (2.x).

    - a script: its folder, with every link resolved (`realpath`);
    - `-m`: the current folder (3.x); 2.x pretends `-c` and puts `''`;
    - `-c`, standard input, the interactive prompt: `''`, the current folder at
      import time;
    - nothing under `-P` or `-I` (3.11+ `safe_path`).
    """
    if config.safe_path:
        return None
    rt = config.profile
    if config.run_module is not None and rt.module_path0 == "cwd":
        return fs.realpath(fs.cwd)
    if config.run_filename is None:
        return ""
    script = config.argv[0]
    try:
        full = fs.realpath(script) if fs.exists(script) else script
    except OSError:
        full = script
    folder, sep, _ = full.rpartition("/")
    if not sep:
        return ""
    return folder or "/"


def configure(argv: Sequence[str], env: Mapping[str, str] | None = None, *,
              profile: str | None = None, build: BuildConfig | None = None,
              fs: FileSystem | None = None, trace: Trace | None = None,
              run_site: bool = True) -> Configuration:
    """Read `argv` and `env`, calculate the paths, run the model of `site`.

    With `run_site=False` the model of `site` is left out (the model interpreter
    runs the real `site` instead): `sys_path` is then the path before `site`.

    `build` holds the constants of the interpreter being modelled (default: those of
    the running interpreter when `profile` is its version; required otherwise).
    `fs` is the file system (default: the machine's, from the current folder).
    Raises what {py:func}`~pyinternals.runtime.config.read_config` raises for a
    command line the real interpreter refuses, and
    {py:class}`~pyinternals.runtime.site.SiteError` when `site` would fail.
    """
    env = dict(env or {})
    fs = fs if fs is not None else RealFileSystem()
    name = profiles.runtime.get(profile).version
    if build is None:
        if name != profiles.running():
            raise ValueError(f"configure() needs the BuildConfig of a CPython {name}: "
                             "pass build=BuildConfig.of(interpreter) or "
                             "BuildConfig.installed(prefix)")
        build = BuildConfig.running()
    config = read_config(argv, env, profile=name, cwd=fs.cwd)
    paths = calculate_path(config, build, fs, env, trace=trace)
    for key, value in paths.pth_overrides.items():
        setattr(config, key, value)
    site = (site_main(config, paths, fs, env, trace=trace)
            if config.site_import and run_site else None)
    search = list(site.path if site else paths.module_search_paths)
    path0 = compute_sys_path0(config, fs)
    if path0 is not None:
        search.insert(0, path0)
    return Configuration(config, paths, site, search, path0, sys_flags(config))
