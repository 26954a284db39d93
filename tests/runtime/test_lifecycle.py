"""Booting, running and stopping model interpreters (`pylifecycle`, `pythonrun`, `main`)."""

from __future__ import annotations

import ast
import codecs
import os
import sys
import types

import pytest

from pyinternals import profiles
from pyinternals.runtime import initialize
from pyinternals.runtime.pylifecycle import InterpreterFinalized
from pyinternals.runtime.pythonrun import PyFrameObject
from pyinternals.runtime.status import InitError, UsageError

ENV = {"HOME": "/nonexistent-home-of-the-tests"}


@pytest.fixture(scope="module")
def interp():
    """One interpreter booted with -S (fast), shared by the read-only tests."""
    booted = initialize([sys.executable, "-S", "-c", "pass"], ENV)
    yield booted
    booted.finalize()


def fresh(*options, env=ENV, **kw):
    return initialize([sys.executable, *options], env, **kw)


# -- States ---------------------------------------------------------------------------


def test_the_states_and_their_lists(interp):
    runtime = interp.runtime
    assert runtime.interp_head is interp.state
    assert runtime.main is interp.state
    assert runtime.tstate_current is interp.tstate
    assert list(interp.state.threads()) == [interp.tstate]
    assert interp.tstate.interp is interp.state
    # interp->modules is sys.modules, interp->sysdict is sys.__dict__
    assert interp.state.modules is interp.sys.modules is interp.modules
    assert interp.state.sysdict is vars(interp.sys)
    assert interp.state.builtins is interp.builtins
    assert interp.main_dict["__builtins__"] is interp.modules["builtins"]


def test_steps_run_in_the_profiles_order(interp):
    expected = [s.function for s in profiles.runtime.get().startup_steps]
    assert [r.step.function for r in interp.steps] == expected
    assert interp.steps[-1].detail == "skipped: -S"


def test_startup_imports_are_the_steps_imports_in_order(interp):
    assert interp.startup_imports == [m for r in interp.steps for m in r.imports]
    assert interp.startup_imports[:6] == ["_io", "marshal", "posix",
                                          "_frozen_importlib_external", "time", "zipimport"]
    assert interp.startup_imports[-1] == "io"


def test_trace_prints_each_step():
    lines = []
    booted = fresh("-S", "-c", "pass", trace=lines.append)
    booted.finalize()
    assert lines[0].startswith("PyConfig_Read: ")
    assert any(line.startswith("_PyUnicode_InitEncodings:") and "encodings.utf_8" in line
               for line in lines)
    assert lines[-1].startswith("Py_FinalizeEx: interpreter 0 deleted")


def test_sys_values_come_from_the_configuration(interp):
    s = interp.sys
    boot = interp.configuration
    assert s.path == boot.paths.module_search_paths
    assert (s.prefix, s.executable) == (boot.prefix, sys.executable)
    assert s.flags == boot.flags
    assert s.argv == ["-c"]
    assert s.flags.no_site == 1


# -- Running code ---------------------------------------------------------------------


def test_run_mod_keeps_every_stage(interp):
    record = interp.run_source("import sys\nframe = sys._getframe()\nanswer = 6 * 7\n")
    assert isinstance(record.tree, ast.Module)
    assert isinstance(record.code, types.CodeType)
    assert record.stages == ["ast", "code", "frame", "eval"]
    frame = record.frame
    assert isinstance(frame, PyFrameObject)
    assert frame.f_globals is frame.f_locals is interp.main_dict
    assert frame.f_builtins is interp.builtins
    # the real frame the code ran in had the same three namespaces
    real = interp.main_dict["frame"]
    assert real.f_globals is interp.main_dict
    assert real.f_builtins is interp.builtins
    assert interp.main_dict["answer"] == 42
    assert "PyFrameObject" in frame.to_dot()


def test_print_goes_to_the_models_stdout_and_imports_stay_in_the_model(interp):
    with interp.capture() as out:
        interp.run_source("import json\nprint(json.dumps([1]))")
    assert out.out == "[1]\n"
    assert "json" in interp.modules
    assert interp.modules["json"] is not sys.modules.get("json")


def test_errors_are_printed_and_the_interpreter_goes_on(interp):
    with interp.capture() as out:
        record = interp.run_source("1/0")
    assert isinstance(record.exception, ZeroDivisionError)
    assert out.err.startswith("Traceback (most recent call last):\n"
                              '  File "<string>", line 1, in <module>\n')
    assert out.err.endswith("ZeroDivisionError: division by zero\n")
    assert interp.sys.last_value is record.exception
    with interp.capture() as out:
        interp.run_source("def f(:\n")
    assert "SyntaxError: invalid syntax" in out.err
    assert "Traceback" not in out.err


