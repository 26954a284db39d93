"""Sphinx configuration of the pyinternals book (the sources are in docs/)."""

from __future__ import annotations

import doctest

project = "pyinternals"
author = "The pyinternals developers"
copyright = "2026, the pyinternals developers"
language = "en"

extensions = [
    "myst_parser",
    "autodoc2",
    "sphinx.ext.doctest",
    "sphinx.ext.graphviz",
    "pyinternals.book",
]

# -- MyST ------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3

# -- Strictness: every reference is checked; no network at build time -------------
nitpicky = True
# The standard library's and third parties' own names are not documented here, and
# fetching their inventories would need the network.  Our own names stay checked.
_EXTERNAL = (
    r"(builtins|typing|typing_extensions|collections|collections\.abc|types|enum|"
    r"pathlib|subprocess|threading|concurrent\.futures|dataclasses|doctest|json|"
    r"contextlib|functools|re|os|sys|io|argparse|docutils|sphinx|abc)(\..*)?"
)
nitpick_ignore_regex = [
    (r"py:(class|obj|data|exc|func|meth|attr|mod)", _EXTERNAL),
    (r"py:(class|obj)", r"(str|int|float|bool|bytes|object|list|dict|tuple|set|frozenset|"
                        r"type|None|Any|T|Callable|Iterator|Iterable|Mapping|Sequence|"
                        r"Literal|AttrValue|Label|Engine|_CacheKey)"),
]
suppress_warnings: list[str] = []

# -- Examples: the same flags for the live run and the doctest builder -------------
doctest_default_flags = (
    doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1
    | doctest.NORMALIZE_WHITESPACE
)
doctest_test_doctest_blocks = ""
pyinternals_checks = "pyinternals.ledger:all_checks"

# -- API reference, generated from the package ------------------------------------
autodoc2_packages = [
    {"path": "../pyinternals", "exclude_dirs": ["probes", "__pycache__"]},
]
autodoc2_render_plugin = "myst"
autodoc2_docstring_parser_regexes = [(r".*", "myst")]
autodoc2_hidden_objects = ["private", "dunder", "inherited"]

# -- HTML ----------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "pyinternals"
html_static_path = ["docs/_static"]
html_css_files = ["pyinternals.css"]
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
html_last_updated_fmt = None
html_copy_source = False
exclude_patterns = ["_build"]
