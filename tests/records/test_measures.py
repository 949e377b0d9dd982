"""Every measure on the hand-made records, against values worked out by hand (see handmade.py)."""

from __future__ import annotations

import pytest

from hqd.records import compute
from hqd.records.pipeline import Session
from hqd.records.settings import RecordsSettings

from .handmade import write_csv, write_parquet

SETTINGS = RecordsSettings()


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = write_parquet(tmp_path_factory.mktemp("hm") / "records.parquet")
    return compute(path, "2025Q2", settings=SETTINGS)


def rate(result, org, measure, period="2025Q2"):
    r = result.rate(org, period, measure)
    assert r is not None, (org, measure)
    return r


# Hospital A, 2025Q2 — (numerator, denominator, excluded, value)
EXPECTED_A = {
    "SSZB": (4, 7, 0, 400 / 7),  # a1 a2 a3 a7 of seven discharges
    "WCSSZB": (1, 4, 0, 25.0),  # a1
    "SJSSBL": (2, 4, 0, 50.0),  # a1 a7
    "SSBFZL": (1, 3, 1, 100 / 3),  # a2 of a1 a2 a7; a3 (emergency) excluded
    "YLQKGRL": (1, 2, 1, 50.0),  # a2 (丙) of a1 a2; a7 (愈合等级 其他) excluded
    "DFXSWL": (1, 5, 0, 20.0),  # a4 died; low-risk cases a1–a5 (G2 and G1)
    "PJZYR": (33, 7, 0, 33 / 7),  # 5+1+8+3+2+4+10 bed-days
    "RJSSZB": (1, 3, 0, 100 / 3),  # a2 of elective a1 a2 a7
    "CJFY": (98000, 7, 0, 14000.0),
    "CJYPFY": (21000, 7, 0, 3000.0),
    # RW·n: (4·7000 + 3000 + 40000) / 9833.33 = 7.220339 over six grouped cases; a6 ungrouped.
    "CMI": (71000 / (177000 / 18), 6, 1, 71000 / (177000 / 18) / 6),
    "CMIJL": (6.7, 6, 1, 6.7 / 6),  # 4·0.8 + 0.5 + 3.0
    # Σ cost / group mean: 40000/7000 + 3000/3000 + 50000/40000
    "FYXHZS": (40000 / 7000 + 2.25, 6, 1, (40000 / 7000 + 2.25) / 6),
    # Σ LOS / group mean: 17/2.9 + 2/2 + 10/8
    "SJXHZS": (17 / 2.9 + 2.25, 6, 1, (17 / 2.9 + 2.25) / 6),
}


@pytest.mark.parametrize("measure", list(EXPECTED_A))
def test_hospital_a(result, measure):
    num, den, exc, value = EXPECTED_A[measure]
    r = rate(result, "A", measure)
    assert r.numerator == pytest.approx(num)
    assert r.denominator == den
    assert r.excluded == exc
    assert r.value == pytest.approx(value)


def test_hospital_without_surgery(result):
    assert rate(result, "C", "SSZB").value == 0.0
    for m in ("WCSSZB", "SJSSBL", "SSBFZL", "YLQKGRL", "RJSSZB"):
        r = rate(result, "C", m)
        assert (r.denominator, r.value) == (0, None), m
    # c1 died in G4 (high risk): not in the low-risk denominator; c2 (G1) is.
    assert (rate(result, "C", "DFXSWL").numerator, rate(result, "C", "DFXSWL").denominator) == (0, 1)


def test_hospital_b_and_low_risk_groups(result):
    r = rate(result, "B", "DFXSWL")
    assert (r.numerator, r.denominator) == (0, 8)  # six G2 and two G1 cases; b9 is G3
    low = {g.drg_code: g for g in result.reference}
    assert [c for c, g in sorted(low.items()) if g.low_risk] == ["G1", "G2"]
    assert low["G2"].z == pytest.approx(-1.1030, abs=1e-3)
    assert low["G3"].z == pytest.approx(0.2584, abs=1e-3)
    assert low["G1"].z is None
    assert low["G2"].rw == pytest.approx(7000 / (177000 / 18))


def test_data_values(result):
    v = {(d.org, d.element): d.value for d in result.data_values if d.period == "2025Q2"}
    assert v[("A", "DISCH")] == 7
    assert v[("A", "DISCH_SURG_PTS")] == 4
    assert v[("A", "L4_PTS")] == 2
    assert v[("A", "ELECT_SURG_PTS")] == 3
    assert v[("A", "COMPL_PTS")] == 1
    assert v[("A", "LR_CASES")] == 5 and v[("A", "LR_DEATHS")] == 1
    assert v[("A", "DISCH_BED_DAYS")] == 33
    assert v[("A", "DISCH_DEATHS")] == 2 and v[("C", "DISCH_DEATHS")] == 1
    assert v[("A", "DISCH_SURG_OPS")] == 4
    assert result.records_in_period == 7 + 9 + 2
    assert {d.period for d in result.data_values} == {"2025Q2"}


