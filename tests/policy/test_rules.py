"""Rule-level checks of the extractor on short passages written the way plans write them."""

from __future__ import annotations

import pytest

from hqd.policy import extract_ledger

HEAD = "某市推动公立医院高质量发展实施方案\n2023年5月8日\n"


def _plan(body: str, head: str = HEAD) -> str:
    return head + "一、重点任务\n" + body


def _targets(body: str, head: str = HEAD):
    ledger = extract_ledger(_plan(body, head))
    return [t for task in ledger.tasks for t in task.targets]


def _one(body: str, head: str = HEAD):
    ts = _targets(body, head)
    assert len(ts) == 1, [(t.indicator, t.value) for t in ts]
    return ts[0]


# --- responsible units -------------------------------------------------------------------------


def test_first_listed_unit_leads_for_later_tasks_too():
    ledger = extract_ledger(
        _plan(
            "1.加强学科建设。内容。（责任单位：市卫生健康委、市发展改革委、市财政局，列第一位的为牵头单位，下同）\n"
            "2.加强人才培养。内容。（责任单位：市人力社保局、市卫生健康委）\n"
        )
    )
    t1, t2 = ledger.tasks
    assert t1.lead_units == ["市卫生健康委"] and t1.support_units == ["市发展改革委", "市财政局"]
    assert t2.lead_units == ["市人力社保局"] and t2.support_units == ["市卫生健康委"]
    assert t1.lead_units_canonical == ["市卫生健康委员会"]


def test_labelled_lead_and_support_units():
    (task,) = extract_ledger(_plan("1.推进医共体建设。内容。（牵头单位：区卫生健康局；配合单位：区财政局、区医保局）\n")).tasks
    assert task.lead_units == ["区卫生健康局"]
    assert task.support_units == ["区财政局", "区医保局"]


@pytest.mark.parametrize(
    "clause",
    ["（省卫生健康委、省医保局负责）", "（省卫生健康委、省医保局等部门负责）", "（省卫生健康委、省医保局分别负责）",
     "（省卫生健康委、省医保局按职责分工负责）"],
)
def test_units_that_all_lead(clause):
    (task,) = extract_ledger(_plan(f"1.加强医疗服务管理。内容。{clause}\n")).tasks
    assert task.lead_units == ["省卫生健康委", "省医保局"] and task.support_units == []


def test_lead_and_support_in_running_form():
    (task,) = extract_ledger(_plan("1.完善价格机制。内容。（市医保局牵头，市卫生健康委、市财政局配合）\n")).tasks
    assert task.lead_units == ["市医保局"] and task.support_units == ["市卫生健康委", "市财政局"]


def test_office_level_labels_on_their_own_line():
    (task,) = extract_ledger(_plan("1.推进日间手术。内容。\n牵头处室：医政医管处；配合处室：规划信息处、财务处\n")).tasks
    assert task.lead_units == ["医政医管处"] and task.support_units == ["规划信息处", "财务处"]


def test_implied_units_go_to_every_later_task():
    ledger = extract_ledger(
        _plan(
            "1.任务一。内容。（市卫生健康委负责。以下均需各县（市、区）政府落实，不再列出）\n"
            "2.任务二。内容。（市医保局负责）\n"
            "3.任务三。内容。\n"
        )
    )
    t1, t2, t3 = ledger.tasks
    assert t1.support_units == []
    assert t2.support_units == ["各县（市、区）政府"]
    assert t3.support_units == ["各县（市、区）政府"]


def test_running_text_bodies_are_not_units():
    (task,) = extract_ledger(_plan("1.组建医疗集团。由州人民医院牵头，组建医疗集团。\n")).tasks
    assert task.lead_units == [] and task.support_units == []


def test_table_row_rendering_is_parsed():
    (task,) = extract_ledger(
        _plan("1.建设胸痛中心。二级以上医院全部建成胸痛中心。（牵头单位：市卫生健康委；配合单位：市财政局；完成时限：2024年12月底前）\n")
    ).tasks
    assert task.lead_units == ["市卫生健康委"] and task.support_units == ["市财政局"]
    assert task.deadline == "2024-12-31"


