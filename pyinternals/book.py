"""The book: the Sphinx extension that ties the pieces together, and building it.

`conf.py` loads this module as an extension; it sets up
{py:mod}`pyinternals.diagrams.sphinx` (live examples and diagrams) and
{py:mod}`pyinternals.observe.sphinx` (the interpreters table and the ledger).
{py:func}`build` runs Sphinx the way `nox -s book` and `python -m pyinternals book` do:
strict (warnings are errors, references checked), into `build/html`.
"""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyinternals

#: Where the HTML book goes, relative to the project's root.
HTML_DIR = Path("build") / "html"


class BookSourcesMissing(FileNotFoundError):
    """The book's sources (conf.py and docs/) are not where they were looked for."""


def project_root(start: Path | None = None) -> Path:
    """The checkout holding `conf.py` and `docs/`: `start` (or the current folder),
    one of its parents, or the folder above the imported package."""
    candidates = []
    here = (start or Path.cwd()).resolve()
    candidates += [here, *here.parents]
    candidates.append(Path(pyinternals.__file__).resolve().parent.parent)
    for folder in candidates:
        if (folder / "conf.py").is_file() and (folder / "docs" / "index.md").is_file():
            return folder
    raise BookSourcesMissing(
        "the book's sources (conf.py and docs/) are not here: run this from a checkout "
        "of pyinternals (git clone, then `python -m nox -s book`)"
    )


def sphinx_command(root: Path, builder: str = "html", out: Path | None = None,
                   *, fresh: bool = False) -> list[str]:
    """The `sphinx-build` command line for one builder, strict."""
    out = out or root / "build" / builder
    doctrees = root / "build" / f"doctrees-{builder}"
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-c", str(root),
               "-d", str(doctrees), "-W", "--keep-going", "-n", "-q",
               str(root / "docs"), str(out)]
    if fresh:
        command.insert(3, "-E")
    return command


def build(root: Path | None = None, builder: str = "html", *, fresh: bool = False) -> Path:
    """Build the book with `builder`; return the output folder.  Raises on failure."""
    root = root or project_root()
    out = root / "build" / builder
    command = sphinx_command(root, builder, out, fresh=fresh)
    env = dict(os.environ)
    proc = subprocess.run(command, cwd=root, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the {builder} build failed (sphinx-build exit status "
                           f"{proc.returncode}); the messages above say where")
    return out


def qualify_builtins(app: Any, doctree: Any) -> None:
    """Make references to builtin names (`type`, `list`) point at `builtins.X`.

    The Python domain looks an unqualified name up everywhere when it is not found
    where it is used, so an annotation `type[BaseException]` would otherwise resolve
    to any model attribute that happens to be called `type`.
    """
    from sphinx.addnodes import pending_xref

    for node in doctree.findall(pending_xref):
        target = node.get("reftarget", "")
        if node.get("refdomain") == "py" and target in _BUILTIN_NAMES:
            node["reftarget"] = f"builtins.{target}"


_BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_"))


def setup(app: Any) -> dict[str, Any]:
    """The book's Sphinx extension."""
    app.setup_extension("pyinternals.diagrams.sphinx")
    app.setup_extension("pyinternals.observe.sphinx")
    app.setup_extension("pyinternals.threads.sphinx")
    app.connect("doctree-read", qualify_builtins)
    return {"version": pyinternals.__version__, "parallel_read_safe": True,
            "parallel_write_safe": True}
