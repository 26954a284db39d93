"""Chapter 2: module loading, the import system of 3.x and of 2.x.

- {py:class}`~pyinternals.importing.system.ImportSystem` (importable as
  `pyinternals.importing.ImportSystem`) is a modern import system, isolated from the
  interpreter running it: its bootstrap ({py:mod}`~pyinternals.importing.bootstrap`,
  {py:mod}`~pyinternals.importing.bootstrap_external`) and its C half
  ({py:mod}`~pyinternals.importing.import_c`, {py:mod}`~pyinternals.importing.ceval`);
- {py:class}`~pyinternals.importing.legacy.LegacyImportSystem` is 2.x's
  `Python/import.c`;
- {py:mod}`~pyinternals.importing.trace` and {py:mod}`~pyinternals.importing.diagrams`
  show what they do; {py:mod}`~pyinternals.importing.pyc` reads bytecode caches;
- {py:mod}`~pyinternals.importing.trees`, {py:mod}`~pyinternals.importing.sweep` and
  {py:mod}`~pyinternals.importing.fidelity` check them against real CPythons.

The book's chapter is {doc}`/importing`.
"""

from pyinternals.importing.system import ImportSystem

__all__ = ["ImportSystem"]
