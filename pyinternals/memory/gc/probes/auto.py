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
state = [-1]
polling = not hasattr(gc, "callbacks")


def callback(phase, info):
    if phase == "stop":
        seen.append(state[0])
        seen.append(info["generation"])
        seen.append(info["collected"])
        seen.append(info["uncollectable"])


def run(ops, slots, keep, poll):
    i = 0
    n = len(ops)
    p1 = p2 = 0
    while i < n:
        op = ops[i]
        state[0] = i
        code = op[0]
        if code == 0:
            slots[op[1]] = Node()
        elif code == 1 or code == 2:
            holder = slots[op[1]]
            if holder is not None:
                target = slots[op[3]] if code == 1 else None
                if op[2] == 0:
                    holder.a = target
                else:
                    holder.b = target
                target = None
            holder = None
        elif code == 3:
            slots[op[1]] = None
        elif slots[0] is not None:
            keep.append(slots[0])
        if poll:
            c0, c1, c2 = gc.get_count()
            if c1 != p1 or c2 != p2:
                seen.append(i)
                seen.append(c0)
                seen.append(c1)
                seen.append(c2)
            p1 = c1
            p2 = c2
        i += 1


run([], slots, keep, False)     # 2.7 keeps a frame for run() from now on
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
gc.collect()                    # reported too on 2.7: the first report is dropped
if not polling:
    gc.callbacks.append(callback)
run(ops, slots, keep, polling)
if polling:
    gc.set_debug(0)
else:
    gc.callbacks.remove(callback)
end_counts = list(gc.get_count())

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
}))
