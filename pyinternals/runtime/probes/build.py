# Probe: the constants a build baked into its interpreter (Makefile variables), which
# the path calculation starts from.  Runs unchanged on 2.7 and 3.x; prints JSON.
# They come from the build-time variables themselves (_sysconfigdata): sysconfig's
# own "prefix" follows sys.prefix, which a virtual environment changes.
import json
import sys
import sysconfig

try:
    name = sysconfig._get_sysconfigdata_name()
except AttributeError:  # 2.7
    name = "_sysconfigdata"
build = __import__(name).build_time_vars
sys.stdout.write(json.dumps({
    "prefix": build.get("prefix"),
    "exec_prefix": build.get("exec_prefix"),
    "pythonpath": build.get("PYTHONPATH") or "",
    "vpath": build.get("VPATH") or "",
    "platlibdir": build.get("PLATLIBDIR") or "lib",
    "version": list(sys.version_info[:3]),
}))
