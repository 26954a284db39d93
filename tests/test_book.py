"""The book machine: pages run at build time, and a wrong page fails the build."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="the book tests need the docs extra (nox -s tests has it)")

CONF = """
extensions = ["myst_parser", "pyinternals.book"]
nitpicky = True
"""


def build(
    root: Path, page: str, *, builder: str = "html", clean: bool = True
) -> subprocess.CompletedProcess[str]:
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(CONF)
    (src / "index.md").write_text(textwrap.dedent(page))
    out = root / "out"
    if clean and out.exists():
        import shutil

        shutil.rmtree(out)
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-q",
         "-d", str(root / "doctrees"), str(src), str(out)],
        capture_output=True, text=True, check=False,
    )


GOOD = """
# Page

```{doctest}
>>> items = [1]
>>> len(items)
1
```

```{diagram} __import__("pyinternals.diagrams").diagrams.ObjectGraph(items=items)
:caption: The list when it had one item.
```

```{doctest}
>>> items.append(2)
>>> items
[1, 2]
```

```{testcode}
print(sum(items))
```

```{testoutput}
3
```
"""


def test_a_correct_page_builds_with_its_diagram(tmp_path):
    proc = build(tmp_path, GOOD)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "out" / "index.html").read_text()
    assert html.count("<svg") == 1
    assert "The list when it had one item." in html
    # The diagram was drawn at its place in the page: one item, not two.
    assert "(1 item)" in html
    assert "(2 items)" not in html


def test_a_wrong_output_fails_the_build(tmp_path):
    proc = build(tmp_path, GOOD.replace("[1, 2]", "[1, 2, 3]"))
    assert proc.returncode != 0
    assert "Expected:" in proc.stderr
    assert "[1, 2, 3]" in proc.stderr
    assert "live examples do not match the book in: index (1)" in proc.stderr


def test_a_wrong_testoutput_fails_the_build(tmp_path):
    proc = build(tmp_path, GOOD.replace("```{testoutput}\n3", "```{testoutput}\n4"))
    assert proc.returncode != 0
    assert "Got:" in proc.stderr


def test_the_build_fails_without_strict_flags_too(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF)
    (src / "index.md").write_text(textwrap.dedent(GOOD.replace("[1, 2]", "[9]")))
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src),
                           str(tmp_path / "out")], capture_output=True, text=True, check=False)
    assert proc.returncode != 0


def test_a_failed_page_stays_failed_on_an_unchanged_rebuild(tmp_path):
    bad = GOOD.replace("[1, 2]", "[0]")
    assert build(tmp_path, bad).returncode != 0
    again = build(tmp_path, bad, clean=False)
    assert again.returncode != 0
    assert "does not match" in again.stderr


def test_a_diagram_of_something_undrawable_fails(tmp_path):
    page = GOOD.replace('__import__("pyinternals.diagrams").diagrams.ObjectGraph(items=items)',
                        "items")
    proc = build(tmp_path, page)
    assert proc.returncode != 0
    assert "cannot draw a list" in proc.stderr


def test_the_doctest_builder_runs_the_same_examples(tmp_path):
    good = build(tmp_path, GOOD, builder="doctest")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = build(tmp_path, GOOD.replace("[1, 2]", "[7]"), builder="doctest")
    assert bad.returncode != 0


def test_same_page_same_svg(tmp_path):
    assert build(tmp_path / "a", GOOD).returncode == 0
    assert build(tmp_path / "b", GOOD).returncode == 0

    def svg(root):
        html = (root / "out" / "index.html").read_text()
        return html[html.index("<svg"): html.index("</svg>")]

    assert svg(tmp_path / "a") == svg(tmp_path / "b")
