import pytest

from pyinternals.diagrams.dot import Digraph, Field, Raw, Record, escape, escape_record, left_lines


def test_escaping_keeps_labels_literal():
    assert escape('a\\b "q"\nline') == 'a\\\\b "q"\\nline'
    assert escape_record("{x|y} <p>") == "\\{x\\|y\\}\\ \\<p\\>"


def test_quotes_inside_labels_are_escaped_once():
    g = Digraph()
    g.node("n", label='say "hi"')
    assert '"n" [label="say \\"hi\\""]' in g.source()


def test_records_nest_and_carry_ports():
    label = Record([Field("pool_header", "h"), Record(["count", Field("3", "c")]), "a|b"])
    assert label.render() == "<h> pool_header|{count|<c> 3}|a\\|b"
    g = Digraph()
    g.node("p", label=label)
    assert 'shape="record"' in g.source()


def test_edges_with_ports():
    g = Digraph()
    g.edge("pool", "block", tailport="freeblock", headport="w")
    assert '"pool":"freeblock" -> "block":"w"' in g.source()


def test_a_node_name_is_used_once():
    g = Digraph()
    g.node("a")
    with pytest.raises(ValueError, match="already in the graph"):
        g.node("a")


def test_clusters_and_ranks_nest():
    g = Digraph()
    with g.cluster("gen0", label="generation 0"):
        g.node("a")
    g.same_rank("a", "b")
    text = g.source()
    assert 'subgraph "cluster_gen0" {' in text
    assert '{rank=same; "a"; "b";}' in text


def test_raw_and_left_lines():
    assert left_lines("one", "two").text == "one\\ltwo\\l"
    g = Digraph()
    g.node("n", label=Raw("x\\l"))
    assert 'label="x\\l"' in g.source()


def test_same_calls_give_the_same_text():
    def build():
        g = Digraph("d", graph={"rankdir": "LR"})
        for i in range(5):
            g.node(f"n{i}", label=f"node {i}", width=0.5)
            if i:
                g.edge(f"n{i-1}", f"n{i}")
        return g.source()

    assert build() == build()
