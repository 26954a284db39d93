"""The small-object allocator's rows of the fidelity ledger.

Every row runs one experiment of `probes/obmalloc.py` twice: in the real
interpreter (through ctypes `PyObject_Malloc`/`PyObject_Free`/`PyObject_Realloc`)
and against a fresh model allocator of that version's profile
({py:mod}`~pyinternals.memory.obmalloc.experiments`).  The two observations must
agree.  Rows about `sys._debugmallocstats()` and `sys.getallocatedblocks()` are 3.x
only: 2.7 has neither.  The chapter {doc}`/memory/allocator` shows the rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from pyinternals import profiles
from pyinternals.memory.obmalloc import debug_experiments as D
from pyinternals.memory.obmalloc import experiments as X
from pyinternals.memory.obmalloc.allocator import Allocator
from pyinternals.memory.obmalloc.stats import obmalloc_section, parse
from pyinternals.observe.discovery import Interpreter
from pyinternals.observe.ledger import Check, Outcome, Status, agreement

CHAPTER = "memory/allocator"
THREE = tuple(v for v in profiles.KNOWN if profiles.obmalloc.get(v).has_debugmallocstats)


def _payload(command: str, family: str) -> Any:
    if command == "layout":
        return {"sizes": list(X.LAYOUT_SIZES)}
    if command == "scenarios":
        request, other = X.SCENARIO_SIZES
        return {"request": request, "other": other}
    if command == "sequences":
        return {"plans": [X.sequence_plan(family, seed) for seed in (1, 2, 3)]}
    return None


def _both(interpreter: Interpreter, command: str) -> tuple[Any, Any]:
    family = interpreter.profile
    assert family is not None
    payload = _payload(command, family)
    return X.run_model(family, command, payload), X.run_real(interpreter, command, payload)


def _experiment(id: str, claim: str, how: str, command: str,
                extract: Callable[[Any], Any], *,
                families: tuple[str, ...] = profiles.KNOWN) -> Check:
    """A row comparing one part of an experiment's result, model against real."""

    def evaluate(interpreter: Interpreter) -> Outcome:
        model, real = _both(interpreter, command)
        return agreement(extract(model), extract(real))

    return Check(id, CHAPTER, claim, how, evaluate, families)


# -- Rows with their own evaluation ---------------------------------------------------


