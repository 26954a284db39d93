"""The import system's trace switch: every step of every import, in order.

A {py:class}`Trace` is off until it is switched on (`trace.enabled = True`, or
`with imp.trace:` which also clears it).  While on, the model reports each step as an
{py:class}`Event`: which module lock it took, which finder it asked and what the
finder said, which path entry finder it used (from `sys.path_importer_cache` or made
by a path hook), which file it found, whether the bytecode cache was used, written
or rejected, and when the module's code ran.  Events nest inside
{py:class}`ImportRecord`s, one per module actually loaded, whose `children` are the
imports its code made: the start-up of an interpreter, or the import of a package,
becomes a tree.

Three ways to read it:

- {py:meth}`Trace.lines`: one indented line per step, for people;
- {py:meth}`Trace.importtime`: the modules in the order `python -X importtime`
  prints them (an import is listed when it *ends*, so nested imports come first),
  with their nesting depth and, for interactive use, their self and cumulative
  times;
- {py:meth}`Trace.verbose`: what `python -v` would have printed (importlib's
  `_verbose_message` calls).

The runtime chapter boots its model interpreter through an
{py:class}`~pyinternals.importing.system.ImportSystem` and reads the start-up modules from
here.  See {doc}`/importing`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType


@dataclass
class Event:
    """One step of an import."""

    #: `import`, `hit`, `lock`, `find`, `path-entry`, `file`, `spec`, `bytecode`,
    #: `exec`, `namespace`, `done`, `failed`, `verbose`.
    kind: str
    #: The module (or path entry, for `path-entry`) the step is about.
    name: str
    #: How many imports were open in this thread when it happened.
    depth: int
    details: dict[str, object] = field(default_factory=dict)

    def describe(self) -> str:
        """The event as one line of text, without indentation."""
        d = self.details
        if self.kind == "import":
            return f"import {self.name} (via {d['via']})"
        if self.kind == "hit":
            asker = " (asked by C code)" if d.get("by_c") else ""
            return f"{self.name}: already in sys.modules{asker}"
        if self.kind == "lock":
            count = d.get("count")
            if d["action"] == "acquired" and count and int(str(count)) > 1:
                return f"module lock {self.name!r} acquired again by its owner (held {count}x)"
            if d["action"] == "released" and count:
                return f"module lock {self.name!r} released once (still held {count}x)"
            return f"module lock {self.name!r} {d['action']}"
        if self.kind == "find":
            found = d["found"]
            return f"{d['finder']}.find_spec({self.name!r}) -> " + (
                "None" if found is None else f"spec (origin {found})")
        if self.kind == "path-entry":
            return f"path entry {self.name!r}: {d['finder']} ({d['cache']} in " \
                   "sys.path_importer_cache)"
        if self.kind == "file":
            return f"{self.name}: found {d['found']} ({d['loader']})"
        if self.kind == "spec":
            kind = "package" if d.get("package") else "module"
            return f"{self.name}: {kind} spec, loader {d['loader']}, origin {d['origin']}"
        if self.kind == "bytecode":
            reason = f": {d['reason']}" if d.get("reason") else ""
            return f"{self.name}: bytecode {d['path']} {d['state']}{reason}"
        if self.kind == "exec":
            again = " again (reload)" if d.get("reload") else ""
            return f"{self.name}: exec_module{again} by {d['loader']}"
        if self.kind == "namespace":
            return f"{self.name}: namespace path recomputed: {d['path']}"
        if self.kind == "done":
            return f"{self.name}: done"
        if self.kind == "failed":
            return f"{self.name}: failed, {d['error']}"
        if self.kind == "verbose":
            return str(d["text"])
        return f"{self.kind} {self.name} {d}"


@dataclass
class ImportRecord:
    """One module actually loaded (or that failed to load), with what it imported."""

    name: str
    #: `__import__` (the import statement and the C API) or `importlib`
    #: (`importlib.import_module`).
    via: str
    depth: int
    parent: ImportRecord | None = None
    children: list[ImportRecord] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    started: int = 0
    ended: int = 0
    #: The indentation `-X importtime` gives this import's row: the number of
    #: `__import__` imports open in the whole process when it ends (CPython counts
    #: them in one static variable, `import_level`, shared by all threads).
    importtime_level: int = 0
    #: `None` while running, then `True` or `False`.
    ok: bool | None = None
    error: str | None = None

    def _detail(self, kind: str, key: str) -> object:
        for event in self.events:
            if event.kind == kind and event.name == self.name:
                return event.details.get(key)
        return None

    @property
    def finder(self) -> str | None:
        """The meta path finder that found the module."""
        for event in self.events:
            if event.kind == "find" and event.name == self.name and event.details["found"]:
                return str(event.details["finder"])
        return None

    @property
    def loader(self) -> str | None:
        """The loader's class (or the importer class, for built-in and frozen)."""
        value = self._detail("spec", "loader")
        return None if value is None else str(value)

    @property
    def origin(self) -> str | None:
        """The spec's origin: a file, `built-in` or `frozen`."""
        value = self._detail("spec", "origin")
        return None if value is None else str(value)

    @property
    def bytecode(self) -> str | None:
        """What happened with the `.pyc`: `hit`, `written`, `rejected`, `missing`..."""
        states = [str(e.details["state"]) for e in self.events
                  if e.kind == "bytecode" and e.name == self.name]
        return ", ".join(states) or None

    @property
    def cumulative_us(self) -> float:
        """Microseconds from start to end, nested imports included."""
        return (self.ended - self.started) / 1000

    @property
    def self_us(self) -> float:
        """Microseconds spent in this import itself (`-X importtime`'s self)."""
        nested = sum(c.ended - c.started for c in self.children if c.via == "__import__")
        return (self.ended - self.started - nested) / 1000


