"""Indicator values from the stored data values, with the catalog's compiled formulas, for every
org of the tree (regions rolled up from their members: numerators and denominators summed).

They are computed when asked, by one SQL query per indicator part over the live tables, so a
value entered a moment ago is already in them: there is no analytics table to rebuild (the
complaint DHIS2 users make most). The one place where `store` meets `indicators`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hqd.indicators import compile_sql, plan
from hqd.store.db import Store

# The long data-value table and the org-parent pairs the compiled SQL expects, over the store's tables.
_DATA = (
    "SELECT o.code AS org, p.code AS period, e.code AS element, v.value AS value FROM data_value v "
    "JOIN org o ON o.id = v.org_id JOIN period p ON p.id = v.period_id "
    "JOIN data_element e ON e.id = v.data_element_id"
)
_PARENTS = "SELECT c.code AS org, p.code AS parent FROM org c JOIN org p ON p.id = c.parent_id"
_DIALECT = {"sqlite": "sqlite", "postgresql": "postgres"}


@dataclass(frozen=True)
class IndicatorValue:
    org: str
    indicator: str  # the indicator code, or a part's code (T3-07.1)
    period: str
    numerator: float | None
    denominator: float | None
    value: float | None
    reason: str | None  # why there is no value: missing:ELEMENT, zero_denominator …


def indicator_sql(store: Store, code: str, period: str, options: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(part code, SQL) for an indicator over the store's tables."""
    dialect = _DIALECT[store.dialect]
    out = []
    for p in plan(code, options=options):
        compiled = compile_sql(p, period, dialect=dialect, data_table="hqd_dv", parent_table="hqd_op").strip()
        compiled = compiled.rstrip(";")
        if not compiled.upper().startswith("WITH "):
            raise RuntimeError("compiled indicator SQL is expected to start with WITH")
        out.append((p.code, f"WITH hqd_dv AS ({_DATA}), hqd_op AS ({_PARENTS}), {compiled[5:]}"))
    return out


def indicator_values(store: Store, code: str, period: str,
                     options: Mapping[str, str] | None = None) -> list[IndicatorValue]:
    out: list[IndicatorValue] = []
    with store.engine.connect() as conn:
        for part, sql in indicator_sql(store, code, period, options):
            for org, num, den, value, reason in conn.exec_driver_sql(sql):
                out.append(IndicatorValue(org, part, period, _f(num), _f(den), _f(value), reason))
    return out


def _f(x) -> float | None:
    return None if x is None else float(x)
