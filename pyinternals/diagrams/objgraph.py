"""Drawing real Python objects and the references between them, as objgraph does.

{py:class}`ObjectGraph` starts from named objects (the names are drawn as the
variables that hold them) and follows references breadth-first:

- lists and tuples by index (`[0]`), dicts by key (`['name']`);
- sets and frozensets by element, sorted by `repr` so that hash order never shows;
- instances by attribute (`.x`), through `__dict__` and `__slots__`;
- numbers, strings, bytes, `None`: drawn as values, not followed further;
- classes, functions and modules: drawn by name, not followed.

Nodes are numbered in the order they are reached (`o1`, `o2`, ...), so the drawing
depends only on the objects' contents, never on their addresses.

Reading `__dict__` of an instance creates the dictionary on 3.11+ if it was not
materialised yet (the values were kept inline).  That is harmless for a drawing, but
it changes what `gc` later counts for that object: the memory chapter mirrors
objects without touching `__dict__`.
"""

from __future__ import annotations

import types
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from pyinternals.diagrams import Drawable
from pyinternals.diagrams.style import edge_role, graph, role

_SCALARS = (type(None), bool, int, float, complex, str, bytes)
_OPAQUE = (type, types.FunctionType, types.BuiltinFunctionType, types.ModuleType,
           types.MethodType)


@dataclass(frozen=True)
class ObjNode:
    """One object in the graph."""

    name: str
    type_name: str
    summary: str
    role: str


@dataclass(frozen=True)
class ObjEdge:
    """A reference from one object (or a root name) to another."""

    tail: str
    head: str
    label: str


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ObjectGraph(Drawable):
    """The objects reachable from some named objects, ready to draw.

    ```python
    >>> class Point:
    ...     def __init__(self, x, y):
    ...         self.x, self.y = x, y
    >>> g = ObjectGraph(p=Point(1, "one"))
    >>> print(g.describe())
    p -> o1
    o1 Point instance
      .x -> o2
      .y -> o3
    o2 int 1
    o3 str 'one'

    ```
    """

    def __init__(self, /, max_nodes: int = 40, **roots: object) -> None:
        if not roots:
            raise ValueError("ObjectGraph needs at least one named object: ObjectGraph(x=x)")
        if max_nodes < 1:
            raise ValueError(f"max_nodes must be at least 1, not {max_nodes}")
        self.roots = dict(roots)
        self.max_nodes = max_nodes
        self.nodes: list[ObjNode] = []
        self.edges: list[ObjEdge] = []
        #: True when `max_nodes` stopped the walk before it reached everything.
        self.truncated = False
        self._walk()

    # -- Walking the objects --------------------------------------------------------

    def _walk(self) -> None:
        names: dict[int, str] = {}
        keep: list[object] = []  # keeps walked objects alive, so ids stay unique
        queue: deque[object] = deque()

        def visit(obj: object) -> str:
            key = id(obj)
            if key not in names:
                if len(self.nodes) >= self.max_nodes:
                    self.truncated = True
                    return ""
                names[key] = f"o{len(self.nodes) + 1}"
                keep.append(obj)
                self.nodes.append(self._describe_node(names[key], obj))
                if not isinstance(obj, _SCALARS + _OPAQUE):
                    queue.append(obj)
            return names[key]

        for root_name, obj in self.roots.items():
            head = visit(obj)
            if head:
                self.edges.append(ObjEdge(root_name, head, ""))
        while queue:
            obj = queue.popleft()
            tail = names[id(obj)]
            for label, ref in self._references(obj):
                head = visit(ref)
                if head:
                    self.edges.append(ObjEdge(tail, head, label))

    @staticmethod
    def _describe_node(name: str, obj: object) -> ObjNode:
        tname = type(obj).__name__
        if isinstance(obj, _SCALARS):
            return ObjNode(name, tname, _short(repr(obj)), "value")
        if isinstance(obj, _OPAQUE):
            label = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", "?")
            return ObjNode(name, tname, str(label), "object")
        if isinstance(obj, dict):
            return ObjNode(name, tname, f"({_plural(len(obj), 'item')})", "container")
        if isinstance(obj, (list, tuple, set, frozenset)):
            return ObjNode(name, tname, f"({_plural(len(obj), 'item')})", "container")
        return ObjNode(name, tname, "instance", "container")

    @staticmethod
    def _references(obj: object) -> Iterator[tuple[str, object]]:
        if isinstance(obj, (list, tuple)):
            for i, item in enumerate(obj):
                yield f"[{i}]", item
        elif isinstance(obj, dict):
            for i, (key, value) in enumerate(obj.items()):
                if isinstance(key, _SCALARS):
                    yield f"[{_short(repr(key), 16)}]", value
                else:
                    yield f"key {i}", key
                    yield f"value {i}", value
        elif isinstance(obj, (set, frozenset)):
            for item in sorted(obj, key=repr):
                yield "∈", item
        else:
            attrs = getattr(obj, "__dict__", None)
            if isinstance(attrs, dict):
                for key, value in attrs.items():
                    yield f".{key}", value
            for cls in type(obj).__mro__:
                slots = cls.__dict__.get("__slots__", ())
                for slot in (slots,) if isinstance(slots, str) else slots:
                    if slot not in ("__dict__", "__weakref__") and hasattr(obj, slot):
                        yield f".{slot}", getattr(obj, slot)

    # -- Reading and drawing ----------------------------------------------------------

    def describe(self) -> str:
        """The graph as text: each object, then the references it holds."""
        lines = [f"{e.tail} -> {e.head}" for e in self.edges if e.tail in self.roots]
        by_tail: dict[str, list[ObjEdge]] = {}
        for e in self.edges:
            by_tail.setdefault(e.tail, []).append(e)
        for node in self.nodes:
            lines.append(f"{node.name} {node.type_name} {node.summary}")
            lines += [f"  {e.label} -> {e.head}" for e in by_tail.get(node.name, [])]
        if self.truncated:
            lines.append(f"... (stopped at {self.max_nodes} objects)")
        return "\n".join(lines)

    def to_dot(self) -> str:
        """The objects as boxes, values as plain boxes, root names as text."""
        g = graph("objects", rankdir="LR")
        for root_name in self.roots:
            g.node(f"name:{root_name}", label=root_name, **role("name"))
        for node in self.nodes:
            g.node(node.name, label=f"{node.type_name}\n{node.summary}", **role(node.role))
        for e in self.edges:
            tail = f"name:{e.tail}" if e.tail in self.roots else e.tail
            g.edge(tail, e.head, label=e.label or None, **edge_role("ref"))
        if self.truncated:
            g.node("elided", label=f"… more than {self.max_nodes} objects", **role("elided"))
        return g.source()
