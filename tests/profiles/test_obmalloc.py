import pytest

from pyinternals import profiles


def test_the_pinned_profiles_and_their_constants():
    got = {name: (p.ALIGNMENT, p.NB_SMALL_SIZE_CLASSES, p.POOL_SIZE, p.ARENA_SIZE,
                  p.POOL_OVERHEAD, p.SMALL_REQUEST_THRESHOLD)
           for name, p in profiles.obmalloc.PROFILES.items()}
    assert got == {
        "book": (8, 64, 4096, 262144, 48, 512),
        "2.7": (16, 32, 4096, 262144, 48, 512),
        "3.11": (16, 32, 16384, 1048576, 48, 512),
        "3.12": (16, 32, 16384, 1048576, 48, 512),
        "3.13": (16, 32, 16384, 1048576, 48, 512),
    }


def test_the_default_is_the_running_version_and_unknown_ones_are_named():
    assert profiles.obmalloc.get() is profiles.obmalloc.get(profiles.running())
    with pytest.raises(profiles.UnknownProfile, match=r"'book', '2\.7', '3\.11', '3\.12', '3\.13'"):
        profiles.obmalloc.get("3.4")


def test_size_classes_and_blocks_per_pool():
    p = profiles.obmalloc.get("book")
    assert [p.size_class(n) for n in (1, 8, 9, 28, 512)] == [0, 0, 1, 3, 63]
    assert p.INDEX2SIZE(3) == 32                       # the notes: 28 bytes -> 32, class 3
    q = profiles.obmalloc.get("3.11")
    assert q.NUMBLOCKS(q.size_class(200)) == (16384 - 48) // 208
    with pytest.raises(ValueError, match="1 to 512"):
        q.size_class(0)
    with pytest.raises(ValueError, match="not a small request"):
        q.size_class(513)


def test_the_eras_differ_as_data():
    old, new = profiles.obmalloc.get("2.7"), profiles.obmalloc.get("3.13")
    assert (old.address_check, old.usable_arenas_order, old.keep_free_arena) == \
        ("arenaindex", "search", False)
    assert (new.address_check, new.usable_arenas_order, new.keep_free_arena) == \
        ("radix", "nfp2lasta", True)
