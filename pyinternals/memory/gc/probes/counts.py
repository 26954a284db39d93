# Probe: what gc.get_count() reads right after a full collection, twice in a row
# (the first reading's result tuple is itself an allocation: the collection emptied
# the tuple free list), and whether gc.callbacks exists.  Runs unchanged on 2.7 and
# 3.x; prints one JSON object.
import gc
import json
import sys

gc.collect()
a0, a1, a2 = gc.get_count()     # unpacked at once: the tuple goes back to its free list
b0, b1, b2 = gc.get_count()
sys.stdout.write(json.dumps({
    "readings": [[a0, a1, a2], [b0, b1, b2]],
    "callbacks": hasattr(gc, "callbacks"),
}))
