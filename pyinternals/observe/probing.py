"""Running probe scripts in real interpreters.

A *probe* is a small script that runs unchanged on 2.7 and 3.x, measures as little
as it can, and prints one JSON document on standard output.  It runs as a
subprocess of the interpreter under test, so nothing it does can disturb the process
running the models.  The reasoning about what the numbers mean stays in the models.

Probes get their input as JSON on standard input (`payload`) and/or as arguments.
The interpreter runs with `-E -s` by default: `PYTHON*` variables and the user's
site-packages stay out unless a probe asks for them.

A probe that crashes, times out or prints anything but JSON raises
{py:class}`ProbeError`, whose message names the interpreter and the probe.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pyinternals.observe.discovery import Interpreter

#: The probes that come with `pyinternals.observe` itself.
PROBES = Path(__file__).parent / "probes"


class ProbeError(RuntimeError):
    """A probe did not produce a JSON answer; says which probe, where and why."""

    def __init__(
        self,
        interpreter: Interpreter,
        probe: str,
        problem: str,
        *,
        returncode: int | None = None,
        stdout: str = "",
        stderr: str = "",
    ) -> None:
        self.interpreter = interpreter
        self.probe = probe
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        message = f"probe {probe} in {interpreter.describe()} {problem}"
        tail = stderr.strip().splitlines()[-6:]
        if tail:
            message += "\n  stderr: " + "\n          ".join(tail)
        super().__init__(message)


def clean_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The host environment without `PYTHON*` variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONIOENCODING"] = "utf-8"
    if extra:
        env.update(extra)
    return env


def _describe_status(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


def run_probe(
    interpreter: Interpreter,
    probe: str | Path,
    *args: str,
    payload: Any = None,
    flags: Sequence[str] = ("-E", "-s"),
    timeout: float = 120.0,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Any:
    """Run `probe` in `interpreter` and return the JSON it printed, parsed.

    `probe` is a path to a script, or the name of one in {py:data}`PROBES`
    (`"facts"` for `probes/facts.py`).  `payload` is sent as JSON on standard input.
    """
    path = Path(probe) if isinstance(probe, Path) or os.sep in str(probe) else (
        PROBES / f"{probe}.py"
    )
    name = path.name
    if not path.is_file():
        raise FileNotFoundError(f"no probe script at {path}")
    command = [interpreter.executable, *flags, str(path), *args]
    stdin = None if payload is None else json.dumps(payload)
    try:
        proc = subprocess.run(
            command,
            check=False,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            cwd=cwd,
            env=clean_environment() if env is None else dict(env),
        )
    except subprocess.TimeoutExpired as exc:
        raise ProbeError(
            interpreter, name, f"did not finish within {timeout:g} s",
            stderr=_text(exc.stderr),
        ) from None
    except OSError as exc:
        raise ProbeError(interpreter, name, f"could not start: {exc}") from None
    if proc.returncode != 0:
        raise ProbeError(
            interpreter, name, _describe_status(proc.returncode),
            returncode=proc.returncode, stdout=proc.stdout, stderr=proc.stderr,
        )
    try:
        return json.loads(proc.stdout)
    except ValueError:
        shown = proc.stdout.strip()[:200] or "nothing"
        raise ProbeError(
            interpreter, name, f"printed something that is not JSON: {shown!r}",
            returncode=0, stdout=proc.stdout, stderr=proc.stderr,
        ) from None


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


_CacheKey = tuple[Interpreter, str, tuple[str, ...], str]
_answers: dict[_CacheKey, Any] = {}
_locks: dict[_CacheKey, threading.Lock] = {}
_locks_guard = threading.Lock()


def probe_once(interpreter: Interpreter, probe: str | Path, *args: str, payload: Any = None) -> Any:
    """{py:func}`run_probe`, remembered for the life of the process.

    For probes whose answer only depends on the interpreter (its constants and
    defaults): several ledger rows read the same probe, and each interpreter runs it
    once.  Do not use it for measurements that vary from run to run.
    """
    key = (interpreter, str(probe), args, json.dumps(payload, sort_keys=True))
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:  # one run per key, even when ledger threads ask at the same time
        if key not in _answers:
            _answers[key] = run_probe(interpreter, probe, *args, payload=payload)
        return _answers[key]
