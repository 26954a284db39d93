"""The model interpreter's `atexit` module (`Modules/atexitmodule.c`).

Since 3.x, the functions registered with `atexit.register` belong to the
interpreter (`interp->atexit`), and `Py_FinalizeEx` calls them first
(`_PyAtExit_Call`), the last registered first.  The host's `atexit` is a built-in
module shared by everything running in the process, so a model interpreter gets a
module of its own: otherwise code it runs (a `.pth` file that registers a cleanup,
say) would register in the host, and the callback would run when the host exits,
long after the model interpreter was finalized.

An exception in a callback is reported the way `PyErr_WriteUnraisable` reports
it, on the interpreter's `sys.stderr`, and the other callbacks still run.
"""

from __future__ import annotations

import traceback
import types
from collections.abc import Callable
from typing import Any

__all__ = ["new_atexit_module"]


def new_atexit_module(stderr: Callable[[], Any]) -> types.ModuleType:
    """A fresh `atexit` module whose errors go to `stderr()` (the model's `sys.stderr`)."""
    module = types.ModuleType("atexit", "allow programmer to define multiple exit "
                              "functions to be executed upon normal program termination.")
    callbacks: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    def register(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Callable[..., Any]:
        """Register a function to be called at the interpreter's exit."""
        if not callable(func):
            raise TypeError("the first argument must be callable")
        callbacks.append((func, args, kwargs))
        return func

    def unregister(func: Callable[..., Any], /) -> None:
        """Remove every registration of `func`."""
        callbacks[:] = [entry for entry in callbacks if entry[0] != func]

    def _run_exitfuncs() -> None:
        """Call the registered functions, the last registered first, then forget them."""
        while callbacks:
            func, args, kwargs = callbacks.pop()
            try:
                func(*args, **kwargs)
            except BaseException as exc:
                stream = stderr()
                stream.write(f"Exception ignored in atexit callback: {func!r}\n")
                stream.write("".join(traceback.format_exception(exc)))

    def _clear() -> None:
        """Forget every registered function."""
        callbacks.clear()

    def _ncallbacks() -> int:
        """How many functions are registered."""
        return len(callbacks)

    for function in (register, unregister, _run_exitfuncs, _clear, _ncallbacks):
        function.__module__ = "atexit"
        setattr(module, function.__name__, function)
    return module
