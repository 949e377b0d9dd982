"""Benchmark: a year of quarterly data (orgs × data elements × 4 quarters) imported from CSV and from
xlsx templates into SQLite and PostgreSQL, with every check the import makes (orgs, elements,
periods, numbers, duplicates, locks, validation rules, outliers) and an audit row per value.

Baseline, measured in the same run on the same database: a plain DBAPI `executemany` INSERT of the
same rows into data_value (ids already resolved; no parsing, no checks, no audit). The ratio says what the checks, the
versioning and the audit trail cost on top of the raw write.

The xlsx files have the exact layout `hqd collect template` writes (one sheet per org, one
workbook per quarter); they are produced with openpyxl's write-only mode because filling
templates by hand is not what is measured. openpyxl reading is the slow part of xlsx import, so
the default xlsx size is smaller than the CSV size. The default (1,000 orgs for CSV, 500 for xlsx)
runs in a few minutes on 2 cores; the full size of the issue is

    python bench/collect_import.py --orgs 5000 --xlsx-orgs 5000 [--elements 60] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from hqd.collect.datasets import define_data_set
from hqd.collect.importer import import_file
from hqd.collect.orgs import import_orgs
from hqd.collect.template import FIRST_ROW, GUIDE_SHEET, HEADER_ROW, HEADERS, MARK, META_SHEET
from hqd.store.db import Store, open_store
from hqd.store.elements import upsert_data_elements
from hqd.store.models import DataElement, Org
from hqd.store.values import get_or_create_period

YEAR = 2025
QUARTERS = [f"{YEAR}Q{q}" for q in range(1, 5)]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def _elements(n: int) -> list[dict]:
    return [{"code": f"E{i:02d}", "name": f"数据项{i}", "unit": "人次", "aggregation": "sum"} for i in range(1, n + 1)]


def _orgs_csv(path: Path, n: int) -> None:
    districts = max(1, n // 100)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["机构代码", "机构名称", "上级机构代码", "层级", "机构类型", "等级"])
        w.writerow(["P", "省", "", 1, "", ""])
        for d in range(districts):
            w.writerow([f"D{d:03d}", f"区县{d}", "P", 3, "", ""])
        for i in range(n):
            w.writerow([f"H{i:05d}", f"医院{i}", f"D{i % districts:03d}", 4, "综合", "三级" if i % 3 else "二级"])


def _value(rng: random.Random, org: int, el: int) -> float:
    # E02 ≤ E01 holds (a validation rule); values vary around an org-specific level.
    base = 100 + (org % 50) * 10
    if el == 2:
        return float(int(base * 0.3))
    return float(int(base * (1 + el / 10) * rng.uniform(0.9, 1.1)))


def _setup(store: Store, tmp: Path, n_orgs: int, n_el: int) -> None:
    _orgs_csv(tmp / "orgs.csv", n_orgs)
    with store.session() as s:
        import_orgs(s, tmp / "orgs.csv", actor="bench")
        upsert_data_elements(s, _elements(n_el))
        define_data_set(s, {
            "code": "BENCH", "name": "基准数据集", "period_type": "quarter", "timely_days": 10,
            "elements": [e["code"] for e in _elements(n_el)], "orgs": {"levels": [4]},
            "rules": [{"code": "R1", "name": "E02 不超过 E01", "left": "E02", "operator": "<=", "right": "E01"},
                      {"code": "R2", "name": "E03 为正", "left": "E03", "operator": ">", "right": "0",
                       "severity": "warning"}],
        }, actor="bench")


def _rows(n_orgs: int, n_el: int):
    rng = random.Random(7)
    for q in QUARTERS:
        for o in range(n_orgs):
            for e in range(1, n_el + 1):
                yield f"H{o:05d}", f"E{e:02d}", q, _value(rng, o, e)


def _write_csv(path: Path, n_orgs: int, n_el: int) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["机构代码", "数据项代码", "期间", "数值"])
        for row in _rows(n_orgs, n_el):
            w.writerow(row)
            n += 1
    return n


def _write_xlsx(tmp: Path, n_orgs: int, n_el: int) -> list[Path]:
    """One workbook per quarter in the template layout (write-only mode, for speed)."""
    by_q: dict[str, dict[str, list[tuple[str, float]]]] = {}
    for org, el, q, v in _rows(n_orgs, n_el):
        by_q.setdefault(q, {}).setdefault(org, []).append((el, v))
    paths = []
    for q, orgs in by_q.items():
        wb = Workbook(write_only=True)
        guide = wb.create_sheet(GUIDE_SHEET)
        guide.append(["基准测试"])
        meta = wb.create_sheet(META_SHEET)
        for row in (["mark", MARK], ["version", 1], ["data_set", "BENCH"], ["period", q]):
            meta.append(row)
        for org, values in orgs.items():
            ws = wb.create_sheet(org)
            ws.append(["基准数据集（BENCH）"])
            ws.append(["机构代码", org, "机构名称", org])
            ws.append(["期间", q, "上报截止", ""])
            ws.append(["数据集", "BENCH"])
            ws.append([])
            assert HEADER_ROW == 6 and FIRST_ROW == 7
            ws.append(HEADERS)
            for el, v in values:
                ws.append([el, el, "人次", v, None, None])
        path = tmp / f"BENCH_{q}.xlsx"
        wb.save(path)
        paths.append(path)
    return paths


def _baseline(store: Store, n_orgs: int, n_el: int) -> tuple[int, float]:
    """Plain executemany of the same rows (ids already resolved), one transaction."""
    with store.session() as s:
        orgs = dict(s.execute(select(Org.code, Org.id)).all())
        els = dict(s.execute(select(DataElement.code, DataElement.id)).all())
        periods = {q: get_or_create_period(s, q).id for q in QUARTERS}
    rows = [(orgs[o], els[e], periods[q], v, 1, "bench", "file") for o, e, q, v in _rows(n_orgs, n_el)]
    mark = "%s" if store.dialect == "postgresql" else "?"
    sql = ("INSERT INTO data_value (org_id, data_element_id, period_id, value, version, updated_by, source, "
           f"updated_at) VALUES ({', '.join([mark] * 7)}, CURRENT_TIMESTAMP)")
    start = time.perf_counter()
    raw = store.engine.raw_connection()  # the DBAPI connection itself: no SQLAlchemy in the loop
    try:
        cur = raw.cursor()
        cur.executemany(sql, rows)
        raw.commit()
    finally:
        raw.close()
    return len(rows), time.perf_counter() - start


def _fresh(kind: str, tmp: Path, label: str):
    if kind == "sqlite":
        return None, f"sqlite:///{tmp / f'{label}.db'}"
    import psycopg

    name = f"hqd_bench_{label}_{int(time.time())}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _drop(name: str | None) -> None:
    if name:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_one(kind: str, tmp: Path, label: str, n_orgs: int, n_el: int, action) -> tuple[int, float]:
    name, url = _fresh(kind, tmp, label)
    try:
        store = open_store(url)
        _setup(store, tmp, n_orgs, n_el)
        result = action(store)
        store.dispose()
        return result
    finally:
        _drop(name)


def _import(paths: list[Path]):
    def action(store: Store) -> tuple[int, float]:
        rows = 0
        start = time.perf_counter()
        for p in paths:
            r = import_file(store, p, actor="bench", data_set="BENCH", now=datetime(YEAR + 1, 1, 5, tzinfo=UTC))
            assert r.written and not r.errors, r.errors[:5]
            rows += r.created
        return rows, time.perf_counter() - start
    return action


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orgs", type=int, default=1000)
    ap.add_argument("--elements", type=int, default=60)
    ap.add_argument("--xlsx-orgs", type=int, default=500)
    ap.add_argument("--db", default="sqlite,postgresql")
    args = ap.parse_args(argv if argv is not None else [])
    kinds = [k for k in args.db.split(",") if k]
    if "postgresql" in kinds:
        try:
            import psycopg

            psycopg.connect(PG_ADMIN, connect_timeout=3).close()
        except Exception as exc:  # noqa: BLE001
            print(f"  PostgreSQL 不可用，跳过：{exc}")
            kinds.remove("postgresql")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        t0 = time.perf_counter()
        csv_rows = _write_csv(tmp / "year.csv", args.orgs, args.elements)
        xlsx = _write_xlsx(tmp, args.xlsx_orgs, args.elements)
        print(f"collect import: a year of quarterly data; CSV {args.orgs} orgs × {args.elements} elements × 4 = "
              f"{csv_rows:,} rows, xlsx {args.xlsx_orgs} orgs × {args.elements} × 4 = "
              f"{args.xlsx_orgs * args.elements * 4:,} rows (files written in {time.perf_counter() - t0:.0f} s)")
        for kind in kinds:
            base_n, base_t = _run_one(kind, tmp, "base", args.orgs, args.elements,
                                      lambda s: _baseline(s, args.orgs, args.elements))
            base_rate = base_n / base_t
            print(f"  {kind:10s} baseline executemany : {base_rate:10,.0f} rows/s ({base_n:,} rows, {base_t:.1f} s)")
            for label, paths in (("csv", [tmp / "year.csv"]), ("xlsx", xlsx)):
                n, t = _run_one(kind, tmp, label, args.orgs, args.elements, _import(paths))
                print(f"  {kind:10s} hqd import {label:4s}      : {n / t:10,.0f} rows/s ({n:,} rows, {t:.1f} s)  "
                      f"ratio to baseline {n / t / base_rate:.2f}")
                sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
