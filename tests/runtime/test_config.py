"""The command line and the environment: `_PyOS_GetOpt`, `PyConfig`, `sys.flags`."""

from __future__ import annotations

import json
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyinternals.profiles import runtime as rt_profiles
from pyinternals.runtime.config import GetOpt, SysFlags, read_config, sys_flags
from pyinternals.runtime.getpath import PROBES
from pyinternals.runtime.status import InitError, PyStatusExit, UsageError

PROBE = (PROBES / "startup.py").read_text()


# -- _PyOS_GetOpt -----------------------------------------------------------------


def options(argv, version="3.12"):
    """The options up to and with -c or -m, which end them (as the callers stop)."""
    getopt = GetOpt(argv, rt_profiles.get(version))
    found = []
    for option in getopt:
        found.append((option, getopt.optarg if option in ("c", "m", "W", "X", "Q") else None))
        if option in ("c", "m"):
            break
    return found, getopt


def test_grouped_letters_and_glued_values():
    found, getopt = options(["python", "-SsWerror", "-c", "pass", "-v"])
    assert found == [("S", None), ("s", None), ("W", "error"), ("c", "pass")]
    # -c ends the options: what follows is the command's
    assert getopt.argv[getopt.optind:] == ["-v"]


def test_double_dash_and_lone_dash_end_the_options():
    found, getopt = options(["python", "-S", "--", "-v"])
    assert found == [("S", None)]
    assert getopt.argv[getopt.optind] == "-v"
    found, getopt = options(["python", "-", "-v"])
    assert found == []
    assert getopt.argv[getopt.optind] == "-"


def test_help_and_version_long_forms_in_both_eras():
    for version in ("2.7", "3.13"):
        found, _ = options(["python", "--help", "--version"], version)
        assert found == [("h", None), ("V", None)]


def test_a_dash_at_the_end_of_a_group_ends_the_options_in_3x():
    found, getopt = options(["python", "-S-", "-c", "pass"])
    assert found == [("S", None)]
    assert getopt.errors == ["expected long option"]
    assert getopt.argv[getopt.optind] == "-c"


# -- Reading a configuration --------------------------------------------------------


def test_run_command_gets_a_newline_and_argv_starts_with_dash_c():
    config = read_config(["python", "-c", "print(1)", "a", "-b"], profile="3.11")
    assert config.run_command == "print(1)\n"
    assert config.argv == ["-c", "a", "-b"]


def test_script_path_is_made_absolute_without_normalizing_in_3x_only():
    c3 = read_config(["python", "./x/../s.py", "y"], profile="3.13", cwd="/home/ada")
    c2 = read_config(["python", "./x/../s.py", "y"], profile="2.7", cwd="/home/ada")
    assert c3.run_filename == "/home/ada/./x/../s.py"
    assert c2.run_filename == "./x/../s.py"
    assert c3.argv == c2.argv == ["./x/../s.py", "y"]


def test_module_argv_in_both_eras():
    assert read_config(["python", "-m", "json.tool", "f"], profile="3.12").argv == ["-m", "f"]
    # 2.x pretends -c, so that sys.path[0] is ''
    assert read_config(["python", "-m", "json.tool", "f"], profile="2.7").argv == ["-c", "f"]


def test_isolated_implies_no_environment_no_user_site_and_safe_path():
    config = read_config(["python", "-I", "-c", "pass"], {"PYTHONPATH": "/x"}, profile="3.12")
    flags = sys_flags(config)
    assert (flags.isolated, flags.ignore_environment, flags.no_user_site, flags.safe_path) == \
        (1, 1, 1, True)
    assert config.pythonpath_env is None


def test_environment_flags_3x():
    env = {"PYTHONVERBOSE": "3", "PYTHONOPTIMIZE": "text", "PYTHONDEBUG": "-2",
           "PYTHONDONTWRITEBYTECODE": "0", "PYTHONHASHSEED": "0"}
    flags = sys_flags(read_config(["python"], env, profile="3.11"))
    assert (flags.verbose, flags.optimize, flags.debug) == (3, 1, 1)
    # a value of 0 does not raise a flag; PYTHONHASHSEED=0 turns randomization off
    assert (flags.dont_write_bytecode, flags.hash_randomization) == (0, 0)


