"""What `site` adds to the search path: a model of `Lib/site.py`'s `main()`.

Unless `-S` is given, the last step of start-up imports `site`, and `site` finishes
the search path the path calculation began:

1. `removeduppaths`: every entry made absolute, duplicates dropped;
2. `venv` (3.3+): a `pyvenv.cfg` beside or above the executable makes the
   environment's folder `sys.prefix` and `sys.exec_prefix` (`base_prefix` keeps the
   installation), and its `include-system-site-packages` decides whether the
   installation's site-packages and the user site count;
3. `addusersitepackages`: `~/.local/lib/pythonX.Y/site-packages`, if it exists and
   neither `-s` nor PYTHONNOUSERSITE nor `-I` turned it off;
4. `addsitepackages`: `PREFIX/lib/pythonX.Y/site-packages` for each prefix;
5. for each folder added, its `.pth` files, in sorted order: each line names a
   folder to append (if it exists), or starts with `import ` and is executed.

The model runs those steps on a {py:class}`~pyinternals.runtime.fs.FileSystem`
with the functions' own names.  It does not execute the `import` lines of `.pth`
files: it records them in {py:attr}`SiteResult.import_lines` (a line that changed
`sys.path` itself would make the model and the real interpreter differ).  The
model interpreter of {py:mod}`pyinternals.runtime.pylifecycle` runs the real
`site.py` instead; this model is what the book explains it with and what is checked
for 2.7, whose `site.py` cannot run in Python 3.  See {doc}`/runtime`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pyinternals.profiles.runtime import RuntimeProfile, expand
from pyinternals.runtime.config import PyConfig
from pyinternals.runtime.fs import FileSystem
from pyinternals.runtime.getpath import PathConfig

__all__ = ["Site", "SiteError", "SiteResult", "site_main"]

Trace = Callable[[str], None]


class SiteError(Exception):
    """`import site` failed: the real interpreter stops with a fatal error.

    `exception` is the line the traceback ends with (`UnicodeDecodeError: ...`).
    """

    def __init__(self, exception: str) -> None:
        super().__init__(exception)
        self.exception = exception


@dataclass
class SiteResult:
    """What `site` left behind."""

    #: `sys.path` after `site` (still without `sys.path[0]`).
    path: list[str]
    prefix: str
    exec_prefix: str
    #: `site.ENABLE_USER_SITE`: `True`, `False` (turned off), `None` (unsafe: setuid).
    enable_user_site: bool | None
    user_base: str | None
    user_site: str | None
    #: The `pyvenv.cfg` that made `sys.prefix` the environment's, if any.
    venv_cfg: str | None = None
    #: Every `.pth` file read, in order, with what each line did.
    pth_files: list[str] = field(default_factory=list)
    #: The `import` lines of `.pth` files, which `site` executes (the model does not).
    import_lines: list[str] = field(default_factory=list)
    #: The modules `site` tries to import at its end (`sitecustomize`, ...).
    customize: list[str] = field(default_factory=list)


class Site:
    """`site`'s module state as `main()` runs: `PREFIXES`, `ENABLE_USER_SITE`, ...

    Each method is the `site.py` function of the same name.
    """

    def __init__(self, config: PyConfig, paths: PathConfig, fs: FileSystem,
                 env: Mapping[str, str], *, trace: Trace | None = None) -> None:
        self.rt: RuntimeProfile = config.profile
        self.config = config
        self.fs = fs
        self.env = env
        self.trace = trace
        self.platlibdir = paths.platlibdir
        #: `sys.path`, `sys.prefix`, `sys.exec_prefix`, `sys.executable`.
        self.path = list(paths.module_search_paths)
        self.prefix = paths.prefix
        self.exec_prefix = paths.exec_prefix
        self.executable = paths.executable
        self.PREFIXES = [self.prefix, self.exec_prefix]
        self.ENABLE_USER_SITE: bool | None = None
        self.USER_BASE: str | None = None
        self.USER_SITE: str | None = None
        self.result = SiteResult([], "", "", None, None, None)

    def say(self, text: str) -> None:
        """Report one step to the trace function, if there is one."""
        if self.trace is not None:
            self.trace(text)

    # -- Paths -----------------------------------------------------------------------

    def makepath(self, *paths: str) -> tuple[str, str]:
        """The path joined and made absolute, and its case-normalized form (POSIX: same)."""
        joined = posixpath.join(*paths)
        full = posixpath.normpath(posixpath.join(self.fs.cwd, joined))
        return full, full

    def removeduppaths(self) -> set[str]:
        """Make every `sys.path` entry absolute and drop the duplicates."""
        entries: list[str] = []
        known: set[str] = set()
        for entry in self.path:
            full, case = self.makepath(entry)
            if case not in known:
                entries.append(full)
                known.add(case)
        self.path[:] = entries
        return known

    # -- Virtual environments (3.3+) -----------------------------------------------

    def venv(self, known_paths: set[str]) -> set[str]:
        """`pyvenv.cfg` beside or above `sys.executable` switches the prefixes."""
        landmark = self.rt.venv_landmark
        if landmark is None:
            return known_paths
        exe_dir = posixpath.dirname(self.makepath(self.executable)[0])
        site_prefix = posixpath.dirname(exe_dir)
        candidates = [posixpath.join(exe_dir, landmark), posixpath.join(site_prefix, landmark)]
        conf = next((c for c in candidates if self.fs.isfile(c)), None)
        if conf is None:
            return known_paths
        try:
            text = self.fs.read_bytes(conf).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SiteError(f"UnicodeDecodeError: {exc}") from None
        except OSError as exc:
            raise SiteError(f"{type(exc).__name__}: {exc}") from None
        system_site = "true"
        for line in text.splitlines():
            if "=" in line:
                key, _, value = line.partition("=")
                key, value = key.strip().lower(), value.strip()
                if key == "include-system-site-packages":
                    system_site = value.lower()
        self.prefix = self.exec_prefix = site_prefix
        self.result.venv_cfg = conf
        self.say(f"{conf}: sys.prefix and sys.exec_prefix become {site_prefix!r}")
        self.addsitepackages(known_paths, [site_prefix])
        if system_site == "true":
            self.PREFIXES.insert(0, site_prefix)
        else:
            self.PREFIXES = [site_prefix]
            self.ENABLE_USER_SITE = False
            self.say("include-system-site-packages is false: no system or user site")
        return known_paths

    # -- The user site ------------------------------------------------------------------

    def check_enableusersite(self) -> bool | None:
        """`False` under `-s`, PYTHONNOUSERSITE or `-I`.

        Departure: the real function also returns `None` when the process runs
        setuid or setgid; the model assumes it does not.
        """
        return bool(self.config.user_site_directory)

    def getuserbase(self) -> str:
        """PYTHONUSERBASE (read even under `-E`), else `~/.local`."""
        if self.USER_BASE is None:
            base = self.env.get("PYTHONUSERBASE")
            self.USER_BASE = base if base else self._expanduser("~/.local")
        return self.USER_BASE

    def _expanduser(self, path: str) -> str:
        """`posixpath.expanduser`: `HOME`, or the password database when it is unset."""
        home = self.env["HOME"] if "HOME" in self.env else self.fs.home()
        return (home.rstrip("/") + path[1:]) or "/"

    def getusersitepackages(self) -> str:
        """`USER_BASE/lib/pythonX.Y/site-packages`."""
        base = self.getuserbase()
        if self.USER_SITE is None:
            self.USER_SITE = posixpath.join(base, self.rt.user_site_subdir)
        return self.USER_SITE

    def addusersitepackages(self, known_paths: set[str]) -> set[str]:
        """Add the user site, when it is enabled and exists."""
        user_site = self.getusersitepackages()
        if self.ENABLE_USER_SITE and self.fs.isdir(user_site):
            self.say(f"user site {user_site!r} exists: added")
            self.addsitedir(user_site, known_paths)
        else:
            why = "turned off" if not self.ENABLE_USER_SITE else "does not exist"
            self.say(f"user site {user_site!r}: {why}")
        return known_paths

    # -- The system site-packages ----------------------------------------------------

    def getsitepackages(self, prefixes: list[str] | None = None) -> list[str]:
        """`PREFIX/lib/pythonX.Y/site-packages` (and the like) for each prefix."""
        found: list[str] = []
        seen: set[str] = set()
        libdirs = [self.platlibdir] + (["lib"] if self.platlibdir != "lib" else [])
        for prefix in prefixes if prefixes is not None else self.PREFIXES:
            if not prefix or prefix in seen:
                continue
            seen.add(prefix)
            for template in self.rt.site_packages:
                variants = ([expand(template, d) for d in libdirs] if "{platlibdir}" in template
                            else [template])
                found += [posixpath.join(prefix, v) for v in variants]
        return found

    def addsitepackages(self, known_paths: set[str],
                        prefixes: list[str] | None = None) -> set[str]:
        """Add each existing site-packages folder with its `.pth` files."""
        for sitedir in self.getsitepackages(prefixes):
            if self.fs.isdir(sitedir):
                self.addsitedir(sitedir, known_paths)
        return known_paths

    def addsitedir(self, sitedir: str, known_paths: set[str]) -> None:
        """Append `sitedir` unless known, then process its `.pth` files in sorted order."""
        sitedir, sitedircase = self.makepath(sitedir)
        if sitedircase not in known_paths:
            self.path.append(sitedir)
            if self.rt.site_records_sitedir:
                known_paths.add(sitedircase)
        try:
            names = self.fs.listdir(sitedir)
        except OSError:
            return
        names = [n for n in names if n.endswith(".pth")
                 and not (self.rt.pth_skips_dotfiles and n.startswith("."))]
        for name in sorted(names):
            self.addpackage(sitedir, name, known_paths)

    def addpackage(self, sitedir: str, name: str, known_paths: set[str]) -> None:
        """Process one `.pth` file: folders to append, `import` lines to execute."""
        fullname = posixpath.join(sitedir, name)
        try:
            raw = self.fs.read_bytes(fullname)
        except OSError:
            return
        self.result.pth_files.append(fullname)
        text = raw.decode("utf-8-sig", "replace")
        for line in text.splitlines(keepends=True):
            if line.startswith("#"):
                continue
            if self.rt.pth_skips_blank_lines and line.strip() == "":
                continue
            if line.startswith(("import ", "import\t")):
                self.result.import_lines.append(line.rstrip("\n"))
                continue
            folder, case = self.makepath(sitedir, line.rstrip())
            if case not in known_paths and self.fs.exists(folder):
                self.path.append(folder)
                known_paths.add(case)
                self.say(f"{fullname}: added {folder!r}")

    # -- main() ------------------------------------------------------------------------

    def main(self) -> SiteResult:
        """`site.main()`: the steps above, in `site.py`'s order."""
        known_paths = self.removeduppaths()
        known_paths = self.venv(known_paths)
        if self.ENABLE_USER_SITE is None:
            self.ENABLE_USER_SITE = self.check_enableusersite()
        known_paths = self.addusersitepackages(known_paths)
        self.addsitepackages(known_paths)
        self.result.customize = ["sitecustomize"] + (
            ["usercustomize"] if self.ENABLE_USER_SITE else [])
        r = self.result
        r.path, r.prefix, r.exec_prefix = self.path, self.prefix, self.exec_prefix
        r.enable_user_site = self.ENABLE_USER_SITE
        r.user_base, r.user_site = self.USER_BASE, self.USER_SITE
        return r


def site_main(config: PyConfig, paths: PathConfig, fs: FileSystem, env: Mapping[str, str],
              *, trace: Trace | None = None) -> SiteResult:
    """Run the model of `site.main()` on the result of the path calculation."""
    return Site(config, paths, fs, env, trace=trace).main()
