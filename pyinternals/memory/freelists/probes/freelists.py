# Probe: the object free lists (layer 3), seen through id() in a real interpreter.
# Runs unchanged on 2.7 and 3.x and prints one JSON document.
#
# Every experiment makes objects one at a time from values prepared in advance,
# indexes lists that exist already, and writes id()s into a preallocated array, so
# that between the frees and the allocations it watches nothing else of the same
# size is made or kept (id() makes an int that dies at once: it takes a block and
# gives the same block back).  The package turns the ids into patterns
# (pyinternals.memory.freelists.fidelity); addresses never leave this file.
from __future__ import print_function

import json
from array import array


def maker(kind):
    """A function making the i-th object of `kind` from a value prepared for it."""
    if kind == "float":
        values = [repr(0.5 + k) for k in range(4000)]
        return lambda i: float(values[i])
    if kind == "int":
        values = [str(10 ** 6 + k) for k in range(4000)]
        return lambda i: int(values[i])
    size = int(kind.split(":")[1])
    values = [[k] * size for k in range(4000)]
    return lambda i: tuple(values[i])


#: The makers, with their values prepared once and for all before any experiment
#: (preparing them makes and frees objects of the kinds watched).
MAKERS = dict((kind, maker(kind)) for kind in
              ("float", "int", "tuple:2", "tuple:3", "tuple:4", "tuple:5"))
INDEXES = list(range(12000))


def make(kind, n, hold):
    """Fill `hold[:n]` with new objects of `kind`, in order."""
    new = MAKERS[kind]
    for i in INDEXES[:n]:
        hold[i] = new(i % 4000)


def ids_of(objects, n):
    out = array("l", [0] * n)
    for i in INDEXES[:n]:
        out[i] = id(objects[i])
    return out


def release(objects, n):
    """Drop the objects in order, first made first freed."""
    for i in INDEXES[:n]:
        objects[i] = None


def reuse(freed_kind, n, new_kind, m, drain):
    """Make n objects, free them in order, make m of `new_kind`: for each new one,
    the index of the freed object whose address it took (-1: none).  First `drain`
    objects of each kind are made and kept, to empty the free lists."""
    kept = [None] * (2 * drain)
    make(freed_kind, drain, kept)
    drained = [None] * drain
    make(new_kind, drain, drained)
    old = [None] * n
    make(freed_kind, n, old)
    before = ids_of(old, n)
    release(old, n)
    new = [None] * m
    make(new_kind, m, new)
    after = ids_of(new, m)
    where = dict((a, i) for i, a in enumerate(before))
    return [where.get(a, -1) for a in after]


def strides(kind, n, drain):
    """The distances between the ids of n objects made in a row, after `drain`."""
    kept = [None] * drain
    make(kind, drain, kept)
    objs = [None] * n
    make(kind, n, objs)
    got = ids_of(objs, n)
    return [got[i + 1] - got[i] for i in range(n - 1)]


def small_ints(lo, hi):
    """The values v in [lo, hi) for which two int(str(v)) are the same object."""
    return [v for v in range(lo, hi) if int(str(v)) is int(str(v))]


def main():
    out = {
        "float_lifo": reuse("float", 8, "float", 8, 300),
        "tuple_lifo": reuse("tuple:3", 8, "tuple:3", 8, 2100),
        "tuple_per_size": reuse("tuple:3", 50, "tuple:2", 50, 2100),
        "float_bound": reuse("float", 150, "int", 150, 300),
        "tuple_bound": reuse("tuple:5", 2100, "tuple:4", 2100, 2100),
        "int_to_float": reuse("int", 1000, "float", 1000, 3000),
        "int_strides": strides("int", 1100, 12000),
        "float_strides": strides("float", 1100, 12000),
        "small_ints": small_ints(-10, 300),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
