"""Indicator values straight from the store, on SQLite and PostgreSQL: a city's value sums its
hospitals' numerators and denominators; a missing element is a reason, not a zero."""

from __future__ import annotations

import pytest

from hqd.monitoring import indicator_values
from hqd.store.elements import upsert_data_elements
from hqd.store.models import Org
from hqd.store.values import set_value
from hqd_testdb import db_url, store  # noqa: F401  (fixtures)


def _tree(session):
    city = Org(code="C1", name="某市", level=1, path="/C1/")
    session.add(city)
    session.flush()
    for code in ("H1", "H2", "H3"):
        session.add(Org(code=code, name=f"医院{code}", level=2, parent_id=city.id, path=f"/C1/{code}/"))
    upsert_data_elements(session, [
        {"code": "PHC_VISITS", "name": "基层医疗卫生机构诊疗人次", "unit": "人次", "aggregation": "sum"},
        {"code": "ALL_VISITS", "name": "总诊疗人次", "unit": "人次", "aggregation": "sum"},
    ])


def _sqlite_store_with_plan(tmp_path, plan: str, shares: dict[str, float], extra=None) -> str:
    """A SQLite store with the org tree, the plan imported, H1's 基层就诊率 per period, and the URL
    a `hqd` command sees through HQD_DATABASE_URL."""
    from hqd.plans import ledger_from_text
    from hqd.store.db import open_store
    from hqd.store.ledger import import_ledger

    url = f"sqlite:///{tmp_path / 'hqd.db'}"
    opened = open_store(url)
    with opened.session() as s:
        _tree(s)
        import_ledger(s, ledger_from_text(plan, "p.txt").to_dict(), content_hash=plan, actor="tester")
        for per, share in shares.items():
            set_value(s, "H1", "PHC_VISITS", per, share, actor="tester")
            set_value(s, "H1", "ALL_VISITS", per, 100, actor="tester")
        if extra:
            extra(s)
    opened.dispose()
    return url


def _hqd(url: str, *args: str, **env: str):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "hqd.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "HQD_DATABASE_URL": url, **env})


def test_city_value_sums_numerators_and_denominators(store):  # noqa: F811
    with store.session() as s:
        _tree(s)
        for org, phc, total in (("H1", 30, 100), ("H2", 60, 300)):
            set_value(s, org, "PHC_VISITS", "2025Q2", phc, actor="tester")
            set_value(s, org, "ALL_VISITS", "2025Q2", total, actor="tester")
        set_value(s, "H3", "ALL_VISITS", "2025Q2", 50, actor="tester")  # PHC_VISITS not reported
    values = {v.org: v for v in indicator_values(store, "RG-01", "2025Q2")}
    assert values["H1"].value == pytest.approx(30.0)
    assert values["H2"].value == pytest.approx(20.0)
    # the city: (30 + 60) / (100 + 300 + 50), not the mean of 30 % and 20 %
    assert values["C1"].numerator == 90 and values["C1"].denominator == 450
    assert values["C1"].value == pytest.approx(20.0)
    assert values["H3"].value is None and values["H3"].reason == "missing:PHC_VISITS"


def test_a_value_entered_now_is_in_the_next_read(store):  # noqa: F811
    with store.session() as s:
        _tree(s)
        set_value(s, "H1", "PHC_VISITS", "2025Q2", 30, actor="tester")
        set_value(s, "H1", "ALL_VISITS", "2025Q2", 100, actor="tester")
    before = {v.org: v.value for v in indicator_values(store, "RG-01", "2025Q2")}
    with store.session() as s:
        view = set_value(s, "H1", "PHC_VISITS", "2025Q2", 40, actor="tester", expected_version=1)
        assert view.version == 2
    after = {v.org: v.value for v in indicator_values(store, "RG-01", "2025Q2")}
    assert before["H1"] == pytest.approx(30.0) and after["H1"] == pytest.approx(40.0)
    assert after["C1"] == pytest.approx(40.0)


