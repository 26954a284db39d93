import pytest

from pyinternals.runtime.pystate import FatalError, Runtime


@pytest.fixture
def runtime():
    return Runtime()


def test_interpreters_are_prepended_and_numbered_from_zero(runtime):
    main = runtime.PyInterpreterState_New()
    sub = runtime.PyInterpreterState_New()
    assert [i.id for i in runtime.interpreters()] == [1, 0]
    assert runtime.interp_head is sub
    assert runtime.main is main


def test_thread_states_are_a_doubly_linked_list(runtime):
    interp = runtime.PyInterpreterState_New()
    t1, t2, t3 = (runtime.PyThreadState_New(interp, thread_id=n) for n in (10, 20, 30))
    assert list(interp.threads()) == [t3, t2, t1]
    assert t2.prev is t3
    assert t2.next is t1
    runtime.PyThreadState_Delete(t2)
    assert list(interp.threads()) == [t3, t1]
    assert t1.prev is t3
    assert t3.next is t1
    assert 20 not in runtime.gilstate


def test_preallocated_state_gets_its_thread_later(runtime):
    interp = runtime.PyInterpreterState_New()
    tstate = runtime._PyThreadState_Prealloc(interp)
    assert tstate.thread_id is None
    assert runtime.gilstate == {}
    runtime._PyThreadState_Init(tstate, 42)
    assert runtime.gilstate[42] is tstate


def test_the_current_state_cannot_be_deleted_and_nothing_changes(runtime):
    interp = runtime.PyInterpreterState_New()
    tstate = runtime.PyThreadState_New(interp, thread_id=1)
    runtime.PyThreadState_Swap(tstate)
    with pytest.raises(FatalError, match="PyThreadState_Delete: tstate is still current"):
        runtime.PyThreadState_Delete(tstate)
    assert list(interp.threads()) == [tstate]
    assert runtime.PyThreadState_DeleteCurrent() is tstate
    assert runtime.tstate_current is None
    assert list(interp.threads()) == []


def test_fatal_errors_carry_cs_messages(runtime):
    with pytest.raises(FatalError, match=r"^Fatal Python error: PyThreadState_Get: no current"):
        runtime.PyThreadState_Get()
    with pytest.raises(FatalError, match="no current tstate"):
        runtime.PyThreadState_DeleteCurrent()


def test_main_goes_last(runtime):
    main = runtime.PyInterpreterState_New()
    sub = runtime.PyInterpreterState_New()
    runtime.PyThreadState_New(sub, thread_id=5)
    with pytest.raises(FatalError, match="remaining subinterpreters"):
        runtime.PyInterpreterState_Delete(main)
    assert list(runtime.interpreters()) == [sub, main]
    runtime.PyInterpreterState_Delete(sub)
    runtime.PyInterpreterState_Delete(main)
    assert runtime.interp_head is None
    assert runtime.gilstate == {}
    with pytest.raises(FatalError, match="invalid interp"):
        runtime.PyInterpreterState_Delete(main)


def test_drawing_marks_the_current_thread(runtime):
    interp = runtime.PyInterpreterState_New()
    runtime.PyThreadState_New(interp, thread_id=1)
    current = runtime.PyThreadState_New(interp, thread_id=2)
    runtime.PyThreadState_Swap(current)
    dot = runtime.to_dot()
    assert '"runtime":"current" -> "interp0.t2"' in dot
    alone = interp.to_dot()
    assert alone == current.to_dot()
    assert '"t2" [label="PyThreadState 2\\nthread 2"' in alone
    assert '"t1" [label="PyThreadState 1\\nthread 1"' in alone


def test_an_interpreter_is_drawn_alone_with_its_namespaces(runtime):
    import types

    main = runtime.PyInterpreterState_New()
    sub = runtime.PyInterpreterState_New()
    for interp, extra in ((main, 20), (sub, 0)):
        sys_module, builtins = types.ModuleType("sys"), types.ModuleType("builtins")
        interp.modules.update(sys=sys_module, builtins=builtins)
        interp.modules.update({f"m{i}": types.ModuleType(f"m{i}") for i in range(extra)})
        interp.sysdict, interp.builtins = vars(sys_module), vars(builtins)
    dot = main.to_dot()
    assert dot == main.to_dot()
    text = dot.replace("\\ ", " ").replace("\\>", ">")  # Record escapes
    assert "PyInterpreterState 0 (main)" in text
    assert "PyInterpreterState 1" not in text
    assert '"interp":"sysdict" -> "modules":"m_sys"' in text
    assert '"interp":"builtins" -> "modules":"m_builtins"' in text
    assert "interp->modules: 22" in text
    assert "... and 10 more" in text
    assert "PyInterpreterState 1" in sub.to_dot().replace("\\ ", " ")
