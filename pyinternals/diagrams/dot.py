"""Writing Graphviz DOT source, deterministically.

{py:class}`Digraph` collects nodes, edges and clusters in the order they are added
and writes them back in that order, so the same model state always gives the same
text (and so the same SVG).  Node names are chosen by the caller from the model's
own vocabulary (`pool0`, `arena2`, `o5`), never from `id()`.

Labels are plain text or {py:class}`Record` layouts (Graphviz `shape=record`): the
WebAssembly Graphviz used on machines without a system `dot` has no HTML-like labels,
so the drawings never use them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

AttrValue = str | int | float | bool


def quote(text: str) -> str:
    """A DOT double-quoted string holding `text` as it is (escapes stay escapes)."""
    return '"' + text.replace('"', '\\"') + '"'


def escape(text: str) -> str:
    """Escape `text` for a plain label: backslashes, quotes stay literal; `\\n` breaks."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


_RECORD_SPECIAL = str.maketrans({c: "\\" + c for c in "{}|<>\\\" "})


def escape_record(text: str) -> str:
    """Escape `text` for one field of a record label (also `{ } | < >` and spaces)."""
    return text.translate(_RECORD_SPECIAL).replace("\n", "\\n")


@dataclass(frozen=True)
class Field:
    """One field of a record: its text and, optionally, a port edges can attach to."""

    text: str
    port: str | None = None

    def render(self) -> str:
        """This field in record-label syntax."""
        port = f"<{self.port}> " if self.port else ""
        return port + escape_record(self.text)


@dataclass(frozen=True)
class Record:
    """A record label: fields side by side; a nested record turns the direction.

    With `rankdir=LR` the top level runs top to bottom, which is how struct layouts
    are drawn in the book (one field per line, first field on top).
    """

    fields: Sequence[Field | Record | str] = field(default_factory=tuple)

    def render(self) -> str:
        """The whole label in record syntax."""
        parts = []
        for f in self.fields:
            if isinstance(f, Record):
                parts.append("{" + f.render() + "}")
            elif isinstance(f, Field):
                parts.append(f.render())
            else:
                parts.append(escape_record(f))
        return "|".join(parts)


@dataclass(frozen=True)
class Raw:
    """A label that is already DOT-escaped (for `\\l` line ends and the like)."""

    text: str


Label = str | Record | Raw


def left_lines(*lines: str) -> Raw:
    """A label of left-aligned lines."""
    return Raw("".join(escape(line) + "\\l" for line in lines))


def _attrs(attrs: Mapping[str, AttrValue | Label | None]) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, Record):
            text = quote(value.render())
        elif isinstance(value, Raw):
            text = quote(value.text)
        elif isinstance(value, bool):
            text = quote("true" if value else "false")
        elif isinstance(value, str):
            text = quote(escape(value)) if key in ("label", "xlabel", "taillabel",
                                                   "headlabel", "tooltip") else quote(value)
        else:
            text = quote(f"{value:g}" if isinstance(value, float) else str(value))
        parts.append(f"{key}={text}")
    return "[" + " ".join(parts) + "]" if parts else ""


class Digraph:
    """A directed graph, written as DOT in insertion order.

    ```python
    >>> g = Digraph("demo", graph={"rankdir": "LR"})
    >>> g.node("a", label="first")
    'a'
    >>> g.edge("a", "b", label="next")
    >>> print(g.source())
    digraph "demo" {
      graph [rankdir="LR"]
      "a" [label="first"]
      "a" -> "b" [label="next"]
    }

    ```
    """

    def __init__(
        self,
        name: str = "G",
        *,
        graph: Mapping[str, AttrValue] | None = None,
        node: Mapping[str, AttrValue] | None = None,
        edge: Mapping[str, AttrValue] | None = None,
    ) -> None:
        self.name = name
        self._lines: list[str] = []
        self._indent = 1
        self._nodes: set[str] = set()
        for kind, attrs in (("graph", graph), ("node", node), ("edge", edge)):
            if attrs:
                self._emit(f"{kind} {_attrs(attrs)}")

    def _emit(self, line: str) -> None:
        self._lines.append("  " * self._indent + line)

    def node(self, name: str, label: Label | None = None, **attrs: AttrValue | None) -> str:
        """Add node `name` (a record label implies `shape=record`); returns the name."""
        if name in self._nodes:
            raise ValueError(f"node {name!r} is already in the graph")
        self._nodes.add(name)
        if isinstance(label, Record):
            attrs.setdefault("shape", "record")
        all_attrs: dict[str, AttrValue | Label | None] = {"label": label, **attrs}
        self._emit(f"{quote(name)} {_attrs(all_attrs)}".rstrip())
        return name

    def has_node(self, name: str) -> bool:
        """Whether a node of that name was added."""
        return name in self._nodes

    def edge(
        self,
        tail: str,
        head: str,
        *,
        tailport: str | None = None,
        headport: str | None = None,
        **attrs: AttrValue | Label | None,
    ) -> None:
        """Add an edge; ports name a record field (`tailport="freeblock"`)."""
        t = quote(tail) + (f":{quote(tailport)}" if tailport else "")
        h = quote(head) + (f":{quote(headport)}" if headport else "")
        self._emit(f"{t} -> {h} {_attrs(attrs)}".rstrip())

    @contextlib.contextmanager
    def cluster(self, name: str, label: str | None = None, **attrs: AttrValue) -> Iterator[None]:
        """Statements inside the `with` block go into a boxed cluster."""
        self._emit(f"subgraph {quote('cluster_' + name)} {{")
        self._indent += 1
        if label is not None or attrs:
            self._emit(f"graph {_attrs({'label': label, **attrs})}")
        try:
            yield
        finally:
            self._indent -= 1
            self._emit("}")

    def same_rank(self, *names: str) -> None:
        """Keep `names` on one rank (one row, or one column with `rankdir=LR`)."""
        self._emit("{rank=same; " + " ".join(quote(n) + ";" for n in names) + "}")

    def source(self) -> str:
        """The DOT text."""
        return "\n".join([f"digraph {quote(self.name)} {{", *self._lines, "}"]) + "\n"
