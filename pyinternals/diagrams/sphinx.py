"""Sphinx extension: run each page's examples while the book is built, and draw.

Every page's examples, `{doctest}` blocks and `{testcode}`/`{testoutput}` pairs of
`sphinx.ext.doctest`, run when Sphinx reads the page, in page order and in one
namespace per page.  When an output differs from what the page shows, the build
reports it as a warning (an error under `-W`) and fails at the end whatever the
flags, so the HTML can never show stale output.  `{testsetup}` blocks run first and
`{testcleanup}` blocks last, as the doctest builder runs them; one page is one group.

The `{diagram}` directive evaluates a Python expression in the page's namespace at
its place in the page and embeds the Graphviz drawing of the result (anything with a
`to_dot()` method) as inline SVG, with a caption:

````markdown
```{diagram} heap
:caption: The heap after `update_refs`.
:name: fig-update-refs
```
````

A page is executed again when it changes, when any file of the `pyinternals`
package changes, when the set of real interpreters on the machine changes, or when
its last run failed.  The doctest builder (`sphinx-build -b doctest`, `nox -s
doctest`) runs the same examples with Sphinx's own runner; this extension stays out
of its way.
"""

from __future__ import annotations

import contextlib
import doctest
import hashlib
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import pyinternals
from pyinternals.diagrams import DiagramError, dot_of
from pyinternals.diagrams.render import render_svg

logger = logging.getLogger(__name__)

_PACKAGE_DIR = Path(pyinternals.__file__).resolve().parent
_TEST_TYPES = ("testsetup", "testcleanup", "doctest", "testcode", "testoutput")
_BUILDERS_THAT_DO_NOT_EXECUTE = frozenset({"doctest"})


# -- The diagram directive ---------------------------------------------------------


