"""Quantitative targets (目标) in task text: value, comparator, unit, indicator phrase, scope, clause.

A quantity (number + unit) is a target when the clause states it as a goal: a comparator next to
it (达到/不低于/控制在…, 以上/以下/以内/左右), a goal verb governing it (建成/设立/培养/新增…), or
a list continuing such a clause. Numbers inside quotes, 《》, 文号, dates, ordinals (第/前), level
modifiers (三级医院, 二级以上) and labels (等五大中心) are not targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .brackets import split_top
from .normalize import analysis_text
from .numerals import parse_number

NUM = r"\d+(?:\.\d+)?"
CN = r"[一二两三四五六七八九十百千万零〇]+"
COUNT_UNITS = "个|名|人|家|所|项|批次|批|次|支|张|台|套|件|例|种|座|间|户|场|篇|床|辆|条|组|份|期"
UNIT = (
    r"个百分点|百分点|个位次|位次|个月|万人次|人次|万人|万元|亿元|元|%|‰|DDDs|大类|个工作日|工作日|分钟|小时|分(?![之钟级类别院期批])|天|倍|岁|公里|千米|"
    rf"(?:万|亿)?(?:{COUNT_UNITS})"
)
SUFFIX = r"(?:及以上|或以上|以上|及以下|以下|以内|之内|左右|上下)"
# Numbers written out in Chinese, as plans also write them: 百分之九十, 千分之五, 十万分之十二, 三成,
# 翻一番, 两个百分点, 十二分钟, 五千万元.
_PER_BASES = {"百": "%", "千": "‰", "万": "1/万", "十万": "1/10万"}
CN_UNITS = r"个百分点|百分点|个位次|万元|亿元|元|分钟|小时|个月|天|倍|岁|万人次|人次|类"
_QTY = re.compile(
    rf"(?P<per_cn>(?P<per_cn_base>十万|百|千|万)分之(?P<per_cn_n>{CN}|{NUM}))"
    rf"|(?P<tenths>(?P<tenths_n>[一二两三四五六七八九])成)(?![本果立为效熟功员绩年不就])"
    rf"|(?P<double>翻(?P<double_n>一|两|二)番)"
    rf"|(?P<frac_cn>(?P<den_cn>{CN})分之(?P<num_cn>{CN}))"
    rf"|(?P<ratio>1\s*:\s*(?P<ratio_n>{NUM}))"
    rf"|(?P<per>{NUM})\s*/\s*(?P<per_base>10万|十万|万|千|100000|10000|1000)"
    rf"|(?P<frac>(?P<fn>\d{{1,3}})\s*/\s*(?P<fd>\d{{1,3}})(?![\d/]))"
    rf"|(?P<lo>{NUM})\s*(?P<lounit>%|‰)?\s*[—–\-~至到]+\s*(?P<hi>{NUM})\s*(?P<runit>{UNIT})(?:\s*之间)?"
    rf"|(?P<top>(?:进入|跻身|位列|保持在?|稳定在|位居)\s*(?:全国|全省|全市|全区|国内|省内)?\s*前)(?P<topn>\d+|[一二三四五六七八九十百]+)(?P<topunit>位|名)"
    rf"|(?P<level>{NUM}|[一二三四五六七八九十])\s*级\s*(?P<grade>甲等|乙等|丙等)?"
    rf"|(?P<n>{NUM})\s*(?P<unit>{UNIT})"
    rf"|(?P<cn2>{CN}?)(?P<cnunit2>{CN_UNITS})"
    rf"|(?P<half>一半)"
    rf"|(?P<cn>{CN})(?P<cnunit>{COUNT_UNITS}|大)"
    rf"|(?P<bare>{NUM})"
)
_SUFFIX_RE = re.compile(rf"\s*(?P<suffix>{SUFFIX})")
# Words that frame an enumeration as a description (围绕/聚焦/涵盖 A、B、C五个方面), not a goal
_LIST_FRAME = re.compile(r"围绕|聚焦|涵盖|包括|包含|分为|涉及|立足|按照|从")
# Dimensionless indices carry no unit: 病例组合指数(CMI)值达到1.2, 时间消耗指数控制在1以内. A bare
# number is a quantity only right after such a name (with at most a comparator or 从X提高到 between).
_INDEX_BEFORE = re.compile(r"(?:指数|CMI|系数)\)?值?[^,;。:]{0,20}$")
_NOT_BARE_AFTER = re.compile(r"[年月日号版期级项条类\d.]")
# 从20%提高到25% / 由2020年的0.9提升至1.2: the first value is the baseline the goal starts from.
_BASELINE_FROM = re.compile(r"(?:从|由)\s*(?:(?P<year>\d{4})\s*年(?:底|末)?\s*的?)?\s*$")
# 较2022年下降10% / 在2020年基础上提高1岁: the year a change is measured from
_BASE_YEAR = re.compile(r"(?:较|比|相比|相较于?)\s*(?P<y1>\d{4})\s*年|在\s*(?P<y2>\d{4})\s*年(?:底|末)?\s*的?(?:基础上|水平上)")
_CHANGE_VERB_TO = (
    r"\s*(?:的水平)?\s*(?:逐步|稳步|进一步)?(?:提高|提升|增加|增长|上升|扩大|下降|降低|减少|缩短|压缩|升|增|降)(?:到|至)"
)
_CHANGE_TO = re.compile(_CHANGE_VERB_TO + r"\s*$")  # the whole text between the baseline and the goal
_CHANGE_TO_START = re.compile(_CHANGE_VERB_TO)  # what follows a baseline

GOAL_VERBS = (
    "统筹|筹集|建成|新建|建设|建立|设立|设置|新增|新改扩建|改扩建|培养|培育|打造|引进|遴选|选拔|实施|创建|组建|培训|"
    "招聘|招收|安排|开展|完成|实现|推动|争创|创成|认定|评选|命名|布局|规划为|划分为|整合为|扶持|资助|举办|"
    "配备|拥有|都有|均有|至少有|覆盖|形成|投入|新增|研究(?![生院所员室型])|建|达到|达|纳入|进入|入选|列入|认证|获批|选派|派驻|下派"
)
_GOAL_VERB_RE = re.compile(GOAL_VERBS)
_BUILD_VERB_RE = re.compile(r"建设|建成|新建|设立|设置|组建|打造|布局|规划建设")
_PREFIX = re.compile(
    r"(?P<p>累计达到|累计达|分别达到|分别达|分别为|分别控制在|分别提高到|分别降低到|均达到|均达|均为|总体达到|总数达到|"
    r"提高到|提高至|提升到|提升至|增加到|增加至|增长到|增至|上升到|上升至|达到|达|"
    r"降低到|降低至|降到|降至|下降到|下降至|减少到|减少至|缩短到|缩短至|压缩到|压缩至|控制在|"
    r"保持在|稳定在|维持在|不低于|不少于|不高于|不超过|不多于|超过|高于|低于|少于|至少|最少|为|≥|≤|>=|<=|>|<)"
    r"\s*(?:各|约|总计|共)?\s*$"
)
_CHANGE = re.compile(r"(?P<c>减少|下降|降低|压缩|缩短|缩减|提升|提高|增加|增长|上升)\s*(?:了|约)?\s*$")
_GE_PREFIX = {"≥", ">=", ">", "不低于", "不少于", "至少", "最少", "超过", "高于", "提高到", "提高至", "提升到", "提升至", "增加到",
              "增加至", "增长到", "增至", "上升到", "上升至", "达到", "达", "累计达到", "累计达", "分别达到", "分别达",
              "均达到", "均达", "总体达到", "总数达到", "保持在", "稳定在", "维持在", "分别提高到"}
_LE_PREFIX = {"≤", "<=", "<", "不高于", "不超过", "不多于", "低于", "少于", "控制在", "降低到", "降低至", "降到", "降至", "下降到",
              "下降至", "减少到", "减少至", "缩短到", "缩短至", "压缩到", "压缩至", "分别控制在", "分别降低到"}
_EQ_PREFIX = {"为", "分别为", "均为"}
INDICATOR_WORDS = re.compile(
    r"率|比|数|量|额|费|日|人次|床位|指数|CMI|水平|评价|时间|收入|支出|成本|寿命|占比|比例|比重|覆盖|能力|规模|增幅|负债|"
    r"分级|等级|标准化|满意度|次均|均次|人均|增长|增幅|降幅|下降|半径|测评"
)
_REGION = re.compile(
    r"(?:全市|全区|全省|全州|全县|全国|全域|我市|我区|我省|我州|我县|本市|本区|本省|本州|本县|"
    r"各区、县\(市\)|各县\(市、区\)|各县\(市\)|各市、县\(市、区\)|各地|各设区市|各区县|各区|各县|各市)"
)
_FILLER = re.compile(
    r"(?:力争|争取|确保|努力|推动|推进|实现|使|使得|全面|进一步|逐步|基本|原则上|要|将|同时|并|且|其中|"
    r"在[^,;。]{0,12}?基础上|到\d{4}年底?|到20__年|在?\d{4}年(?:底|末)?(?:前|以前|之前)?|"
    r"\d{1,2}月(?:底|末|\d{1,2}日)?(?:前|以前|之前)|通过|年底前|年内|当年|目前|总体|持续|稳步|动态|每年|共|累计|约|"
    r"和|及|与|以及|或|、|的|\s)+"
)
_HOSPITAL_CLASS = re.compile(
    r"((?:[^每、,]{0,14}?(?:医院|卫生院|医疗机构|医疗卫生机构|保健院|卫生服务中心)、)*"
    r"[^每、,]{0,14}?(?:医院|卫生院|医疗机构|医疗卫生机构|保健院|卫生服务中心))"
)
_SCOPE_TAIL = re.compile(r"(?:医院|卫生院|机构|中心|单位|[省市区县州])$")
_SCOPE_TRAILER = re.compile(r"(?:要将|要|将|应|须|需|按|在|对|均|都|总体|每年)+$")
_IN_SCOPE = re.compile(r"(.{2,16}?(?:医院|机构|单位|卫生院|地区))中")
_OBJECT_STOP = re.compile(r"[向对从按给经由]")
_TAIL_OF_LAST = re.compile(r"的(?:比例|占比|比重|覆盖率|[\u4e00-\u9fff]{0,4}率)$")
_TRAILING_ADVERB = re.compile(
    r"(?:(?:较|比)(?:上年|去年|上一年|\d{4}年)|在(?:\d{4}年|上年|现有)(?:的)?基础上|同比|每年|优先|逐步|稳步|持续|继续|进一步|"
    r"全部|主要|总体|力争|争取|要|将|均|都|应|须)+$"
)
_CHANGE_TAIL = re.compile(r"(?P<c>增长|增加|提高|提升|上升|下降|减少|降低|缩短)$")
_PCT_ACTION = re.compile(r"来自|覆盖|实现|完成|达到|落实|开展|接入|使用|纳入|通过")
# "80%以上的县级综合医院达到…标准": the share of entities that do something
_SHARE_VERB = re.compile(r"(?:基本|全面|全部|均|都|已)?(?:达到|建成|实现|开展|设置|具备|建立|完成|通过|纳入|提供|配备|拥有|接入|使用|落实|参加|参与|加入)")
_CONNECTOR = "、和及与或,以 "
_GOAL_ADVERB = re.compile(r"力争|争取|至少|不少于|不低于|确保|不超过|不高于|最多|最高")
_INNER_COMPARATOR = re.compile(r"不少于|不低于|不超过|不高于|至少|最多|最高")
_YEARS_TAIL = re.compile(r"(?:到|至|在)?\s*\d{4}\s*年(?:底|末)?(?:\s*[和、及与]\s*\d{4}\s*年(?:底|末)?)+\s*$")
_CONDITION_PREFIX = {"低于", "高于", "超过", "少于", "不足"}
_CONDITION_AFTER = re.compile(r"(?:\s*[或和、及]\s*(?:低于|高于|超过|少于|不足)\s*\d+(?:\.\d+)?\s*[%‰\u4e00-\u9fff]{0,3}?)?的")
_SCORING = re.compile(r"扣|加分|计分|记分|分值|满分|百分制")
_TARGET_NOTE = re.compile(r"\((?:\d{4}\s*年)?(?:目标值|预期值|目标)\s*[:：]")
_LEAD_VERB = re.compile(r"(?:进一步|持续|逐步|大力|着力)?(?:提升|提高|降低|控制|压缩|扩大|增加|减少|缩短|保持|推进|推动|加强|落实)")
_REGION_BEFORE = re.compile(r"(?:全省|全市|全区|全州|全县|全国)\s*$")
_DURATION_OF = re.compile(r"(?:进修|培训|学习|驻点|下沉|轮转|挂职|脱产|服务|工作|帮扶)\s*$")
_FREQUENCY = re.compile(r"每(?:\d+|[两三四五六七八九十])?个?(?:年|季度?|月|半年|周)")
_RANK = re.compile(r"([^,;。:]{2,30}?排名)(?!次)")
DENSITY = re.compile(r"每千|每万|每百|每十万|千人|万人口|每床")


@dataclass
class Quantity:
    start: int
    end: int  # end including a suffix comparator
    unit_end: int
    value: float
    value_high: float | None
    unit: str
    kind: str  # number, range, fraction, ratio, level
    suffix: str | None


@dataclass
class RawTarget:
    quantity: Quantity
    comparator: str
    indicator: str
    scope: str | None
    clause: tuple[int, int]
    form: str  # A (indicator before comparator), B (object after value), C (object before value)
    group: tuple[int, int] | None = None  # (k, n) inside a 分别 list of n values
    baseline: float | None = None  # 从X提高到Y: X
    baseline_year: int | None = None  # 从2020年的X


def _prev_char(a: str, i: int) -> str:
    return a[i - 1] if i > 0 else ""


_HAS_NUMERAL = re.compile(r"[\d一二两三四五六七八九十百]")  # 百分之百 has no other digit
COUNT_UNIT_RE = re.compile(f"(?:万|亿)?(?:{COUNT_UNITS})")
_RESPECTIVELY = re.compile(r"分别")
_ALL_OF = re.compile(r"全部|均|都|全面")


def find_quantities(a: str, s: int, e: int, protected) -> list[Quantity]:
    out: list[Quantity] = []
    if not _HAS_NUMERAL.search(a, s, e):
        return out
    for m in _QTY.finditer(a, s, e):
        qs, qe = m.start(), m.end()
        if protected(qs):
            continue
        before = _prev_char(a, qs)
        if before and (before.isascii() and (before.isalnum() or before in "./_-")):
            continue  # part of a code or version: 健康大脑2.0, 5G
        if before in "第前近":
            continue
        nxt = a[qe : qe + 1]
        if nxt and nxt.isascii() and nxt.isalnum():
            continue
        value, high, unit, kind = None, None, None, "number"
        if m.group("per_cn"):
            n = m.group("per_cn_n")
            value, unit = (100.0 if n == "百" else parse_number(n)), _PER_BASES[m.group("per_cn_base")]  # 百分之百
        elif m.group("tenths"):
            value, unit = parse_number(m.group("tenths_n")) * 10, "%"  # 三成 = 30%
        elif m.group("double"):
            value, unit, kind = (100.0 if m.group("double_n") == "一" else 300.0), "%", "double"  # 翻一番: +100%
        elif m.group("cn2"):
            value, unit = parse_number(m.group("cn2")), m.group("cnunit2")
            if unit == "类" and not _SUFFIX_RE.match(a, m.end(), e):
                continue  # 六类以上 is a count; 三类医院 a category
        elif m.group("half"):
            if not _CHANGE.search(a, max(s, qs - 4), qs):
                continue  # 减少一半 is a change of 50%; 一半以上的… is a share written with 以上
            value, unit = 50.0, "%"
        elif m.group("frac_cn"):
            num, den = parse_number(m.group("num_cn")), parse_number(m.group("den_cn"))
            if not num or not den or num >= den:
                continue
            value, unit, kind = round(num / den, 4), "fraction", "fraction"
        elif m.group("ratio"):
            value, unit, kind = float(m.group("ratio_n")), "1:N", "ratio"
        elif m.group("per"):
            value, unit = float(m.group("per")), "1/" + m.group("per_base")  # 孕产妇死亡率12/10万, unit 1/10万
        elif m.group("frac"):
            num, den = int(m.group("fn")), int(m.group("fd"))
            if not 0 < num < den <= 100:
                continue
            value, unit, kind = round(num / den, 4), "fraction", "fraction"
        elif m.group("lo"):
            value, high, unit, kind = float(m.group("lo")), float(m.group("hi")), m.group("runit"), "range"
            if high <= value or (m.group("lounit") and m.group("lounit") != unit):
                continue
        elif m.group("top"):
            # 排名进入前300位: a rank to reach; 进入排行前十强 after a count (2—3个学科) is part of its indicator
            if out and out[-1].end > s and not a[out[-1].end : qs].count(","):
                continue
            value, unit, kind = parse_number(m.group("topn")), m.group("topunit"), "rank"
            qs = m.start("topn")
        elif m.group("level"):
            value = parse_number(m.group("level"))
            grade = m.group("grade")
            unit, kind = (f"级（{grade}）" if grade else "级"), "level"
        elif m.group("n"):
            value, unit = float(m.group("n")), m.group("unit")
            if unit.endswith("人") and a[m.end() : m.end() + 1] == "口":
                continue  # 每3万人口: a population base, not a count of people
        elif m.group("bare"):
            if not _INDEX_BEFORE.search(a, max(s, qs - 30), qs) or _NOT_BARE_AFTER.match(a, qe):
                continue
            value, unit, kind = float(m.group("bare")), "", "index"
        else:
            cn, cnunit = m.group("cn"), m.group("cnunit")
            value = parse_number(cn)
            if before in "等”\"其每各这该任同统唯单几":
                continue  # labels (等五大中心), ordinals and idioms
            if cnunit == "大":
                if value is None or value < 2:
                    continue
                clause_head = a[max(a.rfind(",", s, qs), a.rfind("。", s, qs), s) : qs]
                if "、" in clause_head:
                    continue  # 心血管、肿瘤、神经、呼吸、创伤五大专科集群: a label for the list
                unit = "个"
            else:
                unit = cnunit
                clause_head = a[max(a.rfind(",", s, qs), a.rfind("。", s, qs), s) : qs]
                if "、" in clause_head and _LIST_FRAME.search(clause_head[: clause_head.index("、")]):
                    continue  # 围绕党建、能力、结构、创新、文化五个维度: the count of the list it frames
            kind = "cn"
            frequency = cnunit == "次" and _FREQUENCY.search(a, s, qs)
            if value == 1 and not frequency and not re.search(r"(?:有|至少|不少于|仅)\s*(?:[\u4e00-\u9fff]{1,2})?$", a[max(s, qs - 6) : qs]) and not DENSITY.search(a, max(s, qs - 12), qs):
                continue  # 培育一支队伍, 打造一个平台: an article, not a count
        if value is None:
            continue
        if unit == "期" and not _FREQUENCY.search(a, max(s, qs - 12), qs):
            continue  # 每季度发布1期 is a count; 二期工程 a phase
        if a[max(s, qs - 2) : qs].endswith("连续"):
            continue  # 连续两个季度未完成…: a condition that triggers an action, not a goal
        if _REGION_BEFORE.search(a, max(s, qs - 3), qs) and (m.group("unit") or m.group("cnunit") or "") == "个":
            continue  # 在全省11个设区市开展…: how many places there are, not a goal
        sm = _SUFFIX_RE.match(a, m.end(), e)
        suffix = sm.group("suffix") if sm else None
        end = sm.end() if sm else m.end()
        after = a[end : end + 1]
        if kind == "level" or unit == "岁":
            # 5级以上 / 四级甲等以上 / 77岁以上 are targets; 三级医院, 二级以上医院, 65岁以上老年人 are modifiers.
            review = kind == "level" and re.match(r"评审|评价|评估|认证|验收", a[end : end + 2]) and re.search(
                r"通过\s*[^,;。]{0,20}$", a[s:qs])  # 通过电子病历应用水平分级评价5级评审
            if after and ("\u4e00" <= after <= "\u9fff") and after not in "和及与或" and not review:
                continue
        if kind == "level" and not suffix and not re.search(r"(?:达到|达|通过)\s*[^,;。]{0,20}$|[≥>]=?\s*$", a[s:qs]):
            continue
        if kind == "index" and not suffix and not _PREFIX.search(a, s, qs) and not (
            _BASELINE_FROM.search(a, s, qs) and _CHANGE_TO_START.match(a, end, e)
        ):
            continue  # an index value needs a comparator (达到/不高于/左右…) or to start a 从X提高到Y
        out.append(Quantity(qs, end, m.end(), value, high, unit, kind, suffix))
        if kind == "rank":
            out[-1].start = m.start()
    return out


def _strip_span(a: str, s: int, e: int, left: str = _CONNECTOR + "的:;") -> tuple[int, int]:
    while s < e and a[s] in left:
        s += 1
    while e > s and a[e - 1] in " 的,、和及与":
        e -= 1
    m = _TRAILING_ADVERB.search(a, s, e)
    if m and m.start() > s + 1:
        e = m.start()
    return s, e


def _strip_filler(a: str, s: int, e: int) -> int:
    m = _FILLER.match(a, s, e)
    return m.end() if m else s


def split_scope(a: str, original: str, s: int, e: int) -> tuple[str | None, int]:
    """Leading scope of a subject (全市 / 县级公立医院中 / 三级医院) → (scope text, new start)."""
    s = _strip_filler(a, s, e)
    scope_parts: list[tuple[int, int]] = []
    m = _REGION.match(a, s, e)
    if m:
        scope_parts.append((s, m.end()))
        s = m.end()
    m = _IN_SCOPE.match(a, s, e)
    if m:
        scope_parts.append((s, m.end(1)))
        s = m.end()
    else:
        m = _HOSPITAL_CLASS.match(a, s, e)
        if m and e - m.end() >= 3 and INDICATOR_WORDS.search(a[m.end() : e]):
            scope_parts.append((s, m.end()))
            s = m.end()
    if not scope_parts:
        return None, s
    return original[scope_parts[0][0] : scope_parts[-1][1]], s


def _scope_phrase(a: str, original: str, s: int, e: int) -> str | None:
    """A subject that names who or where (三级医院, 医疗集团内三级医院, 全区), else None."""
    s = _strip_filler(a, s, e)
    m = _SCOPE_TRAILER.search(a, s, e)
    if m:
        e = m.start()
    if e - s < 2 or e - s > 20 or not _SCOPE_TAIL.search(a[s:e]) or INDICATOR_WORDS.search(a[s:e]):
        return None
    return original[s:e]


def _last(pattern: re.Pattern[str], a: str, s: int, e: int) -> re.Match[str] | None:
    last = None
    for m in pattern.finditer(a, s, e):
        last = m
    return last


def _last_goal_verb(a: str, s: int, e: int) -> re.Match[str] | None:
    return _last(_GOAL_VERB_RE, a, s, e)


def _comparator(q: Quantity, prefix: str | None, change: str | None, clause_pre: str) -> str:
    if q.kind == "range":
        return "range"
    if q.kind == "double":
        return "increase"
    if q.kind == "rank":
        return "<="
    if change:
        return "decrease" if change in ("减少", "下降", "降低", "压缩", "缩短", "缩减") else "increase"
    if q.suffix in ("以上", "及以上", "或以上"):
        return ">="
    if q.suffix in ("以下", "及以下", "以内", "之内"):
        return "<="
    if q.suffix in ("左右", "上下"):
        return "~"
    if prefix in _GE_PREFIX:
        return ">="
    if prefix in _LE_PREFIX:
        return "<="
    if prefix in _EQ_PREFIX:
        return "="
    if re.search(r"至少|最少|不少于|不低于|都有|均有", clause_pre):
        return ">="
    if re.search(r"不超过|不高于|最多|最高", clause_pre):
        return "<="
    if DENSITY.search(clause_pre) or q.kind == "level":
        return ">="  # densities and maturity levels are floors: 每千人口…3.2人, 测评四级甲等
    return "="


def _shared_tail(parts: list[str]) -> list[str]:
    """国家级人才、省级人才和市级人才总数 → each part gets the tail 总数 of the last one."""
    if len(parts) < 2:
        return parts
    first, last = parts[0], parts[-1]
    for k in range(len(first), 1, -1):
        suffix = first[-k:]
        pos = last.find(suffix)
        if pos != -1 and pos + k < len(last):
            tail = last[pos + k :]
            return [p + tail for p in parts[:-1]] + [last]
    m = _TAIL_OF_LAST.search(last)
    if m and all(not INDICATOR_WORDS.search(p) for p in parts[:-1]):
        return [p + m.group(0) for p in parts[:-1]] + [last]  # 设置康复科和治未病科的比例
    return parts


def extract_targets(a: str, original: str, s: int, e: int, protected, clause_bounds) -> list[RawTarget]:
    """Targets in the text a[s:e]; `clause_bounds` gives the clause spans (delimited by ，；。：)."""
    out: list[RawTarget] = []
    prev_clause_had_goal = False
    sentence_targets: list[RawTarget] = []
    sentence_lo = s
    prev_clause: tuple[int, int] | None = None
    for cs, ce, sentence_start in clause_bounds(s, e):
        if sentence_start:
            sentence_lo = cs
            sentence_targets = []
            prev_clause_had_goal = False
            prev_clause = None
        quantities = find_quantities(a, cs, ce, protected)
        clause_has_goal = False
        anchor = cs
        baseline: tuple[float, int | None, int] | None = None  # (value, year, where 从/由 starts)
        i = 0
        while i < len(quantities):
            q = quantities[i]
            if i + 1 < len(quantities) and q.kind in ("number", "index") and not q.suffix:
                nq = quantities[i + 1]
                fm = _BASELINE_FROM.search(a, anchor, q.start)
                if fm and nq.unit == q.unit and _CHANGE_TO.match(a, q.end, nq.start):
                    baseline = (q.value, int(fm.group("year")) if fm.group("year") else None, fm.start())
                    i += 1
                    continue  # the anchor stays: the next value's subject is before 从/由
            if q.unit in ("个月", "天", "周") and _DURATION_OF.search(a, max(cs, q.start - 4), q.start) and any(
                t.clause == (cs, ce) for t in out
            ):
                anchor = q.end  # 选派30名骨干医师进修6个月以上: how long, a condition of the 30
                i += 1
                continue
            pre_local = a[anchor : q.start]
            clause_pre = a[cs : q.start]
            pm = _PREFIX.search(pre_local)
            cm = _CHANGE.search(pre_local) if not pm else None
            verb = _last_goal_verb(a, cs, q.start)
            is_last_in_clause = not a[q.end : ce].strip(" 的。.;,")
            goal = bool(
                pm or cm or q.suffix or verb or q.kind in ("level", "fraction", "double") or _GOAL_ADVERB.search(clause_pre)
                or _TARGET_NOTE.search(a, anchor, q.start)
            )
            if not goal and prev_clause_had_goal and is_last_in_clause and q.kind != "fraction":
                goal = True  # 全市设立市级医学中心20个，市级区域医学中心20个
            if not goal and (DENSITY.search(clause_pre) or (COUNT_UNIT_RE.fullmatch(q.unit) and _FREQUENCY.search(clause_pre))):
                goal = True  # densities (每千人口…) and frequencies (每季度通报一次) are goals by themselves
            pct_action = q.unit == "%" and _PCT_ACTION.match(a, q.end)
            if not goal and pct_action:
                goal = True  # 临床用血100%来自无偿献血
            if not goal and q.unit == "%" and a[q.end : q.end + 1] == "的" and _SHARE_VERB.search(a, q.end + 2, ce):
                goal = True  # 90%的乡镇卫生院达到服务能力推荐标准: the share of entities that do it
            if not goal and q.kind in ("number", "cn") and COUNT_UNIT_RE.fullmatch(q.unit):
                vm = _GOAL_VERB_RE.search(a, q.end, min(ce, q.end + 14))
                governs_later = vm and any(x.start >= vm.end() for x in quantities[i + 1 :])
                # 5个区开展试点: the verb follows the counted noun; 六项投入政策 has no noun before 投入
                if vm and vm.start() > q.end and not governs_later and not _ALL_OF.search(a, q.end, vm.start()):
                    goal = True  # 在锦江区等5个区开展试点 / 其中6家县级医院达到三级医院服务能力
            if not goal:
                anchor = q.end
                i += 1
                continue

            # 分别达到A和B: a group of values sharing one comparator, one subject split in parts.
            group = [q]
            if _RESPECTIVELY.search(pre_local):
                j = i + 1
                while j < len(quantities) and re.fullmatch(r"[、和及与以及\s]*", a[group[-1].end : quantities[j].start]):
                    group.append(quantities[j])
                    j += 1
            if len(group) > 1:
                last = group[-1]
                subj_end = a.rfind("分别", anchor, q.start)
                subj_start = _strip_filler(a, anchor, subj_end)
                years = _YEARS_TAIL.search(a, subj_start, subj_end)
                if years and years.start() > subj_start:
                    subj_end = years.start()  # …的比例到2025年和2027年分别达到80%和95%: the years are no parts
                region = _REGION.match(a, subj_start, subj_end)
                region_scope = original[subj_start : region.end()] if region else None
                if region:
                    subj_start = region.end()
                parts_spans = [
                    _strip_span(a, ps, pe) for ps, pe in split_top(a, subj_start, subj_end, "、和及与") if pe > ps
                ]
                if len(parts_spans) == len(group):
                    # 三级中医医院和二级中医医院设置康复科的比例: share the tail, then split each part's scope
                    names, scopes = [], []
                    for name in _shared_tail([original[ps:pe] for ps, pe in parts_spans]):
                        sc, cut = split_scope(analysis_text(name), name, 0, len(name))
                        names.append(name[cut:] if sc and cut < len(name) else name)
                        scopes.append(sc if sc and cut < len(name) else region_scope)
                else:
                    scope, whole_start = split_scope(a, original, subj_start, subj_end)
                    names = [original[whole_start:subj_end]] * len(group)
                    scopes = [scope or region_scope] * len(group)
                prefix = pm.group("p") if pm else None
                for k, g in enumerate(group):
                    g_for_cmp = g if g.suffix else Quantity(g.start, g.end, g.unit_end, g.value, g.value_high, g.unit, g.kind, last.suffix)
                    comp = _comparator(g_for_cmp, prefix, cm.group("c") if cm else None, clause_pre)
                    t = RawTarget(g, comp, names[k].strip(), scopes[k], (cs, ce), "A", (k, len(group)))
                    out.append(t)
                    sentence_targets.append(t)
                clause_has_goal = True
                anchor = last.end
                i += len(group)
                continue

            prefix = pm.group("p") if pm else None
            change = cm.group("c") if cm else None
            if prefix in _CONDITION_PREFIX and _CONDITION_AFTER.match(a, q.end, ce):
                anchor = q.end  # 低于80分的科室 / 超过9天的医院: who a rule is about, not a goal
                i += 1
                continue
            if q.unit == "分" and _SCORING.search(a, cs, ce):
                anchor = q.end  # 每低于目标值1个百分点扣0.5分 / 加分最高不超过5分: how points are counted
                i += 1
                continue
            comp = _comparator(q, prefix, change, clause_pre)
            after = a[q.end : ce]
            object_follows = (
                bool(after)
                and after[0] not in "、,;。:和及与)"
                and not re.match(r"\s*(?:和|及|、)", after)
                and q.kind != "level"
                and q.unit != "倍"  # 平均水平的1.2倍核定: the reference comes before
            )
            scope = None
            if pm or cm:
                form = "A"
                subj_end = q.start - len(pre_local) + (pm.start() if pm else cm.start())
                if baseline is not None:
                    subj_end = min(subj_end, baseline[2])
                subj_start = anchor
                # 全市三甲医院达到电子病历应用分级评价5级以上 has its comparator verb before the indicator
                scope, subj_start = split_scope(a, original, subj_start, subj_end)
                ss_, se_ = _strip_span(a, subj_start, subj_end)
                name = original[ss_:se_]
                if object_follows and not INDICATOR_WORDS.search(a[ss_:se_]):
                    form = "B"
                scope_like = not name or (
                    not INDICATOR_WORDS.search(a[ss_:se_])
                    and (_scope_phrase(a, original, ss_, se_) or _REGION.fullmatch(a, ss_, se_))
                )
                if scope_like and form == "A" and sentence_targets and _unit_kind(sentence_targets[-1].quantity.unit) == _unit_kind(q.unit):
                    # 二级医院达到4级以上 after 三级医院…达到5级以上 shares its indicator; 全市互联网医院达到10家 does not
                    inherited = sentence_targets[-1]
                    if name:
                        scope = (scope or "") + name if scope else name
                    name = inherited.indicator
                elif not name and prev_clause and not _HAS_NUMERAL.search(a, *prev_clause):
                    # …支出的比例，到2024年底达到70%以上: the measure is the clause before
                    ps_, pe_ = _strip_span(a, _strip_filler(a, *prev_clause), prev_clause[1])
                    if (lead := _LEAD_VERB.match(a, ps_, pe_)) is not None:
                        ps_ = lead.end()
                    name = original[ps_:pe_]
                elif scope_like and form == "A" and name.startswith("每") and prev_clause and COUNT_UNIT_RE.fullmatch(q.unit):
                    # 建设传染病医院或相对独立的传染病院区，每个设区市至少1个: each place gets what is named before
                    built = _last(_BUILD_VERB_RE, a, *prev_clause)
                    if built is not None:
                        os_, oe_ = _strip_span(a, built.end(), prev_clause[1])
                        if oe_ - os_ >= 2:
                            scope = (scope or "") + name if scope else name
                            name = original[os_:oe_]
                if form == "B":
                    name = _object_after(a, original, q, quantities[i + 1] if i + 1 < len(quantities) else None, ce)
                    if ss_ < se_ and not scope:
                        scope = _scope_phrase(a, original, ss_, se_)
            elif object_follows:
                form = "B"
                name = _object_after(a, original, q, quantities[i + 1] if i + 1 < len(quantities) else None, ce)
                verb_local = _last_goal_verb(a, anchor, q.start)
                subj_e = verb_local.start() if verb_local else q.start
                scope, _ = split_scope(a, original, anchor, subj_e)
                scope = scope or _scope_phrase(a, original, anchor, subj_e)
            else:
                form = "C"
                verb_local = _last_goal_verb(a, anchor, q.start)
                if verb_local and verb_local.group(0) in ("达到", "达") and not INDICATOR_WORDS.search(a[verb_local.end() : q.start]):
                    verb_local = None
                start_c = verb_local.end() if verb_local else anchor
                scope_src_end = verb_local.start() if verb_local else start_c
                if verb_local:
                    scope, _ = split_scope(a, original, anchor, scope_src_end)
                    scope = scope or _scope_phrase(a, original, anchor, scope_src_end)
                    ns = start_c
                else:
                    scope, ns = split_scope(a, original, start_c, q.start)
                ns, ne = _strip_span(a, ns, q.start)
                ns = _strip_filler(a, ns, ne)
                while ne > ns and a[ne - 1] in "各约共":
                    ne -= 1
                if ns < ne and a[ns] == "(":
                    close = a.find(")", ns, ne)
                    if close != -1:
                        ns = close + 1
                if ns >= ne and verb_local:  # 完成住院医师规范化培训招收1800人: the verb names the count
                    ns, ne = _strip_span(a, _strip_filler(a, anchor, verb_local.start()), q.start)
                    ns = _strip_filler(a, ns, ne)
                # 急救车辆配置不少于每3万人口1辆: the comparator word is not part of the indicator
                name = "".join(
                    original[x:y] for x, y in _without(a, ns, ne, _INNER_COMPARATOR)
                )
            if form == "A" and comp in (">=", "~", "=") and (pm or not cm):
                tail = _CHANGE_TAIL.search(a, max(anchor, q.start - len(pre_local)), (subj_end if pm else q.start))
                if tail:  # 薪酬年均增长不低于5%: a change of at least 5%
                    comp = "decrease" if tail.group("c") in ("下降", "减少", "降低", "缩短") else "increase"
            if comp == "=" and q.unit == "%" and a[q.end : q.end + 1] == "的":
                comp = ">="  # a share of entities reaching something: more is better, as plain 达到
            if pct_action and not (pm or cm):
                end_action = ce
                stop = _OBJECT_STOP.search(a, q.end + 3, ce)
                subj_s, subj_e = _strip_span(a, anchor, q.start)
                scope, subj_s = split_scope(a, original, subj_s, subj_e)
                name = original[subj_s:subj_e] + original[q.end : stop.start() if stop else end_action].strip() + "的比例"
                comp = ">="
            if q.unit == "分钟" and "圈" in a[q.end : ce]:
                k = a.find("圈", q.end, ce)
                ws = k
                while ws > q.end and "\u4e00" <= a[ws - 1] <= "\u9fff" and k - ws < 3:
                    ws -= 1
                name = original[ws : k + 1]
                comp = "<="
                sc_s = anchor
                sc_e = q.start
                v = _last_goal_verb(a, sc_s, sc_e)
                sc = a[v.end() if v else sc_s : sc_e].strip("和、 ")
                scope = original[sc_e - len(sc) : sc_e] if sc else None
            note = _TARGET_NOTE.search(a, anchor, q.start)
            if note is not None:
                # 提升电子病历系统应用水平分级评价等级（2025年目标值：三级公立医院≥5级）: the note's
                # value is for what the clause before it raises; a qualifier inside the note is its scope
                ns_, ne_ = _strip_span(a, _strip_filler(a, anchor, note.start()), note.start())
                if (lead := _LEAD_VERB.match(a, ns_, ne_)) is not None:
                    ns_ = lead.end()
                inner = _strip_span(a, note.end(), q.start - len(pm.group("p")) if pm else q.start)
                name = original[ns_:ne_]
                scope = original[inner[0] : inner[1]] if inner[1] - inner[0] >= 2 else None
                if comp == "=":
                    comp = ">="  # a bare value in a 目标值 note is a level to reach
            if q.unit in ("个位次", "位次") or (q.kind == "rank" and not (name or "").strip()):
                # the ranking the sentence is about is named first: 全国公立医院绩效考核排名中，…
                rank = _RANK.search(a, sentence_lo, q.start)
                if rank:
                    rs, re_ = _strip_span(a, rank.start(1), rank.end(1))
                    rs = _strip_filler(a, rs, re_)
                    if name and not scope:
                        scope, _ = split_scope(a, original, anchor, q.start)
                    name = original[rs:re_]
            name = (name or "").strip()
            if not name:
                anchor = q.end
                i += 1
                continue
            if not scope and sentence_targets:
                prev_scope = sentence_targets[-1].scope
                if prev_scope and _REGION.fullmatch(analysis_text(prev_scope)):
                    scope = prev_scope  # 全区每千常住人口床位数…，执业（助理）医师数… share 全区
            t = RawTarget(q, comp, name, scope, (cs, ce), form)
            if baseline is not None:
                t.baseline, t.baseline_year = baseline[0], baseline[1]
                baseline = None
            elif comp in ("increase", "decrease") and (by := _BASE_YEAR.search(a, cs, q.start)):
                t.baseline_year = int(by["y1"] or by["y2"])  # 较2022年下降10%: from that year's own value
            out.append(t)
            sentence_targets.append(t)
            clause_has_goal = True
            anchor = q.end
            i += 1
        prev_clause_had_goal = clause_has_goal or (prev_clause_had_goal and not quantities)
        prev_clause = (cs, ce)
    return out


def _unit_kind(unit: str) -> str:
    """级 and 级（甲等） are one kind of quantity; 级 and 家 are not."""
    return unit.split("（")[0]


def _without(a: str, s: int, e: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    spans, pos = [], s
    for m in pattern.finditer(a, s, e):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, e))
    return [(x, y) for x, y in spans if y > x]


def _object_after(a: str, original: str, q: Quantity, nxt: Quantity | None, clause_end: int) -> str:
    if q.unit == "%" and a[q.end : q.end + 1] == "的" and (nxt is None or nxt.start >= clause_end):
        vm = _SHARE_VERB.search(a, q.end + 2, clause_end)
        if vm:
            entity = original[q.end + 1 : vm.start()].strip()
            action = original[vm.start() : clause_end].strip()
            return f"{action}的{entity}比例"
    s = q.end
    while s < clause_end and a[s] in "的 ":
        s += 1
    e = clause_end
    if nxt is not None and nxt.start < clause_end:
        e = nxt.start
        # back off over the connector and any verb that introduces the next item
        while e > s and a[e - 1] in _CONNECTOR + "建设建成新增培养":
            e -= 1
    m = _OBJECT_STOP.search(a, s + 2, e) if e - s > 2 else None
    if m:
        e = m.start()
    s2, e2 = _strip_span(a, s, e)
    return original[s2:e2]
