"""Deterministic synthetic discharge records (病案首页 subset), written as Parquet in chunks.

Vectorised with numpy, one chunk at a time (memory stays at a few hundred MB per million rows),
one Parquet file per chunk. Chunk k draws from its own generator seeded by (seed, k), so the
output depends only on the arguments, never on timing. 100 million rows are feasible.

The data are synthetic and make no clinical claims: diagnosis, procedure and DRG codes have the
right shape but their pairing is arbitrary. What is modelled:

* hospitals: ~30 % 三级 (larger, more and harder surgery, more day surgery, costlier) and 二级;
* a DRG catalogue (surgical / non-operative procedure / medical groups, CHS-DRG-like codes whose
  second letter A–J, K–Q, R–Z marks the kind), group weights, costs, LOS and mortality skewed
  lognormally, so a handful of groups carry most deaths and many are low-risk;
* LOS lognormal around the group mean; age mixture; costs lognormal with drug and material
  shares; 0.4 % of records ungrouped;
* outliers on purpose (when there are at least 5 hospitals), listed in ``_meta/hospitals.csv``:
  H0002 mortality ×6, H0003 cost ×1.8 and LOS ×1.5, H0004 no surgery at all,
  H0005 complications and surgical-site infections ×8.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import RecordsError

DX = [
    "I10.X00", "E11.900", "J18.900", "I63.900", "I25.103", "I50.900", "J44.100", "K80.100",
    "K35.800", "N18.500", "C34.900", "C16.900", "C18.900", "C50.900", "O80.000", "O82.000",
    "S72.000", "S82.200", "M17.900", "M48.000", "K29.700", "N20.000", "I20.000", "I21.900",
    "J45.900", "A09.900", "R50.900", "G45.900", "H25.900", "K40.900", "D25.900", "N40.X00",
]
PROC = [
    "47.0901", "51.2301", "81.5400", "36.0700", "13.4100", "68.4100", "74.1x00", "79.3501",
    "38.5900", "53.0400", "32.2901", "45.7301", "85.2100", "60.2901", "37.2201", "81.0200",
]
PAYERS = ["01", "02", "03", "04", "05", "06", "07", "08", "99"]
PAYER_P = [0.35, 0.25, 0.15, 0.02, 0.03, 0.02, 0.15, 0.01, 0.02]
DISPOSITIONS = ["1", "2", "3", "4", "9"]
DISPOSITION_P = [0.92, 0.03, 0.02, 0.02, 0.01]
OUTLIERS = {1: "死亡率×6", 2: "费用×1.8、住院日×1.5", 3: "无手术", 4: "并发症与手术部位感染×8"}


@dataclass
class Catalog:
    codes: list[str]
    kind: np.ndarray  # 0 surgical, 1 non-operative procedure, 2 medical
    weight: np.ndarray
    cost: np.ndarray
    los: np.ndarray
    mortality: np.ndarray
    popularity: np.ndarray
    dx: np.ndarray  # index into DX
    proc: np.ndarray  # index into PROC
    female_only: np.ndarray


def drg_catalog(seed: int, n_groups: int = 400) -> Catalog:
    rng = np.random.default_rng([seed, 10_000_019])
    mdcs = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    letters = {0: "ABCDEFGHIJ", 1: "KLMNOPQ", 2: "RSTUVWXYZ"}
    codes: list[str] = []
    kinds: list[int] = []
    seen: set[str] = set()
    while len(codes) < n_groups:
        k = int(rng.choice(3, p=[0.4, 0.15, 0.45]))
        code = (f"{mdcs[int(rng.integers(26))]}{letters[k][int(rng.integers(len(letters[k])))]}"
                f"{int(rng.integers(1, 10))}{'1359'[int(rng.integers(4))]}")
        if code not in seen:
            seen.add(code)
            codes.append(code)
            kinds.append(k)
    kind = np.array(kinds)
    sev = np.array([int(c[3]) for c in codes])
    sev_f = np.select([sev == 1, sev == 3, sev == 5], [1.4, 1.15, 1.0], 0.85)
    weight = np.exp(rng.normal(np.log(0.85), 0.55, n_groups)) * np.where(kind == 0, 1.7, 1.0) * sev_f
    los = np.exp(rng.normal(np.log(7.5), 0.35, n_groups)) * np.where(kind == 0, 0.9, 1.0) * sev_f
    mortality = np.clip(np.exp(rng.normal(np.log(0.002), 1.6, n_groups)) * np.where(sev == 1, 3.0, 1.0), 0, 0.35)
    popularity = np.exp(rng.normal(0, 1.2, n_groups))
    return Catalog(
        codes, kind, np.round(weight, 4), 9500.0 * weight, los, mortality, popularity,
        rng.integers(len(DX), size=n_groups), rng.integers(len(PROC), size=n_groups),
        np.array([c[0] == "O" for c in codes]),
    )


@dataclass
class Hospitals:
    codes: list[str]
    grade: np.ndarray  # 3 or 2
    size: np.ndarray
    p_surg: np.ndarray
    grade_cum: np.ndarray  # (H, 3) cumulative thresholds for grades 1..4
    p_mi: np.ndarray
    p_day: np.ndarray
    cost_f: np.ndarray
    los_f: np.ndarray
    mort_f: np.ndarray
    comp_f: np.ndarray


def hospitals(n: int, seed: int) -> Hospitals:
    rng = np.random.default_rng([seed, 20_000_003])
    grade = np.where(np.arange(n) < max(1, round(n * 0.3)), 3, 2)
    t = grade == 3
    size = np.exp(rng.normal(0, 0.5, n)) * np.where(t, 3.0, 1.0)
    p_surg = np.clip(np.where(t, 0.45, 0.30) + rng.normal(0, 0.04, n), 0.05, 0.8)
    probs = np.where(t[:, None], [0.12, 0.25, 0.35, 0.28], [0.25, 0.35, 0.30, 0.10])
    grade_cum = np.cumsum(probs, axis=1)[:, :3]
    p_mi = np.clip(np.where(t, 0.22, 0.12) + rng.normal(0, 0.03, n), 0.0, 0.6)
    p_day = np.clip(np.where(t, 0.15, 0.06) + rng.normal(0, 0.02, n), 0.0, 0.5)
    cost_f = np.exp(rng.normal(0, 0.12, n)) * np.where(t, 1.15, 1.0)
    los_f = np.exp(rng.normal(0, 0.10, n))
    mort_f = np.exp(rng.normal(0, 0.2, n))
    comp_f = np.exp(rng.normal(0, 0.3, n))
    if n >= 5:
        mort_f[1] *= 6
        cost_f[2] *= 1.8
        los_f[2] *= 1.5
        p_surg[3] = 0.0
        comp_f[4] *= 8
    codes = [f"H{i + 1:04d}" for i in range(n)]
    return Hospitals(codes, grade, size, p_surg, grade_cum, p_mi, p_day, cost_f, los_f, mort_f, comp_f)


def _dict(indices: np.ndarray, values: list[str], mask: np.ndarray | None = None) -> pa.DictionaryArray:
    idx = pa.array(indices.astype(np.int32), mask=mask)
    return pa.DictionaryArray.from_arrays(idx, pa.array(values, type=pa.string()))


def _pick(rng: np.random.Generator, cum: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"), len(cum) - 1)


def generate_chunk(k: int, rows: int, start: int, year: int, seed: int, cat: Catalog, hosp: Hospitals,
                   malformed: int = 0) -> pa.Table:
    rng = np.random.default_rng([seed, k])
    n = rows
    h = _pick(rng, np.cumsum(hosp.size), n)
    surg = rng.random(n) < hosp.p_surg[h]
    surg_groups = np.flatnonzero(cat.kind == 0)
    med_groups = np.flatnonzero(cat.kind != 0)
    gs = surg_groups[_pick(rng, np.cumsum(cat.popularity[surg_groups]), n)]
    gm = med_groups[_pick(rng, np.cumsum(cat.popularity[med_groups]), n)]
    g = np.where(surg, gs, gm)
    ungrouped = rng.random(n) < 0.004

    elective = surg & (rng.random(n) < 0.78)
    day = elective & (rng.random(n) < hosp.p_day[h])
    mean_los = cat.los[g] * hosp.los_f[h]
    los = np.rint(np.exp(rng.normal(np.log(mean_los) - 0.125, 0.5))).astype(np.int32)
    los = np.where(day, (rng.random(n) < 0.5).astype(np.int32), np.maximum(los, 1))

    child = rng.random(n) < 0.08
    age = np.where(child, rng.integers(0, 15, n), np.clip(rng.normal(56, 17, n), 15, 100)).astype(np.int32)
    sex = np.where(cat.female_only[g], 1, (rng.random(n) < 0.52).astype(np.int8))  # 0 → '1' 男, 1 → '2' 女
    route = _pick(rng, np.cumsum([0.32, 0.63, 0.03, 0.02]), n)

    u = rng.random(n)
    gc = hosp.grade_cum[h]
    sgrade = 1 + (u > gc[:, 0]) + (u > gc[:, 1]) + (u > gc[:, 2])
    scount = np.where(surg, 1 + rng.poisson(0.15, n), 0).astype(np.int32)
    mi = surg & (rng.random(n) < hosp.p_mi[h])
    incision = _pick(rng, np.cumsum([0.05, 0.35, 0.48, 0.12]), n)  # 0,1,2,3
    ssi_p = 0.004 * np.choose(incision, [0.5, 1.0, 2.5, 6.0]) * np.where(hosp.comp_f[h] > 4, 8.0, 1.0)
    v = rng.random(n)
    healing = np.where(v < ssi_p, 2, np.where(v < ssi_p + 0.015, 1, np.where(v < ssi_p + 0.02, 3, 0)))
    comp = surg & (rng.random(n) < np.where(elective, 0.006, 0.012) * hosp.comp_f[h])

    age_f = np.where(age >= 75, 2.5, np.where(age < 15, 0.5, 1.0))
    death = rng.random(n) < np.clip(cat.mortality[g] * hosp.mort_f[h] * age_f, 0, 0.9)
    disp = np.where(death, 5, _pick(rng, np.cumsum(DISPOSITION_P), n))
    disp_codes = ["1", "2", "3", "4", "9", "5"]

    cost = cat.cost[g] * hosp.cost_f[h] * np.exp(rng.normal(-0.06, 0.35, n)) * (0.6 + 0.4 * los / mean_los)
    cost = np.round(np.maximum(cost, 300.0), 2)
    drug_share = rng.beta(2.5, 6.0, n)
    mat_share = np.minimum(np.where(surg, rng.beta(2.0, 5.0, n), rng.beta(1.5, 10.0, n)), 0.95 - drug_share)
    drug = np.floor(cost * drug_share * 100) / 100
    material = np.floor(cost * np.maximum(mat_share, 0) * 100) / 100
    payer = _pick(rng, np.cumsum(PAYER_P), n)

    discharge = (np.datetime64(f"{year}-01-01") - np.datetime64("1970-01-01")).astype(np.int64)
    days_in_year = 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365
    dday = discharge + rng.integers(0, days_in_year, n)
    aday = dday - los
    n_other = rng.integers(0, 4, n)
    other_idx = rng.integers(0, len(DX), (n, 3))
    combos = _other_dx_combos()
    other = np.where(n_other == 0, 0, 1 + (other_idx[:, 0] * len(DX) + other_idx[:, 1]) % (len(combos) - 1))

    record_no = np.arange(start, start + n, dtype=np.int64) + year * 10**10
    if malformed:
        m = min(malformed, n)
        sel = np.arange(m)
        kinds = sel % 4
        los[sel[kinds == 0]] = -1
        aday[sel[kinds == 1]] = dday[sel[kinds == 1]] + 3
        sex[sel[kinds == 2]] = 3  # unknown code
        sgrade[sel[kinds == 3]] = 5
        surg[sel[kinds == 3]] = True
        scount[sel[kinds == 3]] = np.maximum(scount[sel[kinds == 3]], 1)

    table = pa.table({
        "org_code": _dict(h, hosp.codes),
        "record_id": pc.cast(pa.array(record_no), pa.string()),
        "admit_date": pa.array(aday.astype(np.int32), type=pa.date32()),
        "discharge_date": pa.array(dday.astype(np.int32), type=pa.date32()),
        "los": pa.array(los),
        "age": pa.array(age),
        "sex": _dict(sex, ["1", "2", "9", "7"]),
        "admission_route": _dict(route, ["1", "2", "3", "9"]),
        "primary_dx": _dict(cat.dx[g], DX),
        "other_dx": _dict(other, combos, mask=other == 0),
        "procedure_code": _dict(cat.proc[g], PROC, mask=~surg),
        "surgery_count": pa.array(scount),
        "surgery_grade": pa.array(sgrade.astype(np.int32), mask=~surg),
        "minimally_invasive": pa.array(mi.astype(np.int32)),
        "day_surgery": pa.array(day.astype(np.int32)),
        "elective": pa.array(elective.astype(np.int32)),
        "incision_class": _dict(incision, ["0", "1", "2", "3"], mask=~surg),
        "healing_grade": _dict(healing, ["甲", "乙", "丙", "其他"], mask=~surg),
        "complication": pa.array(comp.astype(np.int32)),
        "discharge_disposition": _dict(np.where(death, 5, disp), disp_codes),
        "drg_code": _dict(g, cat.codes, mask=ungrouped),
        "drg_weight": pa.array(cat.weight[g], mask=ungrouped),
        "total_cost": pa.array(cost),
        "drug_cost": pa.array(drug),
        "material_cost": pa.array(material),
        "payer": _dict(payer, PAYERS),
    })
    return table


def _other_dx_combos() -> list[str]:
    combos = [""]
    for i in range(len(DX)):
        for j in range(1, 4):
            combos.append("|".join(DX[(i + j * t) % len(DX)] for t in range(1, j + 1)))
    return combos


def synth(out: Path, rows: int, hospitals_n: int, year: int, seed: int = 20250101,
          chunk_rows: int = 2_000_000, malformed: int = 0, progress=None) -> list[Path]:
    """Write ``rows`` records for ``hospitals_n`` hospitals discharged in ``year`` under ``out``."""
    if rows < 1 or hospitals_n < 1:
        raise RecordsError("记录数和医院数都必须是正整数")
    if not 1900 <= year <= 2100:
        raise RecordsError(f"年份超出范围：{year}")
    if chunk_rows < 1:
        raise RecordsError("每块记录数必须是正整数")
    out = Path(out)
    if out.exists() and any(out.glob("part-*.parquet")):
        raise RecordsError(f"输出目录已有数据文件：{out}（请换一个目录或先清空）")
    out.mkdir(parents=True, exist_ok=True)
    cat = drg_catalog(seed)
    hosp = hospitals(hospitals_n, seed)
    meta = out / "_meta"
    meta.mkdir(exist_ok=True)
    with (meta / "hospitals.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["org_code", "name", "grade", "outlier"])
        for i, code in enumerate(hosp.codes):
            w.writerow([code, f"合成医院{i + 1:04d}", "三级" if hosp.grade[i] == 3 else "二级",
                        OUTLIERS.get(i, "") if hospitals_n >= 5 else ""])
    paths = []
    n_chunks = (rows + chunk_rows - 1) // chunk_rows
    for k in range(n_chunks):
        start = k * chunk_rows
        n = min(chunk_rows, rows - start)
        table = generate_chunk(k, n, start, year, seed, cat, hosp, malformed if k == 0 else 0)
        path = out / f"part-{k:05d}.parquet"
        pq.write_table(table, path, row_group_size=1 << 20)
        paths.append(path)
        if progress:
            progress(n)
    return paths
