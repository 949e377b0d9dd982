"""Data-element codes produced from discharge records, in one place.

Each code is a sum over discharges of one hospital and period, so quarters add up to the year.
The codes are pinyin initials chosen here; the catalog (``hqd.catalog``) may use other codes,
and the lead aligns them at merge time by editing this mapping only.
"""

from __future__ import annotations

ELEMENTS: dict[str, str] = {
    "CYRS": "出院患者人数",
    "CYSSRS": "出院患者手术人数",
    "CYWCSSRS": "出院患者微创手术人数",
    "CYSJSSRS": "出院患者四级手术人数",
    "CYSSTCS": "出院患者手术台次数",
    "ZQSSRS": "出院患者择期手术人数（含日间手术）",
    "SSBFZRS": "择期手术患者并发症发生人数",
    "YLQKSSRS": "Ⅰ类切口手术人数（愈合等级明确）",
    "YLQKGRRS": "Ⅰ类切口手术部位感染人数",
    "DFXZBLS": "低风险组病例数",
    "DFXZSWS": "低风险组死亡例数",
    "CYZZCRS": "出院者占用总床日数",
    "RJSSRS": "日间手术人数",
    "ZYZFY": "出院患者住院总费用（元）",
    "ZYYPFY": "出院患者药品费用（元）",
    "ZYHCFY": "出院患者卫生材料费用（元）",
    "CYSWRS": "出院患者死亡人数",
    "RZBLS": "DRG入组病例数（参考人群有该组）",
    "ZQZS": "DRG总权重数（参考人群相对权重）",
    "RZBLSJL": "DRG入组且有分组器权重的病例数",
    "ZQZSJL": "DRG总权重数（分组器权重）",
    "FYXHBLS": "费用消耗指数计算病例数",
    "FYXHFZ": "费用消耗指数分子 Σ(病例费用/参考组例均费用)",
    "SJXHBLS": "时间消耗指数计算病例数",
    "SJXHFZ": "时间消耗指数分子 Σ(病例住院日/参考组平均住院日)",
}
