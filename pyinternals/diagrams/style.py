"""The book's drawing styles: one place for fonts, colours and node roles.

Models never pick colours themselves; they give each node a *role* (`"container"`,
`"free"`, `"holder"` ...) and {py:func}`role` turns it into Graphviz attributes.  The
palette is colour-blind safe (Okabe and Ito's) and reads on white.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pyinternals.diagrams.dot import AttrValue, Digraph

FONT = "Helvetica"

#: Okabe-Ito colours, lightened for fills.
PALETTE = MappingProxyType({
    "ink": "#222222",
    "muted": "#6b6b6b",
    "paper": "#ffffff",
    "blue": "#0072b2",
    "blue_fill": "#d6e9f5",
    "orange": "#e69f00",
    "orange_fill": "#fbecc8",
    "green": "#009e73",
    "green_fill": "#cdeee4",
    "red": "#d55e00",
    "red_fill": "#f8dcc9",
    "purple": "#cc79a7",
    "purple_fill": "#f4dfeb",
    "grey_fill": "#eeeeee",
    "yellow_fill": "#fdf6c3",
})

GRAPH: Mapping[str, AttrValue] = MappingProxyType({
    "fontname": FONT, "fontsize": 12, "bgcolor": "transparent", "pad": 0.15,
    "nodesep": 0.3, "ranksep": 0.35,
})
NODE: Mapping[str, AttrValue] = MappingProxyType({
    "fontname": FONT, "fontsize": 12, "shape": "box", "style": "rounded,filled",
    "fillcolor": PALETTE["paper"], "color": PALETTE["ink"], "fontcolor": PALETTE["ink"],
    "penwidth": 1.0, "height": 0.3,
})
EDGE: Mapping[str, AttrValue] = MappingProxyType({
    "fontname": FONT, "fontsize": 10, "color": PALETTE["muted"],
    "fontcolor": PALETTE["muted"], "arrowsize": 0.7,
})

_ROLES: dict[str, dict[str, Any]] = {
    # Names in a namespace (variables, roots): text only.
    "name": {"shape": "plaintext", "style": "", "fontname": "Courier", "fontsize": 12},
    # Real objects and model objects.
    "object": {"fillcolor": PALETTE["blue_fill"], "color": PALETTE["blue"]},
    "container": {"fillcolor": PALETTE["blue_fill"], "color": PALETTE["blue"]},
    "value": {"shape": "box", "style": "rounded", "color": PALETTE["muted"],
              "fontcolor": PALETTE["muted"]},
    "elided": {"shape": "plaintext", "style": "", "fontcolor": PALETTE["muted"]},
    # Struct layouts: headers, fields, blocks.
    "struct": {"shape": "record", "style": "filled", "fillcolor": PALETTE["grey_fill"]},
    "used": {"shape": "record", "style": "filled", "fillcolor": PALETTE["orange_fill"],
             "color": PALETTE["orange"]},
    "free": {"shape": "record", "style": "filled", "fillcolor": PALETTE["green_fill"],
             "color": PALETTE["green"]},
    "virgin": {"shape": "record", "style": "dashed", "color": PALETTE["muted"]},
    # Bytes a debug allocator finds overwritten (a clobbered pad).
    "clobbered": {"shape": "record", "style": "filled", "fillcolor": PALETTE["red_fill"],
                  "color": PALETTE["red"]},
    # Reachability (the collector's three colours).
    "reachable": {"fillcolor": PALETTE["paper"], "color": PALETTE["ink"]},
    "tentative": {"fillcolor": PALETTE["grey_fill"], "color": PALETTE["muted"]},
    "unreachable": {"fillcolor": PALETTE["red_fill"], "color": PALETTE["red"]},
    "root": {"fillcolor": PALETTE["yellow_fill"], "color": PALETTE["orange"]},
    # The three colours of tri-colour marking, literally.
    "white": {"fillcolor": PALETTE["paper"], "color": PALETTE["ink"]},
    "grey": {"fillcolor": "#b8b8b8", "color": PALETTE["ink"]},
    "black": {"fillcolor": PALETTE["ink"], "color": PALETTE["ink"],
              "fontcolor": PALETTE["paper"]},
    "freed": {"style": "rounded,dashed", "color": PALETTE["muted"],
              "fontcolor": PALETTE["muted"]},
    # Threads and locks.
    "holder": {"fillcolor": PALETTE["green_fill"], "color": PALETTE["green"], "penwidth": 2},
    "waiter": {"fillcolor": PALETTE["orange_fill"], "color": PALETTE["orange"]},
    "idle": {"fillcolor": PALETTE["paper"], "color": PALETTE["muted"]},
    "lock": {"shape": "box", "style": "filled", "fillcolor": PALETTE["purple_fill"],
             "color": PALETTE["purple"]},
    # Modules and the import system.
    "module": {"fillcolor": PALETTE["blue_fill"], "color": PALETTE["blue"]},
    "package": {"shape": "folder", "style": "filled", "fillcolor": PALETTE["yellow_fill"],
                "color": PALETTE["orange"]},
    "finder": {"shape": "component", "style": "filled", "fillcolor": PALETTE["purple_fill"],
               "color": PALETTE["purple"]},
    "state": {"shape": "record", "style": "rounded,filled", "fillcolor": PALETTE["grey_fill"]},
}

#: Edge roles: how a reference is drawn.
_EDGE_ROLES: dict[str, dict[str, Any]] = {
    "ref": {},
    "strong": {"color": PALETTE["ink"], "penwidth": 1.3},
    "weak": {"style": "dashed"},
    "list": {"color": PALETTE["blue"], "arrowhead": "vee"},
    "free": {"color": PALETTE["green"], "style": "dashed", "arrowhead": "vee"},
    "request": {"color": PALETTE["orange"], "style": "dashed"},
    "holds": {"color": PALETTE["green"], "penwidth": 2},
    "outside": {"color": PALETTE["orange"], "style": "bold"},
}


def role(name: str) -> dict[str, Any]:
    """Graphviz node attributes for a role; an unknown role names the known ones."""
    try:
        return dict(_ROLES[name])
    except KeyError:
        raise KeyError(f"no node role {name!r}; known: {', '.join(sorted(_ROLES))}") from None


def edge_role(name: str) -> dict[str, Any]:
    """Graphviz edge attributes for an edge role."""
    try:
        return dict(_EDGE_ROLES[name])
    except KeyError:
        known = ", ".join(sorted(_EDGE_ROLES))
        raise KeyError(f"no edge role {name!r}; known: {known}") from None


def graph(name: str, **graph_attrs: Any) -> Digraph:
    """A {py:class}`~pyinternals.diagrams.dot.Digraph` with the book's defaults."""
    return Digraph(name, graph={**GRAPH, **graph_attrs}, node=NODE, edge=EDGE)