def test_external_reference_population(tmp_path, result):
    path = write_parquet(tmp_path / "r.parquet")
    # The same records as an explicit reference: the same groups, hence the same figures.
    same = compute(path, "2025Q2", reference=path, settings=SETTINGS)
    assert [(r.org, r.measure, r.numerator, r.denominator) for r in same.rates] == [
        (r.org, r.measure, r.numerator, r.denominator) for r in result.rates]
    # A reference where G2 is high-risk and G3 is missing: A's low-risk cases shrink to a5 (G1),
    # and a7 (G3) is excluded from the cost index for want of a reference group.
    from .handmade import RECORDS, rec

    ref = [r for r in RECORDS if r["drg_code"] in ("G1", "G4")] + [
        rec("Z", f"z{i}", "G2", 3, 7000, 100, discharge_disposition="5" if i < 3 else "1") for i in range(4)]
    other = compute(path, "2025Q2", reference=write_parquet(tmp_path / "ref.parquet", ref), settings=SETTINGS)
    low = {g.drg_code: g.low_risk for g in other.reference}
    assert low == {"G1": 1, "G2": 0, "G4": 0}
    assert (other.rate("A", "2025Q2", "DFXSWL").denominator, other.rate("A", "2025Q2", "DFXSWL").numerator) == (1, 0)
    fy = other.rate("A", "2025Q2", "FYXHZS")
    assert (fy.denominator, fy.excluded) == (5, 2)  # a6 ungrouped, a7 without a reference group
    assert fy.numerator == pytest.approx(40000 / 7000 + 1)


def test_year_has_quarters_that_add_up(tmp_path):
    res = compute(write_parquet(tmp_path / "r.parquet"), "2025", settings=SETTINGS)
    v = {(d.org, d.period, d.element): d.value for d in res.data_values}
    assert v[("A", "2025", "DISCH")] == 8
    assert v[("A", "2025Q1", "DISCH")] == 1
    assert v[("A", "2025Q2", "DISCH")] == 7
    assert ("A", "2025Q3", "DISCH") not in v


def test_drill_down_returns_the_records_behind_a_numerator(tmp_path):
    with Session(write_parquet(tmp_path / "r.parquet"), settings=SETTINGS) as s:
        ids = lambda m, part="numerator": [r["record_id"] for r in s.drill(m, "A", "2025Q2", part)]  # noqa: E731
        assert ids("SSBFZL") == ["a2"]
        assert ids("SSBFZL", "denominator") == ["a1", "a2", "a7"]
        excluded = s.drill("SSBFZL", "A", "2025Q2", "exclusion")
        assert [(r["record_id"], r["exclusion_reason"]) for r in excluded] == [("a3", "非择期手术")]
        assert ids("DFXSWL") == ["a4"]
        assert ids("YLQKGRL", "exclusion") == ["a7"]
        assert ids("CMI", "exclusion") == ["a6"]
        assert ids("SJSSBL") == ["a1", "a7"]


def test_long_flags_never_count_excluded_records(tmp_path):
    import pyarrow.parquet as pq

    with Session(write_parquet(tmp_path / "r.parquet"), settings=SETTINGS) as s:
        n = s.export_flags("2025Q2", tmp_path / "flags.parquet")
    t = pq.read_table(tmp_path / "flags.parquet").to_pylist()
    assert n == len(t)
    excluded = [r for r in t if r["exclusion_flag"] == 1]
    assert excluded and all(r["numerator"] == 0 for r in excluded)
    a3 = [r for r in t if r["record_id"] == "a3" and r["measure_id"] == "SSBFZL"][0]
    assert (a3["exclusion_flag"], a3["exclusion_reason"], a3["numerator"]) == (1, "非择期手术", 0)
    # The long table sums to the aggregated numerators.
    ssz = [r for r in t if r["measure_id"] == "SJSSBL" and r["org_code"] == "A"]
    assert sum(r["numerator"] for r in ssz) == 2 and len(ssz) == 4


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_csv_matches_parquet_and_reports_bad_rows(tmp_path, result, encoding):
    res = compute(write_csv(tmp_path / "r.csv", encoding), "2025Q2", settings=SETTINGS)
    rep = res.rejects
    assert result.rejects.total_rows == result.rejects.valid_rows == 19
    assert rep.total_rows == 19 + 4  # nothing lost: every row is either valid or reported
    assert rep.rejected == 4 and rep.valid_rows == 19
    assert rep.by_reason == {
        "出院日期（discharge_date）格式无效": 1,
        "实际住院天数小于0": 1,
        "性别（sex）代码未知": 1,
        "表格结构错误（字段个数与表头不符）": 1,
    }
    assert sorted(s["line"] for s in rep.samples) == [21, 22, 23, 24]  # header is line 1, 19 good rows follow
    for m, (num, den, exc, _value) in EXPECTED_A.items():
        r = res.rate("A", "2025Q2", m)
        assert (r.numerator, r.denominator, r.excluded) == (pytest.approx(num), den, exc), m


def test_other_years_are_validated_but_stay_out_of_the_reference(tmp_path, result):
    from .handmade import RECORDS, rec

    # A 2024 death in G1 would make G1 high-risk if it counted in the 2025 reference.
    older = [rec("B", "o1", "G1", 2, 3000, 500, discharge="2024-11-02", discharge_disposition="5")]
    path = write_parquet(tmp_path / "years.parquet", RECORDS + older)
    res = compute(path, "2025Q2", settings=SETTINGS)
    assert res.rejects.total_rows == len(RECORDS) + 1 and res.rejects.rejected == 0
    assert [(g.drg_code, g.n, g.deaths, g.low_risk) for g in res.reference] == [
        (g.drg_code, g.n, g.deaths, g.low_risk) for g in result.reference]
    assert [(r.org, r.measure, r.numerator, r.denominator) for r in res.rates] == [
        (r.org, r.measure, r.numerator, r.denominator) for r in result.rates]