def test_environment_flags_2x_use_add_flag():
    env = {"PYTHONVERBOSE": "0", "PYTHONHASHSEED": "5", "PYTHONDONTWRITEBYTECODE": "0"}
    flags = sys_flags(read_config(["python"], env, profile="2.7"))
    assert (flags.verbose, flags.hash_randomization, flags.dont_write_bytecode) == (1, 5, 1)


def test_2x_counts_repeated_options():
    flags = sys_flags(read_config(["python", "-SS", "-EE", "-ii", "-3"], profile="2.7"))
    assert (flags.no_site, flags.ignore_environment, flags.inspect, flags.interactive) == \
        (2, 2, 2, 2)
    assert (flags.py3k_warning, flags.division_warning, flags.tabcheck) == (1, 1, 1)


def test_utf8_mode_follows_the_locale():
    def utf8(env):
        return sys_flags(read_config(["python"], env, profile="3.12")).utf8_mode

    assert utf8({}) == 1  # no locale: C, and PEP 540 turns UTF-8 mode on
    assert utf8({"LANG": "C.UTF-8"}) == 0
    assert utf8({"LANG": "C.UTF-8", "LC_ALL": "POSIX"}) == 1
    assert utf8({"PYTHONUTF8": "0"}) == 0
    assert sys_flags(read_config(["python", "-X", "utf8"], {"LANG": "C.UTF-8"},
                                 profile="3.12")).utf8_mode == 1


def test_int_max_str_digits_default_differs_between_311_and_312():
    assert sys_flags(read_config(["python"], profile="3.11")).int_max_str_digits == -1
    assert sys_flags(read_config(["python"], profile="3.12")).int_max_str_digits == 4300


def test_warnoptions_priority_and_dedup():
    config = read_config(["python", "-b", "-W", "error", "-W", "ignore", "-W", "error"],
                         {"PYTHONWARNINGS": "always,,error", "PYTHONDEVMODE": "1"},
                         profile="3.12")
    assert config.warnoptions == ["default", "always", "error", "ignore",
                                  "default::BytesWarning"]


def test_sys_flags_repr_and_fields():
    flags = sys_flags(read_config(["python", "-q"], profile="3.13"))
    assert isinstance(flags, SysFlags)
    assert repr(flags).startswith("sys.flags(debug=0, inspect=0, ")
    assert flags._fields == rt_profiles.get("3.13").flags_fields
    with pytest.raises(AttributeError, match="no attribute 'gil'"):
        _ = flags.gil


# -- Bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "version", "message"), [
    (["python", "-Z"], "3.12", "Unknown option: -Z"),
    (["python", "-c"], "2.7", "Argument expected for the -c option"),
    (["python", "--foo"], "3.11", "unknown option --foo"),
    (["python", "--foo"], "2.7", "Unknown option: --"),
    (["python", "-X"], "2.7", "-X is reserved for implementation-specific arguments"),
    (["python", "-J"], "3.13", "-J is reserved for Jython"),
    (["python", "-Qx"], "2.7", "-Q option should be `-Qold'"),
    (["python", "--check-hash-based-pycs", "x"], "3.12",
     "--check-hash-based-pycs must be one of"),
])
def test_usage_errors_carry_the_real_text_and_status_2(argv, version, message):
    with pytest.raises(UsageError) as info:
        read_config(argv, profile=version)
    assert info.value.exitcode == 2
    assert info.value.stderr.startswith(message)
    assert info.value.stderr.endswith(
        "usage: python [option] ... [-c cmd | -m mod | file | -] [arg] ...\n"
        "Try `python -h' for more information.\n")


def test_help_and_version_exit_with_0():
    with pytest.raises(PyStatusExit) as info:
        read_config(["python", "-h"], profile="3.12")
    assert info.value.exitcode == 0
    assert info.value.stdout.startswith("usage: python [option]")
    with pytest.raises(PyStatusExit) as info:
        read_config(["python", "-V"], profile="2.7")
    assert info.value.stderr == "Python 2.7\n"


