import pytest

from pyinternals.diagrams import render_svg
from pyinternals.memory import Allocator
from pyinternals.memory.obmalloc.drawing import describe_pointer


def plain(dot):
    """DOT text with the record-label escapes of spaces removed."""
    return dot.replace("\\ ", " ")


def busy(era="3.12"):
    a = Allocator(era)
    blocks = [a.malloc(100) for _ in range(8)] + [a.malloc(500) for _ in range(3)]
    for i in (1, 3, 4):
        a.free(blocks[i])
    return a, blocks


def test_the_same_state_draws_the_same_dot():
    (a, blocks), (b, _) = busy(), busy()
    assert a.to_dot() == b.to_dot()
    assert a.pool(blocks[0]).to_dot() == b.pool(blocks[0]).to_dot()
    assert a.arenas()[0].to_dot() == b.arenas()[0].to_dot()
    assert a.usedpools_view().to_dot() == b.usedpools_view().to_dot()


def test_a_pool_drawing_shows_header_free_list_and_virgin_blocks():
    a, blocks = busy()
    dot = plain(a.pool(blocks[0]).to_dot())
    assert "+8   freeblock = +0x1f0" in dot          # the last freed block, blocks[4]
    assert '"header":"freeblock" -> "b1f0"' in dot
    assert '"b1f0":"e" -> "b180":"e"' in dot           # then blocks[3], then blocks[1]
    assert '"b180":"e" -> "b0a0":"e"' in dot
    assert "virgin blocks" in dot
    assert "too few for a block" in dot


def test_usedpools_drawing_shows_the_fake_headers():
    a, _ = busy()
    dot = plain(a.usedpools_view().to_dot())
    assert "[12] = pool 0x" in dot
    assert "(nextpool of class 6)" in dot
    assert "back to the header (&usedpools[12] - 16)" in dot
    empty = a.usedpools_view().to_dot(classes=[5])
    assert "class 5: empty, points to its own header" in empty
    with pytest.raises(IndexError, match="0 to 31"):
        a.usedpools_view().to_dot(classes=[40])


def test_arena_and_list_drawings_name_what_they_show():
    a, _ = busy("2.7")
    assert "64 pools" in plain(a.arenas()[0].to_dot())
    assert "usable_arenas" in a.to_dot()
    assert "... 12 more" in a.to_dot()
    b, _ = busy("3.12")
    assert "nfp2lasta[61]" in b.to_dot()


def test_pointers_are_described_in_the_readers_terms():
    a, blocks = busy()
    pool = a.pool(blocks[0]).address
    assert describe_pointer(a, 0) == "NULL"
    assert describe_pointer(a, pool + 0x40, pool) == "+0x040"
    assert describe_pointer(a, a.PTA(6)) == "usedpools header of class 6"
    assert describe_pointer(a, pool) == f"pool {pool:#x}"


def test_every_drawing_renders():
    a, blocks = busy()
    for obj in (a, a.pool(blocks[0]), a.arenas()[0], a.usedpools_view()):
        assert render_svg(obj.to_dot()).lstrip().startswith("<svg")
