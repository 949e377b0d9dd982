"""The extractor never raises, whatever text it is given, and its offsets always point into the input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hqd.policy import extract_ledger

# Fragments of plan text, recombined at random, reach far more rule paths than random characters.
FRAGMENTS = [
    "一、", "二、", "（一）", "(二)", "1.", "2．", "3、", "（1）", "①", "第一步：", "到2025年，", "2023年12月底前",
    "今年6月底前", "年内", "“十四五”期间", "达到", "65%", "以上", "以下", "左右", "2—3个", "分别达到", "4.78人和8.5张",
    "1/3", "三分之一", "1：2", "十大", "一所", "建成", "新增", "控制在", "每千常住人口", "（责任单位：", "市卫生健康委",
    "、", "，", "。", "；", "）", "列第一位的为牵头单位，下同", "牵头单位：", "配合单位：", "负责", "以下均需各县（市、区）落实，不再列出",
    "《", "》", "〔2022〕47号", "关于印发", "的通知", "\n", "\n\n", "    ", "抄送：", "20__年", "每年", "提升2个位次",
    "三级医院", "二级以上", "“", "”", "(", ")", "〔", "〕", "0", "9", "%", "‰", "个百分点", "级", "甲等",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=80).map("".join))
def test_extractor_never_raises_on_plan_like_text(text):
    ledger = extract_ledger(text, file="x.txt")
    for task in ledger.tasks:
        for t in task.targets:
            assert text[t.start : t.end] == t.text
    ledger.to_dict()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_extractor_never_raises_on_random_text(text):
    extract_ledger(text, file="x.txt").to_dict()


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=120).map("".join))
def test_ledger_from_text_with_catalog_links_never_raises(text):
    """The web upload's path: extraction plus linking targets to catalog indicators (hqd.plans)."""
    from hqd.plans import ledger_from_text

    ledger_from_text(text, file="fuzz.txt").to_dict()
