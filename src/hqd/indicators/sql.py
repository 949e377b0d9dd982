"""Compile a plan to SQL over the long table ``data_value(org, period, element, value)``.

Roll-up uses ``org_parent(org, parent)``: a region's value aggregates the data values of itself and
all its descendants (up to MAX_DEPTH levels), element by element, and then computes the formula —
so ratios sum numerators and denominators, never average ratios. Indicators with ``rollup:
average`` average their members' own values; ``rollup: none`` uses only the org's own data.

The SQL is written once in a neutral form and transpiled by sqlglot to each dialect. Every literal
in it comes from validated input: element codes match ``[A-Z][A-Z0-9_]*``, periods are generated
from parsed Period objects, table names are checked, org ids are escaped as string literals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlglot
from sqlglot import exp

from hqd.catalog import expr as E

from .period import Period
from .plan import MISSING_PREFIX, UNDEFINED, ZERO_DENOMINATOR, Plan

DIALECTS = ("sqlite", "postgres", "duckdb", "spark")
MAX_DEPTH = 6
NO_VALUES = "no_member_values"
_TABLE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$")


class CompileError(ValueError):
    """Bad compile parameters (dialect, table name); the message is user-facing Chinese."""


def _lit(s: str) -> str:
    return exp.Literal.string(s).sql(dialect="postgres")


def _num(v: float) -> str:
    text = format(float(v), ".17g")
    if not any(c in text for c in ".e"):
        text += ".0"
    return text


def _render(node: E.Node, col: dict[E.Ref, str]) -> str:
    if isinstance(node, E.Num):
        return _num(node.value)
    if isinstance(node, E.Ref):
        return col[node]
    if isinstance(node, E.Neg):
        return f"(-{_render(node.operand, col)})"
    if isinstance(node, E.Bin):
        left, right = _render(node.left, col), _render(node.right, col)
        if node.op == "/":
            return f"({left} / NULLIF({right}, 0))"
        return f"({left} {node.op} {right})"
    if isinstance(node, E.Cmp):
        return f"({_render(node.left, col)} {node.op} {_render(node.right, col)})"
    if isinstance(node, E.Logic):
        if node.op == "not":
            return f"(NOT {_render(node.args[0], col)})"
        return "(" + f" {node.op.upper()} ".join(_render(a, col) for a in node.args) + ")"
    if isinstance(node, E.If):
        return f"(CASE WHEN {_render(node.cond, col)} THEN {_render(node.then, col)} ELSE {_render(node.other, col)} END)"
    if isinstance(node, E.Call):
        fn = {"coalesce": "COALESCE", "abs": "ABS"}[node.name]
        return f"{fn}(" + ", ".join(_render(a, col) for a in node.args) + ")"
    raise TypeError(node)


def _anc_cte(data_table: str, parent_table: str, depth: int) -> str:
    parts = [f"SELECT DISTINCT dv0.org AS org, dv0.org AS ancestor FROM {data_table} dv0"]
    for level in range(1, depth + 1):
        joins = "".join(f" JOIN {parent_table} p{i} ON p{i}.org = p{i - 1}.parent" for i in range(2, level + 1))
        parts.append(f"SELECT p1.org AS org, p{level}.parent AS ancestor FROM {parent_table} p1{joins}")
    return "anc AS (" + " UNION ".join(parts) + ")"


def _orgs_cte(data_table: str, parent_table: str) -> str:
    """Every org known to the data or the tree, so orgs without data still get a row."""
    return (f"orgs AS (SELECT org FROM {data_table} UNION SELECT org FROM {parent_table} "
            f"UNION SELECT parent AS org FROM {parent_table})")


def _own_ctes(p: Plan, period: Period, data_table: str, by_ancestor: bool) -> tuple[str, str]:
    """CTEs `agg` and `calc` and the final select list (org, numerator, denominator, value, reason)."""
    col = {r: f"c{i}" for i, r in enumerate(p.columns)}
    selects, elements, periods = [], set(), set()
    for r in p.columns:
        ps = [str(x) for x in p.periods(r, period)]
        elements.add(r.code)
        periods.update(ps)
        fn = "AVG" if p.aggregation[r.code] == "average" else "SUM"
        cond = f"dv.element = {_lit(r.code)} AND dv.period IN ({', '.join(_lit(x) for x in ps)})"
        selects.append(f"{fn}(CASE WHEN {cond} THEN CAST(dv.value AS DOUBLE PRECISION) END) AS {col[r]}")
    where = (f"dv.element IN ({', '.join(_lit(e) for e in sorted(elements))}) "
             f"AND dv.period IN ({', '.join(_lit(x) for x in sorted(periods))})")
    if by_ancestor:
        source = f"orgs o LEFT JOIN anc a ON a.ancestor = o.org LEFT JOIN {data_table} dv ON dv.org = a.org AND {where}"
    else:
        source = f"orgs o LEFT JOIN {data_table} dv ON dv.org = o.org AND {where}"
    agg = f"agg AS (SELECT o.org AS org, {', '.join(selects)} FROM {source} GROUP BY o.org)"
    num = _render(p.numerator, col)
    den = _render(p.denominator, col) if p.denominator is not None else None
    cols = ", ".join(col[r] for r in p.columns)
    calc = f"calc AS (SELECT org, {cols}, {num} AS num, {den if den else 'NULL'} AS den FROM agg)"
    factor = _num(p.factor)
    if den is not None:
        value = f"CASE WHEN den IS NULL OR den = 0 THEN NULL ELSE num * {factor} / den END"
    else:
        value = f"num * {factor}"
    whens = [f"WHEN {col[r]} IS NULL THEN {_lit(MISSING_PREFIX + p.ref_label(r))}" for r in p.required]
    if den is not None:
        whens.append(f"WHEN den = 0 THEN {_lit(ZERO_DENOMINATOR)}")
        whens.append(f"WHEN num IS NULL OR den IS NULL THEN {_lit(UNDEFINED)}")
    else:
        whens.append(f"WHEN num IS NULL THEN {_lit(UNDEFINED)}")
    reason = "CASE " + " ".join(whens) + " ELSE NULL END"
    den_out = "den" if den is not None else "CAST(NULL AS DOUBLE PRECISION)"
    final = f"org, num AS numerator, {den_out} AS denominator, {value} AS value, {reason} AS reason"
    return f"{agg}, {calc}", final


def compile_sql(p: Plan, period: str | Period, *, dialect: str = "sqlite", rollup: bool = True,
                orgs: Iterable[str] | None = None, data_table: str = "data_value",
                parent_table: str = "org_parent", max_depth: int = MAX_DEPTH) -> str:
    """SQL returning one row per known org (in data_value or org_parent): org, numerator,
    denominator, value, reason."""
    if dialect not in DIALECTS:
        raise CompileError(f"不支持的SQL方言“{dialect}”；可选：{'、'.join(DIALECTS)}")
    for t in (data_table, parent_table):
        if not _TABLE_RE.match(t):
            raise CompileError(f"表名“{t}”不合规")
    if not 1 <= max_depth <= 20:
        raise CompileError("汇总层级数应在1到20之间")
    per = period if isinstance(period, Period) else Period.parse(period)
    mode = p.rollup if rollup else "none"
    org_filter = ""
    if orgs is not None:
        org_list = [str(o) for o in orgs]
        if not org_list:
            raise CompileError("机构列表为空")
        org_filter = f" WHERE org IN ({', '.join(_lit(o) for o in org_list)})"
    orgs = _orgs_cte(data_table, parent_table)
    if mode == "sum":
        ctes, final = _own_ctes(p, per, data_table, by_ancestor=True)
        sql = (f"WITH {orgs}, {_anc_cte(data_table, parent_table, max_depth)}, {ctes} "
               f"SELECT {final} FROM calc{org_filter} ORDER BY org")
    elif mode == "none":
        ctes, final = _own_ctes(p, per, data_table, by_ancestor=False)
        sql = f"WITH {orgs}, {ctes} SELECT {final} FROM calc{org_filter} ORDER BY org"
    else:  # average of members' own values
        ctes, final = _own_ctes(p, per, data_table, by_ancestor=False)
        sql = (f"WITH {orgs}, {_anc_cte(data_table, parent_table, max_depth)}, {ctes}, own AS (SELECT {final} FROM calc), "
               f"av AS (SELECT a.ancestor AS org, AVG(own.value) AS value, COUNT(own.value) AS n "
               f"FROM own JOIN anc a ON a.org = own.org GROUP BY a.ancestor) "
               f"SELECT org, CAST(NULL AS DOUBLE PRECISION) AS numerator, CAST(NULL AS DOUBLE PRECISION) AS denominator, "
               f"value, CASE WHEN n = 0 THEN {_lit(NO_VALUES)} ELSE NULL END AS reason FROM av{org_filter} ORDER BY org")
    return sqlglot.transpile(sql, read="postgres", write=dialect)[0]
