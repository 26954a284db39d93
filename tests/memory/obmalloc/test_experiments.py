from pyinternals import profiles
from pyinternals.memory import Allocator
from pyinternals.memory.obmalloc import experiments as X


def test_the_model_runs_the_probes_experiments():
    layout = X.run_model("2.7", "layout", {"sizes": [97, 512]})
    assert [(g["stride"], g["blocks"], g["pool_size"], g["first_offset"]) for g in layout] == \
        [(112, 36, 4096, 48), (512, 7, 4096, 48)]
    scenes = X.run_model("3.13", "scenarios", {"request": 304, "other": 368})
    assert scenes["reuse_order"] == ["P5", "P1", "P3"]
    assert scenes["full_pool_to_front"] == ["Q1", "P2", "P1"]
    assert scenes["usedpools"]["header_distance"] == 16 * (22 - 18)


def test_sequence_plans_never_need_a_third_pool():
    for family in ("2.7", "3.12"):
        p = profiles.obmalloc.get(family)
        plan = X.sequence_plan(family, seed=5, n_ops=400)
        live = {c: 0 for c in range(len(plan["sizes"]))}
        for kind, c, _ in plan["ops"]:
            live[c] += 1 if kind else -1
            assert 0 <= live[c] <= 2 * (p.NUMBLOCKS(p.size_class(plan["sizes"][c])) - 1)
        result = X.run_model(family, "sequences", {"plans": [plan]})[0]
        assert {where for where, _, _ in result} <= {"P", "Q"}


def test_replicating_a_class_row_and_predicting_the_next():
    a = Allocator("3.12")
    X.replicate_class(a, 200, num_pools=3, in_use=100)
    row = a.stats().row(12)
    assert (row.num_pools, row.blocks_in_use, row.avail_blocks) == (3, 100, 3 * 78 - 100)
    text = a.debugmallocstats()
    rows = X.predict_stats_rows("3.12", text, 200, 400)
    assert rows[0] == (3, 100, 134)
    assert rows[1] == (3 + 4, 500, 7 * 78 - 500)      # 266 more blocks: four new pools
    assert rows[2] == rows[0]
