"""The eval loop's half of an import statement (`Python/ceval.c`).

An `import` statement compiles to two kinds of instructions.  `IMPORT_NAME` calls
`builtins.__import__` and pushes what it returns; for `from m import a, b` (and, since
3.7, for `import a.b.c as d`) one `IMPORT_FROM` per name then takes that name from
the module on the stack:

```text
>>> import dis
>>> dis.dis("from m import a")  # doctest: +SKIP
  LOAD_CONST    0 (0)
  LOAD_CONST    1 (('a',))
  IMPORT_NAME   0 (m)
  IMPORT_FROM   1 (a)
  STORE_NAME    1 (a)
  POP_TOP
```

`IMPORT_FROM` is C code of the interpreter running the models, and it falls back on
*that* interpreter's `sys.modules` when the attribute is missing (bpo-17636: `from
. import b` inside a package whose `b` is still being imported, a circular import).
To give a model import system its own `IMPORT_FROM`, the model's `__import__` looks at
its caller: when the instruction after the `IMPORT_NAME` that called it is an
`IMPORT_FROM`, it returns a {py:class}`FromImport` in place of the module.  That object
lives only on the caller's value stack, between the two instructions; each attribute
`IMPORT_FROM` reads from it runs the model's `import_from` and returns a real object.
See {doc}`/importing`.
"""

from __future__ import annotations

import dis
from collections.abc import Callable
from types import FrameType

IMPORT_NAME = dis.opmap["IMPORT_NAME"]
IMPORT_FROM = dis.opmap["IMPORT_FROM"]
_SKIPPED = frozenset({dis.opmap["EXTENDED_ARG"], dis.opmap.get("CACHE", -1)})

#: `import_from(module, name)`: what IMPORT_FROM does for one name.
ImportFrom = Callable[[object, str], object]


def import_name_followed_by_import_from(frame: FrameType | None) -> bool:
    """Whether `frame` is executing an `IMPORT_NAME` whose next instruction is an
    `IMPORT_FROM` (so the caller is a `from ... import` or an `import a.b as c`)."""
    if frame is None:
        return False
    code = frame.f_code.co_code
    i = frame.f_lasti
    if i < 0 or i >= len(code) or code[i] != IMPORT_NAME:
        return False
    j = i + 2
    while j < len(code) and code[j] in _SKIPPED:
        j += 2
    return j < len(code) and code[j] == IMPORT_FROM


class FromImport:
    """What the model's `__import__` gives an `IMPORT_FROM`: the module, seen through
    the model's `import_from`.

    `rest` is `None` for `from m import a, b`.  For `import a.b.c as d`, which reads
    `b` from `a` and then `c` from `a.b`, it is `["b", "c"]`: reading `b` gives another
    `FromImport` (for `c`), reading the last part gives the module itself.
    """

    __slots__ = ("_import_from", "_module", "_rest")

    def __init__(self, import_from: ImportFrom, module: object,
                 rest: list[str] | None = None) -> None:
        object.__setattr__(self, "_import_from", import_from)
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_rest", rest)

    def __getattribute__(self, name: str) -> object:
        import_from: ImportFrom = object.__getattribute__(self, "_import_from")
        module = object.__getattribute__(self, "_module")
        rest: list[str] | None = object.__getattribute__(self, "_rest")
        value = import_from(module, name)
        if rest is not None and len(rest) > 1:
            return FromImport(import_from, value, rest[1:])
        return value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("the transient object between IMPORT_NAME and IMPORT_FROM "
                             "is read-only")
