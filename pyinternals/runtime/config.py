"""The command line and the environment, read the way CPython reads them.

Before an interpreter exists, CPython reads what it was asked to do: the options of
its command line, then the `PYTHON*` environment variables.  3.8+ collects the
answers in a `PyConfig` (`Python/initconfig.c`, with `Python/preconfig.c` for the
options needed before anything else: `-E`, `-I`, `-X utf8`, `-X dev`).  2.x's
`Py_Main` (`Modules/main.c`) set global variables instead (`Py_NoSiteFlag`,
`Py_VerboseFlag`, ...), and `Py_InitializeEx` added the environment's.

The model reads into one {py:class}`PyConfig` for both eras, with 3.x's field names;
for 2.x it also keeps the global flags by their C names (`PyConfig.globals`), which
map onto those fields (`Py_NoSiteFlag` is `not site_import`,
`Py_DontWriteBytecodeFlag` is `not write_bytecode`, ...) and hold 2.x's own options
(`-3`, `-Q`, `-t`, `-U`).  {py:func}`read_config` is the
whole reading; {py:func}`sys_flags` turns a configuration into the `sys.flags` the
real interpreter would show.  The page {doc}`/runtime` walks through them.

```python
>>> config = read_config(["python", "-S", "-c", "pass", "x"], {}, profile="3.12")
>>> config.run_command, config.argv, config.site_import
('pass\\n', ['-c', 'x'], 0)
>>> sys_flags(config, "3.12").no_site
1

```

A command line the real interpreter refuses raises
{py:class}`~pyinternals.runtime.status.UsageError` with the
real message and exit status 2; `-h` and `--version` raise
{py:class}`~pyinternals.runtime.status.PyStatusExit` with status 0.
"""

from __future__ import annotations

import posixpath
import re
import signal
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyinternals import profiles
from pyinternals.profiles.runtime import RuntimeProfile
from pyinternals.runtime.status import InitError, PyStatusExit, UsageError

__all__ = [
    "GetOpt",
    "PyConfig",
    "SysFlags",
    "UsageError",
    "read_config",
    "sys_flags",
]

#: `_PY_LONG_MAX_STR_DIGITS_THRESHOLD`: the smallest limit `-X int_max_str_digits` takes.
MAX_STR_DIGITS_THRESHOLD = 640
#: `MAX_HASH_SEED`: PYTHONHASHSEED's largest value.
MAX_HASH_SEED = 4294967295


# -- _PyOS_GetOpt ------------------------------------------------------------------


class GetOpt:
    """`_PyOS_GetOpt` (`Python/getopt.c`): options one letter at a time.

    Letters may be grouped (`-Sc pass`) and a value may be glued to its letter
    (`-Wignore`).  A lone `-` or a word not starting with `-` ends the options; `--`
    ends them and is consumed.  `--help` and `--version` are recognized in both eras;
    3.x also reads the profile's long options.  Errors go to `errors` (the
    text C prints to stderr) and return `"_"`, as in C; `opterr = False` silences
    them (2.x's first pass over the options does that).
    """

    def __init__(self, argv: Sequence[str], profile: RuntimeProfile, *,
                 opterr: bool = True) -> None:
        self.argv = list(argv)
        self.profile = profile
        self.opterr = opterr
        #: `_PyOS_optind`: the next word of argv to read.
        self.optind = 1
        #: `_PyOS_optarg`: the value of the last option that takes one.
        self.optarg: str | None = None
        #: Index of the long option returned (its position in the profile's list).
        self.longindex = -1
        self.errors: list[str] = []
        self._opt_ptr = ""

    def _error(self, text: str) -> str:
        if self.opterr:
            self.errors.append(text)
        return "_"

    def __iter__(self) -> Iterator[str]:
        while (option := self.next()) is not None:
            yield option

    def next(self) -> str | None:
        """The next option letter (`"--name"` for a long option), `None` at the end.

        A letter found in the option string is returned even when no option has that
        letter (`-:` gives `":"`): the caller's switch then rejects it, as C's does.
        """
        argv = self.argv
        if not self._opt_ptr:
            if self.optind >= len(argv):
                return None
            word = argv[self.optind]
            if not word.startswith("-") or word == "-":
                return None
            if word == "--":
                self.optind += 1
                return None
            if word == "--help":
                self.optind += 1
                return "h"
            if word == "--version":
                self.optind += 1
                return "V"
            self._opt_ptr = word[1:]
            self.optind += 1
        option, self._opt_ptr = self._opt_ptr[0], self._opt_ptr[1:]
        if option == "-" and self.profile.long_options is not None:
            return self._long_option()
        for letter, message in self.profile.reserved_options:
            if option == letter:
                return self._error(message)
        spec = self.profile.short_options
        where = spec.find(option)
        if where < 0:
            return self._error(f"Unknown option: -{option}")
        if spec[where + 1: where + 2] == ":":
            if self._opt_ptr:
                self.optarg, self._opt_ptr = self._opt_ptr, ""
            elif self.optind >= len(argv):
                return self._error(f"Argument expected for the -{option} option")
            else:
                self.optarg = argv[self.optind]
                self.optind += 1
        return option

    def _long_option(self) -> str | None:
        assert self.profile.long_options is not None
        name, self._opt_ptr = self._opt_ptr, ""
        word = self.argv[self.optind - 1]
        if not name:
            # A "-" at the end of a group (`-S-`): C prints "expected long option" and
            # returns -1, which ends the options; the next word is the script.
            self.errors.append("expected long option")
            return None
        for index, (known, has_arg) in enumerate(self.profile.long_options):
            if known == name:
                self.longindex = index
                if not has_arg:
                    return "--" + name
                if self.optind >= len(self.argv):
                    return self._error(f"Argument expected for the {word} options")
                self.optarg = self.argv[self.optind]
                self.optind += 1
                return "--" + name
        return self._error(f"unknown option {word}")


