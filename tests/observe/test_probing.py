import pytest

from pyinternals import observe, profiles


def test_facts_probe_runs_unchanged_everywhere(real_python):
    facts = observe.run_probe(real_python, "facts")
    assert facts["pointer_size"] == real_python.pointer_size
    assert isinstance(facts["builtin_module_names"], list)
    assert "sys" in facts["builtin_module_names"]


def test_payload_goes_in_as_json(real_python, tmp_path):
    echo = tmp_path / "echo.py"
    echo.write_text(
        "import json, sys\n"
        "data = json.load(sys.stdin)\n"
        "sys.stdout.write(json.dumps({'got': data, 'args': sys.argv[1:]}))\n"
    )
    answer = observe.run_probe(real_python, echo, "a", "b", payload={"n": [1, 2]})
    assert answer == {"got": {"n": [1, 2]}, "args": ["a", "b"]}


def _script(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_crash_names_interpreter_probe_and_status(tmp_path):
    here = observe.running()
    crash = _script(tmp_path, "crash.py", "import sys\nsys.stderr.write('boom\\n')\nsys.exit(3)\n")
    with pytest.raises(observe.ProbeError) as info:
        observe.run_probe(here, crash)
    message = str(info.value)
    assert "probe crash.py in CPython" in message
    assert here.label in message
    assert "exited with status 3" in message
    assert "boom" in message
    assert info.value.returncode == 3


def test_a_signal_is_named(tmp_path):
    abort = _script(tmp_path, "abort.py", "import os\nos.abort()\n")
    with pytest.raises(observe.ProbeError, match="killed by SIGABRT"):
        observe.run_probe(observe.running(), abort)


def test_garbage_output_is_an_error(tmp_path):
    chatty = _script(tmp_path, "chatty.py", "print('hello')\n")
    with pytest.raises(observe.ProbeError, match="not JSON: 'hello'"):
        observe.run_probe(observe.running(), chatty)


def test_a_probe_that_hangs_times_out(tmp_path):
    slow = _script(tmp_path, "slow.py", "import time\ntime.sleep(30)\n")
    with pytest.raises(observe.ProbeError, match=r"did not finish within 0\.5 s"):
        observe.run_probe(observe.running(), slow, timeout=0.5)


def test_a_missing_probe_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="no probe script"):
        observe.run_probe(observe.running(), tmp_path / "nope.py")


def test_probe_once_runs_once_per_interpreter(tmp_path):
    counter = tmp_path / "count.txt"
    script = _script(tmp_path, "count.py",
                     f"import json\nf = open({str(counter)!r}, 'a'); f.write('x'); f.close()\n"
                     "print(json.dumps(1))\n")
    here = observe.running()
    assert observe.probe_once(here, script) == 1
    assert observe.probe_once(here, script) == 1
    assert counter.read_text() == "x"


def test_probes_see_no_python_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    env = _script(tmp_path, "env.py",
                  "import json, os\nprint(json.dumps(sorted(k for k in os.environ "
                  "if k.startswith('PYTHON') and k != 'PYTHONIOENCODING')))\n")
    assert observe.run_probe(observe.running(), env) == []


def test_the_running_family_has_a_profile():
    assert observe.running().profile in (*profiles.KNOWN, None)
