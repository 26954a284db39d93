"""Interpreter and thread states: a model of `Python/pystate.c`.

CPython keeps two kinds of state records.  A `PyInterpreterState` is one
interpreter: its modules, its `sys` dictionary, its builtins, its threads (the notes
call it the model of a process).  A `PyThreadState` is one thread running Python
code in that interpreter: which interpreter it belongs to, its current frame, the id
of the OS thread.  The runtime (`_PyRuntimeState` in 3.x; plain globals in 2.x)
links every interpreter from `interp_head`, and remembers which thread state is
current: the one whose thread holds the GIL (`_PyThreadState_Current` in 2.x).

Both lists grow at the head, as in C: a new interpreter becomes `interp_head`, a new
thread state becomes its interpreter's `tstate_head`.  In 3.x interpreters are
numbered from 0 (the main interpreter) and thread states from 1 within their
interpreter; 2.x numbered neither.

The functions are methods named after the C functions they mirror:
{py:meth}`Runtime.PyInterpreterState_New`, {py:meth}`Runtime.PyThreadState_New`,
{py:meth}`Runtime.PyThreadState_Swap` and so on.  Where C calls `Py_FatalError`, the
model raises {py:class}`FatalError` with C's message, and leaves the state as it was.

```python
>>> runtime = Runtime()
>>> main = runtime.PyInterpreterState_New()
>>> t1 = runtime.PyThreadState_New(main, thread_id=1)
>>> t2 = runtime.PyThreadState_New(main, thread_id=2)
>>> [t.id for t in main.threads()]   # newest first: the list grows at its head
[2, 1]
>>> runtime.PyThreadState_Swap(t1) is None
True
>>> runtime.PyThreadState_Get() is t1
True

```
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from pyinternals.diagrams import Drawable
from pyinternals.diagrams.dot import Field, Record
from pyinternals.diagrams.style import edge_role, graph, role


class FatalError(RuntimeError):
    """What `Py_FatalError` would have printed before aborting the process."""

    def __init__(self, function: str, message: str) -> None:
        super().__init__(f"Fatal Python error: {function}: {message}")
        self.function = function


class PyThreadState(Drawable):
    """One thread's state (`PyThreadState`, `Include/cpython/pystate.h`)."""

    def __init__(self, interp: PyInterpreterState, id: int, thread_id: int | None) -> None:
        #: The interpreter this thread runs in.
        self.interp = interp
        #: Unique within the interpreter, from 1 (3.x `tstate->id`).
        self.id = id
        #: The OS thread (`PyThread_get_thread_ident()`); `None` until it runs.
        self.thread_id = thread_id
        #: The list of the interpreter's thread states: newer ones come first.
        self.next: PyThreadState | None = None
        self.prev: PyThreadState | None = None
        #: The frame being executed, or `None` between calls.
        self.frame: Any = None
        self.recursion_depth = 0
        #: `PyThreadState_GetDict()`: per-thread storage for extension modules.
        self.dict: dict[str, Any] | None = None
        #: Whether `PyThreadState_Clear` has run.
        self.cleared = False

    def __repr__(self) -> str:
        return f"<PyThreadState id={self.id} thread_id={self.thread_id}>"

    def to_dot(self) -> str:
        """This thread state's interpreter, drawn with its threads (this one among them)."""
        return self.interp.to_dot()


#: How many of an interpreter's modules its drawing lists.
DRAWN_MODULES = 12


class PyInterpreterState(Drawable):
    """One interpreter's state (`PyInterpreterState`, `Include/internal/pycore_interp.h`)."""

    def __init__(self, runtime: Runtime, id: int) -> None:
        self.runtime = runtime
        #: 0 for the main interpreter, then 1, 2 ... (3.x `interp->id`).
        self.id = id
        #: The runtime's list of interpreters: newer ones come first.
        self.next: PyInterpreterState | None = None
        #: The head of this interpreter's list of thread states.
        self.tstate_head: PyThreadState | None = None
        #: `sys.modules`, `sys.__dict__` and the builtins' `__dict__` of this interpreter.
        self.modules: dict[str, Any] = {}
        self.sysdict: dict[str, Any] = {}
        self.builtins: dict[str, Any] = {}
        self._next_tstate_id = 0

    def __repr__(self) -> str:
        return f"<PyInterpreterState id={self.id}>"

    def threads(self) -> Iterator[PyThreadState]:
        """`PyInterpreterState_ThreadHead` and `PyThreadState_Next`: newest first."""
        tstate = self.tstate_head
        while tstate is not None:
            yield tstate
            tstate = tstate.next

    def to_dot(self, *, shown: int = DRAWN_MODULES) -> str:
        """This interpreter alone: its three namespaces and its thread states.

        `interp->modules` lists its first `shown` modules in import order (and how
        many more there are); `sysdict` and `builtins` point at the modules whose
        dicts they are.  The thread holding the GIL is drawn as the holder.
        """
        g = graph(f"interp{self.id}", rankdir="LR", nodesep=0.2)
        title = f"PyInterpreterState {self.id}" + (" (main)" if self is self.runtime.main else "")
        g.node("interp", label=Record([Field(title), Field("modules", "modules"),
                                       Field("sysdict", "sysdict"),
                                       Field("builtins", "builtins"),
                                       Field("tstate_head", "threads")]), **role("state"))
        names = list(self.modules)
        fields = [Field(f"interp->modules: {len(names)}", "head")]
        fields += [Field(name, _port(name)) for name in names[:shown]]
        if len(names) > shown:
            fields.append(Field(f"... and {len(names) - shown} more"))
        g.node("modules", label=Record(fields), **role("struct"))
        g.edge("interp", "modules", tailport="modules", headport="head", **edge_role("ref"))
        for key, namespace in (("sysdict", self.sysdict), ("builtins", self.builtins)):
            owner = next((name for name in names[:shown]
                          if getattr(self.modules[name], "__dict__", None) is namespace), None)
            if owner is not None:
                g.edge("interp", "modules", tailport=key, headport=_port(owner),
                       **edge_role("ref"))
            else:
                g.node(key, label=f"{key}: {len(namespace)} names", **role("struct"))
                g.edge("interp", key, tailport=key, **edge_role("ref"))
        previous, port = "interp", "threads"
        for tstate in self.threads():
            name = f"t{tstate.id}"
            who = "not started" if tstate.thread_id is None else f"thread {tstate.thread_id}"
            holder = tstate is self.runtime.tstate_current
            g.node(name, label=f"PyThreadState {tstate.id}\n{who}",
                   **role("holder" if holder else "idle"))
            g.edge(previous, name, tailport=port or None, **edge_role("list"))
            previous, port = name, ""
        return g.source()