# -- PyConfig ------------------------------------------------------------------------


@dataclass
class PyConfig:
    """What the interpreter was asked to do (`PyConfig`, `Include/cpython/initconfig.h`).

    Field names are 3.x's; 2.x's global flags map onto them.  Integer fields count
    (`-vv` makes `verbose` 2), as in C.
    """

    #: The command line as given, program name first (`orig_argv`).
    orig_argv: list[str]
    #: The profile key of the version that read it.
    version: str
    #: What becomes `sys.argv`.
    argv: list[str] = field(default_factory=list)
    isolated: int = 0
    use_environment: int = 1
    dev_mode: int = 0
    utf8_mode: int = 0
    site_import: int = 1
    user_site_directory: int = 1
    write_bytecode: int = 1
    verbose: int = 0
    quiet: int = 0
    inspect: int = 0
    interactive: int = 0
    optimization_level: int = 0
    parser_debug: int = 0
    bytes_warning: int = 0
    safe_path: int = 0
    buffered_stdio: int = 1
    warn_default_encoding: int = 0
    #: -1 until something sets it.
    int_max_str_digits: int = -1
    #: -1: not decided yet; 0: random hashes; 1: `hash_seed` (PYTHONHASHSEED=N).
    use_hash_seed: int = -1
    hash_seed: int = 0
    import_time: int = 0
    skip_source_first_line: int = 0
    check_hash_pycs_mode: str = "default"
    use_frozen_modules: int = 1
    warnoptions: list[str] = field(default_factory=list)
    #: `-X` options, in order (`sys._xoptions`).
    xoptions: list[str] = field(default_factory=list)
    #: `PYTHONPATH`, when the environment may be read.
    pythonpath_env: str | None = None
    #: `PYTHONPLATLIBDIR`.
    platlibdir: str | None = None
    pycache_prefix: str | None = None
    run_command: str | None = None
    run_module: str | None = None
    run_filename: str | None = None
    #: Print "Could not find platform independent libraries" and the like.
    pathconfig_warnings: int = 1
    #: 2.x only: `Py_Main`'s global flags by their C names (`Py_NoSiteFlag`, ...).
    #: 2.x counted every repeated option (`-SS` gives `sys.flags.no_site == 2`).
    globals: dict[str, int] = field(default_factory=dict)

    @property
    def program_name(self) -> str:
        """`argv[0]` of the command line: what error messages call the program."""
        return self.orig_argv[0] if self.orig_argv else ""

    @property
    def profile(self) -> RuntimeProfile:
        """The start-up profile of the version that read this configuration."""
        return profiles.runtime.get(self.version)


# -- The environment ----------------------------------------------------------------


