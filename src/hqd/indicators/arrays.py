"""Vectorized evaluation of plans over every org at once, with the same semantics as the SQL.

The compiled SQL answers one indicator and period per query; a province's full evaluation asks
for every indicator, period and org (5,000 orgs × 150 indicators × 20 quarters), which is one
read of the data values into an `ElementCube` and then array arithmetic: the roll-up is a
bottom-up sum over the tree, the formula a walk of its AST over NumPy arrays. NULL is NaN;
conditions are 1.0 / 0.0 / NaN (SQL's three-valued logic).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hqd.catalog import expr as E
from hqd.periods import Period
from hqd.trees import subtree_sum

from .plan import MISSING_PREFIX, UNDEFINED, ZERO_DENOMINATOR, Plan
from .sql import NO_VALUES


@dataclass
class ElementCube:
    """Sums and counts of the non-null data values of each element × period × org (the org's own
    entries), and the org tree as a parent index (-1 for a root). Orgs run along the last axis, so
    an element's periods are contiguous rows for the formulas and the roll-up."""

    orgs: list[str]
    parent: np.ndarray  # int, len(orgs)
    elements: dict[str, int]
    periods: dict[str, int]
    total: np.ndarray  # float [element, period, org]
    count: np.ndarray  # int [element, period, org]

    @classmethod
    def from_rows(cls, orgs: Sequence[str], parent: np.ndarray, elements: Sequence[str], periods: Sequence[str],
                  org_idx: np.ndarray, element_idx: np.ndarray, period_idx: np.ndarray,
                  value: np.ndarray) -> ElementCube:
        """Build from long rows given as index arrays; NaN values are NULLs and not counted."""
        shape = (len(elements), len(periods), len(orgs))
        known = ~np.isnan(value)
        flat = np.ravel_multi_index((element_idx[known], period_idx[known], org_idx[known]), shape)
        size = int(np.prod(shape))
        total = np.bincount(flat, weights=value[known], minlength=size).reshape(shape)
        count = np.bincount(flat, minlength=size).reshape(shape)
        return cls(list(orgs), np.asarray(parent, dtype=np.int64), {e: k for k, e in enumerate(elements)},
                   {p: k for k, p in enumerate(periods)}, total, count)

    @classmethod
    def from_dense(cls, orgs: Sequence[str], parent: np.ndarray, elements: Sequence[str], periods: Sequence[str],
                   value: np.ndarray) -> ElementCube:
        """Build from one value per element × period × org (NaN: none, or NULL)."""
        known = ~np.isnan(value)
        return cls(list(orgs), np.asarray(parent, dtype=np.int64), {e: k for k, e in enumerate(elements)},
                   {p: k for k, p in enumerate(periods)}, np.where(known, value, 0.0), known.astype(np.int32))

    @classmethod
    def from_values(cls, values: Mapping[tuple[str, str, str], float | None],
                    parents: Mapping[str, str] | None = None) -> ElementCube:
        """Build from the (org, period, element) → value mapping the Python evaluator takes."""
        parents = parents or {}
        orgs = sorted({o for o, _p, _e in values} | set(parents) | set(parents.values()))
        at = {o: k for k, o in enumerate(orgs)}
        periods = sorted({p for _o, p, _e in values})
        elements = sorted({e for _o, _p, e in values})
        pi, ei = {p: k for k, p in enumerate(periods)}, {e: k for k, e in enumerate(elements)}
        keys = list(values)
        return cls.from_rows(
            orgs, np.array([at[parents[o]] if o in parents else -1 for o in orgs], dtype=np.int64), elements, periods,
            np.array([at[o] for o, _p, _e in keys], dtype=np.int64), np.array([ei[e] for _o, _p, e in keys], dtype=np.int64),
            np.array([pi[p] for _o, p, _e in keys], dtype=np.int64),
            np.array([np.nan if values[k] is None else values[k] for k in keys], dtype=float))

    def subtree(self) -> ElementCube:
        """The same cube with each org's figures summed over itself and all its descendants."""
        return ElementCube(self.orgs, self.parent, self.elements, self.periods,
                           subtree_sum(self.total, self.parent), subtree_sum(self.count, self.parent))

    def column(self, code: str, periods: Sequence[Period], how: str) -> np.ndarray:
        """An element aggregated over periods per org, as the SQL's SUM / AVG (NaN when no value)."""
        return self.columns(code, [periods], how)[0]

    def columns(self, code: str, spans: Sequence[Sequence[Period]], how: str) -> np.ndarray:
        """`column` for several spans of periods at once: [span, org]."""
        out = np.full((len(spans), len(self.orgs)), np.nan)
        e = self.elements.get(code)
        if e is None:
            return out
        cols = [[self.periods[str(p)] for p in span if str(p) in self.periods] for span in spans]
        if all(len(c) == 1 for c in cols):  # the usual case, one stored period a span: one gather
            pick = [c[0] for c in cols]
            total, count = self.total[e, pick], self.count[e, pick]
        else:
            total, count = np.zeros(out.shape), np.zeros(out.shape, dtype=np.int64)
            for k, c in enumerate(cols):
                if c:
                    total[k], count[k] = self.total[e, c].sum(axis=0), self.count[e, c].sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            got = total / count if how == "average" else total.astype(float)
        return np.where(count > 0, got, np.nan)


