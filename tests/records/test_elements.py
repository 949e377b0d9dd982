"""Records data elements line up with the catalog's element dictionary, and feed its formulas."""

from __future__ import annotations

import pytest

from hqd.catalog import default_catalog
from hqd.records import compute
from hqd.records.elements import CATALOG_ELEMENTS, ELEMENTS, RECORDS_ONLY_ELEMENTS
from hqd.records.measures import MEASURES
from hqd.records.settings import RecordsSettings

from .handmade import write_parquet


def test_codes_are_the_catalogs_or_clearly_records_only():
    known = default_catalog().elements
    assert set(CATALOG_ELEMENTS) <= set(known), set(CATALOG_ELEMENTS) - set(known)
    assert not set(RECORDS_ONLY_ELEMENTS) & set(known)
    assert all(known[c].aggregation == "sum" for c in CATALOG_ELEMENTS)  # record counts and sums add up
    for m in MEASURES:
        assert {m.numerator_element, m.denominator_element} <= set(ELEMENTS), m.id


def test_catalog_formulas_over_records_values_give_the_records_rates(tmp_path):
    res = compute(write_parquet(tmp_path / "r.parquet"), "2025Q2", settings=RecordsSettings())
    values = {(d.org, d.element): d.value for d in res.data_values}
    rates = {(r.org, m.numerator_element, m.denominator_element): r.value
             for m in MEASURES for r in res.rates if r.measure == m.id}
    cat = default_catalog()
    checked = 0
    for code in cat.indicators:
        for _, _, f in cat.formulas(code):
            if f.numerator in ELEMENTS and f.denominator in ELEMENTS:
                for org in ("A", "B", "C"):
                    key = (org, f.numerator, f.denominator)
                    den = values.get((org, f.denominator))
                    if key in rates and den:
                        assert values[(org, f.numerator)] / den * f.factor == pytest.approx(rates[key]), (code, org)
                        checked += 1
    # 低风险组死亡率, 微创手术占比, 并发症发生率, CMI, 费用/时间消耗指数 … in several indicator sets
    assert checked >= 10
