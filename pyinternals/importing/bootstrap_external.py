"""Path-based import: a model of `Lib/importlib/_bootstrap_external.py`.

This module is the model's `_frozen_importlib_external`.  Like importlib's, it is
"frozen" into the model interpreter: {py:class}`~pyinternals.importing.system.ImportSystem`
hands its code to the model's frozen importer in place of CPython's, and
`_bootstrap._install_external_importers()` imports it, which runs the `import _imp,
_io, sys, _warnings, marshal` and `import posix` below through the model: that is why
`-X importtime` shows `_io marshal posix` just before `_frozen_importlib_external`.

Reading order:

- *Paths*: the few `os.path` functions importlib needs, written with `posix` only.
- *Bytecode caches*: where a module's `.pyc` goes (PEP 3147: `__pycache__/
  NAME.cpython-311.pyc`), its 16-byte header (PEP 552: magic, flags, then mtime and
  source size or a source hash), and when a cache may be used.
- *Loaders*: {py:class}`SourceFileLoader` (`.py`, reading and writing the cache),
  {py:class}`SourcelessFileLoader` (a `.pyc` alone), {py:class}`ExtensionFileLoader`
  (shared libraries, loaded for real through `_imp.create_dynamic`),
  {py:class}`NamespaceLoader` (PEP 420 packages, whose `__path__` is a
  `_NamespacePath` recomputed when the parent's path changes).
- *Finders*: {py:class}`PathFinder` on `sys.meta_path` walks `sys.path` (or a
  package's `__path__`), asks `sys.path_hooks` for one finder per entry and keeps it
  in `sys.path_importer_cache`; {py:class}`FileFinder` looks in one directory, trying
  the suffixes in order: extension modules, then source, then bytecode.

The model is written for POSIX systems (Windows' drive letters, case-insensitive
file names and registry finder are left out; {py:class}`WindowsRegistryFinder` is
there because `importlib.machinery` exports it, and finds nothing).  Its bytecode is
always the running interpreter's (`MAGIC_NUMBER`, `sys.implementation.cache_tag`):
the model compiles with that interpreter's compiler, so that is the only bytecode it
can write or run, whatever profile it follows.  See {doc}`/importing`.
"""

# Like bootstrap.py, this module must not import anything the model interpreter
# does not import at this point of its start-up.

_TYPE_CHECKING = False
if _TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import CodeType
    from typing import Any


_bootstrap: "Any" = None

import _imp  # noqa: E402  (the model's _imp: see pyinternals.importing.import_c)
import _io  # noqa: E402
import _warnings  # noqa: E402
import marshal  # noqa: E402
import posix as _os  # noqa: E402
import sys  # noqa: E402

path_separators = "/"
path_sep = "/"
path_sep_tuple = ("/",)
_pathseps_with_colon = {":/"}


def _relax_case() -> bool:
    """Whether file names must be compared case-insensitively (never, on POSIX)."""
    return False


# -- Bytes ---------------------------------------------------------------------------


def _pack_uint32(x: int) -> bytes:
    """A 32-bit integer, little-endian (the .pyc header's words)."""
    return (int(x) & 0xFFFFFFFF).to_bytes(4, "little")


def _unpack_uint32(data: bytes) -> int:
    """Four little-endian bytes as an integer."""
    assert len(data) == 4
    return int.from_bytes(data, "little")


def _unpack_uint16(data: bytes) -> int:
    """Two little-endian bytes as an integer (zipimport reads zip headers with it)."""
    assert len(data) == 2
    return int.from_bytes(data, "little")


def _unpack_uint64(data: bytes) -> int:
    """Eight little-endian bytes as an integer (zipimport, 3.13)."""
    assert len(data) == 8
    return int.from_bytes(data, "little")


# -- Paths ---------------------------------------------------------------------------


def _path_join(*path_parts: str) -> str:
    """`os.path.join`, POSIX only, dropping empty parts and trailing slashes."""
    return path_sep.join([part.rstrip(path_separators) for part in path_parts if part])


def _path_split(path: str) -> "tuple[str, str]":
    """`os.path.split`."""
    i = path.rfind(path_sep)
    if i < 0:
        return "", path
    return path[:i], path[i + 1:]


def _path_stat(path: str) -> "Any":
    """`os.stat` (a separate function, so that experiments can cache it)."""
    return _os.stat(path)


def _path_is_mode_type(path: str, mode: int) -> bool:
    """Whether `path` exists and is of file type `mode`."""
    try:
        stat_info = _path_stat(path)
    except OSError:
        return False
    return bool((stat_info.st_mode & 0o170000) == mode)


def _path_isfile(path: str) -> bool:
    """`os.path.isfile`."""
    return _path_is_mode_type(path, 0o100000)


def _path_isdir(path: str) -> bool:
    """`os.path.isdir`; the empty path is the current directory."""
    if not path:
        path = _os.getcwd()
    return _path_is_mode_type(path, 0o040000)


def _path_isabs(path: str) -> bool:
    """`os.path.isabs`."""
    return path.startswith(path_separators)


def _path_abspath(path: str) -> str:
    """`os.path.abspath`, without normalising `..` (importlib does not either)."""
    if not _path_isabs(path):
        for sep in path_separators:
            path = path.removeprefix(f".{sep}")
        return _path_join(_os.getcwd(), path)
    return path


