"""`site` and `sys.path[0]` on made-up installations, then the whole `configure`."""

from __future__ import annotations

import pytest

from pyinternals.runtime.config import read_config
from pyinternals.runtime.fs import VirtualFileSystem
from pyinternals.runtime.getpath import BuildConfig, calculate_path
from pyinternals.runtime.pathconfig import compute_sys_path0, configure
from pyinternals.runtime.site import SiteError, site_main
from tests.runtime.test_getpath import install, venv_files

HOME = "/home/ada"


def boot(argv, files, version="3.12", env=None, cwd=HOME, **fs_kw):
    exe = [p for p in files if "/bin/python" in p and not files[p].startswith("->")]
    fs = VirtualFileSystem(files, cwd=cwd, executables=exe, **fs_kw)
    return configure(argv, {"HOME": HOME, **(env or {})}, profile=version, fs=fs,
                     build=BuildConfig.installed("/opt/py", version))


def user_site(version: str, **pth: str) -> dict[str, str]:
    base = f"{HOME}/.local/lib/python{version}/site-packages"
    return {f"{base}/": "", **{f"{base}/{name}": text for name, text in pth.items()}}


def test_site_adds_site_packages_after_the_standard_library():
    b = boot(["/opt/py/bin/python3.12", "-c", "pass"], install("/opt/py", "3.12"))
    assert b.sys_path == ["", "/opt/py/lib/python312.zip", "/opt/py/lib/python3.12",
                          "/opt/py/lib/python3.12/lib-dynload",
                          "/opt/py/lib/python3.12/site-packages"]
    assert b.site.enable_user_site is True
    assert b.site.customize == ["sitecustomize", "usercustomize"]


def test_pth_files_in_sorted_order_with_comments_imports_and_missing_folders():
    us = f"{HOME}/.local/lib/python3.12/site-packages"
    pth = {"b.pth": "/there\n", "a.pth": "# c\n\nimport os\n/missing\nsub\n",
           ".hidden.pth": "/hidden\n"}
    folders = {"/there/": "", f"{us}/sub/": "", "/hidden/": ""}
    files = install("/opt/py", "3.12", **user_site("3.12", **pth), **folders)
    b = boot(["/opt/py/bin/python3.12"], files)
    # sorted by name: ".hidden.pth" first
    assert b.sys_path[4:] == [us, "/hidden", f"{us}/sub", "/there",
                              "/opt/py/lib/python3.12/site-packages"]
    assert b.site.import_lines == ["import os"]
    # 3.13 skips .pth files whose names start with a dot
    files13 = {k.replace("3.12", "3.13").replace("312", "313"): v for k, v in files.items()}
    b13 = boot(["/opt/py/bin/python3.13"], files13, version="3.13")
    assert "/hidden" not in b13.sys_path


def test_27_appends_its_site_folder_again_for_a_blank_pth_line():
    files = install("/opt/py", "2.7", **user_site("2.7", **{"x.pth": "\n"}))
    b = boot(["/opt/py/bin/python2.7"], files, version="2.7")
    us = f"{HOME}/.local/lib/python2.7/site-packages"
    assert b.sys_path.count(us) == 2
    files3 = install("/opt/py", "3.12", **user_site("3.12", **{"x.pth": "\n"}))
    us3 = f"{HOME}/.local/lib/python3.12/site-packages"
    assert boot(["/opt/py/bin/python3.12"], files3).sys_path.count(us3) == 1


@pytest.mark.parametrize(("option", "env"), [("-s", {}), ("-I", {}),
                                             ("-c", {"PYTHONNOUSERSITE": "1"})])
def test_the_user_site_can_be_turned_off(option, env):
    files = install("/opt/py", "3.12", **user_site("3.12"))
    b = boot(["/opt/py/bin/python3.12", option, "pass"], files, env=env)
    assert not any(".local" in p for p in b.sys_path)
    assert b.site.enable_user_site is False


