"""The debug allocator: layout, checks on free, state left intact, and a real crime."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyinternals import profiles
from pyinternals.memory.obmalloc import DebugAllocator, DebugMemoryError
from pyinternals.memory.obmalloc.allocator import Allocator
from pyinternals.memory.obmalloc.debug_experiments import DebugWorld, run_model, run_real
from pyinternals.memory.obmalloc.space import InvalidFree, SegmentationFault
from tests.memory.obmalloc.test_allocator import snapshot
from tests.support import real_interpreter

ERAS = ["book", "2.7", "3.11", "3.13"]


def state(d):
    return (snapshot(d.allocator), d.live_blocks(), d.serialno)


@pytest.mark.parametrize("era", ERAS)
def test_a_fresh_block_is_laid_out_as_in_c(era):
    d = DebugAllocator(era)
    p = d.profile
    data = d.malloc(300)
    q = data - 16
    raw = d.space.read(q, 16 + 300 + p.DEBUG_EXTRA_BYTES - 16)
    assert int.from_bytes(raw[:8], "big") == 300
    header_pad = raw[9:16] if p.debug_api_ids else raw[8:16]
    assert set(header_pad) == {p.FORBIDDENBYTE}
    assert raw[8] == (ord("o") if p.debug_api_ids else p.FORBIDDENBYTE)
    assert set(raw[16:316]) == {p.CLEANBYTE}
    assert set(raw[316:324]) == {p.FORBIDDENBYTE}
    if p.debug_serialno:
        assert int.from_bytes(raw[324:332], "big") == d.serialno == 1
    # pymalloc was asked for the request plus the extra words, and returned q.
    assert d.allocator.live_blocks() == {q: 300 + p.DEBUG_EXTRA_BYTES}


def test_the_bytes_differ_between_the_eras():
    old, new = profiles.obmalloc.get("2.7"), profiles.obmalloc.get("3.12")
    assert (old.CLEANBYTE, old.DEADBYTE, old.FORBIDDENBYTE) == (0xCB, 0xDB, 0xFB)
    assert (new.CLEANBYTE, new.DEADBYTE, new.FORBIDDENBYTE) == (0xCD, 0xDD, 0xFD)
    assert (old.DEBUG_EXTRA_BYTES, new.DEBUG_EXTRA_BYTES) == (32, 24)


@pytest.mark.parametrize("era", ERAS)
def test_free_fills_the_whole_block_with_dead_bytes(era):
    d = DebugAllocator(era)
    keep, data = d.malloc(100), d.malloc(100)
    d.free(data)
    p = d.profile
    # The first word is pymalloc's free-list link now; the rest is dead.
    after = d.space.read(data - 8, 8 + 100 + p.DEBUG_EXTRA_BYTES - 16)
    assert set(after) == {p.DEADBYTE}
    assert d.live_blocks() == {keep: 100}
    assert d.malloc(100) == data        # pymalloc reuses the block, last freed first


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize(("where", "problem"), [(100, "bad trailing pad byte"),
                                                (107, "bad trailing pad byte"),
                                                (-1, "bad leading pad byte"),
                                                (-7, "bad leading pad byte")])
def test_a_clobbered_pad_is_caught_and_nothing_changes(era, where, problem):
    d = DebugAllocator(era)
    data = d.malloc(100)
    d.space.write(data + where, b"\x41")
    before = state(d)
    with pytest.raises(DebugMemoryError) as info:
        d.free(data)
    assert info.value.problem == problem
    assert str(info.value).endswith(problem)
    assert info.value.address == data
    assert "*** OUCH" in info.value.dump
    assert f"p={data:#x}" in info.value.dump
    assert state(d) == before


def test_the_report_is_what_c_prints():
    d = DebugAllocator("3.12")
    data = d.malloc(20)
    d.space.write(data + 20, b"\x00")
    with pytest.raises(DebugMemoryError) as info:
        d.free(data)
    lines = info.value.report.splitlines()
    assert lines[0] == f"Debug memory block at address p={data:#x}: API 'o'"
    assert lines[1] == "    20 bytes originally requested"
    assert lines[4] == "        at tail+0: 0x00 *** OUCH"
    assert lines[-2] == "    Data at p: cd cd cd cd cd cd cd cd ... cd cd cd cd cd cd cd cd"
    assert lines[-1] == "Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte"


def test_2x_names_no_function_and_reports_the_serial_number():
    d = DebugAllocator("2.7")
    d.malloc(10)
    data = d.malloc(10)
    d.space.write(data - 3, b"\x00")
    with pytest.raises(DebugMemoryError) as info:
        d.free(data)
    assert str(info.value) == "Fatal Python error: bad leading pad byte"
    assert "The block was made by call #2 to debug malloc/realloc." in info.value.dump
    assert "        at p-3: 0x00 *** OUCH" in info.value.dump
    assert "Data at p: cb cb cb cb cb cb cb cb cb cb" in info.value.dump


@pytest.mark.parametrize("era", ["2.7", "3.12"])
def test_the_api_must_match(era):
    d = DebugAllocator(era)
    data = d.malloc(64, "m")
    before = state(d)
    with pytest.raises(DebugMemoryError, match="bad ID: Allocated using API 'm', "
                                               "verified using API 'o'"):
        d.free(data)
    assert state(d) == before
    d.free(data, "m")
    assert d.live_blocks() == {}


def test_raw_blocks_come_from_the_c_library():
    d = DebugAllocator("3.12")
    data = d.malloc(64, "r")
    assert not d.allocator.address_in_range(data)
    assert d.allocator.libc.owns(data - 16)
    d.free(data, "r")
    assert not d.allocator.libc.owns(data - 16)
    with pytest.raises(ValueError, match="api must be one of 'm', 'o'"):
        DebugAllocator("2.7").malloc(10, "r")


def test_a_double_free_is_caught_by_the_dead_id_byte():
    d = DebugAllocator("3.12")
    d.malloc(100)
    data = d.malloc(100)
    d.free(data)
    before = state(d)
    with pytest.raises(DebugMemoryError, match=r"API '\\xdd', verified using API 'o'"):
        d.free(data)
    assert state(d) == before
    # The size field now holds pymalloc's free-list link: the tail lies nowhere.
    assert "cannot be read" in d.dump_address(data)


def test_bad_calls_raise_clear_errors_and_change_nothing():
    d = DebugAllocator("3.12")
    data = d.malloc(50)
    before = state(d)
    with pytest.raises(TypeError, match="not float"):
        d.malloc(2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="size must be >= 0"):
        d.malloc(-1)
    with pytest.raises(TypeError, match="an address"):
        d.free("x")  # type: ignore[arg-type]
    with pytest.raises(SegmentationFault):
        d.free(0x1000)
    with pytest.raises(ValueError, match="api must be one of"):
        d.free(data, "x")
    assert state(d) == before
    d.free(0)                                   # free(NULL) does nothing
    assert state(d) == before


def test_a_forged_header_is_not_freed():
    d = DebugAllocator("3.12")
    data = d.malloc(200)
    # Forge a debug block inside the data: header, then pads around 8 bytes.
    fake = data + 32
    d.space.write(fake - 16, (8).to_bytes(8, "big") + b"o" + b"\xfd" * 7)
    d.space.write(fake + 8, b"\xfd" * 8)
    before = state(d)
    with pytest.raises(InvalidFree, match="not a block the debug allocator handed out"):
        d.free(fake)
    assert state(d) == before


def test_the_trace_says_what_each_call_did():
    d = DebugAllocator("3.12", trace=True)
    data = d.malloc(100)
    d.free(data)
    assert d.log[0].startswith(f"PyObject_Malloc(100) -> {data:#x}: pymalloc block")
    assert "124 bytes" in d.log[0]
    assert d.log[1].startswith(f"PyObject_Free({data:#x}): id and pads intact; 124 bytes dead")


def test_a_wrapped_allocator_must_be_of_the_profile_named():
    with pytest.raises(ValueError, match=r"3\.12 allocator, not 2\.7"):
        DebugAllocator("2.7", allocator=Allocator("3.12"))


def test_the_hexdump_and_the_drawing_show_a_clobbered_pad():
    d = DebugAllocator("3.12")
    data = d.malloc(40)
    assert "trailing pad: FORBIDDENBYTE" in d.hexdump(data)
    clean = d.block(data).to_dot()
    d.space.write(data + 40, b"\x00")
    dump = d.hexdump(data)
    assert dump.splitlines()[-1].split() == ["p", "+40", "00", *["fd"] * 7,
                                             "trailing", "pad:", "clobbered"]
    dirty = d.block(data).to_dot()
    assert dirty != clean
    assert dirty == d.block(data).to_dot()            # same state, same DOT
    assert "0x" not in dirty.split("{", 1)[1]         # no addresses in the nodes


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 600)), max_size=40))
def test_live_blocks_keep_their_decorations(ops):
    d = DebugAllocator("3.12")
    live: list[int] = []
    for allocate, n in ops:
        if allocate or not live:
            live.append(d.malloc(n))
        else:
            d.free(live.pop(n % len(live)))
    for data, n in d.live_blocks().items():
        d.check_address(data)                       # raises if a pad was hit
        assert set(d.space.read(data, n)) <= {0xCD}
    assert sorted(d.live_blocks()) == sorted(live)


def test_2_7_cannot_install_the_hooks_at_run_time():
    assert DebugWorld("2.7").debug is None
    assert DebugWorld("3.11").debug is not None
    assert run_model("2.7", "crimes", {"nbytes": 100})["overflow"] == {"status": "exit 0",
                                                                       "lines": []}


def test_a_real_overflow_report_matches_the_model():
    interp = real_interpreter("3.12")
    real = run_real(interp, "crimes", {"nbytes": 100})
    model = run_model("3.12", "crimes", {"nbytes": 100})
    assert real["overflow"]["status"] == "abort"
    assert real["overflow"]["lines"][-1] == ("Fatal Python error: _PyMem_DebugRawFree: "
                                             "bad trailing pad byte")
    assert model == real
