# Probe: build package trees in temporary folders, run import statements against
# each in a fresh namespace, and report what happened.  Runs unchanged on 2.7 and
# 3.x (on POSIX: each tree runs in a child forked from this process, so that every
# tree starts from the same clean interpreter).
#
# Input (JSON on stdin): a list of trees, each {"files": [[relative path, entry],
# ...], "path": [entries relative to the tree, "" for its root], "preload": [module,
# ...], "statements": [source, ...]}.  An entry is
# {"kind": "text", "text": ...}, {"kind": "zip", "files": [[name, text], ...]} or
# {"kind": "pyc", "source": relative .py path, "code": source compiled into it,
# "state": matching | stale | bad-magic | truncated | bad-body | sourceless |
# sourceless-bad-magic}.
# Each interpreter writes .pyc files its own way (its magic, its header, its cache
# location), so the tree's description stays the same for every version.
#
# Output: the outcome of each statement, the modules added to sys.modules (with
# their import attributes), the names bound, the warnings raised, and (with -v)
# the lines the interpreter printed on stderr while the statements ran.  The tree's
# folder is written as <root> in every string.
import json
import marshal
import os
import shutil
import sys
import tempfile
import warnings
import zipfile

try:
    from importlib.util import MAGIC_NUMBER, cache_from_source
    PY3 = True
except ImportError:  # 2.x
    import imp
    MAGIC_NUMBER = imp.get_magic()
    cache_from_source = None
    PY3 = False

MTIME = 1000000000  # every file of a tree has this modification time
ABSENT = "<absent>"


def write(path, data):
    folder = os.path.dirname(path)
    if folder and not os.path.isdir(folder):
        os.makedirs(folder)
    f = open(path, "wb")
    try:
        f.write(data)
    finally:
        f.close()


def word(n):
    return bytearray([(n >> shift) & 0xFF for shift in (0, 8, 16, 24)])


def pyc_bytes(source_path, code_text, state):
    code = compile(code_text, source_path, "exec")
    size = len(open(source_path, "rb").read()) if os.path.exists(source_path) else 0
    mtime = MTIME + 1 if state == "stale" else MTIME
    magic = bytearray(MAGIC_NUMBER)
    if state.endswith("bad-magic"):
        magic = bytearray(b"\x00\x00\r\n")
    header = magic + (word(0) + word(mtime) + word(size) if PY3 else word(mtime))
    body = bytearray(b"\xff\xff") if state == "bad-body" else bytearray(marshal.dumps(code))
    data = header + body
    if state == "truncated":
        data = data[:8] if PY3 else data[:4]
    return bytes(data)


def pyc_path(source_path, state):
    if state.startswith("sourceless") or not PY3:
        return source_path + "c"
    return cache_from_source(source_path)


def materialize(root, files):
    pycs = []
    for relpath, entry in files:
        path = os.path.join(root, *relpath.split("/"))
        if entry["kind"] == "text":
            write(path, entry["text"].encode("utf-8"))
            os.utime(path, (MTIME, MTIME))
        elif entry["kind"] == "dir":
            os.makedirs(path)
        elif entry["kind"] == "zip":
            folder = os.path.dirname(path)
            if not os.path.isdir(folder):
                os.makedirs(folder)
            archive = zipfile.ZipFile(path, "w")
            for name, text in entry["files"]:
                archive.writestr(zipfile.ZipInfo(name, (2001, 9, 9, 1, 46, 40)), text)
            archive.close()
        else:
            pycs.append((path, entry))
    for path, entry in pycs:
        source = os.path.join(root, *entry["source"].split("/"))
        data = pyc_bytes(source, entry["code"], entry["state"])
        write(pyc_path(source, entry["state"]), data)


def loader_kind(module):
    spec = getattr(module, "__spec__", None)
    loader = getattr(spec, "loader", None) if spec is not None else None
    if loader is None:
        loader = module.__dict__.get("__loader__")
    if loader is None:
        return None
    if isinstance(loader, type):
        return loader.__name__
    return type(loader).__name__


def describe(module):
    if module is None:
        return None
    attrs = module.__dict__
    path = attrs.get("__path__", ABSENT)
    if path is not ABSENT and path is not None:
        path = list(path)
    spec = attrs.get("__spec__")
    children = sorted(key for key, value in attrs.items()
                      if not key.startswith("__") and type(value) is type(sys))
    return {
        "file": attrs.get("__file__", ABSENT),
        "path": path,
        "package": attrs.get("__package__", ABSENT),
        "cached": attrs.get("__cached__", ABSENT),
        "origin": getattr(spec, "origin", ABSENT) if spec is not None else ABSENT,
        "loader": loader_kind(module),
        "children": children,
    }


def plain(value):
    if isinstance(value, (int, float, str, bool)) or value is None:
        return True
    return isinstance(value, (list, tuple)) and all(plain(v) for v in value)


def summary(value):
    if type(value) is type(sys):
        return "module " + value.__name__
    if plain(value):
        return type(value).__name__ + " " + repr(value)
    return type(value).__name__


HARNESS = """
_outcomes = []
for _statement in _statements:
    try:
        exec(_statement)
        _outcomes.append(None)
    except Exception as _error:
        _outcomes.append([type(_error).__name__, str(_error)])
"""


def run(tree):
    root = os.path.realpath(tempfile.mkdtemp())
    try:
        materialize(root, tree["files"])
        sys.path[0:0] = [os.path.join(root, entry) if entry else root
                         for entry in tree["path"]]
        sys.path_importer_cache.clear()
        for name in tree.get("preload", []):
            __import__(name)
        baseline = set(sys.modules)
        namespace = {"__name__": "__main__", "__builtins__": __builtins__,
                     "_statements": tree["statements"]}
        log = tempfile.TemporaryFile()
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(log.fileno(), 2)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                exec(compile(HARNESS, "<tree>", "exec"), namespace)
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        log.seek(0)
        stderr = log.read().decode("utf-8", "replace").splitlines()
        added = [key for key in sys.modules if key not in baseline]
        if not PY3:
            added.sort()
        result = {
            "outcomes": namespace["_outcomes"],
            "added": [[key, describe(sys.modules[key])] for key in added],
            "bound": dict((key, summary(value)) for key, value in namespace.items()
                          if not key.startswith("_")),
            "warnings": [[w.category.__name__, str(w.message)] for w in caught],
            "stderr": stderr,
        }
        text = json.dumps(result).replace(json.dumps(root)[1:-1], "<root>")
        stdlib = os.path.dirname(os.path.realpath(os.__file__))
        return json.loads(text.replace(json.dumps(stdlib)[1:-1], "<stdlib>"))
    finally:
        shutil.rmtree(root, True)


def run_forked(tree):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            data = json.dumps(run(tree))
        except BaseException as exc:
            data = json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)})
        data = data.encode("utf-8")
        while data:
            data = data[os.write(write_end, data):]
        os._exit(0)
    os.close(write_end)
    chunks = []
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks).decode("utf-8"))


trees = json.loads(sys.stdin.read())
sys.stdout.write(json.dumps([run_forked(tree) for tree in trees]))
