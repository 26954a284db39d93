# Probe: the import system's facts in a freshly started interpreter (run it with
# -I -S on 3.x, -E -S on 2.7): sys.modules as the script starts (before this probe
# imports anything), the suffixes a directory is searched for, in order, and the
# frozen modules.  Runs unchanged on 2.7 and 3.x; prints one JSON object.
import sys

startup = [name for name, module in sys.modules.items() if module is not None]
misses = sorted(name for name, module in sys.modules.items() if module is None)

import json

facts = {"startup": startup, "misses": misses}
KINDS = {1: "source", 2: "bytecode", 3: "extension"}
try:
    from importlib._bootstrap_external import _get_supported_file_loaders
    import sysconfig
    soabi = sysconfig.get_config_var("SOABI")
    kinds = {"ExtensionFileLoader": "extension", "SourceFileLoader": "source",
             "SourcelessFileLoader": "bytecode"}
    facts["suffixes"] = [[suffix.replace(soabi, "{soabi}"), kinds[loader.__name__]]
                         for loader, suffixes in _get_supported_file_loaders()
                         for suffix in suffixes]
    import _imp
    facts["frozen"] = list(_imp._frozen_module_names())
except ImportError:  # 2.x: the C file table, and a look for the known frozen names
    import imp
    facts["suffixes"] = [[suffix, KINDS[kind]] for suffix, mode, kind in imp.get_suffixes()]
    facts["frozen"] = [name for name in ("__hello__", "__phello__", "__phello__.spam",
                                         "__phello__.ham", "zipimport", "site", "os")
                       if imp.is_frozen(name)]

sys.stdout.write(json.dumps(facts))