class DiagramDirective(SphinxDirective):
    """`{diagram} EXPRESSION`: the drawing of the expression's value, at this point."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "caption": directives.unchanged,
        "name": directives.unchanged,
        "alt": directives.unchanged,
        "class": directives.class_option,
    }

    def run(self) -> list[nodes.Node]:
        expression = self.arguments[0].strip()
        figure = nodes.figure(classes=["pyinternals-diagram", *self.options.get("class", [])])
        self.set_source_info(figure)
        svg = nodes.raw("", "", format="html")
        self.set_source_info(svg)
        svg["pyinternals_expression"] = expression
        caption = self.options.get("caption", "")
        svg["pyinternals_alt"] = self.options.get("alt") or caption or expression
        figure += svg
        if caption:
            parsed, messages = self.state.inline_text(caption, self.lineno)
            figure += nodes.caption(caption, "", *parsed)
            figure += messages
        self.add_name(figure)
        return [figure]


def _is_live(node: nodes.Node) -> bool:
    if isinstance(node, nodes.raw) and "pyinternals_expression" in node:
        return True
    return isinstance(node, (nodes.literal_block, nodes.comment)) and \
        node.get("testnodetype") in _TEST_TYPES


# -- Running a page -------------------------------------------------------------


@contextlib.contextmanager
def _compile_mode(mode: str) -> Iterator[None]:
    """Make doctest compile examples in `mode` ('single' or 'exec'), as Sphinx does.

    The doctest module calls the name `compile` from its own globals; the doctest
    builder replaces it for good, this puts it back afterwards.
    """
    had = "compile" in vars(doctest)
    saved = vars(doctest).get("compile")

    def compile_in_mode(source: str, filename: str, _mode: str, flags: int,
                        dont_inherit: bool) -> Any:
        return compile(source, filename, mode, flags, dont_inherit)

    doctest.compile = compile_in_mode  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if had:
            doctest.compile = saved  # type: ignore[attr-defined]
        else:
            del doctest.compile  # type: ignore[attr-defined]


class _Runner(doctest.DocTestRunner):
    """A doctest runner whose reports go to a list instead of standard output."""


_parser = doctest.DocTestParser()


@dataclass
class _Failure:
    node: nodes.Node
    message: str


class PageRun:
    """The examples of one page, run in one namespace in page order."""

    def __init__(self, app: Sphinx, docname: str) -> None:
        self.app = app
        self.docname = docname
        self.namespace: dict[str, Any] = {}
        self.flags: int = app.config.doctest_default_flags
        self.runner = _Runner(verbose=False, optionflags=self.flags)
        self.failures: list[_Failure] = []
        self.examples = 0
        self.diagrams = 0
        self._report: list[str] = []

    def _out(self, text: str) -> None:
        self._report.append(text)

    def _filename(self, node: nodes.Node) -> str:
        return str(node.source or self.app.env.doc2path(self.docname))

    def _lineno(self, node: nodes.Node) -> int:
        return max((node.line or 1) - 1, 0)

    def _skipped(self, node: nodes.Element) -> bool:
        condition = node.get("skipif")
        if not condition:
            return False
        context: dict[str, Any] = {}
        if self.app.config.doctest_global_setup:
            exec(self.app.config.doctest_global_setup, context)
        return bool(eval(condition, context))

    def _run(self, test: doctest.DocTest, node: nodes.Node, mode: str) -> None:
        test.globs = self.namespace  # DocTest copies the globals; share them instead
        before = self.runner.failures
        self._report.clear()
        with _compile_mode(mode):
            self.runner.run(test, out=self._out, clear_globs=False)
        self.examples += len(test.examples)
        if self.runner.failures > before:
            self.failures.append(_Failure(node, "".join(self._report).rstrip()))

    def run_code(self, node: nodes.Element, what: str) -> None:
        """A `{testsetup}` or `{testcleanup}` block: run, expecting no output."""
        code = node.get("test", node.astext())
        example = doctest.Example(code, "", lineno=self._lineno(node))
        test = doctest.DocTest([example], {}, f"{self.docname} ({what})",
                               self._filename(node), 0, None)
        self._run(test, node, "exec")

    def run_doctest(self, node: nodes.Element) -> None:
        """A `{doctest}` block: `>>>` examples and their outputs."""
        code = node.get("test", node.astext())
        try:
            test = _parser.get_doctest(code, {}, self.docname, self._filename(node),
                                       self._lineno(node))
        except ValueError as exc:
            self.failures.append(_Failure(node, f"the doctest block cannot be parsed: {exc}"))
            return
        for example in test.examples:
            options = dict(node.get("options", {}))
            options.update(example.options)
            example.options = options
        if test.examples:
            self._run(test, node, "single")

    def run_testcode(self, code_node: nodes.Element, output_node: nodes.Element | None) -> None:
        """A `{testcode}` block and the `{testoutput}` it must print."""
        output = output_node.get("test", output_node.astext()) if output_node else ""
        options = dict(output_node.get("options", {})) if output_node else {}
        options[doctest.DONT_ACCEPT_BLANKLINE] = True
        match = _parser._EXCEPTION_RE.match(output)  # type: ignore[attr-defined]
        example = doctest.Example(
            code_node.get("test", code_node.astext()), output,
            exc_msg=match.group("msg") if match else None,
            lineno=self._lineno(code_node), options=options,
        )
        test = doctest.DocTest([example], {}, self.docname, self._filename(code_node),
                               self._lineno(code_node), None)
        self._run(test, output_node or code_node, "exec")

    def draw(self, node: nodes.raw, index: int) -> None:
        """A `{diagram}`: evaluate, draw, and put the SVG into the page."""
        expression = node["pyinternals_expression"]
        try:
            value = eval(expression, self.namespace)
            svg = render_svg(dot_of(value), id_prefix=_id_prefix(self.docname, index))
        except DiagramError as exc:
            self.failures.append(_Failure(node, f"diagram {expression!r}: {exc}"))
            return
        except Exception:
            detail = traceback.format_exc(limit=-3).rstrip()
            self.failures.append(_Failure(node, f"diagram {expression!r} failed:\n{detail}"))
            return
        self.diagrams += 1
        alt = _escape_attr(node["pyinternals_alt"])
        html = f'<div class="pyinternals-svg" role="img" aria-label="{alt}">\n{svg}</div>\n'
        node.children = [nodes.Text(html)]

    def run_page(self, doctree: nodes.document) -> None:
        """Run the page's setup, then its examples and diagrams in order, then cleanup."""
        live = [n for n in doctree.findall(_is_live)
                if not (isinstance(n, nodes.Element) and self._skipped(n))]
        setups = [n for n in live if n.get("testnodetype") == "testsetup"]
        cleanups = [n for n in live if n.get("testnodetype") == "testcleanup"]
        for node in setups:
            self.run_code(node, "setup")
        pending: nodes.Element | None = None
        diagram_index = 0
        for node in live:
            kind = node.get("testnodetype")
            if kind == "testoutput":
                if pending is None:
                    self.failures.append(_Failure(node, "a testoutput block must follow "
                                                        "the testcode block it checks"))
                else:
                    self.run_testcode(pending, node)
                    pending = None
                continue
            if pending is not None and kind != "testoutput":
                self.run_testcode(pending, None)  # a testcode that prints nothing
                pending = None
            if kind == "doctest":
                self.run_doctest(node)
            elif kind == "testcode":
                pending = node
            elif kind is None:
                diagram_index += 1
                self.draw(node, diagram_index)
        if pending is not None:
            self.run_testcode(pending, None)
        for node in cleanups:
            self.run_code(node, "cleanup")


