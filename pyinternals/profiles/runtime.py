"""Start-up: the command line, the path calculation, `site`, the initialization steps.

What differs between versions when an interpreter starts:

- **The command line.**  2.x's `Py_Main` (`Modules/main.c`) reads the options straight
  into global flags; 3.8+ reads them into a `PyConfig` (`Python/initconfig.c`).  The
  option letters differ (`-3`, `-Q`, `-t`, `-U` went away; `-I`, `-P`, `-q`, `-X` came),
  and so do the long options and `sys.flags`.
- **The path calculation.**  2.x searches for the landmark `lib/python2.7/os.py` with
  C code (`Modules/getpath.c`); 3.11+ runs a Python script frozen into the binary
  (`Modules/getpath.py`) that also reads `pyvenv.cfg`.
- **`site`.**  What `Lib/site.py` adds: site-packages folders, the user site, `.pth`
  files, and (3.3+) the virtual environment's prefix switch.
- **The initialization steps**, in the order `Py_InitializeEx` (2.x) or
  `Py_InitializeFromConfig` (3.x) runs them.

```python
>>> from pyinternals.profiles import runtime
>>> runtime.get("2.7").zip_landmark, runtime.expand(runtime.get("3.12").zip_landmark)
('lib/python27.zip', 'lib/python312.zip')
>>> runtime.get("3.11").flags_fields[-2:]
('safe_path', 'int_max_str_digits')

```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pyinternals.profiles import resolve


@dataclass(frozen=True)
class Step:
    """One step of interpreter initialization: the C function and what it does."""

    #: The C function (or the part of one) that does the step.
    function: str
    #: What it does, in a few words.
    does: str
    #: The model's name for the step (`pyinternals.runtime.pylifecycle` runs it).
    key: str


@dataclass(frozen=True)
class RuntimeProfile:
    """What one CPython version does when it starts."""

    #: `"X.Y"`.
    version: str
    # -- The command line ------------------------------------------------------------
    #: `"Py_Main"`: 2.x parses options into global flags in `Modules/main.c`;
    #: `"PyConfig"`: 3.8+ parses them into a `PyConfig` in `Python/initconfig.c`.
    configuration: Literal["Py_Main", "PyConfig"]
    #: The option string handed to `_PyOS_GetOpt` (`:` after a letter: takes a value).
    short_options: str
    #: Long options (`--name`) and whether each takes a value; `None` when
    #: `_PyOS_GetOpt` knows none besides `--help` and `--version` (2.x).
    long_options: tuple[tuple[str, bool], ...] | None
    #: Letters refused with a message of their own (`-J` is reserved for Jython).
    reserved_options: tuple[tuple[str, str], ...]
    #: The fields of `sys.flags`, in order.
    flags_fields: tuple[str, ...]
    #: Flags shown as 0 or 1 however often their option is repeated (3.13 made these
    #: `PyConfig` members booleans: `-dd` gives `sys.flags.debug == 1`).
    boolean_flags: frozenset[str]
    #: `sys.flags.int_max_str_digits` when nothing sets it (3.11.x shows -1, the
    #: "not set" marker; 3.12+ show the default limit).  `None`: no such flag.
    int_max_str_digits_default: int | None
    # -- The path calculation -------------------------------------------------------
    #: `"getpath.c"` (2.x: landmark search in C) or `"getpath.py"` (3.11+).
    path_algorithm: Literal["getpath.c", "getpath.py"]
    #: The standard library's folder below a prefix.  `{platlibdir}` stands for
    #: `sys.platlibdir` (`lib`, or PYTHONPLATLIBDIR) in this and the next fields.
    stdlib_subdir: str
    #: The file whose presence marks the standard library's folder.
    landmarks: tuple[str, ...]
    #: The folder of extension modules below a prefix (the exec_prefix landmark).
    platstdlib_landmark: str
    #: The zip archive of the standard library, first on the default path.
    zip_landmark: str
    #: The name of the virtual environment's configuration file, or `None` (2.x).
    venv_landmark: str | None
    #: What `-m` puts first on `sys.path`: `""` (2.x) or the current folder (3.x).
    module_path0: Literal["", "cwd"]
    #: Whether the error for a missing script names its absolute path (3.x).
    script_error_abspath: bool
    # -- site ------------------------------------------------------------------------------
    #: Folders below each prefix that `site` adds when they exist (3.x adds the `lib`
    #: form too when `sys.platlibdir` is something else).
    site_packages: tuple[str, ...]
    #: The user site below the user base (`~/.local`).
    user_site_subdir: str
    #: `addsitedir` records the folder it adds as known (3.x), so that a `.pth` line
    #: naming it again adds nothing.  2.7 forgets to: a blank line in a `.pth` file
    #: appends the site folder a second time.
    site_records_sitedir: bool
    #: `addpackage` skips blank lines of `.pth` files (3.x).
    pth_skips_blank_lines: bool
    #: `addsitedir` ignores `.pth` files whose names start with a dot (3.13+).
    pth_skips_dotfiles: bool
    # -- Initialization and running --------------------------------------------------------
    #: The steps of interpreter initialization, in order.
    startup_steps: tuple[Step, ...]
    #: Standard library modules that 3.11+ freezes into the binary and imports at
    #: start-up without reading their source (they still get `__file__`).
    frozen_modules: frozenset[str]
    #: How start-up fails when `encodings` cannot be imported (PYTHONHOME pointing
    #: nowhere): the C function named in the fatal error (`""`: none) and its message.
    encodings_error: tuple[str, str]
    #: 3.11 and 3.12 print the path configuration (`_Py_DumpPathConfig`) first.
    dumps_path_config: bool
    #: Modules that running a `-c` command imports before the command runs (3.13
    #: registers the source with `linecache` so that tracebacks can show it).
    run_command_imports: tuple[str, ...]
    #: The source of `-c` commands and interactive input is registered with
    #: `linecache`, so that tracebacks quote it (3.13+).
    tracebacks_quote_string_source: bool


_STEPS_27 = (
    Step("Py_InitializeEx", "read PYTHONDEBUG, PYTHONVERBOSE, ... into the flags", "env_flags"),
    Step("PyInterpreterState_New", "create the interpreter state, add it to interp_head",
         "interpreter"),
    Step("PyThreadState_New", "create the main thread state", "thread"),
    Step("PyThreadState_Swap", "make it the current thread state", "swap"),
    Step("_PyBuiltin_Init", "create __builtin__; interp->builtins is its dict", "builtins"),
    Step("_PySys_Init", "create sys (its prefixes ask Modules/getpath.c); interp->sysdict "
         "is its dict", "sys"),
    Step('_PyImport_FixupExtension("sys")', "keep a copy of sys's dict in extensions",
         "fixup_sys"),
    Step("PySys_SetPath(Py_GetPath())", "compute prefix, exec_prefix and sys.path", "path"),
    Step("_PyImport_Init", "sys.modules = interp->modules; the import machinery",
         "import_core"),
    Step("_PyExc_Init", "create the built-in exceptions (the exceptions module)",
         "exceptions"),
    Step("_PyImport_FixupExtension", "keep copies of the exceptions and __builtin__ modules",
         "fixup"),
    Step("_PyImportHooks_Init", "sys.meta_path, sys.path_hooks (zipimporter), "
         "sys.path_importer_cache", "import_hooks"),
    Step("initsigs", "the signal module (PyOS_InitInterrupts), a copy kept in extensions",
         "signal"),
    Step("_PyWarnings_Init", "the _warnings module", "warnings"),
    Step("initmain", "create __main__ and put it in sys.modules", "main"),
    Step("initsite", "import site (unless -S)", "site"),
    Step("PySys_SetArgv", "Py_Main, once Py_Initialize returned: sys.argv and sys.path[0]",
         "argv"),
)

_STEPS_3 = (
    Step("PyConfig_Read", "read the command line and the environment into PyConfig",
         "env_flags"),
    Step("PyInterpreterState_New", "create the main interpreter state in interp_head",
         "interpreter"),
    Step("PyThreadState_New", "create the main thread state", "thread"),
    Step("PyThreadState_Swap", "make it the current thread state", "swap"),
    Step("_PySys_Create", "create sys and sys.modules; interp->sysdict", "sys"),
    Step("pycore_init_builtins", "create builtins with the built-in exceptions; "
         "interp->builtins", "builtins"),
    Step("init_importlib", "_frozen_importlib installed: builtin and frozen imports",
         "import_core"),
    Step("_PyConfig_InitPathConfig", "compute prefix, exec_prefix and sys.path "
         "(Modules/getpath.py)", "path"),
    Step("init_importlib_external", "_frozen_importlib_external and zipimport: "
         "imports from files", "import_external"),
    Step("_PyUnicode_InitEncodings", "import encodings: the filesystem and stdio codecs",
         "encodings"),
    Step("_PySignal_Init", "import _signal, install the SIGINT handler", "signal"),
    Step("init_sys_streams", "import io: sys.stdin, sys.stdout, sys.stderr", "streams"),
    Step("add_main_module", "create __main__ and put it in sys.modules", "main"),
    Step("init_import_site", "import site (unless -S)", "site"),
)

# `_PyOS_GetOpt`'s option strings (Python/getopt.c, Modules/main.c).
_OPTIONS_27 = "3bBc:dEhiJm:OQ:RsStuUvVW:xX?"
_OPTIONS_3 = "bBc:dEhiIJm:OPqRsStuvVW:xX:?"
_LONG_3 = (("check-hash-based-pycs", True), ("help-all", False), ("help-env", False),
           ("help-xoptions", False))

_FLAGS_27 = ("debug", "py3k_warning", "division_warning", "division_new", "inspect",
             "interactive", "optimize", "dont_write_bytecode", "no_user_site", "no_site",
             "ignore_environment", "tabcheck", "verbose", "unicode", "bytes_warning",
             "hash_randomization")
_FLAGS_3 = ("debug", "inspect", "interactive", "optimize", "dont_write_bytecode",
            "no_user_site", "no_site", "ignore_environment", "verbose", "bytes_warning",
            "quiet", "hash_randomization", "isolated", "dev_mode", "utf8_mode",
            "warn_default_encoding", "safe_path", "int_max_str_digits")

_FROZEN_3 = frozenset({
    "_frozen_importlib", "_frozen_importlib_external", "zipimport", "abc", "codecs",
    "io", "_collections_abc", "_sitebuiltins", "genericpath", "ntpath", "posixpath",
    "os", "site", "stat", "runpy",
})


def _profile_3(minor: int, *, int_max: int) -> RuntimeProfile:
    v = f"3.{minor}"
    return RuntimeProfile(
        version=v,
        configuration="PyConfig",
        short_options=_OPTIONS_3,
        long_options=_LONG_3,
        reserved_options=(("J", "-J is reserved for Jython"),),
        flags_fields=_FLAGS_3,
        boolean_flags=(frozenset({"debug", "inspect", "interactive", "quiet"}) if minor >= 13
                       else frozenset()),
        int_max_str_digits_default=int_max,
        path_algorithm="getpath.py",
        stdlib_subdir=f"{{platlibdir}}/python{v}",
        landmarks=("os.py", "os.pyc"),
        platstdlib_landmark=f"{{platlibdir}}/python{v}/lib-dynload",
        zip_landmark=f"{{platlibdir}}/python3{minor}.zip",
        venv_landmark="pyvenv.cfg",
        module_path0="cwd",
        script_error_abspath=True,
        site_packages=(f"{{platlibdir}}/python{v}/site-packages",),
        user_site_subdir=f"lib/python{v}/site-packages",
        site_records_sitedir=True,
        pth_skips_blank_lines=True,
        pth_skips_dotfiles=minor >= 13,
        startup_steps=_STEPS_3,
        frozen_modules=_FROZEN_3,
        encodings_error=(("", "Failed to import encodings module") if minor >= 13 else
                         ("init_fs_encoding", "failed to get the Python codec of the "
                          "filesystem encoding")),
        dumps_path_config=minor < 13,
        run_command_imports=("linecache",) if minor >= 13 else (),
        tracebacks_quote_string_source=minor >= 13,
    )


PROFILES: dict[str, RuntimeProfile] = {
    "2.7": RuntimeProfile(
        version="2.7",
        configuration="Py_Main",
        short_options=_OPTIONS_27,
        long_options=None,
        reserved_options=(("J", "-J is reserved for Jython"),
                          ("X", "-X is reserved for implementation-specific arguments")),
        flags_fields=_FLAGS_27,
        boolean_flags=frozenset(),
        int_max_str_digits_default=None,
        path_algorithm="getpath.c",
        stdlib_subdir="lib/python2.7",
        landmarks=("os.py", "os.pyc"),
        platstdlib_landmark="lib/python2.7/lib-dynload",
        zip_landmark="lib/python27.zip",
        venv_landmark=None,
        module_path0="",
        script_error_abspath=False,
        site_packages=("lib/python2.7/site-packages", "lib/site-python"),
        user_site_subdir="lib/python2.7/site-packages",
        site_records_sitedir=False,
        pth_skips_blank_lines=False,
        pth_skips_dotfiles=False,
        startup_steps=_STEPS_27,
        frozen_modules=frozenset(),
        encodings_error=("", "ImportError: No module named site"),
        dumps_path_config=False,
        run_command_imports=(),
        tracebacks_quote_string_source=False,
    ),
    "3.11": _profile_3(11, int_max=-1),
    "3.12": _profile_3(12, int_max=4300),
    "3.13": _profile_3(13, int_max=4300),
}


def expand(template: str, platlibdir: str = "lib") -> str:
    """A profile path with `{platlibdir}` filled in."""
    return template.replace("{platlibdir}", platlibdir)


def get(name: str | None = None) -> RuntimeProfile:
    """The start-up profile of version `name` (default: the running interpreter's)."""
    return resolve(name, PROFILES, what="runtime")
