"""README promises two commands; .ci/run runs the test one verbatim."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def commands():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:console|shell|sh|bash)\n(.*?)```", text, re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_has_exactly_two_commands():
    found = commands()
    assert len(found) == 2, found
    assert "-s book" in found[0]
    assert "tests" in found[1]


def test_ci_runs_the_test_command_verbatim_then_the_book():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    book, tests = commands()
    assert tests in ci
    assert book in ci
    assert ci.index(tests) < ci.index(book)