# --- targets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clause, comparator, value, unit",
    [
        ("基层就诊率达到65%以上", ">=", 65, "%"),
        ("平均住院日控制在8天以内", "<=", 8, "天"),
        ("药占比降低到25%以下", "<=", 25, "%"),
        ("人员支出占比提高到45%", ">=", 45, "%"),
        ("医疗服务收入占比保持在35%以上", ">=", 35, "%"),
        ("次均费用增幅不超过5%", "<=", 5, "%"),
        ("门诊预约率不低于60%", ">=", 60, "%"),
        ("医护比达到1:1.25左右", "~", 1.25, "1:N"),
        ("婴儿死亡率控制在5‰以下", "<=", 5, "‰"),
        ("县域内就诊率提高5个百分点", "increase", 5, "个百分点"),
        ("抗菌药物使用强度下降10%", "decrease", 10, "%"),
        ("每千人口执业（助理）医师数达到3.2人", ">=", 3.2, "人"),
        ("每万人口全科医生数4人", ">=", 4, "人"),
        ("建成两所县级中医医院", "=", 2, "所"),
        ("培育十大特色专科", "=", 10, "个"),
        ("每年至少开展2次专项检查", ">=", 2, "次"),
        ("投入5000万元用于设备更新", "=", 5000, "万元"),
        ("三分之一的专家号源向基层开放", "=", 0.3333, "fraction"),
        ("电子病历应用水平达到5级以上", ">=", 5, "级"),
        ("90%的乡镇卫生院达到服务能力推荐标准", ">=", 90, "%"),
    ],
)
def test_target_shapes(clause, comparator, value, unit):
    t = _one(f"1.任务。到2025年，{clause}。\n")
    assert (t.comparator, t.value, t.unit) == (comparator, value, unit)
    # a recurring 每年… target does not inherit the date of another clause
    assert t.deadline == (None if "每年" in clause else "2025-12-31")
    assert t.text == clause


def test_ranges_and_lists():
    ts = _targets("1.任务。建成省级重点专科3—5个，每千常住人口床位数和执业医师数分别达到6.5张和3.5人。\n")
    assert [(t.comparator, t.value, t.value_high, t.unit) for t in ts] == [
        ("range", 3, 5, "个"),
        (">=", 6.5, None, "张"),
        (">=", 3.5, None, "人"),
    ]
    assert "床位数" in ts[1].indicator and "执业医师数" in ts[2].indicator


@pytest.mark.parametrize(
    "clause, comparator, value, unit, baseline, period",
    [
        ("微创手术占比从20%提升到25%左右", "~", 25, "%", 20, None),
        ("县域内就诊率从2022年的86%提高到90%以上", ">=", 90, "%", 86, "2022"),
        ("平均住院日由9.2天缩短至8.5天以内", "<=", 8.5, "天", 9.2, None),
        ("药占比由32%降低到28%", "<=", 28, "%", 32, None),
        ("病例组合指数（CMI）值由0.92提高到1.0", ">=", 1, None, 0.92, None),
        ("病例组合指数（CMI）达到1.1以上", ">=", 1.1, None, None, None),
        ("时间消耗指数控制在1以内", "<=", 1, None, None, None),
        ("费用消耗指数不高于1.0", "<=", 1, None, None, None),
    ],
)
def test_goals_from_a_baseline_and_dimensionless_indices(clause, comparator, value, unit, baseline, period):
    """从X提高到Y is one target, Y, that starts from X (a base year with 从 is no deadline); an index
    such as CMI has no unit."""
    t = _one(f"1.任务。到2025年，{clause}。\n")
    assert (t.comparator, t.value, t.unit, t.baseline, t.baseline_period) == (comparator, value, unit, baseline, period)
    assert t.deadline == "2025-12-31" and t.text == clause
    assert "从" not in t.indicator and "由" not in t.indicator


@pytest.mark.parametrize(
    "clause",
    [
        "三级医院要发挥引领作用",
        "二级以上医院全部设置发热门诊",
        "绩效考核排名稳定在全省第一方阵",
        "打造一批临床重点专科",
        "强化胸痛、卒中、创伤等五大中心建设",
        "落实“两个允许”要求",
        "实施“三年行动计划”",
        "县级医院达到三级甲等水平",
        "医疗服务能力持续提升",
        "制定《某某办法（2023—2025年）》",
        "落实国办发〔2021〕18号文件",
        "培育一支高素质人才队伍",
        "65岁以上老年人健康管理持续加强",
        "病例组合指数（CMI）稳步提升",
        "建设健康大脑2.0",
        "发布2024年费用消耗指数",
    ],
)
def test_not_targets(clause):
    assert _targets(f"1.任务。到2025年，{clause}。\n") == []


def test_recurring_target_has_no_deadline_and_elliptical_subject_inherits():
    ts = _targets("1.任务。到2025年，日间手术占择期手术比例达到15%以上，三级医院达到25%以上；每年培育示范单位3家。\n")
    assert [(t.value, t.deadline) for t in ts] == [(15, "2025-12-31"), (25, "2025-12-31"), (3, None)]
    assert ts[1].indicator == ts[0].indicator and ts[1].scope == "三级医院"


