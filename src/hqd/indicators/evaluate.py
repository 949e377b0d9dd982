"""Pure-Python evaluation of a plan for one org and period, with the same semantics as the SQL.

``values`` maps (org, period, element) to a number; ``parents`` maps an org to its parent org(s).
SQL NULL is None here; comparisons and and/or/not follow SQL three-valued logic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hqd.catalog import expr as E
from hqd.periods import Period

from .plan import MISSING_PREFIX, UNDEFINED, ZERO_DENOMINATOR, Plan
from .sql import MAX_DEPTH, NO_VALUES

Values = Mapping[tuple[str, str, str], float | None]
Parents = Mapping[str, str | Iterable[str]]


@dataclass(frozen=True)
class Result:
    org: str
    period: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    reason: str | None = None


def _parent_list(parents: Parents, org: str) -> list[str]:
    v = parents.get(org)
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def members(org: str, parents: Parents, max_depth: int = MAX_DEPTH) -> set[str]:
    """The org and every org whose ancestor chain (within max_depth levels) reaches it."""
    all_orgs = set(parents)
    out = {org}
    for o in all_orgs:
        frontier = {o}
        for _ in range(max_depth):
            frontier = {p for f in frontier for p in _parent_list(parents, f)}
            if org in frontier:
                out.add(o)
                break
            if not frontier:
                break
    return out


def _column(p: Plan, ref: E.Ref, period: Period, orgs: set[str], values: Values) -> float | None:
    ps = {str(x) for x in p.periods(ref, period)}
    vals = [v for (o, per, el), v in values.items() if el == ref.code and per in ps and o in orgs and v is not None]
    if not vals:
        return None
    if p.aggregation[ref.code] == "average":
        return sum(vals) / len(vals)
    return sum(vals)


def _eval(node: E.Node, env: Mapping[E.Ref, float | None]) -> float | bool | None:
    if isinstance(node, E.Num):
        return node.value
    if isinstance(node, E.Ref):
        return env[node]
    if isinstance(node, E.Neg):
        v = _eval(node.operand, env)
        return None if v is None else -v
    if isinstance(node, E.Bin):
        a, b = _eval(node.left, env), _eval(node.right, env)
        if a is None or b is None:
            return None
        if node.op in E.ARITHMETIC:
            return E.ARITHMETIC[node.op](a, b)
        return None if b == 0 else a / b
    if isinstance(node, E.Cmp):
        a, b = _eval(node.left, env), _eval(node.right, env)
        if a is None or b is None:
            return None
        return E.COMPARISONS[node.op](a, b)
    if isinstance(node, E.Logic):
        vals = [_eval(a, env) for a in node.args]
        if node.op == "not":
            return None if vals[0] is None else not vals[0]
        if node.op == "and":
            if any(v is False for v in vals):
                return False
            return None if any(v is None for v in vals) else True
        if any(v is True for v in vals):
            return True
        return None if any(v is None for v in vals) else False
    if isinstance(node, E.If):
        return _eval(node.then, env) if _eval(node.cond, env) is True else _eval(node.other, env)
    if isinstance(node, E.Call):
        args = [_eval(a, env) for a in node.args]
        if node.name == "coalesce":
            return next((a for a in args if a is not None), None)
        return None if args[0] is None else abs(args[0])
    raise TypeError(node)


def _own(p: Plan, org: str, per: Period, orgs: set[str], values: Values) -> Result:
    env = {r: _column(p, r, per, orgs, values) for r in p.columns}
    num = _eval(p.numerator, env)
    den = _eval(p.denominator, env) if p.denominator is not None else None
    if p.denominator is not None:
        value = None if den is None or den == 0 or num is None else num * p.factor / den
    else:
        value = None if num is None else num * p.factor
    reason = next((MISSING_PREFIX + p.ref_label(r) for r in p.required if env[r] is None), None)
    if reason is None:
        if p.denominator is not None and den == 0:
            reason = ZERO_DENOMINATOR
        elif num is None or (p.denominator is not None and den is None):
            reason = UNDEFINED
    return Result(org, str(per), value, num, den, reason)


def evaluate(p: Plan, org: str, period: str | Period, values: Values, parents: Parents | None = None,
             *, rollup: bool = True, max_depth: int = MAX_DEPTH) -> Result:
    """The value of a plan for one org and period, identical to the compiled SQL's row."""
    per = period if isinstance(period, Period) else Period.parse(period)
    parents = parents or {}
    mode = p.rollup if rollup else "none"
    if mode == "none":
        return _own(p, org, per, {org}, values)
    # orgs known to the tree: those in the data and those in the parent mapping
    tree = dict(parents)
    for o, _pe, _el in values:
        tree.setdefault(o, [])
    group = members(org, tree, max_depth)
    if mode == "sum":
        return _own(p, org, per, group, values)
    own_vals = [r.value for o in sorted(group) if (r := _own(p, o, per, {o}, values)).value is not None]
    if not own_vals:
        return Result(org, str(per), None, None, None, NO_VALUES)
    return Result(org, str(per), sum(own_vals) / len(own_vals))
