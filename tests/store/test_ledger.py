"""Plans into the store: re-import updates in place; cited plans link into a lineage by 文号."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hqd.collect.progress import report_progress
from hqd.store.ledger import import_ledger, lineage, load_plan_file
from hqd.store.models import Plan, Target, Task, TaskProgress, TaskUnit, Unit, UnitAlias

PLANS = sorted((Path(__file__).resolve().parents[2] / "examples" / "plans").glob("*.txt"))


def n(store, model) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def imp(store, path: Path):
    ledger, digest = load_plan_file(path)
    with store.session() as s:
        return import_ledger(s, ledger, content_hash=digest, actor="t")


def test_examples_import_and_reimport_without_duplicates(store):
    first = [imp(store, p) for p in PLANS]
    assert all(r.created for r in first)
    counts = (n(store, Plan), n(store, Task), n(store, Target), n(store, TaskUnit), n(store, Unit))
    assert counts[0] == 5 and counts[1] > 100 and counts[2] > 50 and counts[4] > 10
    again = [imp(store, p) for p in PLANS]
    assert not any(r.created for r in again) and [r.plan_id for r in again] == [r.plan_id for r in first]
    assert (n(store, Plan), n(store, Task), n(store, Target), n(store, TaskUnit), n(store, Unit)) == counts
    with store.session() as s:
        hz = s.scalar(select(Plan).where(Plan.title.contains("杭州市推动公立医院高质量发展")))
        assert hz.doc_number and hz.level == "市" and hz.date is not None
        lead = s.scalars(select(Unit.name).join(TaskUnit).join(Task).where(Task.plan_id == hz.id,
                                                                            TaskUnit.role == "lead")).all()
        assert "市卫生健康委" in " ".join(lead) or "市卫健委" in " ".join(lead)


def _ledger(doc, title, cited, tasks):
    return {"file": f"{doc}.txt", "title": title, "issuer": title[:6], "doc_number": doc, "date": "2022-05-01",
            "cited_policies": [{"title": f"《{c}》", "doc_number": c} for c in cited], "tasks": tasks}


def _task(path, title, lead, targets=()):
    return {"path": path, "title": title, "lead_units": lead, "support_units": [], "deadline": "2025-12-31",
            "targets": [{"indicator": t, "comparator": ">=", "value": 50, "value_high": None, "unit": "%",
                         "deadline": "2025-12-31", "scope": None, "text": f"{t}达到50%"} for t in targets]}


def test_lineage_by_doc_number_any_order_and_user_edits_survive(store, tmp_path):
    district = _ledger("奉政办发〔2022〕9号", "奉化区人民政府办公室关于印发方案的通知", ["甬政办發[2022]36號"],
                       [_task(["二", "(一)", "1"], "建设医共体", ["区卫生健康局"], ["县域就诊率"]),
                        _task(["二", "(一)", "2"], "提升能力", ["区卫健局"])])
    city = _ledger("甬政办发〔2022〕36号", "宁波市人民政府办公厅关于印发计划的通知", ["浙政办发〔2021〕74号"],
                   [_task(["一"], "总体要求", ["市卫生健康委"])])
    paths = []
    for name, doc in (("district", district), ("city", city)):
        p = tmp_path / f"{name}.json"
        p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        paths.append(p)
    d = imp(store, paths[0])  # the district plan first: its citation is resolved when the city plan arrives
    c = imp(store, paths[1])
    with store.session() as s:
        assert [p.id for p in lineage(s, d.plan_id)] == [d.plan_id, c.plan_id]
        assert s.get(Plan, d.plan_id).level == "区县"
        # The user links a target to the catalog and reports progress.
        target = s.scalar(select(Target))
        target.catalog_code, target.baseline_value = "XYJZL", 85.0
        report_progress(s, plan="奉政办发〔2022〕9号", task_path="二.(一).2", period="2025Q2", unit="区卫健局",
                        status="进行中", narrative="已完成两家分院改造", actor="区卫健局")
    # Re-import with the second task gone and the first one's title changed.
    district["tasks"] = [dict(district["tasks"][0], title="建设紧密型医共体")]
    paths[0].write_text(json.dumps(district, ensure_ascii=False), encoding="utf-8")
    r = imp(store, paths[0])
    assert (r.plan_id, r.created, r.tasks_updated, r.tasks_removed) == (d.plan_id, False, 1, 1)
    with store.session() as s:
        tasks = {t.path: t for t in s.scalars(select(Task).where(Task.plan_id == d.plan_id))}
        assert tasks["二/(一)/1"].title == "建设紧密型医共体" and not tasks["二/(一)/1"].removed
        assert tasks["二/(一)/2"].removed  # kept: it has a progress report
        assert s.scalar(select(func.count()).select_from(TaskProgress)) == 1
        target = s.scalar(select(Target))
        assert (target.catalog_code, target.baseline_value) == ("XYJZL", 85.0)
        # 区卫健局 and 区卫生健康局 are one unit, the short name an alias.
        alias = s.scalar(select(UnitAlias).where(UnitAlias.alias == "区卫健局"))
        assert alias is not None and alias.unit.name == "区卫生健康局"


def test_target_catalog_baseline_and_orgs(store, tmp_path):
    from hqd.collect.orgs import import_orgs
    from hqd.store.errors import StoreError
    from hqd.store.targets import set_target, targets_for_org
    from hqd_testdb import write_orgs_csv

    ledger = _ledger("杭卫发〔2023〕2号", "杭州市卫生健康委员会关于印发方案的通知", [],
                     [_task(["一"], "提升", ["市卫生健康委"], ["三级公立医院四级手术占比", "日间手术占比"])])
    with store.session() as s:
        import_orgs(s, write_orgs_csv(tmp_path / "o.csv"), actor="t")
        import_ledger(s, ledger, content_hash="x", actor="t")
        first, second = s.scalars(select(Target).order_by(Target.id)).all()
        set_target(s, first.id, actor="质控科", catalog_code="SSZB04", baseline_value=18.5, baseline_period="2022",
                   org_codes=["XH"])
        with pytest.raises(StoreError, match="机构代码 NOPE 不存在"):
            set_target(s, second.id, actor="t", org_codes=["NOPE"])
    with store.session() as s:
        t = s.get(Target, first.id)
        assert (t.catalog_code, t.baseline_value, t.baseline_period) == ("SSZB04", 18.5, "2022")
        # H001 is under 西湖区 (XH): both targets apply; H002 (滨江) only gets the unscoped one.
        assert [x.id for x in targets_for_org(s, "H001")] == [first.id, second.id]
        assert [x.id for x in targets_for_org(s, "H002")] == [second.id]


def test_targets_arrive_linked_to_the_catalog(store):
    for p in PLANS:
        imp(store, p)
    with store.session() as s:
        linked = s.scalars(select(Target.catalog_code).where(Target.catalog_code.is_not(None))).all()
    assert len(linked) >= 5  # hqd.plans links target phrases to catalog indicators on the way in


def test_a_plans_stated_baseline_is_imported_and_a_users_baseline_kept(store, tmp_path):
    from hqd.policy import extract_ledger

    text = ("某市推动公立医院高质量发展实施方案\n2023年5月8日\n一、重点任务\n"
            "1.提升能力。到2025年，微创手术占比从2022年的20%提升到25%左右，四级手术占比由16%提高到20%。\n")
    p = tmp_path / "plan.json"
    p.write_text(json.dumps(extract_ledger(text, file="plan.txt").to_dict(), ensure_ascii=False), encoding="utf-8")
    imp(store, p)
    with store.session() as s:
        mis, l4 = s.scalars(select(Target).order_by(Target.position)).all()
        assert (mis.value, mis.baseline_value, mis.baseline_period) == (25, 20, "2022")
        assert (l4.value, l4.baseline_value, l4.baseline_period) == (20, 16, None)
        l4.baseline_value, l4.baseline_period = 17.5, "2023"  # the 绩效办's own, measured figure
    imp(store, p)
    with store.session() as s:
        l4 = s.scalars(select(Target).order_by(Target.position)).all()[1]
        assert (l4.baseline_value, l4.baseline_period) == (17.5, "2023")
