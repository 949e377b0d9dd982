"""The outline of a plan (GB/T 9704 层次序数): 一、 (一) 1. (1) ① and 第一步/第一阶段, with section kinds.

Headings are found at line starts of the analysis text. A marker is accepted only when its number
continues the sequence of its kind (1, or the previous number of that kind + 1), which keeps
stray lines such as "1/3的号源…" or wrapped text from opening sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .normalize import Line, analysis_text
from .numerals import cn_to_int

_CN = "一二三四五六七八九十"
_MARKERS: list[tuple[str, int, re.Pattern[str]]] = [
    ("chapter", 0, re.compile(rf"^第([{_CN}]{{1,3}})章\s*")),
    ("part", 0, re.compile(rf"^第([{_CN}]{{1,3}})部分\s*")),  # 第二部分 重点行动
    # 附件：重点任务分工表 — an annex is a part of its own, its rows (1. 2. …) its tasks
    ("annex", 0, re.compile(r"^附件\s*(\d{0,2})\s*(?:[:：]\s*|$)")),  # a part above 一、: the annexed plan's own outline
    ("cn", 1, re.compile(rf"^([{_CN}]{{1,3}})\s*[、.,]\s*")),
    ("paren_cn", 2, re.compile(rf"^[(〔]([{_CN}]{{1,3}})[)〕]\s*[、.,]?\s*")),
    ("step", 2, re.compile(rf"^(第([{_CN}]{{1,3}})(?:步|阶段))\s*[:,、.]?\s*")),
    # 目标一：提高…再灌注治疗率 (as the national 医疗质量安全改进目标 are written): above its （一）
    ("goalno", 1.5, re.compile(rf"^(目标([{_CN}]{{1,3}}))\s*[:：]\s*")),
    ("arabic", 3, re.compile(r"^(\d{1,3})\s*(?:[.、,](?!\d)|\s(?=[\u4e00-\u9fff]))\s*")),
    ("paren_arabic", 4, re.compile(r"^[(〔](\d{1,3})[)〕]\s*[、.,]?\s*")),
    ("circled", 5, re.compile(r"^([\u2460-\u2473])\s*[、.,]?\s*")),
]

SECTION_KINDS: list[tuple[str, re.Pattern[str]]] = [
    # 规划 open with the ground they stand on (发展基础, 面临形势): an account, not a task
    ("发展基础", re.compile(r"发展基础|发展现状|工作基础|现状与形势|面临(?:的)?形势|形势与挑战|机遇与挑战|发展环境|规划背景|编制背景")),
    ("指导思想", re.compile(r"指导思想")),
    ("职责分工", re.compile(r"^(?:部门)?职责分工(?:及要求|和要求)?$|^部门职责$")),  # who does what, in general
    ("基本原则", re.compile(r"基本原则|工作原则|考核原则|评价原则")),
    # a 通报 reports what happened (基本情况, 考核结果, 存在的问题): an account, not a task
    ("情况", re.compile(r"^(?:考核|评价|工作)?(?:基本情况|总体情况|工作情况|考核结果|评价结果|考核情况|结果分析|存在的?问题|主要问题|工作成效|主要成效)$")),
    ("主要目标", re.compile(r"(?:主要|工作|发展|总体|建设|预期|具体)目标|目标任务|主要指标|发展指标")),
    ("总体要求", re.compile(r"总体要求|总体思路|总体安排")),
    ("保障措施", re.compile(r"保障措施|组织保障|组织实施|保障机制|工作要求|实施保障|组织领导|工作保障|保障工作")),
    ("实施步骤", re.compile(r"实施步骤|进度安排|时间安排|实施阶段|工作步骤|推进步骤|工作安排|时间节点|实施进度|方法步骤|步骤安排")),
    ("重点任务", re.compile(r"重点任务|主要任务|重点工作|工作任务|主要举措|重点举措|具体措施|工作措施|主要内容|建设内容|重点内容|任务措施")),
]
NON_TASK_KINDS = {"发展基础", "指导思想", "基本原则", "情况", "职责分工"}
GOAL_KINDS = {"主要目标", "总体要求"}


@dataclass
class Node:
    kind: str  # marker kind
    rank: int
    number: int
    label: str  # path label: 第二章, 二, (一), 3, 第一步
    title: str | None
    line: Line
    start: int  # offset of the heading line
    end: int = 0  # offset where the node's own text ends (next heading)
    span_end: int = 0  # offset where the node with its descendants ends
    body_start: int = 0  # offset just past the marker (一、 (一) 1. …)
    section: str | None = None
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None

    @property
    def path(self) -> list[str]:
        out, node = [], self
        while node is not None:
            out.append(node.label)
            node = node.parent
        return out[::-1]


_MARKER_START = set("第一二三四五六七八九十(〔0123456789附目") | {chr(c) for c in range(0x2460, 0x2474)}


def _marker(line: Line) -> tuple[str, int, int, str, int] | None:
    """(kind, rank, number, label, length of the marker) of a heading line, or None."""
    text = line.text
    if not text or text[0] not in _MARKER_START:
        return None
    if text.count("\t") >= 2:
        return None  # a table row ("1	人均预期寿命	岁	78.5	79"): its 序号 cell is not a heading
    for kind, rank, pattern in _MARKERS:
        m = pattern.match(text)
        if not m:
            continue
        if kind in ("step", "goalno"):
            label, number = m.group(1), cn_to_int(m.group(2))
        elif kind == "circled":
            number = ord(m.group(1)) - 0x2460 + 1
            label = m.group(1)
        elif kind == "annex":
            number = int(m.group(1) or 1)
            label = f"附件{m.group(1)}"
        elif kind in ("arabic", "paren_arabic"):
            number = int(m.group(1))
            label = m.group(1) if kind == "arabic" else f"({m.group(1)})"
        else:
            number = cn_to_int(m.group(1))
            label = {"cn": m.group(1), "chapter": f"第{m.group(1)}章", "part": f"第{m.group(1)}部分"}.get(kind, f"({m.group(1)})")
        if number is None or number == 0:
            return None
        if kind == "cn" and text[m.end() - 1 : m.end()] in ".," and not text[m.end() - 1] == "、":
            # 一. is rare and easily confused with prose; accept only short heading-like lines
            if len(text) > 40:
                return None
        if m.end() >= len(text) and kind != "annex":
            return None  # a bare marker with nothing after it (附件 alone heads the annex page)
        return kind, rank, number, label, m.end()
    return None


_TITLE_END = re.compile(r"[。!?！？]")


def heading_title(text: str) -> str:
    """The heading text before the first 。 (what the gold calls a task title)."""
    m = _TITLE_END.search(text)
    title = text[: m.start()] if m else text
    return re.sub(r"[\s:;,、]+$", "", title)


@lru_cache(maxsize=2048)
def classify(title: str | None) -> str | None:
    if not title:
        return None
    head = analysis_text(title[:20])
    for kind, pattern in SECTION_KINDS:
        if pattern.search(head):
            return kind
    return None


def parse_outline(lines: list[Line], body_start: int, body_end: int, original: str) -> list[Node]:
    """All headings of the body as a forest; each node knows its text span."""
    candidates: list[tuple[Line, tuple]] = []
    for line in lines:
        if line.blank or line.start < body_start or line.start >= body_end:
            continue
        mk = _marker(line)
        if mk:
            candidates.append((line, mk))
    # The body's outline starts at its first top-level (一、 or 第一章) heading when there is one.
    top_ranks = [mk[1] for _, mk in candidates if mk[0] in ("cn", "chapter", "part") and mk[2] == 1]
    first_top = next((i for i, (_, mk) in enumerate(candidates) if mk[0] in ("cn", "chapter", "part") and mk[2] == 1), None)
    if top_ranks and first_top is not None:
        candidates = candidates[first_top:]

    last_number: dict[str, int] = {}
    roots: list[Node] = []
    stack: list[Node] = []
    nodes: list[Node] = []
    for line, (kind, rank, number, label, mlen) in candidates:
        parent_last = None
        for node in reversed(stack):
            if node.rank < rank:
                siblings = [c for c in node.children if c.kind == kind]
                parent_last = siblings[-1].number if siblings else 0
                break
        prev = last_number.get(kind, 0)
        if kind != "annex" and number != 1 and number != prev + 1 and (parent_last is None or number != parent_last + 1):
            continue
        last_number[kind] = number
        while stack and stack[-1].rank >= rank:
            stack.pop()
        title = None
        if kind != "step":  # 第一步 is followed by its content, not a title
            title_a = heading_title(line.text[mlen:])
            title = original[line.start + mlen : line.start + mlen + len(title_a)] or None
        node = Node(kind, rank, number, label, title, line, line.start, body_start=line.start + mlen)
        node.parent = stack[-1] if stack else None
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
        nodes.append(node)

    for i, node in enumerate(nodes):
        node.end = nodes[i + 1].start if i + 1 < len(nodes) else body_end
        node.span_end = body_end
        for later in nodes[i + 1 :]:
            if later.rank <= node.rank:
                node.span_end = later.start
                break
    for root in roots:
        _assign_sections(root, None)
    return roots


def _assign_sections(node: Node, inherited: str | None) -> None:
    own = classify(node.title)
    node.section = own or inherited
    for child in node.children:
        _assign_sections(child, node.section)


def walk(nodes: list[Node]):
    for node in nodes:
        yield node
        yield from walk(node.children)
