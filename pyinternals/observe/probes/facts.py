# Probe: the constants and defaults of an interpreter that the version profiles
# describe.  Runs unchanged on 2.7 and 3.x; prints one JSON object.
import gc
import json
import marshal
import os
import py_compile
import shutil
import struct
import sys
import tempfile

facts = {
    "pointer_size": struct.calcsize("P"),
    "gc_threshold": list(gc.get_threshold()),
    "builtin_module_names": sorted(sys.builtin_module_names),
}

if hasattr(sys, "getswitchinterval"):
    facts["switch_interval"] = sys.getswitchinterval()
if hasattr(sys, "getcheckinterval") and sys.version_info[0] == 2:
    facts["check_interval"] = sys.getcheckinterval()

try:
    from importlib.util import MAGIC_NUMBER as magic
except ImportError:  # 2.x
    import imp
    magic = imp.get_magic()
facts["magic"] = bytearray(magic).hex() if hasattr(bytearray, "hex") else magic.encode("hex")

# Compile a module the way the import system does and look at the file it wrote:
# where it went, and how many bytes come before the marshalled code object.
folder = tempfile.mkdtemp()
try:
    source = os.path.join(folder, "probe_mod.py")
    with open(source, "w") as f:
        f.write("x = 1\n")
    written = py_compile.compile(source, doraise=True)
    if written is None:  # 2.x returns nothing: the file goes beside the source
        written = source + "c"
    facts["pyc_path"] = os.path.relpath(written, folder).replace(os.sep, "/")
    with open(written, "rb") as f:
        data = f.read()
    header = None
    for offset in range(4, 33, 4):
        try:
            code = marshal.loads(data[offset:])
        except Exception:
            continue
        if getattr(code, "co_filename", None) is not None:
            header = offset
            break
    facts["pyc_header_size"] = header
finally:
    shutil.rmtree(folder)

sys.stdout.write(json.dumps(facts))
