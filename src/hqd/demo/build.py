"""`hqd demo`: build a demonstration database from the five sample plans, a realistic org tree and
2022Q1–2025Q2 quarterly data, through the same services the commands use (org import, ledger
import, data sets, target settings, progress reports); only the bulk of the data values and
submissions is written with the store's bulk insert."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import func, select, text

from hqd.store.bulk import db_time, insert_rows
from hqd.store.db import Store, analyze
from hqd.store.errors import StoreError
from hqd.store.models import DataElement, DataValue, Org, Plan, Target, Task
from hqd.store.periods import parse_period
from hqd.store.values import audit, get_or_create_period

from .orgs import DemoOrg, demo_orgs, enlarge_count
from .series import add_outliers, elements_of, generate, simple_formulas

ACTOR = "演示数据"
FIRST, LAST = "2022Q1", "2025Q2"
# "today" of the demo: just after the 2025Q2 reporting deadline (7月10日), so late and missing reports show
TODAY = date(2025, 7, 20)
PLANS_DIR = Path(__file__).resolve().parents[3] / "examples" / "plans"
# which org a plan's targets apply to, by a word of its issuer or title (others: the province)
PLAN_ORGS = {"杭州市": "HZ", "奉化区": "NBFH"}
NARRATIVES = {
    "已完成": "已按期完成，相关制度文件已印发实施。",
    "进行中": "按计划推进，已完成阶段性工作，正在组织督导评估。",
    "滞后": "受资金和人员到位影响，进度滞后，已制定整改措施。",
    "未启动": "前期调研中，尚未正式启动。",
}


@dataclass
class DemoResult:
    orgs: int = 0
    plans: int = 0
    tasks: int = 0
    targets: int = 0
    values: int = 0
    submissions: int = 0
    outliers: list[tuple] = field(default_factory=list)
    seconds: float = 0.0
    users: list[tuple] = field(default_factory=list)  # demo accounts: (username, role, org, password)


def periods_between(first: str, last: str) -> list[str]:
    from hqd.periods import Period

    out, p = [], Period.parse(first)
    while str(p) != last:
        out.append(str(p))
        p = p.shift(1)
    return [*out, last]


def is_empty(store: Store) -> bool:
    with store.session() as s:
        return (s.scalar(select(func.count()).select_from(Org)) or 0) == 0 and \
            (s.scalar(select(func.count()).select_from(Plan)) or 0) == 0


def reset(store: Store) -> None:
    """Empty every table (the demo database is rebuilt from scratch)."""
    from hqd.store.models import Base

    with store.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(text(f"DELETE FROM {table.name}"))


def build_demo(store: Store, *, seed: int = 2025, orgs: int = 0, plans_dir: Path | None = None, compact: bool = False,
               step: Callable[[str, int], None] | None = None) -> DemoResult:
    """Fill an empty store. `orgs`: enlarge the tree to about that many orgs (0: the base tree, ~190).
    `compact`: a small tree for tests. `step(label, weight)` is called as each stage starts (for a progress bar)."""
    import time as clock

    started = clock.perf_counter()
    say = step or (lambda label, weight: None)
    if not is_empty(store):
        raise StoreError("数据库中已有机构或方案：演示数据只写入空数据库（hqd demo --replace 可清空后重建）")
    tree = demo_orgs(enlarge_count(orgs) if orgs else 0, compact=compact)
    result = DemoResult(orgs=len(tree))
    periods = periods_between(FIRST, LAST)

    say("机构树", 1)
    _import_orgs(store, tree)
    say("方案入库", 2)
    plan_files = sorted((plans_dir or PLANS_DIR).glob("*.txt"))
    if not plan_files:
        raise StoreError(f"未找到示例方案：{plans_dir or PLANS_DIR}")
    targets = _import_plans(store, plan_files, result)

    say("数据集", 1)
    regional = sorted({code for code, _, _ in targets if code.startswith("RG-")})
    tertiary = [i.code for i in _catalog().in_set("T3")]
    rg_elements = elements_of(simple_formulas(regional))
    t3_elements = [e for e in elements_of(simple_formulas(tertiary)) if e not in rg_elements]
    leaves = [o for o in tree if o.reports]
    top = [o.code for o in leaves if o.grade == "三级"]
    _define_data_sets(store, rg_elements, t3_elements, top)

    say("生成季度数据", 2)
    only = {e: set(top) for e in t3_elements}
    values = generate(tree, periods, regional + tertiary, targets, seed, element_orgs=only)
    result.outliers = add_outliers(values, periods, seed)
    say("写入数据", 6)
    missing = _write_values(store, values, periods, leaves, seed, result)
    say("报送与审核", 2)
    _write_submissions(store, periods, leaves, top, missing, seed, result)
    say("任务进展", 1)
    _report_progress(store, seed)
    analyze(store)  # the planner's statistics for the filled tables
    from .users import create_demo_users

    result.users = create_demo_users(store)
    with store.session() as s:
        audit(s, actor=ACTOR, action="create", entity="demo", key=f"seed={seed}",
              new=f"{result.orgs} 个机构，{result.values} 个数据值", source="demo")
    result.seconds = clock.perf_counter() - started
    return result


def _catalog():
    from hqd.catalog import default_catalog

    return default_catalog()


def _import_orgs(store: Store, tree: list[DemoOrg]) -> None:
    from hqd.collect.orgs import import_orgs

    with tempfile.TemporaryDirectory(prefix="hqd-demo-") as tmp:
        path = Path(tmp) / "orgs.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["机构代码", "机构名称", "上级机构代码", "层级", "机构类型", "等级", "分组"])
            for o in tree:
                groups = "；".join(g for g in (o.group, o.grade, o.type) if g)
                w.writerow([o.code, o.name, o.parent or "", o.level, o.type or "", o.grade or "", groups])
        with store.session() as s:
            import_orgs(s, path, actor=ACTOR)


def _import_plans(store: Store, files: list[Path], result: DemoResult) -> list[tuple[str, str, float]]:
    from hqd.collect.datasets import load_catalog_elements
    from hqd.store.ledger import import_ledger, load_plan_file, read_plan_text
    from hqd.store.targets import set_target

    targets: list[tuple[str, str, float]] = []
    with store.session() as s:
        load_catalog_elements(s)
        for path in files:
            ledger, digest = load_plan_file(path)
            ledger["source_text"] = read_plan_text(path)  # kept so pages can show each target in its clause
            imported = import_ledger(s, ledger, content_hash=digest, actor=ACTOR)
            result.plans += 1
            result.tasks += imported.tasks_added
            result.targets += imported.targets
            words = f"{ledger.get('issuer') or ''}{ledger.get('title') or ''}"
            org = next((code for word, code in PLAN_ORGS.items() if word in words), None)
            for t in s.scalars(select(Target).join(Task).where(Task.plan_id == imported.plan_id)):
                if t.catalog_code:
                    targets.append((t.catalog_code, t.comparator, t.value))
                    if org:
                        set_target(s, t.id, actor=ACTOR, org_codes=[org])
    return targets


def _define_data_sets(store: Store, rg: list[str], t3: list[str], top: list[str]) -> None:
    from hqd.collect.datasets import define_data_set

    rules = []
    if {"PHC_VISITS", "ALL_VISITS"} <= set(rg):
        rules.append({"code": "R1", "name": "基层诊疗人次不超过总诊疗人次", "left": "PHC_VISITS", "operator": "<=",
                      "right": "ALL_VISITS", "severity": "error"})
    if {"MED_SERVICE_INC", "MED_INC"} <= set(rg):
        rules.append({"code": "R2", "name": "医疗服务收入不超过医疗收入", "left": "MED_SERVICE_INC", "operator": "<=",
                      "right": "MED_INC", "severity": "error"})
    if {"DISCH_BED_DAYS", "DISCH"} <= set(rg):
        rules.append({"code": "R3", "name": "平均住院日不超过30天", "left": "DISCH_BED_DAYS / DISCH", "operator": "<=",
                      "right": "30", "severity": "warning"})
    with store.session() as s:
        define_data_set(s, {"code": "GZL", "name": "公立医院高质量发展季度监测", "period_type": "quarter",
                            "timely_days": 10, "elements": rg, "orgs": {"levels": [4]}, "rules": rules}, actor=ACTOR)
        if t3:
            define_data_set(s, {"code": "GK3", "name": "三级公立医院绩效考核季度数据", "period_type": "quarter",
                                "timely_days": 10, "elements": t3, "orgs": {"codes": top}}, actor=ACTOR)


def _submitted_at(period: str, days: int) -> datetime:
    end = parse_period(period).end
    # 10:00 Beijing time on the day: 02:00 UTC
    return datetime.combine(end + timedelta(days=days), time(2, 0), tzinfo=UTC)


def _write_values(store: Store, values, periods: list[str], leaves: list[DemoOrg], seed: int,
                  result: DemoResult) -> set[tuple[str, str]]:
    """All values; a few orgs have not reported the last quarter yet (returned: (org, period))."""
    rng = np.random.default_rng(seed + 2)
    missing = {(o.code, periods[-1]) for o in leaves if rng.random() < 0.05}
    with store.session() as s:
        period_ids = {p: get_or_create_period(s, p).id for p in periods}
        org_ids = dict(s.execute(select(Org.code, Org.id)).all())
        element_ids = dict(s.execute(select(DataElement.code, DataElement.id)).all())
        conn = s.connection()
        cols = ("org_id", "data_element_id", "period_id", "value", "version", "updated_by", "updated_at", "source")
        stamps = {p: db_time(conn, _submitted_at(p, 5)) for p in periods}
        batch: list[tuple] = []
        for element, by_org in values.items():
            eid = element_ids[element]
            for org, series in by_org.items():
                oid = org_ids[org]
                for i, p in enumerate(periods):
                    v = series[i]
                    if np.isnan(v) or (org, p) in missing:
                        continue
                    batch.append((oid, eid, period_ids[p], float(v), 1, ACTOR, stamps[p], "file"))
                if len(batch) >= 50_000:
                    insert_rows(conn, DataValue.__tablename__, cols, batch)
                    result.values += len(batch)
                    batch = []
        insert_rows(conn, DataValue.__tablename__, cols, batch)
        result.values += len(batch)
    return missing


def _write_submissions(store: Store, periods: list[str], leaves: list[DemoOrg], top: list[str],
                       missing: set[tuple[str, str]], seed: int, result: DemoResult) -> None:
    """Past quarters approved (a few submitted late); the last quarter mostly submitted, some approved,
    a few still in draft or missing."""
    from hqd.store.models import DataSet, Submission

    rng = np.random.default_rng(seed + 3)
    with store.session() as s:
        conn = s.connection()
        ds_ids = dict(s.execute(select(DataSet.code, DataSet.id)).all())
        org_ids = dict(s.execute(select(Org.code, Org.id)).all())
        period_ids = {p: get_or_create_period(s, p).id for p in periods}
        cols = ("data_set_id", "org_id", "period_id", "status", "submitted_at", "submitted_by", "approved_at",
                "approved_by", "version", "updated_at")
        rows = []
        top_set = set(top)
        for ds, members in (("GZL", leaves), ("GK3", [o for o in leaves if o.code in top_set])):
            if ds not in ds_ids:
                continue
            for o in members:
                for p in periods:
                    if (o.code, p) in missing:
                        continue
                    late = rng.random() < 0.06
                    days = int(rng.integers(11, 25)) if late else int(rng.integers(2, 10))
                    at = db_time(conn, _submitted_at(p, days))
                    last = p == periods[-1]
                    roll = rng.random()
                    if last and roll < 0.08:
                        rows.append((ds_ids[ds], org_ids[o.code], period_ids[p], "draft", None, None, None, None, 1, at))
                    elif last and roll < 0.75:
                        rows.append((ds_ids[ds], org_ids[o.code], period_ids[p], "submitted", at, f"{o.name}填报员",
                                     None, None, 1, at))
                    else:
                        ok = db_time(conn, _submitted_at(p, days + 3))
                        rows.append((ds_ids[ds], org_ids[o.code], period_ids[p], "approved", at, f"{o.name}填报员",
                                     ok, "市卫生健康委审核员", 1, ok))
        insert_rows(conn, Submission.__tablename__, cols, rows)
        result.submissions = len(rows)


def _report_progress(store: Store, seed: int) -> None:
    from hqd.collect.progress import report_progress

    rng = np.random.default_rng(seed + 4)
    with store.session() as s:
        tasks = s.scalars(select(Task).order_by(Task.plan_id, Task.position)).all()
        for task in tasks:
            lead = [tu.unit.name for tu in task.units if tu.role == "lead"]
            if not lead or rng.random() < 0.15:  # some tasks have no report this quarter
                continue
            status = str(rng.choice(["进行中", "已完成", "滞后", "未启动"], p=[0.55, 0.25, 0.15, 0.05]))
            plan_ref = task.plan.doc_number or str(task.plan.id)
            report_progress(s, plan=plan_ref, task_path=task.path, period=LAST, unit=lead[0], status=status,
                            narrative=NARRATIVES[status], actor=f"{lead[0]}联络员")
