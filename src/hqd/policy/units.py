"""Responsible units (责任单位) from the formal clauses plans attach to tasks.

Conventions handled, as official documents write them:
- (责任单位：A、B、C。列第一位的为牵头单位，下同) — first listed leads, for this and later tasks;
- (牵头单位：A；配合单位：B、C), 牵头部门/配合部门, 牵头处室/配合处室, 主责单位/协同单位, and
  (牵头单位：A；责任单位：B、C), where beside a named lead the 责任单位 are the ones taking part;
- (A、B负责), (A、B等部门负责), (…分别负责), (…按职责分工负责) — all listed units lead;
- (A牵头，B、C配合);
- 以下责任单位均包括X，不再列出 / 以下均需X落实，不再列出 — X supports every later task.
Units come only from such clauses, never from running text ("由州人民医院牵头，组建…").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .brackets import bracket_spans, split_top

_LEAD_LABEL = r"(?:牵头单位|牵头部门|牵头处室|牵头科室|主责单位|主责部门|牵头)"
_SUPPORT_LABEL = r"(?:配合单位|配合部门|配合处室|配合科室|协同单位|协同部门|参与单位|协办单位|协助单位|配合)"
_RESP_LABEL = r"(?:责任单位|责任部门|责任处室|责任科室|实施单位|承办单位)"
_LEAD_THEN_OTHERS = re.compile(r"(?P<lead>[^,，:：]+?)牵头\s*[,，]\s*(?P<sup>.+?)(?:配合|参与|协同|(?:按职责分工|按职责|分别)负责)")
_OVERSEES = re.compile(r"(?:督导|指导|监督)$")
_LEAD_MARK = re.compile(r"\s*\((?:牵头|牵头单位|牵头部门|主责|主责单位)\)$")  # 医务部（牵头）
_ROLE_ONLY = re.compile(r"\s*(?:牵头|牵头单位|牵头部门|主责|主责单位|配合|配合单位|协办)\s*")
_CLAUSE_HINT = re.compile(rf"{_LEAD_LABEL}|{_SUPPORT_LABEL}|{_RESP_LABEL}|负责|牵头")
FIRST_IS_LEAD = re.compile(r"(?:列|排)(?:在)?(?:第一位|首位|第一)的?(?:单位)?为牵头单位|第一个?单位为牵头单位|排名第一的为牵头")
IMPLIED = re.compile(r"以下(?:各项)?(?:任务的?)?(?:责任单位)?均(?:包括|需|须|含|由)(?P<unit>[^,;。]+?)(?:落实|负责|参与)?\s*[,;]?\s*不再(?:一一)?列出")
_TRIM_TAIL = re.compile(r"(?:等(?:有关|相关)?(?:部门|单位|机构)?|按职责分工负责|按职责分别负责|按职责负责|分别负责|共同负责|负责|牵头|配合|参与|落实)$")
_ADMIN_START = re.compile(r"^[县市区镇乡州旗]")
_COLLECTIVE_HEAD = re.compile(r"^各[^、,]{0,4}[省市区县州镇乡]$")
_COLLECTIVE_TAIL = re.compile(r"[(〔\[]|政府$|^[县市区镇乡州旗](?:\(|$)")


@dataclass
class UnitSpan:
    start: int
    end: int


@dataclass
class Responsibility:
    lead: list[UnitSpan] = field(default_factory=list)
    support: list[UnitSpan] = field(default_factory=list)
    implied: list[UnitSpan] = field(default_factory=list)  # 以下…均包括X：X supports later tasks
    first_is_lead_declared: bool = False
    clause_spans: list[tuple[int, int]] = field(default_factory=list)


def _strip(a: str, s: int, e: int) -> tuple[int, int]:
    while s < e and a[s] in " 　\t:：由和及与":
        s += 1
    while e > s and a[e - 1] in " 　\t.。,;":
        e -= 1
    while True:
        m = _TRIM_TAIL.search(a[s:e])
        if not m or m.start() == 0:
            break
        e = s + m.start()
        while e > s and a[e - 1] in " ,、":
            e -= 1
    return s, e


def split_units(a: str, s: int, e: int) -> list[UnitSpan]:
    """A、B，C → spans; keeps collective names such as 各区、县(市)政府 and 各市、县〔市、区〕 whole."""
    pieces = [_strip(a, ps, pe) for ps, pe in split_top(a, s, e, "、,")]
    pieces = [(ps, pe) for ps, pe in pieces if pe > ps]
    merged: list[list[int]] = []
    for ps, pe in pieces:
        if (
            merged
            and _COLLECTIVE_HEAD.match(a[merged[-1][0] : merged[-1][1]])
            and _ADMIN_START.match(a[ps:pe])
            and _COLLECTIVE_TAIL.search(a[ps:pe])
        ):
            merged[-1][1] = pe
        else:
            merged.append([ps, pe])
    return [UnitSpan(ps, pe) for ps, pe in merged if pe - ps >= 2]


def _without(a: str, u: UnitSpan, tail: re.Pattern[str]) -> UnitSpan:
    """The unit's name without a role word at its end (医务部（牵头） → 医务部, 财务科督导 → 财务科)."""
    m = tail.search(a, u.start, u.end)
    return UnitSpan(u.start, m.start()) if m else u


