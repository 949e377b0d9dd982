"""Benchmark: a province's full evaluation from the store — 5,000 hospitals × 150 indicators × 20 quarters.

The store holds a province, 10 cities, 100 districts and 5,000 public hospitals (三级/二级 ×
综合/专科/中医), every data element the indicators need for 2021Q1–2025Q4 plus the annual figures
of 2024 and 2025. The 150 indicators are the catalog's 108 computable ones and 42 a province adds
in its own YAML file. Timed, end to end as `hqd evaluate` / `hqd score` / `hqd alerts` do it:

1. read data values and compute every indicator for every org and quarter, rolled up the tree;
2. target progress of every org × indicator (Open SDG statuses, projections);
3. 国考-style scoring of the 三级 and the 二级 hospitals for 2025 with rank changes since 2024;
4. the 督办 list of lagging targets, grouped by responsible unit.

Three runs: the first evaluation, which builds the value cache from the database (hqd.store.value_cache);
then, after 50 hospitals have entered a quarter's data set, a new process, which loads the saved cache and
reads the rows written since (what `hqd evaluate` does; the goal is judged on this run); then, after
another 50 hospitals' entries, the same process again (what the web server does).

Baseline in the same run: the scalar `assess` of one target, times the number of targets (what a
straightforward loop costs), and one compiled SQL query per indicator and quarter (the store's
`indicator_values`), timed on a sample and extrapolated.

The database is built once and kept (PostgreSQL: database hqd_bench_evaluate; SQLite:
bench/.cache/evaluate.sqlite); `--rebuild` builds it again.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from hqd.catalog import builtin_paths, default_catalog, load_catalog
from hqd.evaluate import STATUSES, assess
from hqd.evaluate.alerts import LaggingTargets
from hqd.evaluate.progress import assess_arrays
from hqd.indicators import plan
from hqd.monitoring import indicator_table, indicator_values, score_hospitals
from hqd.periods import Period, date_time

PG_ADMIN = os.environ.get("HQD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
BENCH_DB = "hqd_bench_evaluate"
CACHE = Path(__file__).resolve().parent / ".cache"
EXTRA = 42  # indicators a province adds to the national sets


def province_catalog(folder: Path):
    """The built-in catalog plus a province's own ratio indicators over the same data elements."""
    cat = default_catalog()
    flows = sorted(c for c, e in cat.elements.items() if not e.derived and e.aggregation == "sum")
    lines = ["kind: indicators", "set: PV", "name: 省级补充指标", "version: \"2025\"", "indicators:"]
    for k in range(EXTRA):
        num, den = flows[k % len(flows)], flows[(k * 7 + 3) % len(flows)]
        if num == den:
            den = flows[(k * 7 + 4) % len(flows)]
        lines.append(f"  - {{code: PV-{k + 1:02d}, name: 省级补充指标{k + 1}, dimension: [运营效率], kind: 定量, "
                     f"unit: \"%\", direction: {'逐步提高' if k % 3 else '逐步降低'}, source: 省级监测, tag: U, "
                     f"definition: 省级补充监测指标。, numerator: {num}, denominator: {den}, factor: 100}}")
    path = folder / "province.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_catalog([*builtin_paths(), path])


def computable(cat) -> list[str]:
    return [c for c, i in cat.indicators.items()
            if i.formula is not None and any(p.code == c for p in plan(c, catalog=cat))]


def _url(kind: str) -> str:
    if kind == "sqlite":
        CACHE.mkdir(exist_ok=True)
        return f"sqlite:///{CACHE / 'evaluate.sqlite'}"
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{BENCH_DB}"


def _exists(kind: str, orgs: int) -> bool:
    if kind == "sqlite":
        path = CACHE / "evaluate.sqlite"
        return path.exists() and path.with_suffix(".done").exists() and path.with_suffix(".done").read_text() == str(orgs)
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DB,)).fetchone():
            return False
    with psycopg.connect(PG_ADMIN.rsplit("/", 1)[0] + f"/{BENCH_DB}") as conn:
        done = conn.execute("SELECT to_regclass('bench_done')").fetchone()[0]
        return bool(done) and conn.execute("SELECT orgs FROM bench_done").fetchone()[0] == orgs