def test_targets_are_evaluated_on_the_city_and_on_each_district(store):  # noqa: F811
    from hqd.monitoring import evaluate_targets
    from hqd.plans import ledger_from_text
    from hqd.store.ledger import import_ledger

    plan = ("某市推动公立医院高质量发展实施方案\n2024年3月1日\n一、重点任务\n"
            "1.推进分级诊疗。到2025年，基层就诊率达到65%以上。（责任单位：市卫生健康委、市医保局，列第一位的为牵头单位，下同）\n")
    ledger = ledger_from_text(plan, "plan.txt").to_dict()
    assert ledger["tasks"][0]["targets"][0]["catalog_code"] == "RG-01"
    with store.session() as s:
        _tree(s)
        import_ledger(s, ledger, content_hash="x", actor="tester")
        # H1 climbs from 50 % to 60 % in a year; H2 falls from 70 % to 60 %
        for per, (h1, h2) in {"2024Q2": (50, 70), "2024Q4": (55, 65), "2025Q2": (60, 60)}.items():
            for org, share in (("H1", h1), ("H2", h2)):
                set_value(s, org, "PHC_VISITS", per, share, actor="tester")
                set_value(s, org, "ALL_VISITS", per, 100, actor="tester")
    rows = {r.org: r for r in evaluate_targets(store, "2025Q2", with_children=True)}
    city = rows["C1"]
    assert city.lead_units == ["市卫生健康委员会"]  # the canonical unit name
    assert city.target == "≥65%" and city.deadline == "2025-12-31"
    # the city stays at (50+70)/200 = 60 % → 60 % → 60 %: no growth toward 65 % is 进展缓慢 (ratio 0)
    assert city.latest == ("2025Q2", 60.0) and city.status == "进展缓慢"
    assert rows["H1"].status == "进展顺利"  # 50 → 60 in a year; 65 needs (65/50)^(1/1.75)−1 a year
    assert rows["H2"].status == "倒退"  # it had met the target (70 %) and has fallen below it


def test_a_plans_stated_baseline_is_the_citys_not_its_hospitals(store):  # noqa: F811
    from hqd.monitoring import evaluate_targets
    from hqd.plans import ledger_from_text
    from hqd.store.ledger import import_ledger

    plan = ("某市推动公立医院高质量发展实施方案\n2024年3月1日\n一、重点任务\n"
            "1.推进分级诊疗。到2025年，基层就诊率从2024年的50%提高到65%以上。（市卫生健康委负责）\n")
    ledger = ledger_from_text(plan, "plan.txt").to_dict()
    assert ledger["tasks"][0]["targets"][0]["baseline"] == 50
    with store.session() as s:
        _tree(s)
        import_ledger(s, ledger, content_hash="x", actor="tester")
        for per, (h1, h2) in {"2024Q2": (60, 60), "2025Q2": (60, 60)}.items():
            for org, share in (("H1", h1), ("H2", h2)):
                set_value(s, org, "PHC_VISITS", per, share, actor="tester")
                set_value(s, org, "ALL_VISITS", per, 100, actor="tester")
    rows = {r.org: r for r in evaluate_targets(store, "2025Q2", with_children=True)}
    assert rows["C1"].baseline == ("2024", 50.0)  # the plan's figure for the city: 50 → 60 is progress
    assert rows["C1"].status != "进展缓慢"
    assert rows["H1"].baseline == ("2024Q2", 60.0)  # a hospital starts from its own first value
    assert rows["H1"].status == "进展缓慢"