def _getenv(config: PyConfig, env: Mapping[str, str], name: str) -> str | None:
    """`config_get_env` / `Py_GETENV`: `None` under `-E` or when unset or empty."""
    if not config.use_environment:
        return None
    value = env.get(name)
    return value if value else None


def _str_to_int(text: str) -> int | None:
    """`_Py_str_to_int`: a whole C `long` in base 10, else `None`."""
    match = re.fullmatch(r"\s*[+-]?\d+", text)
    if not match:
        return None
    value = int(text)
    return value if -(2**31) <= value < 2**31 else None


def _get_env_flag(config: PyConfig, env: Mapping[str, str], name: str, current: int) -> int:
    """`_Py_get_env_flag` (3.x): a number raises the flag to it; other text means 1."""
    text = _getenv(config, env, name)
    if text is None:
        return current
    value = _str_to_int(text)
    if value is None or value < 0:
        value = 1  # PYTHONDEBUG=text and PYTHONDEBUG=-2 behave as PYTHONDEBUG=1
    return max(current, value)


def _add_flag(flag: int, text: str) -> int:
    """`add_flag` (2.x `pythonrun.c`): `atoi` of the value, at least 1."""
    match = re.match(r"\s*([+-]?\d+)", text)
    value = int(match.group(1)) if match else 0
    return max(flag, value, 1)


def _strtoul(text: str) -> int | None:
    """`strtoul(text, &end, 10)` with the whole text consumed; `None` otherwise."""
    match = re.fullmatch(r"\s*([+-]?)(\d+)", text)
    if not match:
        return None
    value = int(match.group(2))
    return (-value) % 2**64 if match.group(1) == "-" else value


def _legacy_c_locale(env: Mapping[str, str]) -> bool:
    """Whether `LC_CTYPE` resolves to the C or POSIX locale (PEP 538, PEP 540).

    The C library takes the first non-empty of `LC_ALL`, `LC_CTYPE`, `LANG`.  Departure
    from C: the model takes every other locale name as installed; a name the system
    does not have falls back to "C" in the real interpreter.
    """
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = env.get(name)
        if value:
            return value in ("C", "POSIX")
    return True


# -- 3.x: Python/preconfig.c and Python/initconfig.c ------------------------------------


def _xoption(config: PyConfig, name: str) -> str | None:
    """`_Py_get_xoption`: the *first* `-X name[=value]` option, whole.

    (`sys._xoptions` is a dict built in order: there the last one wins.)
    """
    for option in config.xoptions:
        if option == name or option.startswith(name + "="):
            return option
    return None


def _xoption_value(config: PyConfig, name: str) -> str | None:
    """`config_get_xoption_value`: the text after `=`, or `""` for a bare `-X name`."""
    option = _xoption(config, name)
    if option is None:
        return None
    return option.partition("=")[2]


def _precmdline_read(config: PyConfig, env: Mapping[str, str]) -> None:
    """`_PyPreCmdline_Read`: `-E`, `-I` and `-X` before the real parse; UTF-8 and dev mode.

    The pre-parse stops at `-c` and `-m` and ignores every error (the real parse
    reports them).
    """
    getopt = GetOpt(config.orig_argv, config.profile, opterr=False)
    for option in getopt:
        if option in ("c", "m"):
            break
        if option == "E":
            config.use_environment = 0
        elif option == "I":
            config.isolated = 1
        elif option == "X":
            assert getopt.optarg is not None
            config.xoptions.append(getopt.optarg)
    if config.isolated:
        config.use_environment = 0
    # dev mode: -X dev or PYTHONDEVMODE
    if _xoption(config, "dev") is not None or _getenv(config, env, "PYTHONDEVMODE"):
        config.dev_mode = 1
    # warn_default_encoding: -X warn_default_encoding or PYTHONWARNDEFAULTENCODING
    if (_xoption(config, "warn_default_encoding") is not None
            or _getenv(config, env, "PYTHONWARNDEFAULTENCODING")):
        config.warn_default_encoding = 1
    config.utf8_mode = _preconfig_init_utf8_mode(config, env)


