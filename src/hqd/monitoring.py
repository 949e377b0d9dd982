"""Indicator values from the stored data values, with the catalog's compiled formulas, for every
org of the tree (regions rolled up from their members: numerators and denominators summed).

They are computed when asked, over the live tables, so a value entered a moment ago is already in
them: there is no analytics table to rebuild (the complaint DHIS2 users make most). One indicator
and period is one SQL query (`indicator_values`, with the reason for every missing value); many
indicators and periods are one bulk read and array arithmetic (`indicator_table`), which is what
evaluation and scoring use. The one place where `store` meets `indicators`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from hqd.catalog import Catalog
from hqd.indicators import ElementCube, compile_sql, evaluate_periods, plan
from hqd.periods import Period
from hqd.store.db import Store
from hqd.store.read import read_cube

# The long data-value table and the org-parent pairs the compiled SQL expects, over the store's tables.
_DATA = (
    "SELECT o.code AS org, p.code AS period, e.code AS element, v.value AS value FROM data_value v "
    "JOIN org o ON o.id = v.org_id JOIN period p ON p.id = v.period_id "
    "JOIN data_element e ON e.id = v.data_element_id"
)
_PARENTS = "SELECT c.code AS org, p.code AS parent FROM org c JOIN org p ON p.id = c.parent_id"
_DIALECT = {"sqlite": "sqlite", "postgresql": "postgres"}


@dataclass(frozen=True)
class IndicatorValue:
    org: str
    indicator: str  # the indicator code, or a part's code (T3-07.1)
    period: str
    numerator: float | None
    denominator: float | None
    value: float | None
    reason: str | None  # why there is no value: missing:ELEMENT, zero_denominator …


def indicator_sql(store: Store, code: str, period: str, options: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(part code, SQL) for an indicator over the store's tables."""
    dialect = _DIALECT[store.dialect]
    out = []
    for p in plan(code, options=options):
        compiled = compile_sql(p, period, dialect=dialect, data_table="hqd_dv", parent_table="hqd_op").strip()
        compiled = compiled.rstrip(";")
        if not compiled.upper().startswith("WITH "):
            raise RuntimeError("compiled indicator SQL is expected to start with WITH")
        out.append((p.code, f"WITH hqd_dv AS ({_DATA}), hqd_op AS ({_PARENTS}), {compiled[5:]}"))
    return out


def indicator_values(store: Store, code: str, period: str,
                     options: Mapping[str, str] | None = None) -> list[IndicatorValue]:
    out: list[IndicatorValue] = []
    with store.engine.connect() as conn:
        for part, sql in indicator_sql(store, code, period, options):
            for org, num, den, value, reason in conn.exec_driver_sql(sql):
                out.append(IndicatorValue(org, part, period, _f(num), _f(den), _f(value), reason))
    return out


def _f(x) -> float | None:
    return None if x is None else float(x)


@dataclass
class IndicatorTable:
    """Indicator values for every org × period × indicator; NaN where there is no value."""

    orgs: list[str]
    parent: np.ndarray  # index of each org's parent, -1 for a root
    codes: list[str]
    periods: list[str]
    value: np.ndarray  # [period, org, indicator]
    numerator: np.ndarray
    denominator: np.ndarray

    def __post_init__(self) -> None:
        self._org = {o: k for k, o in enumerate(self.orgs)}
        self._code = {c: k for k, c in enumerate(self.codes)}
        self._period = {p: k for k, p in enumerate(self.periods)}

    def org_rows(self, orgs: Iterable[str]) -> np.ndarray:
        return np.array([self._org[o] for o in orgs], dtype=np.int64)

    def get(self, code: str, period: str, org: str) -> float | None:
        try:
            v = self.value[self._period[period], self._org[org], self._code[code]]
        except KeyError:
            return None
        return None if np.isnan(v) else float(v)

    def point(self, code: str, period: str, org: str) -> tuple[float | None, float | None, float | None]:
        """(value, numerator, denominator), None where missing."""
        try:
            at = (self._period[period], self._org[org], self._code[code])
        except KeyError:
            return None, None, None
        return tuple(None if np.isnan(a[at]) else float(a[at]) for a in (self.value, self.numerator, self.denominator))

    def series(self, code: str, org: str) -> list[tuple[str, float]]:
        """The observed values of an org, oldest first."""
        return [(p, v) for p in self.periods if (v := self.get(code, p, org)) is not None]