@pytest.mark.parametrize(("argv", "env", "text"), [
    (["python", "-X", "utf8=2"], {}, "preconfig_init_utf8_mode: invalid -X utf8 option value"),
    (["python"], {"PYTHONHASHSEED": "-1"}, "config_init_hash_seed: PYTHONHASHSEED must be"),
    (["python", "-X", "int_max_str_digits=639"], {}, "-X int_max_str_digits: invalid limit"),
])
def test_bad_values_are_fatal_errors_with_status_1(argv, env, text):
    with pytest.raises(InitError) as info:
        read_config(argv, env, profile="3.12")
    assert info.value.exitcode == 1
    assert text in info.value.stderr
    assert info.value.stderr.endswith("\n\n")


@pytest.mark.parametrize("argv", ["python -c pass", [], ["python", 3]])
def test_argv_must_be_a_list_of_strings(argv):
    with pytest.raises((TypeError, ValueError), match="argv"):
        read_config(argv)


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match=r"no runtime profile for '2\.6'"):
        read_config(["python"], profile="2.6")


# -- Against the real interpreters ---------------------------------------------------

_SAFE_OPTIONS = {
    "2.7": ["-b", "-B", "-d", "-E", "-i", "-O", "-R", "-s", "-t", "-u", "-v", "-3",
            "-Wignore", "-Qwarn", "-Qnew", "-x"],
    "3": ["-b", "-B", "-d", "-E", "-i", "-I", "-O", "-P", "-q", "-R", "-s", "-u", "-v", "-x",
          "-Wignore", "-Xdev", "-Xutf8", "-Xutf8=0", "-Xwarn_default_encoding",
          "-Xint_max_str_digits=700", "-Xfrozen_modules=off", "-Xfoo"],
}
_ENV_NAMES = ["PYTHONVERBOSE", "PYTHONOPTIMIZE", "PYTHONDEBUG", "PYTHONDONTWRITEBYTECODE",
              "PYTHONNOUSERSITE", "PYTHONINSPECT", "PYTHONHASHSEED", "PYTHONSAFEPATH",
              "PYTHONDEVMODE", "PYTHONUTF8", "PYTHONWARNDEFAULTENCODING",
              "PYTHONINTMAXSTRDIGITS", "PYTHONUNBUFFERED"]
_ENV_VALUES = ["", "0", "1", "2", "x", "-3", "random"]


@st.composite
def startups(draw, family):
    pool = _SAFE_OPTIONS["2.7" if family == "2.7" else "3"]
    opts = draw(st.lists(st.sampled_from(pool), max_size=5))
    names = draw(st.lists(st.sampled_from(_ENV_NAMES), max_size=4, unique=True))
    env = {n: draw(st.sampled_from(_ENV_VALUES)) for n in names}
    return opts, env


def _real_flags(interp, opts, env):
    proc = subprocess.run([interp.executable, *opts, "-c", PROBE], env={"PATH": "/usr/bin", **env},
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
                          timeout=60)
    if proc.returncode:
        return ("exit", proc.returncode, proc.stderr.partition("\nCurrent thread")[0])
    data = json.loads(proc.stdout)
    return [tuple(p) for p in data["flags"]], data["warnoptions"]


def _model_flags(family, executable, opts, env):
    try:
        config = read_config([executable, *opts, "-c", PROBE], {"PATH": "/usr/bin", **env},
                             profile=family)
    except (PyStatusExit, InitError) as exc:
        return ("exit", exc.exitcode, exc.stderr.rstrip("\n").partition("\nCurrent thread")[0])
    return list(sys_flags(config)._asdict().items()), config.warnoptions


def test_flags_agree_with_the_real_interpreter_on_random_command_lines(real_python):
    family = real_python.family

    @settings(max_examples=15, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(startups(family))
    def check(startup):
        opts, env = startup
        real = _real_flags(real_python, opts, env)
        model = _model_flags(family, real_python.executable, opts, env)
        if real[0] == "exit":
            assert model[0] == "exit", (opts, env, real)
            assert model[1] == real[1]
            assert model[2] == real[2].rstrip("\n"), (opts, env)
        else:
            assert model == real, (opts, env)

    check()
