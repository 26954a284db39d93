"""Diagrams drawn from live state.

Every model object that can be drawn has a `to_dot()` method returning Graphviz DOT
text: that is the whole protocol ({py:class}`SupportsDot`).  Subclassing
{py:class}`Drawable` adds `_repr_svg_`, so the same object shows as SVG in Jupyter,
and `to_svg()`.  Styles live in {py:mod}`pyinternals.diagrams.style`; DOT is written
with {py:class}`~pyinternals.diagrams.dot.Digraph`; rendering is in
{py:mod}`pyinternals.diagrams.render`.

Real Python objects draw through {py:class}`~pyinternals.diagrams.objgraph.ObjectGraph`:

```python
>>> from pyinternals.diagrams import ObjectGraph
>>> loop = []
>>> loop.append(loop)
>>> print(ObjectGraph(loop=loop).describe())
loop -> o1
o1 list (1 item)
  [0] -> o1

```
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pyinternals.diagrams.render import DiagramError, engine, render_svg


@runtime_checkable
class SupportsDot(Protocol):
    """Anything that can describe itself as a Graphviz graph."""

    def to_dot(self) -> str:
        """The object's current state as DOT source."""
        ...


class Drawable:
    """Base for model objects that draw themselves.

    Subclasses implement {py:meth}`to_dot`; Jupyter then shows them as SVG.
    """

    def to_dot(self) -> str:
        """The object's current state as DOT source."""
        raise NotImplementedError(f"{type(self).__name__} does not define to_dot()")

    def to_svg(self) -> str:
        """The drawing, as SVG text."""
        return render_svg(self.to_dot())

    def _repr_svg_(self) -> str:
        return self.to_svg()


def dot_of(obj: object) -> str:
    """The DOT source for `obj`: its `to_dot()`, or `obj` itself if it is DOT text."""
    if isinstance(obj, SupportsDot):
        source = obj.to_dot()
        if not isinstance(source, str):
            raise DiagramError(f"{type(obj).__name__}.to_dot() returned "
                               f"{type(source).__name__}, not str")
        return source
    if isinstance(obj, str) and obj.lstrip().startswith(("digraph", "graph", "strict")):
        return obj
    raise DiagramError(
        f"cannot draw a {type(obj).__name__}: it has no to_dot() method "
        "(to draw real Python objects, wrap them: ObjectGraph(name=obj))"
    )


from pyinternals.diagrams.objgraph import ObjectGraph  # noqa: E402

__all__ = [
    "DiagramError",
    "Drawable",
    "ObjectGraph",
    "SupportsDot",
    "dot_of",
    "engine",
    "render_svg",
]
