import pytest

from pyinternals import profiles
from pyinternals.memory import Allocator
from pyinternals.memory.obmalloc.space import InvalidFree, SegmentationFault

ERAS = ["book", "2.7", "3.12"]


def snapshot(a):
    """Everything a call may change, to check that a rejected call changed nothing."""
    m = a.mgmt
    memory = {page: list(frame) for page, frame in a.space.frames.items()}
    return (memory, a.space.mappings(), a.live_blocks(), a.raw_allocated_blocks,
            m.arenas, m.maxarenas, m.unused_arena_objects, m.usable_arenas,
            m.narenas_currently_allocated, m.ntimes_arena_allocated,
            list(getattr(m, "nfp2lasta", [])), dict(a.libc._chunks),
            {k: list(v) for k, v in a.libc._bins.items()})


@pytest.mark.parametrize("era", ERAS)
def test_requests_round_up_to_their_class(era):
    a = Allocator(era)
    p = a.profile
    for nbytes in (1, p.ALIGNMENT, p.ALIGNMENT + 1, 200, 511, 512):
        block = a.malloc(nbytes)
        pool = a.pool(block)
        assert pool.szidx == (nbytes - 1) // p.ALIGNMENT
        assert pool.block_size >= nbytes > pool.block_size - p.ALIGNMENT
        assert block % p.ALIGNMENT == 0


@pytest.mark.parametrize("era", ERAS)
def test_a_fresh_pool_hands_out_blocks_after_its_header(era):
    a = Allocator(era)
    blocks = [a.malloc(200) for _ in range(3)]
    pool = a.pool(blocks[0])
    assert blocks[0] - pool.address == a.profile.POOL_OVERHEAD == 48
    assert blocks[1] - blocks[0] == blocks[2] - blocks[1] == pool.block_size
    assert pool.count == 3
    assert pool.nextoffset == 48 + 4 * pool.block_size        # one virgin block is queued
    assert pool.maxnextoffset == a.profile.POOL_SIZE - pool.block_size


@pytest.mark.parametrize("era", ERAS)
def test_last_freed_first_reused_and_full_pools_go_to_the_front(era):
    a = Allocator(era)
    nb = a.profile.NUMBLOCKS(a.profile.size_class(300))
    P = [a.malloc(300) for _ in range(nb)]
    Q = [a.malloc(300) for _ in range(nb)]
    assert a.pool(P[0]).state == "full"
    assert a.pool(Q[0]).state == "full"
    for block in (P[3], P[1], P[5]):
        a.free(block)
    assert [a.malloc(300) for _ in range(3)] == [P[5], P[1], P[3]]
    for block in (P[1], Q[1], P[2]):
        a.free(block)
    assert [a.malloc(300) for _ in range(3)] == [Q[1], P[2], P[1]]


@pytest.mark.parametrize("era", ERAS)
def test_an_empty_pool_leaves_usedpools_for_its_arenas_freepools(era):
    a = Allocator(era)
    nb = a.profile.NUMBLOCKS(a.profile.size_class(300))
    keep = a.malloc(8)                      # another class keeps the arena alive
    P = [a.malloc(300) for _ in range(nb)]
    Q = [a.malloc(300) for _ in range(2)]
    a.free(P[0])
    assert [pool.address for pool in a.used_pools(a.profile.size_class(300))] == \
        [a.pool(P[0]).address, a.pool(Q[0]).address]
    for block in P[1:]:
        a.free(block)
    assert a.pool(P[0]).state == "free"
    assert a.malloc(300) == Q[1] + (Q[1] - Q[0])   # Q serves, not the empty P
    arena = a.arena(a.pool(P[0]).arenaindex)
    assert a.pool(P[0]) in arena.free_pools()
    assert a.malloc(8) != keep