def _preconfig_init_utf8_mode(config: PyConfig, env: Mapping[str, str]) -> int:
    """`preconfig_init_utf8_mode`: `-X utf8`, then PYTHONUTF8, then the locale."""
    value = _xoption_value(config, "utf8")
    if value is not None:
        if value in ("", "1"):
            return 1
        if value == "0":
            return 0
        raise InitError("invalid -X utf8 option value", function="preconfig_init_utf8_mode",
                        runtime_state="preinitializing")
    text = _getenv(config, env, "PYTHONUTF8")
    if text is not None:
        if text == "1":
            return 1
        if text == "0":
            return 0
        raise InitError("invalid PYTHONUTF8 environment variable value",
                        function="preconfig_init_utf8_mode", runtime_state="preinitializing")
    return 1 if _legacy_c_locale(env) else 0


def _config_parse_cmdline(config: PyConfig) -> tuple[list[str], int]:
    """`config_parse_cmdline`: every option into `config`; the `-W` values and optind."""
    program = config.program_name
    warnoptions: list[str] = []
    getopt = GetOpt(config.orig_argv, config.profile)
    print_version = 0
    for option in getopt:
        arg = getopt.optarg
        if option == "c":
            assert arg is not None
            config.run_command = arg + "\n"  # C appends a newline to the command
            break
        if option == "m":
            config.run_module = arg
            break
        if option == "--check-hash-based-pycs":
            assert arg is not None
            if arg not in ("always", "never", "default"):
                raise UsageError("--check-hash-based-pycs must be one of 'default', "
                                 "'always', or 'never'", program)
            config.check_hash_pycs_mode = arg
        elif option in ("h", "?", "--help-all", "--help-env", "--help-xoptions"):
            # The model knows that these print help and exit; it does not carry
            # CPython's help text, only the first line of `-h`.
            usage = (f"usage: {program} [option] ... [-c cmd | -m mod | file | -] "
                     "[arg] ...\n") if option in ("h", "?", "--help-all") else ""
            raise PyStatusExit(0, stdout=usage)
        elif option == "_" or not _apply_option_3(config, option, arg, warnoptions):
            raise UsageError("\n".join(getopt.errors), program)
        else:
            print_version += option == "V"
    if print_version:
        raise PyStatusExit(0, stdout=f"Python {config.version}\n")
    index = getopt.optind
    if (config.run_command is None and config.run_module is None
            and index < len(config.orig_argv) and config.orig_argv[index] != "-"):
        config.run_filename = config.orig_argv[index]
    if config.run_command is not None or config.run_module is not None:
        index -= 1  # keep the option's own place: it becomes sys.argv[0]
    return warnoptions, index


def _apply_option_3(config: PyConfig, option: str, arg: str | None,
                    warnoptions: list[str]) -> bool:
    """One case of `config_parse_cmdline`'s switch; `False` for its `default:` case."""
    match option:
        case "b":
            config.bytes_warning += 1
        case "d":
            config.parser_debug += 1
        case "i":
            config.inspect += 1
            config.interactive += 1
        case "O":
            config.optimization_level += 1
        case "P":
            config.safe_path = 1
        case "B":
            config.write_bytecode = 0
        case "s":
            config.user_site_directory = 0
        case "S":
            config.site_import = 0
        case "u":
            config.buffered_stdio = 0
        case "v":
            config.verbose += 1
        case "x":
            config.skip_source_first_line = 1
        case "W":
            assert arg is not None
            warnoptions.append(arg)
        case "q":
            config.quiet += 1
        case "R":
            config.use_hash_seed = 0
        case "E" | "I" | "X" | "t" | "V":
            pass  # handled by _precmdline_read; -t is ignored; -V after the loop
        case _:
            return False
    return True


def _config_update_argv(config: PyConfig, index: int) -> None:
    """`config_update_argv`: what is left of the command line becomes `sys.argv`."""
    rest = list(config.orig_argv[index:]) or [""]
    if config.run_command is not None:
        rest[0] = "-c"
    elif config.run_module is not None:
        rest[0] = "-m"
    config.argv = rest


def _config_init_hash_seed(config: PyConfig, env: Mapping[str, str]) -> None:
    """`config_init_hash_seed`: PYTHONHASHSEED is `random` or a number up to 2**32-1."""
    text = _getenv(config, env, "PYTHONHASHSEED")
    if text is not None and text != "random":
        seed = _strtoul(text)
        if seed is None or seed > MAX_HASH_SEED:
            raise InitError('PYTHONHASHSEED must be "random" or an integer in range '
                            "[0; 4294967295]", function="config_init_hash_seed",
                            runtime_state="preinitialized")
        config.use_hash_seed, config.hash_seed = 1, seed
    else:
        config.use_hash_seed, config.hash_seed = 0, 0


