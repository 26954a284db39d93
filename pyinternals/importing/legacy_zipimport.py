"""2.x's `zipimport`: a model of `Modules/zipimport.c` as CPython 2.7 has it.

PEP 302 (Python 2.3) gave `import.c` two lists of import hooks: `sys.meta_path`,
asked before anything else, and `sys.path_hooks`, asked once per path entry.
`get_path_importer` offers a path entry to each hook in turn and caches what it
gets in `sys.path_importer_cache`: the first importer a hook returns, else an
`imp.NullImporter` for an entry that is not a directory, else `None` (a directory:
`find_module` searches it itself).  An importer found, `find_module` asks it
`importer.find_module(fullname)`; a loader returned, `load_module` calls
`loader.load_module(fullname)` (the `IMP_HOOK` kind).

At start-up `_PyImportHooks_Init` puts exactly one hook on `sys.path_hooks`:
`zipimport.zipimporter`, a built-in class (`python2.7 -v` says
`# installing zipimport hook`).  {py:func}`initzipimport` makes that module for one
{py:class}`~pyinternals.importing.legacy.LegacyImportSystem`, whose
`sys.path_hooks` then starts with its {py:class}`zipimporter`:

- `zipimporter(path)` (`zipimporter_init`) backs up from the end of `path`, one
  `/` at a time, until it names a regular file: that is the archive, the rest the
  *prefix* (`lib.zip/pkg` is the package folder `pkg/` inside `lib.zip`).  The
  archive's table of contents is read once (`read_directory`, which `-v` reports
  as `# zipimport: found N names in ARCHIVE`) and kept in `_zip_directory_cache`;
- `find_module(fullname)` looks the last part of the name up in the table, in the
  order of `zip_searchorder`: `NAME/__init__.pyc`, `NAME/__init__.pyo`,
  `NAME/__init__.py`, `NAME.pyc`, `NAME.pyo`, `NAME.py`;
- `load_module(fullname)` gets the code (`get_module_code`: a `.pyc` whose magic or
  source mtime does not match is skipped for the next suffix), puts the module in
  `sys.modules`, sets `__loader__` and, for a package, `__path__` to
  `[ARCHIVE/PREFIX/NAME]` *before* running the code, runs it with `__file__` the
  path inside the archive, and only then prints
  `import NAME # loaded from Zip ARCHIVE/PATH` (so a package's submodules imported
  by its `__init__` are listed before it).

Departures from C: the archive is read with Python's `zipfile` (the table
of contents is the same: one entry per central-directory record, with C's tuple
fields), so a deflated member is decompressed without importing `zlib` through
the model (2.7 imports it and prints `# zipimport: zlib available`); a `.pyc` in
the archive must carry the legacy model's magic number, the running interpreter's,
as {py:mod}`~pyinternals.importing.legacy` explains; `-O` (`.pyo` first) is not
modelled.  See {doc}`/importing`.
"""

from __future__ import annotations

import errno
import marshal
import os
import stat
import time
import zipfile
from dataclasses import dataclass
from types import CodeType, ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from pyinternals.importing.legacy import LegacyImportSystem

SEP = "/"
MAXPATHLEN = 4096
IS_SOURCE = 0x0
IS_BYTECODE = 0x1
IS_PACKAGE = 0x2

#: `zip_searchorder`: the names tried for a module, in order (`initzipimport` swaps
#: `.pyc` and `.pyo` under `-O`, which the model does not run).
zip_searchorder: tuple[tuple[str, int], ...] = (
    (SEP + "__init__.pyc", IS_PACKAGE | IS_BYTECODE),
    (SEP + "__init__.pyo", IS_PACKAGE | IS_BYTECODE),
    (SEP + "__init__.py", IS_PACKAGE | IS_SOURCE),
    (".pyc", IS_BYTECODE),
    (".pyo", IS_BYTECODE),
    (".py", IS_SOURCE),
)


