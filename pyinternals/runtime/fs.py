"""The files the start-up models look at: the real ones, or a made-up tree.

The path calculation and `site` only ask a few questions of the file system: is
this a file, a folder, an executable; where does this link point; what are the
lines of this file; what is in this folder.  {py:class}`RealFileSystem` answers
them from the machine (that is how the models are checked against real
interpreters); {py:class}`VirtualFileSystem` answers them from a dictionary, so that
the book can show the calculation on an installation that looks the same on every
machine.

```python
>>> fs = VirtualFileSystem({
...     "/usr/local/bin/python3.12": "#!binary",
...     "/usr/local/bin/python3": "-> python3.12",
...     "/usr/local/lib/python3.12/os.py": "",
... }, cwd="/home/ada", executables={"/usr/local/bin/python3.12"})
>>> fs.isxfile("/usr/local/bin/python3"), fs.realpath("/usr/local/bin/python3")
(True, '/usr/local/bin/python3.12')
>>> fs.isdir("/usr/local/lib"), sorted(fs.listdir("/usr/local/lib/python3.12"))
(True, ['os.py'])

```
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

__all__ = ["FileSystem", "RealFileSystem", "VirtualFileSystem", "abspath"]

#: The limit of links followed in one path (Linux's `MAXSYMLINKS`, as `getpath` uses).
MAX_LINKS = 40


@runtime_checkable
class FileSystem(Protocol):
    """What the start-up models need to know about files."""

    #: The current folder, against which relative paths are taken.
    cwd: str

    def isfile(self, path: str) -> bool:
        """A regular file (links followed)."""
        ...

    def isdir(self, path: str) -> bool:
        """A folder (links followed)."""
        ...

    def isxfile(self, path: str) -> bool:
        """A regular file with an execute bit."""
        ...

    def exists(self, path: str) -> bool:
        """Anything at all (links followed)."""
        ...

    def readlink(self, path: str) -> str:
        """The target of a symbolic link; `OSError` when `path` is not one."""
        ...

    def realpath(self, path: str) -> str:
        """`path` made absolute with every link resolved."""
        ...

    def read_bytes(self, path: str) -> bytes:
        """The content of a file; `OSError` when it cannot be read."""
        ...

    def listdir(self, path: str) -> list[str]:
        """The names in a folder; `OSError` when it cannot be listed."""
        ...

    def home(self) -> str:
        """The user's home folder from the password database (when `HOME` is unset)."""
        ...


def abspath(fs: FileSystem, path: str) -> str:
    """`os.path.abspath` against `fs.cwd`: joined and normalized."""
    return posixpath.normpath(posixpath.join(fs.cwd, path))


class RealFileSystem:
    """The machine's files; relative paths are taken against `cwd`."""

    def __init__(self, cwd: str | None = None) -> None:
        self.cwd = cwd if cwd is not None else os.getcwd()

    def _full(self, path: str) -> str:
        return posixpath.join(self.cwd, path) if path else self.cwd

    def isfile(self, path: str) -> bool:
        """A regular file (links followed)."""
        return os.path.isfile(self._full(path))

    def isdir(self, path: str) -> bool:
        """A folder (links followed)."""
        return os.path.isdir(self._full(path))

    def isxfile(self, path: str) -> bool:
        """A regular file with an execute bit (`isxfile` in `Modules/getpath.c`)."""
        try:
            st = os.stat(self._full(path))
        except OSError:
            return False
        return stat.S_ISREG(st.st_mode) and bool(st.st_mode & 0o111)

    def exists(self, path: str) -> bool:
        """Anything at all (links followed)."""
        return os.path.exists(self._full(path))

    def readlink(self, path: str) -> str:
        """The target of a symbolic link."""
        return os.readlink(self._full(path))

    def realpath(self, path: str) -> str:
        """`path` made absolute with every link resolved."""
        return os.path.realpath(self._full(path))

    def read_bytes(self, path: str) -> bytes:
        """The content of a file."""
        with open(self._full(path), "rb") as f:
            return f.read()

    def listdir(self, path: str) -> list[str]:
        """The names in a folder."""
        return os.listdir(self._full(path))

    def home(self) -> str:
        """The home folder of the user running this process (`pwd`)."""
        import pwd

        return pwd.getpwuid(os.getuid()).pw_dir

    def __repr__(self) -> str:
        return f"RealFileSystem(cwd={self.cwd!r})"


