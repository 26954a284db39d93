"""Properties of the model under random programs (Hypothesis, stateful).

- Reference counts always equal the references from live objects, plus the outside
  references, plus `gc.garbage`'s.
- Nothing reachable from an outside reference is ever freed.
- After a full collection, every live object is reachable from an outside reference
  or from `gc.garbage`: no unreachable cycle survives, except those a legacy
  finalizer (2.x) keeps in `gc.garbage`.
"""

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from pyinternals import profiles
from pyinternals.memory.gc import Heap


def reachable(heap):
    """Every object reachable from an outside reference or from gc.garbage."""
    stack = [op for op in heap.objects() if op.roots] + heap.garbage
    seen = {id(op) for op in stack}
    while stack:
        for ref in stack.pop().referents:
            if id(ref) not in seen:
                seen.add(id(ref))
                stack.append(ref)
    return seen


class HeapMachine(RuleBasedStateMachine):
    objects = Bundle("objects")

    @initialize(version=st.sampled_from(profiles.KNOWN),
                thresholds=st.sampled_from([(700, 10, 10), (3, 2, 2), (5, 1, 1)]))
    def start(self, version, thresholds):
        self.heap = Heap(version)
        self.heap.set_threshold(*thresholds)
        self.calls = []
        self.created = []  # every object ever made, freed ones included

    @rule(target=objects, finalizer=st.sampled_from(["none", "del", "resurrect"]),
          kind=st.sampled_from(["instance", "instance", "list", "dict"]))
    def new(self, finalizer, kind):
        heap = self.heap
        behaviour = {"none": False, "del": lambda op: self.calls.append(op.name),
                     "resurrect": heap.root}[finalizer]
        if kind != "instance":
            behaviour = False
        op = heap.container(kind=kind, finalizer=behaviour)
        self.created.append(op)
        return op

    @rule(src=objects, dst=objects)
    def link(self, src, dst):
        if self.heap.alive(src) and self.heap.alive(dst) and src.ob_type.kind != "weakref":
            self.heap.link(src, dst)

    @rule(src=objects, data=st.data())
    def unlink(self, src, data):
        if self.heap.alive(src) and src.referents:
            self.heap.unlink(src, data.draw(st.sampled_from(src.referents)))

    @rule(obj=objects)
    def root(self, obj):
        if self.heap.alive(obj):
            self.heap.root(obj)

    @rule(obj=objects)
    def unroot(self, obj):
        if self.heap.alive(obj) and obj.roots:
            self.heap.unroot(obj)

    @rule(obj=objects)
    def drop(self, obj):
        """Every outside reference to `obj` goes (`del` of all its variables).

        (Counted first: a 2.x `__del__` that resurrects its object does it again at
        every last `del`.)
        """
        for _ in range(obj.roots if self.heap.alive(obj) else 0):
            if self.heap.alive(obj) and obj.roots:
                self.heap.unroot(obj)

    @rule(target=objects, size=st.integers(1, 4), kept=st.booleans(),
          finalizer=st.sampled_from(["none", "del", "resurrect"]))
    def ring(self, size, kept, finalizer):
        """A ring of `size` instances, the first one with a finalizer; maybe kept."""
        first = self.new(finalizer, "instance")
        ring = [first] + [self.heap.container() for _ in range(size - 1)]
        self.created += ring[1:]
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
            self.heap.link(a, b)
        for op in ring[1:] if kept else ring:
            self.heap.unroot(op)
        return first

    @rule(target=objects, obj=objects)
    def weakref(self, obj):
        if self.heap.alive(obj) and obj.ob_type.weakrefs:
            wr = self.heap.weakref(obj, lambda wr: self.calls.append(wr.name))
            self.created.append(wr)
            return wr
        return obj

    @rule(generation=st.integers(0, 2))
    def collect(self, generation):
        self.heap.collect(generation)
        if generation == 2:
            seen = reachable(self.heap)
            survivors = [op.name for op in self.heap.objects() if id(op) not in seen]
            assert survivors == [], f"unreachable after a full collection: {survivors}\n" \
                + self.heap.describe()

    @invariant()
    def counts_add_up(self):
        if hasattr(self, "heap"):
            self.heap.check()

    @invariant()
    def nothing_reachable_is_freed(self):
        """Walked over every object ever made, not only the heap's live ones: a freed
        object still held from outside, or referenced from one so held, is a failure."""
        if hasattr(self, "heap"):
            stack = [op for op in self.created if op.roots] + list(self.heap.garbage)
            seen = {id(op) for op in stack}
            while stack:
                op = stack.pop()
                assert op.alive, f"{op.name} is reachable from an outside reference but freed"
                for ref in op.referents:
                    if id(ref) not in seen:
                        seen.add(id(ref))
                        stack.append(ref)


HeapMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30,
                                         deadline=None)
TestHeapProperties = HeapMachine.TestCase
