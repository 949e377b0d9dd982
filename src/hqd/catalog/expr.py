"""The formula language (指标公式): parsing and checking, without any evaluation.

Formulas are arithmetic over data-element codes, parsed by sqlglot and converted into a small
closed AST. Only the nodes below exist; anything else sqlglot can parse (a subquery, a qualified
or quoted column, a cast, a string, a comment, a second statement) is rejected here, which makes
this module the security boundary for user-supplied formulas.

Allowed:
- element codes (``OP_VISITS``), numbers, ``+ - * /``, unary minus, parentheses;
- ``prev(expr[, n])`` the period n steps before (default 1), ``lastyear(expr)`` the same period
  last year, ``ytd(expr)`` year to date; these may not be nested;
- ``if(cond, a, b)``, ``coalesce(a, b, ...)``, ``abs(a)``;
- in conditions: comparisons ``< <= > >= = <>`` combined with ``and``/``or``/``not``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

MAX_FORMULA_LENGTH = 2000
MAX_OFFSET = 120
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
# Characters and sequences that have no place in a formula; rejected before parsing so that
# comments, strings, quoted identifiers and statement separators never reach the parser.
_FORBIDDEN = [(";", "分号"), ("--", "注释符 --"), ("/*", "注释符 /*"), ("*/", "注释符 */"), ("'", "单引号"),
              ('"', "双引号"), ("`", "反引号"), ("\\", "反斜杠"), ("#", "#"), ("$", "$"), ("[", "["), ("]", "]"),
              ("{", "{"), ("}", "}"), ("|", "|"), ("::", "::"), ("@", "@"), ("?", "?"), ("%", "%")]

PERIOD_FUNCS = ("prev", "lastyear", "ytd")


class FormulaError(ValueError):
    """A formula that is not in the formula language; the message is user-facing Chinese."""


# ---------------------------------------------------------------- AST
@dataclass(frozen=True)
class Shift:
    """Which period a reference reads, relative to the evaluated period."""

    kind: str = "cur"  # cur | prev | lastyear | ytd
    n: int = 0


CUR = Shift()


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    code: str
    shift: Shift = CUR


@dataclass(frozen=True)
class Neg:
    operand: Node


# What + - * and the comparisons mean, for the evaluators (scalar and arrays) that walk the AST;
# division is theirs: each says what a zero denominator gives.
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}
COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "=": operator.eq,
               "<>": operator.ne}


@dataclass(frozen=True)
class Bin:
    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Cmp:
    op: str  # < <= > >= = <>
    left: Node
    right: Node


@dataclass(frozen=True)
class Logic:
    op: str  # and | or | not
    args: tuple[Node, ...]


@dataclass(frozen=True)
class If:
    cond: Node
    then: Node
    other: Node


@dataclass(frozen=True)
class Call:
    name: str  # coalesce | abs
    args: tuple[Node, ...]


Node = Num | Ref | Neg | Bin | Cmp | Logic | If | Call

_ARITH = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/"}
_CMP = {exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<=", exp.EQ: "=", exp.NEQ: "<>"}


def parse(text: str, known: Callable[[str], bool] | None = None) -> Node:
    """Parse a formula into the AST; `known(code)` checks element codes (None: any valid code)."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("公式为空")
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"公式过长（超过{MAX_FORMULA_LENGTH}个字符）")
    for bad, label in _FORBIDDEN:
        if bad in text:
            raise FormulaError(f"公式中不允许出现{label}")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise FormulaError("公式中含有控制字符")
    try:
        tree = sqlglot.parse_one(text, read="postgres")
    except SqlglotError as e:
        raise FormulaError(f"公式语法错误：{_first_line(str(e))}") from None
    if tree is None:
        raise FormulaError("公式为空")
    node = _convert(tree, known, in_period=False)
    if isinstance(node, Cmp | Logic):
        raise FormulaError("公式结果必须是数值，比较或逻辑运算只能用于 if 的条件")
    return node


def _first_line(s: str) -> str:
    return s.strip().splitlines()[0][:200] if s.strip() else "无法解析"


