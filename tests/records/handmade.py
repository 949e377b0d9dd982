"""A small hand-made set of discharge records whose measures are worked out by hand.

Hospitals: A (mixed, surgery, exclusions, a low-risk death), B (medical only, no deaths) and
C (no surgery at all, one death in a high-risk group). DRG groups in the reference year 2025:

  group  cases  deaths  mortality  ln(mortality)   total cost  mean cost  total LOS  mean LOS  weight
  G1       5      0      0          —  (→ low)       15 000       3 000       10        2        0.5
  G2      10      1      0.1      −2.302585          70 000       7 000       29        2.9      0.8
  G3       2      1      0.5      −0.693147          80 000      40 000       16        8        3.0
  G4       1      1      1.0       0                 12 000      12 000        7        7        1.5

ln-mortality of G2–G4: mean −0.998577, sample SD 1.181484; z(G2) = −1.103, z(G3) = 0.258,
z(G4) = 0.845 ⇒ low-risk groups: G1 (no deaths) and G2 (z < −1).
Overall mean cost of grouped cases = 177 000 / 18 = 9 833.33 ⇒ RW: G1 0.305085, G2 0.711864,
G3 4.067797, G4 1.220339.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hqd.records.schema import COLUMNS, NAMES

BASE = {
    "age": 50, "sex": "1", "admission_route": "2", "primary_dx": "I10.X00", "other_dx": None,
    "procedure_code": None, "surgery_count": 0, "surgery_grade": None, "minimally_invasive": 0,
    "day_surgery": 0, "elective": 0, "incision_class": None, "healing_grade": None, "complication": 0,
    "discharge_disposition": "1", "payer": "01", "material_cost": 0.0,
}
WEIGHT = {"G1": 0.5, "G2": 0.8, "G3": 3.0, "G4": 1.5}


def rec(org, rid, drg, los, cost, drug, discharge="2025-05-10", **kw):
    from datetime import date, timedelta

    d = date.fromisoformat(discharge)
    r = dict(BASE)
    r.update(org_code=org, record_id=rid, drg_code=drg, drg_weight=WEIGHT.get(drg), los=los,
             total_cost=float(cost), drug_cost=float(drug), discharge_date=d, admit_date=d - timedelta(days=los))
    r.update(kw)
    return r


def surgery(grade, elective=1, mi=0, day=0, incision="1", healing="甲", comp=0):
    return dict(surgery_count=1, surgery_grade=grade, elective=elective, minimally_invasive=mi, day_surgery=day,
                incision_class=incision, healing_grade=healing, complication=comp, procedure_code="47.0901")


RECORDS = [
    # Hospital A, 2025Q2: seven discharges.
    rec("A", "a1", "G2", 5, 10000, 2000, **surgery(4, mi=1)),
    rec("A", "a2", "G2", 1, 6000, 1000, **surgery(3, day=1, healing="丙", comp=1)),  # day surgery, SSI, complication
    rec("A", "a3", "G2", 8, 20000, 5000, **surgery(2, elective=0, incision="2", comp=1)),  # emergency: excluded
    rec("A", "a4", "G2", 3, 4000, 1500, discharge_disposition="5"),  # death in a low-risk group
    rec("A", "a5", "G1", 2, 3000, 1000),
    rec("A", "a6", None, 4, 5000, 500, drg_weight=None),  # ungrouped
    rec("A", "a7", "G3", 10, 50000, 10000, discharge_disposition="5", **surgery(4, healing="其他")),
    # Hospital A, 2025Q1: outside 2025Q2, inside the reference year.
    rec("A", "a0", "G1", 2, 3000, 1000, discharge="2025-02-01"),
    # Hospital B: medical only, no deaths.
    *[rec("B", f"b{i}", "G2", 2, 5000, 500) for i in range(1, 7)],
    rec("B", "b7", "G1", 2, 3000, 500),
    rec("B", "b8", "G1", 2, 3000, 500),
    rec("B", "b9", "G3", 6, 30000, 3000),
    # Hospital C: no surgery at all.
    rec("C", "c1", "G4", 7, 12000, 3000, discharge_disposition="5"),
    rec("C", "c2", "G1", 2, 3000, 500),
]

# Rows that break the schema (CSV only): each must be reported and set aside.
BAD_CSV_ROWS = [
    {"record_id": "x1", "discharge_date": "2025-02-30"},  # impossible date
    {"record_id": "x2", "los": "-1"},  # LOS < 0
    {"record_id": "x3", "sex": "7"},  # unknown code
]


def write_parquet(path: Path, records=RECORDS) -> Path:
    types = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "DOUBLE": pa.float64(), "DATE": pa.date32()}
    table = pa.table({c.name: pa.array([r.get(c.name) for r in records], type=types[c.type]) for c in COLUMNS})
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def _text(v) -> str:
    return "" if v is None else str(v)


def write_csv(path: Path, encoding: str = "utf-8", bad: bool = True) -> Path:
    rows = [[_text(r.get(n)) for n in NAMES] for r in RECORDS]
    if bad:
        template = rec("A", "x", "G1", 2, 3000, 1000)
        for b in BAD_CSV_ROWS:
            r = dict(template)
            r.update(b)
            rows.append([_text(r.get(n)) for n in NAMES])
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(NAMES)
        w.writerows(rows)
        if bad:
            f.write("A,x4,2025-05-01\n")  # too few fields
    return path
