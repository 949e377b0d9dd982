"""Data-element codes produced from discharge records, in one place.

Each code is a sum over discharges of one hospital and period, so quarters add up to the year.
Where the catalog's element dictionary (``hqd/catalog/data/elements.yaml``) has the same quantity,
the records use its code, so that record aggregates feed the catalog's formulas directly (DISCH,
LR_CASES, DRG_TOTAL_RW …). Quantities the dictionary lacks get codes in the same style; they are
records-only. Mind the unit: the catalog counts some surgery figures in 台次 (operations) where
the records count 人 (discharges with an operation, one grade per discharge): those are distinct
codes (L4_OPS vs L4_PTS, DAY_SURG_OPS vs DAY_SURG_PTS, INC_I_OPS vs INC_I_PTS), never merged.
``tests/records/test_elements.py`` checks both lists against the catalog.
"""

from __future__ import annotations

# code → name; codes defined, with this meaning, in the catalog's element dictionary.
CATALOG_ELEMENTS: dict[str, str] = {
    "DISCH": "出院患者人次数",
    "DISCH_SURG_PTS": "出院患者手术人数",
    "DISCH_SURG_OPS": "出院患者手术台次数",
    "MIS_PTS": "出院患者微创手术人数",
    "ELECT_SURG_PTS": "同期出院的择期手术患者人数（含日间手术）",
    "COMPL_PTS": "手术患者并发症发生人数（择期手术）",
    "SSI_I": "Ⅰ类切口手术部位感染人次数",
    "LR_CASES": "低风险组病例数",
    "LR_DEATHS": "低风险组死亡例数",
    "DISCH_BED_DAYS": "出院者占用总床日数",
    # CMI and 费用消耗指数 share their cases: a group has a reference weight exactly when it has a
    # reference mean cost (RW = mean cost / overall mean cost, reference.py).
    "DRG_CASES": "DRG入组病例数（参考人群有该组）",
    "DRG_TOTAL_RW": "DRG总权重数（参考人群相对权重×例数）",
    "DRG_COST_K_SUM": "Σ(费用比k_i×例数) = Σ(病例费用/参考组例均费用)",
    "DRG_TIME_K_SUM": "Σ(住院日比k_i×例数) = Σ(病例住院日/参考组平均住院日)",
    # Fewer than DRG_CASES when a reference group has no bed-days (all its stays 0 days).
    "DRG_CASES_LOS": "时间消耗指数计算病例数（参考组有平均住院日）",
}

# code → name; quantities the catalog's dictionary does not define.
RECORDS_ONLY_ELEMENTS: dict[str, str] = {
    "L4_PTS": "出院患者四级手术人数",
    "INC_I_PTS": "Ⅰ类切口手术人数（愈合等级明确）",
    "DAY_SURG_PTS": "日间手术人数",
    "DISCH_COST": "出院患者住院总费用（元）",
    "DISCH_DRUG_COST": "出院患者药品费用（元）",
    "DISCH_MATERIAL_COST": "出院患者卫生材料费用（元）",
    "DISCH_DEATHS": "出院患者死亡人数",
    "DRG_CASES_GW": "DRG入组且有分组器权重的病例数",
    "DRG_TOTAL_GW": "DRG总权重数（分组器权重）",
}

ELEMENTS: dict[str, str] = CATALOG_ELEMENTS | RECORDS_ONLY_ELEMENTS