def _write_atomic(path: str, data: "bytes | bytearray", mode: int = 0o666) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`:
    a reader never sees a half-written `.pyc`."""
    path_tmp = f"{path}.{id(path)}"
    fd = _os.open(path_tmp, _os.O_EXCL | _os.O_CREAT | _os.O_WRONLY, mode & 0o666)
    try:
        with _io.FileIO(fd, "wb") as file:
            file.write(data)
        _os.replace(path_tmp, path)
    except OSError:
        try:
            _os.unlink(path_tmp)
        except OSError:
            pass
        raise


_code_type = type(_write_atomic.__code__)


# -- Bytecode caches ---------------------------------------------------------------

#: The magic number of the interpreter running the model: the one whose bytecode
#: the model writes.  CPython writes it into `_bootstrap_external.py` itself (and
#: changes it with every bytecode change); the model's `_imp` carries it.  (Imported
#: as a plain module of the host, this template finds no such attribute.)
MAGIC_NUMBER: bytes = getattr(_imp, "_magic_number", b"")
_RAW_MAGIC_NUMBER = int.from_bytes(MAGIC_NUMBER, "little")

_PYCACHE = "__pycache__"
_OPT = "opt-"

SOURCE_SUFFIXES = [".py"]
BYTECODE_SUFFIXES = [".pyc"]
DEBUG_BYTECODE_SUFFIXES = OPTIMIZED_BYTECODE_SUFFIXES = BYTECODE_SUFFIXES
EXTENSION_SUFFIXES = _imp.extension_suffixes()


def cache_from_source(path: str, debug_override: bool | None = None, *,
                      optimization: "Any" = None) -> str:
    """The `.pyc` path of source file `path` (PEP 3147 and PEP 488):
    `pkg/mod.py` gives `pkg/__pycache__/mod.cpython-311.pyc`."""
    if debug_override is not None:
        _warnings.warn("the debug_override parameter is deprecated; use 'optimization' "
                       "instead", DeprecationWarning)
        if optimization is not None:
            raise TypeError("debug_override or optimization must be set to None")
        optimization = "" if debug_override else 1
    path = _os.fspath(path)
    head, tail = _path_split(path)
    base, sep, rest = tail.rpartition(".")
    tag = sys.implementation.cache_tag
    if tag is None:
        raise NotImplementedError("sys.implementation.cache_tag is None")
    almost_filename = "".join([(base if base else rest), sep, tag])
    if optimization is None:
        optimization = "" if sys.flags.optimize == 0 else sys.flags.optimize
    optimization = str(optimization)
    if optimization != "":
        if not optimization.isalnum():
            raise ValueError(f"{optimization!r} is not alphanumeric")
        almost_filename = f"{almost_filename}.{_OPT}{optimization}"
    filename = almost_filename + BYTECODE_SUFFIXES[0]
    if sys.pycache_prefix is not None:
        # PYTHONPYCACHEPREFIX: a tree of caches mirroring the source tree (3.8+).
        head = _path_abspath(head)
        return _path_join(sys.pycache_prefix, head.lstrip(path_separators), filename)
    return _path_join(head, _PYCACHE, filename)


def source_from_cache(path: str) -> str:
    """The source path a PEP 3147 `.pyc` path was made from (`ValueError` if the
    path is not one)."""
    if sys.implementation.cache_tag is None:
        raise NotImplementedError("sys.implementation.cache_tag is None")
    path = _os.fspath(path)
    head, pycache_filename = _path_split(path)
    found_in_pycache_prefix = False
    if sys.pycache_prefix is not None:
        stripped_path = sys.pycache_prefix.rstrip(path_separators)
        if head.startswith(stripped_path + path_sep):
            head = head[len(stripped_path):]
            found_in_pycache_prefix = True
    if not found_in_pycache_prefix:
        head, pycache = _path_split(head)
        if pycache != _PYCACHE:
            raise ValueError(f"{_PYCACHE} not bottom-level directory in {path!r}")
    dot_count = pycache_filename.count(".")
    if dot_count not in {2, 3}:
        raise ValueError(f"expected only 2 or 3 dots in {pycache_filename!r}")
    if dot_count == 3:
        optimization = pycache_filename.rsplit(".", 2)[-2]
        if not optimization.startswith(_OPT):
            raise ValueError(f"optimization portion of filename does not start with {_OPT!r}")
        opt_level = optimization[len(_OPT):]
        if not opt_level.isalnum():
            raise ValueError(f"optimization level {optimization!r} is not an alphanumeric "
                             "value")
    base_filename = pycache_filename.partition(".")[0]
    return _path_join(head, base_filename + SOURCE_SUFFIXES[0])


def _get_sourcefile(bytecode_path: str) -> str | None:
    """The source beside a bytecode path, if it exists (for the C API's
    `PyImport_ExecCodeModuleWithPathnames`)."""
    if len(bytecode_path) == 0:
        return None
    rest, _, extension = bytecode_path.rpartition(".")
    if not rest or extension.lower()[-3:-1] != "py":
        return bytecode_path
    try:
        source_path = source_from_cache(bytecode_path)
    except (NotImplementedError, ValueError):
        source_path = bytecode_path[:-1]
    return source_path if _path_isfile(source_path) else bytecode_path


def _get_cached(filename: str) -> str | None:
    """`__cached__` for a module loaded from `filename`."""
    if filename.endswith(tuple(SOURCE_SUFFIXES)):
        try:
            return cache_from_source(filename)
        except NotImplementedError:
            pass
    elif filename.endswith(tuple(BYTECODE_SUFFIXES)):
        return filename
    return None


def _calc_mode(path: str) -> int:
    """The permissions of a new `.pyc`: the source's, plus writable by its owner."""
    try:
        mode = int(_path_stat(path).st_mode)
    except OSError:
        mode = 0o666
    # Writable, so that the cache can be replaced when the source changes.
    mode |= 0o200
    return mode


def _check_name(method: "Callable[..., Any]") -> "Callable[..., Any]":
    """Decorator: a loader only answers for the module it was made for."""
    def _check_name_wrapper(self: "Any", name: str | None = None, *args: object,
                            **kwargs: object) -> object:
        if name is None:
            name = self.name
        elif self.name != name:
            raise ImportError(f"loader for {self.name} cannot handle {name}", name=name)
        return method(self, name, *args, **kwargs)
    # _bootstrap._wrap, which is not set yet when the classes below are made.
    for replace in ("__module__", "__name__", "__qualname__", "__doc__"):
        if hasattr(method, replace):
            setattr(_check_name_wrapper, replace, getattr(method, replace))
    _check_name_wrapper.__dict__.update(method.__dict__)
    return _check_name_wrapper


def _classify_pyc(data: bytes, name: str, exc_details: "dict[str, Any]") -> int:
    """Check a `.pyc` header's magic and flags; return the flags.

    `ImportError` for another version's bytecode (or no bytecode at all),
    `EOFError` for a header cut short.
    """
    magic = data[:4]
    if magic != MAGIC_NUMBER:
        message = f"bad magic number in {name!r}: {magic!r}"
        _bootstrap._verbose_message("{}", message)
        raise ImportError(message, **exc_details)
    if len(data) < 16:
        message = f"reached EOF while reading pyc header of {name!r}"
        _bootstrap._verbose_message("{}", message)
        raise EOFError(message)
    flags = _unpack_uint32(data[4:8])
    # Only the two lowest bits mean something (PEP 552).
    if flags & ~0b11:
        raise ImportError(f"invalid flags {flags!r} in {name!r}", **exc_details)
    return flags


def _validate_timestamp_pyc(data: bytes, source_mtime: int, source_size: int | None,
                            name: str, exc_details: "dict[str, Any]") -> None:
    """A timestamp-based `.pyc` is valid while the source's mtime and size (both
    modulo 2**32) are the ones in its header."""
    if _unpack_uint32(data[8:12]) != (source_mtime & 0xFFFFFFFF):
        message = f"bytecode is stale for {name!r}"
        _bootstrap._verbose_message("{}", message)
        raise ImportError(message, **exc_details)
    if source_size is not None and _unpack_uint32(data[12:16]) != (source_size & 0xFFFFFFFF):
        raise ImportError(f"bytecode is stale for {name!r}", **exc_details)


def _validate_hash_pyc(data: bytes, source_hash: bytes, name: str,
                       exc_details: "dict[str, Any]") -> None:
    """A hash-based `.pyc` is valid while the source hashes to its header's hash."""
    if data[8:16] != source_hash:
        raise ImportError(f"hash in bytecode doesn't match hash of source {name!r}",
                          **exc_details)


def _compile_bytecode(data: "Any", name: str | None = None, bytecode_path: str | None = None,
                      source_path: str | None = None) -> "CodeType":
    """The code object in a `.pyc`'s body."""
    code = marshal.loads(data)
    if isinstance(code, _code_type):
        _bootstrap._verbose_message("code object from {!r}", bytecode_path)
        if source_path is not None:
            # The code may have been compiled where the source had another path.
            _imp._fix_co_filename(code, source_path)  # type: ignore[attr-defined]
        return code
    raise ImportError(f"Non-code object in {bytecode_path!r}", name=name, path=bytecode_path)


def _code_to_timestamp_pyc(code: "CodeType", mtime: int = 0, source_size: int = 0) -> bytearray:
    """A timestamp-based `.pyc`: magic, flags 0, mtime, size, then the code."""
    data = bytearray(MAGIC_NUMBER)
    data.extend(_pack_uint32(0))
    data.extend(_pack_uint32(mtime))
    data.extend(_pack_uint32(source_size))
    data.extend(marshal.dumps(code))
    return data


def _code_to_hash_pyc(code: "CodeType", source_hash: bytes, checked: bool = True) -> bytearray:
    """A hash-based `.pyc`: magic, flags (1, plus 2 if checked), hash, then the code."""
    data = bytearray(MAGIC_NUMBER)
    flags = 0b1 | checked << 1
    data.extend(_pack_uint32(flags))
    assert len(source_hash) == 8
    data.extend(source_hash)
    data.extend(marshal.dumps(code))
    return data


def decode_source(source_bytes: bytes) -> str:
    """Source bytes as text: the PEP 263 encoding, universal newlines."""
    import tokenize  # imported on first use, through the model, as importlib does

    source_bytes_readline = _io.BytesIO(source_bytes).readline
    encoding = tokenize.detect_encoding(source_bytes_readline)
    newline_decoder = _io.IncrementalNewlineDecoder(None, True)
    text: str = newline_decoder.decode(source_bytes.decode(encoding[0]))
    return text


# -- Module specs from file locations ------------------------------------------------

_POPULATE = object()


def spec_from_file_location(name: str, location: str | None = None, *, loader: "Any" = None,
                            submodule_search_locations: "Any" = _POPULATE) -> "Any":
    """A spec for a module in a file: origin is the absolute path, and
    `has_location` is true, so `__file__` and `__cached__` are set."""
    if location is None:
        location = "<unknown>"
        if hasattr(loader, "get_filename"):
            try:
                location = loader.get_filename(name)
            except ImportError:
                pass
    else:
        location = _os.fspath(location)
        try:
            location = _path_abspath(location)
        except OSError:
            pass
    spec = _bootstrap.ModuleSpec(name, loader, origin=location)
    spec._set_fileattr = True
    if loader is None:
        for loader_class, suffixes in _get_supported_file_loaders():
            if location.endswith(tuple(suffixes)):
                loader = loader_class(name, location)
                spec.loader = loader
                break
        else:
            return None
    if submodule_search_locations is _POPULATE:
        if hasattr(loader, "is_package"):
            try:
                is_package = loader.is_package(name)
            except ImportError:
                pass
            else:
                if is_package:
                    spec.submodule_search_locations = []
    else:
        spec.submodule_search_locations = submodule_search_locations
    if spec.submodule_search_locations == [] and location:
        spec.submodule_search_locations.append(_path_split(location)[0])
    return spec


# -- Loaders -------------------------------------------------------------------------


class WindowsRegistryFinder:
    """Finds modules registered in the Windows registry: never, on POSIX."""

    @classmethod
    def find_spec(cls, fullname: str, path: object = None, target: object = None) -> None:
        """Nothing: the model knows no registry."""
        return None


class LoaderBasics:
    """What source and sourceless loaders share: packages are `__init__` files, and
    a module is executed by running its code object in the module's namespace.

    importlib calls it `_LoaderBasics` (and `zipimport` subclasses it by that name,
    which the model keeps as an alias); it is public here to be documented."""

    def is_package(self, fullname: str) -> bool:
        """A module is a package when its file is named `__init__.<suffix>`."""
        filename = _path_split(self.get_filename(fullname))[1]  # type: ignore[attr-defined]
        filename_base = filename.rsplit(".", 1)[0]
        tail_name = fullname.rpartition(".")[2]
        return bool(filename_base == "__init__" and tail_name != "__init__")

    def create_module(self, spec: "Any") -> None:
        """Nothing special: the import system makes a plain module."""

    def exec_module(self, module: "Any") -> None:
        """Run the module's code object in its `__dict__`."""
        code = self.get_code(module.__name__)  # type: ignore[attr-defined]
        if code is None:
            raise ImportError(f"cannot load module {module.__name__!r} when get_code() "
                              "returns None")
        _bootstrap._call_with_frames_removed(exec, code, module.__dict__)

    def load_module(self, fullname: str) -> "Any":
        """The deprecated PEP 302 method."""
        result: Any = _bootstrap._load_module_shim(self, fullname)
        return result


_LoaderBasics = LoaderBasics


class SourceLoader(LoaderBasics):
    """Loads a module from source, through its bytecode cache when that is valid."""

    def path_mtime(self, path: str) -> float:
        """The source's modification time (subclasses may provide only this)."""
        raise OSError

    def path_stats(self, path: str) -> "dict[str, Any]":
        """`{'mtime': ..., 'size': ...}` of the source."""
        return {"mtime": self.path_mtime(path)}

    def _cache_bytecode(self, source_path: str, cache_path: str, data: "bytes | bytearray") -> None:
        """Write the cache (`source_path` gives the file mode)."""
        return self.set_data(cache_path, data)

    def set_data(self, path: str, data: "bytes | bytearray") -> None:
        """Write bytes to a file (a loader that cannot write caches skips it)."""

    def get_source(self, fullname: str) -> str:
        """The module's source text."""
        path = self.get_filename(fullname)  # type: ignore[attr-defined]
        try:
            source_bytes = self.get_data(path)  # type: ignore[attr-defined]
        except OSError as exc:
            raise ImportError("source not available through get_data()",
                              name=fullname) from exc
        return decode_source(source_bytes)

    def source_to_code(self, data: "Any", path: str, *, _optimize: int = -1) -> "CodeType":
        """Compile source to a code object, as the interpreter itself would."""
        code: CodeType = _bootstrap._call_with_frames_removed(
            compile, data, path, "exec", dont_inherit=True, optimize=_optimize)
        return code

    def get_code(self, fullname: str) -> "CodeType":
        """The module's code object: from its `.pyc` if that is valid, else compiled
        from source (and the `.pyc` written, unless `sys.dont_write_bytecode`)."""
        source_path = self.get_filename(fullname)  # type: ignore[attr-defined]
        source_mtime = None
        source_bytes = None
        source_hash = None
        hash_based = False
        check_source = True
        try:
            bytecode_path = cache_from_source(source_path)
        except NotImplementedError:
            bytecode_path = None
        else:
            try:
                st = self.path_stats(source_path)
            except OSError:
                pass
            else:
                source_mtime = int(st["mtime"])
                try:
                    data = self.get_data(bytecode_path)  # type: ignore[attr-defined]
                except OSError:
                    _bootstrap._emit("bytecode", fullname, path=bytecode_path, state="missing")
                else:
                    exc_details = {"name": fullname, "path": bytecode_path}
                    try:
                        flags = _classify_pyc(data, fullname, exc_details)
                        bytes_data = memoryview(data)[16:]
                        hash_based = flags & 0b1 != 0
                        if hash_based:
                            check_source = flags & 0b10 != 0
                            if (_imp.check_hash_based_pycs != "never"
                                    and (check_source
                                         or _imp.check_hash_based_pycs == "always")):
                                source_bytes = self.get_data(source_path)  # type: ignore[attr-defined]
                                source_hash = _imp.source_hash(_RAW_MAGIC_NUMBER, source_bytes)
                                _validate_hash_pyc(data, source_hash, fullname, exc_details)
                        else:
                            _validate_timestamp_pyc(data, source_mtime, st["size"], fullname,
                                                    exc_details)
                    except (ImportError, EOFError) as exc:
                        _bootstrap._emit("bytecode", fullname, path=bytecode_path,
                                         state="rejected", reason=str(exc))
                    else:
                        _bootstrap._verbose_message("{} matches {}", bytecode_path, source_path)
                        _bootstrap._emit("bytecode", fullname, path=bytecode_path, state="hit",
                                         pyc="hash" if hash_based else "timestamp")
                        return _compile_bytecode(bytes_data, name=fullname,
                                                 bytecode_path=bytecode_path,
                                                 source_path=source_path)
        if source_bytes is None:
            source_bytes = self.get_data(source_path)  # type: ignore[attr-defined]
        code_object = self.source_to_code(source_bytes, source_path)
        _bootstrap._verbose_message("code object from {}", source_path)
        if (not sys.dont_write_bytecode and bytecode_path is not None
                and source_mtime is not None):
            if hash_based:
                if source_hash is None:
                    source_hash = _imp.source_hash(_RAW_MAGIC_NUMBER, source_bytes)
                data = _code_to_hash_pyc(code_object, source_hash, check_source)
            else:
                data = _code_to_timestamp_pyc(code_object, source_mtime, len(source_bytes))
            try:
                self._cache_bytecode(source_path, bytecode_path, data)
            except NotImplementedError:
                pass
        elif bytecode_path is not None:
            _bootstrap._emit("bytecode", fullname, path=bytecode_path, state="not written",
                             reason="sys.dont_write_bytecode")
        return code_object


class FileLoader:
    """Loaders of modules that are files: each instance loads one module."""

    def __init__(self, fullname: str, path: str) -> None:
        self.name = fullname
        self.path = path

    def __eq__(self, other: object) -> bool:
        return self.__class__ == other.__class__ and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(self.name) ^ hash(self.path)

    @_check_name
    def load_module(self, fullname: str) -> "Any":
        """The deprecated PEP 302 method."""
        result: Any = super().load_module(fullname)  # type: ignore[misc]
        return result

    @_check_name
    def get_filename(self, fullname: str) -> str:
        """The file the module is loaded from."""
        return self.path

    def get_data(self, path: str) -> bytes:
        """A file's bytes (source and extension files through `io.open_code`, the
        audit hook of PEP 578)."""
        if isinstance(self, (SourceLoader, ExtensionFileLoader)):
            with _io.open_code(str(path)) as file:
                data: bytes = file.read()
                return data
        with _io.FileIO(path, "r") as file:
            raw: bytes = file.read()
            return raw

    @_check_name
    def get_resource_reader(self, module: str) -> "Any":
        """importlib.resources' reader for the files beside the module."""
        from importlib.readers import FileReader

        return FileReader(self)  # type: ignore[arg-type]


class SourceFileLoader(FileLoader, SourceLoader):
    """Loads `.py` files, with their cache in `__pycache__`."""

    def path_stats(self, path: str) -> "dict[str, Any]":
        """The source's mtime and size, from `stat`."""
        st = _path_stat(path)
        return {"mtime": st.st_mtime, "size": st.st_size}

    def _cache_bytecode(self, source_path: str, bytecode_path: str,
                        data: "bytes | bytearray") -> None:
        """Write the cache with the source's permissions."""
        mode = _calc_mode(source_path)
        return self.set_data(bytecode_path, data, _mode=mode)

    def set_data(self, path: str, data: "bytes | bytearray", *,
                 _mode: int = 0o666) -> None:
        """Write a file, creating its directories; failures are not errors (a
        read-only source tree simply gets no cache)."""
        parent = _path_split(path)[0]
        path_parts = []
        while parent and not _path_isdir(parent):
            parent, part = _path_split(parent)
            path_parts.append(part)
        for part in reversed(path_parts):
            parent = _path_join(parent, part)
            try:
                _os.mkdir(parent)
            except FileExistsError:
                continue
            except OSError as exc:
                _bootstrap._verbose_message("could not create {!r}: {!r}", parent, exc)
                _bootstrap._emit("bytecode", self.name, path=path, state="not written",
                                 reason=str(exc))
                return
        try:
            _write_atomic(path, data, _mode)
            _bootstrap._verbose_message("created {!r}", path)
            _bootstrap._emit("bytecode", self.name, path=path, state="written")
        except OSError as exc:
            _bootstrap._verbose_message("could not create {!r}: {!r}", path, exc)
            _bootstrap._emit("bytecode", self.name, path=path, state="not written",
                             reason=str(exc))


class SourcelessFileLoader(FileLoader, LoaderBasics):
    """Loads a `.pyc` found where a module's source would be (no source at all)."""

    def get_code(self, fullname: str) -> "CodeType":
        """The code in the `.pyc`, whatever its timestamp: there is nothing to
        compare it with."""
        path = self.get_filename(fullname)
        data = self.get_data(path)
        exc_details = {"name": fullname, "path": path}
        _classify_pyc(data, fullname, exc_details)
        return _compile_bytecode(memoryview(data)[16:], name=fullname, bytecode_path=path)

    def get_source(self, fullname: str) -> None:
        """No source."""
        return None


class ExtensionFileLoader(FileLoader, LoaderBasics):
    """Loads extension modules (shared libraries) through `_imp`, which runs their
    `PyInit_<name>` function: for real, in the interpreter running the model."""

    def __init__(self, name: str, path: str) -> None:
        self.name = name
        self.path = path

    def __eq__(self, other: object) -> bool:
        return self.__class__ == other.__class__ and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(self.name) ^ hash(self.path)

    def create_module(self, spec: "Any") -> "Any":
        """`_imp.create_dynamic`: load the library and call its init function."""
        module: Any = _bootstrap._call_with_frames_removed(_imp.create_dynamic, spec)
        _bootstrap._verbose_message("extension module {!r} loaded from {!r}",
                                    spec.name, self.path)
        return module

    def exec_module(self, module: "Any") -> None:
        """`_imp.exec_dynamic`: run its exec slots (multi-phase init, PEP 489)."""
        _bootstrap._call_with_frames_removed(_imp.exec_dynamic, module)
        _bootstrap._verbose_message("extension module {!r} executed from {!r}",
                                    self.name, self.path)

    def is_package(self, fullname: str) -> bool:
        """An extension is a package if its file is `__init__.<extension suffix>`."""
        file_name = _path_split(self.path)[1]
        return any(file_name == "__init__" + suffix for suffix in EXTENSION_SUFFIXES)

    def get_code(self, fullname: str) -> None:
        """Extension modules have no code object."""
        return None

    def get_source(self, fullname: str) -> None:
        """Extension modules have no source."""
        return None

    @_check_name
    def get_filename(self, fullname: str) -> str:
        """The shared library."""
        return self.path


class AppleFrameworkLoader(ExtensionFileLoader):
    """Loads extension modules packaged as iOS frameworks (3.13): exported by
    `importlib.machinery` everywhere, used only on Apple's mobile platforms, which
    the model does not cover."""


class _NamespacePath:
    """The `__path__` of a namespace package (PEP 420): every directory of that name
    on the parent's path, found again whenever the parent's path changes.

    A namespace package `ns` found in two `sys.path` entries has both in its
    `__path__`; append a third entry holding an `ns` directory to `sys.path`, and
    the next look at `ns.__path__` has three.
    """

    _epoch = 0

    def __init__(self, name: str, path: "list[str]",
                 path_finder: "Callable[..., Any]") -> None:
        self._name = name
        self._path = path
        self._last_parent_path = tuple(self._get_parent_path())
        self._last_epoch = self._epoch
        self._path_finder = path_finder

    def _find_parent_path_names(self) -> "tuple[str, str]":
        """The module and attribute holding the parent path: `sys.path` for a
        top-level package, else the parent package's `__path__`."""
        parent, dot, _me = self._name.rpartition(".")
        if dot == "":
            return "sys", "path"
        return parent, "__path__"

    def _get_parent_path(self) -> "Any":
        parent_module_name, path_attr_name = self._find_parent_path_names()
        return getattr(sys.modules[parent_module_name], path_attr_name)

    def _recalculate(self) -> "list[str]":
        """The portions, searched again if the parent path or the finders' caches
        (`importlib.invalidate_caches()`) changed since the last look."""
        parent_path = tuple(self._get_parent_path())
        if parent_path != self._last_parent_path or self._epoch != self._last_epoch:
            spec = self._path_finder(self._name, parent_path)
            # A spec with a loader means a regular package now shadows the
            # namespace: keep the path as it is.
            if spec is not None and spec.loader is None and spec.submodule_search_locations:
                self._path = spec.submodule_search_locations
                _bootstrap._emit("namespace", self._name, path=list(self._path))
            self._last_parent_path = parent_path
            self._last_epoch = self._epoch
        return self._path

    def __iter__(self) -> "Iterator[str]":
        return iter(self._recalculate())

    def __getitem__(self, index: int) -> str:
        return self._recalculate()[index]

    def __setitem__(self, index: int, path: str) -> None:
        self._path[index] = path

    def __len__(self) -> int:
        return len(self._recalculate())

    def __repr__(self) -> str:
        return f"_NamespacePath({self._path!r})"

    def __contains__(self, item: object) -> bool:
        return item in self._recalculate()

    def append(self, item: str) -> None:
        """Add a portion by hand."""
        self._path.append(item)


class NamespaceLoader:
    """The loader of namespace packages: there is nothing to run."""

    def __init__(self, name: str, path: "list[str]", path_finder: "Callable[..., Any]") -> None:
        self._path = _NamespacePath(name, path, path_finder)

    def is_package(self, fullname: str) -> bool:
        """Always a package."""
        return True

    def get_source(self, fullname: str) -> str:
        """Empty source."""
        return ""

    def get_code(self, fullname: str) -> "CodeType":
        """An empty code object."""
        return compile("", "<string>", "exec", dont_inherit=True)

    def create_module(self, spec: "Any") -> None:
        """A plain module."""

    def exec_module(self, module: "Any") -> None:
        """Nothing to do."""

    def load_module(self, fullname: str) -> "Any":
        """The deprecated PEP 302 method."""
        _bootstrap._verbose_message("namespace module loaded with path {!r}", self._path)
        result: Any = _bootstrap._load_module_shim(self, fullname)
        return result

    def get_resource_reader(self, module: str) -> "Any":
        """importlib.resources' reader over every portion."""
        from importlib.readers import NamespaceReader

        return NamespaceReader(self._path)


# The name importlib.machinery used before 3.11 made it public.
_NamespaceLoader = NamespaceLoader


# -- Finders -----------------------------------------------------------------------


def _find_module_shim(self: "Any", fullname: str) -> object:
    """The deprecated `find_module` of path entry finders (3.11 and before)."""
    _warnings.warn("find_module() is deprecated and slated for removal in Python 3.12; "
                   "use find_spec() instead", DeprecationWarning)
    spec = self.find_spec(fullname)
    if spec is None:
        return None
    if spec.loader is None and spec.submodule_search_locations:
        _warnings.warn(f"Not importing directory {spec.submodule_search_locations[0]}: "
                       "missing __init__", ImportWarning)
    return spec.loader


class PathFinder:
    """The meta path finder for `sys.path` and packages' `__path__`.

    For each path entry it asks the entry's finder (a {py:class}`FileFinder` for a
    directory, a `zipimporter` for a zip archive) and returns the first spec with a
    loader.  Directories without `__init__.py` found on the way are remembered;
    if nothing else is found they become one namespace package.
    """

    @staticmethod
    def invalidate_caches() -> None:
        """Forget finders for relative entries, and refresh the others' caches."""
        for name, finder in list(sys.path_importer_cache.items()):
            # Relative entries would resolve against a changed working directory.
            if finder is None or not _path_isabs(name):
                del sys.path_importer_cache[name]
            elif hasattr(finder, "invalidate_caches"):
                finder.invalidate_caches()
        # Namespace packages search their path again on their next use.
        _NamespacePath._epoch += 1

    @staticmethod
    def _path_hooks(path: str) -> "Any":
        """The first finder a hook on `sys.path_hooks` makes for `path`, or `None`."""
        if sys.path_hooks is not None and not sys.path_hooks:
            _warnings.warn("sys.path_hooks is empty", ImportWarning)
        for hook in sys.path_hooks:
            try:
                finder: Any = hook(path)
            except ImportError:
                continue
            return finder
        return None

    @classmethod
    def _path_importer_cache(cls, path: str) -> "Any":
        """The finder of path entry `path`, from `sys.path_importer_cache` or made by
        the path hooks (and then cached, `None` included).  `''` is the current
        directory."""
        if path == "":
            try:
                path = _os.getcwd()
            except FileNotFoundError:
                # The current directory was deleted.
                return None
        try:
            finder = sys.path_importer_cache[path]
        except KeyError:
            finder = cls._path_hooks(path)
            sys.path_importer_cache[path] = finder
            _bootstrap._emit("path-entry", path, finder=repr(finder), cache="miss")
        else:
            _bootstrap._emit("path-entry", path, finder=repr(finder), cache="hit")
        return finder

    @classmethod
    def _legacy_get_spec(cls, fullname: str, finder: "Any") -> "Any":
        """A path entry finder without `find_spec` (3.4 to 3.11)."""
        if hasattr(finder, "find_loader"):
            _warnings.warn(f"{_bootstrap._object_name(finder)}.find_spec() not found; "
                           "falling back to find_loader()", ImportWarning)
            loader, portions = finder.find_loader(fullname)
        else:
            _warnings.warn(f"{_bootstrap._object_name(finder)}.find_spec() not found; "
                           "falling back to find_module()", ImportWarning)
            loader = finder.find_module(fullname)
            portions = []
        if loader is not None:
            return _bootstrap.spec_from_loader(fullname, loader)
        spec = _bootstrap.ModuleSpec(fullname, None)
        spec.submodule_search_locations = portions
        return spec

    @classmethod
    def _get_spec(cls, fullname: str, path: "Any", target: object = None) -> "Any":
        """The first spec with a loader along `path`; else a namespace spec listing
        every portion found."""
        namespace_path: list[str] = []
        for entry in path:
            if not isinstance(entry, str):
                continue
            finder = cls._path_importer_cache(entry)
            if finder is None:
                continue
            if hasattr(finder, "find_spec"):
                spec = finder.find_spec(fullname, target)
            elif _bootstrap._profile.legacy_finder_fallback:
                spec = cls._legacy_get_spec(fullname, finder)
            else:
                continue
            if spec is None:
                continue
            if spec.loader is not None:
                return spec
            portions = spec.submodule_search_locations
            if portions is None:
                raise ImportError("spec missing loader")
            # A namespace portion: keep looking for a regular package or module.
            namespace_path.extend(portions)
        spec = _bootstrap.ModuleSpec(fullname, None)
        spec.submodule_search_locations = namespace_path
        return spec

    @classmethod
    def find_spec(cls, fullname: str, path: "Any" = None, target: object = None) -> "Any":
        """The spec of `fullname` along `path` (default `sys.path`), or `None`."""
        if path is None:
            path = sys.path
        spec = cls._get_spec(fullname, path, target)
        if spec is None:
            return None
        if spec.loader is None:
            namespace_path = spec.submodule_search_locations
            if not namespace_path:
                return None
            # PEP 420: the portions found become the namespace package's __path__.
            spec.origin = None
            spec.submodule_search_locations = _NamespacePath(fullname, namespace_path,
                                                             cls._get_spec)
            return spec
        return spec

    @classmethod
    def find_module(cls, fullname: str, path: "Any" = None) -> object:
        """The deprecated PEP 302 method (removed in 3.12)."""
        _warnings.warn("PathFinder.find_module() is deprecated and slated for removal in "
                       "Python 3.12; use find_spec() instead", DeprecationWarning)
        spec = cls.find_spec(fullname, path)
        return None if spec is None else spec.loader

    @staticmethod
    def find_distributions(*args: object, **kwargs: object) -> "Any":
        """importlib.metadata's distributions along a path."""
        from importlib.metadata import MetadataPathFinder

        return MetadataPathFinder.find_distributions(*args, **kwargs)  # type: ignore[arg-type]


class FileFinder:
    """Finds modules in one directory.

    It lists the directory once and keeps the names (`_path_cache`), listing it
    again only when the directory's mtime changes; a module is then found with no
    `stat` calls for the names that are not there.  Each name is tried with every
    suffix in `_loaders` order: extension suffixes, `.py`, `.pyc`; a directory with
    an `__init__` file is a package and wins over a module of the same name; a
    directory without one is a possible namespace portion.
    """

    def __init__(self, path: str, *loader_details: "tuple[Any, list[str]]") -> None:
        loaders: list[tuple[str, Any]] = []
        for loader, suffixes in loader_details:
            loaders.extend((suffix, loader) for suffix in suffixes)
        self._loaders = loaders
        if not path or path == ".":
            self.path = _os.getcwd()
        else:
            self.path = _path_abspath(path)
        self._path_mtime: float = -1
        self._path_cache: set[str] = set()
        self._relaxed_path_cache: set[str] = set()

    def invalidate_caches(self) -> None:
        """List the directory again on the next search."""
        self._path_mtime = -1

    def _get_spec(self, loader_class: "Any", fullname: str, path: str,
                  smsl: "list[str] | None", target: object) -> "Any":
        loader = loader_class(fullname, path)
        return spec_from_file_location(fullname, path, loader=loader,
                                       submodule_search_locations=smsl)

    def find_spec(self, fullname: str, target: object = None) -> "Any":
        """The spec of `fullname`'s last part in this directory, or `None`."""
        is_namespace = False
        tail_module = fullname.rpartition(".")[2]
        try:
            mtime = _path_stat(self.path or _os.getcwd()).st_mtime
        except OSError:
            mtime = -1
        if mtime != self._path_mtime:
            self._fill_cache()
            self._path_mtime = mtime
        cache = self._path_cache
        cache_module = tail_module
        base_path = _path_join(self.path, tail_module)
        # A package: a directory holding __init__ with one of the suffixes.
        if cache_module in cache:
            for suffix, loader_class in self._loaders:
                init_filename = "__init__" + suffix
                full_path = _path_join(base_path, init_filename)
                if _path_isfile(full_path):
                    _bootstrap._emit("file", fullname, directory=self.path, found=full_path,
                                     loader=loader_class.__name__)
                    return self._get_spec(loader_class, fullname, full_path, [base_path],
                                          target)
            is_namespace = _path_isdir(base_path)
        # A module: the name with one of the suffixes.
        for suffix, loader_class in self._loaders:
            try:
                full_path = _path_join(self.path, tail_module + suffix)
            except ValueError:
                return None
            _bootstrap._verbose_message("trying {}", full_path, verbosity=2)
            if cache_module + suffix in cache and _path_isfile(full_path):
                _bootstrap._emit("file", fullname, directory=self.path, found=full_path,
                                 loader=loader_class.__name__)
                return self._get_spec(loader_class, fullname, full_path, None, target)
        if is_namespace:
            _bootstrap._verbose_message("possible namespace for {}", base_path)
            _bootstrap._emit("file", fullname, directory=self.path, found=base_path,
                             loader="namespace portion")
            spec = _bootstrap.ModuleSpec(fullname, None)
            spec.submodule_search_locations = [base_path]
            return spec
        return None

    def _fill_cache(self) -> None:
        """List the directory into `_path_cache`."""
        path = self.path
        try:
            contents = _os.listdir(path or _os.getcwd())
        except (FileNotFoundError, PermissionError, NotADirectoryError):
            # The directory vanished or cannot be read: it holds nothing.
            contents = []
        self._path_cache = set(contents)

    # The deprecated PEP 302 methods (3.11 and before).
    find_module = _find_module_shim

    def find_loader(self, fullname: str) -> "tuple[Any, list[str]]":
        """The deprecated `(loader, portions)` finder method."""
        _warnings.warn("FileFinder.find_loader() is deprecated and slated for removal in "
                       "Python 3.12; use find_spec() instead", DeprecationWarning)
        spec = self.find_spec(fullname)
        if spec is None:
            return None, []
        return spec.loader, spec.submodule_search_locations or []

    @classmethod
    def path_hook(cls, *loader_details: "tuple[Any, list[str]]") -> "Callable[[str], Any]":
        """A path hook (for `sys.path_hooks`) making a finder for each directory;
        anything else is refused with `ImportError`."""
        def path_hook_for_FileFinder(path: str) -> "FileFinder":
            if not _path_isdir(path):
                raise ImportError("only directories are supported", path=path)
            return cls(path, *loader_details)
        return path_hook_for_FileFinder

    def __repr__(self) -> str:
        return f"FileFinder({self.path!r})"


# -- Setting up ---------------------------------------------------------------------


def _fix_up_module(ns: "dict[str, Any]", name: str, pathname: str,
                   cpathname: str | None = None) -> None:
    """Give a module run by hand (`runpy`, the C API) a spec and a loader."""
    loader = ns.get("__loader__")
    spec = ns.get("__spec__")
    if not loader:
        if spec:
            loader = spec.loader
        elif pathname == cpathname:
            loader = SourcelessFileLoader(name, pathname)
        else:
            loader = SourceFileLoader(name, pathname)
    if not spec:
        spec = spec_from_file_location(name, pathname, loader=loader)
        if cpathname:
            spec.cached = _path_abspath(cpathname)
    try:
        ns["__spec__"] = spec
        ns["__loader__"] = loader
        ns["__file__"] = pathname
        ns["__cached__"] = cpathname
    except Exception:  # importlib ignores a namespace that refuses the attributes
        pass


def _get_supported_file_loaders() -> "list[tuple[Any, list[str]]]":
    """The file loaders and their suffixes, in the order a directory is searched."""
    extensions = ExtensionFileLoader, _imp.extension_suffixes()
    source = SourceFileLoader, SOURCE_SUFFIXES
    bytecode = SourcelessFileLoader, BYTECODE_SUFFIXES
    return [extensions, source, bytecode]


def _set_bootstrap_module(_bootstrap_module: "Any") -> None:
    global _bootstrap  # noqa: PLW0603
    _bootstrap = _bootstrap_module


def _install(_bootstrap_module: "Any") -> None:
    """Install the path-based finder: a path hook for directories, and
    `PathFinder` at the end of `sys.meta_path`."""
    _set_bootstrap_module(_bootstrap_module)
    supported_loaders = _get_supported_file_loaders()
    sys.path_hooks.extend([FileFinder.path_hook(*supported_loaders)])
    sys.meta_path.append(PathFinder)