# --- deadlines and metadata ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase, deadline",
    [
        ("2024年底前", "2024-12-31"),
        ("2023年6月30日前", "2023-06-30"),
        ("今年年底前", "2023-12-31"),
        ("年内", "2023-12-31"),
        ("“十四五”期间", "2025-12-31"),
        ("2024年上半年", "2024-06-30"),
    ],
)
def test_task_deadlines(phrase, deadline):
    (task,) = extract_ledger(_plan(f"1.完成改造。{phrase}完成改造任务。\n")).tasks
    assert task.deadline == deadline


def test_plan_names_baselines_and_recurring_schedules_are_not_deadlines():
    (task,) = extract_ledger(
        _plan("1.任务。落实《行动计划（2021—2025年）》，在2022年基础上提升，每年6月底前报送。\n")
    ).tasks
    assert task.deadline is None


def test_notice_metadata_with_doc_number_line_and_end_signature():
    text = (
        "浙卫发〔2023〕12号\n\n浙江省卫生健康委员会关于印发\n2023年全省医政工作要点的通知\n\n各市卫生健康委：\n"
        "现将《2023年全省医政工作要点》印发给你们，请认真贯彻执行。\n\n"
        "一、重点任务\n1.推进改革。根据《国务院办公厅关于推动公立医院高质量发展的意见》（国办发〔2021〕18号），研究制定《某某实施细则》。\n"
        "\n浙江省卫生健康委员会\n二〇二三年五月八日\n\n抄送：国家卫生健康委。\n"
    )
    ledger = extract_ledger(text)
    assert ledger.doc_number == "浙卫发〔2023〕12号"
    assert ledger.title == "浙江省卫生健康委员会关于印发2023年全省医政工作要点的通知"
    assert ledger.issuer == "浙江省卫生健康委员会"
    assert ledger.date == "2023-05-08"
    assert [(c.title, c.doc_number) for c in ledger.cited_policies] == [
        ("《国务院办公厅关于推动公立医院高质量发展的意见》", "国办发〔2021〕18号")
    ]
    assert "抄送" not in ledger.tasks[-1].text


def test_reposted_notice_headed_by_its_doc_number_and_cited_title():
    """Pages that repost a notice head it "文号《…的通知》" above the notice's own title."""
    text = (
        "穗府办〔2023〕11号《广州市人民政府办公厅关于印发广州市推动公立医院高质量发展实施方案的通知》\n"
        "广州市人民政府办公厅关于印发广州市推动公立医院高质量发展实施方案的通知\n穗府办〔2023〕11号\n"
        "各区人民政府，市政府各部门：\n《广州市推动公立医院高质量发展实施方案》已经市人民政府同意，现印发给你们。\n"
        "广州市人民政府办公厅\n2023年6月18日\n广州市推动公立医院高质量发展实施方案\n"
        "一、重点任务\n1.任务。到2025年，三级医院CMI值达到1.1以上。\n"
    )
    ledger = extract_ledger(text)
    assert ledger.title == "广州市人民政府办公厅关于印发广州市推动公立医院高质量发展实施方案的通知"
    assert (ledger.doc_number, ledger.issuer, ledger.date) == ("穗府办〔2023〕11号", "广州市人民政府办公厅", "2023-06-18")
    assert ledger.cited_policies == []


def test_text_that_is_not_a_plan_gives_an_empty_ledger_and_a_warning():
    ledger = extract_ledger("今天天气很好，我们去公园散步。\n晚上看了一场电影。")
    assert ledger.tasks == [] and ledger.warnings


def test_one_indicator_two_years_respectively():
    ts = _targets("1.提升健康素养。到2025年和2030年，全省居民健康素养水平分别不低于25%和30%。\n")
    assert [(t.value, t.comparator, t.deadline) for t in ts] == [(25, ">=", "2025-12-31"), (30, ">=", "2030-12-31")]
    assert ts[0].indicator == ts[1].indicator == "居民健康素养水平" and ts[0].scope == "全省"


@pytest.mark.parametrize(
    "clause, comparator, value, value_high, unit",
    [
        ("床位使用率保持在85%—93%之间", "range", 85, 93, "%"),
        ("力争在全国三级公立医院绩效考核中排名进入前300位", "<=", 300, None, "位"),
        ("门诊患者满意度达到90分以上", ">=", 90, None, "分"),
        ("急救站点服务半径不超过3公里", "<=", 3, None, "公里"),
        ("每年至少开展集中带量采购2批次", ">=", 2, None, "批次"),
        ("临床用血100%来自无偿献血", ">=", 100, None, "%"),
        ("孕产妇死亡率控制在12/10万以下", "<=", 12, None, "1/10万"),
        ("医务人员薪酬年均增长不低于5%", "increase", 5, None, "%"),
        ("平均住院日较上年缩短0.3天", "decrease", 0.3, None, "天"),
        ("其中6家县级医院达到三级医院服务能力", "=", 6, None, "家"),
        ("通过互联互通标准化成熟度测评四级甲等", ">=", 4, None, "级（甲等）"),
    ],
)
def test_more_target_shapes(clause, comparator, value, value_high, unit):
    t = _one(f"1.任务。{clause}。\n")
    assert (t.comparator, t.value, t.value_high, t.unit) == (comparator, value, value_high, unit)


