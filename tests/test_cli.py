import json
import subprocess
import sys

from pyinternals import __main__ as cli
from pyinternals import observe


def run(*args):
    return subprocess.run([sys.executable, "-m", "pyinternals", *args],
                          capture_output=True, text=True, check=False)


def test_help_explains_each_command():
    text = cli.parser().format_help()
    for command in ("fidelity", "interpreters", "book", "bench"):
        assert command in text
    proc = run("fidelity", "--help")
    assert proc.returncode == 0
    assert "exit with status 1" in proc.stdout


def test_fidelity_json_lists_every_family():
    proc = run("fidelity", "--json", "pyc.magic")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert [c["id"] for c in doc["checks"]] == ["pyc.magic"]
    assert observe.running().family in doc["interpreters"]


def test_fidelity_unknown_prefix_is_a_usage_error():
    proc = run("fidelity", "no-such-check")
    assert proc.returncode == 2
    assert "no check id starts with no-such-check" in proc.stderr


def test_interpreters_lists_the_running_one():
    proc = run("interpreters")
    assert proc.returncode == 0
    assert observe.running().label in proc.stdout


def test_bench_runs():
    proc = run("bench")
    assert proc.returncode in (0, 1), proc.stderr
