"""Each formula kind on hand-made values, compared with results computed by hand; the Python
evaluator, SQLite and DuckDB must all agree with the hand computation."""

from __future__ import annotations

import math

import pytest

from hqd.catalog import default_catalog
from hqd.catalog.models import Formula
from hqd.indicators import Period, compile_sql, evaluate, plan, plan_formula

CAT = default_catalog()
PARENTS = {"H1": "R", "H2": "R"}


def _check(p, period, values, expected, engine, parents=PARENTS, rollup=True):
    """expected: {org: (value, reason)}; value None means missing."""
    name, run = engine
    rows = run(compile_sql(p, period, dialect=name, rollup=rollup), values, parents)
    for org, (want, want_reason) in expected.items():
        py = evaluate(p, org, period, values, parents, rollup=rollup)
        assert py.reason == want_reason, (org, py)
        if want is None:
            assert py.value is None
            if org in rows:
                assert rows[org][2] is None and rows[org][3] == want_reason
        else:
            assert py.value == pytest.approx(want, rel=1e-12), (org, py)
            assert rows[org][2] == pytest.approx(want, rel=1e-12), (name, org, rows[org])
            assert rows[org][3] is None


def test_ratio_rolls_up_by_summing_numerators_and_denominators(engine):
    # 出院患者手术占比: H1 300/1000 = 30%, H2 400/4000 = 10%; region 700/5000 = 14% (not the 20% mean)
    v = {("H1", "2024", "DISCH_SURG_OPS"): 300, ("H1", "2024", "DISCH"): 1000,
         ("H2", "2024", "DISCH_SURG_OPS"): 400, ("H2", "2024", "DISCH"): 4000}
    _check(plan("T3-04")[0], "2024", v, {"H1": (30.0, None), "H2": (10.0, None), "R": (14.0, None)}, engine)


def test_growth_rate_across_years(engine):
    # 医疗收入增幅: H1 1000 → 1100 = 10%; H2 2500 → 3000 = 20%; region 3500 → 4100 = 600/3500
    v = {("H1", "2023", "MED_INC"): 1000, ("H1", "2024", "MED_INC"): 1100,
         ("H2", "2023", "MED_INC"): 2500, ("H2", "2024", "MED_INC"): 3000}
    _check(plan("T3-37")[0], "2024", v,
           {"H1": (10.0, None), "H2": (20.0, None), "R": (600 / 3500 * 100, None)}, engine)


def test_per_case_cost_growth(engine):
    # 门诊次均费用增幅: H1 80 → 100 per visit = 25%; H2 100 → 150 = 50%;
    # region 2800/30 → 4000/30, i.e. (4000 - 2800) / 2800 = 42.857…%
    v = {("H1", "2024", "OP_INC"): 1000, ("H1", "2024", "OPE_VISITS"): 10,
         ("H1", "2023", "OP_INC"): 800, ("H1", "2023", "OPE_VISITS"): 10,
         ("H2", "2024", "OP_INC"): 3000, ("H2", "2024", "OPE_VISITS"): 20,
         ("H2", "2023", "OP_INC"): 2000, ("H2", "2023", "OPE_VISITS"): 20}
    _check(plan("T3-38")[0], "2024", v,
           {"H1": (25.0, None), "H2": (50.0, None), "R": (1200 / 2800 * 100, None)}, engine)


def test_missing_previous_year_is_explicit(engine):
    v = {("H1", "2024", "MED_INC"): 1100}
    _check(plan("T3-37")[0], "2024", v, {"H1": (None, "missing:MED_INC@lastyear")}, engine)


def test_previous_period_average_staff(engine):
    # 每名执业医师日均住院工作负担: 36500 bed-days / ((12 + 8) / 2 doctors) / 365 = 10 床日
    v = {("H1", "2024", "ACT_BED_DAYS"): 36500, ("H1", "2024", "DOCTORS"): 12, ("H1", "2023", "DOCTORS"): 8}
    _check(plan("T3-25")[0], "2024", v, {"H1": (10.0, None)}, engine)


