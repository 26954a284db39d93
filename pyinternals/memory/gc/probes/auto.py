# Probe: run an allocation workload (JSON on stdin) with the collector on, and
# record the automatic collections: through gc.callbacks on 3.x (the step, the
# generation, collected, uncollectable), by polling gc.get_count() after every op on
# 2.7 (the step and the counts whenever the older counts change), plus 2.7's own
# DEBUG_STATS lines on stderr for what each collection found.  Nothing in the loop
# allocates a container except the workload itself and the observer.  Runs
# unchanged on 2.7 and 3.x; prints one JSON object.
import gc
import json
import os
import sys
import tempfile

spec = json.load(sys.stdin)
ops = spec["ops"]


class Node(object):
    __slots__ = ("a", "b")


slots = [None] * spec["slots"]
keep = []
seen = []                       # flat: appending ints allocates no container
record = seen.append            # bound once: 2.7 allocates a bound method per lookup
keep_append = keep.append
state = [-1]
polling = not hasattr(gc, "callbacks")


def callback(phase, info):
    if phase == "stop":
        record(state[0])
        record(info["generation"])
        record(info["collected"])
        record(info["uncollectable"])


def run(ops, slots, keep_append, poll):
    # ops is flat: NEW i | LINK i attribute j | CUT i attribute | DROP i | KEEP
    k = 0
    step = 0
    n = len(ops)
    p1 = p2 = 0
    while k < n:
        code = ops[k]
        state[0] = step
        if code == 0:
            slots[ops[k + 1]] = Node()
            k += 2
        elif code == 1 or code == 2:
            holder = slots[ops[k + 1]]
            if holder is not None:
                target = slots[ops[k + 3]] if code == 1 else None
                if ops[k + 2] == 0:
                    holder.a = target
                else:
                    holder.b = target
                target = None
            holder = None
            k += 4 if code == 1 else 3
        elif code == 3:
            slots[ops[k + 1]] = None
            k += 2
        else:
            keep_append(Node())
            k += 1
        if poll:
            c0, c1, c2 = gc.get_count()
            if c1 != p1 or c2 != p2:
                record(step)
                record(c0)
                record(c1)
                record(c2)
            p1 = c1
            p2 = c2
        step += 1


run([], slots, keep_append, False)  # 2.7 keeps a frame for run() from now on
if spec.get("thresholds"):
    gc.set_threshold(*spec["thresholds"])
stats = None
if polling:                     # 2.7: its collector's own report, on the real stderr
    stats = tempfile.TemporaryFile()
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    os.dup2(stats.fileno(), 2)
gc.collect()
long_lived = len(gc.get_objects())
if polling:
    gc.set_debug(gc.DEBUG_STATS)    # its argument tuple comes before the collection
stats_before = gc.get_stats() if hasattr(gc, "get_stats") else None
gc.collect()                    # reported too on 2.7: the first report is dropped
if not polling:
    gc.callbacks.append(callback)
run(ops, slots, keep_append, polling)
if polling:
    gc.set_debug(0)
else:
    gc.callbacks.remove(callback)
end_counts = list(gc.get_count())
gc_stats = None
if stats_before is not None:    # what the second collection and the workload added
    gc_stats = [dict((key, after[key] - before[key]) for key in after)
             for before, after in zip(stats_before, gc.get_stats())]

reports = []
if stats is not None:
    sys.stderr.flush()
    os.dup2(saved_stderr, 2)
    stats.seek(0)
    for line in stats.read().decode("ascii", "replace").splitlines():
        if line.startswith("gc: collecting generation"):
            reports.append([int(line.split()[3].rstrip(".")), 0, 0])
        elif line.startswith("gc: done"):
            words = line.replace(",", " ").split()
            if "unreachable" in words:
                unreachable = int(words[words.index("unreachable") - 1])
                uncollectable = int(words[words.index("uncollectable") - 1])
                reports[-1][1] = unreachable - uncollectable
                reports[-1][2] = uncollectable
    reports = reports[1:]

sys.stdout.write(json.dumps({
    "long_lived": long_lived,
    "seen": [seen[k:k + 4] for k in range(0, len(seen), 4)],
    "reports": reports,
    "end_counts": end_counts,
    "stats": gc_stats,
}))
