"""Every catalog formula (all parts and option variants) compiles for all four dialects, and on
SQLite and DuckDB gives exactly what the Python evaluator gives on generated data."""

from __future__ import annotations

import random

import numpy as np
import pytest
import sqlglot
from indicator_db import connect, query

from hqd.catalog import default_catalog
from hqd.indicators import DIALECTS, ElementCube, compile_sql, evaluate, evaluate_all, evaluate_periods, plan

CAT = default_catalog()


def _all_plans():
    out = []
    for code, ind in CAT.indicators.items():
        if ind.option:
            for choice in CAT.options[ind.option].choices:
                out += [(f"{p.code}[{choice}]", p) for p in plan(code, options={ind.option: choice})]
        else:
            out += [(p.code, p) for p in plan(code)]
    for code, el in CAT.elements.items():  # derived elements under every option choice
        if el.variants:
            assert el.option is not None
            for choice in el.variants:
                users = [i for i in CAT.indicators.values() if i.formula and code in i.formula.numerator]
                for ind in users[:1]:
                    out += [(f"{p.code}[{el.option}={choice}]", p)
                            for p in plan(ind.code, options={el.option: choice})]
    return out


PLANS = _all_plans()
PARENTS = {"H1": "R", "H2": "R", "R": "C"}


def test_every_computable_indicator_has_plans():
    computable = [i for i in CAT.indicators.values() if i.computable]
    assert len(PLANS) >= len(computable) > 100


@pytest.mark.parametrize("dialect", DIALECTS)
def test_compiles_for_every_dialect(dialect):
    for label, p in PLANS:
        for rollup in (True, False):
            sql = compile_sql(p, "2024Q2", dialect=dialect, rollup=rollup)
            assert ";" not in sql, label
            sqlglot.parse_one(sql, read=dialect)  # the output is valid in its own dialect


def _data(seed: int, periods: list[str]) -> dict:
    rnd = random.Random(seed)
    base = [c for c, e in CAT.elements.items() if not e.derived]
    values = {}
    for org in ("H1", "H2"):
        for per in periods:
            for el in base:
                if rnd.random() < 0.93:  # some values missing on purpose
                    values[(org, per, el)] = float(rnd.randint(1, 500))
    for per in periods:  # region-level values (population etc.)
        for el in ("RES_POP", "ELDERLY_POP", "LIFE_EXP", "RES_VISITS", "RES_IP"):
            values[("R", per, el)] = float(rnd.randint(1000, 9000))
    return values


@pytest.mark.parametrize("period, periods", [
    ("2024", ["2022", "2023", "2024"]),
    ("2024Q2", ["2023Q1", "2023Q2", "2024Q1", "2024Q2"]),
])
@pytest.mark.parametrize("name", ["sqlite", "duckdb"])
def test_sql_equals_python_evaluator(name, period, periods):
    values = _data(7, periods)
    con = connect(name, values, PARENTS)
    checked = 0
    for label, p in PLANS:
        rows = query(con, compile_sql(p, period, dialect=name))
        for org in ("H1", "H2", "R", "C"):
            py = evaluate(p, org, period, values, PARENTS)
            if org not in rows:
                assert py.value is None, (label, org, py)
                continue
            _num, _den, value, reason = rows[org]
            assert reason == py.reason, (label, org, rows[org], py)
            if py.value is None:
                assert value is None, (label, org, rows[org], py)
            else:
                assert value == pytest.approx(py.value, rel=1e-9), (label, org, rows[org], py)
                checked += 1
    assert checked > 300


@pytest.mark.parametrize("period, periods", [
    ("2024", ["2022", "2023", "2024"]),
    ("2024Q2", ["2023Q1", "2023Q2", "2024Q1", "2024Q2"]),
])
def test_vectorized_equals_python_evaluator(period, periods):
    values = _data(11, periods)
    cube = ElementCube.from_values(values, PARENTS)
    rolled = cube.subtree()
    checked = 0
    for label, p in PLANS:
        for rollup in (True, False):
            got = evaluate_all(p, period, cube, rolled, rollup=rollup)
            for k, org in enumerate(got.orgs):
                py = evaluate(p, org, period, values, PARENTS, rollup=rollup)
                v = got.value[k]
                assert got.reason_of(k) == py.reason, (label, rollup, org, v, py)
                if py.value is None:
                    assert np.isnan(v), (label, rollup, org, v, py)
                else:
                    assert v == pytest.approx(py.value, rel=1e-9), (label, rollup, org, v, py)
                    checked += 1
                if p.rollup != "average" or not rollup:
                    for mine, theirs in ((got.numerator[k], py.numerator), (got.denominator[k], py.denominator)):
                        assert (np.isnan(mine) if theirs is None else mine == pytest.approx(theirs, rel=1e-9)), \
                            (label, rollup, org, mine, theirs)
    assert checked > 600


def test_many_periods_in_one_pass_equal_one_period_at_a_time():
    periods = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2023", "2024"]
    values = _data(13, periods)
    cube = ElementCube.from_values(values, PARENTS)
    rolled = cube.subtree()
    compared = 0
    for label, p in PLANS:
        for rollup in (True, False):
            many = evaluate_periods(p, periods, cube, rolled, rollup=rollup)
            for i, period in enumerate(periods):
                one = evaluate_all(p, period, cube, rolled, rollup=rollup)
                for a, b in ((many.value[i], one.value), (many.numerator[i], one.numerator),
                             (many.denominator[i], one.denominator)):
                    np.testing.assert_array_equal(a, b, err_msg=f"{label} {period} {rollup}")
                assert [many.reasons[r] for r in many.reason[i]] == [one.reasons[r] for r in one.reason], (label, period)
                compared += int(np.count_nonzero(~np.isnan(one.value)))
    assert compared > 1000