def test_per_thousand_population_with_region_level_denominator(engine):
    # 每千常住人口床位数: beds 500 + 350 at hospitals, population 100000 at the region → 8.5
    v = {("H1", "2024", "BEDS"): 500, ("H2", "2024", "BEDS"): 350, ("R", "2024", "RES_POP"): 100000}
    _check(plan("RG-03")[0], "2024", v, {"R": (8.5, None), "H1": (None, "missing:RES_POP")}, engine)


SERVICE = {("H1", "2024", "MED_INC"): 1000, ("H1", "2024", "DRUG_INC"): 300, ("H1", "2024", "MATERIAL_INC"): 150,
           ("H1", "2024", "EXAM_INC"): 100, ("H1", "2024", "LAB_INC"): 50, ("H1", "2024", "OTHER_MED_INC"): 20,
           ("H1", "2024", "SVC_REG"): 10, ("H1", "2024", "SVC_BED"): 50, ("H1", "2024", "SVC_CONSULT"): 40,
           ("H1", "2024", "SVC_TREAT"): 100, ("H1", "2024", "SVC_SURG"): 120, ("H1", "2024", "SVC_PHARM"): 0,
           ("H1", "2024", "SVC_NURSE"): 30}


@pytest.mark.parametrize("choice, want", [
    ("identity", 40.0),  # 1000 - 300 - 150 - 100 - 50 = 400
    ("identity_minus_other", 38.0),  # 400 - 20
    ("components", 35.0),  # 10 + 50 + 40 + 100 + 120 + 0 + 30 = 350
])
def test_service_income_options(engine, choice, want):
    p = plan("T3-31", options={"service_income_basis": choice})[0]
    _check(p, "2024", SERVICE, {"H1": (want, None)}, engine)


def test_staff_ratio_2019_variant(engine):
    v = {("H1", "2024", "STAFF_EXP"): 420, ("H1", "2024", "BUS_EXP"): 1000,
         ("H1", "2024", "SAL_WELFARE"): 300, ("H1", "2024", "HOUSEHOLD_SUBSIDY"): 60,
         ("H1", "2024", "MED_ACT_COST"): 900}
    _check(plan("T3-33", options={"staff_expense_basis": "2019"})[0], "2024", v, {"H1": (42.0, None)}, engine)
    _check(plan("T3-33")[0], "2024", v, {"H1": (40.0, None)}, engine)  # (300 + 60) / 900


def test_zero_denominator_is_missing_not_zero(engine):
    v = {("H1", "2024", "DISCH_SURG_OPS"): 0, ("H1", "2024", "DISCH"): 0}
    _check(plan("T3-04")[0], "2024", v, {"H1": (None, "zero_denominator")}, engine)


def test_year_to_date_on_quarters(engine):
    # ytd at 2024Q3: (100 + 200 + 300) / (10 + 10 + 20) = 15; DOCTORS is a stock: Q3 value only
    f = Formula("ytd(OP_INC) / ytd(OPE_VISITS) + ytd(DOCTORS)")
    v = {("H1", f"2024Q{q}", "OP_INC"): x for q, x in ((1, 100), (2, 200), (3, 300))}
    v |= {("H1", f"2024Q{q}", "OPE_VISITS"): x for q, x in ((1, 10), (2, 10), (3, 20))}
    v |= {("H1", "2024Q2", "DOCTORS"): 7, ("H1", "2024Q3", "DOCTORS"): 9, ("H1", "2024Q4", "OP_INC"): 999}
    _check(plan_formula(f, catalog=CAT), "2024Q3", v, {"H1": (24.0, None)}, engine)


def test_same_quarter_last_year_and_previous_quarter(engine):
    v = {("H1", "2024Q1", "OP_INC"): 120, ("H1", "2023Q1", "OP_INC"): 100, ("H1", "2023Q4", "OP_INC"): 150}
    _check(plan("T2-20.1")[0], "2024Q1", v, {"H1": (20.0, None)}, engine)
    growth_vs_prev = Formula("OP_INC - prev(OP_INC)", "prev(OP_INC)", 100)
    _check(plan_formula(growth_vs_prev, catalog=CAT), "2024Q1", v, {"H1": (-20.0, None)}, engine)


