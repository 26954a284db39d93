"""Sessions: tests, doctest, book, lint, bench.

Each session installs what it needs into its own environment under .nox/ and reuses
it on the next run; the install step is skipped while pyproject.toml is unchanged.
Run them with `python -m nox -s NAME` (see README.md for the two commands).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nox

nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "tests", "doctest"]

ROOT = Path(__file__).parent


def _install(session: nox.Session, extras: str) -> None:
    """`pip install -e .[extras]`, unless this environment already has it."""
    digest = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + extras.encode()
    ).hexdigest()
    stamp = Path(session.virtualenv.location) / ".pyinternals-installed"
    if stamp.exists() and stamp.read_text() == digest:
        session.log("dependencies unchanged since the last run: not reinstalling")
        return
    session.install("-q", "-e", f".[{extras}]" if extras else ".")
    stamp.write_text(digest)


def _sphinx(builder: str, *extra: str) -> list[str]:
    return [
        "python", "-m", "sphinx", "-b", builder, "-c", ".",
        "-d", f"build/doctrees-{builder}", "-W", "--keep-going", "-n", "-q",
        *extra, "docs", f"build/{builder}",
    ]


@nox.session
def tests(session: nox.Session) -> None:
    """pytest: unit, differential and docstring tests, and the fidelity ledger."""
    _install(session, "test,docs")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def doctest(session: nox.Session) -> None:
    """Every example of the book (Sphinx's doctest builder) and of the docstrings."""
    _install(session, "test,docs")
    session.run(*_sphinx("doctest"))
    session.run("python", "-m", "pytest", "-q", "--doctest-modules", "pyinternals")


@nox.session
def book(session: nox.Session) -> None:
    """Build the HTML book into build/html (strict) and print where to open it."""
    _install(session, "docs")
    session.run("python", "-m", "pyinternals", "book", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on everything, mypy --strict on the package."""
    _install(session, "lint,docs,test")
    session.run("ruff", "check", ".")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmarks: model speed as ratios against the real mechanisms."""
    _install(session, "")
    session.run("python", "-m", "pyinternals", "bench", *session.posargs)
