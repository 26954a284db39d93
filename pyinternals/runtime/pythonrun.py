"""Running code: `run_mod`, the interactive loop, errors (`Python/pythonrun.c`).

Every way of running code ends in `run_mod` (the notes, §1.2):

1. **source → AST**: the parser (`_PyParser_ASTFromString`) turns text into a tree;
2. **AST → code object**: the compiler (`PyAST_Compile`, `_PyAST_Compile` in 3.x);
3. **code object → frame**: `PyEval_EvalCode` makes a frame (`PyFrame_New`) whose
   three namespaces are the *globals* (the `__main__` module's dict), the *locals*
   (the same dict at module level) and the *builtins* (taken from the globals'
   `__builtins__`, shared by every thread of the interpreter);
4. **evaluation**: the eval loop runs the frame's bytecode.

{py:func}`run_mod` keeps each stage in a {py:class}`RunMod` so that a reader can
look at the real AST, the real code object and the frame's namespaces.  On top of
it: {py:func}`PyRun_SimpleStringFlags` (`-c`), {py:func}`PyRun_SimpleFileExFlags`
(a script, with `__file__` set while it runs) and
{py:func}`PyRun_InteractiveLoopFlags` (the `>>>` loop: one statement at a time,
`sys.ps1` and `sys.ps2` as prompts, results through `sys.displayhook`, errors
printed and the loop going on).

The parser, the compiler and the eval loop are the host's own (the model runs code
for real); that is why running code is modelled for the running interpreter's
version only.  Two things the eval loop reads from the *process's* `sys` module are
swapped for the duration of one statement and put back: `sys.displayhook` (the
interactive loop's `PRINT_EXPR`) and `sys.stderr` while the host's C error printer
(`sys.__excepthook__`, `PyErr_Display`) writes a traceback into the model's stream.
See {doc}`/runtime`.
"""

from __future__ import annotations

import ast
import contextlib
import io
import linecache
import sys
import threading
import tokenize
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyinternals.diagrams import Drawable
from pyinternals.diagrams.dot import Field, Record
from pyinternals.diagrams.style import edge_role, graph, role

if TYPE_CHECKING:
    from pyinternals.runtime.pylifecycle import Interpreter

__all__ = [
    "PyFrameObject",
    "PyRun_InteractiveLoopFlags",
    "PyRun_SimpleFileExFlags",
    "PyRun_SimpleStringFlags",
    "RunMod",
    "run_mod",
]


# -- The frame -----------------------------------------------------------------------


class PyFrameObject(Drawable):
    """A frame as `PyEval_EvalCode` makes it: code, three namespaces, previous frame.

    The real frame is the host's own; this object records the namespaces it was
    given (the same dict objects), so that they can be inspected and drawn.
    """

    def __init__(self, code: types.CodeType, globals: dict[str, Any],
                 locals: dict[str, Any] | None, back: PyFrameObject | None = None) -> None:
        #: The code object being run.
        self.f_code = code
        self.f_globals = globals
        #: At module level the locals are the globals (`run_mod` passes the dict twice).
        self.f_locals = globals if locals is None else locals
        #: `globals['__builtins__']` (its dict when it is a module): `PyFrame_New`
        #: looks the builtins up there, which is why all the code of one interpreter
        #: shares them.
        self.f_builtins = _builtins_of(globals)
        self.f_back = back

    def __repr__(self) -> str:
        return f"<PyFrameObject for {self.f_code.co_name} of {self.f_code.co_filename!r}>"

    def to_dot(self) -> str:
        """The frame and its three namespaces, with a few of their names."""
        g = graph("frame", rankdir="LR")
        g.node("frame", label=Record([
            Field(f"PyFrameObject {self.f_code.co_name}"),
            Field(f"f_code: {self.f_code.co_filename}"),
            Field("f_locals", "locals"), Field("f_globals", "globals"),
            Field("f_builtins", "builtins")]), **role("state"))
        # One box per distinct dict: at module level the locals are the globals.
        boxes: dict[int, list[str]] = {}
        spaces = {"locals": self.f_locals, "globals": self.f_globals,
                  "builtins": self.f_builtins}
        for port, namespace in spaces.items():
            boxes.setdefault(id(namespace), []).append(port)
        for ports in boxes.values():
            namespace = spaces[ports[0]]
            name = ports[0]
            names = [n for n in namespace if not (n.startswith("__") and n.endswith("__"))]
            listed = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
            title = " = ".join(f"f_{p}" for p in ports)
            g.node(name, label=Record([
                Field(f"{title}: dict, {len(namespace)} names"),
                Field(listed or "(no other names)"),
                Field(f"{len(namespace) - len(names)} __dunder__ names")]),
                **role("container"))
            for port in ports:
                g.edge("frame", name, tailport=port, **edge_role("strong"))
        return g.source()


