"""The `python -m pyinternals` command line.

```text
python -m pyinternals fidelity [-v] [--json] [PREFIX ...]
python -m pyinternals interpreters
python -m pyinternals book [--open] [--fresh]
python -m pyinternals bench [NAME ...]
```
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from collections.abc import Sequence


def _fidelity(args: argparse.Namespace) -> int:
    from pyinternals import ledger

    try:
        result = ledger.run(tuple(args.prefix), jobs=args.jobs)
    except ValueError as exc:
        print(f"pyinternals fidelity: {exc}", file=sys.stderr)
        return 2
    print(result.to_json() if args.json else result.format_text(verbose=args.verbose))
    return 0 if result.ok else 1


def _interpreters(args: argparse.Namespace) -> int:
    from pyinternals import observe

    found = observe.discover()
    chosen = observe.representatives()
    for interp in found.interpreters:
        mark = "*" if chosen.get(interp.profile or "") == interp else " "
        print(f"{mark} {interp.label:10} {interp.pointer_size * 8}-bit  "
              f"{', '.join(interp.sources):18} {interp.display_path}")
    for candidate, reason in found.rejected:
        print(f"  (skipped {candidate}: {reason})")
    print(f"searched: {'; '.join(found.searched)}")
    print("* = the interpreter the fidelity ledger questions for its version")
    return 0


def _book(args: argparse.Namespace) -> int:
    from pyinternals import book

    try:
        root = book.project_root()
    except book.BookSourcesMissing as exc:
        print(f"pyinternals book: {exc}", file=sys.stderr)
        return 2
    try:
        import sphinx  # noqa: F401
    except ImportError:
        print("pyinternals book: Sphinx is not installed here; build with "
              "`python -m nox -s book`, or pip install 'pyinternals[docs]'", file=sys.stderr)
        return 2
    try:
        out = book.build(root, fresh=args.fresh)
    except RuntimeError as exc:
        print(f"pyinternals book: {exc}", file=sys.stderr)
        return 1
    index = (out / "index.html").resolve()
    print(f"The book is built: open {index.as_uri()}")
    if args.open:
        webbrowser.open(index.as_uri())
    return 0


def _bench(args: argparse.Namespace) -> int:
    from pyinternals import bench

    return bench.main(args.names)


def parser() -> argparse.ArgumentParser:
    """The argument parser (also used to document the command line)."""
    top = argparse.ArgumentParser(
        prog="python -m pyinternals",
        description="Models of CPython's internals, checked against real interpreters.",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fid = commands.add_parser(
        "fidelity", help="run the fidelity ledger against the interpreters found",
        description="Run every check of the fidelity ledger against one interpreter per "
        "CPython version found on this machine, print the table, and exit with status 1 "
        "if any check fails.  Interpreters are found on PATH, through pyenv, or listed in "
        "PYINTERNALS_PYTHONS (separated by ':').",
    )
    fid.add_argument("prefix", nargs="*", help="only checks whose id starts with one of these")
    fid.add_argument("-v", "--verbose", action="store_true",
                     help="print every model and real value, not only the failures")
    fid.add_argument("--json", action="store_true", help="print the ledger as JSON")
    fid.add_argument("-j", "--jobs", type=int, default=4,
                     help="checks run at once (default 4)")
    fid.set_defaults(run=_fidelity)

    interp = commands.add_parser(
        "interpreters", help="list the real interpreters found on this machine",
        description="List every Python interpreter found (the running one, pyenv's, "
        "those on PATH, or PYINTERNALS_PYTHONS), and which ones the ledger questions.",
    )
    interp.set_defaults(run=_interpreters)

    bk = commands.add_parser(
        "book", help="build the book (strict), print where it is, optionally open it",
        description="Build the HTML book from a checkout with Sphinx (warnings are "
        "errors; every example runs), into build/html, and print the path to open. "
        "Needs the docs extra: pip install -e '.[docs]' (nox -s book does this).",
    )
    bk.add_argument("--open", action="store_true", help="open the built book in a browser")
    bk.add_argument("--fresh", action="store_true",
                    help="rebuild every page, not only those that changed")
    bk.set_defaults(run=_book)

    bn = commands.add_parser(
        "bench", help="run the benchmarks (ratios against the real mechanisms)",
        description="Run the benchmarks of pyinternals.bench and print each figure with "
        "its ratio to the real mechanism, measured in the same run.",
    )
    bn.add_argument("names", nargs="*", help="only these benchmarks (default: all)")
    bn.set_defaults(run=_bench)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