def indicator_table(store: Store, codes: Iterable[str], periods: Iterable[str],
                    options: Mapping[str, str] | None = None, *, catalog: Catalog | None = None,
                    within: str | None = None, timings: dict[str, float] | None = None) -> IndicatorTable:
    """Values of the indicators or their parts (T3-07.1; 定性 indicators have none) for every org and
    period — of the whole tree, or the subtree of the org coded `within` — from one read of the
    data values they need. `timings`, if given, gets the seconds of each stage."""
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        if timings is not None:
            now = time.perf_counter()
            timings[stage] = timings.get(stage, 0.0) + now - clock
            clock = now

    periods = list(dict.fromkeys(periods))
    plans = {}
    for code in dict.fromkeys(codes):
        main = [p for p in plan(code.split(".")[0], catalog=catalog, options=options) if p.code == code]
        if main:
            plans[code] = main[0]
    elements, needed = set(), set(periods)
    parsed = [Period.parse(per) for per in periods]
    for p in plans.values():
        for r in p.columns:
            elements.add(r.code)
            for per in parsed:
                needed.update(str(x) for x in p.periods(r, per))
    read = read_cube(store, sorted(elements), sorted(needed), within=within)
    lap("read data values")
    cube = ElementCube.from_dense(read.orgs, read.parent, read.elements, read.periods, read.value)
    rolled = cube.subtree()
    # filled an indicator at a time (contiguous), read as [period, org, indicator] through a view
    shape = (len(plans), len(periods), len(cube.orgs))
    value, num, den = np.empty(shape), np.empty(shape), np.empty(shape)
    for j, p in enumerate(plans.values()):
        got = evaluate_periods(p, parsed, cube, rolled)
        value[j], num[j], den[j] = got.value, got.numerator, got.denominator
    lap("indicator values + roll-up")
    return IndicatorTable(cube.orgs, cube.parent, list(plans), periods, *(np.moveaxis(a, 0, -1) for a in (value, num, den)))


# ── Target progress over the store ──────────────────────────────────────────────────────────


@dataclass
class TargetProgress:
    plan: str
    task_path: str
    task_title: str | None
    lead_units: list[str]
    indicator: str  # as the plan words it
    catalog_code: str
    target: str  # comparator and value as written for people: ≥65%
    deadline: str | None
    org: str
    status: str
    baseline: tuple[str, float] | None
    latest: tuple[str, float] | None
    expected_now: float | None
    projected: float | None
    reason: str
    applied: bool = True  # the target names this org (False: a child shown to locate the gap)


def _periods_back(period: str, count: int) -> list[str]:
    from hqd.periods import Period

    p = Period.parse(period)
    return [str(p.shift(-k)) for k in range(count - 1, -1, -1)]


def evaluate_targets(store: Store, period: str, *, org: str | None = None, history: int = 16,
                     with_children: bool = False) -> list[TargetProgress]:
    """Progress of every target linked to a catalog indicator, on the orgs it applies to (the
    tree's root when none is named), from the values of the `history` periods up to `period`.
    With `org`, only that org; with `with_children`, also each org one level below (to show
    where the gap is)."""
    from sqlalchemy import select

    from hqd.config import load_settings
    from hqd.evaluate import Thresholds, assess
    from hqd.report.ledger_text import target_value
    from hqd.store.models import Org, Target, Task

    settings = load_settings()
    thresholds = Thresholds(on_track=settings.progress_on_track, accelerate=settings.progress_accelerate,
                            approx_tolerance=settings.progress_tolerance)
    periods = _periods_back(period, history)
    out: list[TargetProgress] = []
    with store.session() as s:
        roots = [o.code for o in s.scalars(select(Org).where(Org.parent_id.is_(None)))]
        children: dict[str, list[str]] = {}
        for child, parent in s.execute(
            select(Org.code, Org.parent_id).where(Org.parent_id.is_not(None))
        ):
            children.setdefault(parent, []).append(child)
        id_of = {code: oid for oid, code in s.execute(select(Org.id, Org.code))}
        targets = s.scalars(
            select(Target).join(Task).where(Target.catalog_code.is_not(None), Task.removed.is_(False))
        ).all()
        table = indicator_table(store, sorted({t.catalog_code for t in targets}), periods)
        # 较2022年下降10%: a change from each org's own value in the base year, read apart so that the
        # other targets' series keep their window
        by_year = [t for t in targets if t.baseline_value is None and t.baseline_period]
        years = {t.baseline_period for t in by_year}
        base_table = indicator_table(store, sorted({t.catalog_code for t in by_year}),
                                     [f"{y}Q{q}" for y in sorted(years) for q in (1, 2, 3, 4)]) if by_year else None
        for t in targets:
            applied = [o.code for o in s.scalars(select(Org).where(Org.id.in_([x.org_id for x in t.orgs])))] or roots
            orgs = applied
            if with_children:
                orgs = applied + [c for o in applied for c in children.get(id_of[o], [])]
            if org is not None:
                orgs = [o for o in orgs if o == org]
            lead = [tu.unit.name for tu in t.task.units if tu.role == "lead"]
            for o in orgs:
                observed = table.series(t.catalog_code, o)
                # A stated baseline (the plan's 从X提高到Y, or one a user set) is the figure of the orgs the
                # target applies to; their hospitals and districts start from their own observed values.
                if t.baseline_value is not None and t.baseline_period:
                    baseline = (t.baseline_period, t.baseline_value) if o in applied else None
                elif t.baseline_period and base_table is not None:
                    in_year = [pv for pv in base_table.series(t.catalog_code, o) if pv[0].startswith(t.baseline_period)]
                    baseline = in_year[-1] if in_year else None  # the year's last quarter on record
                else:
                    baseline = None
                pr = assess(t.comparator, t.value, t.value_high, t.unit, t.deadline.isoformat() if t.deadline else None,
                            observed, baseline=baseline, as_of=period, thresholds=thresholds)
                out.append(TargetProgress(
                    plan=t.task.plan.title or t.task.plan.file, task_path=t.task.path, task_title=t.task.title,
                    lead_units=lead, indicator=t.indicator, catalog_code=t.catalog_code,
                    target=target_value({"comparator": t.comparator, "value": t.value, "value_high": t.value_high,
                                         "unit": t.unit}),
                    deadline=t.deadline.isoformat() if t.deadline else None, org=o, status=pr.status,
                    baseline=pr.baseline, latest=pr.latest, expected_now=pr.expected_now, projected=pr.projected,
                    reason=pr.reason, applied=o in applied,
                ))
    return out


