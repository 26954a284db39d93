"""Chapter 2: module loading, the import system of 3.x and of 2.x.

{py:class}`~pyinternals.importing.system.ImportSystem` is a modern (importlib) import system, isolated from the
interpreter running it; {py:class}`~pyinternals.importing.legacy.LegacyImportSystem`
is the 2.x one, `Python/import.c`.  The book's chapter is {doc}`/importing`.
"""

from pyinternals.importing.system import ImportSystem

__all__ = ["ImportSystem"]