def test_share_rendering_and_rank_count_indicators():
    (t,) = _targets("1.任务。临床用血100%来自无偿献血。\n")
    assert t.indicator == "临床用血来自无偿献血的比例"
    (t,) = _targets("1.任务。平均住院日较上年缩短0.3天。\n")
    assert t.indicator == "平均住院日"


@pytest.mark.parametrize(
    "clause",
    [
        "打造心血管、肿瘤、神经、呼吸、创伤五大专科集群",
        "12个县市人民医院全部达到二级甲等以上水平",
        "出院后30天内完成随访",
        "2—3个学科进入全国排行前十强",
    ],
)
def test_more_near_misses(clause):
    ts = _targets(f"1.任务。{clause}。\n")
    assert all(t.unit != "位" and t.value not in (5, 12, 30, 10) for t in ts), [(t.indicator, t.value) for t in ts]


def test_joint_issuers_on_one_line_and_cited_policy_before_the_issued_one():
    text = (
        "关于印发某省改善就医感受实施方案的通知\n各市卫生健康委：\n"
        "为贯彻落实《国家卫生健康委关于开展主题活动的通知》（国卫医政发〔2023〕11号），我们制定了《某省实施方案》，现印发给你们。\n"
        "一、重点任务\n1.改善服务。内容。\n"
        "某省卫生健康委员会　　　　　某省发展和改革委员会\n某省财政厅\n2023年5月8日\n"
    )
    ledger = extract_ledger(text)
    assert ledger.issuer == "某省卫生健康委员会、某省发展和改革委员会、某省财政厅"
    assert [c.doc_number for c in ledger.cited_policies] == ["国卫医政发〔2023〕11号"]


def test_change_from_a_base_year_names_only_the_indicator():
    t = _one("1.任务。到2025年，人均预期寿命在2020年基础上继续提高1岁左右，人均健康预期寿命同比例提高。\n")
    assert (t.indicator, t.comparator, t.value, t.unit, t.deadline) == ("人均预期寿命", "increase", 1, "岁", "2025-12-31")


def test_plan_chapters_are_path_labels_and_background_is_no_task():
    text = ("某市卫生健康事业发展规划\n2021年9月1日\n第一章 发展基础\n一、主要成就\n床位数增加到1.2万张。\n"
            "第二章 重点任务\n一、推进分级诊疗\n到2025年，县域内就诊率达到90%以上。（市卫生健康委负责）\n")
    (task,) = extract_ledger(text).tasks
    assert task.path == ["第二章", "一"] and task.lead_units == ["市卫生健康委"]


def test_a_unit_marked_as_lead_inside_its_list():
    (task,) = extract_ledger(_plan("1.提升能力。开展四级手术。\n责任部门：医务部（牵头）、质控科、各临床科室\n")).tasks
    assert task.lead_units == ["医务部"] and task.support_units == ["质控科", "各临床科室"]


@pytest.mark.parametrize(
    "body, expected",
    [
        # a month with no year, in the document's year
        ("1.任务。9月底前通过电子病历系统应用水平分级评价5级评审。\n", [("电子病历系统应用水平分级评价", 5, "2023-09-30")]),
        # the count of people is the target; how long they train is its condition
        ("1.任务。年内引进博士研究生10名，选派30名骨干医师进修6个月以上。\n",
         [("博士研究生", 10, "2023-12-31"), ("骨干医师进修", 30, "2023-12-31")]),
        # a streak that triggers an action, and a past year's figure, are no goals
        ("1.任务。对连续两个季度未完成进度的科室约谈。\n", []),
        ("1.任务。2022年，全市CMI值为0.95。到2025年，CMI值达到1.1。\n", [("CMI值", 1.1, "2025-12-31")]),
    ],
)
def test_hospital_plan_phrasings(body, expected):
    got = [(t.indicator, t.value, t.deadline) for t in _targets(body)]
    assert [(i, v, d) for i, v, d in got] == expected


def _wrapped(paragraphs: list[str], width: int = 30) -> str:
    """Paragraphs as a PDF copy has them: a line break every `width` characters, a page footer and a
    running header after every second paragraph."""
    lines = []
    for k, paragraph in enumerate(paragraphs, 1):
        lines += [paragraph[i : i + width] for i in range(0, len(paragraph), width)]
        if k % 2 == 0:
            lines += [f"— {k // 2} —", "某市公立医院高质量发展实施方案"]
    return "\n".join(lines) + "\n"