def test_a_change_from_a_base_year_starts_from_each_orgs_value_in_that_year(store):  # noqa: F811
    from hqd.monitoring import evaluate_targets
    from hqd.plans import ledger_from_text
    from hqd.store.ledger import import_ledger

    plan = ("某市推动公立医院高质量发展实施方案\n2024年3月1日\n一、重点任务\n"
            "1.推进分级诊疗。到2025年，基层就诊率较2023年提高10个百分点。（市卫生健康委负责）\n")
    ledger = ledger_from_text(plan, "plan.txt").to_dict()
    target = ledger["tasks"][0]["targets"][0]
    assert (target["comparator"], target["baseline"], target["baseline_period"]) == ("increase", None, "2023")
    with store.session() as s:
        _tree(s)
        import_ledger(s, ledger, content_hash="x", actor="tester")
        for per, (h1, h2) in {"2022Q2": (45, 70), "2023Q2": (42, 66), "2023Q4": (40, 64), "2025Q2": (48, 75)}.items():
            for org, share in (("H1", h1), ("H2", h2)):
                set_value(s, org, "PHC_VISITS", per, share, actor="tester")
                set_value(s, org, "ALL_VISITS", per, 100, actor="tester")
    rows = {r.org: r for r in evaluate_targets(store, "2025Q2", with_children=True)}
    # from the last quarter of 2023 on record, not from the first value in the window (2022Q2)
    assert rows["H1"].baseline == ("2023Q4", 40.0) and rows["H1"].status != "已达成"  # 48 < 40 + 10
    assert rows["H2"].baseline == ("2023Q4", 64.0) and rows["H2"].status == "已达成"  # 75 ≥ 64 + 10
    assert rows["C1"].baseline == ("2023Q4", 52.0)  # the city's own 2023 value: (40 + 64) / 200


def test_evaluate_command_prints_and_exports(tmp_path):
    import json

    import openpyxl

    plan = "某方案\n一、重点任务\n1.推进分级诊疗。到2025年，基层就诊率达到65%以上。（市卫生健康委负责）\n"
    url = _sqlite_store_with_plan(tmp_path, plan, {"2024Q2": 50, "2025Q2": 66})
    run = lambda *a: _hqd(url, "evaluate", *a)  # noqa: E731
    got = json.loads(run("--period", "2025Q2", "--format", "json").stdout)
    assert [(r["org"], r["status"]) for r in got] == [("C1", "已达成")]
    table = run("--period", "2025Q2", "--children")
    assert table.returncode == 0 and "基层就诊率" in table.stdout and "H1" in table.stdout
    assert run("--period", "2025Q2", "--format", "xlsx", "--out", str(tmp_path / "e.xlsx")).returncode == 0
    assert openpyxl.load_workbook(tmp_path / "e.xlsx")["目标进展"].cell(3, 7).value == "已达成"
    bad = run("--period", "2025-Q2")
    assert bad.returncode == 2 and "期间" in bad.stderr and "Traceback" not in bad.stderr


def test_alerts_list_lagging_targets_overdue_tasks_and_missing_reports(tmp_path):
    import json

    from hqd.collect.datasets import define_data_set

    plan = ("某方案\n2024年1月1日\n一、重点任务\n1.推进分级诊疗。到2025年，基层就诊率达到65%以上。（市卫生健康委负责）\n"
            "2.完成信息平台改造。2025年3月底前完成。（市数据资源局负责）\n")
    url = _sqlite_store_with_plan(tmp_path, plan, {"2024Q2": 60, "2025Q2": 55}, extra=lambda s: define_data_set(
        s, {"code": "JC", "name": "季度监测", "period_type": "quarter", "timely_days": 10,
            "elements": ["PHC_VISITS", "ALL_VISITS"], "orgs": ["H1", "H2"]}, actor="tester"))
    out = _hqd(url, "alerts", "--period", "2025Q2", "--today", "2025-07-20", "--format", "json")
    assert out.returncode == 0, out.stderr
    found = {(a["kind"], a["region"]) for a in json.loads(out.stdout)}
    assert ("目标滞后", "C1") in found  # 60 % → 55 %: 倒退
    assert ("任务逾期", "某方案") in found  # 2025-03-31 passed with no progress report
    assert ("未报送", "H1") in found and ("未报送", "H2") in found  # due 2025-07-10, nothing submitted
    only = _hqd(url, "alerts", "--period", "2025Q2", "--today", "2025-07-20", "--unit", "数据资源局", "--format", "json")
    assert {a["kind"] for a in json.loads(only.stdout)} == {"任务逾期"}