def test_system_exit_sets_the_exit_status():
    booted = fresh("-S")
    with booted.capture() as out:
        booted.run_source("raise SystemExit('bye')")
    assert booted.exit_status == 1
    assert out.err == "bye\n"
    booted.run_source("import sys; sys.exit(3)")
    assert booted.exit_status == 3
    booted.finalize()


def test_run_file_sets_file_while_it_runs(tmp_path, interp):
    script = tmp_path / "s.py"
    script.write_text("print(__name__, __file__)\n")
    with interp.capture() as out:
        interp.run_file(str(script))
    assert out.out == f"__main__ {script}\n"
    assert "__file__" not in interp.main_dict


def test_interactive_transcript_with_echo(interp):
    text = interp.interactive(["x = 2", "if x:", "    x * 21", "", "_ + 0", "1/0", "x"])
    # 3.13 keeps the source of interactive input, and its tracebacks quote it
    quoted = ("    1/0\n    ~^~\n"
              if profiles.runtime.get().tracebacks_quote_string_source else "")
    assert text == (">>> x = 2\n>>> if x:\n...     x * 21\n... \n42\n>>> _ + 0\n42\n"
                    ">>> 1/0\nTraceback (most recent call last):\n"
                    f'  File "<stdin>", line 1, in <module>\n{quoted}'
                    "ZeroDivisionError: division by zero\n>>> x\n2\n>>> \n")


def test_interactive_code_file_names():
    import re

    booted = fresh("-S")
    text = booted.interactive(["import sys", "sys._getframe().f_code.co_filename",
                               "def f(:", "sys._getframe().f_code.co_filename"], echo=False)
    booted.finalize()
    names = re.findall(r"'(<stdin>[-0-9]*)'", text)
    if profiles.runtime.get().tracebacks_quote_string_source:
        # 3.13 numbers each statement that parsed; the syntax error took no number
        assert names == ["<stdin>-1", "<stdin>-2"]
    else:
        assert names == ["<stdin>", "<stdin>"]


def test_interactive_prompts_are_sys_ps1_and_ps2():
    booted = fresh("-S")
    text = booted.interactive(["import sys", "sys.ps1 = 'py> '", "(1,", "2)"], echo=False)
    assert text == ">>> >>> py> ... (1, 2)\npy> \n"
    booted.finalize()


def test_input_reads_the_next_lines_of_the_session(interp):
    text = interp.interactive(["name = input('who? ')", "ada", "name"], echo=False)
    assert text == ">>> who? >>> 'ada'\n>>> \n"


def test_run_main_runs_the_command_line(tmp_path):
    script = tmp_path / "p.py"
    script.write_text("import sys\nprint(sys.argv)\nraise SystemExit(4)\n")
    booted = fresh("-S", str(script), "a")
    result = booted.run_main()
    assert (result.exitcode, result.stdout) == (4, f"[{str(script)!r}, 'a']\n")
    assert booted.sys.path[0] == str(tmp_path)
    booted.finalize()


def test_run_main_reads_stdin_when_there_is_no_program():
    booted = fresh("-S")
    result = booted.run_main("print(__name__)\nprint(__file__)\n")
    assert (result.exitcode, result.stdout) == (0, "__main__\n<stdin>\n")
    booted.finalize()


# -- Bad input ------------------------------------------------------------------------


def test_missing_script_and_module(tmp_path):
    booted = fresh("-S", "no_such_script_here.py", env={**ENV})
    result = booted.run_main()
    assert result.exitcode == 2
    assert result.stderr.startswith(f"{sys.executable}: can't open file ")
    assert result.stderr.endswith("[Errno 2] No such file or directory\n")
    booted.finalize()
    booted = fresh("-S", "-m", "no_such_module_here")
    result = booted.run_main()
    assert (result.exitcode, result.stderr) == (
        1, f"{sys.executable}: No module named no_such_module_here\n")
    booted.finalize()


def test_a_syntax_error_in_a_script(tmp_path):
    script = tmp_path / "bad.py"
    script.write_text("x = (\n")
    booted = fresh("-S", str(script))
    result = booted.run_main()
    assert result.exitcode == 1
    assert result.stderr.startswith(f'  File "{script}", line 1\n')
    assert "SyntaxError: '(' was never closed" in result.stderr
    booted.finalize()


def test_pythonhome_pointing_nowhere_fails_as_the_real_one():
    with pytest.raises(InitError) as info:
        fresh("-c", "pass", env={"PYTHONHOME": "/no/where"})
    error = info.value
    assert error.exitcode == 1
    assert "ModuleNotFoundError: No module named 'encodings'" in error.stderr
    assert error.runtime_state == "core initialized"