def _builtins_of(globals: dict[str, Any]) -> dict[str, Any]:
    builtins = globals.get("__builtins__")
    if isinstance(builtins, types.ModuleType):
        return vars(builtins)
    if isinstance(builtins, dict):
        return builtins
    raise KeyError("the globals have no '__builtins__': PyFrame_New would find none")


# -- run_mod -------------------------------------------------------------------------


@dataclass
class RunMod:
    """The stages of one `run_mod`: source, AST, code object, frame, result."""

    source: str
    filename: str
    #: `"exec"` (a file, `-c`) or `"single"` (one interactive statement).
    mode: str
    #: The syntax tree the parser made (an `ast.Module`, or `ast.Interactive`).
    tree: Any = None
    code: types.CodeType | None = None
    frame: PyFrameObject | None = None
    #: What evaluation returned (`None` for module code).
    result: Any = None
    #: The exception that ended evaluation (or compilation), if any.
    exception: BaseException | None = None
    #: The exit status when the code raised `SystemExit`.
    exit_code: int | None = None
    stages: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        state = ("raised " + type(self.exception).__name__ if self.exception
                 else "ran" if self.frame else "not run")
        return f"<RunMod {self.filename!r} ({self.mode}): {state}>"


def run_mod(interp: Interpreter, source: str, filename: str, globals: dict[str, Any],
            locals: dict[str, Any] | None = None, *, mode: str = "exec") -> RunMod:
    """Parse, compile and evaluate `source` in `globals`: the four stages.

    Errors are not printed here: the caller (`PyRun_Simple*`, the loop) does that
    with {py:func}`PyErr_Print`.  `SystemExit` is caught and recorded as the exit
    status.
    """
    record = RunMod(source, filename, mode)
    try:
        record.tree = ast.parse(source, filename, mode)
        record.stages.append("ast")
        assert record.tree is not None
        code_filename = _code_filename(interp, filename, mode)
        record.code = compile(record.tree, code_filename, mode, 0, dont_inherit=True,
                              optimize=interp.config.optimization_level)
        record.stages.append("code")
    except SyntaxError as exc:
        exc.__traceback__ = None
        record.exception = exc
        return record
    _register_source(interp, record)
    record.frame = PyFrameObject(record.code, globals, locals, back=interp.tstate.frame)
    record.stages.append("frame")
    _eval(interp, record)
    return record


def _code_filename(interp: Interpreter, filename: str, mode: str) -> str:
    """The file name the code object gets.

    3.13 numbers each statement of the interactive loop (`<stdin>-0`, `<stdin>-1`,
    ...: `interp->_interactive_src_count`) so that `linecache` keeps each one's
    source apart; tracebacks still show `<stdin>`.  The parser used `<stdin>`, so
    syntax errors do too, and a statement that does not parse takes no number.
    """
    if mode == "single" and interp.profile.tracebacks_quote_string_source:
        numbered = f"{filename}-{interp.interactive_src_count}"
        interp.interactive_src_count += 1
        return numbered
    return filename


def _register_source(interp: Interpreter, record: RunMod) -> None:
    """3.13+: the source of `-c` and interactive input goes to `linecache`."""
    assert record.code is not None
    name = record.code.co_filename
    if interp.profile.tracebacks_quote_string_source and name.startswith("<"):
        interp.string_sources[name] = record.source


def _eval(interp: Interpreter, record: RunMod) -> None:
    """`PyEval_EvalCode`: run the frame; the thread state's frame while it runs."""
    frame = record.frame
    assert frame is not None
    assert record.code is not None
    tstate = interp.tstate
    saved, tstate.frame = tstate.frame, frame
    try:
        with _process_sys(interp, displayhook=record.mode == "single"):
            record.result = eval(record.code, frame.f_globals, frame.f_locals)
        record.stages.append("eval")
    except SystemExit as exc:
        _drop_model_frames(exc, record.code.co_filename)
        record.exception = exc
        record.exit_code = _exit_code(interp, exc)
    except BaseException as exc:
        _drop_model_frames(exc, record.code.co_filename)
        record.exception = exc
    finally:
        tstate.frame = saved


#: Held while the process's `sys.displayhook` or `sys.stderr` is lent to a model
#: interpreter: two threads swapping them at once could leave the host with the
#: model's (one puts back what the other had put there).
_PROCESS_LOCK = threading.RLock()


@contextlib.contextmanager
def _process_sys(interp: Interpreter, *, displayhook: bool) -> Iterator[None]:
    """Point the process's `sys.displayhook` at the model's while one statement runs."""
    if not displayhook:
        yield
        return
    with _PROCESS_LOCK:
        saved = sys.displayhook
        sys.displayhook = interp.sys.displayhook
        try:
            yield
        finally:
            sys.displayhook = saved


