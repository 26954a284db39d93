# Probe: experiments on the small-object allocator, through ctypes PyObject_Malloc,
# PyObject_Free and PyObject_Realloc.  Runs unchanged on 2.7 and 3.x and prints one
# JSON document.  The same experiment functions run against the model: the package
# loads this file (pyinternals.memory.obmalloc.experiments) and passes them a world
# made of the model's allocator instead of the real one.
#
# Usage: python obmalloc.py layout|scenarios|sequences|arenas|stats  (payload on stdin)
#
# Pitfalls (see the book's chapter): ctypes allocates a 64-byte object per converted
# argument and a 32-byte int per result, so the experiments use classes of 96 bytes
# and more; nothing is appended to lists or put in dicts while blocks are being
# watched (their storage would come from the same allocator); every block is freed
# exactly once (a double free crashes the interpreter).
from __future__ import division, print_function

import json
import sys


# -- The real allocator ------------------------------------------------------------


class Real(object):
    """The running interpreter's allocator, seen through ctypes and /proc/self/maps."""

    def __init__(self):
        import ctypes
        api = ctypes.pythonapi
        self.malloc = api.PyObject_Malloc
        self.malloc.argtypes = [ctypes.c_size_t]
        self.malloc.restype = ctypes.c_void_p
        self.free = api.PyObject_Free
        self.free.argtypes = [ctypes.c_void_p]
        self.free.restype = None
        self.realloc = api.PyObject_Realloc
        self.realloc.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        self.realloc.restype = ctypes.c_void_p
        self._buf = (ctypes.c_uint64 * 1)()
        self._memmove = ctypes.memmove

    def read_word(self, address):
        self._memmove(self._buf, address, 8)
        return int(self._buf[0])

    def array(self, n):
        import ctypes
        return (ctypes.c_uint64 * n)()

    def mappings(self):
        """[(start, end, kind)] with kind 'heap', 'anon' or 'file'."""
        out = []
        with open("/proc/self/maps") as f:
            text = f.read()
        for line in text.splitlines():
            parts = line.split()
            lo, hi = [int(x, 16) for x in parts[0].split("-")]
            name = parts[5] if len(parts) > 5 else ""
            kind = "heap" if name == "[heap]" else ("anon" if not name else "file")
            out.append((lo, hi, kind))
        return out

    def stats_text(self):
        import os
        import tempfile
        fd, path = tempfile.mkstemp()
        saved = os.dup(2)
        try:
            sys.stderr.flush()
            os.dup2(fd, 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(fd)
        with open(path) as f:
            text = f.read()
        os.unlink(path)
        return text

    def allocated_blocks(self):
        return sys.getallocatedblocks()


# -- Helpers that allocate nothing while blocks are watched -------------------------


class Held(object):
    """Preallocated room for addresses, so that holding them allocates nothing.

    The real world keeps them in a ctypes array: a Python list would hold one int
    object per address, and those ints come from the allocator being watched.
    """

    def __init__(self, capacity, world=None):
        self.items = world.array(capacity) if world is not None else [0] * capacity
        self.n = 0

    def capacity(self):
        return len(self.items)

    def add(self, address):
        if self.n == len(self.items):
            raise RuntimeError("more blocks than the probe made room for")
        self.items[self.n] = address
        self.n += 1

    def release(self, world):
        """Free every block held, highest address first, each exactly once."""
        for address in sorted(self.items[:self.n], reverse=True):
            world.free(address)
        self.n = 0


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def fresh_pools(world, nbytes, count, held, limit=20000):
    """Allocate blocks of `nbytes` until `count` whole fresh pools have been seen.

    A fresh pool hands its blocks out one after another, at a constant stride,
    from its first block to its last; the pools a process already uses (partly
    full, with free lists in any order) give shorter or broken runs.  Returns the
    runs, each a list of addresses, plus the first block of the next pool, which
    is fresh too.  Every block stays held.
    """
    malloc = world.malloc
    starts = [0] * limit          # index in held.items where each run starts
    nruns = 0
    start = held.n
    stride = 0
    for _ in range(limit):
        b = malloc(nbytes) or 0
        if b == 0:
            raise RuntimeError("malloc(%d) returned NULL" % nbytes)
        held.add(b)
        i = held.n - 1
        if i - start == 1 and 0 < b - held.items[i - 1] <= 1024:
            stride = b - held.items[i - 1]
            continue
        if i - start >= 2 and b - held.items[i - 1] == stride:
            continue
        if i > start:
            starts[nruns] = start
            nruns += 1
            if nruns >= count:
                lengths = [starts[k + 1] - starts[k] if k + 1 < nruns else i - starts[k]
                           for k in range(nruns - count, nruns)]
                if lengths[0] >= 4 and all(n == lengths[0] for n in lengths):
                    runs = [held.items[starts[k]:starts[k] + lengths[0]]
                            for k in range(nruns - count, nruns)]
                    return runs, b
        start = i
        stride = 0
    raise RuntimeError("no %d fresh pools of %d-byte requests in %d mallocs"
                       % (count, nbytes, limit))


def pool_size_of(firsts):
    """The pool size fresh pools show: the largest power of two that divides every
    distance between their first blocks (pools are aligned to their size)."""
    size = 0
    for a in firsts[1:]:
        size = _gcd(size, abs(a - firsts[0]))
    if size == 0:
        raise RuntimeError("one fresh pool cannot show the pool size")
    return size & -size


def pool_geometry(runs, size=None):
    """What whole fresh pools show: stride, blocks per pool, pool size, first offset."""
    stride = runs[0][1] - runs[0][0]
    firsts = [run[0] for run in runs]
    size = size or pool_size_of(firsts)
    offsets = set(a % size for a in firsts)
    if len(offsets) != 1:
        raise RuntimeError("fresh pools start at different offsets: %r" % sorted(offsets))
    return {"stride": stride, "blocks": len(runs[0]), "pool_size": size,
            "first_offset": offsets.pop()}


# -- Experiments ------------------------------------------------------------------


def quiet(experiment):
    """Run an experiment with the cycle collector off: a collection frees objects,
    and a block freed in a full pool puts that pool first in its class's list, in
    front of the pools the experiment watches."""
    import functools
    import gc

    @functools.wraps(experiment)
    def run(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return experiment(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return run



@quiet
def layout(world, sizes):
    """Per request size: the block stride, blocks per pool, pool size, first offset."""
    out = []
    for nbytes in sizes:
        held = Held(25000, world)
        runs, _ = fresh_pools(world, nbytes, 4, held)
        geometry = pool_geometry(runs)
        geometry["request"] = nbytes
        held.release(world)
        out.append(geometry)
    return out


HEADER_FIELDS = ("count", "freeblock", "szidx", "nextoffset", "maxnextoffset", "nextpool",
                 "prevpool")


def _header(world, pool):
    """A pool header's fields, `freeblock` as an offset (a list: no dict is made)."""
    w = [world.read_word(pool + 8 * k) for k in range(6)]
    return [w[0] & 0xFFFFFFFF, w[1] - pool if w[1] else None, w[4] >> 32,
            w[5] & 0xFFFFFFFF, w[5] >> 32, w[2], w[3]]


def _free_list(world, pool, limit=1000):
    out = []
    block = world.read_word(pool + 8)
    while block and len(out) < limit:
        out.append(block - pool)
        block = world.read_word(block)
    return out


@quiet
def scenarios(world, nbytes, other):
    """The behaviours of pools, on fresh pools of two classes (sizes `nbytes`, `other`).

    Nothing is put in a new dict or grown list while the pools are watched: the
    results are kept in local variables and assembled at the end.
    """
    held = Held(9000, world)
    runs, r0 = fresh_pools(world, nbytes, 4, held)
    P, Q = runs[0], runs[1]
    runs2, r2 = fresh_pools(world, other, 2, held)
    size = pool_size_of([run[0] for run in runs + runs2])
    # Every block we own, and whether it is live: freeing the right ones at the end
    # (each exactly once) must not depend on the allocator behaving as expected.
    alive = dict.fromkeys(held.items[:held.n], True)
    names = {}
    for k in range(len(P)):
        names[P[k]] = "P%d" % k
        names[Q[k]] = "Q%d" % k

    def malloc(n):
        a = world.malloc(n) or 0
        alive[a] = True
        return a

    def free(a):
        world.free(a)
        alive[a] = False

    def pool_of(a):
        return a - a % size

    # The usedpools trick, on two classes with a lone used pool each (R and R2).
    R, R2 = pool_of(r0), pool_of(r2)
    hr, hr2 = _header(world, R), _header(world, R2)
    H, H2 = hr[5], hr2[5]
    trick = [hr[5] == hr[6], hr2[5] == hr2[6],
             world.read_word(H + 16) == R, world.read_word(H2 + 16) == R2,
             world.read_word(H + 24) == R, world.read_word(H2 + 24) == R2,
             H2 - H, hr[2], hr2[2]]
    # Last freed, first reused; the pool header and its free list meanwhile.
    for k in (3, 1, 5):
        free(P[k])
    hp = _header(world, pool_of(P[0]))
    free_list = _free_list(world, pool_of(P[0]))
    got = [malloc(nbytes) for _ in range(3)]
    reuse = [names.get(a, "new") for a in got]
    # A full pool that gets a block back goes to the front of its class's list.
    for a in (P[1], Q[1], P[2]):
        free(a)
    got = [malloc(nbytes) for _ in range(3)]
    front = [names.get(a, "new") for a in got]
    # A pool that becomes empty is not the next one served.
    free(Q[0])
    for k in range(len(P)):
        if alive.get(P[k]):
            free(P[k])
    got = malloc(nbytes)
    empties = names.get(got, "pool R" if pool_of(got) == R else "new")
    free(got)
    # Requests of 0 bytes and above the threshold go to the system's malloc.
    requests = (0, 1, 512, 513, 4096)
    got = [malloc(n) for n in requests]
    spans = world.mappings()
    regions = {}
    for n, a in zip(requests, got):
        kinds = [kind for lo, hi, kind in spans if lo <= a < hi] or ["unmapped"]
        regions[str(n)] = kinds[0]
    for a in got:
        free(a)
    # realloc: in place when the new size fits the class and shrinks by less than 1/4.
    a = malloc(nbytes)
    steps = []
    for n in (nbytes + 4, nbytes * 4 // 5, nbytes * 7 // 10, 600):
        b = world.realloc(a, n) or 0
        steps.append("same" if b == a else "moved")
        alive[a] = False
        alive[b] = True
        a = b
    for x in sorted([x for x, live in alive.items() if live], reverse=True):
        free(x)
    return {
        "usedpools": {
            "lone_pool_points_to_one_header": trick[0:2],
            "header_nextpool_is_pool": trick[2:4],
            "header_prevpool_is_pool": trick[4:6],
            "header_distance": trick[6],
            "classes": trick[7:9],
        },
        "header_after_frees": dict(zip(HEADER_FIELDS[:5], hp[:5])),
        "free_list_after_frees": free_list,
        "reuse_order": reuse,
        "full_pool_to_front": front,
        "after_pool_empties": empties,
        "regions": regions,
        "realloc": steps,
    }


@quiet
def sequences(world, plan):
    """Random malloc/free sequences over several classes, each in fresh pools.

    For each size in `plan["sizes"]`: two whole fresh pools P and Q are filled, then
    all but their first blocks freed, highest first (so each free list runs in
    address order, as a virgin pool hands blocks out), P before Q.  Q is then the
    first pool of its class's used list and P the second; with at most
    2 * (blocks per pool - 1) blocks live, no other pool is ever needed.  Then
    `plan["ops"]` runs: `[1, c, slot]` mallocs size c into slot, `[0, c, slot]`
    frees the slot.  Returns, per malloc, the pool ("P" or "Q") and block index of
    the block, and the index of the op whose free made it available (-1: none).
    """
    sizes, ops = plan["sizes"], plan["ops"]
    # Everything the run needs is made first: a list made later could take the very
    # blocks the run is watching (its storage comes from the same allocator).
    slots = [0] * (1 + max([op[2] for op in ops]))
    results = [0] * len(ops)
    held = Held(4000 * len(sizes), world)
    pools = [None] * len(sizes)
    for c in range(len(sizes)):
        runs, _ = fresh_pools(world, sizes[c], 2, held)
        pools[c] = (runs[0], runs[1])
    # From here on, while loops: on 2.7, range() makes a list (from class 112).
    malloc, free = world.malloc, world.free
    c = 0
    while c < len(sizes):
        for P in pools[c]:
            i = len(P) - 1
            while i > 0:
                free(P[i])
                i -= 1
        c += 1
    k = 0
    while k < len(ops):
        kind, c, slot = ops[k]
        if kind:
            slots[slot] = results[k] = malloc(sizes[c])
        else:
            free(slots[slot])
        k += 1
    # Clean up: what the ops left live, then everything held but what was freed.
    live = {}
    for k, (kind, c, slot) in enumerate(ops):
        if kind:
            live[slot] = results[k]
        else:
            del live[slot]
    for a in live.values():
        free(a)
    freed = set()
    for P, Q in pools:
        freed.update(P[1:])
        freed.update(Q[1:])
    for x in sorted(held.items[:held.n], reverse=True):
        if x not in freed:
            free(x)
    # Describe each malloc: which pool, which block, reused from which free.
    out = []
    last_free = {}
    addr = {}
    for k, (kind, c, slot) in enumerate(ops):
        if kind:
            a = results[k]
            where = ["?", 0]
            for name, run in zip("PQ", pools[c]):
                stride = run[1] - run[0]
                if run[0] <= a <= run[-1] and (a - run[0]) % stride == 0:
                    where = [name, (a - run[0]) // stride]
            out.append(where + [last_free.get(a, -1)])
            addr[slot] = a
        else:
            last_free[addr[slot]] = k
    return out


@quiet
def arenas(world, nbytes=384, total=3 << 20):
    """Map new arenas by filling them with `nbytes` blocks; then empty two of them."""
    held = Held(total // nbytes + 8000, world)
    runs, _ = fresh_pools(world, nbytes, 4, held)
    size = pool_geometry(runs)["pool_size"]
    before = _anon(world)
    malloc = world.malloc
    # Allocate `total` bytes, and go on until the arena being carved has at least 16
    # pools in use: then the emptied arenas below never tie with it in usable_arenas
    # (ties decide which of two arenas with equal free pools comes first).
    last, run = 0, 0
    for k in range(held.capacity() - held.n):
        a = malloc(nbytes)
        held.add(a)
        p = a - a % size
        if p != last:
            run = run + 1 if p == last + size else 1
            last = p
        if k >= total // nbytes and run >= 16:
            break
    after = _anon(world)
    blocks = held.items[:held.n]
    # The pools in allocation order, grouped by arena: each pool header says which
    # arena_object describes its arena (arenaindex, the low half of its fifth word).
    order = []
    last = None
    for a in blocks:
        p = a - a % size
        if p != last:
            order.append(p)
            last = p
    groups = []
    index_of = {}
    for p in order:
        index = world.read_word(p + 32) & 0xFFFFFFFF
        if index not in index_of:
            index_of[index] = len(groups)
            groups.append([])
        groups[index_of[index]].append(p)
    new = _difference(after, before)
    whole = []
    for pools in groups[1:-1]:    # the first arena was there before, the last is unfinished
        span = [(lo, hi) for lo, hi in new if lo <= min(pools) and max(pools) < hi]
        if span:
            whole.append((sorted(pools), span[0]))
    out = {"new_bytes": sum(hi - lo for lo, hi in new), "arenas": []}
    by_span = {}
    for pools, span in whole:
        by_span.setdefault(span, []).append(pools)
    for (lo, hi), group in sorted(by_span.items()):
        arenas_in_span = len([g for g in groups if lo <= g[0] < hi])
        arena_size = (hi - lo) // arenas_in_span
        for pools in group:
            base = lo + (pools[0] - lo) // arena_size * arena_size
            out["arenas"].append({"base": base, "arena_size": arena_size,
                                  "first_pool": pools[0] - base, "pools": len(pools)})
    # Empty the first two whole arenas, one after the other: which go back?
    released = []
    for pools, span in whole[:2]:
        inside = set(pools)
        mine = [a for a in blocks if a - a % size in inside]
        before_free = _anon(world)
        for a in sorted(mine, reverse=True):
            world.free(a)
        released.append(_covered(before_free) - _covered(_anon(world)))
        gone = set(mine)
        blocks = [a for a in blocks if a not in gone]
    out["released_bytes"] = released
    for a in sorted(blocks, reverse=True):
        world.free(a)
    return out


def _anon(world):
    return _merge([(lo, hi) for lo, hi, kind in world.mappings() if kind == "anon"])


def _merge(spans):
    out = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _covered(spans):
    return sum(hi - lo for lo, hi in spans)


def _difference(after, before):
    """Parts of the spans `after` that no span of `before` covers."""
    out = []
    for lo, hi in after:
        pieces = [(lo, hi)]
        for blo, bhi in before:
            nxt = []
            for plo, phi in pieces:
                if bhi <= plo or phi <= blo:
                    nxt.append((plo, phi))
                    continue
                if plo < blo:
                    nxt.append((plo, blo))
                if bhi < phi:
                    nxt.append((bhi, phi))
            pieces = nxt
        out.extend(pieces)
    return _merge(out)


@quiet
def stats(world, nbytes=200, k=400):
    """Statistics before and after `k` mallocs of `nbytes`, and after freeing them."""
    held = Held(k, world)
    text0 = world.stats_text()
    for _ in range(k):
        held.add(world.malloc(nbytes))
    text1 = world.stats_text()
    for a in reversed(held.items[:held.n]):
        world.free(a)
    text2 = world.stats_text()
    # sys.getallocatedblocks(): a malloc or free of any size moves it by one.  Each
    # measurement is taken around a function call, and a call that allocates
    # nothing is measured the same way, so what the measuring costs cancels out.
    sizes = (0, 1, 100, 200, 512, 513, 4000, 100000)
    addrs = world.array(len(sizes))
    g = world.allocated_blocks

    def mallocs():
        for i in range(len(sizes)):
            addrs[i] = world.malloc(sizes[i])

    def frees():
        for i in range(len(sizes)):
            world.free(addrs[i])

    def nothing():
        for i in range(len(sizes)):
            pass

    def change(do):
        before = g()
        do()
        return g() - before

    # Five rounds, and the most common answer: now and then the interpreter frees
    # or keeps an object of its own in the middle of a round.
    change(nothing)
    rounds = []
    for _ in range(5):
        base = change(nothing)
        rounds.append((change(mallocs) - base, change(frees) - base))
    moved = list(max(set(rounds), key=rounds.count))
    return {"texts": [text0, text1, text2], "k": k, "request": nbytes,
            "allocated_blocks": moved,
            "mallocs": len(sizes)}


def main():
    command = sys.argv[1]
    payload = json.loads(sys.stdin.read() or "null")
    world = Real()
    if command == "layout":
        result = layout(world, payload["sizes"])
    elif command == "scenarios":
        result = scenarios(world, payload["request"], payload["other"])
    elif command == "sequences":
        result = [sequences(world, plan) for plan in payload["plans"]]
    elif command == "arenas":
        result = arenas(world)
    elif command == "stats":
        result = stats(world)
    else:
        raise SystemExit("unknown experiment %r" % command)
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()
