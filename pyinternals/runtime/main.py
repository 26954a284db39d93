"""Running the program of the command line: `Py_RunMain` (`Modules/main.c`).

Once the interpreter is initialized, `pymain_run_python` decides what to run, in
this order: the `-c` command, the `-m` module, the script file, or standard input
(`PyRun_AnyFileExFlags`, which the notes describe: a terminal gets the interactive
loop, anything else is read whole and run like a file).  A "script" that is a folder
or a zip file with a `__main__.py` runs as that module, the folder first on
`sys.path`.  Before that it puts
`sys.path[0]` in front of the search path (the script's folder, the current folder
for `-m`, `''` otherwise; nothing under `-P`).  With `-i` (or `PYTHONINSPECT`) the
interactive loop follows the program.  The exit status is 0, 1 for an uncaught
exception, 2 for a script that cannot be opened, or what `SystemExit` says.

{py:func}`pymain_run_python` runs that on a model
{py:class}`~pyinternals.runtime.pylifecycle.Interpreter` with the standard input it
is given (never a terminal): the result is the exit status and what the program
printed.  See {doc}`/runtime`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyinternals.runtime import pythonrun
from pyinternals.runtime.pathconfig import compute_sys_path0

if TYPE_CHECKING:
    from pyinternals.runtime.pylifecycle import Interpreter

__all__ = ["RunResult", "pymain_run_python"]


@dataclass
class RunResult:
    """How the program ended: exit status, standard output, standard error."""

    exitcode: int
    stdout: str
    stderr: str


def pymain_update_sys_path(interp: Interpreter) -> str | None:
    """`pymain_run_python`'s first step: `sys.path[0]` (`_PyPathConfig_ComputeSysPath0`)."""
    path0 = compute_sys_path0(interp.config, interp.fs)
    if path0 is not None:
        interp.sys.path.insert(0, path0)
    return path0


def pymain_run_command(interp: Interpreter) -> int:
    """`-c`: the command runs in `__main__` with the file name `<string>`."""
    command = interp.config.run_command
    assert command is not None
    for name in interp.profile.run_command_imports:  # 3.13: linecache keeps the source
        interp.import_module(name)
    record = interp.run_source(command)
    return _status(record)


def pymain_get_importer(interp: Interpreter, filename: str) -> object | None:
    """`PyImport_GetImporter`: the path entry finder of `filename`, if any.

    A folder (or a zip file) has one: it is run as a package, its `__main__` module.
    A plain file has none (the answer, `None`, is cached in
    `sys.path_importer_cache` all the same).
    """
    cache = interp.sys.path_importer_cache
    if filename in cache:
        found: object | None = cache[filename]
        return found
    importer = None
    for hook in interp.sys.path_hooks:
        try:
            importer = hook(filename)
            break
        except ImportError:
            continue
    cache[filename] = importer
    return importer


def pymain_run_module(interp: Interpreter, name: str | None = None, *,
                      alter_argv: bool = True) -> int:
    """`-m`: `runpy._run_module_as_main(name)`, through the model's import system."""
    name = name if name is not None else interp.config.run_module
    assert name is not None
    runpy = interp.import_module("runpy")
    with interp._current():
        try:
            runpy._run_module_as_main(name, alter_argv)
        except SystemExit as exc:
            return pythonrun._exit_code(interp, exc)
        except BaseException as exc:
            pythonrun.PyErr_Print(interp, exc)
            return 1
    return 0


def pymain_run_file(interp: Interpreter) -> int:
    """A script: opened (status 2 and a message if it cannot be), then run."""
    filename = interp.config.run_filename
    assert filename is not None
    program = interp.config.program_name
    try:
        data = interp.fs.read_bytes(filename)
    except OSError as exc:
        shown = repr(filename) if interp.profile.script_error_abspath else f"'{filename}'"
        interp.sys.stderr.write(f"{program}: can't open file {shown}: "
                                f"[Errno {exc.errno}] {exc.strerror}\n")
        return 2
    source = data.decode("utf-8", "surrogateescape")
    if interp.config.skip_source_first_line:
        source = "\n" + source.partition("\n")[2]  # the newline keeps line numbers
    with interp._current():
        record = pythonrun.PyRun_SimpleFileExFlags(interp, filename, source)
    interp._after(record)
    return _status(record)


def pymain_run_stdin(interp: Interpreter, stdin: str) -> int:
    """Standard input that is not a terminal: read whole, run as `<stdin>`.

    With `-i` it is the interactive loop instead (`PyRun_AnyFileExFlags` with the
    inspect flag behaves as if it were a terminal).
    """
    if interp.config.interactive:
        return _interactive(interp, stdin)
    with interp._current():
        record = pythonrun.PyRun_SimpleFileExFlags(interp, "<stdin>", stdin)
    interp._after(record)
    return _status(record)


def _interactive(interp: Interpreter, stdin: str) -> int:
    status = pythonrun.PyRun_InteractiveLoopFlags(interp, stdin, echo=False)
    return status


def _status(record: pythonrun.RunMod) -> int:
    if record.exit_code is not None:
        return record.exit_code
    return 1 if record.exception is not None else 0


def pymain_run_python(interp: Interpreter, stdin: str = "") -> RunResult:
    """Run the configured program on `stdin`; its exit status and output."""
    config = interp.config
    out, err = io.StringIO(), io.StringIO()
    with interp.stdout.redirect(out), interp.stderr.redirect(err):
        interp.sys.stdin = io.StringIO(stdin)
        importer_path = None
        if config.run_filename is not None and pymain_get_importer(
                interp, config.run_filename) is not None:
            importer_path = config.run_filename
            interp.sys.path.insert(0, importer_path)
        else:
            pymain_update_sys_path(interp)
        if config.run_command is not None:
            status = pymain_run_command(interp)
        elif config.run_module is not None:
            status = pymain_run_module(interp)
        elif importer_path is not None:
            status = pymain_run_module(interp, "__main__", alter_argv=False)
        elif config.run_filename is not None:
            status = pymain_run_file(interp)
        else:
            status = pymain_run_stdin(interp, stdin)
            stdin = ""
        ran_program = (config.run_command is not None or config.run_module is not None
                       or config.run_filename is not None)
        if config.inspect and config.interactive and ran_program:
            # pymain_repl: -i after a program; the rest of stdin feeds the loop
            status = _interactive(interp, interp.sys.stdin.read())
    interp.exit_status = status
    return RunResult(status, out.getvalue(), err.getvalue())
