"""The path calculation on made-up installations (`Modules/getpath.py`, `getpath.c`)."""

from __future__ import annotations

import pytest

from pyinternals.runtime.config import read_config
from pyinternals.runtime.fs import RealFileSystem, VirtualFileSystem
from pyinternals.runtime.getpath import BuildConfig, calculate_path


def install(prefix: str, version: str, **extra: str) -> dict[str, str]:
    """The files of `make install` that the path calculation looks at."""
    lib = f"{prefix}/lib/python{version}"
    return {f"{prefix}/bin/python{version}": "", f"{prefix}/bin/python3": f"-> python{version}",
            f"{lib}/os.py": "", f"{lib}/lib-dynload/": "", f"{lib}/site-packages/": "",
            **extra}


def paths(argv, files, version="3.12", *, env=None, cwd="/home/ada", build_prefix="/usr/local",
          exe=("/opt/py/bin/python3.12",), trace=None, **fs_kw):
    fs = VirtualFileSystem(files, cwd=cwd, executables=exe, **fs_kw)
    config = read_config(argv, env or {}, profile=version, cwd=cwd)
    return calculate_path(config, BuildConfig.installed(build_prefix, version), fs, env or {},
                          trace=trace)


def test_the_landmark_is_found_from_the_executable_through_its_link():
    p = paths(["/opt/py/bin/python3"], install("/opt/py", "3.12"))
    assert (p.prefix, p.exec_prefix, p.executable) == ("/opt/py", "/opt/py",
                                                       "/opt/py/bin/python3")
    assert p.module_search_paths == ["/opt/py/lib/python312.zip", "/opt/py/lib/python3.12",
                                     "/opt/py/lib/python3.12/lib-dynload"]
    assert p.warnings == []


def test_a_bare_name_is_looked_up_on_path():
    p = paths(["python3.12"], install("/opt/py", "3.12"), env={"PATH": "/nope:/opt/py/bin"})
    assert p.executable == "/opt/py/bin/python3.12"
    assert p.prefix == "/opt/py"


def test_without_path_the_search_starts_from_the_current_folder_then_prefix():
    p = paths(["python3.12"], install("/opt/py", "3.12"), build_prefix="/usr/local")
    assert p.executable == ""
    assert p.prefix == "/usr/local"  # the configured PREFIX, which has no os.py here
    assert p.warnings == ["Could not find platform independent libraries <prefix>",
                          "Could not find platform dependent libraries <exec_prefix>"]


def test_the_root_folder_is_never_searched():
    files = install("/opt/py", "3.12", **{"/lib/python3.12/os.py": ""})
    p = paths(["python3.12"], files, cwd="/tmp", build_prefix="/opt/py")
    assert p.prefix == "/opt/py"


def test_pythonhome_is_believed_and_split_on_a_colon():
    p = paths(["/opt/py/bin/python3.12"], install("/opt/py", "3.12"),
              env={"PYTHONHOME": "/a:/b"})
    assert (p.prefix, p.exec_prefix, p.home) == ("/a", "/b", "/a:/b")
    assert p.module_search_paths == ["/a/lib/python312.zip", "/a/lib/python3.12",
                                     "/b/lib/python3.12/lib-dynload"]
    ignored = paths(["/opt/py/bin/python3.12", "-E"], install("/opt/py", "3.12"),
                    env={"PYTHONHOME": "/a"})
    assert ignored.prefix == "/opt/py"


def test_pythonpath_entries_come_first_made_absolute():
    p = paths(["/opt/py/bin/python3.12"], install("/opt/py", "3.12"),
              env={"PYTHONPATH": "rel:/abs/./x/..::/missing"})
    assert p.module_search_paths[:4] == ["/home/ada/rel", "/abs", "/home/ada", "/missing"]


def venv_files(cfg: str) -> dict[str, str]:
    return install("/opt/py", "3.12", **{"/home/ada/env/bin/python": "-> /opt/py/bin/python3.12",
                                         "/home/ada/env/pyvenv.cfg": cfg,
                                         "/home/ada/env/lib/python3.12/site-packages/": ""})


def test_a_venv_moves_the_search_to_its_home_but_not_the_prefix():
    p = paths(["/home/ada/env/bin/python"], venv_files("home = /opt/py/bin\n"))
    assert p.prefix == "/opt/py"  # site switches it, not getpath
    assert p.pyvenv_cfg == "/home/ada/env/pyvenv.cfg"
    assert p.executable == "/home/ada/env/bin/python"
    assert p.base_executable == "/opt/py/bin/python3.12"  # the link, resolved