def test_pythonuserbase_and_a_missing_home():
    files = install("/opt/py", "3.12", **{"/base/lib/python3.12/site-packages/": ""})
    b = boot(["/opt/py/bin/python3.12"], files, env={"PYTHONUSERBASE": "/base"})
    assert "/base/lib/python3.12/site-packages" in b.sys_path
    fs = VirtualFileSystem(install("/opt/py", "3.12"), cwd=HOME, home="/from/passwd",
                           executables={"/opt/py/bin/python3.12"})
    no_home = configure(["/opt/py/bin/python3.12"], {}, profile="3.12", fs=fs,
                        build=BuildConfig.installed("/opt/py", "3.12"))
    assert no_home.site.user_base == "/from/passwd/.local"


def test_a_venv_switches_the_prefix_and_hides_the_system_site():
    cfg = "home = /opt/py/bin\ninclude-system-site-packages = false\n"
    b = boot(["/home/ada/env/bin/python"], venv_files(cfg))
    assert (b.prefix, b.base_prefix) == ("/home/ada/env", "/opt/py")
    assert b.sys_path[-1] == "/home/ada/env/lib/python3.12/site-packages"
    assert "/opt/py/lib/python3.12/site-packages" not in b.sys_path
    no_site = boot(["/home/ada/env/bin/python", "-S"], venv_files(cfg))
    assert no_site.prefix == "/opt/py"


def test_a_venv_including_system_site_packages():
    cfg = "home = /opt/py/bin\ninclude-system-site-packages = TRUE\n"
    b = boot(["/home/ada/env/bin/python"], venv_files(cfg))
    assert b.sys_path[-2:] == ["/home/ada/env/lib/python3.12/site-packages",
                               "/opt/py/lib/python3.12/site-packages"]


def test_an_unreadable_pyvenv_cfg_makes_site_fail():
    files = venv_files("home = /opt/py/bin\n")
    with pytest.raises(SiteError, match="PermissionError"):
        boot(["/home/ada/env/bin/python"], files, unreadable={"/home/ada/env/pyvenv.cfg"})
    files["/home/ada/env/pyvenv.cfg"] = b"home = /opt/py/bin\n\xff\n"  # type: ignore[assignment]
    with pytest.raises(SiteError, match="UnicodeDecodeError"):
        boot(["/home/ada/env/bin/python"], files)


def test_site_on_its_own():
    fs = VirtualFileSystem(install("/opt/py", "3.12"), cwd=HOME,
                           executables={"/opt/py/bin/python3.12"})
    config = read_config(["/opt/py/bin/python3.12"], {}, profile="3.12", cwd=HOME)
    paths = calculate_path(config, BuildConfig.installed("/opt/py", "3.12"), fs, {})
    paths.module_search_paths.insert(0, "rel/../opt/py/lib/python3.12")  # made absolute, dup
    said = []
    result = site_main(config, paths, fs, {"HOME": HOME}, trace=said.append)
    assert result.path[0] == "/home/ada/opt/py/lib/python3.12"
    assert any("user site" in line for line in said)


# -- sys.path[0] ---------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "version", "expected"), [
    (["python", "-c", "pass"], "3.12", ""),
    (["python"], "3.12", ""),
    (["python", "-m", "json.tool"], "3.12", "/project"),
    (["python", "-m", "json.tool"], "2.7", ""),
    (["python", "scripts/s.py"], "3.12", "/project/scripts"),
    (["python", "link.py"], "3.12", "/project/scripts"),
    (["python", "link.py"], "2.7", "/project/scripts"),
    (["python", "-P", "scripts/s.py"], "3.12", None),
    (["python", "-I", "-c", "pass"], "3.12", None),
])
def test_sys_path0(argv, version, expected):
    fs = VirtualFileSystem({"/project/scripts/s.py": "", "/project/link.py": "-> scripts/s.py"},
                           cwd="/project")
    config = read_config(argv, {}, profile=version, cwd="/project")
    assert compute_sys_path0(config, fs) == expected


def test_configure_needs_the_build_of_another_version():
    with pytest.raises(ValueError, match="BuildConfig"):
        configure(["python"], {}, profile="2.7" if __import__("sys").version_info[0] == 3
                  else "3.12")
