"""Workloads run both in real interpreters (by probes) and in the model, to compare.

Two kinds, each a plain JSON-able spec so that a probe can run it anywhere:

- **Object graphs** ({py:func}`random_graph`): instances of `Node` (some with a
  `__del__`, some whose `__del__` resurrects them), references between them held in
  a list `refs`, cycles, chains hanging off cycles, weak references with callbacks
  (held from outside, or by a node).  The steps drop references one by one and
  collect.  {py:func}`run_graph` runs the steps on a heap mirrored from the probe's
  snapshot of the real graph.
- **Allocation workloads** ({py:func}`allocation_workload`): containers allocated
  into slots, linked into cycles, dropped, with the collector on; what matters is
  when the automatic collections happen and what they find.
  {py:class}`AllocationRun` replays one on a heap.

See {doc}`/memory/gc` for how the chapter uses them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from pyinternals.memory.gc.heap import Heap
from pyinternals.memory.gc.objects import PyObject

Spec = dict[str, Any]


# -- Object graphs -----------------------------------------------------------------


def random_graph(seed: int, size: int = 10) -> Spec:
    """A random object graph and the steps that drop it, from `seed`.

    Cycles of one to four nodes, chains hanging off them, nodes kept by outside
    references to the end, weak references with callbacks, about a third of the
    nodes with a `__del__` (one in six resurrecting itself).
    """
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(size)]
    kinds = rng.choices(["plain", "del", "resurrect"], weights=[10, 4, 2], k=size)
    nodes = [{"name": n, "kind": k} for n, k in zip(names, kinds, strict=True)]
    edges: list[list[str]] = []
    pool = names[:]
    rng.shuffle(pool)
    while len(pool) > 2:
        length = min(rng.randint(1, 4), len(pool))
        cycle, pool = pool[:length], pool[length:]
        for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            edges.append([a, b])
        if pool and rng.random() < 0.6:              # a chain hanging off the cycle
            edges.append([rng.choice(cycle), pool[0]])
    for _ in range(rng.randint(1, size // 2)):       # and a few more references
        edges.append([rng.choice(names), rng.choice(names)])
    kept = rng.sample(names, k=rng.randint(1, 3))
    weakrefs = []
    for i in range(rng.randint(1, 4)):
        holder = rng.choice(names) if rng.random() < 0.3 else None
        weakrefs.append({"name": f"w{i}", "target": rng.choice(names), "holder": holder})
    drops: list[list[Any]] = [["unroot", n] for n in names if n not in kept]
    drops += [["unroot", w["name"]] for w in weakrefs if rng.random() < 0.4]
    rng.shuffle(drops)
    for _ in range(rng.randint(1, 3)):
        a, b = rng.choice(edges)
        drops.insert(rng.randrange(len(drops) + 1), ["unlink", a, b])
    later: list[list[Any]] = [["unroot", n] for n in kept[1:]]
    if edges:
        a, b = rng.choice(edges)
        later.append(["unlink", a, b])
    steps = [*drops, ["collect", 2], *later, ["collect", 0], ["collect", 2]]
    return {"seed": seed, "nodes": nodes, "edges": edges, "weakrefs": weakrefs,
            "steps": steps}


def run_graph(spec: Spec, snapshot: dict[str, Any], version: str) -> list[dict[str, Any]]:
    """Run a graph spec's steps on the heap mirrored from a probe's snapshot.

    The mirrored `__del__` methods and callbacks get the behaviour the probe's
    classes have: recording their call, and resurrecting (an outside reference
    taken by `__del__`, as `saved.append(self)` does).  Returns one record per step,
    in the probe's format.
    """
    heap = Heap.from_snapshot(snapshot, version)
    heap.disable()
    log: list[list[str]] = []

    def record(op: PyObject) -> None:
        log.append(["del", op.name])

    def resurrect(op: PyObject) -> None:
        log.append(["del", op.name])
        heap.root(op)

    def callback_for(name: str) -> Callable[[PyObject], None]:
        return lambda wr: log.append(["callback", name])

    behaviours = {"plain": None, "del": record, "resurrect": resurrect}
    for node in spec["nodes"]:
        heap[node["name"]].finalizer = behaviours[node["kind"]]
    for w in spec["weakrefs"]:
        heap[w["name"]].wr_callback = callback_for(w["name"])
    node_names = [n["name"] for n in spec["nodes"]]
    dead: set[str] = set()
    records = []
    for step in spec["steps"]:
        log.clear()
        result: dict[str, Any] = {"step": step}
        if step[0] == "unroot":
            heap.unroot(heap[step[1]])
        elif step[0] == "unlink":
            result["done"] = _unlink_node(heap, step[1], step[2])
        elif step[0] == "collect":
            result["result"] = heap.collect(step[1])
            result["garbage"] = [op.name for op in heap.garbage]
        died = sorted(n for n in node_names if n not in dead and not heap.alive(heap[n]))
        dead.update(died)
        result["died"] = died
        result["events"] = list(log)
        records.append(result)
    return records


def mark_graph(spec: Spec, snapshot: dict[str, Any], version: str) -> list[dict[str, Any]]:
    """The textbook marker at each collection of a graph spec, with CPython's roots.

    Runs the steps of `spec` on the heap mirrored from a probe's snapshot; at each
    `collect` step it stops the collection after `subtract_refs`, marks the list
    being collected from {py:func}`~pyinternals.memory.gc.marking.inferred_roots`
    with {py:class}`~pyinternals.memory.gc.marking.TricolourMark`, then lets the
    collection finish.  Returns one record per collection: the step, the nodes left
    white (sorted) and how many objects were white.  Only for graphs without
    `__del__` (every node `plain`): with finalizers, what a collection frees is no
    longer what it found unreachable.
    """
    from pyinternals.memory.gc.marking import TricolourMark, inferred_roots

    if any(node["kind"] != "plain" for node in spec["nodes"]):
        raise ValueError("mark_graph takes graphs of plain nodes only (no __del__)")
    heap = Heap.from_snapshot(snapshot, version)
    heap.disable()
    node_names = {n["name"] for n in spec["nodes"]}
    records = []
    for step in spec["steps"]:
        if step[0] == "unroot":
            heap.unroot(heap[step[1]])
        elif step[0] == "unlink":
            _unlink_node(heap, step[1], step[2])
        elif step[0] == "collect":
            collection = heap.collection(step[1])
            collection.run_until("subtract_refs")
            white = TricolourMark(list(collection.young), inferred_roots(collection)).run()
            collection.run()
            records.append({"step": step, "white": len(white),
                            "nodes": sorted(op.name for op in white
                                            if op.name in node_names)})
    return records


def plain_graph(spec: Spec) -> Spec:
    """The same graph and steps with every node `plain` (no `__del__`)."""
    return {**spec, "nodes": [{"name": n["name"], "kind": "plain"} for n in spec["nodes"]]}


def _unlink_node(heap: Heap, holder: str, target: str) -> bool:
    """`holder.refs.remove(target)` when both are alive and the reference exists."""
    a, b = heap[holder], heap[target]
    refs = f"{holder}.refs"
    if not (heap.alive(a) and heap.alive(b)) or refs not in heap:
        return False
    if not any(ref is b for ref in heap[refs].referents):
        return False
    heap.unlink(heap[refs], b)
    return True


# -- Allocation workloads ----------------------------------------------------------

#: Operation codes of an allocation workload, and how many ints each op takes.
NEW, LINK, CUT, DROP, KEEP = 0, 1, 2, 3, 4
OP_SIZE = {NEW: 2, LINK: 4, CUT: 3, DROP: 2, KEEP: 1}


def allocation_workload(seed: int, steps: int, slots: int = 64, keep_every: int = 0,
                        thresholds: tuple[int, int, int] | None = None) -> Spec:
    """A random sequence of allocations and reference changes over `slots` slots.

    Ops, flattened into one list of ints (one list, so that the probe's copy of it
    adds a single object to the interpreter's long-lived ones): `NEW i`
    (`slots[i] = Node()`), `LINK i a j` (`slots[i].a = slots[j]`, attribute `a` or
    `b` for 0 or 1), `CUT i a` (`slots[i].a = None`), `DROP i` (`slots[i] = None`),
    `KEEP` (`keep.append(Node())`, a survivor kept to the end; one op in
    `keep_every`).  Nodes linked into cycles and dropped become cyclic garbage.
    `thresholds` replaces the version's own for the run.
    """
    rng = random.Random(seed)
    ops: list[int] = []
    for step in range(steps):
        if keep_every and step % keep_every == keep_every - 1:
            ops.append(KEEP)
            continue
        r = rng.random()
        i = rng.randrange(slots)
        if r < 0.55:
            ops += [NEW, i]
        elif r < 0.85:
            ops += [LINK, i, rng.randrange(2), rng.randrange(slots)]
        elif r < 0.93:
            ops += [CUT, i, rng.randrange(2)]
        else:
            ops += [DROP, i]
    return {"seed": seed, "slots": slots, "ops": ops, "steps": steps,
            "thresholds": list(thresholds) if thresholds else None}


def decode(ops: list[int]) -> list[list[int]]:
    """The flat op list as one list per op."""
    found, k = [], 0
    while k < len(ops):
        size = OP_SIZE[ops[k]]
        found.append(ops[k:k + size])
        k += size
    return found


class AllocationRun:
    """A heap set up as the allocation probe sets up a real interpreter, then replayed.

    The probe runs its workload right after `gc.collect()`, in an interpreter that
    already holds `long_lived` tracked objects (modules, classes, functions, the
    probe's own lists...).  The model stands for them with as many containers held
    from outside, collects, and runs the same ops with the same observer:
    `gc.callbacks` (3.x), or polling `gc.get_count()` after each op and reading the
    collector's `DEBUG_STATS` report (2.7).  The observer's own allocations (the
    callbacks' `info` dict, `get_count`'s tuple) count as they do in CPython.

    One simplification: the probe assigns `slots[i]` in place, the model appends
    to and removes from its `slots` list, so the order of that list's references
    differs; no count or collection depends on it.
    """

    def __init__(self, spec: Spec, version: str, long_lived: int) -> None:
        self.spec = spec
        self.heap = heap = Heap(version)
        heap.disable()
        self.slots = heap.container("slots", kind="list")
        self.keep = heap.container("keep", kind="list")
        for _ in range(max(0, long_lived - 2)):
            heap.container()
        if spec.get("thresholds"):
            heap.set_threshold(*spec["thresholds"])
        heap.collect()
        heap.enable()
        self.cells: list[PyObject | None] = [None] * spec["slots"]
        self.attrs: dict[str, list[PyObject | None]] = {}
        self.step = -1
        #: What the observer saw: `[step, generation, collected, uncollectable]` per
        #: collection (3.x), or `[step, count0, count1, count2]` whenever the older
        #: counts changed (2.7).
        self.seen: list[list[int]] = []
        #: 2.7: `[generation, collected, uncollectable]` per collection (DEBUG_STATS).
        self.reports: list[list[int]] = []
        self._counts = (0, 0, 0)

    def run(self) -> list[list[int]]:
        """Replay every op; returns what the observer saw."""
        heap = self.heap
        polling = not heap.profile.callbacks
        if polling:
            heap.trace = self._read_stats
        else:
            heap.callbacks.append(self._callback)
        for step, op in enumerate(decode(self.spec["ops"])):
            self.step = step
            self._apply(op)
            if polling:
                self._poll()
        if polling:
            heap.trace = False
        else:
            heap.callbacks.remove(self._callback)
        return self.seen

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            self.seen.append([self.step, info["generation"], info["collected"],
                              info["uncollectable"]])

    def _read_stats(self, line: str) -> None:
        if line.startswith("gc: collecting generation"):
            self.reports.append([int(line.split()[3].rstrip(".")), 0, 0])
        elif line.startswith("gc: done"):
            words = line.replace(",", " ").split()
            unreachable = int(words[words.index("unreachable") - 1])
            uncollectable = int(words[words.index("uncollectable") - 1])
            self.reports[-1][1:] = [unreachable - uncollectable, uncollectable]

    def _poll(self) -> None:
        counts = self.heap.get_count()
        if counts[1:] != self._counts[1:]:
            self.seen.append([self.step, *counts])
        self._counts = counts

    def _apply(self, op: list[int]) -> None:
        heap, cells = self.heap, self.cells
        code = op[0]
        if code == NEW:
            node = heap.container()                  # Node(): may collect
            heap.link(self.slots, node)              # slots[i] = ...: stored, then
            heap.unroot(node)                        # the eval stack's reference is
            self._replace(op[1], node)               # the list's; the old one goes
        elif code == KEEP:
            node = heap.container()
            heap.link(self.keep, node)
            heap.unroot(node)
        elif code == DROP:
            self._replace(op[1], None)
        else:
            holder = cells[op[1]]
            if holder is not None:
                target = cells[op[3]] if code == LINK else None
                self._set_attribute(holder, op[2], target)

    def _replace(self, i: int, node: PyObject | None) -> None:
        old, self.cells[i] = self.cells[i], node
        if old is not None:
            self.heap.unlink(self.slots, old)

    def _set_attribute(self, holder: PyObject, attribute: int, target: PyObject | None
                       ) -> None:
        """`holder.a = target`: the new value is stored, then the old one dropped."""
        attrs = self.attrs.setdefault(holder.name, [None, None])
        old, attrs[attribute] = attrs[attribute], target
        if target is not None:
            self.heap.link(holder, target)
        if old is not None:
            self.heap.unlink(holder, old)