def test_text_copied_out_of_a_pdf_with_hard_line_breaks_and_page_furniture():
    paragraphs = [
        "一、重点任务",
        "1.推进分级诊疗。到2025年，县域内就诊率达到90%以上，基层医疗卫生机构诊疗量占比达到65%。"
        "（责任单位：市卫生健康委、市财政局，列第一位的为牵头单位，下同）",
        "2.建设医共体。以县级医院为龙头组建紧密型县域医共体，实现县域全覆盖，每个县组建1—2个，"
        "到2024年底前全部建成医学影像、心电诊断和病理诊断中心。（责任单位：市卫生健康委、市医保局）",
        "3.加强人才建设。实施名医培育计划，到2025年，引进高层次人才不少于50名，培养市级学科带头人100名，"
        "选派骨干医师到国内知名医院进修。（责任单位：市卫生健康委、市人力资源社会保障局）",
        "4.推进智慧医院建设。到2025年，三级公立医院电子病历系统应用水平分级评价达到5级以上，"
        "智慧服务分级评估达到3级以上。（责任单位：市卫生健康委、市数据局）",
    ]
    text = "某市公立医院高质量发展实施方案\n2023年5月8日\n" + _wrapped(paragraphs)
    assert len(text.splitlines()) > 20  # the paragraphs broken mid-sentence and mid-name
    ledger = extract_ledger(text)
    first, second, third, fourth = ledger.tasks
    assert (first.lead_units, first.support_units) == (["市卫生健康委"], ["市财政局"])
    assert [(t.indicator[-5:], t.value) for t in first.targets] == [("域内就诊率", 90), ("诊疗量占比", 65)]
    assert second.support_units == ["市医保局"] and [t.value for t in second.targets] == [1]
    assert [(t.value, t.deadline) for t in third.targets] == [(50, "2025-12-31"), (100, "2025-12-31")]
    assert [t.value for t in fourth.targets] == [5, 3] and fourth.support_units == ["市数据局"]
    assert all("— 1 —" not in t.text and "高质量发展实施方案" not in t.text for t in ledger.tasks)  # no page furniture


def test_an_annexed_task_division_table_gives_tasks():
    text = ("某市实施方案\n2023年5月8日\n一、重点任务\n1.推进分级诊疗。（市卫生健康委负责）\n附件：重点任务分工表\n"
            "序号\t重点任务\t牵头单位\t配合单位\t完成时限\n"
            "1\t建设省级区域医疗中心2个\t市卫生健康委\t市发展改革委、市财政局\t2026年12月底前\n"
            "2\t深化薪酬制度改革\t市人力资源社会保障局、市卫生健康委\t市财政局\t持续推进\n")
    tasks = extract_ledger(text).tasks
    assert [t.path for t in tasks] == [["一", "1"], ["附件", "1"], ["附件", "2"]]
    assert (tasks[1].lead_units, tasks[1].support_units, tasks[1].deadline) == (
        ["市卫生健康委"], ["市发展改革委", "市财政局"], "2026-12-31")
    assert [(t.indicator, t.value) for t in tasks[1].targets] == [("省级区域医疗中心", 2)]
    assert tasks[2].lead_units == ["市人力资源社会保障局", "市卫生健康委"] and tasks[2].deadline is None


@pytest.mark.parametrize(
    "body, expected",
    [
        ("1.任务。到2027年，四级手术占比、微创手术占比每年分别提高1个百分点和0.5个百分点。\n",
         [("increase", 1), ("increase", 0.5)]),
        ("1.任务。建设传染病医院或相对独立的传染病院区，每个设区市至少1个。\n", [(">=", 1)]),
        ("1.任务。在全省11个设区市开展主题宣传活动。\n", []),
        ("1.任务。实行编制动态调整，原则上每3年调整一次。\n", [("=", 1)]),
        ("1.任务。三级医院开设护理专科门诊的比例到2025年和2027年分别达到80%和95%。\n", [(">=", 80), (">=", 95)]),
        ("1.任务。到2027年，三级和二级公立医院电子病历应用水平分级评价分别达到5级和4级以上。\n", [(">=", 5), (">=", 4)]),
    ],
)
def test_provincial_opinion_phrasings(body, expected):
    assert [(t.comparator, t.value) for t in _targets(body)] == expected


def test_a_named_lead_beside_units_that_share_the_work():
    (task,) = extract_ledger(_plan("1.任务。推进改革。（省卫生健康委牵头，省发展改革委、省财政厅等按职责分工负责）\n")).tasks
    assert task.lead_units == ["省卫生健康委"] and task.support_units == ["省发展改革委", "省财政厅"]