def _drop(kind: str) -> None:
    if kind == "sqlite":
        for p in CACHE.glob("evaluate.*"):
            p.unlink()
        return
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def build(kind: str, orgs: int, quarters: list[str], years: list[str], cat) -> None:
    """The province, its data elements and data values (generated, written in bulk)."""
    from sqlalchemy import insert, select

    from hqd.collect.datasets import load_catalog_elements
    from hqd.store.db import open_store
    from hqd.store.models import DataElement, Org
    from hqd.store.values import get_or_create_period

    _drop(kind)
    store = open_store(_url(kind))
    rng = np.random.default_rng(2025)
    n_cities, n_districts = max(orgs // 500, 1), max(orgs // 50, 1)
    with store.session() as s:
        load_catalog_elements(s)
        s.execute(insert(Org), [{"code": "P", "name": "某省", "level": 1, "path": "/P/"}])
        ids = dict(s.execute(select(Org.code, Org.id)).all())
        city = [f"C{c:02d}" for c in range(n_cities)]
        s.execute(insert(Org), [{"code": c, "name": f"第{k + 1}市", "level": 2, "path": f"/P/{c}/", "parent_id": ids["P"]}
                                for k, c in enumerate(city)])
        ids = dict(s.execute(select(Org.code, Org.id)).all())
        district = [(f"D{d:03d}", city[d % n_cities]) for d in range(n_districts)]
        s.execute(insert(Org), [{"code": d, "name": f"第{k + 1}区", "level": 3, "parent_id": ids[c],
                                 "path": f"/P/{c}/{d}/"} for k, (d, c) in enumerate(district)])
        ids = dict(s.execute(select(Org.code, Org.id)).all())
        grades, types = ["三级", "二级"], ["综合", "专科", "中医"]
        hospitals = [(f"H{h:05d}", *district[h % n_districts]) for h in range(orgs)]
        s.execute(insert(Org), [{"code": code, "name": f"医院{k + 1}", "level": 4, "parent_id": ids[d],
                                 "grade": grades[int(k % 5 > 1)], "type": types[k % 3], "path": f"/P/{c}/{d}/{code}/"}
                                for k, (code, d, c) in enumerate(hospitals)])
        ids = dict(s.execute(select(Org.code, Org.id)).all())
        hospital_ids = np.array([ids[code] for code, _d, _c in hospitals])
        element_ids = {e.code: e.id for e in s.query(DataElement)}
        period_ids = [get_or_create_period(s, p).id for p in quarters + years]
    used = sorted({r.code for c in computable(cat) for p in plan(c, catalog=cat) for r in p.columns})
    q = len(quarters)
    with store.engine.begin() as conn:
        if kind == "postgresql":  # generated keys are valid: skip the per-row foreign-key triggers
            conn.exec_driver_sql("ALTER TABLE data_value DISABLE TRIGGER ALL")
        for e in used:
            scale = rng.lognormal(6, 1.2, orgs)
            trend = 1 + rng.normal(0.01, 0.01, orgs)[None, :] * np.arange(q)[:, None]
            quarterly = np.maximum(np.round(scale * trend * rng.uniform(0.97, 1.03, (q, orgs))), 0)
            last_year = [quarterly[-8:-4].sum(0), quarterly[-4:].sum(0)]
            values = np.concatenate([quarterly, np.stack(last_year)])
            missing = rng.random(values.shape) < 0.02  # not every hospital reports every figure
            period = np.repeat(np.array(period_ids), orgs).reshape(values.shape)
            org = np.broadcast_to(hospital_ids, values.shape)
            keep = ~missing
            _write(conn, org[keep], np.full(keep.sum(), element_ids[e]), period[keep], values[keep])
    with store.engine.begin() as conn:
        if kind == "postgresql":
            conn.exec_driver_sql("ALTER TABLE data_value ENABLE TRIGGER ALL")
        conn.exec_driver_sql("ANALYZE")
        if kind == "sqlite":
            Path(CACHE / "evaluate.done").write_text(str(orgs))
        else:
            conn.exec_driver_sql("CREATE TABLE bench_done (orgs integer)")
            conn.exec_driver_sql(f"INSERT INTO bench_done VALUES ({orgs})")
    store.dispose()


def _write(conn, org, element, period, value) -> None:
    n = len(org)
    if conn.dialect.name == "postgresql":
        row = np.dtype([("n", ">i2"), ("l1", ">i4"), ("o", ">i4"), ("l2", ">i4"), ("e", ">i4"), ("l3", ">i4"),
                        ("p", ">i4"), ("l4", ">i4"), ("v", ">f8"), ("l5", ">i4"), ("ver", ">i4"), ("l6", ">i4"),
                        ("at", ">i8")])
        a = np.zeros(n, dtype=row)
        a["n"], a["l1"], a["l2"], a["l3"], a["l4"], a["l5"], a["ver"], a["l6"] = 6, 4, 4, 4, 8, 4, 1, 8
        a["at"] = 820_454_400_000_000  # 2026-01-01, in microseconds since 2000-01-01
        a["o"], a["e"], a["p"], a["v"] = org, element, period, value
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy("COPY data_value (org_id, data_element_id, period_id, value, version, updated_at) "
                                           "FROM STDIN (FORMAT binary)") as copy:
            copy.write(b"PGCOPY\n\xff\r\n\x00" + bytes(8) + a.tobytes() + b"\xff\xff")
        return
    rows = zip(org.tolist(), element.tolist(), period.tolist(), value.tolist(), strict=True)
    conn.exec_driver_sql("INSERT INTO data_value (org_id, data_element_id, period_id, value, version, updated_at) "
                         "VALUES (?, ?, ?, ?, 1, '2026-01-01 00:00:00.000000')", list(rows))


def _pg_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001
        return False


def evaluate(store, cat, codes: list[str], quarters: list[str]) -> tuple[dict[str, float], dict]:
    """The full evaluation, timed by stage."""
    timings: dict[str, float] = {}
    table = indicator_table(store, codes, quarters, catalog=cat, timings=timings)
    n_orgs, n_ind = len(table.orgs), len(table.codes)

    t = time.perf_counter()
    values = table.value
    up = np.array([cat.get(c).direction != "逐步降低" for c in table.codes])
    rng = np.random.default_rng(7)
    goal = values[0] * np.where(up, rng.uniform(1.0, 1.3, (n_orgs, n_ind)), rng.uniform(0.7, 1.0, (n_orgs, n_ind)))
    up2 = np.broadcast_to(up, (n_orgs, n_ind))
    status, ratio = assess_arrays(values[0], np.full((n_orgs, n_ind), Period.parse(quarters[0]).end_time), values[-1],
                                  np.full((n_orgs, n_ind), Period.parse(quarters[-1]).end_time), goal, up2,
                                  np.full((n_orgs, n_ind), date_time("2025-12-31")))
    timings["target progress"] = time.perf_counter() - t

    t = time.perf_counter()
    scored = {name: score_hospitals(store, name, 2025)[0] for name in ("三级", "二级")}
    timings["scoring 三级 + 二级 (2 years) + rank changes"] = time.perf_counter() - t

    t = time.perf_counter()
    alerts = LaggingTargets.from_arrays(table.codes, table.orgs, [[o] for o in table.orgs], status, goal, values[0],
                                        values[-1], ratio, (quarters[0], quarters[-1]))
    grouped = alerts.by_unit()
    timings["督办 list"] = time.perf_counter() - t
    return timings, {"table": table, "goal": goal, "up": up, "status": status, "scored": scored, "alerts": alerts,
                     "grouped": grouped}


def _report(title: str, timings: dict[str, float], goal: bool = False) -> float:
    total = sum(timings.values())
    verdict = f" (goal < 5 s: {'met' if total < 5 else 'NOT met'})" if goal else ""
    print(f"  {title}: {total:.2f} s{verdict}")
    for stage, sec in timings.items():
        print(f"    stage {stage:44s} {sec:6.2f} s  {sec / total:6.1%}")
    return total


def _enter_quarter(store, quarter: str, hospitals: int) -> int:
    """What happens between two evaluations: `hospitals` hospitals enter or correct a quarter's data
    set through the store (stamped now, audited)."""
    from sqlalchemy import select

    from hqd.store.models import DataElement, DataValue, Org
    from hqd.store.models import Period as StoredPeriod
    from hqd.store.values import ValueWrite, write_values

    with store.session() as s:
        period = s.scalar(select(StoredPeriod.id).where(StoredPeriod.code == quarter))
        orgs = s.scalars(select(Org.id).where(Org.level == 4).order_by(Org.id).limit(hospitals)).all()
        elements = s.scalars(select(DataElement.id).where(DataElement.id.in_(
            select(DataValue.data_element_id).where(DataValue.period_id == period).distinct()))).all()
        writes = [ValueWrite(o, e, period, float(1000 + (o * 7 + e) % 500), f"{o}|{e}|{quarter}")
                  for o in orgs for e in elements]
        write_values(s, writes, actor="bench", source="form", check_locks=False)
    return len(writes)


def main(orgs: int = 5000, db: str = "auto", rebuild: bool = False) -> None:
    from hqd.store import value_cache
    from hqd.store.db import open_store

    kind = db if db != "auto" else ("postgresql" if _pg_answers() else "sqlite")
    quarters = [str(Period(2021 + k // 4, "Q", k % 4 + 1)) for k in range(20)]
    years = ["2024", "2025"]
    with tempfile.TemporaryDirectory() as tmp:
        cat = province_catalog(Path(tmp))
    codes = computable(cat)
    if rebuild or not _exists(kind, orgs):
        t = time.perf_counter()
        print(f"evaluate: building the {kind} benchmark database ({orgs} hospitals) …", flush=True)
        build(kind, orgs, quarters, years, cat)
        print(f"  built in {time.perf_counter() - t:.0f} s (not part of the timings)")
    os.environ.setdefault("HQD_DATA_DIR", str(CACHE / "data"))  # where the value cache of a PostgreSQL store is saved
    store = open_store(_url(kind))
    saved = value_cache.cache_path(store)
    if saved is not None and saved.exists():
        saved.unlink()
    value_cache.forget(store)

    print(f"evaluate ({kind}): {orgs} hospitals × 150 indicators × {len(quarters)} quarters, from the store")
    cold, _ = evaluate(store, cat, codes, quarters)
    changed = _enter_quarter(store, quarters[-1], 50)
    value_cache.forget(store)  # a new `hqd evaluate` process: the saved cache, then the rows written since
    timings, got = evaluate(store, cat, codes, quarters)
    again = _enter_quarter(store, quarters[-2], 50)
    warm, _ = evaluate(store, cat, codes, quarters)  # the web server's process: its cache in memory
    table, goal, up, status = got["table"], got["goal"], got["up"], got["status"]
    n_orgs, n_ind = len(table.orgs), len(table.codes)
    print(f"  {n_orgs - orgs} regions above the hospitals; {n_ind} indicators")
    _report("first evaluation, value cache built from the database", cold)
    total = _report(f"full evaluation and scoring, new process, after {changed:,} values were entered", timings,
                    goal=True)
    _report(f"again in the same process, after {again:,} more values were entered", warm)

    # baselines: scalar assess per target; one SQL per indicator and quarter
    rng = np.random.default_rng(7)
    values = table.value
    first, last = quarters[0], quarters[-1]
    sample = 2000
    targets = np.flatnonzero(~np.isnan(goal).ravel())
    idx = rng.choice(targets, sample)
    t = time.perf_counter()
    for k in idx:
        o, j = divmod(int(k), n_ind)
        assess(">=" if up[j] else "<=", float(goal[o, j]), None, "%", "2025-12-31",
               [(first, float(values[0, o, j])), (last, float(values[-1, o, j]))])
    scalar = (time.perf_counter() - t) / sample * len(targets)
    t = time.perf_counter()
    probe = [("T3-04", quarters[-1]), ("RG-01", quarters[-2])]
    for code, per in probe:
        indicator_values(store, code, per)
    per_query = (time.perf_counter() - t) / len(probe)
    one_sql = per_query * n_ind * len(quarters)
    bulk = timings["read data values"] + timings["indicator values + roll-up"]

    n_values = int((~np.isnan(values)).sum())
    print(f"  indicator values computed: {n_values:,}; targets assessed: {len(targets):,}; statuses: "
          + ", ".join(f"{s} {np.count_nonzero(status == i):,}" for i, s in enumerate(STATUSES)))
    print(f"  baseline, scalar assess per target: {scalar:.1f} s for all targets "
          f"({scalar / timings['target progress']:.0f}x the vectorized stage)")
    print(f"  baseline, one SQL query per indicator and quarter: {per_query:.2f} s a query, {one_sql:.0f} s for all "
          f"({one_sql / bulk:.0f}x the cached read and array evaluation)")
    print(f"  total against the first evaluation: {sum(cold.values()) / total:.1f}x faster")
    print("  scored: " + "; ".join(f"{k} {sum(r.score is not None for r in v):,} hospitals, "
                                   f"{sum(bool(r.rank_change) for r in v):,} rank changes" for k, v in got["scored"].items())
          + f"; 督办 items: {len(got['alerts']):,} under {len(got['grouped'])} units")
    store.dispose()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orgs", type=int, default=5000)
    ap.add_argument("--db", choices=["auto", "postgresql", "sqlite"], default="auto")
    ap.add_argument("--rebuild", action="store_true")
    a = ap.parse_args()
    main(a.orgs, a.db, a.rebuild)