def test_hospitals_are_scored_ranked_and_their_rank_changes_reported(store):  # noqa: F811
    from hqd.evaluate import ScoringRules
    from hqd.monitoring import score_hospitals

    with store.session() as s:
        city = Org(code="C1", name="某市", level=1, path="/C1/")
        s.add(city)
        s.flush()
        for k in range(1, 7):
            s.add(Org(code=f"H{k}", name=f"医院{k}", level=2, parent_id=city.id, path=f"/C1/H{k}/", type="综合",
                      grade="三级"))
        upsert_data_elements(s, [
            {"code": "DISCH", "name": "出院患者人次数", "unit": "人次", "aggregation": "sum"},
            {"code": "DISCH_SURG_OPS", "name": "出院患者手术台次数", "unit": "台次", "aggregation": "sum"},
        ])
        for k in range(1, 7):
            # 2024: H1 best (60 %) … H6 worst (10 %); 2025: the order is reversed
            for year, share in (("2024", 70 - 10 * k), ("2025", 10 * k)):
                set_value(s, f"H{k}", "DISCH", year, 1000, actor="tester")
                set_value(s, f"H{k}", "DISCH_SURG_OPS", year, 10 * share, actor="tester")
    rows, rules = score_hospitals(store, "三级", 2025, ScoringRules(min_dimensions=1))
    by_org = {r.org: r for r in rows}
    assert [r.org for r in rows] == ["H6", "H5", "H4", "H3", "H2", "H1"]
    assert by_org["H6"].rank == 1 and by_org["H6"].rank_change == 5 and by_org["H1"].rank_change == -5
    assert by_org["H6"].grade == "A" and by_org["H1"].grade == "C"  # rank percentiles 1/6 … 6/6
    assert by_org["H6"].peer_group == "三级综合" and by_org["H6"].movers[0][0] == "T3-04"
    assert rules.min_dimensions == 1


