# Probe: build a graph of real objects from a spec (JSON on stdin), take a snapshot
# of it as the collector sees it, then drop references step by step and collect,
# recording what died when, what __del__ methods and weakref callbacks ran, in what
# order, what gc.collect() returned and what gc.garbage holds.  Runs unchanged on 2.7
# and 3.x; prints one JSON object.  The collector is disabled: only the steps collect.
import gc
import json
import sys
import weakref

spec = json.load(sys.stdin)
log = []
saved = []


class Node(object):
    def __init__(self, name):
        self.name = name
        self.refs = []


class Finalized(Node):
    def __del__(self):
        log.append(["del", self.name])


class Resurrecting(Node):
    def __del__(self):
        log.append(["del", self.name])
        saved.append(self)


KINDS = {"plain": Node, "del": Finalized, "resurrect": Resurrecting}
HEAPTYPE = 1 << 9


weakref_names = {}


def callback(wr):
    # One callback for every weak reference, alive all along: a closure per weak
    # reference would be garbage with it, and counted by gc.collect().
    log.append(["callback", weakref_names[id(wr)]])


# -- The snapshot (the same rules as pyinternals.memory.gc.mirror.snapshot) ---------


class _WithMethod(object):
    def method(self):
        pass


OPAQUE = (type, type(sys), type(callback), type(len), type([].append),
          type(_WithMethod().method), type(callback.__code__), type(sys._getframe()))


def opaque(obj):
    return isinstance(obj, OPAQUE)


def kind_of(obj):
    cls = type(obj)
    if cls is list:
        return "list"
    if cls is dict:
        return "dict"
    if cls is tuple:
        return "tuple"
    if isinstance(obj, weakref.ReferenceType):
        return "weakref"
    if cls.__flags__ & HEAPTYPE:
        return "instance"
    return "object"


def walk(named):
    objs = []
    names = []
    index = {}
    lists = {}
    for name, obj in named:
        index[id(obj)] = len(objs)
        objs.append(obj)
        names.append(name)
        if isinstance(obj, Node):
            lists[id(obj.refs)] = name + ".refs"
    i = 0
    while i < len(objs):
        found = list(gc.get_referents(objs[i]))
        found += [w for w in weakref.getweakrefs(objs[i])
                  if isinstance(w, weakref.ReferenceType)]
        for ref in found:
            if id(ref) in index or not gc.is_tracked(ref) or opaque(ref):
                continue
            index[id(ref)] = len(objs)
            objs.append(ref)
            if id(ref) in lists:
                names.append(lists[id(ref)])
            elif type(ref) is dict:
                names.append(names[i] + ".__dict__")
            else:
                names.append(names[i] + "." + type(ref).__name__)
        i += 1
    return objs, names, index


def referents_of(objs, index):
    return [[index[id(r)] for r in gc.get_referents(obj) if id(r) in index] for obj in objs]


def refcounts_of(objs):
    probe = object()
    objs.append(probe)
    counts = [sys.getrefcount(obj) for obj in objs]
    objs.pop()
    overhead = counts.pop() - 1
    return [c - overhead for c in counts]


def positions(index):
    # Each list gc.get_objects() returns holds every tracked object, this function's
    # frame included on 2.7: it is dropped before the next call, so no cycle is left.
    where = {}
    if sys.version_info >= (3, 8):
        calls = [(g, g) for g in range(3)]
    else:                       # 2.7 cannot tell generations apart: all are 0 here
        calls = [(0, None)]
    for g, argument in calls:
        objects = gc.get_objects() if argument is None else gc.get_objects(generation=g)
        for position in range(len(objects)):
            if id(objects[position]) in index:
                where[index[id(objects[position])]] = (g, position)
        objects = None
    return where


def take_snapshot(named):
    objs, names, index = walk(named)
    referents = referents_of(objs, index)
    refcounts = refcounts_of(objs)
    where = positions(index)
    given = set(id(obj) for name, obj in named)    # `named` holds one reference each
    rows = []
    for i in range(len(objs)):
        obj = objs[i]
        kind = kind_of(obj)
        weakrefs = type(obj).__weakrefoffset__ != 0
        row = {"name": names[i], "type": type(obj).__name__, "kind": kind,
               "refcnt": refcounts[i] - (id(obj) in given),
               "referents": [names[j] for j in referents[i]],
               "finalizer": kind == "instance" and hasattr(type(obj), "__del__"),
               "size": len(obj) if type(obj) is tuple else 0, "weakrefs": weakrefs,
               "generation": where.get(i, (0, 0))[0]}
        if kind == "weakref":
            target = obj()
            row["wr_target"] = names[index[id(target)]] if id(target) in index else None
            row["wr_callback"] = True       # every weakref of the spec has a callback
            target = None
        if weakrefs:
            row["weakreflist"] = [names[index[id(w)]] for w in weakref.getweakrefs(obj)
                                  if id(w) in index]
        rows.append(row)
        obj = None
    order = sorted(range(len(objs)), key=lambda i: where.get(i, (0, i)))
    return {"source": sys.version.split()[0], "objects": [rows[i] for i in order]}


# -- Building the graph -------------------------------------------------------------

gc.disable()
gc.collect()                    # leftovers of start-up (3.13 has some) must not count
variables = {}
for node in spec["nodes"]:
    variables[node["name"]] = KINDS[node["kind"]](node["name"])
for edge in spec["edges"]:
    variables[edge[0]].refs.append(variables[edge[1]])
for w in spec["weakrefs"]:
    ref = weakref.ref(variables[w["target"]], callback)
    weakref_names[id(ref)] = w["name"]
    if w["holder"]:
        variables[w["holder"]].refs.append(ref)
    variables[w["name"]] = ref
    ref = None
named = [(n["name"], variables[n["name"]]) for n in spec["nodes"]]
named += [(w["name"], variables[w["name"]]) for w in spec["weakrefs"]]
snapshot = take_snapshot(named)
named = None


# -- The steps ----------------------------------------------------------------------


def garbage_names():
    return [getattr(o, "name", type(o).__name__) for o in gc.garbage]


def live_nodes():
    # Weak references cannot tell: the collector clears them before __del__ may
    # resurrect an object.  The collector's own lists can.  (The list is dropped
    # before this frame goes: on 2.7 it holds the frame itself.)
    objects = gc.get_objects()
    found = dict((o.name, o) for o in objects if isinstance(o, Node))
    objects = None
    return found


def unlink(holder, target):
    nodes = live_nodes()
    a = nodes.get(holder)
    b = nodes.get(target)
    nodes = None
    done = a is not None and b is not None and b in a.refs
    if done:
        a.refs.remove(b)
    a = b = None
    return done


dead = set()
steps = []
for step in spec["steps"]:
    del log[:]
    record = {"step": step}
    if step[0] == "unroot":
        del variables[step[1]]
    elif step[0] == "unlink":
        record["done"] = unlink(step[1], step[2])
    elif step[0] == "collect":
        record["result"] = gc.collect(step[1])
        record["garbage"] = garbage_names()
    alive = live_nodes()
    died = sorted(n["name"] for n in spec["nodes"]
                  if n["name"] not in dead and n["name"] not in alive)
    alive = None
    dead.update(died)
    record["died"] = died
    record["events"] = list(log)
    steps.append(record)

sys.stdout.write(json.dumps({"snapshot": snapshot, "steps": steps}))