class Trace:
    """The trace switch of an import system, and what it recorded."""

    def __init__(self) -> None:
        #: Whether steps are recorded.
        self.enabled = False
        self.events: list[Event] = []
        #: Every import, in the order it started.
        self.records: list[ImportRecord] = []
        self._local = threading.local()
        self._lock = threading.Lock()
        self._import_level = 0
        #: Called with each `__import__` record as it ends (`-X importtime` prints then).
        self.on_import_end: Callable[[ImportRecord], None] | None = None

    # -- Switching ------------------------------------------------------------------

    def clear(self) -> None:
        """Forget everything recorded."""
        with self._lock:
            self.events = []
            self.records = []

    def __enter__(self) -> Trace:
        self.clear()
        self.enabled = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.enabled = False

    # -- Recording (called by the model) ----------------------------------------------

    def _stack(self) -> list[ImportRecord]:
        stack: list[ImportRecord] | None = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def emit(self, kind: str, name: str, **details: object) -> None:
        """Record one step."""
        stack = self._stack()
        event = Event(kind, name, len(stack), details)
        with self._lock:
            self.events.append(event)
        if stack:
            stack[-1].events.append(event)

    def begin(self, name: str, via: str) -> ImportRecord:
        """An import of `name` starts (the module is not in `sys.modules`)."""
        stack = self._stack()
        parent = stack[-1] if stack else None
        record = ImportRecord(name, via, len(stack), parent, started=time.perf_counter_ns())
        self.emit("import", name, via=via)
        with self._lock:
            self.records.append(record)
            if via == "__import__":
                self._import_level += 1
        if parent is not None:
            parent.children.append(record)
        stack.append(record)
        return record

    def end(self, record: object, module: object, exc: BaseException | None = None) -> None:
        """The import `begin` started is over; `exc` if it failed."""
        assert isinstance(record, ImportRecord)
        stack = self._stack()
        record.ended = time.perf_counter_ns()
        record.ok = exc is None
        if record.via == "__import__":
            with self._lock:
                self._import_level -= 1
                record.importtime_level = self._import_level
        if exc is not None:
            record.error = f"{type(exc).__name__}: {exc}"
        while stack and stack[-1] is not record:
            stack.pop()  # a record left open by an exception that skipped its end
        if stack:
            stack.pop()
        if exc is None:
            self.emit("done", record.name)
        else:
            self.emit("failed", record.name, error=record.error)
        if self.on_import_end is not None and record.via == "__import__":
            self.on_import_end(record)

    # -- Reading ----------------------------------------------------------------------

    def completed(self) -> Iterator[ImportRecord]:
        """The records in the order their imports ended."""
        return iter(sorted((r for r in self.records if r.ok is not None),
                           key=lambda r: r.ended))

    def importtime(self) -> list[tuple[str, int]]:
        """`(module, level)` in `python -X importtime` order: each import when it ends,
        nested ones first and indented deeper (by the process-wide count of imports
        still open, as CPython does, threads mixed); `importlib.import_module` calls
        are not listed (CPython times only `__import__`)."""
        return [(record.name, record.importtime_level) for record in self.completed()
                if record.via == "__import__"]

    def format_importtime(self, *, times: bool = False) -> str:
        """The importtime table; `times=True` adds self and cumulative microseconds
        (they vary from run to run)."""
        lines = []
        by_name = {r.name: r for r in self.completed()}
        for name, level in self.importtime():
            indent = "  " * level
            if times:
                record = by_name[name]
                lines.append(f"import time: {record.self_us:9.0f} | {record.cumulative_us:10.0f}"
                             f" | {indent}{name}")
            else:
                lines.append(f"{indent}{name}")
        return "\n".join(lines)

    def lines(self, *, kinds: tuple[str, ...] | None = None) -> list[str]:
        """Every step as an indented line (only the `kinds` given, if any)."""
        shown = [e for e in self.events if kinds is None or e.kind in kinds]
        return ["  " * e.depth + e.describe() for e in shown if e.kind != "verbose"]

    def verbose(self) -> list[str]:
        """The lines `python -v` prints for these imports (importlib's messages)."""
        return [str(e.details["text"]) for e in self.events
                if e.kind == "verbose" and int(str(e.details["verbosity"])) <= 1]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"<Trace {state}: {len(self.records)} imports, {len(self.events)} events>"
