"""Arithmetic over data-element codes: numbers, codes, + - * / and parentheses. Parsed, never eval'd.

Grammar:  expr := term (('+'|'-') term)* ; term := factor (('*'|'/') factor)* ;
          factor := NUMBER | CODE | '(' expr ')' | '-' factor
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from hqd.store.errors import StoreError

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_][A-Za-z0-9_.]*)|(.))")
OPERATORS = {"==": "=", "=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    code: str


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg:
    operand: Node


Node = Num | Ref | BinOp | Neg


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        num, name, other = m.groups()
        if num is not None:
            out.append(("num", num))
        elif name is not None:
            out.append(("ref", name))
        elif other is not None:
            if other not in "+-*/()":
                raise StoreError(f"表达式“{text}”中有不允许的字符“{other}”（只能使用数据项代码、数字和 + - * / ( )）")
            out.append(("op", other))
        pos = m.end()
    return out


def parse(text: str) -> Node:
    toks = _tokens(text)
    if not toks:
        raise StoreError("表达式为空")
    i = 0

    def peek() -> tuple[str, str] | None:
        return toks[i] if i < len(toks) else None

    def take() -> tuple[str, str]:
        nonlocal i
        tok = toks[i]
        i += 1
        return tok

    def expr() -> Node:
        node = term()
        while (t := peek()) and t[1] in ("+", "-") and t[0] == "op":
            take()
            node = BinOp(t[1], node, term())
        return node

    def term() -> Node:
        node = factor()
        while (t := peek()) and t[1] in ("*", "/") and t[0] == "op":
            take()
            node = BinOp(t[1], node, factor())
        return node

    def factor() -> Node:
        t = peek()
        if t is None:
            raise StoreError(f"表达式“{text}”不完整")
        take()
        if t[0] == "num":
            return Num(float(t[1]))
        if t[0] == "ref":
            return Ref(t[1])
        if t[1] == "(":
            node = expr()
            if peek() != ("op", ")"):
                raise StoreError(f"表达式“{text}”缺少右括号")
            take()
            return node
        if t[1] == "-":
            return Neg(factor())
        raise StoreError(f"表达式“{text}”在“{t[1]}”处有语法错误")

    node = expr()
    if i != len(toks):
        raise StoreError(f"表达式“{text}”在“{toks[i][1]}”处有多余内容")
    return node


def codes(node: Node) -> set[str]:
    if isinstance(node, Ref):
        return {node.code}
    if isinstance(node, BinOp):
        return codes(node.left) | codes(node.right)
    if isinstance(node, Neg):
        return codes(node.operand)
    return set()


def evaluate(node: Node, values: Mapping[str, float | None]) -> float | None:
    """The value, or None when a referenced value is missing or a division by zero occurs."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        return values.get(node.code)
    if isinstance(node, Neg):
        v = evaluate(node.operand, values)
        return None if v is None else -v
    left = evaluate(node.left, values)
    right = evaluate(node.right, values)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    return None if right == 0 else left / right


def compare(left: float, op: str, right: float) -> bool:
    tol = 1e-9 * max(1.0, abs(left), abs(right))
    if op in ("=", "=="):
        return abs(left - right) <= tol
    if op == "!=":
        return abs(left - right) > tol
    if op == "<":
        return left < right - tol
    if op == "<=":
        return left <= right + tol
    if op == ">":
        return left > right + tol
    if op == ">=":
        return left >= right - tol
    raise StoreError(f"未知的比较符“{op}”（可用 = != < <= > >=）")
