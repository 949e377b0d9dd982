"""hqd.plans: targets extracted from a plan are linked to catalog indicators, never forced."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "examples" / "plans"


def _targets(stem: str) -> dict[str, dict]:
    out = subprocess.run(
        [sys.executable, "-m", "hqd.cli", "ingest", str(PLANS / f"{stem}.txt")],
        capture_output=True, text=True, check=True,
    )
    ledger = json.loads(out.stdout)
    return {t["indicator"]: t for task in ledger["tasks"] for t in task["targets"]}


def test_ingest_output_carries_catalog_codes():
    hangzhou = _targets("000_e5f6dd014c1e0675")
    assert hangzhou["县域就诊率"]["catalog_code"] == "RG-02"
    assert hangzhou["基层就诊率"]["catalog_code"] == "RG-01"
    assert hangzhou["医疗服务收入占比"]["catalog_code"] == "RG-06"
    # counts of things to build have no catalog indicator: left unlinked
    assert hangzhou["市级医学中心"]["catalog_code"] is None


def test_a_count_is_not_linked_to_the_rate_of_the_same_words():
    zhejiang = _targets("001_266a61671fee065d")
    count = next(t for name, t in zhejiang.items() if name.startswith("规范化村卫生室"))
    assert count["unit"] == "个" and count["catalog_code"] is None


def test_traditional_phrases_link_too():
    chuxiong = _targets("002_dc2f26d2a65dfbfa")
    assert chuxiong["基層就診率"]["catalog_code"] == "RG-01"


def test_a_qualifier_split_off_as_scope_still_links_and_indices_link():
    from hqd.plans import ledger_from_text

    text = ("某县医共体建设实施方案\n2024年10月8日\n一、工作目标\n"
            "到2025年底前，基层医疗卫生机构诊疗量占比提高到55%左右，三级医院病例组合指数（CMI）达到1.1以上。\n")
    (goals,) = ledger_from_text(text).tasks
    share, cmi = goals.targets
    assert (share.scope, share.indicator, share.catalog_code) == ("基层医疗卫生机构", "诊疗量占比", "RG-01")
    assert (cmi.scope, cmi.unit, cmi.catalog_code) == ("三级医院", None, "HQ-05")
