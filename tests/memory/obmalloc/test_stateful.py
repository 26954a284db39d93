"""Hypothesis drives each era's allocator with random calls; invariants hold throughout."""

import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from pyinternals.memory import Allocator
from pyinternals.memory.obmalloc.arenas import SortedByFingers
from pyinternals.memory.obmalloc.space import InvalidFree

from .test_allocator import snapshot

SIZES = st.one_of(st.integers(1, 512), st.sampled_from([0, 513, 3000]),
                  st.integers(1, 64))


class AllocatorMachine(RuleBasedStateMachine):
    era = "3.12"

    def __init__(self):
        super().__init__()
        # A small address-space limit makes exhaustion part of the game too.
        self.a = Allocator(self.era, limit=6 * Allocator(self.era).profile.ARENA_SIZE)

    # -- Calls -------------------------------------------------------------------------

    @rule(nbytes=SIZES, count=st.integers(1, 30))
    def malloc(self, nbytes, count):
        for _ in range(count):
            self.a.malloc(nbytes)

    @precondition(lambda self: self.a.live_blocks())
    @rule(data=st.data(), fraction=st.floats(0.1, 1.0))
    def free_some(self, data, fraction):
        live = sorted(self.a.live_blocks())
        chosen = data.draw(st.permutations(live))[: max(1, int(len(live) * fraction))]
        for p in chosen:
            self.a.free(p)

    @precondition(lambda self: self.a.live_blocks())
    @rule(data=st.data(), nbytes=SIZES)
    def realloc(self, data, nbytes):
        p = data.draw(st.sampled_from(sorted(self.a.live_blocks())))
        self.a.realloc(p, nbytes)

    @rule(data=st.data())
    def rejected_call(self, data):
        a = self.a
        live = sorted(a.live_blocks())
        candidates = [0x10, -8, 3.5]
        if live:
            p = data.draw(st.sampled_from(live))
            candidates += [p + 8, p + 1]
        freed = [b for pool in a.carved_pools() if pool.state != "free"
                 for b in pool.free_list()[:2]]
        candidates += freed
        candidates = [c for c in candidates if c not in a.live_blocks()]
        bad = data.draw(st.sampled_from(candidates))
        before = snapshot(a)
        with pytest.raises((InvalidFree, TypeError)):
            a.free(bad)
        with pytest.raises((InvalidFree, TypeError)):
            a.realloc(bad, 10)
        with pytest.raises((ValueError, TypeError)):
            a.malloc(data.draw(st.sampled_from([-1, 2.0, "8", None])))
        assert snapshot(a) == before

    # -- Invariants --------------------------------------------------------------------

    @invariant()
    def no_two_live_blocks_overlap_and_all_are_aligned(self):
        a = self.a
        spans = []
        for p in a.live_blocks():
            if a.address_in_range(p):
                assert p % a.profile.ALIGNMENT == 0
                size = a.pool(p).block_size
                assert (p - a.pool(p).address - a.profile.POOL_OVERHEAD) % size == 0
            else:
                assert p % 16 == 0
                size = a.libc.usable_size(p)
            spans.append((p, p + size))
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start

    @invariant()
    def every_pool_count_agrees_with_a_recount(self):
        a = self.a
        live = a.live_blocks()
        by_pool = {}
        for p in live:
            if a.address_in_range(p):
                by_pool[a.pool(p).address] = by_pool.get(a.pool(p).address, 0) + 1
        for pool in a.carved_pools():
            assert pool.count == by_pool.get(pool.address, 0), pool
            if pool.state != "free":
                carved = min(pool.numblocks, (pool.nextoffset - a.profile.POOL_OVERHEAD)
                             // pool.block_size)
                assert pool.count + len(pool.free_list()) == carved, pool
        assert a.allocated_blocks() == len(live)

    @invariant()
    def empty_arenas_are_released_and_usable_arenas_stay_sorted(self):
        a = self.a
        mgmt = a.mgmt
        usable = list(mgmt.walk(mgmt.usable_arenas))
        counts = [a.arena(mgmt.index_of(ao)).nfreepools for ao in usable]
        assert counts == sorted(counts)
        empty = [arena for arena in a.arenas() if arena.nfreepools == arena.ntotalpools]
        if a.profile.keep_free_arena:
            assert len(empty) <= 1
            if empty:
                assert usable[-1] == empty[0].ao     # the kept one is the last usable
        else:
            assert empty == []
        if isinstance(mgmt, SortedByFingers):
            for nf, ao in enumerate(mgmt.nfp2lasta):
                expected = [x for x, c in zip(usable, counts, strict=True) if c == nf]
                assert ao == (expected[-1] if expected else 0)


def machine_for(era):
    return type(f"Machine_{era.replace('.', '_')}", (AllocatorMachine,), {"era": era})


CONFIG = settings(max_examples=20, stateful_step_count=25, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TestBook = CONFIG(machine_for("book")).TestCase
Test27 = CONFIG(machine_for("2.7")).TestCase
Test312 = CONFIG(machine_for("3.12")).TestCase
