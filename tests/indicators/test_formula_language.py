"""The formula language is a security boundary: only elements, numbers, arithmetic and the
allowed functions get through; everything else is rejected at compile time with a Chinese message."""

from __future__ import annotations

import pytest

from hqd.catalog import FormulaError, default_catalog
from hqd.catalog import expr as E
from hqd.catalog.models import Formula
from hqd.indicators import compile_sql, plan_formula

CAT = default_catalog()


def known(code: str) -> bool:
    return code in CAT.elements


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("(SELECT value FROM data_value)", "子查询"),
        ("OP_INC; DROP TABLE data_value", "分号"),
        ("OP_INC -- comment", "注释"),
        ("OP_INC /* x */ + 1", "注释"),
        ("OP_INC + 'abc'", "单引号"),
        ('"OP_INC" + 1', "双引号"),
        ("data_value.OP_INC", "限定名"),
        ("NOT_AN_ELEMENT + 1", "未知的数据项代码"),
        ("op_inc + 1", "不合规"),
        ("CAST(OP_INC AS INT)", "不允许"),
        ("sleep(5)", "不支持的函数"),
        ("pg_read_file(OP_INC)", "不支持的函数"),
        ("prev(prev(OP_INC))", "不能嵌套"),
        ("prev(OP_INC, 0)", "1到"),
        ("prev(OP_INC, OP_INC)", "正整数"),
        ("OP_INC > 1", "数值"),
        ("if(OP_INC, 1, 2)", "条件"),
        ("if(OP_INC > 0, 1)", "三个参数"),
        ("OP_INC UNION SELECT 1", "子查询"),
        ("OP_INC || IP_INC", "|"),
        ("OP_INC % 2", "%"),
        ("OP_INC::text", "::"),
        ("CASE WHEN OP_INC > 0 THEN 1 END", "不允许"),
        ("OP_INC IS NULL", "不允许"),
        ("", "为空"),
        ("OP_INC + " * 400 + "1", "过长"),
        ("OP_INC\x00", "控制字符"),
        ("ytd(OP_INC, 2)", "一个参数"),
    ],
)
def test_rejected(text: str, fragment: str) -> None:
    with pytest.raises(FormulaError) as e:
        E.parse(text, known=known)
    assert fragment in str(e.value)


def test_rejected_before_sql() -> None:
    with pytest.raises(FormulaError):
        plan_formula(Formula("OP_INC); DELETE FROM data_value; --"), catalog=CAT)


@pytest.mark.parametrize(
    "text, n_refs",
    [
        ("OP_INC / OPE_VISITS", 2),
        ("prev(DOCTORS, 2) + lastyear(DOCTORS) + ytd(OP_INC)", 3),
        ("if(OP_INC > 0 and not OPE_VISITS = 0, OP_INC, coalesce(IP_INC, 0))", 3),
        ("abs(-OP_INC) * 1.5e2", 1),
        ("lastyear(OP_INC / OPE_VISITS)", 2),
    ],
)
def test_accepted(text: str, n_refs: int) -> None:
    node = E.parse(text, known=known)
    assert len(set(E.refs(node))) == n_refs


def test_constant_numerator_rejected() -> None:
    with pytest.raises(FormulaError, match="至少要引用一个数据项"):
        plan_formula(Formula("1 + 2", "DISCH"), catalog=CAT)


def test_period_functions_shift_references() -> None:
    node = E.parse("lastyear(OP_INC / OPE_VISITS) - prev(OP_INC, 3)", known=known)
    shifts = {(r.code, r.shift.kind, r.shift.n) for r in E.refs(node)}
    assert shifts == {("OP_INC", "lastyear", 0), ("OPE_VISITS", "lastyear", 0), ("OP_INC", "prev", 3)}


def test_org_filter_is_escaped() -> None:
    p = plan_formula(Formula("OP_INC"), catalog=CAT)
    sql = compile_sql(p, "2024", dialect="sqlite", orgs=["H1'; DROP TABLE data_value; --"])
    assert "'H1''; DROP TABLE data_value; --'" in sql