def _config_read_env_vars(config: PyConfig, env: Mapping[str, str]) -> None:
    """`config_read_env_vars`: the flags that have environment variables."""
    config.parser_debug = _get_env_flag(config, env, "PYTHONDEBUG", config.parser_debug)
    config.verbose = _get_env_flag(config, env, "PYTHONVERBOSE", config.verbose)
    config.optimization_level = _get_env_flag(config, env, "PYTHONOPTIMIZE",
                                              config.optimization_level)
    config.inspect = _get_env_flag(config, env, "PYTHONINSPECT", config.inspect)
    if _get_env_flag(config, env, "PYTHONDONTWRITEBYTECODE", 0):
        config.write_bytecode = 0
    if _get_env_flag(config, env, "PYTHONNOUSERSITE", 0):
        config.user_site_directory = 0
    if _get_env_flag(config, env, "PYTHONUNBUFFERED", 0):
        config.buffered_stdio = 0
    if config.pythonpath_env is None:
        config.pythonpath_env = _getenv(config, env, "PYTHONPATH")
    if config.platlibdir is None:
        config.platlibdir = _getenv(config, env, "PYTHONPLATLIBDIR")
    if config.use_hash_seed < 0:
        _config_init_hash_seed(config, env)
    if _getenv(config, env, "PYTHONSAFEPATH"):
        config.safe_path = 1


def _config_init_int_max_str_digits(config: PyConfig, env: Mapping[str, str]) -> None:
    """`config_init_int_max_str_digits`: PYTHONINTMAXSTRDIGITS, then `-X`."""
    threshold = MAX_STR_DIGITS_THRESHOLD
    text = _getenv(config, env, "PYTHONINTMAXSTRDIGITS")
    if text is not None:
        value = _str_to_int(text)
        if value is None or not (value == 0 or value >= threshold):
            raise InitError(f"PYTHONINTMAXSTRDIGITS: invalid limit; must be >= {threshold}"
                            " or 0 for unlimited.", function="config_init_int_max_str_digits",
                            runtime_state="preinitialized")
        config.int_max_str_digits = value
    option = _xoption(config, "int_max_str_digits")
    if option is not None:
        value = _str_to_int(option.partition("=")[2]) if "=" in option else None
        if value is None or not (value == 0 or value >= threshold):
            raise InitError(f"-X int_max_str_digits: invalid limit; must be >= {threshold}"
                            " or 0 for unlimited.", function="config_init_int_max_str_digits",
                            runtime_state="preinitialized")
        config.int_max_str_digits = value
    default = config.profile.int_max_str_digits_default
    if config.int_max_str_digits < 0 and default is not None:
        config.int_max_str_digits = default


def _config_read_complex_options(config: PyConfig, env: Mapping[str, str]) -> None:
    """`config_read_complex_options`: options set by `-X` or an environment variable."""
    if _getenv(config, env, "PYTHONPROFILEIMPORTTIME") or _xoption(config, "importtime"):
        config.import_time = 1
    _config_init_int_max_str_digits(config, env)
    option = _xoption_value(config, "pycache_prefix")
    if option is not None:
        config.pycache_prefix = option or None
    else:
        config.pycache_prefix = _getenv(config, env, "PYTHONPYCACHEPREFIX")
    frozen = _xoption_value(config, "frozen_modules")
    if frozen is not None:
        if frozen not in ("", "on", "off"):
            raise InitError('bad value for option -X frozen_modules (expected "on" or "off")',
                            runtime_state="preinitialized")
        config.use_frozen_modules = 0 if frozen == "off" else 1


def _config_init_warnoptions(config: PyConfig, env: Mapping[str, str],
                             cmdline: list[str]) -> None:
    """`config_init_warnoptions`: lowest priority first, each filter once."""
    options: list[str] = []

    def append(option: str) -> None:
        if option not in options:
            options.append(option)

    if config.dev_mode:
        append("default")
    text = _getenv(config, env, "PYTHONWARNINGS")
    for option in (text.split(",") if text else []):
        if option:
            append(option)
    for option in cmdline:
        append(option)
    if config.bytes_warning:
        append("error::BytesWarning" if config.bytes_warning > 1 else "default::BytesWarning")
    config.warnoptions = options