def test_score_command_publishes_the_rules_with_the_ranking(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from hqd.store.db import open_store

    url = f"sqlite:///{tmp_path / 'hqd.db'}"
    opened = open_store(url)
    with opened.session() as s:
        city = Org(code="C1", name="某市", level=1, path="/C1/")
        s.add(city)
        s.flush()
        s.add(Org(code="H1", name="医院1", level=2, parent_id=city.id, path="/C1/H1/", type="综合", grade="三级"))
    opened.dispose()
    env = {**os.environ, "HQD_DATABASE_URL": url}
    out = subprocess.run([sys.executable, "-m", "hqd.cli", "score", "--set", "三级", "--year", "2025", "--format", "json"],
                         capture_output=True, text=True, env=env)
    payload = json.loads(out.stdout)
    assert payload["rules"]["grades"][0] == ["A++", 0.01] and payload["results"][0]["org"] == "H1"
    assert payload["results"][0]["rank"] is None and "不参与排名" in payload["results"][0]["reason"]


def test_task_states_thresholds_from_settings_and_scoring_rules_from_yaml(tmp_path):
    import json

    from hqd.collect.progress import report_progress

    plan = "某方案\n2024年1月1日\n一、重点任务\n1.推进分级诊疗。到2025年，基层就诊率达到65%以上。（市卫生健康委负责）\n"
    # needs (65/50)^(1/1.5) − 1 = 19.1 % a year from mid-2024 to the end of 2025; makes 12 %: ratio 0.63
    url = _sqlite_store_with_plan(tmp_path, plan, {"2024Q2": 50, "2025Q2": 56}, extra=lambda s: report_progress(
        s, plan="1", task_path="一/1", period="2025Q2", unit="市卫生健康委", status="进行中",
        narrative="两家医院开通基层转诊", actor="tester"))
    run = lambda *a, **env: _hqd(url, *a, **env)  # noqa: E731
    default = json.loads(run("evaluate", "--period", "2025Q2", "--tasks", "--today", "2025-07-01", "--format", "json").stdout)
    assert default["targets"][0]["status"] == "需加快"  # 0.60 ≤ 0.63 < 0.95
    assert default["tasks"][0]["status"] == "推进中" and default["tasks"][0]["narrative"] == "两家医院开通基层转诊"
    lenient = json.loads(run("evaluate", "--period", "2025Q2", "--format", "json", HQD_PROGRESS_ON_TRACK="0.6").stdout)
    assert lenient[0]["status"] == "进展顺利"
    rules = tmp_path / "rules.yaml"
    rules.write_text("method: zscore\nmin_dimensions: 1\ngrades: [[优, 0.5], [良, 1.0]]\n", encoding="utf-8")
    scored = json.loads(run("score", "--year", "2025", "--rules", str(rules), "--format", "json").stdout)
    assert scored["rules"]["method"] == "zscore" and scored["rules"]["grades"] == [["优", 0.5], ["良", 1.0]]
    rules.write_text("weights: 1\n", encoding="utf-8")
    bad = run("score", "--year", "2025", "--rules", str(rules))
    assert bad.returncode == 2 and "未知的规则项" in bad.stderr


def test_bulk_table_equals_one_query_per_indicator(store):  # noqa: F811
    """`indicator_table` (one read, arrays) gives what the compiled SQL gives for every catalog
    indicator, org and period, on a four-level tree with missing and NULL values."""
    import math
    import random

    from sqlalchemy import insert

    from hqd.catalog import default_catalog
    from hqd.collect.datasets import load_catalog_elements
    from hqd.monitoring import indicator_table
    from hqd.store.models import DataElement, DataValue
    from hqd.store.values import get_or_create_period

    rnd = random.Random(5)
    cat = default_catalog()
    periods = ["2023Q4", "2024Q1", "2024Q2", "2023", "2024"]
    with store.session() as s:
        load_catalog_elements(s)
        prov = Org(code="P", name="省", level=1, path="/P/")
        s.add(prov)
        s.flush()
        leaves = []
        for c in range(2):
            city = Org(code=f"C{c}", name=f"市{c}", level=2, parent_id=prov.id, path=f"/P/C{c}/")
            s.add(city)
            s.flush()
            for d in range(2):
                dist = Org(code=f"D{c}{d}", name=f"区{c}{d}", level=3, parent_id=city.id, path=f"/P/C{c}/D{c}{d}/")
                s.add(dist)
                s.flush()
                leaves.append(dist)
                for h in range(2):
                    hosp = Org(code=f"H{c}{d}{h}", name=f"医院{c}{d}{h}", level=4, parent_id=dist.id,
                               path=f"/P/C{c}/D{c}{d}/H{c}{d}{h}/")
                    s.add(hosp)
                    s.flush()
                    leaves.append(hosp)
        elements = {e.code: e.id for e in s.query(DataElement)}
        period_ids = {p: get_or_create_period(s, p).id for p in periods}
        rows = []
        for org in leaves:
            for code, el in cat.elements.items():
                if el.derived or code not in elements:
                    continue
                for per in periods:
                    r = rnd.random()
                    if r < 0.08:
                        continue  # not reported
                    value = None if r < 0.1 else float(rnd.randint(0, 400))
                    rows.append({"org_id": org.id, "data_element_id": elements[code], "period_id": period_ids[per],
                                 "value": value, "version": 1})
        s.execute(insert(DataValue), rows)
    codes = [c for c, i in cat.indicators.items() if i.formula is not None]
    table = indicator_table(store, codes, ["2024Q2", "2024"])
    assert len(table.codes) > 100
    checked = 0
    for code in table.codes:
        for per in ("2024Q2", "2024"):
            for v in indicator_values(store, code, per):
                if v.indicator != code:
                    continue
                got = table.get(code, per, v.org)
                if v.value is None:
                    assert got is None, (code, per, v)
                else:
                    assert got is not None and math.isclose(got, v.value, rel_tol=1e-9, abs_tol=1e-12), (code, per, v, got)
                    checked += 1
    assert checked > 1500