def test_text_one_paragraph_a_line_is_not_rejoined():
    from hqd.policy.readers.spacing import unwrap_hard_wraps

    names = "\n".join(f"{city}市第{n}人民医院（三级甲等综合医院）" for city in ("杭州", "宁波", "温州") for n in "一二三四五")
    assert unwrap_hard_wraps(names) == names  # a list of names, each its own line
    seed = _plan("1.任务。到2025年，县域内就诊率达到90%以上。\n" * 12)
    assert unwrap_hard_wraps(seed) == seed


def test_a_task_list_table_with_section_rows():
    text = ("某市2025年深化医改重点工作任务清单\n2025年3月24日\n"
            "序号\t工作任务\t具体内容\t牵头单位\t配合单位\t完成时限\n"
            "一、深化公立医院改革\n"
            "1\t推进公立医院高质量发展\t三级公立医院四级手术占比较上年提高2个百分点。\t市卫生健康委\t市医保局\t2025年12月底前\n"
            "2\t加强运营管理\t每季度发布1期运行分析报告。\t市卫生健康委\t\t每季度\n"
            "二、深化医保改革\n"
            "3\t推进即时结算\t结算周期缩短至10个工作日以内。\t市医保局\t\t2025年6月底前\n")
    tasks = extract_ledger(text).tasks
    assert [t.path for t in tasks] == [["一", "1"], ["一", "2"], ["二", "3"]]
    assert (tasks[0].lead_units, tasks[0].support_units, tasks[0].deadline) == (["市卫生健康委"], ["市医保局"], "2025-12-31")
    assert [(t.value, t.unit, t.deadline) for t in tasks[1].targets] == [(1, "期", None)]  # 每季度: recurring
    assert [(t.comparator, t.value, t.unit) for t in tasks[2].targets] == [("<=", 10, "个工作日")]


def test_an_indicator_manual_defines_indicators_and_sets_no_tasks():
    text = ("某省公立医院高质量发展评价指标操作手册\n（2024年版）\n编制说明\n为规范评价工作，编制本手册。\n"
            "某省卫生健康委员会\n2024年6月18日\n一、工作要求\n（一）规范数据报送。数据上报完整率达到100%。\n"
            "二、医疗质量指标\n（一）低风险组病例死亡率\n指标属性：定量\n计量单位：%\n"
            "计算方法：低风险组死亡例数/低风险组病例数×100%\n指标说明：低风险组指死亡风险评分为1分的病组。\n指标导向：逐步降低\n")
    ledger = extract_ledger(text)
    assert ledger.title == "某省公立医院高质量发展评价指标操作手册（2024年版）"
    assert [t.path for t in ledger.tasks] == [["一", "(一)"]]
    assert [(t.comparator, t.value) for t in ledger.tasks[0].targets] == [(">=", 100)]


def test_a_block_clause_gives_the_units_of_the_items_above_it():
    text = ("某市实施方案\n2024年5月8日\n一、总体要求\n坚持公益性。\n二、重点任务\n（一）提升能力\n1.建设专科。到2025年，新增专科10个。\n"
            "2.建设中心。建成胸痛中心5个。\n（以上任务由市卫生健康委牵头，市财政局、市发展改革委配合）\n"
            "（二）深化医保改革\n1.推进支付改革。\n2.推进集采。\n3.巩固参保。\n"
            "（以上第1、2项任务由市医保局牵头，市卫生健康委配合；第3项任务由市医保局、市税务局负责）\n")
    tasks = {"/".join(t.path): t for t in extract_ledger(text).tasks}
    for key in ("二/(一)/1", "二/(一)/2"):
        assert (tasks[key].lead_units, tasks[key].support_units) == (["市卫生健康委"], ["市财政局", "市发展改革委"])
    assert tasks["二/(二)/2"].lead_units == ["市医保局"] and tasks["二/(二)/2"].support_units == ["市卫生健康委"]
    assert tasks["二/(二)/3"].lead_units == ["市医保局", "市税务局"] and tasks["二/(二)/3"].support_units == []
    assert [t.value for t in tasks["二/(一)/2"].targets] == [5]


def test_a_task_table_headed_in_traditional_script():
    text = ("某縣工作方案\n2024年5月8日\n一、重點任務\n1.推進改革。（縣衛健局負責）\n附件2：重點任務分工表\n"
            "序號\t重點任務\t牽頭單位\t配合單位\t完成時限\n1\t建設醫共體\t縣衛健局\t縣財政局\t２０２４年１２月底前\n")
    tasks = extract_ledger(text).tasks
    assert [t.path for t in tasks] == [["一", "1"], ["附件2", "1"]]
    assert (tasks[1].lead_units, tasks[1].support_units, tasks[1].deadline) == (["縣衛健局"], ["縣財政局"], "2024-12-31")