def _read_config_3(config: PyConfig, env: Mapping[str, str], cwd: str) -> None:
    """`_PyConfig_Read`: the pre-parse, the options, then the environment."""
    _precmdline_read(config, env)
    if config.isolated:
        config.safe_path = 1
        config.use_environment = 0
        config.user_site_directory = 0
    warnoptions, index = _config_parse_cmdline(config)
    if config.run_filename is not None and not config.run_filename.startswith("/"):
        # config_run_filename_abspath: _Py_abspath joins, it does not normalize
        config.run_filename = posixpath.join(cwd, config.run_filename)
    _config_update_argv(config, index)
    _config_init_warnoptions(config, env, warnoptions)
    if config.use_environment:
        _config_read_env_vars(config, env)
    _config_read_complex_options(config, env)
    if config.use_hash_seed < 0:
        config.use_hash_seed, config.hash_seed = 0, 0


# -- 2.x: Modules/main.c and Python/pythonrun.c ------------------------------------------

#: 2.x's global flags, by their C names, and the `sys.flags` field each one shows.
GLOBALS_27: dict[str, str] = {
    "debug": "Py_DebugFlag",
    "py3k_warning": "Py_Py3kWarningFlag",
    "division_warning": "Py_DivisionWarningFlag",
    "division_new": "_Py_QnewFlag",
    "inspect": "Py_InspectFlag",
    "interactive": "Py_InteractiveFlag",
    "optimize": "Py_OptimizeFlag",
    "dont_write_bytecode": "Py_DontWriteBytecodeFlag",
    "no_user_site": "Py_NoUserSiteDirectory",
    "no_site": "Py_NoSiteFlag",
    "ignore_environment": "Py_IgnoreEnvironmentFlag",
    "tabcheck": "Py_TabcheckFlag",
    "verbose": "Py_VerboseFlag",
    "unicode": "Py_UnicodeFlag",
    "bytes_warning": "Py_BytesWarningFlag",
    "hash_randomization": "Py_HashRandomizationFlag",
}

# Option letters that only count (`Py_VerboseFlag++`), by the global they count in.
_COUNTERS_27 = {
    "b": "Py_BytesWarningFlag", "d": "Py_DebugFlag", "O": "Py_OptimizeFlag",
    "B": "Py_DontWriteBytecodeFlag", "s": "Py_NoUserSiteDirectory", "S": "Py_NoSiteFlag",
    "t": "Py_TabcheckFlag", "v": "Py_VerboseFlag", "U": "Py_UnicodeFlag",
}
_DIVISION = {"old": 0, "warn": 1, "warnall": 2}


