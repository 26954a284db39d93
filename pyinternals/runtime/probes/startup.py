# Probe: what an interpreter looks like once it has started, for the start-up model.
# Runs unchanged on 2.7 and 3.x, as a script, as `-c` source or as `-m startup`;
# prints one JSON object: the path configuration, sys.flags, sys.argv, sys.modules.
import json
import re
import sys

flags = []
for name, value in re.findall(r"(\w+)=(-?\w+)", repr(sys.flags)):
    if value in ("True", "False"):
        flags.append([name, value == "True"])
    else:
        flags.append([name, int(value)])

main = sys.modules["__main__"]
sys.stdout.write(json.dumps({
    "path": sys.path,
    "prefix": sys.prefix,
    "exec_prefix": sys.exec_prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    "base_exec_prefix": getattr(sys, "base_exec_prefix", sys.exec_prefix),
    "executable": sys.executable,
    "base_executable": getattr(sys, "_base_executable", sys.executable),
    "flags": flags,
    "argv": sys.argv,
    "modules": list(sys.modules),
    "main_file": getattr(main, "__file__", None),
    "warnoptions": sys.warnoptions,
    "xoptions": sorted(getattr(sys, "_xoptions", {}).items()),
}))