def _convert(e: exp.Expression, known: Callable[[str], bool] | None, in_period: bool) -> Node:
    if isinstance(e, exp.Paren):
        return _convert(e.this, known, in_period)
    if isinstance(e, exp.Literal):
        if e.is_string:
            raise FormulaError("公式中不允许使用字符串")
        try:
            return Num(float(e.this))
        except ValueError:
            raise FormulaError(f"无法识别的数字：{e.this}") from None
    if isinstance(e, exp.Column):
        if e.table or e.args.get("db") or e.args.get("catalog"):
            raise FormulaError(f"不允许带限定名的字段：{e.sql()}")
        ident = e.this
        if not isinstance(ident, exp.Identifier) or ident.quoted:
            raise FormulaError(f"不允许的字段写法：{e.sql()}")
        code = ident.name
        if not CODE_RE.match(code):
            raise FormulaError(f"数据项代码“{code}”不合规（应为大写字母、数字和下划线，以字母开头）")
        if known is not None and not known(code):
            raise FormulaError(f"未知的数据项代码“{code}”（不在数据项字典中）")
        return Ref(code)
    if type(e) in _ARITH:
        return Bin(_ARITH[type(e)], _convert(e.this, known, in_period), _convert(e.expression, known, in_period))
    if isinstance(e, exp.Neg):
        return Neg(_convert(e.this, known, in_period))
    if type(e) in _CMP:
        return Cmp(_CMP[type(e)], _num(e.this, known, in_period), _num(e.expression, known, in_period))
    if isinstance(e, exp.And | exp.Or):
        op = "and" if isinstance(e, exp.And) else "or"
        return Logic(op, (_cond(e.this, known, in_period), _cond(e.expression, known, in_period)))
    if isinstance(e, exp.Not):
        return Logic("not", (_cond(e.this, known, in_period),))
    if isinstance(e, exp.If):
        if e.args.get("false") is None:
            raise FormulaError("if 需要三个参数：if(条件, 成立时的值, 不成立时的值)")
        return If(_cond(e.this, known, in_period), _num(e.args["true"], known, in_period),
                  _num(e.args["false"], known, in_period))
    if isinstance(e, exp.Coalesce):
        args = [e.this, *e.expressions]
        if len(args) < 2:
            raise FormulaError("coalesce 至少需要两个参数")
        return Call("coalesce", tuple(_num(a, known, in_period) for a in args))
    if isinstance(e, exp.Abs):
        return Call("abs", (_num(e.this, known, in_period),))
    if isinstance(e, exp.Anonymous):
        name = str(e.this).lower()
        if name not in PERIOD_FUNCS:
            raise FormulaError(f"不支持的函数“{e.this}”；可用函数：prev、lastyear、ytd、if、coalesce、abs")
        if in_period:
            raise FormulaError(f"期间函数 {name} 不能嵌套在另一个期间函数中")
        args = e.expressions
        if name == "prev":
            if len(args) not in (1, 2):
                raise FormulaError("prev 的用法：prev(表达式) 或 prev(表达式, 期数)")
            n = 1
            if len(args) == 2:
                lit = args[1]
                if not (isinstance(lit, exp.Literal) and not lit.is_string and lit.this.isdigit()):
                    raise FormulaError("prev 的期数必须是正整数")
                n = int(lit.this)
                if not 1 <= n <= MAX_OFFSET:
                    raise FormulaError(f"prev 的期数必须在1到{MAX_OFFSET}之间")
            shift = Shift("prev", n)
        else:
            if len(args) != 1:
                raise FormulaError(f"{name} 只接受一个参数")
            shift = Shift(name, 0)
        inner = _num(args[0], known, True)
        return _shift(inner, shift)
    if isinstance(e, exp.Subquery | exp.Select | exp.Query):
        raise FormulaError("公式中不允许使用子查询")
    raise FormulaError(f"公式中不允许的写法：{_first_line(e.sql())[:80]}")


def _num(e: exp.Expression, known: Callable[[str], bool] | None, in_period: bool) -> Node:
    node = _convert(e, known, in_period)
    if isinstance(node, Cmp | Logic):
        raise FormulaError("此处需要数值表达式，不能是比较或逻辑运算")
    return node


def _cond(e: exp.Expression, known: Callable[[str], bool] | None, in_period: bool) -> Node:
    node = _convert(e, known, in_period)
    if not isinstance(node, Cmp | Logic):
        raise FormulaError("if 的条件必须是比较（如 A > 0）或其逻辑组合")
    return node


def _shift(node: Node, shift: Shift) -> Node:
    """Apply a period shift to every reference below `node`."""
    return map_refs(node, lambda r: Ref(r.code, shift))


def map_refs(node: Node, fn: Callable[[Ref], Node]) -> Node:
    """Rebuild `node` with every Ref replaced by fn(ref)."""
    if isinstance(node, Ref):
        return fn(node)
    if isinstance(node, Num):
        return node
    if isinstance(node, Neg):
        return Neg(map_refs(node.operand, fn))
    if isinstance(node, Bin):
        return Bin(node.op, map_refs(node.left, fn), map_refs(node.right, fn))
    if isinstance(node, Cmp):
        return Cmp(node.op, map_refs(node.left, fn), map_refs(node.right, fn))
    if isinstance(node, Logic):
        return Logic(node.op, tuple(map_refs(a, fn) for a in node.args))
    if isinstance(node, If):
        return If(map_refs(node.cond, fn), map_refs(node.then, fn), map_refs(node.other, fn))
    if isinstance(node, Call):
        return Call(node.name, tuple(map_refs(a, fn) for a in node.args))
    raise TypeError(node)


def refs(node: Node, *, required_only: bool = False) -> Iterator[Ref]:
    """References in order of appearance; `required_only` skips those inside coalesce()."""
    if isinstance(node, Ref):
        yield node
    elif isinstance(node, Neg):
        yield from refs(node.operand, required_only=required_only)
    elif isinstance(node, Bin | Cmp):
        yield from refs(node.left, required_only=required_only)
        yield from refs(node.right, required_only=required_only)
    elif isinstance(node, Logic):
        for a in node.args:
            yield from refs(a, required_only=required_only)
    elif isinstance(node, If):
        for a in (node.cond, node.then, node.other):
            yield from refs(a, required_only=required_only)
    elif isinstance(node, Call):
        if required_only and node.name == "coalesce":
            return
        for a in node.args:
            yield from refs(a, required_only=required_only)


def codes(text: str) -> list[str]:
    """Distinct element codes used by a formula text (no dictionary check)."""
    seen: dict[str, None] = {}
    for r in refs(parse(text)):
        seen.setdefault(r.code, None)
    return list(seen)