@pytest.mark.parametrize(
    "clause, comparator, value, unit",
    [
        ("县域内就诊率达到百分之九十以上", ">=", 90, "%"),
        ("法定传染病报告及时率达到百分之百", ">=", 100, "%"),
        ("婴儿死亡率控制在千分之五以下", "<=", 5, "‰"),
        ("孕产妇死亡率控制在十万分之十二以下", "<=", 12, "1/10万"),
        ("达标乡镇卫生院占比达到三成以上", ">=", 30, "%"),
        ("互联网医院诊疗服务量较2023年翻一番", "increase", 100, "%"),
        ("门诊患者平均候诊时间较2023年减少一半", "decrease", 50, "%"),
        ("急救平均反应时间缩短至十二分钟以内", "<=", 12, "分钟"),
        ("四级手术占比提高两个百分点", "increase", 2, "个百分点"),
        ("专项资金不少于五千万元", ">=", 5000, "万元"),
        ("抢救室患者滞留时间中位数控制在8小时以内", "<=", 8, "小时"),
    ],
)
def test_numbers_written_out_in_chinese(clause, comparator, value, unit):
    t = _one(f"1.任务。到2025年，{clause}。\n")
    assert (t.comparator, t.value, t.unit) == (comparator, value, unit)


def test_a_ministry_rule_number_is_a_cited_doc_number():
    ledger = extract_ledger(_plan("1.任务。按照《院前医疗急救管理办法》（国家卫生和计划生育委员会令第3号）要求推进。\n"))
    assert [(c.title, c.doc_number) for c in ledger.cited_policies] == [("《院前医疗急救管理办法》", "国家卫生和计划生育委员会令第3号")]


def test_an_assessment_report_sets_goals_only_in_its_demands():
    text = ("某市卫生健康委员会关于2024年公立医院绩效考核结果的通报\n某卫通〔2025〕6号\n各公立医院：\n现将考核结果通报如下。\n"
            "一、考核基本情况\n全市23家公立医院参加考核，满分100分，平均得分86.5分。\n"
            "二、存在的问题\n8家医院平均住院日超过9天。\n"
            "三、整改要求\n（一）提高运行效率。平均住院日超过9天的医院要于2025年6月底前制定方案，年底前平均住院日降至8.5天以下。"
            "（责任单位：各公立医院，市卫生健康委医政医管科、财务科督导）\n"
            "附件：2024年公立医院绩效考核得分情况\n某市卫生健康委员会\n2025年2月26日\n附件\n得分情况\n"
            "序号\t医院名称\t考核得分\n1\t某市第一人民医院\t93.6\n2\t某市中医医院\t92.4\n3\t某市第二人民医院\t90.5\n"
            "4\t某市第三人民医院\t88.3\n5\t某市肿瘤医院\t85.2\n6\t某市妇幼保健院\t84.1\n7\t某市精神卫生中心\t82.7\n")
    ledger = extract_ledger(text)
    assert ledger.date == "2025-02-26"  # the signature above an annexed table
    (task,) = ledger.tasks  # facts, problems and the table of scores are no tasks
    assert task.path == ["三", "(一)"]
    assert (task.lead_units, task.support_units) == (["各公立医院"], ["市卫生健康委医政医管科", "财务科"])
    assert [(t.indicator, t.comparator, t.value, t.deadline) for t in task.targets] == [("平均住院日", "<=", 8.5, "2025-12-31")]


def test_scoring_rules_are_no_targets():
    targets = _targets("1.任务。达到目标值的得满分，每低于目标值1个百分点扣0.5分，加分最高不超过5分；"
                       "得分低于80分的科室暂停评优。到2025年，门诊患者满意度达到90%以上。\n")
    assert [(t.comparator, t.value, t.unit) for t in targets] == [(">=", 90, "%")]


def test_parts_target_notes_and_a_forwarded_plan():
    text = ("某省卫生健康委员会关于转发某方案的通知\n各市卫生健康委：\n结合我省实际，提出以下意见：\n"
            "第一部分 总体要求\n一、主要目标\n到2025年，县域内就诊率达到90%以上。\n"
            "第二部分 重点行动\n一、提升能力\n（一）建设智慧医院。提升电子病历系统应用水平分级评价等级（2025年目标值：三级公立医院≥5级），"
            "床位使用率保持在合理区间（目标值：80%—90%）。\n牵头单位：省卫生健康委；参与单位：省数据局\n"
            "（二）改善服务。（责任单位：省卫生健康委医政处牵头，各市卫生健康委配合）\n"
            "某省卫生健康委员会\n2024年5月8日\n附件\n某市实施方案\n一、重点任务\n1.推进改革。到2025年，建成胸痛中心5个。（市卫生健康委负责）\n")
    tasks = {"/".join(t.path): t for t in extract_ledger(text).tasks}
    assert set(tasks) == {"第一部分/一", "第二部分/一/(一)", "第二部分/一/(二)", "附件/一/1"}
    notes = [(t.indicator, t.comparator, t.value, t.value_high, t.unit, t.scope, t.deadline) for t in tasks["第二部分/一/(一)"].targets]
    assert notes == [("电子病历系统应用水平分级评价等级", ">=", 5, None, "级", "三级公立医院", "2025-12-31"),
                     ("床位使用率保持在合理区间", "range", 80, 90, "%", None, "2025-12-31")]
    assert tasks["第二部分/一/(一)"].support_units == ["省数据局"]
    assert (tasks["第二部分/一/(二)"].lead_units, tasks["第二部分/一/(二)"].support_units) == (["省卫生健康委医政处"], ["各市卫生健康委"])
    assert [t.value for t in tasks["附件/一/1"].targets] == [5]