def test_monthly_prev_crosses_year():
    p = Period.parse("2024-01")
    assert str(p.prev()) == "2023-12" and str(p.last_year()) == "2023-01"
    assert [str(x) for x in Period.parse("2024-03").year_to_date()] == ["2024-01", "2024-02", "2024-03"]
    assert str(Period.parse("2024Q1").prev(5)) == "2022Q4"


def test_if_and_coalesce(engine):
    v = {("H1", "2024", "DISCH"): 10, ("H1", "2024", "DISCH_SURG_OPS"): 300}
    f = Formula("if(DISCH > 0, DISCH_SURG_OPS, 0) + coalesce(MIS_OPS, 5)")
    _check(plan_formula(f, catalog=CAT), "2024", v, {"H1": (305.0, None)}, engine)
    f2 = Formula("if(DISCH > 100, DISCH_SURG_OPS, 1) + MIS_OPS")
    _check(plan_formula(f2, catalog=CAT), "2024", v, {"H1": (None, "missing:MIS_OPS")}, engine)


def test_average_rollup_for_scores(engine):
    # 门诊患者满意度 does not sum: the region averages its members' scores
    v = {("H1", "2024", "SAT_OP"): 90, ("H2", "2024", "SAT_OP"): 80}
    _check(plan("T3-53")[0], "2024", v, {"R": (85.0, None), "H1": (90.0, None)}, engine)


def test_average_element_over_periods(engine):
    v = {("H1", "2024Q1", "SAT_OP"): 80, ("H1", "2024Q2", "SAT_OP"): 91}
    _check(plan_formula(Formula("ytd(SAT_OP)"), catalog=CAT), "2024Q2", v, {"H1": (85.5, None)}, engine)


def test_grades_do_not_roll_up(engine):
    name, run = engine
    p = plan("T2-11")[0]
    v = {("H1", "2024", "EMR_LEVEL"): 4, ("H2", "2024", "EMR_LEVEL"): 5}
    rows = run(compile_sql(p, "2024", dialect=name), v, PARENTS)
    assert rows["H1"][2] == 4 and rows["H2"][2] == 5
    assert rows["R"][2] is None and rows["R"][3] == "missing:EMR_LEVEL"
    assert evaluate(p, "R", "2024", v, PARENTS).reason == "missing:EMR_LEVEL"


def test_three_level_tree(engine):
    # city C ← districts R1, R2 ← hospitals; the city sums all four hospitals
    parents = {"H1": "R1", "H2": "R1", "H3": "R2", "H4": "R2", "R1": "C", "R2": "C"}
    v = {}
    for i, (num, den) in enumerate([(1, 10), (2, 10), (3, 10), (14, 70)], start=1):
        v[(f"H{i}", "2024", "LR_DEATHS")] = num
        v[(f"H{i}", "2024", "LR_CASES")] = den
    want = {"C": (20 / 100 * 100, None), "R1": (3 / 20 * 100, None), "R2": (17 / 80 * 100, None)}
    _check(plan("T3-14")[0], "2024", v, want, engine, parents=parents)


def test_no_rollup_uses_own_data_only(engine):
    v = {("H1", "2024", "LR_DEATHS"): 1, ("H1", "2024", "LR_CASES"): 10, ("R", "2024", "LR_DEATHS"): 1,
         ("R", "2024", "LR_CASES"): 4}
    _check(plan("T3-14")[0], "2024", v, {"R": (25.0, None)}, engine, rollup=False)
    _check(plan("T3-14")[0], "2024", v, {"R": (2 / 14 * 100, None)}, engine, rollup=True)


def test_nan_free():
    p = plan("T3-04")[0]
    r = evaluate(p, "H1", "2024", {("H1", "2024", "DISCH_SURG_OPS"): 5})
    assert r.value is None and r.reason == "missing:DISCH" and not (isinstance(r.value, float) and math.isnan(r.value))