class ZipImportError(ImportError):
    """`zipimport.ZipImportError`: what a zipimporter raises (an `ImportError`, so
    `get_path_importer` moves on to the next hook)."""


@dataclass(frozen=True)
class TocEntry:
    """One entry of an archive's table of contents: the tuple `read_directory`
    stores, field by field."""

    #: `ARCHIVE/NAME`: the `__file__` of a module loaded from it.
    path: str
    compress: int
    data_size: int
    file_size: int
    file_offset: int
    #: The DOS time and date of the member (2-second resolution).
    time: int
    date: int
    crc: int

    def as_tuple(self) -> tuple[str, int, int, int, int, int, int, int]:
        """The tuple 2.7 keeps in `zipimporter._files`."""
        return (self.path, self.compress, self.data_size, self.file_size,
                self.file_offset, self.time, self.date, self.crc)


def read_directory(system: LegacyImportSystem, archive: str) -> dict[str, TocEntry]:
    """`read_directory`: the archive's table of contents, name -> entry."""
    if len(archive) > MAXPATHLEN:
        raise OverflowError("Zip path name is too long")
    try:
        with open(archive, "rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() < 22:
                raise ZipImportError(f"can't read Zip file: {archive}")
    except OSError:
        raise ZipImportError(f"can't open Zip file: {archive}") from None
    try:
        with zipfile.ZipFile(archive) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ZipImportError(f"not a Zip file: {archive}") from None
    files: dict[str, TocEntry] = {}
    for info in infos:
        year, month, day, hour, minute, second = info.date_time
        name = info.filename.replace("/", SEP)
        files[name] = TocEntry(
            archive + SEP + name, info.compress_type, info.compress_size, info.file_size,
            info.header_offset, (hour << 11) | (minute << 5) | (second // 2),
            ((year - 1980) << 9) | (month << 5) | day, info.CRC)
    system.trace.write(f"# zipimport: found {len(infos)} names in {archive}")
    return files


def get_subname(fullname: str) -> str:
    """`fullname.split(".")[-1]`."""
    return fullname.rpartition(".")[2]


def parse_dostime(dostime: int, dosdate: int) -> int:
    """A member's DOS time and date as seconds since the epoch, in local time as
    `mktime` reads them."""
    return int(time.mktime((
        ((dosdate >> 9) & 0x7F) + 1980, (dosdate >> 5) & 0x0F, dosdate & 0x1F,
        (dostime >> 11) & 0x1F, (dostime >> 5) & 0x3F, (dostime & 0x1F) * 2, 0, 0, -1)))


def eq_mtime(t1: int, t2: int) -> bool:
    """Equal to within a second: DOS times only store even seconds."""
    return abs(t1 - t2) <= 1


class zipimporter:
    """`zipimport.zipimporter`: the PEP 302 importer of one zip archive (and prefix).

    The class {py:func}`initzipimport` puts on a legacy system's `sys.path_hooks`
    is a subclass bound to that system (`_system`): what C reaches through the
    interpreter state (`sys.modules`, `-v`), the model reaches through it.
    """

    _system: ClassVar[LegacyImportSystem]
    _cache: ClassVar[dict[str, dict[str, TocEntry]]]

    def __init__(self, path: object) -> None:
        """`zipimporter_init`: split `path` into the archive and the prefix."""
        if not isinstance(path, str):
            raise TypeError(f"zipimporter() argument 1 must be string, not "
                            f"{type(path).__name__}")
        if not path:
            raise ZipImportError("archive path is empty")
        if len(path) >= MAXPATHLEN:
            raise ZipImportError("archive path too long")
        buf, prefix, archive = path, "", None
        while True:
            try:
                st = os.stat(buf)
            except OSError:
                pass
            else:
                if stat.S_ISREG(st.st_mode):
                    archive = buf
                break
            head, sep, tail = buf.rpartition(SEP)
            if not sep:
                break
            prefix = tail + SEP + prefix
            buf = head
        if archive is None:
            raise ZipImportError("not a Zip file")
        files = self._cache.get(archive)
        if files is None:
            files = read_directory(self._system, archive)
            self._cache[archive] = files
        self.archive = archive
        self.prefix = prefix
        self.files = files

    @property
    def _files(self) -> dict[str, tuple[Any, ...]]:
        """The table of contents as 2.7 shows it: name -> tuple."""
        return {name: entry.as_tuple() for name, entry in self.files.items()}

    def __repr__(self) -> str:
        if self.prefix:
            return f'<zipimporter object "{self.archive}{SEP}{self.prefix}">'
        return f'<zipimporter object "{self.archive}">'

    # -- Finding --------------------------------------------------------------------

    def make_filename(self, name: str) -> str:
        """The module's path in the archive, without a suffix."""
        if len(self.prefix) + len(name) + 13 >= MAXPATHLEN:
            raise ZipImportError("path too long")
        return self.prefix + name.replace(".", SEP)

    def get_module_info(self, fullname: str) -> str | None:
        """`get_module_info`: `"package"`, `"module"` or `None` (not here)."""
        path = self.make_filename(get_subname(fullname))
        for suffix, kind in zip_searchorder:
            if path + suffix in self.files:
                return "package" if kind & IS_PACKAGE else "module"
        return None

    def find_module(self, fullname: str, path: object = None) -> zipimporter | None:
        """Itself if the archive holds `fullname`, else `None` (`path` is ignored)."""
        return self if self.get_module_info(fullname) is not None else None

    def is_package(self, fullname: str) -> bool:
        """Whether `fullname` is a package in the archive."""
        mi = self.get_module_info(fullname)
        if mi is None:
            raise ZipImportError(f"can't find module '{fullname}'")
        return mi == "package"

    # -- Loading --------------------------------------------------------------------

    def load_module(self, fullname: str) -> ModuleType:
        """`zipimporter_load_module`: run the module's code in a module of the
        legacy system's `sys.modules`."""
        system = self._system
        code, ispackage, modpath = self.get_module_code(fullname)
        mod = system.PyImport_AddModule(fullname)
        mod.__loader__ = self
        if ispackage:
            # `__path__` before the code runs: the package's `__init__` may import
            # its own submodules.
            mod.__path__ = [f"{self.archive}{SEP}{self.prefix}{get_subname(fullname)}"]
        mod = system.PyImport_ExecCodeModuleEx(fullname, code, modpath)
        system.trace.write(f"import {fullname} # loaded from Zip {modpath}")
        return mod

    def get_module_code(self, fullname: str) -> tuple[CodeType, bool, str]:
        """`get_module_code`: the code of the first name of `zip_searchorder` the
        archive holds and can use; with whether it is a package, and its path."""
        path = self.make_filename(get_subname(fullname))
        for suffix, kind in zip_searchorder:
            name = path + suffix
            self._system.trace.write(f"# trying {self.archive}{SEP}{name}", 2)
            entry = self.files.get(name)
            if entry is None:
                continue
            isbytecode = bool(kind & IS_BYTECODE)
            mtime = self.get_mtime_of_source(name) if isbytecode else 0
            code = self.get_code_from_data(isbytecode, mtime, entry)
            if code is None:
                continue  # bad magic or mtime: the next suffix
            return code, bool(kind & IS_PACKAGE), entry.path
        raise ZipImportError(f"can't find module '{fullname}'")

    def get_code(self, fullname: str) -> CodeType:
        """The code object of `fullname`."""
        return self.get_module_code(fullname)[0]

    def get_mtime_of_source(self, path: str) -> int:
        """The mtime of the `.py` beside a `.pyc` in the archive (0: none)."""
        entry = self.files.get(path[:-1])
        return 0 if entry is None else parse_dostime(entry.time, entry.date)

    def get_code_from_data(self, isbytecode: bool, mtime: int,
                           entry: TocEntry) -> CodeType | None:
        """Compile the member's source, or unmarshal its bytecode."""
        data = self.get_data_of(entry)
        if isbytecode:
            return self.unmarshal_code(entry.path, data, mtime)
        return self.compile_source(entry.path, data)

    def unmarshal_code(self, pathname: str, data: bytes, mtime: int) -> CodeType | None:
        """The code after a `.pyc` header; `None` (try the next suffix) if the magic
        is not the system's or the mtime not the source's."""
        from pyinternals.importing.legacy import _r_long

        if len(data) <= 9:
            raise ZipImportError("bad pyc data")
        if _r_long(data, 0) != _r_long(self._system.magic, 0):
            self._system.trace.write(f"# {pathname} has bad magic")
            return None
        if mtime != 0 and not eq_mtime(_r_long(data, 4), mtime):
            self._system.trace.write(f"# {pathname} has bad mtime")
            return None
        try:
            code = marshal.loads(data[8:])
        except (EOFError, ValueError, TypeError):
            raise EOFError("EOF read where object expected") from None
        if not isinstance(code, CodeType):
            raise TypeError(f"compiled module {pathname} is not a code object")
        return code

    def compile_source(self, pathname: str, data: bytes) -> CodeType:
        """`compile_source`: line endings made `\\n`, then compiled (the future
        statements in the source apply, `absolute_import` among them)."""
        from pyinternals.importing.legacy import CO_FUTURE_ABSOLUTE_IMPORT, _asks_absolute_import

        source = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n") + b"\n"
        flags = CO_FUTURE_ABSOLUTE_IMPORT if _asks_absolute_import(source) else 0
        code: CodeType = compile(source, pathname, "exec", flags=flags, dont_inherit=True)
        return code

    def get_data_of(self, entry: TocEntry) -> bytes:
        """`get_data`: a member's bytes, uncompressed."""
        try:
            with zipfile.ZipFile(self.archive) as z:
                return z.read(entry.path[len(self.archive) + 1:].replace(SEP, "/"))
        except OSError:
            raise OSError(f"zipimport: can not open file {self.archive}") from None
        except (zipfile.BadZipFile, KeyError):
            raise ZipImportError(f"bad local file header in {self.archive}") from None

    def get_data(self, pathname: str) -> bytes:
        """A member's bytes, by its path in the archive (or `ARCHIVE/PATH`)."""
        if pathname.startswith(self.archive + SEP):
            pathname = pathname[len(self.archive) + 1:]
        entry = self.files.get(pathname)
        if entry is None:
            raise OSError(errno.ENOENT, "No such file in the archive", pathname)
        return self.get_data_of(entry)

    def get_source(self, fullname: str) -> str | None:
        """The module's source, or `None` if the archive has only its bytecode."""
        mi = self.get_module_info(fullname)
        if mi is None:
            raise ZipImportError(f"can't find module '{fullname}'")
        path = self.make_filename(get_subname(fullname))
        path += SEP + "__init__.py" if mi == "package" else ".py"
        entry = self.files.get(path)
        return None if entry is None else self.get_data_of(entry).decode("latin-1")


def initzipimport(system: LegacyImportSystem) -> ModuleType:
    """`initzipimport`: the built-in module `zipimport` of one legacy system, with
    `zipimporter` (bound to the system), `ZipImportError` and
    `_zip_directory_cache`."""
    from pyinternals.importing.legacy import LegacyModule

    module = LegacyModule("zipimport", "zipimport provides support for importing Python "
                                       "modules from Zip archives.")
    cache: dict[str, dict[str, TocEntry]] = {}
    bound = type("zipimporter", (zipimporter,),
                 {"_system": system, "_cache": cache, "__module__": "zipimport",
                  "__doc__": zipimporter.__doc__})
    module.zipimporter = bound  # type: ignore[attr-defined]
    module.ZipImportError = ZipImportError  # type: ignore[attr-defined]
    module._zip_directory_cache = cache  # type: ignore[attr-defined]
    return module
