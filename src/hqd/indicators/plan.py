"""From an indicator (or an ad-hoc formula) to a plan: numerator and denominator ASTs over base
data elements, with derived elements expanded and options applied. Both the SQL compiler and the
Python evaluator work from the same plan, so they give the same results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hqd.catalog import Catalog, Formula, default_catalog
from hqd.catalog import expr as E

from .period import Period

MISSING_PREFIX = "missing:"
ZERO_DENOMINATOR = "zero_denominator"
UNDEFINED = "undefined"
NOT_AGGREGATABLE = "not_aggregatable"

REASON_LABELS = {
    ZERO_DENOMINATOR: "分母为零",
    UNDEFINED: "无法计算（公式内除数为零或条件缺值）",
    NOT_AGGREGATABLE: "该指标不能由下级汇总",
}


def reason_label(reason: str | None) -> str:
    """Chinese text for a reason code."""
    if not reason:
        return ""
    if reason.startswith(MISSING_PREFIX):
        return f"缺少数据：{reason[len(MISSING_PREFIX):]}"
    return REASON_LABELS.get(reason, reason)


@dataclass(frozen=True)
class Plan:
    code: str
    numerator: E.Node
    denominator: E.Node | None
    factor: float
    rollup: str  # sum | average | none
    columns: tuple[E.Ref, ...]  # distinct base references, in order of appearance
    required: tuple[E.Ref, ...]  # references whose absence makes the value missing
    aggregation: Mapping[str, str]  # element code -> sum | average | last

    def ref_label(self, ref: E.Ref) -> str:
        if ref.shift.kind == "cur":
            return ref.code
        if ref.shift.kind == "prev":
            return f"{ref.code}@prev{ref.shift.n}"
        return f"{ref.code}@{ref.shift.kind}"

    def periods(self, ref: E.Ref, period: Period) -> list[Period]:
        """The periods a reference reads for the evaluated period, aggregated by the element rule."""
        s = ref.shift
        if s.kind == "prev":
            ps = [period.prev(s.n)]
        elif s.kind == "lastyear":
            ps = [period.last_year()]
        elif s.kind == "ytd":
            ps = period.year_to_date()
        else:
            ps = [period]
        if self.aggregation[ref.code] == "last":
            ps = ps[-1:]
        return ps


def _expand(node: E.Node, catalog: Catalog, options: Mapping[str, str] | None, depth: int = 0) -> E.Node:
    if depth > 20:
        raise E.FormulaError("派生数据项嵌套过深")

    def sub(ref: E.Ref) -> E.Node:
        text = catalog.element_formula(ref.code, options)
        if text is None:
            return ref
        inner = E.parse(text, known=lambda c: c in catalog.elements)
        inner = _expand(inner, catalog, options, depth + 1)
        return E.map_refs(inner, lambda r: E.Ref(r.code, ref.shift))

    return E.map_refs(node, sub)


def _unique(refs: list[E.Ref]) -> tuple[E.Ref, ...]:
    return tuple(dict.fromkeys(refs))


def plan_formula(formula: Formula, *, code: str = "", rollup: str = "sum", catalog: Catalog | None = None,
                 options: Mapping[str, str] | None = None) -> Plan:
    """Plan an ad-hoc formula; raises FormulaError for anything outside the formula language."""
    cat = catalog or default_catalog()
    chosen = cat.resolve_options(options)

    def known(c: str) -> bool:
        return c in cat.elements

    num = _expand(E.parse(formula.numerator, known=known), cat, chosen)
    den = _expand(E.parse(formula.denominator, known=known), cat, chosen) if formula.denominator else None
    nodes = [num] if den is None else [num, den]
    columns = _unique([r for n in nodes for r in E.refs(n)])
    if not any(True for _ in E.refs(num)):
        raise E.FormulaError("分子公式至少要引用一个数据项")
    required = _unique([r for n in nodes for r in E.refs(n, required_only=True)])
    return Plan(code=code, numerator=num, denominator=den, factor=formula.factor, rollup=rollup,
                columns=columns, required=required,
                aggregation={r.code: cat.elements[r.code].aggregation for r in columns})


def plan(code: str, *, catalog: Catalog | None = None, options: Mapping[str, str] | None = None) -> list[Plan]:
    """Plans for an indicator code (several for an indicator with parts; none for 定性 or no_formula)."""
    cat = catalog or default_catalog()
    ind = cat.get(code)
    return [plan_formula(f, code=c, rollup=ind.rollup, catalog=cat, options=options)
            for c, _name, f in cat.formulas(code, options)]
