import re

import pytest

from pyinternals.diagrams import ObjectGraph


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = "x"


class Key:
    pass


def test_self_reference_is_one_node():
    loop = []
    loop.append(loop)
    g = ObjectGraph(loop=loop)
    assert [n.name for n in g.nodes] == ["o1"]
    assert [(e.tail, e.head, e.label) for e in g.edges] == [("loop", "o1", ""), ("o1", "o1", "[0]")]


def test_sets_are_drawn_in_repr_order_never_hash_order():
    words = {"pear", "apple", "fig", "kiwi"}
    g = ObjectGraph(s=words)
    assert [n.summary for n in g.nodes[1:]] == ["'apple'", "'fig'", "'kiwi'", "'pear'"]


def test_slots_and_non_scalar_keys():
    k = Key()
    g = ObjectGraph(d={k: Slotted()})
    labels = [e.label for e in g.edges]
    assert labels == ["", "key 0", "value 0", ".a"]


def test_max_nodes_truncates_and_says_so():
    g = ObjectGraph(max_nodes=3, xs=list(range(10, 20)))
    assert len(g.nodes) == 3
    assert g.truncated
    assert "stopped at 3 objects" in g.describe()
    assert "elided" in g.to_dot()


def test_no_addresses_leak_and_drawing_is_repeatable():
    def build():
        a = {"k": [1, 2.5, None, b"by"]}
        return ObjectGraph(a=a, b=a["k"]).to_dot()

    first = build()
    assert first == build()
    assert not re.search(r"0x[0-9a-f]{6,}", first)


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least one named object"):
        ObjectGraph()
    with pytest.raises(ValueError, match="max_nodes must be at least 1"):
        ObjectGraph(max_nodes=0, x=1)
