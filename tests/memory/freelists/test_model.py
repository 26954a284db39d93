"""The free-list model: caches, bounds, links in memory, trace, bad input."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyinternals import profiles
from pyinternals.memory.freelists import FreeLists
from pyinternals.memory.freelists.fidelity import block_stride, reuse, strides

ERAS = ["2.7", "3.11", "3.12", "3.13"]


@pytest.mark.parametrize("era", ERAS)
def test_small_ints_are_shared_and_never_freed(era):
    fl = FreeLists(era)
    assert fl.new_int(-5) == fl.new_int(-5)
    assert fl.new_int(256) == fl.new_int(256)
    assert fl.new_int(257) != fl.new_int(257)
    assert fl.new_int(-6) != fl.new_int(-6)
    five = fl.new_int(5)
    fl.dealloc(five)
    assert fl.new_int(5) == five
    assert five in fl.objects


def test_27_small_ints_come_from_the_int_blocks():
    fl = FreeLists("2.7")
    blocks = 262 // 41 + 1
    assert len(fl.space.mappings()) >= 1
    block = fl.block_list["int"]
    chain = []
    while block:
        chain.append(block)
        block = fl.space.read_word(block)
    assert len(chain) == blocks
    # the first small int, -5, is the last object of the first block
    assert fl.small_ints[-5] == chain[-1] + 8 + 40 * 24


@pytest.mark.parametrize("era", ERAS)
def test_dead_floats_and_tuples_come_back_last_freed_first(era):
    assert reuse(era, "float", 10, "float", 10) == list(range(9, -1, -1))
    assert reuse(era, "tuple:3", 10, "tuple:3", 10) == list(range(9, -1, -1))
    assert reuse(era, "tuple:3", 10, "tuple:2", 10) == [-1] * 10


@pytest.mark.parametrize("era", ERAS)
def test_the_free_list_is_threaded_through_the_dead_objects(era):
    fl = FreeLists(era)
    xs = [fl.new_float() for _ in range(4)]
    for x in xs:
        fl.dealloc(x)
    # 2.7's list goes on into the rest of the block, never handed out yet
    assert fl.chain("float")[:4] == xs[::-1]
    link = 8
    assert [fl.space.read_word(x + link) for x in xs[::-1][:-1]] == xs[::-1][1:]


@pytest.mark.parametrize("era", ["3.11", "3.12", "3.13"])
def test_3x_keeps_at_most_100_floats_and_frees_the_rest(era):
    fl = FreeLists(era)
    xs = [fl.new_float() for _ in range(150)]
    live = fl.allocator.allocated_blocks()
    for x in xs:
        fl.dealloc(x)
    assert fl.numfree["float"] == 100 == len(fl.chain("float"))
    assert fl.allocator.allocated_blocks() == live - 50
    assert reuse(era, "float", 150, "int", 150).count(-1) == 100


def test_27_keeps_every_float_and_int_for_ever():
    fl = FreeLists("2.7")
    before = fl.allocator.allocated_blocks()
    xs = [fl.new_float() for _ in range(500)] + [fl.new_int(10**6 + i) for i in range(500)]
    after = fl.allocator.allocated_blocks()
    for x in xs:
        fl.dealloc(x)
    assert fl.allocator.allocated_blocks() == after > before
    assert reuse("2.7", "int", 300, "float", 300) == [-1] * 300


@pytest.mark.parametrize("era", ERAS)
def test_tuple_bound_and_lengths_not_kept(era):
    p = profiles.freelists.get(era)
    fl = FreeLists(era)
    ts = [fl.new_tuple(4) for _ in range(p.PyTuple_MAXFREELIST + 5)]
    for t in ts:
        fl.dealloc(t)
    assert fl.tuple_numfree[4] == p.PyTuple_MAXFREELIST
    big = fl.new_tuple(p.PyTuple_MAXSAVESIZE)
    fl.dealloc(big)
    assert fl.tuple_numfree == [0, 0, 0, 0, p.PyTuple_MAXFREELIST] + [0] * 15


def test_27_blocks_hand_out_objects_from_the_last_to_the_first():
    assert block_stride(strides("2.7", "float", 200)) == {"step": -24, "objects per run": 41}
    assert block_stride(strides("3.12", "float", 600)) == {"step": 32, "objects per run": 510}


def test_trace_shows_each_path():
    fl = FreeLists("3.12", trace=True)
    x = fl.new_float()
    fl.dealloc(x)
    fl.new_float()
    fl.dealloc(fl.new_int(7))
    assert [e.steps for e in fl.log] == [
        ("PyObject_Malloc(24)",), ("free_list (numfree 1)",), ("free_list (numfree 0)",),
        ("small int",), ("small int: never deallocated",)]
    assert str(fl.log).splitlines()[0].startswith("new float")


def test_bad_input_is_refused_with_state_unchanged():
    fl = FreeLists("3.12")
    x = fl.new_float()
    fl.dealloc(x)
    state = (dict(fl.objects), fl.chain("float"), fl.allocator.allocated_blocks())
    with pytest.raises(ValueError, match="no live object"):
        fl.dealloc(x)
    with pytest.raises(ValueError, match="tuple length"):
        fl.new_tuple(-1)
    with pytest.raises(TypeError, match="int value"):
        fl.new_int(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no free list"):
        fl.chain("dict")
    assert state == (dict(fl.objects), fl.chain("float"), fl.allocator.allocated_blocks())


def test_diagram_is_deterministic():
    def build() -> str:
        fl = FreeLists("3.12")
        for x in [fl.new_float() for _ in range(9)] + [fl.new_tuple(3) for _ in range(2)]:
            fl.dealloc(x)
        return fl.to_dot()

    dot = build()
    assert dot == build()
    assert "3 more" in dot
    assert "ob_item[0]" in dot


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(ERAS),
       st.lists(st.tuples(st.sampled_from(["float", "int", "tuple:1", "tuple:3"]),
                          st.booleans()), max_size=60))
def test_live_objects_never_share_an_address(era, ops):
    fl = FreeLists(era)
    live: list[int] = []
    for i, (kind, free) in enumerate(ops):
        if free and live:
            fl.dealloc(live.pop(i % len(live)))
            continue
        if kind == "float":
            live.append(fl.new_float())
        elif kind == "int":
            live.append(fl.new_int(1000 + i))
        else:
            live.append(fl.new_tuple(int(kind[6:])))
        assert len(set(live)) == len(live)
        assert all(a not in fl.chain("float") for a in live)


def test_an_unknown_version_names_the_known_ones():
    with pytest.raises(profiles.UnknownProfile, match=r"'2\.7', '3\.11'"):
        FreeLists("3.10")
