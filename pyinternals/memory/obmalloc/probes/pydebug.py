# Probe: the debug hooks of the small-object allocator (PYMALLOC_DEBUG, and
# PYTHONMALLOC=pymalloc_debug since 3.6), through ctypes PyObject_Malloc, PyMem_Malloc
# and PyObject_Free.  Runs unchanged on 2.7 and 3.x and prints one JSON document.
# The package loads this file too (pyinternals.memory.obmalloc.debug_experiments) and
# runs the same experiment functions against the model's DebugAllocator.
#
# Usage: PYTHONMALLOC=pymalloc_debug python pydebug.py decorations|crimes (payload on stdin)
#        python pydebug.py commit CRIME NBYTES   (the child that `crimes` runs: it aborts)
#
# Safety: a block is read after PyObject_Free only while another block of the same
# pool is still held, so its pool (and arena) stays mapped.  The crimes, which make
# the interpreter abort, run in a child process.
from __future__ import division, print_function

import json
import subprocess
import sys

#: The crimes: write past the end, write before the start, free with the wrong API.
CRIMES = ("overflow", "underflow", "api")


class Real(object):
    """The running interpreter's allocator, seen through ctypes."""

    def __init__(self):
        import ctypes
        api = ctypes.pythonapi
        self.malloc = api.PyObject_Malloc
        self.malloc.argtypes = [ctypes.c_size_t]
        self.malloc.restype = ctypes.c_void_p
        self.mem_malloc = api.PyMem_Malloc
        self.mem_malloc.argtypes = [ctypes.c_size_t]
        self.mem_malloc.restype = ctypes.c_void_p
        self.free = api.PyObject_Free
        self.free.argtypes = [ctypes.c_void_p]
        self.free.restype = None
        self._string_at = ctypes.string_at
        self._memset = ctypes.memset

    def array(self, n):
        import ctypes
        return (ctypes.c_uint64 * n)()

    def read(self, address, size):
        return bytearray(self._string_at(address, size))

    def poke(self, address, byte):
        self._memset(address, byte, 1)

    def announce(self, p, nbytes):
        sys.stdout.write("%d %d\n" % (p, nbytes))
        sys.stdout.flush()


def runs(data):
    """Bytes as runs: 'fd*7' for seven 0xfd, single bytes as they are."""
    out = []
    i = 0
    while i < len(data):
        j = i
        while j < len(data) and data[j] == data[i]:
            j += 1
        out.append("%02x" % data[i] + ("*%d" % (j - i) if j - i > 1 else ""))
        i = j
    return " ".join(out)


# -- Experiments -------------------------------------------------------------------


def decorations(world, sizes, pool_size):
    """Per request size: the bytes from p-16 to the end of the trailing pad when the
    block is fresh, and from p-8 after PyObject_Free (the word at p-16 then holds
    pymalloc's free-list link, an address)."""
    out = []
    for nbytes in sizes:
        held = world.array(64)
        k = 0
        a = world.malloc(nbytes)
        while True:
            b = world.malloc(nbytes)
            if b - b % pool_size == a - a % pool_size:
                break                       # a keeps b's pool in use
            if k == len(held):
                raise RuntimeError("no two blocks of %d bytes in one pool" % nbytes)
            held[k] = a
            k += 1
            a = b
        fresh = world.read(b - 16, nbytes + 24)
        world.free(b)
        freed = world.read(b - 8, nbytes + 16)
        world.free(a)
        for i in range(k):
            world.free(held[i])
        out.append([nbytes, runs(fresh), runs(freed)])
    return out


def commit(world, crime, nbytes):
    """Allocate a block, damage it as `crime` says, and free it: the debug hooks
    must abort (the real interpreter) or raise (the model)."""
    if crime == "api":
        p = world.mem_malloc(nbytes)            # allocated with PyMem_Malloc ('m')...
    else:
        p = world.malloc(nbytes)
    world.announce(p, nbytes)
    if crime == "overflow":
        world.poke(p + nbytes, 0x41)            # one byte past the end
    elif crime == "underflow":
        world.poke(p - 1, 0x41)                 # one byte before the start
    world.free(p)                               # ...freed with PyObject_Free ('o')


def report(stderr, p, nbytes):
    """The lines the debug hooks printed, addresses replaced by 'p' and 'tail':
    the dump of the block and the fatal error line."""
    tail = "0x%x" % (p + nbytes)
    lines = []
    inside = False
    for line in stderr.splitlines():
        if line.startswith("Debug memory block"):
            inside = True
        elif not line.strip():
            inside = False
        if inside or line.startswith("Fatal Python error"):
            lines.append(line.replace(tail, "tail").replace("0x%x" % p, "p"))
    return lines


def crimes(nbytes):
    """Run each crime in a child process of this interpreter; what it printed."""
    out = {}
    for crime in CRIMES:
        child = subprocess.Popen(
            [sys.executable, "-s", __file__, "commit", crime, str(nbytes)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout, stderr = child.communicate()
        stdout = stdout.decode("ascii", "replace").split()
        if len(stdout) != 2:
            out[crime] = {"status": child.returncode, "lines": []}
            continue
        p, n = int(stdout[0]), int(stdout[1])
        text = stderr.decode("latin-1")
        out[crime] = {"status": child.returncode, "lines": report(text, p, n)}
    return out


def main():
    command = sys.argv[1]
    if command == "commit":
        commit(Real(), sys.argv[2], int(sys.argv[3]))
        return
    payload = json.loads(sys.stdin.read() or "null")
    if command == "decorations":
        result = decorations(Real(), payload["sizes"], payload["pool_size"])
    elif command == "crimes":
        result = crimes(payload["nbytes"])
    else:
        raise SystemExit("unknown command %r" % command)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