def test_a_broken_pyvenv_cfg_fails_in_site(tmp_path):
    venv = tmp_path / "env"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(os.path.realpath(sys.executable))
    home = os.path.dirname(os.path.realpath(sys.executable))
    (venv / "pyvenv.cfg").write_bytes(f"home = {home}\n".encode() + b"\xff\n")
    with pytest.raises(InitError) as info:
        initialize([str(venv / "bin" / "python"), "-c", "pass"], ENV)
    assert "init_import_site: Failed to import the site module" in info.value.stderr
    assert "UnicodeDecodeError" in info.value.stderr


def test_usage_errors_and_versions_that_cannot_boot():
    with pytest.raises(UsageError, match="Unknown option: -Z"):
        initialize(["python", "-Z"])
    with pytest.raises(ValueError, match=r"needs the BuildConfig of a CPython 2\.7"):
        initialize(["python"], profile="2.7")  # 2.7 boots (boot27), given its build
    other = "3.12" if profiles.running() != "3.12" else "3.13"
    with pytest.raises(ValueError, match="BuildConfig"):
        initialize(["python"], profile=other)


@pytest.mark.parametrize(("argv", "env", "message"), [
    ("python -c pass", None, r"argv is a list of strings.*not str 'python -c pass'"),
    (["python", "-c", 1], None, r"every argument in argv must be a str, not 1"),
    (None, {"PYTHONPATH": 5}, r"env maps str to str; 'PYTHONPATH': 5 is not"),
    (None, [("A", "b")], r"env is a mapping of str to str, not list"),
])
def test_a_command_line_no_exec_could_take_is_refused(argv, env, message):
    with pytest.raises(TypeError, match=message):
        initialize(argv, env)


def test_x_importtime_prints_a_line_as_each_import_ends(capsys):
    from pyinternals.runtime.fidelity import _importtime
    from pyinternals.runtime.pylifecycle import IMPORT_TIME_HEADER

    interp = initialize([sys.executable, "-S", "-X", "importtime", "-c", "pass"])
    err = capsys.readouterr().err
    assert err.splitlines()[0] == IMPORT_TIME_HEADER
    assert _importtime(err) == interp.startup_imports
    assert err.count(IMPORT_TIME_HEADER) == 1
    initialize([sys.executable, "-S", "-c", "pass"])
    assert capsys.readouterr().err == ""


# -- A second interpreter, finalize, the host --------------------------------------------


def test_a_second_interpreter_has_its_own_modules():
    main = fresh("-S")
    sub = main.new_interpreter()
    assert [i.id for i in main.runtime.interpreters()] == [1, 0]
    assert main.runtime.tstate_current is sub.tstate
    assert sub.modules is not main.modules
    sub.run_source("import json")
    assert "json" in sub.modules
    assert "json" not in main.modules
    assert sub.builtins is not main.builtins
    dot = main.runtime.to_dot()
    assert '"interp1"' in dot
    assert '"interp0"' in dot
    with pytest.raises(InterpreterFinalized, match="sub-interpreters first"):
        main.finalize()
    sub.finalize()
    main.finalize()
    assert main.runtime.interp_head is None
    with pytest.raises(InterpreterFinalized, match="was finalized"):
        main.run_source("pass")
    main.finalize()  # twice does nothing


def test_atexit_callbacks_belong_to_the_interpreter_and_run_at_finalize():
    import atexit

    host_callbacks = atexit._ncallbacks()
    booted = fresh("-S")
    booted.run_source("import atexit\natexit.register(print, 'first')\n"
                      "atexit.register(print, 'last')\natexit.register(lambda: 1/0)")
    assert atexit._ncallbacks() == host_callbacks
    assert booted.modules["atexit"] is not atexit
    with booted.capture() as out:
        booted.finalize()
    assert out.out == "last\nfirst\n"  # the last registered runs first
    assert out.err.startswith("Exception ignored in atexit callback: <function <lambda>")
    assert out.err.endswith("ZeroDivisionError: division by zero\n")


def test_the_host_is_left_as_it_was():
    import atexit

    callbacks = atexit._ncallbacks()
    modules, path, environ = list(sys.modules), list(sys.path), dict(os.environ)
    flags, hooks = sys.flags, (sys.displayhook, sys.excepthook, sys.stdout, sys.stderr)
    import builtins

    builtins_names = sorted(vars(builtins))
    booted = initialize([sys.executable, "-c", "pass"], ENV)
    booted.run_main()
    booted.run_source("import json, email.message, atexit; atexit.register(len, 'x')")
    booted.interactive(["import collections", "1/0", "2"])
    booted.finalize()
    assert list(sys.modules) == modules
    assert sys.path == path
    assert dict(os.environ) == environ
    assert sys.flags == flags
    assert (sys.displayhook, sys.excepthook, sys.stdout, sys.stderr) == hooks
    assert sorted(vars(builtins)) == builtins_names
    assert codecs.lookup("utf-8").name == "utf-8"
    assert atexit._ncallbacks() == callbacks