# ── 督办清单 ────────────────────────────────────────────────────────────────────────────────


def alerts(store: Store, period: str, today, *, unit: str | None = None,
           progress: list[TargetProgress] | None = None, tasks: list[TaskState] | None = None):
    """The 督办 list for a period: lagging targets (on each org they apply to and one level below),
    overdue and lagging tasks, missing and late reports, and outlying values. Pass `progress`
    (with children) and `tasks` when they are already computed."""
    from sqlalchemy import select

    from hqd.collect.quality import find_outliers
    from hqd.collect.submissions import overdue_submissions
    from hqd.evaluate.alerts import ordered, submission_alert, target_alert, task_alert
    from hqd.evaluate.progress import Progress
    from hqd.periods import Period as P
    from hqd.store.models import DataSet

    found = []
    progress = evaluate_targets(store, period, with_children=True) if progress is None else progress
    for r in progress:
        p = Progress(r.status, "", None, r.baseline, r.latest, expected_now=r.expected_now, projected=r.projected,
                     reason=r.reason)
        found.append(target_alert(f"{r.indicator}{r.target}（{r.task_path}）", r.org, r.lead_units, p))
    # tasks are judged on the orgs their targets name, not on the children shown beside them
    if tasks is None:
        tasks = task_states(store, period, today, [r for r in progress if r.applied])
    for t in tasks:
        found.append(task_alert(f"{t.path} {t.title or ''}", t.plan, t.lead_units, t.status, t.reason, t.deadline))
    with store.session() as s:
        quarterly = P.parse(period).kind
        for ds in s.scalars(select(DataSet)):
            if ds.period_type[0].upper() != quarterly:
                continue
            for org, due, got in overdue_submissions(s, ds.code, period, today):
                found.append(submission_alert(org, ds.name, period, due, got))
            for f in find_outliers(s, ds.code, period):
                found.append(_outlier(f))
    out = ordered(found)
    if unit:
        out = [a for a in out if any(unit in u for u in a.units)]
    return out


def _outlier(f):
    """A value collect's review flagged (median and MAD against its own history or its peers)."""
    from hqd.evaluate.alerts import LOW, Alert

    return Alert("数据异常", LOW, [], f.org, f"{f.element} {f.period}", f.message, {"数值": f.value})


# ── Scoring and ranking (国考式) ───────────────────────────────────────────────────────────────

_DIRECTION = {"逐步提高": 1, "逐步降低": -1}
_SET_NAMES = {"三级": "T3", "二级": "T2", "高质量发展": "HQ", "区域": "RG"}


@dataclass
class HospitalScore:
    org: str
    name: str
    peer_group: str
    score: float | None
    grade: str | None
    rank: int | None
    rank_change: int | None  # places gained since the previous year (+) or lost (−)
    movers: list[tuple[str, float]]  # the indicators that moved the score most, in points vs peers
    reason: str


