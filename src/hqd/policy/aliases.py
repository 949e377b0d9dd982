"""Canonical names of responsible units: 市卫生健康委员会 = 市卫生健康委 = 市卫健委.

Agencies are named as a jurisdiction prefix (省/市/区/县/州…) plus an agency name; the full
agency name and its official short forms are listed once here and apply at every level.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .normalize import analysis_text

# full agency name → short forms used in documents
AGENCY_ALIASES: dict[str, list[str]] = {
    "卫生健康委员会": ["卫生健康委", "卫健委", "卫生计生委"],
    "卫生健康局": ["卫健局"],
    "发展和改革委员会": ["发展改革委", "发改委"],
    "发展和改革局": ["发展改革局", "发改局"],
    "人力资源和社会保障厅": ["人力资源社会保障厅", "人力社保厅", "人社厅"],
    "人力资源和社会保障局": ["人力资源社会保障局", "人力社保局", "人社局"],
    "医疗保障局": ["医保局"],
    "市场监督管理局": ["市场监管局"],
    "药品监督管理局": ["药监局"],
    "科学技术厅": ["科技厅"],
    "科学技术局": ["科技局"],
    "经济和信息化厅": ["经信厅"],
    "经济和信息化局": ["经信局"],
    "住房和城乡建设局": ["住房城乡建设局", "住建局"],
    "规划和自然资源局": ["规划资源局"],
    "中医药管理局": ["中医药局"],
    "机构编制委员会办公室": ["编委办", "编办"],
    "深化医药卫生体制改革联席会议办公室": ["医改联席办"],
    "疾病预防控制中心": ["疾控中心"],
    "大数据发展管理局": ["大数据局"],
}
_BY_SHORT = sorted(
    ((short, full) for full, shorts in AGENCY_ALIASES.items() for short in [full, *shorts]),
    key=lambda x: -len(x[0]),
)
_TRAILING_ALIAS = re.compile(r"[(〔\[][^()〔〕\[\]]*[)〕\]]$")


@lru_cache(maxsize=4096)
def canonical_unit(name: str) -> str:
    """The canonical, simplified name of a unit; bracketed second names (省中医药局) are dropped."""
    s = analysis_text(name).replace(" ", "")
    s = _TRAILING_ALIAS.sub("", s) or s
    for short, full in _BY_SHORT:
        if s.endswith(short):
            return s[: len(s) - len(short)] + full
    return s
