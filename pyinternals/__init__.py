"""Working models of CPython's internals, checked against real interpreters.

The package mirrors the book's chapters:

- {py:mod}`pyinternals.observe` finds the real CPythons on this machine, runs probes
  in them and keeps the fidelity ledger;
- {py:mod}`pyinternals.profiles` holds what differs between CPython versions, as data;
- {py:mod}`pyinternals.diagrams` lets every model object draw itself with Graphviz.

The chapters' models (runtime, importing, threads, memory) build on those three.
"""

__version__ = "0.1.0"
