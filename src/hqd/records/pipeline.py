"""The records service: read and validate, build the reference, flag, aggregate, drill down.

Before the scans, probes (``probes.py``) find the single-column rules that no row breaks, so that
only the others are evaluated row by row. Then two scans per computation, each one query with a
small GROUP BY (hash tables that stay in cache: wide aggregations over many groups are what makes
such queries slow). Scan 1 validates every row against the remaining rules, counts rejects by
reason and sums cases, deaths, cost and LOS per (year, DRG group) of the valid rows (where the
probes found no rule firing, it first only counts the rows breaking any rule left, and groups by
reason only when that count is not 0); the reference
population (low-risk groups, group means, weights) is built from those sums in Python and
registered as a table. Scan 2 reads the valid rows of the period (re-checking only the rules that
named some row in scan 1), joins each to its group's reference row and sums every measure's
record-level flags per (hospital, quarter) — or month for a monthly period. Quarters roll up to
years in Python, as every data element is a sum. Drill-down and the Tuva-shaped long table use the
per-record ``flags`` view, from the same definitions.
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
from .measures import BY_ID, MEASURES, Measure, Projection, aggregates, extra_aggregates, flag_columns
from .periods import Period, parse_period
from .probes import probed_rules, rules_that_never_fire
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
        self._layouts: dict[str, tuple[set[str], set[str], bool]] = {}  # prefix → text, strings, structural
        # prefix → the rules the probes proved no row breaks, for sources where no probed rule fired
        self._cleared: dict[str, frozenset[str]] = {}
        self._one_year: dict[str, int] = {}  # prefix → the year of every discharge, when statistics show one
        self.engine: Engine = make_engine(engine or self.settings.engine, self.settings)
        try:
            self._register("input", path, encoding)
            self.has_reference = reference is not None
            if reference is not None:
                self._register("refinput", reference, encoding)
        except BaseException:
            self.close()
            raise
        self._ref_year: int | None = None
        self._ref: list[RefGroup] = []
        self._scans: dict[str, list[dict]] = {}

    def _register(self, prefix: str, path: Path, encoding: str) -> None:
        src = open_source(Path(path), encoding)
        self.sources.append(src)
        text, strings = self.engine.create_raw_view(f"{prefix}_raw", src)
        structural = src.kind == "csv"
        self._layouts[prefix] = (text, strings, structural)
        self.engine.create_view(f"{prefix}_typed", schema.typed_sql(f"{prefix}_raw", text, strings))
        # Probes answer from Parquet statistics and dictionaries; over CSV each would re-read the file.
        skip: frozenset[str] = frozenset()
        if self.engine.probes and src.kind == "parquet":
            stats = self.engine.column_stats(f"{prefix}_raw")
            skip = rules_that_never_fire(self.engine, f"{prefix}_typed", stats)
            d = stats.get("discharge_date")
            if d is not None and d.nulls == 0 and d.low is not None and str(d.low)[:4] == str(d.high)[:4]:
                self._one_year[prefix] = int(str(d.low)[:4])
            if skip >= probed_rules():
                self._cleared[prefix] = skip
        self.engine.create_view(
            f"{prefix}_validated", schema.validated_sql(f"{prefix}_raw", text, strings, structural, skip)
        )
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

    # -- scan 1: validation, rejects and reference sums -----------------------------------------
    def _scan(self, prefix: str) -> list[dict]:
        """Rows (year, DRG group, reject reason) → cases, deaths, cost, LOS. Rows with a reason
        are counted by reason alone: their year, group and sums are not used."""
        if prefix in self._scans:
            return self._scans[prefix]
        # Every discharge in one year (the statistics show it): no need to extract it row by row.
        y = str(self._one_year[prefix]) if prefix in self._one_year else "CAST(EXTRACT(YEAR FROM discharge_date) AS INTEGER)"
        keys = "drg_code" if prefix in self._one_year else f"{y}, drg_code"  # (GROUP BY 2025 would name a column)
        sums = ("COUNT(*) AS n, COUNT_IF(discharge_disposition = '5') AS deaths, SUM(total_cost) AS cost, "
                "SUM(los) AS los_sum")
        out = None
        text, strings, structural = self._layouts[prefix]
        if prefix in self._cleared:
            # No probed rule fired: count the rows that break any rule left, without naming which.
            # Grouping by a per-row reason costs more; that is done only when this count is not 0.
            inner, bad = schema.violation_sql(f"{prefix}_raw", text, strings, structural, self._cleared[prefix])
            cols, rows = self.engine.query(
                f"SELECT {y} AS y, drg_code AS drg, {sums}, COUNT_IF({bad}) AS bad FROM ({inner}) AS t "
                f"GROUP BY {keys}")
            out = [dict(zip(cols, r, strict=True)) for r in rows]
            out = None if any(r.pop("bad") for r in out) else [r | {"reason": None} for r in out]
        if out is None:
            cols, rows = self.engine.query(
                f"SELECT {y} AS y, drg_code AS drg, _reason AS reason, {sums} "
                f"FROM {prefix}_validated GROUP BY {keys}, _reason"
            )
            out = [dict(zip(cols, r, strict=True)) for r in rows]
        self._scans[prefix] = out
        # Now that every rule's count is known, the valid rows are those breaking none of the rules
        # that named some row: the measures' scan evaluates only those (none on clean data).
        fired = frozenset(r["reason"] for r in out if r["reason"] is not None)
        self.engine.create_view(f"{prefix}_clean", schema.valid_sql(f"{prefix}_raw", text, strings, structural, fired))
        return out

    def rejects(self) -> RejectReport:
        report = RejectReport()
        for r in self._scan("input"):
            n = int(r["n"])
            report.total_rows += n
            if r["reason"] is None:
                report.valid_rows += n
            else:
                report.by_reason[r["reason"]] = report.by_reason.get(r["reason"], 0) + n
        if report.by_reason:
            _, samples = self.engine.query(
                "SELECT _file, _line, record_id, _reason FROM input_validated WHERE _reason IS NOT NULL "
                "ORDER BY _file, _line LIMIT 20"
            )
            report.samples = [
                {"file": str(f), "line": None if ln is None else int(ln), "record_id": rid, "reason": r}
                for f, ln, rid, r in samples
            ]
        return report

    def reference(self, period: Period) -> list[RefGroup]:
        """Reference groups for the period's year of the input, or of the whole external reference."""
        if self._ref_year == period.year:
            return self._ref
        stats: dict[str, list] = {}
        for r in self._scan("refinput" if self.has_reference else "input"):
            if r["reason"] is not None or r["drg"] is None:
                continue
            if not self.has_reference and r["y"] != period.year:
                continue
            acc = stats.setdefault(r["drg"], [0, 0, 0.0, 0.0])
            acc[0] += int(r["n"])
            acc[1] += int(r["deaths"] or 0)
            acc[2] += float(r["cost"] or 0)
            acc[3] += float(r["los_sum"] or 0)
        groups = build_reference({k: tuple(v) for k, v in stats.items()}, self.settings)  # type: ignore[misc]
        self.engine.register_table("ref_drg", REF_COLUMNS, [g.row() for g in groups])
        self._ref_year, self._ref = period.year, groups
        return groups

    # -- scan 2: every measure, per record joined to its DRG group's reference, summed ----------
    def compute(self, period_text: str, progress: Progress | None = None) -> ComputeResult:
        period = parse_period(period_text)
        step = progress or (lambda _s: None)
        step("第一遍扫描：读取、校验，统计不合格记录与参考人群")
        groups = self.reference(period)
        report = self.rejects()
        step("第二遍扫描：逐条计算指标标志，按机构、季度汇总")
        part = "MONTH" if period.type == "month" else "QUARTER"
        proj = Projection()
        wanted: dict[str, str] = {}
        for m in MEASURES:
            wanted |= aggregates(m, proj)
        extras = extra_aggregates(proj)
        wanted |= {f"x_{code}": expr for code, expr in extras.items()}
        unique: dict[str, str] = {}  # expression → column alias; shared aggregates are computed once
        for expr in wanted.values():
            unique.setdefault(expr, f"s{len(unique)}")
        sums = [f"{expr} AS {alias}" for expr, alias in unique.items()]
        ref_cols = ", ".join(f"r.{c}" for c, _ in REF_COLUMNS[1:])
        passed = ", ".join(dict.fromkeys(["drg_code", *proj.record_columns_for_reference(schema.NAMES)]))
        # Periods lie within one calendar year, so the bucket (quarter or month) is the whole key.
        b = f"CAST(EXTRACT({part} FROM discharge_date) AS INTEGER)"
        record = (f"SELECT org_code, {b} AS b, {passed}, {', '.join(proj.columns(reference=False))} FROM input_clean "
                  f"WHERE discharge_date >= {_date(period.first_day)} AND discharge_date < {_date(period.shift(1).first_day)}")
        joined = (f"SELECT v.*, {', '.join(proj.columns(reference=True))} FROM (SELECT v.*, {ref_cols} FROM ({record}) AS v "
                  f"LEFT JOIN ref_drg AS r ON v.drg_code = r.drg_code) AS v")
        cols, rows = self.engine.query(f"SELECT org_code, b, {', '.join(sums)} FROM ({joined}) AS f GROUP BY org_code, b")
        step("生成数据项与指标值")
        kinds = ["quarter", "year"] if period.type == "year" else [period.type]
        acc: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        total = 0
        for row in rows:
            got = dict(zip(cols, row, strict=True))
            org, yy, bb = got.pop("org_code"), period.year, got.pop("b")
            rec = {k: got[unique[e]] for k, e in wanted.items()}
            total += int(rec["SSZB_d"])
            for kind in kinds:
                per = {"year": str(yy), "quarter": f"{yy}Q{bb}", "month": f"{yy}-{bb:02d}"}[kind]
                a = acc[(org, per)]
                for k, v in rec.items():
                    a[k] += float(v or 0)
        values: list[DataValue] = []
        rates: list[Rate] = []
        for org, per in sorted(acc):
            a = acc[(org, per)]
            seen: dict[str, float] = {}
            for m in MEASURES:
                seen.setdefault(m.denominator_element, a[f"{m.id}_d"])
                seen.setdefault(m.numerator_element, a[f"{m.id}_n"])
                den = int(round(a[f"{m.id}_d"]))
                num = a[f"{m.id}_n"]
                excluded = int(round(a[f"{m.id}_p"])) - den if f"{m.id}_p" in a else 0
                rates.append(Rate(org, per, m.id, num, den, excluded, num / den * m.factor if den else None))
            for c in extras:
                seen[c] = a[f"x_{c}"]
            for code in ELEMENTS:
                if code in seen:
                    values.append(DataValue(org, per, code, seen[code]))
        return ComputeResult(str(period), self.engine.name, values, rates, report, groups, total)

    def _flags_view(self, period: Period) -> None:
        self.reference(period)
        ref_cols = ", ".join(f"r.{c}" for c, _ in REF_COLUMNS[1:])
        cols = ["org_code", "record_id", "discharge_date"]
        for m in MEASURES:
            cols += flag_columns(m)
        self.engine.create_view(
            "flags",
            f"SELECT {', '.join(cols)} FROM (SELECT v.*, {ref_cols} FROM input_clean AS v "
            f"LEFT JOIN ref_drg AS r ON v.drg_code = r.drg_code "
            f"WHERE v.discharge_date >= {_date(period.first_day)} AND v.discharge_date < {_date(period.shift(1).first_day)}) AS f",
        )

    # -- drill-down ---------------------------------------------------------------------------
    def drill(self, measure: str, org: str, period_text: str, part: str = "numerator",
              limit: int | None = 100) -> list[dict]:
        m = _measure(measure)
        period = parse_period(period_text)
        self._flags_view(period)
        cond = {
            "numerator": f"{m.id}_d = 1 AND {m.id}_n <> 0",
            "denominator": f"{m.id}_d = 1",
            "exclusion": f"{m.id}_x = 1",
        }.get(part)
        if cond is None:
            raise RecordsError(f"未知的明细类别：{part}（可选 numerator、denominator、exclusion）")
        lim = f" LIMIT {int(limit)}" if limit else ""
        cols, rows = self.engine.query(
            f"SELECT record_id, org_code, discharge_date, {m.id}_d AS denominator, {m.id}_n AS numerator, "
            f"{m.id}_x AS exclusion, {m.id}_r AS exclusion_reason "
            f"FROM flags WHERE org_code = {_quote(org)} AND {cond} ORDER BY record_id{lim}"
        )
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def export_flags(self, period_text: str, out: Path) -> int:
        """Write the Tuva-shaped long table for ``period`` to Parquet (DuckDB); return its rows."""
        self._flags_view(parse_period(period_text))
        sql = self.long_flags_sql()
        copy = getattr(self.engine, "copy_to_parquet", None)
        if copy is None:
            raise RecordsError("逐条标志表导出目前只支持 DuckDB 引擎")
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        copy(sql, Path(out))
        _, rows = self.engine.query(f"SELECT COUNT(*) FROM read_parquet('{_quote(str(out))[1:-1]}')")
        return int(rows[0][0])

    def long_flags_sql(self) -> str:
        """The Tuva-shaped table: one row per (measure, record in the measure's population)."""
        parts = []
        for m in MEASURES:
            parts.append(
                f"SELECT {_quote(m.id)} AS measure_id, {_quote(m.name)} AS measure_name, "
                f"{_quote(m.version)} AS measure_version, org_code, record_id, discharge_date, "
                f"1 AS denominator_flag, {m.id}_n AS numerator, {m.id}_x AS exclusion_flag, "
                f"{m.id}_r AS exclusion_reason "
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
        return s.rejects()


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
