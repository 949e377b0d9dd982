"""Rule expressions (parsed, never eval'd) and robust outlier flags; pure, plus one import on both databases."""

from __future__ import annotations

import pytest

from hqd.collect.datasets import CompiledRule, check_rules, define_data_set
from hqd.collect.expr import codes, evaluate, parse
from hqd.collect.importer import import_file
from hqd.collect.outliers import against_history, peer_flags, robust_z
from hqd.store.errors import StoreError
from hqd_testdb import DATASET, good_values, setup_world, write_values_csv


def test_expressions():
    node = parse("YLSR - (MZSR + ZYSR) * 1.0 / 2")
    assert codes(node) == {"YLSR", "MZSR", "ZYSR"}
    assert evaluate(node, {"YLSR": 10, "MZSR": 4, "ZYSR": 6}) == 5
    assert evaluate(parse("-CYRS + 3"), {"CYRS": 1}) == 2
    assert evaluate(parse("A / B"), {"A": 1, "B": 0}) is None  # no division by zero
    assert evaluate(parse("A + B"), {"A": 1}) is None  # missing value: rule skipped
    for bad in ("__import__('os').system('x')", "A +", "(A", "A B", "A ** 2", "A; B", ""):
        with pytest.raises(StoreError):
            parse(bad)


def _rule(left, op, right, sev="error"):
    return CompiledRule("R", "r", parse(left), op, parse(right), sev, left, right)


def test_check_rules():
    rules = [_rule("CYSSRS", "<=", "CYRS"), _rule("YLSR", "=", "MZSR + ZYSR")]
    assert check_rules(rules, {"CYSSRS": 5, "CYRS": 5, "YLSR": 0.3, "MZSR": 0.1, "ZYSR": 0.2}) == []
    bad = check_rules(rules, {"CYSSRS": 6, "CYRS": 5, "YLSR": 1})
    assert len(bad) == 1 and "CYSSRS ≤ CYRS 不成立（左边 6，右边 5）" in bad[0].message()


def test_rule_definitions_are_checked(store, tmp_path):
    setup_world(store, tmp_path)
    spec = {**DATASET, "rules": [{"code": "X", "left": "CYRS", "operator": "=>", "right": "NOPE + 1"},
                                 {"code": "Y", "left": "os.system(1)", "operator": "<", "right": "1"}]}
    with store.session() as s, pytest.raises(StoreError) as exc:
        define_data_set(s, spec, actor="t")
    text = "\n".join(exc.value.problems)
    assert "比较符“=>”无效" in text and "数据项 NOPE 不在本数据集中" in text and "表达式“os.system(1)”在“(”处有多余内容" in text


def test_robust_statistics():
    history = [100, 102, 98, 101, 99, 103, 97, 100]
    assert against_history(101, history) is None
    flag = against_history(160, history)
    assert flag and flag.kind == "history" and flag.median == 100 and "明显偏离本机构近 8 期历史" in flag.message()
    # One wild value in the history does not hide the next one (mean/SD would be inflated by it).
    assert against_history(160, history[:-1] + [1000]) is not None
    assert against_history(160, [100, 100, 100]) is None  # too little history
    z, med = robust_z(5, [5, 5, 5, 5])
    assert (z, med) == (0.0, 5)
    peers = {i: 100.0 + i for i in range(10)}
    peers[99] = 1000.0
    assert set(peer_flags(peers)) == {99}


def test_outlier_warnings_at_import(store, tmp_path):
    setup_world(store, tmp_path, hospitals=12)  # peers: same level, type and grade — 8 二级 hospitals
    quarters = ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    rows = [(f"H{i:03d}", c, q, v + k) for k, q in enumerate(quarters) for i in range(1, 13)
            for c, v in good_values(i).items() if c in ("CYRS", "CYSSRS")]
    assert import_file(store, write_values_csv(tmp_path / "h.csv", rows, "GZL"), actor="t").written
    now = [(f"H{i:03d}", "CYRS", "2025Q2", good_values(i)["CYRS"] + 5) for i in range(1, 13)]
    now[6] = ("H007", "CYRS", "2025Q2", 9000)  # line 8: nine times its history and its peers
    r = import_file(store, write_values_csv(tmp_path / "n.csv", now, "GZL"), actor="t")
    assert r.written  # warnings do not block
    assert any("第 8 行" in w and "本机构近 5 期历史" in w for w in r.warnings)
    assert any("第 8 行" in w and "同类机构（7 家）" in w for w in r.warnings)
    assert all("第 8 行" in w for w in r.warnings)


