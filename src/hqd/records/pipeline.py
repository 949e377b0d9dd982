"""The records service: read and validate, build the reference, flag, aggregate, drill down.

Two scans of the input per computation: pass 1 counts rejects and sums the reference population
per DRG group; pass 2 computes every measure's per-record flags and sums them per hospital and
month in one GROUP BY. Months roll up to quarters and years in Python, since every data element
is a sum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .elements import ELEMENTS
from .engines import Engine, make_engine
from .errors import RecordsError
from .measures import BY_ID, EXTRA_SUMS, MEASURES, Measure, flag_columns
from .periods import Period, label, parse_period
from .reference import REF_COLUMNS, RefGroup, build_reference
from .settings import RecordsSettings, load_records_settings
from .sources import Source, open_source

Progress = Callable[[str], None]


@dataclass
class RejectReport:
    total_rows: int = 0
    valid_rows: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    samples: list[dict] = field(default_factory=list)  # file, line, record_id, reason

    @property
    def rejected(self) -> int:
        return sum(self.by_reason.values())


@dataclass(frozen=True)
class DataValue:
    org: str
    period: str
    element: str
    value: float


@dataclass(frozen=True)
class Rate:
    org: str
    period: str
    measure: str
    numerator: float
    denominator: int
    excluded: int
    value: float | None  # None when the denominator is 0


@dataclass
class ComputeResult:
    period: str
    engine: str
    data_values: list[DataValue]
    rates: list[Rate]
    rejects: RejectReport
    reference: list[RefGroup]
    records_in_period: int

    def value(self, org: str, period: str, element: str) -> float | None:
        for dv in self.data_values:
            if (dv.org, dv.period, dv.element) == (org, period, element):
                return dv.value
        return None

    def rate(self, org: str, period: str, measure: str) -> Rate | None:
        for r in self.rates:
            if (r.org, r.period, r.measure) == (org, period, measure):
                return r
        return None


def _date(d) -> str:
    return f"DATE '{d.isoformat()}'"


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class Session:
    """An engine with the input (and optional reference) registered as views."""

    def __init__(
        self,
        path: Path,
        engine: str | None = None,
        *,
        reference: Path | None = None,
        encoding: str = "auto",
        settings: RecordsSettings | None = None,
    ) -> None:
        self.settings = settings or load_records_settings()
        self.sources: list[Source] = []
        self.engine: Engine = make_engine(engine or self.settings.engine, self.settings)
        try:
            self._register("input", path, encoding)
            self.has_reference = reference is not None
            if reference is not None:
                self._register("refinput", reference, encoding)
        except BaseException:
            self.close()
            raise
        self._ref_key: tuple | None = None
        self._ref: list[RefGroup] = []

    def _register(self, prefix: str, path: Path, encoding: str) -> None:
        src = open_source(Path(path), encoding)
        self.sources.append(src)
        text = self.engine.create_raw_view(f"{prefix}_raw", src)
        self.engine.create_view(f"{prefix}_validated", schema.validated_sql(f"{prefix}_raw", text))
        self.engine.create_view(f"{prefix}_clean", f"SELECT * FROM {prefix}_validated WHERE _reason IS NULL")

    def close(self) -> None:
        try:
            if getattr(self, "engine", None) is not None:
                self.engine.close()
        finally:
            for s in self.sources:
                s.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- pass 1: rejects and reference sums ---------------------------------------------------
    def _pass1(self, view: str) -> tuple[RejectReport, dict[tuple[int | None, str], tuple[int, int, float, float]]]:
        year = "CAST(EXTRACT(YEAR FROM discharge_date) AS INTEGER)"
        drg = "CASE WHEN _reason IS NULL THEN drg_code END"
        sql = (
            f"SELECT {year} AS y, {drg} AS drg, _reason AS reason, COUNT(*) AS n, "
            f"SUM(CASE WHEN discharge_disposition = '5' THEN 1 ELSE 0 END) AS deaths, "
            f"SUM(total_cost) AS cost, SUM(los) AS los "
            f"FROM {view} GROUP BY {year}, {drg}, _reason"
        )
        _, rows = self.engine.query(sql)
        report = RejectReport()
        sums: dict[tuple[int | None, str], tuple[int, int, float, float]] = {}
        for y, code, reason, n, deaths, cost, los in rows:
            n = int(n)
            report.total_rows += n
            if reason is not None:
                report.by_reason[reason] = report.by_reason.get(reason, 0) + n
                continue
            report.valid_rows += n
            if code is not None:
                sums[(y, code)] = (n, int(deaths or 0), float(cost or 0.0), float(los or 0.0))
        if report.by_reason:
            _, samples = self.engine.query(
                f"SELECT _file, _line, record_id, _reason FROM {view} WHERE _reason IS NOT NULL "
                f"ORDER BY _file, _line LIMIT 20"
            )
            report.samples = [
                {"file": str(f), "line": None if ln is None else int(ln), "record_id": rid, "reason": r}
                for f, ln, rid, r in samples
            ]
        return report, sums

    def reference(self, year: int, report: RejectReport | None = None) -> tuple[list[RefGroup], RejectReport]:
        """Reference groups for ``year`` (or the whole external reference) and the input's rejects."""
        report_in, sums = self._pass1("input_validated")
        if self.has_reference:
            _, sums = self._pass1("refinput_validated")
            per: dict[str, list] = {}
            for (_, code), v in sums.items():
                acc = per.setdefault(code, [0, 0, 0.0, 0.0])
                for i in range(4):
                    acc[i] += v[i]
            stats = {k: tuple(v) for k, v in per.items()}
        else:
            stats = {code: v for (y, code), v in sums.items() if y == year}
        groups = build_reference(stats, self.settings)  # type: ignore[arg-type]
        self.engine.register_table("ref_drg", REF_COLUMNS, [g.row() for g in groups])
        self._ref_key = (year,)
        self._ref = groups
        return groups, report_in

    def _flags_view(self, period: Period) -> None:
        ref_cols = ", ".join(f"r.{c}" for c, _ in REF_COLUMNS[1:])
        cols = ["org_code", "record_id", "discharge_date",
                "CAST(EXTRACT(YEAR FROM discharge_date) AS INTEGER) AS y",
                "CAST(EXTRACT(MONTH FROM discharge_date) AS INTEGER) AS m"]
        for m in MEASURES:
            cols += flag_columns(m)
        for code, expr in EXTRA_SUMS.items():
            cols.append(f"CAST({expr} AS DOUBLE) AS x_{code}")
        self.engine.create_view(
            "flags",
            f"SELECT {', '.join(cols)} FROM (SELECT v.*, {ref_cols} FROM input_clean AS v "
            f"LEFT JOIN ref_drg AS r ON v.drg_code = r.drg_code "
            f"WHERE v.discharge_date >= {_date(period.start)} AND v.discharge_date < {_date(period.end)}) AS f",
        )

    def prepare(self, period: Period, progress: Progress | None = None) -> tuple[list[RefGroup], RejectReport]:
        step = progress or (lambda _s: None)
        step("读取、校验并建立参考人群")
        groups, report = self.reference(period.year)
        self._flags_view(period)
        return groups, report

    # -- pass 2: aggregate --------------------------------------------------------------------
    def compute(self, period_text: str, progress: Progress | None = None) -> ComputeResult:
        period = parse_period(period_text)
        step = progress or (lambda _s: None)
        groups, report = self.prepare(period, step)
        step("计算逐条标志并按机构、月份汇总")
        sums = []
        for m in MEASURES:
            sums += [f"SUM({m.id}_d) AS {m.id}_d", f"SUM({m.id}_n) AS {m.id}_n", f"SUM({m.id}_x) AS {m.id}_x"]
        sums += [f"SUM(x_{c}) AS x_{c}" for c in EXTRA_SUMS]
        cols, rows = self.engine.query(
            f"SELECT org_code, y, m, {', '.join(sums)} FROM flags GROUP BY org_code, y, m"
        )
        step("生成数据项与指标值")
        kinds = ["quarter", "year"] if period.kind == "year" else [period.kind]
        acc: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        total = 0
        for row in rows:
            rec = dict(zip(cols, row, strict=True))
            org, y, mo = rec.pop("org_code"), rec.pop("y"), rec.pop("m")
            total += int(rec["SSZB_d"])
            for kind in kinds:
                a = acc[(org, label(y, mo, kind))]
                for k, v in rec.items():
                    a[k] += float(v or 0)
        values: list[DataValue] = []
        rates: list[Rate] = []
        for (org, per) in sorted(acc):
            a = acc[(org, per)]
            seen: dict[str, float] = {}
            for m in MEASURES:
                seen.setdefault(m.denominator_element, a[f"{m.id}_d"])
                seen.setdefault(m.numerator_element, a[f"{m.id}_n"])
                den = int(a[f"{m.id}_d"])
                num = a[f"{m.id}_n"]
                rates.append(Rate(org, per, m.id, num, den, int(a[f"{m.id}_x"]),
                                  num / den * m.factor if den else None))
            for c in EXTRA_SUMS:
                seen[c] = a[f"x_{c}"]
            for code in ELEMENTS:
                if code in seen:
                    values.append(DataValue(org, per, code, seen[code]))
        return ComputeResult(period.text, self.engine.name, values, rates, report, groups, total)

    # -- drill-down ---------------------------------------------------------------------------
    def drill(self, measure: str, org: str, period_text: str, part: str = "numerator",
              limit: int | None = 100) -> list[dict]:
        m = _measure(measure)
        period = parse_period(period_text)
        self.prepare(period)
        cond = {
            "numerator": f"{m.id}_d = 1 AND {m.id}_n <> 0",
            "denominator": f"{m.id}_d = 1",
            "exclusion": f"{m.id}_x = 1",
        }.get(part)
        if cond is None:
            raise RecordsError(f"未知的明细类别：{part}（可选 numerator、denominator、exclusion）")
        lim = f" LIMIT {int(limit)}" if limit else ""
        reason = _quote(m.exclusion_reason) if m.exclusion_reason else "NULL"
        cols, rows = self.engine.query(
            f"SELECT record_id, org_code, discharge_date, {m.id}_d AS denominator, {m.id}_n AS numerator, "
            f"{m.id}_x AS exclusion, CASE WHEN {m.id}_x = 1 THEN {reason} END AS exclusion_reason "
            f"FROM flags WHERE org_code = {_quote(org)} AND {cond} ORDER BY record_id{lim}"
        )
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def long_flags_sql(self) -> str:
        """The Tuva-shaped table: one row per (measure, record in the measure's population)."""
        parts = []
        for m in MEASURES:
            reason = _quote(m.exclusion_reason) if m.exclusion_reason else "NULL"
            parts.append(
                f"SELECT {_quote(m.id)} AS measure_id, {_quote(m.name)} AS measure_name, "
                f"{_quote(m.version)} AS measure_version, org_code, record_id, discharge_date, "
                f"1 AS denominator_flag, {m.id}_n AS numerator, {m.id}_x AS exclusion_flag, "
                f"CASE WHEN {m.id}_x = 1 THEN {reason} END AS exclusion_reason "
                f"FROM flags WHERE {m.id}_d = 1 OR {m.id}_x = 1"
            )
        return " UNION ALL ".join(parts)


def _measure(measure_id: str) -> Measure:
    m = BY_ID.get(measure_id.upper())
    if m is None:
        raise RecordsError(f"未知的指标：{measure_id}（可选 {'、'.join(BY_ID)}）")
    return m


def check(path: Path, encoding: str = "auto", settings: RecordsSettings | None = None) -> RejectReport:
    """Validate a source and report the rows that break the schema (DuckDB)."""
    with Session(path, "duckdb", encoding=encoding, settings=settings) as s:
        report, _ = s._pass1("input_validated")
        return report


def compute(
    path: Path,
    period: str,
    engine: str | None = None,
    *,
    reference: Path | None = None,
    encoding: str = "auto",
    settings: RecordsSettings | None = None,
    progress: Progress | None = None,
) -> ComputeResult:
    parse_period(period)  # fail fast, before reading anything
    with Session(path, engine, reference=reference, encoding=encoding, settings=settings) as s:
        return s.compute(period, progress)


@contextmanager
def session(path: Path, engine: str | None = None, **kw):
    s = Session(path, engine, **kw)
    try:
        yield s
    finally:
        s.close()