def test_arenas_come_back_in_2x_and_the_last_one_stays_in_3x():
    for era, kept in (("2.7", 0), ("3.12", 1)):
        a = Allocator(era)
        blocks = [a.malloc(512) for _ in range(3 * a.profile.ARENA_SIZE // 512)]
        assert a.mgmt.narenas_currently_allocated >= 3
        for block in blocks:
            a.free(block)
        assert a.mgmt.narenas_currently_allocated == kept, era
        assert a.allocated_blocks() == 0


def test_usedpools_fake_headers_overlap_the_array():
    a = Allocator("3.12")
    head = a.PTA(6)
    assert head == a.usedpools + 16 * 6 - 16
    # Empty: the header's nextpool and prevpool (16 and 24 bytes in) point to itself.
    assert a.space.read_word(head + 16) == a.space.read_word(head + 24) == head
    p = a.malloc(100)
    pool = a.pool(p)
    assert a.space.read_word(a.usedpools + 8 * 12) == pool.address   # usedpools[6+6]
    assert pool.nextpool == pool.prevpool == head
    assert a.usedpools_view().is_empty(5)
    assert not a.usedpools_view().is_empty(6)


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("nbytes", [0, 513, 4096, 300_000])
def test_zero_and_large_requests_go_to_the_system(era, nbytes):
    a = Allocator(era)
    p = a.malloc(nbytes)
    assert not a.address_in_range(p)
    assert a.space.mapping_at(p).kind == ("mmap" if nbytes >= 128 * 1024 else "heap")
    assert a.raw_allocated_blocks == 1 == a.allocated_blocks()
    a.free(p)
    assert a.raw_allocated_blocks == 0


def test_2x_reads_a_trash_arenaindex_and_still_says_no():
    a = Allocator("2.7")
    a.malloc(16)                          # one arena, index 0
    p = a.malloc(5000)                    # a system block; its page holds anything
    a.space.write_uint((p & ~4095) + 32, 0)   # "arenaindex" 0: a real arena's index
    assert not a.address_in_range(p)      # but p is not inside arena 0
    a.free(p)


def test_the_radix_tree_and_its_leaf_index_agree():
    a = Allocator("3.13")
    blocks = [a.malloc(64) for _ in range(20000)]
    tree = a.arena_map
    bases = [arena.address for arena in a.arenas()]
    assert len(bases) == 2
    low, high = min(bases), max(bases) + a.profile.ARENA_SIZE
    probes = [blocks[0], blocks[-1], low, high - 1,          # inside: ours
              low - 16, high, a.usedpools, a.malloc(1000)]   # outside
    assert [tree.arena_map_is_used(p) for p in probes] == [tree.is_used(p) for p in probes]
    assert [tree.is_used(p) for p in probes] == [True] * 4 + [False] * 4


@pytest.mark.parametrize("era", ERAS)
def test_realloc_stays_within_the_class_and_moves_otherwise(era):
    a = Allocator(era)
    p = a.malloc(300)
    a.space.write(p, b"payload!")
    size = a.pool(p).block_size
    assert a.realloc(p, size) == p
    assert a.realloc(p, size * 3 // 4 + 1) == p           # shrinking by less than 1/4
    q = a.realloc(p, size // 2)                           # by more: moves
    assert q != p
    assert a.space.read(q, 8) == b"payload!"
    r = a.realloc(q, 1000)                                # to the system
    assert not a.address_in_range(r)
    assert a.space.read(r, 8) == b"payload!"
    s = a.realloc(r, 2000)
    assert a.space.read(s, 8) == b"payload!"
    assert a.realloc(0, 10) != 0
    assert len(a.live_blocks()) == 2


@pytest.mark.parametrize("era", ERAS)
def test_bad_calls_say_what_was_wrong_and_change_nothing(era):
    a = Allocator(era)
    blocks = [a.malloc(200) for _ in range(5)]
    big = a.malloc(2000)
    a.free(blocks[1])
    size = a.pool(blocks[0]).block_size
    before = snapshot(a)
    cases = [
        (lambda: a.free(blocks[1]), InvalidFree, "double free"),
        (lambda: a.free(blocks[2] + 8), InvalidFree, "interior pointer: it lies 8 bytes inside"),
        (lambda: a.free(blocks[4] + 10 * size), InvalidFree, "never handed out"),
        (lambda: a.free(a.pool(blocks[0]).address), InvalidFree, "header of pool"),
        (lambda: a.free(0x1234), InvalidFree, "not mapped"),
        (lambda: a.free(big + 16), InvalidFree, "inside the system block"),
        (lambda: a.free(a.mgmt.arenas), InvalidFree, "did not hand out"),
        (lambda: a.free(-16), InvalidFree, "never negative"),
        (lambda: a.free("0x10"), TypeError, "an address"),
        (lambda: a.malloc(-1), ValueError, ">= 0"),
        (lambda: a.malloc(2.5), TypeError, "must be an int, not float"),
        (lambda: a.malloc(True), TypeError, "not bool"),
        (lambda: a.realloc(blocks[1], 10), InvalidFree, "double free"),
        (lambda: a.realloc(blocks[0], -5), ValueError, ">= 0"),
        (lambda: a.space.read(0x10, 8), SegmentationFault, "not mapped"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()
        assert snapshot(a) == before, message


def test_running_out_of_address_space_is_malloc_returning_null():
    a = Allocator("3.12", limit=2 * 1024 * 1024)
    got = [a.malloc(512) for _ in range(5000)]
    assert 0 in got
    first_null = got.index(0)
    assert all(g == 0 for g in got[first_null:])
    assert a.mgmt.narenas_currently_allocated == 1      # the second arena did not fit
    # Once the arena is full, small requests fell back on malloc until it ran out too.
    assert any(not a.address_in_range(g) for g in got[:first_null])
    for g in got[:first_null]:
        a.free(g)
    assert a.malloc(512) != 0                           # memory came back


def test_an_unknown_version_names_the_known_ones():
    with pytest.raises(profiles.UnknownProfile, match=r"'2\.6'.*'book', '2\.7', '3\.11'"):
        Allocator("2.6")


def test_the_trace_names_each_path():
    a = Allocator("3.12", trace=True)
    nb = a.profile.NUMBLOCKS(a.profile.size_class(512))
    blocks = [a.malloc(512) for _ in range(nb)]
    a.free(blocks[0])
    a.malloc(0)
    paths = a.log.paths()
    assert paths[0] == ("new arena", "new pool", "init")
    assert paths[1] == ("freeblock", "virgin")
    assert paths[nb - 1] == ("freeblock", "full")
    assert paths[nb] == ("freeblock", "was full: front of usedpools")
    assert paths[-1] == ("system",)
    assert str(a.log).splitlines()[0] == (
        f"malloc(512)   -> {blocks[0]:#x}  class 31 in pool {blocks[0] - 48:#x}: "
        "new arena, new pool, init")
    a.trace = False
    a.malloc(8)
    assert len(a.log) == nb + 2


def test_statistics_account_for_every_byte_of_every_arena():
    for era in ERAS:
        a = Allocator(era)
        blocks = [a.malloc(n) for n in range(1, 513) for _ in range(3)]
        for block in blocks[::2]:
            a.free(block)
        stats = a.stats()
        assert stats.total == stats.arenas_current * a.profile.ARENA_SIZE
        assert sum(r.blocks_in_use for r in stats.rows) == len(a.live_blocks())
        text = a.debugmallocstats()
        assert text.startswith(f"Small block threshold = 512, in "
                               f"{a.profile.NB_SMALL_SIZE_CLASSES} size classes.\n")
        assert ("arena map counts" in text) == (a.profile.address_check == "radix")


@pytest.mark.parametrize("era", ERAS)
def test_a_pool_header_is_the_start_of_its_page_frame(era):
    a = Allocator(era)
    blocks = [a.malloc(100) for _ in range(3)]
    a.free(blocks[1])
    pool = a.pool(blocks[0])
    header = a.space.frames[pool.address]
    assert header[:4] == [pool.count, pool.freeblock, pool.nextpool, pool.prevpool]
    assert header[4] == pool.arenaindex | pool.szidx << 32
    assert header[5] == pool.nextoffset | pool.maxnextoffset << 32
