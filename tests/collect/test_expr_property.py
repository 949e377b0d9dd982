"""Property test: the rule-expression parser computes what the expression means, for random expressions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hqd.collect.expr import evaluate, parse

CODES = ["CYRS", "CYSSRS", "MZSR", "ZYSR", "YLSR"]
numbers = st.integers(min_value=0, max_value=10_000).map(float)


def expressions(depth: int = 3):
    leaf = st.one_of(numbers.map(lambda v: (f"{v:g}", v)), st.sampled_from(CODES).map(lambda c: (c, c)))
    if depth == 0:
        return leaf

    def combine(parts):
        (lt, lv), op, (rt, rv) = parts
        return (f"({lt} {op} {rt})", (op, lv, rv))

    return st.one_of(leaf, st.tuples(expressions(depth - 1), st.sampled_from("+-*/"), expressions(depth - 1))
                     .map(combine), expressions(depth - 1).map(lambda e: (f"-{e[0]}", ("neg", e[1]))))


def reference(tree, values):
    if isinstance(tree, float):
        return tree
    if isinstance(tree, str):
        return values[tree]
    if tree[0] == "neg":
        inner = reference(tree[1], values)
        return None if inner is None else -inner
    op, a, b = tree
    a, b = reference(a, values), reference(b, values)
    if a is None or b is None:
        return None
    if op == "/":
        return None if b == 0 else a / b
    return {"+": a + b, "-": a - b, "*": a * b}[op]


@settings(max_examples=300, deadline=None)
@given(expressions(), st.fixed_dictionaries({c: numbers for c in CODES}))
def test_parser_matches_reference(expr, values):
    text, tree = expr
    got = evaluate(parse(text), values)
    want = reference(tree, values)
    assert (got is None) == (want is None)
    if want is not None:
        assert abs(got - want) <= 1e-9 * max(1.0, abs(want))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("+-*/"), st.integers(min_value=1, max_value=99).map(float)),
                min_size=1, max_size=6), st.integers(min_value=1, max_value=99).map(float))
def test_precedence_and_left_associativity(rest, first):
    """Without parentheses: * and / bind tighter than + and -, and each level folds left to right."""
    text = f"{first:g}" + "".join(f" {op} {v:g}" for op, v in rest)
    terms: list[tuple[str, float]] = [("+", first)]
    for op, v in rest:
        if op in "*/":
            sign, acc = terms[-1]
            terms[-1] = (sign, acc * v if op == "*" else acc / v)
        else:
            terms.append((op, v))
    want = sum(v if sign == "+" else -v for sign, v in terms)
    assert abs(evaluate(parse(text), {}) - want) <= 1e-9 * max(1.0, abs(want))
