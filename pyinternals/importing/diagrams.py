"""Drawings of the import system, from live state.

- {py:class}`ModuleTree`: the module pool (`sys.modules`) as a tree of packages and
  modules: which submodules are bound on their package, each package's `__path__`,
  the `None` entries 2.x leaves for its misses.
- {py:class}`FinderChain`: the finders one import asked, in order, and what each
  answered: the meta path, then each path entry's finder, then the file found.
- {py:class}`ImportSequence`: one import as a sequence of steps (module lock, finders,
  loader, bytecode cache, module code run), nested imports inside.
- {py:class}`CallTree`: the C functions of 2.x's `import.c` one import went through,
  from the legacy model's trace.

Paths are shown relative to a folder given by the caller (`relative_to`), so that a
drawing of a tree built in a temporary folder is the same on every run.
See {doc}`/importing`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

from pyinternals.diagrams import Drawable
from pyinternals.diagrams.dot import Field, Record
from pyinternals.diagrams.style import edge_role, graph, role
from pyinternals.importing.legacy import LegacyTrace
from pyinternals.importing.trace import Event, ImportRecord, Trace


def _shown(path: object, relative_to: str | None) -> str:
    """`path` (or any text holding paths) with `relative_to` written `<root>`."""
    text = str(path)
    if relative_to:
        text = text.replace(relative_to.rstrip(os.sep), "<root>")
    return text


class ModuleTree(Drawable):
    """The modules of a `sys.modules` whose names start with one of `prefixes` (all
    modules if none are given), as a tree of packages.

    A solid arrow is a submodule bound on its package; a dashed one, a submodule in
    `sys.modules` that is not (yet) bound, as during a circular import.
    """

    def __init__(self, modules: Mapping[str, Any], prefixes: Iterable[str] = (), *,
                 relative_to: str | None = None, title: str = "sys.modules") -> None:
        wanted = tuple(prefixes)
        self.title = title
        self.relative_to = relative_to
        self.names = sorted(n for n in modules
                            if not wanted or any(n == p or n.startswith(p + ".")
                                                 for p in wanted))
        self.modules = {n: modules[n] for n in self.names}

    def describe(self) -> str:
        """The tree as text: one line per module, indented under its package."""
        lines = []
        for name in self.names:
            depth = name.count(".")
            lines.append("  " * depth + self._summary(name))
        return "\n".join(lines)

    def _kind(self, module: Any) -> str:
        if module is None:
            return "None (a miss)"
        if not isinstance(module, ModuleType):
            return type(module).__name__
        if hasattr(module, "__path__"):
            return "namespace package" if getattr(module, "__file__", None) is None \
                else "package"
        return "module"

    def _summary(self, name: str) -> str:
        module = self.modules[name]
        kind = self._kind(module)
        text = f"{name}: {kind}"
        if isinstance(module, ModuleType):
            path = getattr(module, "__path__", None)
            if path is not None:
                text += f", __path__ {[_shown(p, self.relative_to) for p in path]}"
        return text

    def to_dot(self) -> str:
        """Packages as folders, modules as boxes, misses dashed."""
        g = graph("module_tree", rankdir="LR")
        g.node("sys.modules", label=self.title, **role("name"))
        for name in self.names:
            module = self.modules[name]
            kind = self._kind(module)
            node = f"mod:{name}"
            if module is None:
                g.node(node, label=f"{name}\nNone", **role("elided"), style="dashed",
                       shape="box")
            else:
                fields: list[Field | Record | str] = [Field(name, "name"), kind]
                path = getattr(module, "__path__", None)
                if path is not None:
                    fields.append("__path__: " + ", ".join(
                        _shown(p, self.relative_to) for p in path))
                file = getattr(module, "__file__", None)
                if file:
                    fields.append(os.path.basename(str(file)))
                package = kind.endswith("package")
                attrs = role("package" if package else "module")
                attrs["shape"] = "record"
                g.node(node, label=Record([Record(fields)]), **attrs)
            parent, _, child = name.rpartition(".")
            if parent and parent in self.modules:
                bound = getattr(self.modules[parent], child, None) is module and \
                    module is not None
                g.edge(f"mod:{parent}", node, label=child,
                       **edge_role("strong" if bound else "weak"))
            elif not parent or parent not in self.modules:
                g.edge("sys.modules", node, **edge_role("ref"))
        return g.source()


# -- Traces ---------------------------------------------------------------------------


def _record(trace: Trace, name: str) -> ImportRecord:
    for record in trace.records:
        if record.name == name:
            return record
    known = ", ".join(r.name for r in trace.records) or "none (was the trace on?)"
    raise KeyError(f"the trace has no import of {name!r}; it has: {known}")


class FinderChain(Drawable):
    """The finders the import of `name` asked, in order, with their answers.

    Each meta path finder is asked in turn; under the one that searches paths come
    the path entries it tried (each entry's finder, from `sys.path_importer_cache`
    or made by a path hook) and the file it found.
    """

    def __init__(self, trace: Trace, name: str, *, relative_to: str | None = None) -> None:
        self.record = _record(trace, name)
        self.relative_to = relative_to
        #: `(meta path finder event, [path entry and file events under it])`.
        self.finders: list[tuple[Event, list[Event]]] = []
        pending: list[Event] = []
        for e in self.record.events:
            if e.kind in ("path-entry", "file") and (e.kind == "path-entry" or e.name == name):
                pending.append(e)
            elif e.kind == "find" and e.name == name:
                self.finders.append((e, pending))
                pending = []

    def describe(self) -> str:
        """The chain as text."""
        lines = []
        for finder, under in self.finders:
            lines.append(self._text(finder))
            lines += ["  " + self._text(e) for e in under]
        return "\n".join(lines)

    def _text(self, e: Event) -> str:
        d = e.details
        if e.kind == "find":
            found = d["found"]
            return f"{d['finder']}: " + ("None" if found is None else
                                         f"spec, origin {_shown(found, self.relative_to)}")
        if e.kind == "path-entry":
            finder = _shown(d["finder"], self.relative_to)
            return f"path entry {_shown(e.name, self.relative_to)}: {finder} " \
                   f"({d['cache']} in sys.path_importer_cache)"
        return f"{d['loader']}: {_shown(d['found'], self.relative_to)}"

    def to_dot(self) -> str:
        """Meta path finders left to right; path entries and files below theirs."""
        g = graph("finder_chain", rankdir="TB")
        g.node("import", label=f"import {self.record.name}", **role("name"))
        previous = "import"
        count = 0
        for finder, under in self.finders:
            node = f"finder{count}"
            count += 1
            found = finder.details["found"] is not None
            g.node(node, label=f"{finder.details['finder']}\n" + ("found" if found else "None"),
                   **role("finder" if found else "idle"))
            g.edge(previous, node, **edge_role("list"))
            previous = node
            last = node
            for e in under:
                child = f"step{count}"
                count += 1
                attrs = role("module" if e.kind == "file" else "state")
                attrs["shape"] = "box"
                label = self._text(e).replace(": ", ":\n", 1)
                g.node(child, label=label, **attrs)
                g.edge(last, child, **edge_role("request"))
                last = child
        return g.source()


_STEP_KINDS = ("lock", "find", "spec", "bytecode", "exec", "namespace", "done", "failed")


class ImportSequence(Drawable):
    """One import, step by step, its nested imports drawn inside it."""

    def __init__(self, trace: Trace, name: str, *, relative_to: str | None = None,
                 kinds: tuple[str, ...] = _STEP_KINDS) -> None:
        self.record = _record(trace, name)
        self.relative_to = relative_to
        self.kinds = kinds

    def _steps(self, record: ImportRecord) -> list[tuple[str, Any]]:
        """The record's own events and its nested records, in the order they began."""
        items: list[tuple[str, Any]] = []
        children = iter(record.children)
        child = next(children, None)
        for event in record.events:
            if event.kind == "import" and child is not None and event.name == child.name:
                items.append(("record", child))
                child = next(children, None)
            elif event.kind in self.kinds:
                items.append(("event", event))
        return items

    def describe(self) -> str:
        """The sequence as indented text."""
        lines: list[str] = []
        self._describe(self.record, 0, lines)
        return "\n".join(lines)

    def _describe(self, record: ImportRecord, depth: int, lines: list[str]) -> None:
        lines.append("  " * depth + f"import {record.name}")
        for kind, item in self._steps(record):
            if kind == "record":
                self._describe(item, depth + 1, lines)
            else:
                text = item.describe()
                if self.relative_to:
                    text = text.replace(self.relative_to, "<root>")
                lines.append("  " * (depth + 1) + text)

    def to_dot(self) -> str:
        """Each import a box of steps, top to bottom; nested imports as inner boxes."""
        g = graph("import_sequence", rankdir="TB")
        counter = [0]

        def draw(record: ImportRecord, previous: str | None) -> str:
            with g.cluster(f"import{counter[0]}", label=f"import {record.name}",
                           style="rounded", color="#6b6b6b"):
                counter[0] += 1
                for kind, item in self._steps(record):
                    if kind == "record":
                        previous = draw(item, previous)
                        continue
                    node = f"s{counter[0]}"
                    counter[0] += 1
                    text = item.describe()
                    if self.relative_to:
                        text = text.replace(self.relative_to, "<root>")
                    name = {"lock": "lock", "find": "finder", "exec": "holder",
                            "failed": "unreachable"}.get(item.kind, "state")
                    attrs = role(name)
                    if attrs.get("shape") == "record":
                        attrs["shape"] = "box"
                    g.node(node, label=text, **attrs)
                    if previous is not None:
                        g.edge(previous, node, **edge_role("ref"))
                    previous = node
            return previous or ""

        draw(self.record, None)
        return g.source()


class CallTree(Drawable):
    """The `import.c` functions the legacy model went through (its trace's calls)."""

    def __init__(self, trace: LegacyTrace) -> None:
        self.calls = [e for e in trace.entries if e.kind == "call"]
        if not self.calls:
            raise ValueError("the legacy trace recorded no calls: run the imports inside "
                             "`with legacy.trace:`")

    def describe(self) -> str:
        """One line per call, indented by nesting."""
        return "\n".join("  " * e.depth + e.text for e in self.calls)

    def to_dot(self) -> str:
        """Calls as a tree, numbered in the order they happened."""
        g = graph("call_tree", rankdir="LR")
        parents: list[str] = []
        for i, entry in enumerate(self.calls):
            node = f"call{i}"
            attrs = role("state")
            attrs["shape"] = "box"
            g.node(node, label=f"{i + 1}. {entry.text}", **attrs)
            del parents[entry.depth:]
            if parents:
                g.edge(parents[-1], node, **edge_role("ref"))
            parents.append(node)
        return g.source()
