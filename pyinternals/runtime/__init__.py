"""Chapter 1: the runtime, its interpreter and thread states, start-up, running code.

- {py:mod}`pyinternals.runtime.pystate`: the runtime's list of interpreters
  (`interp_head`), each interpreter's thread states, the current thread state
  (`Python/pystate.c`).  The threads chapter builds its threads on these states.
- {py:mod}`pyinternals.runtime.config`: the command line and the environment
  (`PyConfig`, 2.x's `Py_Main`), and `sys.flags`.
- {py:mod}`pyinternals.runtime.getpath`: prefix, exec_prefix and the module search
  path; {py:mod}`pyinternals.runtime.site`: what `site` adds;
  {py:mod}`pyinternals.runtime.pathconfig`: all of it for one command line.
- {py:mod}`pyinternals.runtime.pylifecycle`:
  {py:func}`~pyinternals.runtime.pylifecycle.initialize` boots a model
  interpreter step by step, through the model import system;
  {py:mod}`pyinternals.runtime.pythonrun` runs code in it (`run_mod`, the
  interactive loop) and {py:mod}`pyinternals.runtime.main` runs its command line.
- {py:mod}`pyinternals.runtime.boot27`: CPython 2.7's `Py_InitializeEx`, the
  sequence the notes read, executed (`initialize(..., profile="2.7")`).

The chapter is {doc}`/runtime`.

```python
>>> import sys
>>> from pyinternals.runtime import initialize
>>> interp = initialize([sys.executable, "-S", "-c", "pass"], {"HOME": "/nowhere"})
>>> interp.startup_imports[-3:]
['_abc', 'abc', 'io']
>>> interp.finalize()

```
"""

from pyinternals.runtime.pathconfig import configure
from pyinternals.runtime.pylifecycle import Interpreter, initialize

__all__ = ["Interpreter", "configure", "initialize"]
