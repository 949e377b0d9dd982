"""Indicator values straight from the store, on SQLite and PostgreSQL: a city's value sums its
hospitals' numerators and denominators; a missing element is a reason, not a zero."""

from __future__ import annotations

import pytest

from hqd.monitoring import indicator_values
from hqd.store.elements import upsert_data_elements
from hqd.store.models import Org
from hqd.store.values import set_value
from hqd_testdb import db_url, store  # noqa: F401  (fixtures)


def _tree(session):
    city = Org(code="C1", name="某市", level=1, path="/C1/")
    session.add(city)
    session.flush()
    for code in ("H1", "H2", "H3"):
        session.add(Org(code=code, name=f"医院{code}", level=2, parent_id=city.id, path=f"/C1/{code}/"))
    upsert_data_elements(session, [
        {"code": "PHC_VISITS", "name": "基层医疗卫生机构诊疗人次", "unit": "人次", "aggregation": "sum"},
        {"code": "ALL_VISITS", "name": "总诊疗人次", "unit": "人次", "aggregation": "sum"},
    ])


def test_city_value_sums_numerators_and_denominators(store):  # noqa: F811
    with store.session() as s:
        _tree(s)
        for org, phc, total in (("H1", 30, 100), ("H2", 60, 300)):
            set_value(s, org, "PHC_VISITS", "2025Q2", phc, actor="tester")
            set_value(s, org, "ALL_VISITS", "2025Q2", total, actor="tester")
        set_value(s, "H3", "ALL_VISITS", "2025Q2", 50, actor="tester")  # PHC_VISITS not reported
    values = {v.org: v for v in indicator_values(store, "RG-01", "2025Q2")}
    assert values["H1"].value == pytest.approx(30.0)
    assert values["H2"].value == pytest.approx(20.0)
    # the city: (30 + 60) / (100 + 300 + 50), not the mean of 30 % and 20 %
    assert values["C1"].numerator == 90 and values["C1"].denominator == 450
    assert values["C1"].value == pytest.approx(20.0)
    assert values["H3"].value is None and values["H3"].reason == "missing:PHC_VISITS"


def test_a_value_entered_now_is_in_the_next_read(store):  # noqa: F811
    with store.session() as s:
        _tree(s)
        set_value(s, "H1", "PHC_VISITS", "2025Q2", 30, actor="tester")
        set_value(s, "H1", "ALL_VISITS", "2025Q2", 100, actor="tester")
    before = {v.org: v.value for v in indicator_values(store, "RG-01", "2025Q2")}
    with store.session() as s:
        view = set_value(s, "H1", "PHC_VISITS", "2025Q2", 40, actor="tester", expected_version=1)
        assert view.version == 2
    after = {v.org: v.value for v in indicator_values(store, "RG-01", "2025Q2")}
    assert before["H1"] == pytest.approx(30.0) and after["H1"] == pytest.approx(40.0)
    assert after["C1"] == pytest.approx(40.0)