def _read_config_27(config: PyConfig, env: Mapping[str, str]) -> None:
    """`Py_Main`'s two passes over the options, then `Py_InitializeEx`'s variables."""
    g = config.globals = dict.fromkeys(GLOBALS_27.values(), 0)
    program = config.program_name
    # First pass, silent: -E and -R are needed before anything else.
    for option in GetOpt(config.orig_argv, config.profile, opterr=False):
        if option in ("c", "m"):
            break
        if option == "E":
            g["Py_IgnoreEnvironmentFlag"] += 1
        elif option == "R":
            g["Py_HashRandomizationFlag"] += 1
    config.use_environment = int(not g["Py_IgnoreEnvironmentFlag"])
    seed = _getenv(config, env, "PYTHONHASHSEED")
    if not g["Py_HashRandomizationFlag"] and seed is not None:
        g["Py_HashRandomizationFlag"] = 1
    if seed is not None and seed != "random":
        number = _strtoul(seed)
        if number is None or number > MAX_HASH_SEED:
            # _PyRandom_Init calls Py_FatalError, which aborts: killed by SIGABRT (a
            # shell shows status 134).
            raise InitError('PYTHONHASHSEED must be "random" or an integer in range '
                            "[0; 4294967295]", exitcode=-signal.SIGABRT)
    # Second pass: every option, with errors.
    getopt = GetOpt(config.orig_argv, config.profile)
    help_wanted = version_wanted = False
    for option in getopt:
        arg = getopt.optarg
        if option == "c":
            assert arg is not None
            config.run_command = arg + "\n"
            break
        if option == "m":
            config.run_module = arg
            break
        if option in _COUNTERS_27:
            g[_COUNTERS_27[option]] += 1
        elif option == "3":
            g["Py_Py3kWarningFlag"] += 1
            if not g["Py_DivisionWarningFlag"]:
                g["Py_DivisionWarningFlag"] = 1
        elif option == "Q":
            assert arg is not None
            if arg == "new":
                g["_Py_QnewFlag"] = 1
            elif arg in _DIVISION:
                g["Py_DivisionWarningFlag"] = _DIVISION[arg]
            else:
                raise UsageError("-Q option should be `-Qold', `-Qwarn', `-Qwarnall', "
                                 "or `-Qnew' only", program)
        elif option == "i":
            g["Py_InspectFlag"] += 1
            g["Py_InteractiveFlag"] += 1
        elif option == "u":
            config.buffered_stdio = 0
        elif option == "x":
            config.skip_source_first_line = 1
        elif option == "W":
            assert arg is not None
            config.warnoptions.append(arg)
        elif option in ("h", "?"):
            help_wanted = True
        elif option == "V":
            version_wanted = True
        elif option not in ("E", "R"):  # E and R were counted by the first pass
            raise UsageError("\n".join(getopt.errors), program)
    if help_wanted:
        raise PyStatusExit(0, stdout=f"usage: {program} [option] ... [-c cmd | -m mod | "
                           "file | -] [arg] ...\n")
    if version_wanted:
        raise PyStatusExit(0, stderr="Python 2.7\n")
    if g["Py_Py3kWarningFlag"] and not g["Py_TabcheckFlag"]:
        g["Py_TabcheckFlag"] = 1  # -3 implies -t (but not -tt)
    if not g["Py_InspectFlag"] and _getenv(config, env, "PYTHONINSPECT"):
        g["Py_InspectFlag"] = 1
    if _getenv(config, env, "PYTHONUNBUFFERED"):
        config.buffered_stdio = 0
    if not g["Py_NoUserSiteDirectory"] and _getenv(config, env, "PYTHONNOUSERSITE"):
        g["Py_NoUserSiteDirectory"] = 1
    text = _getenv(config, env, "PYTHONWARNINGS")
    for option in (text.split(",") if text else []):
        config.warnoptions.append(option)
    index = getopt.optind
    if (config.run_command is None and config.run_module is None
            and index < len(config.orig_argv) and config.orig_argv[index] != "-"):
        config.run_filename = config.orig_argv[index]
    if config.run_command is not None or config.run_module is not None:
        index -= 1
    rest = list(config.orig_argv[index:]) or [""]
    if config.run_command is not None or config.run_module is not None:
        rest[0] = "-c"  # 2.x forces "-c" for -m too, so that sys.path[0] is ''
    config.argv = rest
    # Py_InitializeEx raises these flags with add_flag().
    for name, flag in (("PYTHONDEBUG", "Py_DebugFlag"), ("PYTHONVERBOSE", "Py_VerboseFlag"),
                       ("PYTHONOPTIMIZE", "Py_OptimizeFlag"),
                       ("PYTHONDONTWRITEBYTECODE", "Py_DontWriteBytecodeFlag"),
                       ("PYTHONHASHSEED", "Py_HashRandomizationFlag")):
        text = _getenv(config, env, name)
        if text is not None:
            g[flag] = _add_flag(g[flag], text)
    config.pythonpath_env = _getenv(config, env, "PYTHONPATH")
    _globals_to_config(config)


def _globals_to_config(config: PyConfig) -> None:
    """Give the 2.x flags their 3.x names, which the rest of the model reads."""
    g = config.globals
    config.parser_debug = g["Py_DebugFlag"]
    config.verbose = g["Py_VerboseFlag"]
    config.optimization_level = g["Py_OptimizeFlag"]
    config.inspect = g["Py_InspectFlag"]
    config.interactive = g["Py_InteractiveFlag"]
    config.bytes_warning = g["Py_BytesWarningFlag"]
    config.site_import = int(not g["Py_NoSiteFlag"])
    config.user_site_directory = int(not g["Py_NoUserSiteDirectory"])
    config.write_bytecode = int(not g["Py_DontWriteBytecodeFlag"])
    config.use_environment = int(not g["Py_IgnoreEnvironmentFlag"])
    config.use_hash_seed = int(bool(g["Py_HashRandomizationFlag"]))


# -- Reading a configuration -----------------------------------------------------------