def _truth(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _eval(node: E.Node, env: dict[E.Ref, np.ndarray], n: tuple[int, ...]) -> np.ndarray:
    if isinstance(node, E.Num):
        return np.full(n, float(node.value))
    if isinstance(node, E.Ref):
        return env[node]
    if isinstance(node, E.Neg):
        return -_eval(node.operand, env, n)
    if isinstance(node, E.Bin):
        a, b = _eval(node.left, env, n), _eval(node.right, env, n)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            if node.op in E.ARITHMETIC:
                return E.ARITHMETIC[node.op](a, b)
            return np.where(b == 0, np.nan, a / np.where(b == 0, 1.0, b))
    if isinstance(node, E.Cmp):
        a, b = _eval(node.left, env, n), _eval(node.right, env, n)
        with np.errstate(invalid="ignore"):
            r = E.COMPARISONS[node.op](a, b)
        return np.where(np.isnan(a) | np.isnan(b), np.nan, _truth(r))
    if isinstance(node, E.Logic):
        args = [_eval(a, env, n) for a in node.args]
        if node.op == "not":
            return 1.0 - args[0]
        null = np.logical_or.reduce([np.isnan(a) for a in args])
        if node.op == "and":
            false = np.logical_or.reduce([a == 0 for a in args])
            return np.where(false, 0.0, np.where(null, np.nan, 1.0))
        true = np.logical_or.reduce([a == 1 for a in args])
        return np.where(true, 1.0, np.where(null, np.nan, 0.0))
    if isinstance(node, E.If):
        cond = _eval(node.cond, env, n)
        return np.where(cond == 1, _eval(node.then, env, n), _eval(node.other, env, n))
    if isinstance(node, E.Call):
        args = [_eval(a, env, n) for a in node.args]
        if node.name == "coalesce":
            out = args[0].copy()
            for a in args[1:]:
                out = np.where(np.isnan(out), a, out)
            return out
        return np.abs(args[0])
    raise TypeError(node)


@dataclass
class Computed:
    """A plan's result for every org of the cube ([org], or [period, org] over many periods);
    `reason[k]` indexes `reasons` (None: a value)."""

    orgs: list[str]
    numerator: np.ndarray
    denominator: np.ndarray
    value: np.ndarray
    reason: np.ndarray
    reasons: list[str | None]

    def reason_of(self, k: int) -> str | None:
        return self.reasons[int(self.reason[k])]


def _own(p: Plan, periods: Sequence[Period], cube: ElementCube) -> Computed:
    shape = (len(periods), len(cube.orgs))
    env = {r: cube.columns(r.code, [p.periods(r, per) for per in periods], p.aggregation[r.code]) for r in p.columns}
    num = _eval(p.numerator, env, shape)
    den = _eval(p.denominator, env, shape) if p.denominator is not None else np.full(shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if p.denominator is not None:
            value = np.where(np.isnan(den) | (den == 0), np.nan, num * p.factor / np.where(den == 0, 1.0, den))
        else:
            value = num * p.factor
    reasons: list[str | None] = [None]
    reason = np.zeros(shape, dtype=np.int16)
    open_ = np.ones(shape, dtype=bool)  # no reason chosen yet: the first applicable one wins, as in SQL's CASE
    checks = [(MISSING_PREFIX + p.ref_label(r), np.isnan(env[r])) for r in p.required]
    if p.denominator is not None:
        checks += [(ZERO_DENOMINATOR, den == 0), (UNDEFINED, np.isnan(num) | np.isnan(den))]
    else:
        checks += [(UNDEFINED, np.isnan(num))]
    for label, hit in checks:
        take = open_ & hit
        if take.any():
            reasons.append(label)
            reason[take] = len(reasons) - 1
            open_ &= ~take
    return Computed(cube.orgs, num, den, value, reason, reasons)


def evaluate_all(p: Plan, period: str | Period, cube: ElementCube, rolled: ElementCube | None = None,
                 *, rollup: bool = True) -> Computed:
    """A plan for every org of the cube: the arrays' counterpart of `compile_sql` and `evaluate`.
    Pass `rolled` (`cube.subtree()`) when evaluating many plans on one cube."""
    got = evaluate_periods(p, [period], cube, rolled, rollup=rollup)
    return Computed(got.orgs, got.numerator[0], got.denominator[0], got.value[0], got.reason[0], got.reasons)


def evaluate_periods(p: Plan, periods: Sequence[str | Period], cube: ElementCube, rolled: ElementCube | None = None,
                     *, rollup: bool = True) -> Computed:
    """`evaluate_all` for many periods in one pass: arrays of [period, org]."""
    pers = [x if isinstance(x, Period) else Period.parse(x) for x in periods]
    mode = p.rollup if rollup else "none"
    if mode == "none":
        return _own(p, pers, cube)
    if mode == "sum":
        return _own(p, pers, rolled if rolled is not None else cube.subtree())
    own = _own(p, pers, cube).value
    known = ~np.isnan(own)
    total = subtree_sum(np.where(known, own, 0.0), cube.parent)
    count = subtree_sum(known.astype(np.int64), cube.parent)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    nan = np.full(value.shape, np.nan)
    return Computed(cube.orgs, nan, nan.copy(), value, (count == 0).astype(np.int16), [None, NO_VALUES])