class VirtualFileSystem:
    """A made-up tree of files, folders and links, held in a dictionary.

    `files` maps absolute paths to contents (`str` or `bytes`); a content of the form
    `"-> TARGET"` makes a symbolic link, and a path ending in `/` a folder.  Folders
    above every path exist implicitly.  `executables` lists the files with an execute
    bit; `unreadable` the files that exist but cannot be read (as after `chmod 000`).
    """

    def __init__(self, files: Mapping[str, str | bytes], *, cwd: str = "/",
                 executables: Iterable[str] = (), unreadable: Iterable[str] = (),
                 home: str = "/root") -> None:
        self.cwd = cwd
        self._home = home
        self._files: dict[str, bytes] = {}
        self._links: dict[str, str] = {}
        self._dirs: set[str] = {"/"}
        for path, content in files.items():
            if not path.startswith("/"):
                raise ValueError(f"paths of a VirtualFileSystem are absolute: {path!r}")
            norm = posixpath.normpath(path)
            self._add_parents(norm)
            if path.endswith("/"):
                self._dirs.add(norm)
            elif isinstance(content, str) and content.startswith("-> "):
                self._links[norm] = content[3:]
            else:
                self._files[norm] = content.encode() if isinstance(content, str) else content
        self._executables = {posixpath.normpath(p) for p in executables}
        self._unreadable = {posixpath.normpath(p) for p in unreadable}

    def _add_parents(self, path: str) -> None:
        parent = posixpath.dirname(path)
        while parent not in self._dirs:
            self._dirs.add(parent)
            parent = posixpath.dirname(parent)

    def _resolve(self, path: str) -> str | None:
        """The real location of `path` (every link followed), `None` if a link dangles
        or loops."""
        try:
            return self._realpath(posixpath.join(self.cwd, path), strict=True)
        except OSError:
            return None

    def _realpath(self, path: str, *, strict: bool) -> str:
        parts = [p for p in path.split("/") if p]
        done = "/"
        links = 0
        while parts:
            part = parts.pop(0)
            if part == ".":
                continue
            if part == "..":
                done = posixpath.dirname(done)
                continue
            candidate = posixpath.join(done, part)
            if candidate in self._links:
                links += 1
                if links > MAX_LINKS:
                    raise OSError(errno.ELOOP, "Too many levels of symbolic links", path)
                target = self._links[candidate]
                base = "/" if target.startswith("/") else done
                parts = [p for p in target.split("/") if p] + parts
                done = base
                continue
            if strict and candidate not in self._files and candidate not in self._dirs:
                if parts:  # a missing folder in the middle
                    raise OSError(errno.ENOENT, "No such file or directory", path)
                raise OSError(errno.ENOENT, "No such file or directory", path)
            done = candidate
        return done

    def isfile(self, path: str) -> bool:
        """A regular file (links followed)."""
        real = self._resolve(path)
        return real is not None and real in self._files

    def isdir(self, path: str) -> bool:
        """A folder (links followed)."""
        real = self._resolve(path)
        return real is not None and real in self._dirs

    def isxfile(self, path: str) -> bool:
        """A regular file with an execute bit."""
        real = self._resolve(path)
        return real is not None and real in self._files and real in self._executables

    def exists(self, path: str) -> bool:
        """Anything at all (links followed)."""
        return self._resolve(path) is not None

    def readlink(self, path: str) -> str:
        """The target of a symbolic link."""
        full = posixpath.normpath(posixpath.join(self.cwd, path))
        parent = self._realpath(posixpath.dirname(full), strict=False)
        where = posixpath.join(parent, posixpath.basename(full))
        if where not in self._links:
            raise OSError(errno.EINVAL, "Invalid argument", path)
        return self._links[where]

    def realpath(self, path: str) -> str:
        """`path` made absolute with every link resolved (missing parts kept)."""
        return self._realpath(posixpath.join(self.cwd, path), strict=False)

    def read_bytes(self, path: str) -> bytes:
        """The content of a file."""
        real = self._resolve(path)
        if real is None or (real not in self._files and real not in self._dirs):
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        if real in self._dirs:
            raise IsADirectoryError(errno.EISDIR, "Is a directory", path)
        if real in self._unreadable:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return self._files[real]

    def listdir(self, path: str) -> list[str]:
        """The names in a folder, in the order they were given."""
        real = self._resolve(path)
        if real is None or real not in self._dirs:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        names = []
        for entry in (*self._files, *self._links, *self._dirs):
            if entry != "/" and posixpath.dirname(entry) == real:
                names.append(posixpath.basename(entry))
        return list(dict.fromkeys(names))

    def home(self) -> str:
        """The home folder the password database would give."""
        return self._home

    def __repr__(self) -> str:
        return (f"<VirtualFileSystem: {len(self._files)} files, {len(self._links)} links, "
                f"cwd={self.cwd!r}>")