def test_review_of_stored_values(store, tmp_path):
    from hqd.collect.quality import find_outliers

    setup_world(store, tmp_path, hospitals=12)
    quarters = ["2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    rows = [(f"H{i:03d}", "CYRS", q, good_values(i)["CYRS"] + k) for k, q in enumerate(quarters) for i in range(1, 13)]
    rows += [(f"H{i:03d}", "CYRS", "2025Q2", good_values(i)["CYRS"] + (8000 if i == 9 else 4)) for i in range(1, 13)]
    assert import_file(store, write_values_csv(tmp_path / "h.csv", rows, "GZL"), actor="t").written
    with store.session() as s:
        found = find_outliers(s, "GZL", "2025Q2")
        assert {(f.org, f.element) for f in found} == {("H009", "CYRS")} and len(found) == 2
        assert find_outliers(s, "GZL", "2025Q3") == []
        with pytest.raises(StoreError, match="按季度填报"):
            find_outliers(s, "GZL", "2025")


def test_vectorized_history_check_equals_the_scalar_one():
    """`against_histories` (a whole quarter at once) flags exactly what `against_history` flags,
    with the same median, z and count — including flat histories (MAD 0) and short ones."""
    import random

    from hqd.collect.outliers import against_histories, against_history

    rnd = random.Random(3)
    xs, hs = [], []
    for _ in range(3000):
        n = rnd.randint(0, 8)
        kind = rnd.random()
        if kind < 0.2:
            h = [100.0] * n  # flat: falls back to the mean absolute deviation, or infinity
        elif kind < 0.3:
            h = [100.0] * max(n - 1, 0) + [130.0]
        else:
            h = [rnd.lognormvariate(5, 0.3) for _ in range(n)]
        xs.append(rnd.choice([100.0, rnd.lognormvariate(5, 0.3), rnd.lognormvariate(5, 1.5)]))
        hs.append(h)
    got = against_histories(xs, hs)
    flagged = 0
    for x, h, g in zip(xs, hs, got, strict=True):
        want = against_history(x, h)
        assert (g is None) == (want is None), (x, h, g, want)
        if want:
            flagged += 1
            assert (g.median, g.n) == (pytest.approx(want.median), want.n)
            assert g.z == pytest.approx(want.z) or g.z == want.z == float("inf")
    assert flagged > 100


def test_peer_flags_equal_leave_one_out_for_every_member():
    """The screened, array-based `peer_flags` flags exactly the members that the plain
    leave-one-out `against_peers` check flags."""
    import random

    from hqd.collect.outliers import against_peers

    rnd = random.Random(8)
    for _ in range(150):
        n = rnd.randint(3, 60)
        group = {k: (100.0 if rnd.random() < 0.3 else rnd.lognormvariate(5, rnd.choice([0.2, 1.0])))
                 for k in range(n)}
        want = {k for k, x in group.items() if against_peers(x, [v for j, v in group.items() if j != k])}
        got = peer_flags(group)
        assert set(got) == want, (group, got, want)


def test_review_equals_checking_each_value_on_its_own(store, tmp_path):
    """The quarter's review (one read of the value cache, arrays) flags what checking each stored
    value against its own history and its peers, one at a time, flags."""
    import random

    from sqlalchemy import text

    from hqd.collect.outliers import against_peers
    from hqd.collect.quality import HISTORY_PERIODS, find_outliers

    rnd = random.Random(17)
    setup_world(store, tmp_path, hospitals=30)
    quarters = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2"]
    rows = []
    for i in range(1, 31):
        for code, v in good_values(i).items():
            for q in quarters:
                r = rnd.random()
                if r < 0.1:
                    continue  # not reported
                value = v * rnd.uniform(0.9, 1.1) * (rnd.choice([0.2, 6]) if r > 0.95 else 1)
                rows.append((f"H{i:03d}", code, q, round(value, 1)))
    from hqd.store.values import set_value

    with store.session() as s:  # through the store, not an import: noisy values break the data set's rules
        for org, code, q, v in rows:
            set_value(s, org, code, q, v, actor="t")
    with store.engine.connect() as conn:
        stored = conn.execute(text(
            "SELECT o.code, o.level, o.type, o.grade, e.code, p.code, v.value FROM data_value v "
            "JOIN org o ON o.id = v.org_id JOIN data_element e ON e.id = v.data_element_id "
            "JOIN period p ON p.id = v.period_id")).all()
    now = "2025Q2"
    past = quarters[-1 - HISTORY_PERIODS:-1]
    current = {(o, e): (v, (lv, t, g)) for o, lv, t, g, e, p, v in stored if p == now and v is not None}
    want = set()
    for (o, e), (v, group) in current.items():
        history = [x for o2, _lv, _t, _g, e2, p, x in stored if (o2, e2) == (o, e) and p in past and x is not None]
        if against_history(v, history):
            want.add((o, e, "history"))
        peers = [pv for (o2, e2), (pv, g2) in current.items() if e2 == e and g2 == group and o2 != o]
        if len(peers) + 1 > 5 and against_peers(v, peers):  # peer_flags needs more than MIN_PEERS members
            want.add((o, e, "peers"))
    with store.session() as s:
        got = {(f.org, f.element, "history" if "历史" in f.message else "peers") for f in find_outliers(s, "GZL", now)}
    assert len(want) >= 5
    assert got == want