def _exit_code(interp: Interpreter, exc: SystemExit) -> int:
    """`handle_system_exit`: the status a `SystemExit` stands for."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int) and not isinstance(code, bool):
        return code
    interp.sys.stderr.write(f"{code}\n")
    return 1


# -- Errors ------------------------------------------------------------------------


def PyErr_Print(interp: Interpreter, exc: BaseException) -> None:
    """Print an exception the way the interpreter's `sys.excepthook` does.

    Sets `sys.last_type`, `sys.last_value`, `sys.last_traceback` (and 3.12's
    `sys.last_exc`), then calls the model's `sys.excepthook`.
    """
    s = interp.sys
    s.last_type, s.last_value, s.last_traceback = type(exc), exc, exc.__traceback__
    if interp.profile.version >= "3.12":
        s.last_exc = exc
    s.excepthook(type(exc), exc, exc.__traceback__)


def _drop_model_frames(exc: BaseException, filename: str) -> None:
    """Cut the model's own frames (`run_mod`, `ast.parse`, the `eval` call) off the
    front of the traceback, which then starts in the code that was run, as in C.

    A syntax error gets no traceback at all: it happened before any code ran.
    """
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    exc.__traceback__ = tb


def sys_excepthook(interp: Interpreter, exc_type: type[BaseException],
                   value: BaseException, tb: types.TracebackType | None) -> None:
    """The model's `sys.excepthook`: the host's `PyErr_Display`, into the model's stderr.

    The C printer writes to the process's `sys.stderr`; it is pointed at the model's
    stream for the call.  For 3.13+ the source of `-c` and interactive input is
    lent to `linecache` meanwhile, as the real interpreter registers it there.
    """
    with _PROCESS_LOCK:
        stream = interp.sys.stderr
        saved_stderr = sys.stderr
        borrowed: dict[str, Any] = {}
        for name, text in interp.string_sources.items():
            borrowed[name] = linecache.cache.get(name)
            lines = [line + "\n" for line in text.splitlines()]
            shown = name.rpartition("-")[0] if name.startswith("<stdin>-") else name
            linecache.cache[name] = (len(text), None, lines, shown)
        sys.stderr = stream
        try:
            sys.__excepthook__(exc_type, value, tb)
        finally:
            sys.stderr = saved_stderr
            for name, old in borrowed.items():
                if old is None:
                    linecache.cache.pop(name, None)
                else:
                    linecache.cache[name] = old


def sys_displayhook(interp: Interpreter, value: Any) -> None:
    """The model's `sys.displayhook` (`sys_displayhook` in `Python/sysmodule.c`).

    `None` prints nothing; anything else is printed with `repr` on `sys.stdout` and
    kept in the interpreter's `builtins._` (set to `None` first, so that printing
    `_` does not find itself).
    """
    if value is None:
        return
    builtins = interp.builtins
    builtins["_"] = None
    interp.sys.stdout.write(repr(value) + "\n")
    builtins["_"] = value


# -- PyRun_Simple* -------------------------------------------------------------------


def PyRun_SimpleStringFlags(interp: Interpreter, command: str,
                            filename: str = "<string>") -> RunMod:
    """`-c`: run `command` in `__main__`'s namespace; print an error if one happens."""
    record = run_mod(interp, command, filename, interp.main_dict)
    _report(interp, record)
    return record


def PyRun_SimpleFileExFlags(interp: Interpreter, filename: str, source: str) -> RunMod:
    """A script: `__file__` and `__cached__` are set in `__main__` while it runs."""
    main = interp.main_dict
    set_file_name = "__file__" not in main
    if set_file_name:
        main["__file__"] = filename
        main["__cached__"] = None
    try:
        record = run_mod(interp, source, filename, main)
        _report(interp, record)
    finally:
        if set_file_name:
            main.pop("__file__", None)
            main.pop("__cached__", None)
    return record


def _report(interp: Interpreter, record: RunMod) -> None:
    if record.exception is not None and record.exit_code is None:
        PyErr_Print(interp, record.exception)
    _flush_io(interp)


def _flush_io(interp: Interpreter) -> None:
    for name in ("stderr", "stdout"):
        stream = getattr(interp.sys, name, None)
        flush = getattr(stream, "flush", None)
        if flush is not None:
            flush()


# -- The interactive loop ------------------------------------------------------------

#: `PyCF_DONT_IMPLY_DEDENT | PyCF_ALLOW_INCOMPLETE_INPUT`: compile one statement the
#: way the interactive tokenizer sees it, telling "not finished" apart from "wrong".
_INTERACTIVE_FLAGS = 0x200 | 0x4000
#: Statements with a block: the parser cannot know they are over before it sees the
#: line after them (an `else:` may follow).
_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith,
             ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match,
             *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


