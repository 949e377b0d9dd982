"""Quarterly values of the demo's data elements, per org, with believable trends.

Every element first gets a size from its unit and the org's population served, growing a little
each year with seasonal noise. Then, for each indicator with a known level (`levels.LEVELS`), one
element of its formula is set so that numerator / denominator × factor follows that org's path:
a start level, a pace that differs by district (some lag) and by org, and small noise. Indicators
that a plan targets start on the far side of the target, so reaching it takes the pace the plan asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from hqd.catalog import default_catalog

from .levels import LEVELS, UNIT_SCALE
from .orgs import DemoOrg

_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_COUNT_UNITS = {"人次", "人", "个", "张", "台次", "家", "项", "例", "种", "起"}


@dataclass(frozen=True)
class Formula:
    indicator: str
    numerator: str  # one element code
    denominator: tuple[str, ...]  # element codes summed (empty: the numerator is the value itself)
    factor: float


def simple_formulas(codes: list[str]) -> list[Formula]:
    """The indicators whose numerator is one element and denominator a sum of elements (or none)."""
    cat = default_catalog()
    out = []
    for code in codes:
        ind = cat.indicators.get(code)
        f = ind.formula if ind else None
        if f is None and ind is not None and ind.variants:
            f = next(iter(ind.variants.values()))
        if f is None or not _CODE.match(f.numerator.strip()):
            continue
        den: tuple[str, ...] = ()
        if f.denominator:
            parts = [p.strip() for p in f.denominator.split("+")]
            if not all(_CODE.match(p) for p in parts):
                continue
            den = tuple(parts)
        elements = (f.numerator.strip(), *den)
        if any(cat.elements.get(e) is None or cat.elements[e].derived for e in elements):
            continue
        out.append(Formula(code, f.numerator.strip(), den, f.factor))
    return out


def elements_of(formulas: list[Formula]) -> list[str]:
    seen: dict[str, None] = {}
    for f in formulas:
        seen.setdefault(f.numerator)
        for d in f.denominator:
            seen.setdefault(d)
    return list(seen)


def target_levels(targets: list[tuple[str, str, float]]) -> dict[str, tuple[float, float, float]]:
    """Levels for targeted indicators: (code, comparator, value) → a start on the far side of the value
    and the yearly pace that would just reach it by the end of 2025 (orgs then vary around it)."""
    out: dict[str, tuple[float, float, float]] = {}
    for code, comparator, value in targets:
        if code in out or value is None or value <= 0:
            continue
        if comparator in (">=", "increase"):
            out[code] = (value * 0.82, value * 0.95, ((1 / 0.885) ** (1 / 3.9) - 1))
        elif comparator in ("<=", "decrease"):
            out[code] = (value * 1.05, value * 1.22, -(1 - (1 / 1.135) ** (1 / 3.9)))
        elif comparator == "~":
            out[code] = (value * 0.93, value * 1.03, 0.01)
    return out


def generate(orgs: list[DemoOrg], periods: list[str], indicator_codes: list[str],
             targets: list[tuple[str, str, float]], seed: int, element_orgs: dict[str, set[str]] | None = None
             ) -> dict[str, dict[str, np.ndarray]]:
    """element → org code → values over `periods` (NaN: not reported). `element_orgs` limits an element to
    some orgs (the 国考 data only for 三级 hospitals)."""
    cat = default_catalog()
    rng = np.random.default_rng(seed)
    leaves = [o for o in orgs if o.reports]
    n = len(periods)
    years = np.arange(n) / 4.0  # years since the first period
    season = np.array([(0.94, 1.02, 1.0, 1.04)[int(p[-1]) - 1] if "Q" in p else 1.0 for p in periods])
    formulas = simple_formulas(indicator_codes)
    levels = {**LEVELS, **target_levels(targets)}
    # district pace: a few districts lag, most keep up, some lead
    districts = sorted({o.parent or "" for o in leaves})
    pace = dict(zip(districts, rng.choice([0.2, 0.7, 1.0, 1.15, 1.3], size=len(districts),
                                          p=[0.12, 0.18, 0.3, 0.25, 0.15]), strict=True))
    sizes = {o.code: max(o.population, 1.0) for o in leaves}
    values: dict[str, dict[str, np.ndarray]] = {}

    def base(element: str) -> dict[str, np.ndarray]:
        if element not in values:
            el = cat.elements[element]
            scale = UNIT_SCALE.get(el.unit, 50.0)
            flow = el.aggregation == "sum"
            growth = rng.normal(0.04, 0.015)
            out = {}
            for o in leaves:
                if element_orgs and element in element_orgs and o.code not in element_orgs[element]:
                    continue
                level = scale * sizes[o.code] * rng.lognormal(0, 0.25)
                series = level * (1 + growth) ** years * (season if flow else 1.0)
                out[o.code] = series * rng.normal(1, 0.02, n)
            values[element] = out
        return values[element]

    fixed: set[str] = set()
    for f in formulas:
        if f.indicator not in levels:
            continue
        low, high, yearly = levels[f.indicator]
        den_pop = len(f.denominator) == 1 and f.denominator[0].endswith("POP") and f.denominator[0] not in fixed
        if f.numerator in fixed and not den_pop:
            continue
        nums = base(f.numerator)
        dens = [base(d) for d in f.denominator]
        for o in leaves:
            if o.code not in nums or any(o.code not in d for d in dens):
                continue
            start = rng.uniform(low, high)
            step = yearly * pace[o.parent or ""] * rng.normal(1, 0.25)
            if rng.random() < 0.05:  # a few go backwards
                step = -abs(yearly) * 0.5 * np.sign(yearly or 1)
            path = start * (1 + step) ** years * rng.normal(1, 0.012, n)
            if not f.denominator:
                nums[o.code] = path
                continue
            den = sum(d[o.code] for d in dens)
            if den_pop:
                dens[0][o.code] = nums[o.code] * f.factor / path
            else:
                nums[o.code] = den * path / f.factor
        fixed.add(f.denominator[0] if den_pop else f.numerator)
    for element, by_org in values.items():
        if cat.elements[element].unit in _COUNT_UNITS:
            for org in by_org:
                by_org[org] = np.round(by_org[org])
    return values


def add_outliers(values: dict[str, dict[str, np.ndarray]], periods: list[str], seed: int, count: int = 6) -> list[tuple]:
    """Multiply a few recent values by 8 (a unit slip: 万元 entered as 元…) so review has something to flag."""
    rng = np.random.default_rng(seed + 1)
    cells = [(e, o) for e, by in values.items() for o in by]
    out = []
    for k in rng.choice(len(cells), size=min(count, len(cells)), replace=False):
        element, org = cells[int(k)]
        i = len(periods) - 1 - int(rng.integers(0, 2))
        values[element][org][i] *= 8
        out.append((element, org, periods[i]))
    return out