def _arenas_released(result: dict[str, Any]) -> int:
    """How many of the two emptied arenas went back to the system (-1: none seen)."""
    if not result["arenas"]:
        return -1
    return int(sum(result["released_bytes"]) // result["arenas"][0]["arena_size"])


def _arena_release(interpreter: Interpreter) -> Outcome:
    """2.x returns every arena that empties.  3.x keeps one wholly free arena, the
    last of `usable_arenas`: of two emptied arenas it returns one, unless the real
    process already kept another wholly free arena (which the probe cannot see and
    the model, starting empty, never has): then it returns both."""
    model, real = _both(interpreter, "arenas")
    m, r = _arenas_released(model), _arenas_released(real)
    assert interpreter.profile is not None
    keeps = profiles.obmalloc.get(interpreter.profile).keep_free_arena
    allowed = {m, m + 1} if keeps else {m}
    status = Status.PASS if r in allowed and r >= 0 else Status.FAIL
    note = "" if r == m else "the real process had kept a wholly free arena of its own"
    return Outcome(status, f"{m} of 2", f"{r} of 2", note)


def _arena_carving(interpreter: Interpreter) -> Outcome:
    """Given the addresses the real mmap returned, the model's new_arena predicts
    where the first pool starts and how many pools the arena holds."""
    real = X.run_real(interpreter, "arenas")
    assert interpreter.profile is not None
    mgmt = Allocator(interpreter.profile).mgmt
    observed, model = [], []
    for arena in real["arenas"]:
        first, pools = mgmt.carve_geometry(arena["base"])
        model.append(f"+{first - arena['base']:#x}: {pools} pools")
        observed.append(f"+{arena['first_pool']:#x}: {arena['pools']} pools")
    if not observed:
        return Outcome(Status.ERROR, note="the experiment saw no whole new arena")
    return agreement(sorted(set(model)), sorted(set(observed)),
                     note=f"{len(observed)} arenas mapped during the experiment")


def _sequences(interpreter: Interpreter) -> Outcome:
    model, real = _both(interpreter, "sequences")

    def summary(runs: list[list[list[Any]]]) -> str:
        mallocs = sum(len(run) for run in runs)
        reused = sum(1 for run in runs for m in run if m[2] >= 0)
        digest = hashlib.sha1(json.dumps(runs).encode()).hexdigest()[:8]
        return f"{len(runs)} runs, {mallocs} mallocs, {reused} reused a freed block ({digest})"

    note = ""
    if model != real:
        for i, (m_run, r_run) in enumerate(zip(model, real, strict=True)):
            for j, (m, r) in enumerate(zip(m_run, r_run, strict=True)):
                if m != r:
                    note = (f"run {i}, malloc {j}: model {m}, real {r} "
                            "([pool, block, index of the free that made it available])")
                    break
            if note:
                break
    return agreement(summary(model), summary(real), note=note)


def _stats_rows(interpreter: Interpreter) -> Outcome:
    real = X.run_real(interpreter, "stats")
    assert interpreter.profile is not None
    p = profiles.obmalloc.get(interpreter.profile)
    szidx = p.size_class(real["request"])
    rows = [parse(text, p).row(szidx) for text in real["texts"]]
    observed = [(r.num_pools, r.blocks_in_use, r.avail_blocks) for r in rows]
    model = X.predict_stats_rows(interpreter.profile, real["texts"][0], real["request"],
                                 real["k"])
    return agreement([list(r) for r in model], [list(r) for r in observed],
                     note=f"class {szidx}: (pools, blocks in use, available) before "
                          f"{real['k']} mallocs of {real['request']} bytes, after, and after "
                          "freeing them")


def _stats_format(interpreter: Interpreter) -> Outcome:
    real = X.run_real(interpreter, "stats")
    assert interpreter.profile is not None
    text = obmalloc_section(real["texts"][0])
    model = parse(text, profiles.obmalloc.get(interpreter.profile)).format()
    lines = len(text.splitlines())
    if model == text:
        return Outcome(Status.PASS, f"{lines} lines, identical", f"{lines} lines, identical")
    for m, r in zip(model.splitlines(), text.splitlines(), strict=False):
        if m != r:
            return Outcome(Status.FAIL, m, r, note="the first line that differs")
    return Outcome(Status.FAIL, f"{len(model.splitlines())} lines", f"{lines} lines")


# -- The debug hooks (PYTHONMALLOC=pymalloc_debug) ---------------------------------------


def _debug(id: str, claim: str, how: str, command: str, *, payload: dict[str, Any],
           extract: Callable[[Any], Any],
           families: tuple[str, ...] = profiles.KNOWN) -> Check:
    """A row comparing one debug experiment, model against real, hooks asked for."""

    def evaluate(interpreter: Interpreter) -> Outcome:
        assert interpreter.profile is not None
        model = D.run_model(interpreter.profile, command, payload)
        real = D.run_real(interpreter, command, payload)
        return agreement(extract(model), extract(real))

    return Check(id, CHAPTER, claim, how, evaluate, families)


#: The versions whose release builds install the debug hooks at run time.
HOOKED = tuple(v for v in profiles.KNOWN if profiles.obmalloc.get(v).debug_hooks_at_runtime)
_DECORATIONS = {"sizes": list(D.DECORATION_SIZES)}
_CRIMES = {"nbytes": D.CRIME_SIZE}

DEBUG_CHECKS: list[Check] = [
    _debug(
        "obmalloc.debug-layout",
        "a debug block: the size (big-endian), the API id, FORBIDDENBYTE pads on both "
        "sides, fresh data filled with CLEANBYTE",
        "the bytes from p-16 to the end of the trailing pad of fresh blocks of 8, 100, "
        "200 and 488 bytes, as runs", "decorations", payload=_DECORATIONS,
        extract=lambda r: {str(n): fresh for n, fresh, _ in r}, families=HOOKED),
    _debug(
        "obmalloc.debug-dead",
        "a freed debug block is filled with DEADBYTE, header and pads included",
        "the bytes from p-8 to the end of the trailing pad after PyObject_Free, while "
        "another block keeps the pool in use", "decorations", payload=_DECORATIONS,
        extract=lambda r: {str(n): freed for n, _, freed in r}, families=HOOKED),
    _debug(
        "obmalloc.debug-stride",
        "the hooks ask pymalloc for 3 words more than each request (3.x); 2.7's "
        "release build has no hooks, and PYTHONMALLOC changes nothing",
        "the stride and first block offset of fresh pools of 100 to 488-byte requests",
        "layout", payload={"sizes": list(D.STRIDE_SIZES)},
        extract=lambda r: {str(g["request"]): [g["stride"], g["first_offset"]] for g in r}),
    _debug(
        "obmalloc.debug-overflow",
        "a byte written past the end is caught on free: the dump and the fatal error",
        "in a child process: malloc(100), write p[100], free; its stderr, addresses "
        "replaced by p and tail", "crimes", payload=_CRIMES,
        extract=lambda r: r["overflow"]),
    _debug(
        "obmalloc.debug-underflow",
        "a byte written before the start is caught on free, before the size is trusted",
        "in a child process: malloc(100), write p[-1], free; its stderr", "crimes",
        payload=_CRIMES, extract=lambda r: r["underflow"]),
    _debug(
        "obmalloc.debug-api-mismatch",
        "a block from PyMem_Malloc freed with PyObject_Free is caught by its API id",
        "in a child process: PyMem_Malloc(100), PyObject_Free; its stderr", "crimes",
        payload=_CRIMES, extract=lambda r: r["api"]),
]


CHECKS: list[Check] = [
    _experiment(
        "obmalloc.size-classes",
        "a request is rounded up to its size class: ALIGNMENT-byte steps up to 512",
        "malloc until whole fresh pools appear; the block stride, per request size",
        "layout", lambda r: {str(g["request"]): g["stride"] for g in r}),
    _experiment(
        "obmalloc.blocks-per-pool",
        "a pool holds (POOL_SIZE - POOL_OVERHEAD) // size blocks",
        "the length of a fresh pool's run of blocks, per class",
        "layout", lambda r: {str(g["stride"]): g["blocks"] for g in r}),
    _experiment(
        "obmalloc.first-block-offset",
        "the first block of a pool starts right after its 48-byte header",
        "first block address modulo the pool size, over every fresh pool",
        "layout", lambda r: sorted({g["first_offset"] for g in r})),
    _experiment(
        "obmalloc.pool-size",
        "pools are POOL_SIZE bytes, aligned to their size",
        "the largest power of two dividing the distances between fresh pools",
        "layout", lambda r: sorted({g["pool_size"] for g in r})),
    _experiment(
        "obmalloc.arena-size",
        "obmalloc maps ARENA_SIZE bytes at a time",
        "new anonymous memory in /proc/self/maps per arena, while 3 MiB of "
        "384-byte blocks are allocated",
        "arenas", lambda r: sorted({a["arena_size"] for a in r["arenas"]})),
    Check("obmalloc.arena-carving", CHAPTER,
          "an arena's pools start at its first pool-aligned address: one pool fewer "
          "when the mapping is not pool-aligned",
          "the real arenas' addresses given to the model's new_arena; the pools the "
          "real allocator carved from them", _arena_carving),
    Check("obmalloc.arena-release", CHAPTER,
          "an arena whose pools are all free goes back to the system (3.x keeps the "
          "last wholly free one, bpo-37257)",
          "free every block of two whole arenas in turn; arenas unmapped in all",
          _arena_release),
    _experiment(
        "obmalloc.usedpools-trick",
        "usedpools[i+i] holds a class's first pool; its fake header sits two pointers "
        "before it and points to itself",
        "read nextpool/prevpool of the lone used pool of two classes, then the words "
        "they point to",
        "scenarios", lambda r: r["usedpools"]),
    _experiment(
        "obmalloc.pool-header",
        "pool_header fields, as laid out on 64-bit, after three frees in a full pool",
        "read ref.count, freeblock, szidx, nextoffset, maxnextoffset from the pool",
        "scenarios", lambda r: r["header_after_frees"]),
    _experiment(
        "obmalloc.free-list",
        "the free list is threaded through the free blocks, last freed first",
        "follow freeblock and the first word of each free block",
        "scenarios", lambda r: r["free_list_after_frees"]),
    _experiment(
        "obmalloc.reuse-order",
        "freed blocks are reused last-freed-first",
        "free blocks 3, 1, 5 of a full fresh pool P; three mallocs",
        "scenarios", lambda r: r["reuse_order"]),
    _experiment(
        "obmalloc.full-pool-to-front",
        "a full pool that gets a block back goes to the front of its class's list",
        "free P1 (P full), Q1 (Q full), P2; three mallocs",
        "scenarios", lambda r: r["full_pool_to_front"]),
    _experiment(
        "obmalloc.empty-pool-not-next",
        "a pool that becomes empty leaves usedpools: the next used pool serves",
        "free Q0, then every block of P; one malloc",
        "scenarios", lambda r: r["after_pool_empties"]),
    _experiment(
        "obmalloc.system-redirect",
        "0 bytes and more than 512 go to the system's malloc; 1 to 512 to an arena",
        "the /proc/self/maps region of malloc(n) for n = 0, 1, 512, 513, 4096",
        "scenarios", lambda r: r["regions"]),
    _experiment(
        "obmalloc.realloc",
        "realloc stays in place within the class unless it shrinks by a quarter or more",
        "realloc a 304-byte block to 308, 243, 212, then 600 bytes",
        "scenarios", lambda r: r["realloc"]),
    Check("obmalloc.random-sequences", CHAPTER,
          "random malloc/free sequences over four classes reuse the same blocks in "
          "the same order",
          "3 seeded runs of 300 operations in fresh pools; each malloc's pool, block "
          "and the free that made it available", _sequences),
    Check("obmalloc.debugmallocstats-rows", CHAPTER,
          "the class's sys._debugmallocstats() row before, during and after a "
          "sequence is what the model predicts",
          "the row of 208-byte blocks around 400 mallocs of 200 bytes and their frees; "
          "the model starts from the real 'before' row", _stats_rows, THREE),
    Check("obmalloc.debugmallocstats-format", CHAPTER,
          "the model prints sys._debugmallocstats()'s obmalloc report byte for byte",
          "read the counts of a real report; the model's report of those counts "
          "against the real text", _stats_format, THREE),
    _experiment(
        "obmalloc.allocated-blocks",
        "sys.getallocatedblocks() counts every block, small or from the system",
        "its change over 8 mallocs of 0 to 100000 bytes, and over their frees",
        "stats", lambda r: r["allocated_blocks"], families=THREE),
    *DEBUG_CHECKS,
]