class _Input:
    """Standard input as the interactive loop reads it: line by line, prompts on stderr."""

    def __init__(self, interp: Interpreter, stdin: io.StringIO, echo: bool) -> None:
        self.interp = interp
        self.stdin = stdin
        self.echo = echo

    def readline(self, prompt: str) -> str | None:
        """`PyOS_Readline`: flush stdout, write the prompt to stderr, read a line.

        At the end of the input the terminal is left on a new line.
        """
        _flush_io(self.interp)
        err = self.interp.sys.stderr
        err.write(prompt)
        line = self.stdin.readline()
        if not line:
            err.write("\n")
            return None
        if not line.endswith("\n"):
            line += "\n"
        if self.echo:  # what a terminal shows: the typed line after the prompt
            err.write(line)
        return line


def _open_tokens(source: str) -> bool | None:
    """Whether `source` ends inside brackets, a continued line or a triple-quoted
    string (`True`), is balanced (`False`), or cannot be tokenized (`None`)."""
    try:
        for _ in tokenize.generate_tokens(io.StringIO(source).readline):
            pass
    except tokenize.TokenError as exc:
        return "EOF in multi-line" in str(exc.args[0])
    except SyntaxError:
        return None
    return False


def _needs_more(source: str) -> bool:
    """Would the parser ask the tokenizer for another line after `source`?

    - when the compiler calls the text wrong: no, the error is reported now (the
      parser stops at the first token that cannot continue, brackets open or not);
    - inside brackets, after a backslash or in a triple-quoted string: yes;
    - after an empty line (not one of spaces, which the tokenizer skips as blank):
      no, the statement is over, right or wrong;
    - when the compiler calls the text incomplete (a block header with no body
      yet): yes;
    - a complete compound statement (`if`, `for`, `def`, ...): yes, until an empty
      line, since an `else:` or more of the block may follow;
    - a complete simple statement: no.
    """
    try:
        tree = compile(source, "<stdin>", "single", _INTERACTIVE_FLAGS | ast.PyCF_ONLY_AST,
                       dont_inherit=True)
        incomplete = False
    except SyntaxError as exc:
        if "incomplete input" not in str(exc):
            return False
        incomplete, tree = True, None
    state = _open_tokens(source)
    if state is None:
        return False
    if state:
        return True
    if source.endswith("\n\n") or source == "\n":
        return False
    if incomplete:
        return True
    assert isinstance(tree, ast.Interactive)
    return bool(tree.body) and isinstance(tree.body[0], _COMPOUND)


def _read_statement(reader: _Input) -> str | None:
    """The parser asking the tokenizer for lines until one statement is over.

    The first line is read after `sys.ps1`, the others after `sys.ps2`.  A first
    line of spaces or a comment alone is a statement of its own that does nothing.
    Returns `None` at the end of the input.
    """
    interp = reader.interp
    line = reader.readline(str(interp.sys.ps1))
    if line is None:
        return None
    if not line.strip() or line.lstrip().startswith("#"):
        return ""
    source = line
    while _needs_more(source):
        more = reader.readline(str(interp.sys.ps2))
        if more is None:
            break
        source += more
    return source


def PyRun_InteractiveLoopFlags(interp: Interpreter, lines: Iterable[str] | str, *,
                               echo: bool = True) -> int:
    """The interactive loop on `lines`; the exit status when it ends.

    Output goes to the model's `sys.stdout` and `sys.stderr` (prompts go to stderr
    when standard input is not a terminal).  `echo` writes each line after its
    prompt, as a terminal shows what is typed; without it the output is what
    `python -i -q < file` prints.  `input()` inside the session reads from the same
    lines.
    """
    text = lines if isinstance(lines, str) else "".join(
        line if line.endswith("\n") else line + "\n" for line in lines)
    stdin = io.StringIO(text)
    saved_stdin = interp.sys.stdin
    interp.sys.stdin = stdin
    reader = _Input(interp, stdin, echo)
    s = interp.sys
    if not hasattr(s, "ps1"):
        s.ps1 = ">>> "
    if not hasattr(s, "ps2"):
        s.ps2 = "... "
    try:
        while True:
            source = _read_statement(reader)
            if source is None:
                return 0
            if not source:
                continue
            record = run_mod(interp, source, "<stdin>", interp.main_dict, mode="single")
            if record.exit_code is not None:
                return record.exit_code
            if record.exception is not None:
                PyErr_Print(interp, record.exception)
            _flush_io(interp)
    finally:
        interp.sys.stdin = saved_stdin