def _id_prefix(docname: str, index: int) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", docname).strip("-")
    return f"d-{slug}-{index}-"


def _escape_attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;")
            .replace("<", "&lt;").replace(">", "&gt;"))


# -- Keeping pages honest across incremental builds --------------------------------


@dataclass
class PageRecord:
    """What the environment remembers of a page's last run."""

    fingerprint: str
    failures: int
    examples: int
    diagrams: int


def _records(env: BuildEnvironment) -> dict[str, PageRecord]:
    if not hasattr(env, "pyinternals_live"):
        setattr(env, "pyinternals_live", {})  # noqa: B010  (an attribute Sphinx pickles)
    records: dict[str, PageRecord] = getattr(env, "pyinternals_live")  # noqa: B009
    return records


def machine_fingerprint() -> str:
    """A digest of the real interpreters found: pages re-run when they change."""
    from pyinternals.observe import discover

    found = discover()
    parts = []
    for interp in found.interpreters:
        try:
            stamp = Path(interp.real_executable).stat().st_mtime_ns
        except OSError:
            stamp = 0
        parts.append(f"{interp.label}|{interp.real_executable}|{stamp}")
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]


def _package_files() -> list[str]:
    return sorted(str(p) for p in _PACKAGE_DIR.rglob("*.py"))


def _executes(app: Sphinx) -> bool:
    return app.builder.name not in _BUILDERS_THAT_DO_NOT_EXECUTE


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Run the page being read (unless the builder is the doctest builder)."""
    env = app.env
    docname = env.docname
    records = _records(env)
    records.pop(docname, None)
    if not _executes(app) or not any(True for _ in doctree.findall(_is_live)):
        return
    run = PageRun(app, docname)
    run.run_page(doctree)
    for failure in run.failures:
        logger.warning("example on this page does not match:\n%s", failure.message,
                       location=failure.node, type="pyinternals", subtype="example")
    for path in _package_files():
        env.note_dependency(path)
    records[docname] = PageRecord(machine_fingerprint(), len(run.failures),
                                  run.examples, run.diagrams)


def on_env_get_outdated(app: Sphinx, env: BuildEnvironment, added: set[str],
                        changed: set[str], removed: set[str]) -> list[str]:
    """Pages to read again: those that failed, and all when the machine changed."""
    if not _executes(app):
        return []
    records = _records(env)
    if not records:
        return []
    now = machine_fingerprint()
    return sorted(name for name, rec in records.items()
                  if name in env.all_docs and (rec.failures or rec.fingerprint != now))


def on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget a page's record when Sphinx forgets the page."""
    _records(env).pop(docname, None)


def on_env_merge_info(app: Sphinx, env: BuildEnvironment, docnames: set[str],
                      other: BuildEnvironment) -> None:
    """Merge records from parallel readers."""
    _records(env).update(_records(other))


def on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    """Fail the build when any page's examples did not match, whatever the flags."""
    if exception is not None or not _executes(app):
        return
    failed = {name: rec for name, rec in _records(app.env).items() if rec.failures}
    if failed:
        pages = ", ".join(f"{name} ({rec.failures})" for name, rec in sorted(failed.items()))
        logger.error("live examples do not match the book in: %s", pages)
        app.statuscode = 1
        return
    total = sum(r.examples for r in _records(app.env).values())
    drawn = sum(r.diagrams for r in _records(app.env).values())
    logger.info("pyinternals: %d live examples and %d diagrams match the pages", total, drawn)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive and the hooks (and `sphinx.ext.doctest` for its blocks)."""
    app.setup_extension("sphinx.ext.doctest")
    app.add_directive("diagram", DiagramDirective)
    app.connect("doctree-read", on_doctree_read)
    app.connect("env-get-outdated", on_env_get_outdated)
    app.connect("env-purge-doc", on_env_purge_doc)
    app.connect("env-merge-info", on_env_merge_info)
    app.connect("build-finished", on_build_finished)
    return {"version": pyinternals.__version__, "parallel_read_safe": True,
            "parallel_write_safe": True, "env_version": 1}