def _cut_before(a: str, s: int, i: int) -> int:
    """End of the unit list that precedes a rule statement at i (the last , or ; before it), or s."""
    cut = max(a.rfind(",", s, i), a.rfind(";", s, i))
    return cut if cut > s else s


def _parse_clause(a: str, s: int, e: int, first_is_lead: bool, resp: Responsibility) -> bool:
    """Parse one clause's inside; returns True when it named units."""
    found = False
    for ss, se in split_top(a, s, e, "。"):
        # Rule statements may share the sentence with the unit list after a comma: cut them off.
        fm = FIRST_IS_LEAD.search(a[ss:se])
        if fm:
            resp.first_is_lead_declared = True
            first_is_lead = True
            se = _cut_before(a, ss, ss + fm.start())
        m = IMPLIED.search(a[ss:se])
        if m:
            resp.implied.extend(split_units(a, ss + m.start("unit"), ss + m.end("unit")))
            se = _cut_before(a, ss, ss + m.start())
        if se <= ss:
            continue
        for ps, pe in split_top(a, ss, se, ";"):
            part = a[ps:pe]
            lm = re.match(rf"\s*{_LEAD_LABEL}\s*[:：]", part)
            sm = re.match(rf"\s*{_SUPPORT_LABEL}\s*[:：]", part)
            rm = re.match(rf"\s*{_RESP_LABEL}\s*[:：]", part)
            if lm:
                resp.lead.extend(split_units(a, ps + lm.end(), pe))
                found = True
            elif sm:
                resp.support.extend(split_units(a, ps + sm.end(), pe))
                found = True
            elif rm and (split := _LEAD_THEN_OTHERS.search(a, ps + rm.end(), pe)):
                # 责任单位：A牵头，B、C配合 — the label names the list, the list says who leads
                resp.lead.extend(split_units(a, split.start("lead"), split.end("lead")))
                resp.support.extend(split_units(a, split.start("sup"), split.end("sup")))
                found = True
            elif rm:
                units = split_units(a, ps + rm.end(), pe)
                units = [u for u in units if not re.match(r"(?:完成|时间|时限)", a[u.start : u.end])]
                # 市卫生健康委医政医管科督导: a body that oversees takes part, without the verb
                overseeing = [u for u in units if _OVERSEES.search(a, u.start, u.end)]
                if overseeing:  # 市卫生健康委医政医管科、财务科督导: the whole 、-list before 督导
                    group_start = max(a.rfind(",", ps, overseeing[-1].start), a.rfind(":", ps, overseeing[-1].start))
                    overseeing = [u for u in units if u.start > group_start and u.end <= overseeing[-1].end]
                resp.support.extend(_without(a, u, _OVERSEES) for u in overseeing)
                units = [u for u in units if u not in overseeing]
                marked = [u for u in units if _LEAD_MARK.search(a, u.start, u.end)]
                if marked:  # 责任部门：医务部（牵头）、质控科 — the marked one leads, the others take part
                    resp.lead.extend(_without(a, u, _LEAD_MARK) for u in marked)
                    resp.support.extend(u for u in units if u not in marked)
                elif re.search(rf"{_LEAD_LABEL}\s*[:：]", a[ss:se]):
                    resp.support.extend(units)  # 牵头单位：A；责任单位：B、C — B and C take part
                elif first_is_lead or resp.first_is_lead_declared:
                    resp.lead.extend(units[:1])
                    resp.support.extend(units[1:])
                else:
                    resp.lead.extend(units)
                found = bool(units) or found
            else:
                # A、B负责 / A牵头，B、C配合 / …按职责分工负责
                # A牵头，B、C配合 / A牵头，B、C等按职责分工负责: beside a named lead the others take part
                lead_m = _LEAD_THEN_OTHERS.search(part)
                if lead_m:
                    resp.lead.extend(split_units(a, ps + lead_m.start("lead"), ps + lead_m.end("lead")))
                    resp.support.extend(split_units(a, ps + lead_m.start("sup"), ps + lead_m.end("sup")))
                    found = True
                elif re.search(r"(?:负责|牵头)\s*$", part.strip()):
                    resp.lead.extend(split_units(a, ps, pe))
                    found = True
    return found


