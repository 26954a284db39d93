import pytest

from pyinternals.memory.obmalloc.libc import SystemAllocator, request2size
from pyinternals.memory.obmalloc.space import (
    MMAP_TOP,
    PAGE_SIZE,
    AddressSpace,
    InvalidFree,
    SegmentationFault,
)


def test_mmap_goes_down_from_the_top_and_reuses_holes():
    space = AddressSpace()
    a = space.mmap(PAGE_SIZE)
    b = space.mmap(3 * PAGE_SIZE)
    assert a == MMAP_TOP - PAGE_SIZE
    assert b == a - 3 * PAGE_SIZE
    space.munmap(a, PAGE_SIZE)
    assert space.mmap(100) == a          # page-rounded, the hole at the top again


def test_words_bytes_and_uints_are_one_little_endian_memory():
    space = AddressSpace()
    a = space.mmap(PAGE_SIZE)
    space.write(a + 5, b"\x01\x02\x03\x04\x05\x06")
    assert space.read(a, 16).hex() == "0000000000" + "010203040506" + "0000000000"
    assert space.read_word(a) == 0x0302010000000000
    space.write_uint(a + 12, 0xAABBCCDD)
    assert space.read_uint(a + 12) == 0xAABBCCDD
    assert space.read_word(a + 8) == 0xAABBCCDD_00060504
    assert space.read(a + 4095, 1) == b"\x00"


def test_untouched_memory_reads_as_zero_and_costs_no_page():
    space = AddressSpace()
    a = space.mmap(16 * PAGE_SIZE)
    assert space.read_word(a + 5 * PAGE_SIZE) == 0
    assert space.resident_pages() == 0
    space.write_word(a + 5 * PAGE_SIZE, 7)
    assert space.resident_pages() == 1


def test_a_page_gets_a_frame_of_512_words_on_its_first_write():
    space = AddressSpace()
    a = space.mmap(2 * PAGE_SIZE)
    space.write_word(a + PAGE_SIZE + 16, 7)
    assert list(space.frames) == [a + PAGE_SIZE]
    frame = space.frames[a + PAGE_SIZE]
    assert len(frame) == 512
    assert frame[2] == 7
    assert space.peek_word(a + PAGE_SIZE + 16) == 7
    assert space.peek_word(a + 16) == 0                  # reading makes no frame
    assert list(space.frames) == [a + PAGE_SIZE]
    space.munmap(a, 2 * PAGE_SIZE)
    assert space.frames == {}


@pytest.mark.parametrize("address", [0, 0x1000, MMAP_TOP + 0x1000, -8])
def test_access_outside_a_mapping_is_a_segmentation_fault(address):
    space = AddressSpace()
    space.mmap(PAGE_SIZE)
    with pytest.raises(SegmentationFault, match="not mapped"):
        space.read_word(address)
    with pytest.raises(SegmentationFault):
        space.write(address, b"x")


def test_a_read_across_the_end_of_a_mapping_faults():
    space = AddressSpace()
    a = space.mmap(PAGE_SIZE)
    with pytest.raises(SegmentationFault, match=f"read of 16 bytes at {a + PAGE_SIZE - 8:#x}"):
        space.read(a + PAGE_SIZE - 8, 16)


def test_munmap_forgets_the_bytes():
    space = AddressSpace()
    a = space.mmap(PAGE_SIZE)
    space.write_word(a, 42)
    space.munmap(a, PAGE_SIZE)
    with pytest.raises(SegmentationFault):
        space.read_word(a)
    assert space.mmap(PAGE_SIZE) == a
    assert space.read_word(a) == 0        # a new mapping is zero-filled


def test_the_limit_makes_mmap_and_brk_fail_as_the_kernel_does():
    space = AddressSpace(limit=3 * PAGE_SIZE)
    assert space.mmap(2 * PAGE_SIZE) != 0
    assert space.mmap(2 * PAGE_SIZE) == 0
    assert space.brk(PAGE_SIZE) != 0
    assert space.brk(PAGE_SIZE) == 0
    with pytest.raises(ValueError, match="limit"):
        AddressSpace(limit=-1)


def test_libc_chunks_carry_their_size_below_the_address():
    space = AddressSpace()
    libc = SystemAllocator(space)
    p = libc.malloc(100)
    assert p % 16 == 0
    assert space.read_word(p - 8) == request2size(100) | 1     # size | PREV_INUSE
    assert libc.usable_size(p) >= 100


def test_libc_reuses_the_last_freed_chunk_of_a_size_and_maps_big_ones():
    space = AddressSpace()
    libc = SystemAllocator(space)
    a, b = libc.malloc(600), libc.malloc(600)
    libc.free(a)
    libc.free(b)
    assert libc.malloc(600) == b
    big = libc.malloc(200_000)
    assert space.mapping_at(big).kind == "mmap"
    libc.free(big)
    assert space.mapping_at(big) is None


def test_libc_realloc_grows_by_moving_and_keeps_the_bytes():
    space = AddressSpace()
    libc = SystemAllocator(space)
    p = libc.malloc(40)
    space.write(p, b"abcdefgh")
    assert libc.realloc(p, 20) == p
    q = libc.realloc(p, 5000)
    assert q != p
    assert space.read(q, 8) == b"abcdefgh"
    with pytest.raises(InvalidFree, match="invalid pointer"):
        libc.free(p)
    libc.free(q)