def test_a_pyvenv_cfg_without_home_is_not_a_venv(capsys):
    lines = []
    p = paths(["/home/ada/env/bin/python"], venv_files("version = 3.12.1\n"),
              trace=lines.append)
    assert p.pyvenv_cfg == "/home/ada/env/pyvenv.cfg"
    assert any("no home key" in line for line in lines)
    assert p.prefix == "/opt/py"  # found from the resolved link anyway


def test_an_unreadable_pyvenv_cfg_is_skipped_by_getpath():
    p = paths(["/home/ada/env/bin/python"], venv_files("home = /elsewhere\n"),
              unreadable={"/home/ada/env/pyvenv.cfg"})
    assert p.pyvenv_cfg is None
    assert p.prefix == "/opt/py"


def test_a_pth_file_beside_the_executable_fixes_the_path():
    pth = "../lib\n# c\nimport site\n"
    files = install("/opt/py", "3.12", **{"/opt/py/bin/python3.12._pth": pth})
    p = paths(["/opt/py/bin/python3.12"], files)
    assert p.module_search_paths == ["/opt/py/lib"]
    assert p.pth_overrides == {"isolated": 1, "use_environment": 0, "site_import": 1,
                               "safe_path": 1}


def test_a_build_folder_reports_the_configured_prefix():
    files = {"/src/cpython/python": "", "/src/cpython/pybuilddir.txt": "build/lib.linux\n",
             "/src/cpython/Lib/os.py": ""}
    p = paths(["/src/cpython/python"], files, exe=("/src/cpython/python",))
    assert p.prefix == "/usr/local"
    assert p.module_search_paths == ["/usr/local/lib/python312.zip", "/src/cpython/Lib",
                                     "/src/cpython/build/lib.linux"]


# -- 2.7: getpath.c ------------------------------------------------------------------


def test_27_searches_for_the_landmark_and_adds_the_compiled_in_path():
    p = paths(["/opt/py/bin/python2.7"], install("/opt/py", "2.7"), version="2.7",
              exe=("/opt/py/bin/python2.7",))
    assert (p.prefix, p.exec_prefix) == ("/opt/py", "/opt/py")
    assert p.module_search_paths == [
        "/opt/py/lib/python27.zip", "/opt/py/lib/python2.7", "/opt/py/lib/python2.7/plat-linux2",
        "/opt/py/lib/python2.7/lib-tk", "/opt/py/lib/python2.7/lib-old",
        "/opt/py/lib/python2.7/lib-dynload"]


def test_27_accepts_the_compiled_landmark_and_keeps_pythonpath_raw():
    files = install("/opt/py", "2.7")
    files.pop("/opt/py/lib/python2.7/os.py")
    files["/opt/py/lib/python2.7/os.pyc"] = ""
    p = paths(["/opt/py/bin/python2.7"], files, version="2.7", exe=("/opt/py/bin/python2.7",),
              env={"PYTHONPATH": "a::b"})
    assert p.prefix == "/opt/py"
    assert p.module_search_paths[:3] == ["a", "", "b"]  # site makes them absolute later


def test_27_not_found_warns_and_falls_back_to_prefix():
    p = paths(["/x/python"], {"/x/python": ""}, version="2.7", exe=("/x/python",))
    assert p.prefix == "/usr/local"
    assert p.warnings == ["Could not find platform independent libraries <prefix>",
                          "Could not find platform dependent libraries <exec_prefix>",
                          "Consider setting $PYTHONHOME to <prefix>[:<exec_prefix>]"]
    assert p.module_search_paths[-1] == "/usr/local/lib/lib-dynload"


def test_the_real_file_system_finds_the_running_interpreter():
    import sys

    fs = RealFileSystem()
    config = read_config([sys.executable, "-S"], {})
    found = calculate_path(config, BuildConfig.running(), fs, {})
    assert found.base_prefix == sys.base_prefix


def test_virtual_links_loop_and_dangle_safely():
    fs = VirtualFileSystem({"/a": "-> /b", "/b": "-> /a", "/c": "-> /nowhere"})
    assert not fs.exists("/a")
    assert not fs.exists("/c")
    assert fs.readlink("/c") == "/nowhere"
    with pytest.raises(OSError, match="Invalid argument"):
        fs.readlink("/")
    with pytest.raises(ValueError, match="absolute"):
        VirtualFileSystem({"rel": ""})