def read_config(argv: Sequence[str], env: Mapping[str, str] | None = None, *,
                profile: str | None = None, cwd: str = "/") -> PyConfig:
    """Read a command line and an environment as the profile's CPython reads them.

    `argv` is the whole command line, program first (`["python", "-S", "-c", "pass"]`);
    `env` the environment (default: empty); `cwd` the current folder, used to make
    the script's path absolute (3.x).  Raises
    {py:class}`~pyinternals.runtime.status.UsageError` for a command line the real
    interpreter refuses, {py:class}`~pyinternals.runtime.status.PyStatusExit`
    for `-h` and `--version`, {py:class}`~pyinternals.runtime.status.InitError` for a
    bad value of an option or variable (`-X utf8=2`, `PYTHONHASHSEED=x`).
    """
    if isinstance(argv, str):
        raise TypeError("argv is a list of words, program first, such as "
                        f"['python', '-c', 'pass'], not the string {argv!r}")
    words = list(argv)
    if not all(isinstance(w, str) for w in words):
        raise TypeError(f"every word of argv must be a string: {words!r}")
    if not words:
        raise ValueError("argv needs at least the program name, e.g. ['python']")
    env = dict(env or {})
    name = profiles.runtime.get(profile).version
    config = PyConfig(orig_argv=words, version=name)
    if config.profile.configuration == "Py_Main":
        _read_config_27(config, env)
    else:
        _read_config_3(config, env, cwd)
    return config


# -- sys.flags ---------------------------------------------------------------------------

_FLAG_SOURCES: dict[str, Any] = {
    "debug": lambda c: c.parser_debug,
    "inspect": lambda c: c.inspect,
    "interactive": lambda c: c.interactive,
    "optimize": lambda c: c.optimization_level,
    "dont_write_bytecode": lambda c: int(not c.write_bytecode),
    "no_user_site": lambda c: int(not c.user_site_directory),
    "no_site": lambda c: int(not c.site_import),
    "ignore_environment": lambda c: int(not c.use_environment),
    "verbose": lambda c: c.verbose,
    "bytes_warning": lambda c: c.bytes_warning,
    "quiet": lambda c: c.quiet,
    # Random hashes unless PYTHONHASHSEED=0.
    "hash_randomization": lambda c: int(c.use_hash_seed == 0 or c.hash_seed != 0),
    "isolated": lambda c: c.isolated,
    "dev_mode": lambda c: bool(c.dev_mode),
    "utf8_mode": lambda c: c.utf8_mode,
    "warn_default_encoding": lambda c: c.warn_default_encoding,
    "safe_path": lambda c: bool(c.safe_path),
    "int_max_str_digits": lambda c: c.int_max_str_digits,
}


class SysFlags(tuple):  # type: ignore[type-arg]
    """`sys.flags`: a named tuple of the interpreter's flags, repr as CPython's.

    ```python
    >>> flags = SysFlags(("verbose", "quiet"), (2, 0))
    >>> flags
    sys.flags(verbose=2, quiet=0)
    >>> flags.verbose, flags[1]
    (2, 0)

    ```
    """

    _fields: tuple[str, ...]

    def __new__(cls, fields: Sequence[str], values: Sequence[Any]) -> SysFlags:
        if len(fields) != len(values):
            raise ValueError(f"{len(fields)} flag names for {len(values)} values")
        self = super().__new__(cls, values)
        self._fields = tuple(fields)
        return self

    def __getattr__(self, name: str) -> Any:
        try:
            return self[self._fields.index(name)]
        except ValueError:
            raise AttributeError(f"'sys.flags' object has no attribute {name!r}") from None

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={v!r}" for n, v in zip(self._fields, self, strict=True))
        return f"sys.flags({inner})"

    def _asdict(self) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))


def sys_flags(config: PyConfig, profile: str | None = None) -> SysFlags:
    """The `sys.flags` of an interpreter configured by `config` (`set_flags_from_config`)."""
    rt = profiles.runtime.get(profile or config.version)
    fields = rt.flags_fields
    if config.globals:  # 2.x: make_flags() reads the global flags
        return SysFlags(fields, [config.globals[GLOBALS_27[name]] for name in fields])
    values = [_FLAG_SOURCES[name](config) for name in fields]
    values = [int(bool(v)) if name in rt.boolean_flags else v
              for name, v in zip(fields, values, strict=True)]
    return SysFlags(fields, values)