def score_hospitals(store: Store, set_name: str, year: int, rules=None) -> tuple[list[HospitalScore], object]:
    """Score the hospitals of an indicator set's grade (三级 → 三级 hospitals) on their annual values,
    in peer groups of grade × type, with the rank change since the year before. Returns the
    results and the rule set that made them."""
    import numpy as np
    from sqlalchemy import select

    from hqd.catalog import default_catalog
    from hqd.evaluate import IndicatorMeta, ScoringRules, explain, rank_changes, score
    from hqd.store.models import Org

    code = _SET_NAMES.get(set_name, set_name)
    grade = next((k for k, v in _SET_NAMES.items() if v == code), None)
    cat = default_catalog()
    indicators = [i for i in cat.in_set(code) if i.formula is not None and _DIRECTION.get(i.direction)
                  and any(p.code == i.code for p in plan(i.code))]
    rules = rules or ScoringRules()
    with store.session() as s:
        query = select(Org.code, Org.name, Org.grade, Org.type).where(Org.closed.is_(False))
        hospitals = [r for r in s.execute(query) if grade is None or r.grade == grade]
    orgs = [h.code for h in hospitals]
    peers = [f"{h.grade or ''}{h.type or ''}" or "全部" for h in hospitals]
    meta = [IndicatorMeta(i.code, (i.dimension or ("其他",))[0], _DIRECTION[i.direction]) for i in indicators]

    table = indicator_table(store, [i.code for i in indicators], [str(year - 1), str(year)])
    rows = table.org_rows(orgs)
    cols = np.array([table.codes.index(i.code) for i in indicators], dtype=np.int64)
    # shrinkage needs a proportion: a % indicator whose numerator lies within its denominator
    proportion = np.array([i.unit == "%" for i in indicators])

    def year_result(y: int):
        at = table.periods.index(str(y))
        pick = np.ix_(rows, cols)
        values, num, den = (a[at][pick] for a in (table.value, table.numerator, table.denominator))
        is_rate = proportion & (den > 0) & (num >= 0) & (num <= den) & ~np.isnan(values)
        return score(values, orgs, meta, peers, rules, numerators=np.where(is_rate, num, np.nan),
                     denominators=np.where(is_rate, den, np.nan))

    current, previous = year_result(year), year_result(year - 1)
    changes = rank_changes(previous, current)
    out = []
    for k, h in enumerate(hospitals):
        row = current.row(h.code)
        out.append(HospitalScore(h.code, h.name, peers[k], row["score"], row["grade"], row["rank"],
                                 changes.get(h.code), explain(current, h.code, top=3), row["reason"]))
    out.sort(key=lambda r: (r.peer_group, r.rank or 10**9))
    return out, rules



@dataclass
class TaskState:
    plan: str
    path: str
    title: str | None
    lead_units: list[str]
    deadline: str | None
    status: str  # 已完成 推进中 滞后 逾期 未开始
    reason: str
    reported: str | None  # what the lead unit reported for the period
    narrative: str


def task_states(store: Store, period: str, today, progress: list[TargetProgress] | None = None) -> list[TaskState]:
    """Every task's status from its progress report for the period, its targets' progress and its deadline."""
    from sqlalchemy import select

    from hqd.evaluate.tasks import task_status
    from hqd.store.models import Period as StoredPeriod
    from hqd.store.models import Task, TaskProgress

    progress = evaluate_targets(store, period) if progress is None else progress
    by_task: dict[str, list[str]] = {}
    for r in progress:
        by_task.setdefault(f"{r.plan}|{r.task_path}", []).append(r.status)
    out = []
    with store.session() as s:
        this = s.scalar(select(StoredPeriod).where(StoredPeriod.code == period))
        for task in s.scalars(select(Task).where(Task.removed.is_(False)).order_by(Task.plan_id, Task.position)):
            latest = None
            if this is not None:
                latest = s.scalars(select(TaskProgress).where(TaskProgress.task_id == task.id,
                                                              TaskProgress.period_id == this.id)
                                   .order_by(TaskProgress.reported_at.desc())).first()
            reported = {"进行中": "推进中", "未启动": "未开始"}.get(latest.status, latest.status) if latest else None
            plan = task.plan.title or task.plan.file
            deadline = task.deadline.isoformat() if task.deadline else None
            status, reason = task_status(deadline, reported, by_task.get(f"{plan}|{task.path}", []), today)
            out.append(TaskState(plan, task.path, task.title, [tu.unit.name for tu in task.units if tu.role == "lead"],
                                 deadline, status, reason, reported, latest.narrative if latest else ""))
    return out