def _port(name: str) -> str:
    """A Graphviz port for a module name (dots and the like are not allowed)."""
    return "m_" + "".join(c if c.isalnum() else "_" for c in name)


class Runtime(Drawable):
    """The process-wide state: every interpreter, and the current thread state.

    `name` is only used in drawings: `_PyRuntime` (3.x) or `globals` (2.x).
    """

    def __init__(self, name: str = "_PyRuntime") -> None:
        self.name = name
        #: The head of the list of interpreters (`_PyRuntime.interpreters.head`).
        self.interp_head: PyInterpreterState | None = None
        #: The first interpreter created (`_PyRuntime.interpreters.main`).
        self.main: PyInterpreterState | None = None
        #: The thread state of the thread holding the GIL (`_PyThreadState_Current`).
        self.tstate_current: PyThreadState | None = None
        #: `PyGILState`: the thread state each OS thread uses (`autoTSSkey`).
        self.gilstate: dict[int, PyThreadState] = {}
        #: `HEAD_LOCK`: guards both lists.
        self.head_lock = threading.RLock()
        self._next_interp_id = 0

    # -- Interpreters ---------------------------------------------------------------

    def interpreters(self) -> Iterator[PyInterpreterState]:
        """`PyInterpreterState_Head` and `PyInterpreterState_Next`: newest first."""
        interp = self.interp_head
        while interp is not None:
            yield interp
            interp = interp.next

    def PyInterpreterState_New(self) -> PyInterpreterState:
        """A new interpreter, put at the head of `interp_head`."""
        with self.head_lock:
            interp = PyInterpreterState(self, self._next_interp_id)
            self._next_interp_id += 1
            interp.next = self.interp_head
            self.interp_head = interp
            if self.main is None:
                self.main = interp
            return interp

    def PyInterpreterState_Clear(self, interp: PyInterpreterState) -> None:
        """Clear every thread state of `interp` and drop its modules and dicts."""
        for tstate in interp.threads():
            self.PyThreadState_Clear(tstate)
        interp.modules.clear()
        interp.sysdict.clear()
        interp.builtins.clear()

    def PyInterpreterState_Delete(self, interp: PyInterpreterState) -> None:
        """Unlink `interp` (its thread states are deleted first, `zapthreads`)."""
        with self.head_lock:
            if interp not in list(self.interpreters()):
                raise FatalError("PyInterpreterState_Delete", "invalid interp")
            if interp is self.main and any(i is not interp for i in self.interpreters()):
                raise FatalError("PyInterpreterState_Delete", "remaining subinterpreters")
            if self.tstate_current is not None and self.tstate_current.interp is interp:
                raise FatalError("PyInterpreterState_Delete",
                                 "a thread state of this interpreter is still current")
            for tstate in list(interp.threads()):
                self._unlink(tstate)
            if self.interp_head is interp:
                self.interp_head = interp.next
            else:
                for other in self.interpreters():
                    if other.next is interp:
                        other.next = interp.next
                        break
            interp.next = None
            if interp is self.main:
                self.main = None

    # -- Thread states --------------------------------------------------------------

    def PyThreadState_New(self, interp: PyInterpreterState,
                          thread_id: int | None = None) -> PyThreadState:
        """A new thread state at the head of `interp`'s list (`new_threadstate`).

        `thread_id` is the OS thread that will run it; `_PyThreadState_Prealloc`
        passes none, and `t_bootstrap` sets it once the new thread runs.
        """
        with self.head_lock:
            if interp not in list(self.interpreters()):
                raise FatalError("PyThreadState_New", "the interpreter was deleted")
            interp._next_tstate_id += 1
            tstate = PyThreadState(interp, interp._next_tstate_id, thread_id)
            old_head = interp.tstate_head
            tstate.next = old_head
            if old_head is not None:
                old_head.prev = tstate
            interp.tstate_head = tstate
            if thread_id is not None:
                self._PyGILState_NoteThreadState(tstate)
            return tstate

    def _PyThreadState_Prealloc(self, interp: PyInterpreterState) -> PyThreadState:
        """A thread state for a thread not started yet (`thread.start_new_thread`)."""
        return self.PyThreadState_New(interp, thread_id=None)

    def _PyThreadState_Init(self, tstate: PyThreadState, thread_id: int) -> None:
        """Bind a preallocated thread state to the OS thread that now runs it."""
        tstate.thread_id = thread_id
        self._PyGILState_NoteThreadState(tstate)

    def _PyGILState_NoteThreadState(self, tstate: PyThreadState) -> None:
        """Remember `tstate` as its OS thread's own, unless that thread has one."""
        if tstate.thread_id is not None:
            self.gilstate.setdefault(tstate.thread_id, tstate)

    def PyThreadState_Clear(self, tstate: PyThreadState) -> None:
        """Drop what the thread state references: its frame and its dict."""
        tstate.frame = None
        tstate.dict = None
        tstate.recursion_depth = 0
        tstate.cleared = True

    def _unlink(self, tstate: PyThreadState) -> None:
        interp = tstate.interp
        if tstate.prev is not None:
            tstate.prev.next = tstate.next
        else:
            interp.tstate_head = tstate.next
        if tstate.next is not None:
            tstate.next.prev = tstate.prev
        tstate.next = tstate.prev = None
        if tstate.thread_id is not None and self.gilstate.get(tstate.thread_id) is tstate:
            del self.gilstate[tstate.thread_id]

    def PyThreadState_Delete(self, tstate: PyThreadState) -> None:
        """Unlink a thread state that is not current (`tstate_delete_common`)."""
        with self.head_lock:
            if tstate is self.tstate_current:
                raise FatalError("PyThreadState_Delete", "tstate is still current")
            if tstate not in list(tstate.interp.threads()):
                raise FatalError("PyThreadState_Delete", "tstate not found in interpreter")
            self._unlink(tstate)

    def PyThreadState_DeleteCurrent(self) -> PyThreadState:
        """Unlink the current thread state and make none current.

        In C this also releases the GIL (`PyEval_ReleaseLock`): the threads model
        does that part.  Returns the deleted thread state.
        """
        with self.head_lock:
            tstate = self.tstate_current
            if tstate is None:
                raise FatalError("PyThreadState_DeleteCurrent", "no current tstate")
            self.tstate_current = None
            self._unlink(tstate)
            return tstate

    def PyThreadState_Swap(self, new: PyThreadState | None) -> PyThreadState | None:
        """Make `new` the current thread state; return the previous one."""
        if new is not None and new not in list(new.interp.threads()):
            raise FatalError("PyThreadState_Swap", "tstate was deleted")
        old = self.tstate_current
        self.tstate_current = new
        return old

    def PyThreadState_Get(self) -> PyThreadState:
        """The current thread state; without one, C aborts the process."""
        if self.tstate_current is None:
            raise FatalError("PyThreadState_Get", "no current thread")
        return self.tstate_current

    # -- Drawing ----------------------------------------------------------------------

    def to_dot(self) -> str:
        """The runtime, its interpreters and their thread states; the current one bold."""
        g = graph("runtime", rankdir="LR")
        g.node("runtime", label=Record([Field(self.name), Field("interp_head", "head"),
                                        Field("tstate_current", "current")]),
               **role("state"))
        previous, port = "runtime", "head"
        for interp in self.interpreters():
            name = f"interp{interp.id}"
            title = f"PyInterpreterState {interp.id}" + (" (main)" if interp is self.main else "")
            g.node(name, label=Record([Field(title), Field(f"modules: {len(interp.modules)}"),
                                       Field("tstate_head", "threads"), Field("next", "next")]),
                   **role("state"))
            g.edge(previous, name, tailport=port, label="next" if port == "next" else None,
                   **edge_role("list"))
            previous, port = name, "next"
            t_prev, t_port = name, "threads"
            for tstate in interp.threads():
                tname = f"{name}.t{tstate.id}"
                who = "not started" if tstate.thread_id is None else f"thread {tstate.thread_id}"
                is_current = tstate is self.tstate_current
                g.node(tname, label=f"PyThreadState {tstate.id}\n{who}",
                       **role("holder" if is_current else "idle"))
                g.edge(t_prev, tname, tailport=t_port if t_port else None,
                       **edge_role("list"))
                t_prev, t_port = tname, ""
        current = self.tstate_current
        if current is not None:
            g.edge("runtime", f"interp{current.interp.id}.t{current.id}", tailport="current",
                   **edge_role("holds"))
        return g.source()