def find_responsibility(a: str, start: int, end: int, first_is_lead: bool) -> Responsibility:
    """Responsibility clauses in a task's text a[start:end] (bracketed, or a 责任单位： line)."""
    resp = Responsibility()
    for bs, be in bracket_spans(a, start, end):
        inner_s, inner_e = bs + 1, be - 1
        inner = a[inner_s:inner_e]
        if not _CLAUSE_HINT.search(inner) or _ROLE_ONLY.fullmatch(inner) or re.match(r"\s*(?:以上|上述)", inner):
            continue  # (牵头) marks a unit within its list; (以上任务由…) is the whole block's (BLOCK_CLAUSE)
        labelled = re.match(rf"\s*(?:{_LEAD_LABEL}|{_SUPPORT_LABEL}|{_RESP_LABEL})\s*[:：]", inner)
        # (A、B负责) / (A牵头，B配合；以下…不再列出): some ;/。-part ends with 负责/牵头/配合
        tail_form = any(
            re.search(r"(?:负责|牵头|配合)$", inner[ps - inner_s : pe - inner_s].strip())
            for ps, pe in split_top(a, inner_s, inner_e, ";。")
        )
        if not labelled and not tail_form:
            continue
        if not labelled and len(inner) > 120:
            continue
        if _parse_clause(a, inner_s, inner_e, first_is_lead, resp) or resp.implied or resp.first_is_lead_declared:
            resp.clause_spans.append((bs, be))
            first_is_lead = first_is_lead or resp.first_is_lead_declared
    # Unbracketed clause lines: "责任单位：A、B" / "牵头单位：A；配合单位：B" at a line start.
    for m in re.finditer(rf"(?m)^\s*(?:{_LEAD_LABEL}|{_RESP_LABEL})\s*[:：][^\n]*", a[start:end]):
        s, e = start + m.start(), start + m.end()
        if any(bs <= s < be for bs, be in resp.clause_spans):
            continue
        if _parse_clause(a, s, e, first_is_lead, resp):
            resp.clause_spans.append((s, e))
    return resp


# （以上任务由A牵头，B、C配合） / 上述任务责任单位：A、B / （以上第1、2项任务由A牵头…；第3项任务由A、D负责）
# at the end of a block of items: the units of every item of the block (or of the items it numbers)
BLOCK_CLAUSE = re.compile(
    r"[(（]\s*(?:以上|上述)(?:各项|所有)?(?:第[\d、,，和及至—\-]+项)?任务(?:[^()（）\n]|[(（][^()（）\n]*[)）])*[)）]"
    r"|^\s*(?:以上|上述)(?:各项|所有)?任务(?:的)?(?:责任单位|牵头单位)[:：][^\n]*$",
    re.MULTILINE,
)
_ITEMS = re.compile(r"第([\d、,，和及至—\-]+)项")


def block_responsibility(a: str, s: int, e: int, first_is_lead: bool) -> list[tuple[set[int] | None, Responsibility]]:
    """The parts of a block clause a[s:e]: (item numbers it names, or None for all; their units)."""
    inner_s, inner_e = (s + 1, e - 1) if a[s] in "(（" else (s, e)
    out: list[tuple[set[int] | None, Responsibility]] = []
    for ps, pe in split_top(a, inner_s, inner_e, ";；"):
        part = a[ps:pe]
        m = re.search(r"任务(?:的)?(?:由)?", part)
        if not m:
            continue
        numbers = _ITEMS.search(part, 0, m.start())
        items = None
        if numbers:
            items = set()
            for n in re.split(r"[、,，和及]", numbers.group(1)):
                if re.fullmatch(r"\d+[至—\-]\d+", n):
                    lo, hi = map(int, re.split(r"[至—\-]", n))
                    items.update(range(lo, hi + 1))
                elif n.isdigit():
                    items.add(int(n))
        resp = Responsibility()
        if _parse_clause(a, ps + m.end(), pe, first_is_lead, resp):
            out.append((items, resp))
    return out
