"""The model interpreter's `sys.stdin`, `sys.stdout` and `sys.stderr`.

`init_sys_streams` (`Python/pylifecycle.c`) wraps file descriptors 0, 1 and 2 in
`io.TextIOWrapper`s.  A model interpreter shares its process with the host, so its
streams cannot own those descriptors: a {py:class}`StdStream` forwards what is
written to a target, by default whatever the host's `sys.stdout` (or `sys.stderr`)
is at the moment of writing.  That is why a doctest sees what the model prints.
{py:meth}`StdStream.redirect` sends the output somewhere else for a while: the
interactive loop collects both streams into one transcript that way.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from typing import TextIO

__all__ = ["StdStream"]


class StdStream(io.TextIOBase):
    """A text stream that forwards to the host's stream of the same name, or elsewhere."""

    def __init__(self, name: str) -> None:
        if name not in ("stdout", "stderr"):
            raise ValueError(f"a StdStream forwards stdout or stderr, not {name!r}")
        self._name = name
        self._target: TextIO | None = None

    @property
    def name(self) -> str:
        """`<stdout>` or `<stderr>`, as the real streams are named."""
        return f"<{self._name}>"

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """Always UTF-8."""
        return "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        """`strict` for stdout, `backslashreplace` for stderr, as CPython sets them."""
        return "backslashreplace" if self._name == "stderr" else "strict"

    def _current(self) -> TextIO:
        if self._target is not None:
            return self._target
        stream: TextIO = getattr(sys, self._name)
        return stream

    def writable(self) -> bool:
        """Yes."""
        return True

    def write(self, text: str) -> int:
        """Forward `text`; a `str` only, as a real text stream demands."""
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._current().write(text)
        return len(text)

    def flush(self) -> None:
        """Flush the target."""
        self._current().flush()

    def isatty(self) -> bool:
        """The model's streams are never a terminal."""
        return False

    @contextlib.contextmanager
    def redirect(self, target: TextIO) -> Iterator[TextIO]:
        """Send what is written to `target` inside the `with` block."""
        saved, self._target = self._target, target
        try:
            yield target
        finally:
            self._target = saved

    def __repr__(self) -> str:
        return f"<StdStream {self.name}>"
