"""How start-up ends early: CPython's `PyStatus`, as exceptions of the model.

CPython's configuration and initialization functions return a `PyStatus`
(`Include/cpython/initconfig.h`): OK, an *exit* (print something, then leave with an
exit code: `python -h`, a usage error) or an *error* (`Py_ExitStatusException` prints
`Fatal Python error: ...` and exits with status 1).  The model raises instead, and the
exception carries exactly what the real interpreter would have printed and its exit
status, so that a test can compare them with a real run.  The host process is never
left: these are ordinary exceptions, never `SystemExit`.
"""

from __future__ import annotations

from pyinternals.runtime.pystate import FatalError


class PyStatusExit(Exception):
    """The interpreter would stop here and exit with `exitcode` (`_PyStatus_EXIT`).

    `stdout` and `stderr` hold what it would have printed before leaving.
    """

    def __init__(self, exitcode: int, *, stdout: str = "", stderr: str = "") -> None:
        self.exitcode = exitcode
        self.stdout = stdout
        self.stderr = stderr
        shown = (stderr or stdout).strip()
        super().__init__(f"the interpreter exits with status {exitcode}"
                         + (f": {shown}" if shown else ""))


class UsageError(PyStatusExit):
    """A command line the interpreter refuses: the usage message, exit status 2."""

    def __init__(self, message: str, program: str) -> None:
        self.message = message
        usage = ((f"{message}\n" if message else "") +
                 f"usage: {program} [option] ... [-c cmd | -m mod | file | -] [arg] ...\n"
                 "Try `python -h' for more information.\n")
        super().__init__(2, stderr=usage)


class InitError(FatalError):
    """Start-up failed as the real interpreter fails: what it prints, its exit status.

    3.x prints `Fatal Python error: FUNCTION: MESSAGE` (the function is left out for
    some errors), `Python runtime state: STATE`, the exception that caused the
    failure if any (`details`), a blank line and, when a thread state exists, the
    threads' tracebacks (`Current thread 0x... (most recent call first)`).  The model
    stops at the blank line, since the thread's address changes from run to run.
    2.x printed `Fatal Python error: MESSAGE` and aborted (`exitcode` -6: killed by
    SIGABRT), or only the exception for a failed `import site` (`fatal=False`).
    `preamble` is printed first (3.11's dump of the path configuration).
    """

    def __init__(self, message: str, *, function: str = "", runtime_state: str = "",
                 details: str = "", preamble: str = "", fatal: bool = True,
                 exitcode: int = 1) -> None:
        super().__init__(function or "Py_Initialize", message)
        self.message = message
        self.runtime_state = runtime_state
        self.details = details
        self.exitcode = exitcode
        lines = [preamble.rstrip("\n")] if preamble else []
        if fatal:
            lines.append("Fatal Python error: " + (f"{function}: " if function else "")
                         + message)
            if runtime_state:
                lines.append(f"Python runtime state: {runtime_state}")
        else:
            lines.append(message)
        if details:
            lines.append(details.rstrip("\n"))
        if runtime_state:
            lines.append("")
        #: What the real interpreter prints on standard error.
        self.stderr = "\n".join(lines) + "\n"
        self.args = (self.stderr.strip(),)