def test_numbered_goals_head_their_strategies():
    text = ("某医院医疗质量安全改进目标实施方案\n2025年3月6日\n一、总体要求\n坚持以患者为中心。\n二、改进目标\n"
            "目标一：提高急性心肌梗死再灌注治疗率\n（一）核心策略\n1.建立胸痛中心绿色通道。\n2.开展溶栓培训。\n"
            "目标二：降低手术并发症发生率\n（一）核心策略\n1.落实手术分级管理。\n")
    paths = [t.path for t in extract_ledger(text).tasks]
    assert paths == [["二", "目标一", "(一)", "1"], ["二", "目标一", "(一)", "2"], ["二", "目标二", "(一)", "1"]]


def test_a_numbered_goals_own_units_and_value_line():
    text = ("某医院医疗质量安全改进目标实施方案\n2025年3月6日\n一、总体要求\n坚持以患者为中心。\n二、改进目标\n"
            "目标一：提高急性心肌梗死再灌注治疗率\n（一）核心策略\n1.建立绿色通道。首份心电图10分钟内完成率达到95%以上。\n"
            "2.开展溶栓培训。\n责任部门：医务部（牵头）、心血管内科\n2025年目标值：≥75%（2024年：68.3%）\n")
    goal, first, second = extract_ledger(text).tasks
    assert goal.path == ["二", "目标一"]
    assert [(t.indicator, t.comparator, t.value, t.unit, t.deadline, t.baseline, t.baseline_period) for t in goal.targets] == [
        ("急性心肌梗死再灌注治疗率", ">=", 75, "%", "2025-12-31", 68.3, "2024")]
    for task in (goal, first, second):  # the one 责任部门 line is the whole goal's
        assert (task.lead_units, task.support_units) == (["医务部"], ["心血管内科"])
    assert [(t.value, t.deadline) for t in first.targets] == [(95, None)]  # not the value line's year


def test_the_measure_named_in_the_clause_before_its_values():
    ts = _targets("1.任务。DRG付费医保基金支出占住院医保基金支出的比例，到2024年底达到70%以上，到2025年底达到80%以上。\n")
    assert [(t.indicator, t.value, t.deadline) for t in ts] == [
        ("DRG付费医保基金支出占住院医保基金支出的比例", 70, "2024-12-31"),
        ("DRG付费医保基金支出占住院医保基金支出的比例", 80, "2025-12-31")]


def test_a_project_table_gives_tasks_due_at_the_end_of_their_period():
    text = ("某县医疗卫生服务体系建设三年行动计划\n2024年3月1日\n一、重点任务\n1.推进改革。（县卫生健康委负责）\n附件：重点项目表\n"
            "序号\t项目名称\t建设内容及规模\t总投资（万元）\t建设期限\t责任单位\n"
            "1\t县人民医院新院区建设项目\t新增床位200张\t42000\t2023—2025年\t县卫生健康委、县人民医院\n")
    tasks = extract_ledger(text).tasks
    assert tasks[1].path == ["附件", "1"] and tasks[1].title == "县人民医院新院区建设项目"
    assert (tasks[1].lead_units, tasks[1].deadline) == (["县卫生健康委", "县人民医院"], "2025-12-31")
    assert [(t.value, t.unit, t.deadline) for t in tasks[1].targets] == [(200, "张", "2025-12-31")]  # not the 42000


def test_numbered_points_right_under_a_section_and_a_duties_section():
    text = ("某区工作方案\n2025年3月1日\n一、提升能力\n（1）建设中心。到2025年建成胸痛中心3个。（责任科室：医政科、基层科）\n"
            "（2）开展培训。（区卫生健康局负责）\n二、职责分工\n区卫生健康局：负责统筹推进；区财政局：负责经费保障。\n")
    tasks = extract_ledger(text).tasks
    assert [t.path for t in tasks] == [["一", "(1)"], ["一", "(2)"]]  # 职责分工 describes duties: no task
    assert tasks[0].lead_units == ["医政科", "基层科"] and [t.value for t in tasks[0].targets] == [3]
