"""The 国考 measures computed from discharge records, each defined once as SQL expressions.

A measure is Tuva-shaped: per discharge a *denominator* condition (the initial population), an
*exclusion* condition with a reason, and a *numerator* value (0/1 for rates; days, yuan or a
weight for averages and indices). A record counts in the aggregated denominator when it is in the
population and not excluded; its numerator counts only then, so an excluded record can never
leak into a numerator (the bug reported in tuva-health/tuva-core#270).

Record expressions use the schema columns (``schema.COLUMNS``); the ``ref_*`` parts use the
reference columns of the record's DRG group (``ref_low_risk``, ``ref_mean_cost``,
``ref_mean_los``, ``ref_rw``; see ``reference.py``). They are written in DuckDB's SQL dialect; the Spark engine
transpiles them with sqlglot, so there is one definition for both engines.

Definition choices where ``reference/indicators.md`` leaves room (also in docs/records.md):

* Surgery measures count **persons** (discharges with at least one operation), the 二级 form
  [S]. The 三级 manual counts 台次 (operations); this subset carries the number of operations
  (``DISCH_SURG_OPS``) but one grade per discharge (the highest), so grade-4 and minimally-invasive
  shares are per person.
* 手术患者并发症发生率: the denominator is elective surgery patients (择期) [S, S2]; emergency
  operations are excluded with a reason. Day surgery counts as elective (it is planned by
  definition). The complication itself is the record's ``complication`` flag, set upstream
  against the manual's ICD-10 list with 入院病情 ≠ 有 [K]; we do not ship that list (unverified).
* Ⅰ类切口手术部位感染率: Ⅰ类 incision with healing grade 丙 [K]; records whose healing grade is
  missing or 其他 are excluded (cannot be judged).
* 日间手术占择期手术比例: day-surgery patients / elective surgery patients (day surgery included).
* 住院次均费用 / 次均药品费用 here are the 首页 simple means (total / discharges). The 国考 #40/#41
  figures come from the financial report with a bed-day adjustment [S]; these are not that.
* CMI uses the relative weight of the record's DRG group in the reference population, RW_i =
  group mean cost / overall mean cost (§6.11) — "against a reference population". ``CMIJL``
  is the same index with the grouper's own weight on the record (``drg_weight``).
* 费用/时间消耗指数 = Σ_i k_i n_i / Σ_i n_i with k_i = hospital mean / reference mean in DRG i [S,
  S11], which equals the mean over records of (cost or LOS) / reference group mean — the form
  used here, so it adds up over any set of records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    id: str
    name: str  # Chinese indicator name
    numerator_element: str
    denominator_element: str
    denominator: str  # SQL boolean over record columns: initial population
    numerator: str  # SQL value over record columns (boolean for rates)
    exclusion: str = "FALSE"  # SQL boolean over record columns, evaluated inside the population
    exclusion_reason: str = ""
    factor: float = 100.0  # rate = numerator / denominator × factor
    unit: str = "%"
    version: str = "2025.1"
    numerator_is_flag: bool = True  # numerator is a condition (rates) rather than a value
    # Parts that depend on the record's DRG group in the reference population (SQL over the
    # ref_* columns). A record is in the population when `denominator` and `ref_population`
    # hold, excluded when `exclusion` or `ref_exclusion` holds, and contributes
    # `numerator` × `ref_scale`. Measures without these parts are summed in the first scan,
    # which also builds the reference; the others in a second, lighter scan joined to it.
    ref_population: str | None = None
    ref_exclusion: str | None = None
    ref_exclusion_reason: str = ""
    ref_scale: str | None = None

    @property
    def uses_reference(self) -> bool:
        return any(x is not None for x in (self.ref_population, self.ref_exclusion, self.ref_scale))

    @property
    def reasons(self) -> str:
        return "；".join(r for r in (self.exclusion_reason, self.ref_exclusion_reason) if r)


SURGERY = "surgery_count > 0"
ELECTIVE = "(elective = 1 OR day_surgery = 1)"
UNGROUPED = "未入组"
NO_REF = "参考人群无该DRG组的费用或住院日"

MEASURES: tuple[Measure, ...] = (
    Measure("SSZB", "出院患者手术占比", "DISCH_SURG_PTS", "DISCH", "TRUE", SURGERY),
    Measure("WCSSZB", "出院患者微创手术占比", "MIS_PTS", "DISCH_SURG_PTS", SURGERY, "minimally_invasive = 1"),
    Measure("SJSSBL", "出院患者四级手术比例", "L4_PTS", "DISCH_SURG_PTS", SURGERY, "surgery_grade = 4"),
    Measure("SSBFZL", "手术患者并发症发生率", "COMPL_PTS", "ELECT_SURG_PTS", SURGERY, "complication = 1",
            exclusion=f"NOT {ELECTIVE}", exclusion_reason="非择期手术"),
    Measure("YLQKGRL", "Ⅰ类切口手术部位感染率", "SSI_I", "INC_I_PTS",
            f"{SURGERY} AND incision_class = '1'", "healing_grade = '丙'",
            exclusion="healing_grade IS NULL OR healing_grade = '其他'",
            exclusion_reason="切口愈合等级缺失或为“其他”"),
    Measure("DFXSWL", "低风险组病例死亡率", "LR_DEATHS", "LR_CASES", "drg_code IS NOT NULL",
            "discharge_disposition = '5'", ref_population="ref_low_risk = 1"),
    Measure("PJZYR", "平均住院日", "DISCH_BED_DAYS", "DISCH", "TRUE", "los", factor=1.0, unit="天",
            numerator_is_flag=False),
    Measure("RJSSZB", "日间手术占择期手术比例", "DAY_SURG_PTS", "ELECT_SURG_PTS", f"{SURGERY} AND {ELECTIVE}",
            "day_surgery = 1"),
    Measure("CJFY", "住院次均费用", "DISCH_COST", "DISCH", "TRUE", "total_cost", factor=1.0, unit="元",
            numerator_is_flag=False),
    Measure("CJYPFY", "住院次均药品费用", "DISCH_DRUG_COST", "DISCH", "TRUE", "drug_cost", factor=1.0, unit="元",
            numerator_is_flag=False),
    Measure("CMI", "病例组合指数（CMI）", "DRG_TOTAL_RW", "DRG_CASES", "TRUE", "TRUE",
            exclusion="drg_code IS NULL", exclusion_reason=UNGROUPED,
            ref_exclusion="ref_rw IS NULL", ref_exclusion_reason=NO_REF, ref_scale="ref_rw", factor=1.0, unit=""),
    Measure("CMIJL", "病例组合指数（按分组器权重）", "DRG_TOTAL_GW", "DRG_CASES_GW", "TRUE", "drg_weight",
            exclusion="drg_code IS NULL OR drg_weight IS NULL", exclusion_reason="未入组或无DRG权重",
            factor=1.0, unit="", numerator_is_flag=False),
    Measure("FYXHZS", "费用消耗指数", "DRG_COST_K_SUM", "DRG_CASES", "TRUE", "total_cost",
            exclusion="drg_code IS NULL", exclusion_reason=UNGROUPED,
            ref_exclusion="ref_mean_cost IS NULL", ref_exclusion_reason=NO_REF,
            ref_scale="1.0 / ref_mean_cost", factor=1.0, unit="", numerator_is_flag=False),
    Measure("SJXHZS", "时间消耗指数", "DRG_TIME_K_SUM", "DRG_CASES_LOS", "TRUE", "los",
            exclusion="drg_code IS NULL", exclusion_reason=UNGROUPED,
            ref_exclusion="ref_mean_los IS NULL", ref_exclusion_reason=NO_REF,
            ref_scale="1.0 / ref_mean_los", factor=1.0, unit="", numerator_is_flag=False),
)

BY_ID = {m.id: m for m in MEASURES}

# Data elements not tied to one measure: sums of a record value, and counts of the records for
# which a condition holds.
EXTRA_SUMS: dict[str, str] = {
    "DISCH_SURG_OPS": "surgery_count",
    "DISCH_MATERIAL_COST": "material_cost",
}
EXTRA_COUNTS: dict[str, str] = {
    "DISCH_DEATHS": "discharge_disposition = '5'",
}


def _b(expr: str | None, default: str) -> str:
    return f"COALESCE({expr}, FALSE)" if expr is not None else default


def _parts(m: Measure) -> tuple[str, str, str]:
    """Per-record (population, exclusion, numerator value) of ``m``, reference parts included."""
    pop = f"COALESCE({m.denominator}, FALSE)"
    if m.ref_population is not None:
        pop += f" AND {_b(m.ref_population, 'TRUE')}"
    exc = f"COALESCE({m.exclusion}, FALSE)"
    if m.ref_exclusion is not None:
        exc = f"({exc} OR {_b(m.ref_exclusion, 'FALSE')})"
    num = f"CAST(COALESCE({m.numerator}, FALSE) AS DOUBLE)" if m.numerator_is_flag else (
        f"COALESCE(CAST({m.numerator} AS DOUBLE), 0)")
    if m.ref_scale is not None:
        num += f" * COALESCE({m.ref_scale}, 0)"
    return pop, exc, num


_REF = re.compile(r"\bref_\w+")


class Projection:
    """The per-record columns the aggregates read, each distinct expression projected once.

    Measures share conditions (``surgery_count > 0`` is in six of them): written inline in every
    aggregate, each would be evaluated once per aggregate and record. Projected once as a boolean
    (conditions) or a double (values), the aggregates only combine columns. Expressions over the
    record alone are projected before the join to the reference, straight off the scan (cheaper
    there: the columns are still dictionary-encoded); those over ``ref_*`` columns after it.
    """

    def __init__(self) -> None:
        self.conditions: dict[str, str] = {}  # SQL boolean → alias
        self.values: dict[str, str] = {}  # SQL value → alias

    def condition(self, expr: str) -> str:
        return self.conditions.setdefault(expr, f"c{len(self.conditions)}")

    def value(self, expr: str) -> str:
        return self.values.setdefault(expr, f"v{len(self.values)}")

    def columns(self, reference: bool) -> list[str]:
        """Projected columns over the record alone (``reference`` False) or over ref_* columns."""
        # COALESCE: a condition that is NULL for a record (a missing code) does not hold.
        return ([f"COALESCE({e}, FALSE) AS {a}" for e, a in self.conditions.items() if bool(_REF.search(e)) == reference]
                + [f"{e} AS {a}" for e, a in self.values.items() if bool(_REF.search(e)) == reference])

    def record_columns_for_reference(self, names: tuple[str, ...]) -> list[str]:
        """Record columns that the ref_* expressions read, which must pass through the join."""
        exprs = [e for e in (*self.conditions, *self.values) if _REF.search(e)]
        return [n for n in names if any(re.search(rf"\b{n}\b", e) for e in exprs)]


def aggregates(m: Measure, p: Projection) -> dict[str, str]:
    """Aggregate expressions of ``m`` over the columns of ``p``, by output column: in population
    and not excluded (``_d``), numerator (``_n``), and, for measures with an exclusion, the whole
    population (``_p``): the excluded count is ``_p`` − ``_d``, and ``_p`` is usually an aggregate
    that another measure computes anyway (every aggregate costs time on every record).

    An excluded record never reaches the numerator. The SQL is simplified where the definition
    allows (no exclusion, whole population), since these expressions run once per record.
    """
    conds = [p.condition(c) for c in (m.denominator, m.ref_population) if c is not None and c != "TRUE"]
    excs = [p.condition(c) for c in (m.exclusion, m.ref_exclusion) if c is not None and c != "FALSE"]
    exc = " OR ".join(excs)
    kept = conds + ([f"NOT ({exc})" if len(excs) > 1 else f"NOT {exc}"] if excs else [])
    count = lambda cs: f"COUNT_IF({' AND '.join(cs)})" if cs else "COUNT(*)"  # noqa: E731
    if m.numerator_is_flag and m.ref_scale is None:
        num = count([*kept, p.condition(m.numerator)])
    else:
        value = f"CAST({m.numerator} AS DOUBLE)" if not m.numerator_is_flag else "1.0"
        if m.ref_scale is not None:
            value += f" * ({m.ref_scale})"
        v = p.value(value)
        num = f"COALESCE(SUM(CASE WHEN {' AND '.join(kept)} THEN {v} END), 0)" if kept else f"COALESCE(SUM({v}), 0)"
    return {f"{m.id}_d": count(kept), f"{m.id}_n": num} | ({f"{m.id}_p": count(conds)} if excs else {})


def extra_aggregates(p: Projection) -> dict[str, str]:
    """Aggregate expressions of ``EXTRA_SUMS`` and ``EXTRA_COUNTS``, by data-element code."""
    return ({code: f"SUM({p.value(f'CAST({expr} AS DOUBLE)')})" for code, expr in EXTRA_SUMS.items()}
            | {code: f"COUNT_IF({p.condition(expr)})" for code, expr in EXTRA_COUNTS.items()})


def flag_columns(m: Measure) -> list[str]:
    """Per-record flags of ``m`` (drill-down and the Tuva-shaped table) with the exclusion reason."""
    pop, exc, num = _parts(m)
    reasons = []
    if m.exclusion_reason:
        reasons.append(f"WHEN COALESCE({m.exclusion}, FALSE) THEN '{m.exclusion_reason}'")
    if m.ref_exclusion_reason:
        reasons.append(f"WHEN {_b(m.ref_exclusion, 'FALSE')} THEN '{m.ref_exclusion_reason}'")
    reason = f"CASE WHEN {pop} THEN CASE {' '.join(reasons)} END END" if reasons else "CAST(NULL AS VARCHAR)"
    return [
        f"CASE WHEN {pop} AND NOT {exc} THEN 1 ELSE 0 END AS {m.id}_d",
        f"CASE WHEN {pop} AND NOT {exc} THEN {num} ELSE 0 END AS {m.id}_n",
        f"CASE WHEN {pop} AND {exc} THEN 1 ELSE 0 END AS {m.id}_x",
        f"{reason} AS {m.id}_r",
    ]
