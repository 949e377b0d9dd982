"""Text → Ledger: the extraction pipeline (metadata, outline, units, targets, deadlines)."""

from __future__ import annotations

import re
import time

from .aliases import canonical_unit
from .brackets import inside_brackets
from .deadlines import find_times, latest
from .indicator_tables import CELL_COMPARATORS, table_targets
from .metadata import doc_number_spans, extract_citations, extract_metadata
from .models import Heading, Ledger, Target, Task
from .normalize import analysis_text, simplified, split_lines
from .outline import GOAL_KINDS, NON_TASK_KINDS, Node, classify, parse_outline, walk
from .readers.tables import prepare_plain_text
from .targets import extract_targets
from .units import (
    BLOCK_CLAUSE,
    FIRST_IS_LEAD,
    IMPLIED,
    block_responsibility,
    find_responsibility,
    split_units,
)

# 版记 (GB/T 9704): 抄送 and the 印发 line close the document; nothing after them is plan text.
_FOOTER = re.compile(r"^(?:抄送|抄报|主送)\s*[:：]|^\S{2,30}\s+\d{4}年\d{1,2}月\d{1,2}日\s*印发$|^\d{4}年\d{1,2}月\d{1,2}日\s*印发$")
_CLAUSE_DELIMS = ",;。:!?\n"
_SENTENCE_DELIMS = "。!?\n"
_CLAUSE_SPLIT = re.compile(r"[(\[〔)\]〕,;。:!?\n]")
_DEFINITION_FIELD = re.compile(r"(?m)^\s*(?:指标属性|计量单位|指标定义|计算方法|计算公式|指标说明|指标解释|指标导向|数据来源)\s*[:：]")
_RECURRING = re.compile(r"每(?:\d+|[两二三四五])?个?(?:年|季|月|半年)|逐年")


class _Doc:
    def __init__(self, text: str):
        self.original = text
        self.a = analysis_text(text)
        self.lines = split_lines(self.a)
        self.protected = bytearray(len(self.a))
        self._protect(r"“[^”\n]{0,80}”|\"[^\"\n]{0,80}\"|‘[^’\n]{0,40}’|《[^》\n]{0,150}》")
        self._protect(r"https?://\S+|www\.\S+")
        for s, e in doc_number_spans(self.a):
            self.protect(s, e)

    def _protect(self, pattern: str) -> None:
        for m in re.finditer(pattern, self.a):
            self.protect(m.start(), m.end())

    def protect(self, s: int, e: int) -> None:
        self.protected[s:e] = b"\x01" * (e - s)

    def is_protected(self, i: int) -> bool:
        return bool(self.protected[i])

    def clause_bounds(self, s: int, e: int):
        """(start, end, starts_a_sentence) of clauses in a[s:e], split outside brackets."""
        a, depth, cs, sentence_start = self.a, 0, s, True
        for m in _CLAUSE_SPLIT.finditer(a, s, e):
            i, c = m.start(), m.group()
            if c in "([〔":
                depth += 1
            elif c in ")]〕":
                depth = max(depth - 1, 0)
            elif (depth == 0 or c == "\n") and not (c == ":" and a[i - 1 : i].isdigit() and a[i + 1 : i + 2].isdigit()):
                clause = self._trimmed(cs, i)
                if clause:
                    yield *clause, sentence_start
                    sentence_start = False
                if c in _SENTENCE_DELIMS:
                    sentence_start, depth = True, 0
                cs = i + 1
        clause = self._trimmed(cs, e)
        if clause:
            yield *clause, sentence_start

    def _trimmed(self, s: int, e: int) -> tuple[int, int] | None:
        a = self.a
        while s < e and a[s] in " \t":
            s += 1
        while e > s and a[e - 1] in " \t":
            e -= 1
        return (s, e) if e > s else None

    def sentence_of(self, s: int, lo: int, hi: int) -> tuple[int, int]:
        a = self.a
        start = max([a.rfind(d, lo, s) for d in _SENTENCE_DELIMS] + [lo - 1]) + 1
        ends = [x for x in (a.find(d, s, hi) for d in _SENTENCE_DELIMS) if x != -1]
        return start, min(ends) if ends else hi


def _body_end(doc: _Doc) -> int:
    for ln in doc.lines:
        if not ln.blank and _FOOTER.search(ln.text):
            return ln.start
    return len(doc.a)


def _select_tasks(roots: list[Node]) -> list[tuple[Node, bool]]:
    """Task nodes in document order; the bool marks goal-section pseudo-tasks (kept only with targets)."""
    out: list[tuple[Node, bool]] = []

    def goal_section(node: Node) -> None:
        if not node.children:
            out.append((node, True))
            return
        for child in node.children:
            kind = classify(child.title)
            if kind in NON_TASK_KINDS:
                continue
            if kind in GOAL_KINDS or kind is None:
                out.append((child, True))
            else:
                visit(child)

    def visit(node: Node) -> None:
        kind = classify(node.title)
        if kind in NON_TASK_KINDS:
            return
        if kind in GOAL_KINDS:
            goal_section(node)
            return
        if node.rank >= 3 or node.kind == "step":
            out.append((node, False))
            return
        inner = [c for c in node.children if c.rank <= 3]
        points = [c for c in node.children if c.kind == "paren_arabic"]
        if not inner and node.rank <= 1 and points:
            out.extend((child, False) for child in points)  # 一、 then (1)(2) with no (一)
            return
        if not inner:
            out.append((node, False))
            return
        for child in inner:
            visit(child)

    for root in roots:
        visit(root)
    return out


def _fmt_value(v: float | None) -> float | int | None:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


class _Stopwatch:
    """Accumulates time per stage into `profile` when one is given (used by the benchmark)."""

    def __init__(self, profile: dict[str, float] | None):
        self.profile = profile
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        if self.profile is not None:
            now = time.perf_counter()
            self.profile[stage] = self.profile.get(stage, 0.0) + now - self.last
            self.last = now


def extract_ledger(text: str, file: str = "", profile: dict[str, float] | None = None) -> Ledger:
    watch = _Stopwatch(profile)
    # The readers already do this for .txt files; text handed over directly gets the same repair.
    doc = _Doc(prepare_plain_text(text))
    a, original = doc.a, doc.original
    watch.lap("normalize")
    body_end = _body_end(doc)
    roots = parse_outline(doc.lines, 0, body_end, original)
    header_end = roots[0].start if roots else body_end
    watch.lap("outline")
    meta = extract_metadata(doc.lines, header_end, body_end, original, a)
    doc_year = int(meta.date[:4]) if meta.date else None
    ledger = Ledger(file=file, title=meta.title, issuer=meta.issuer, doc_number=meta.doc_number, date=meta.date)
    ledger.cited_policies = extract_citations(a, original, [analysis_text(t) for t in meta.own_titles], header_end)
    watch.lap("metadata")
    ledger.outline = [
        Heading(n.label, n.rank, n.title, n.section, n.start, n.span_end) for n in walk(roots)
    ]

    first_is_lead = bool(FIRST_IS_LEAD.search(a[:body_end]))
    implied: list[str] = []
    # 以下各项任务均需X落实，不再列出 may also stand as a paragraph of its own, outside any clause
    standing = [
        (m.start(), original[u.start : u.end])
        for m in IMPLIED.finditer(a, header_end, body_end)
        if not inside_brackets(a, m.start())
        for u in split_units(a, m.start("unit"), m.end("unit"))
    ]
    # 2025年目标值：≥75% under a 目标一 heading is the goal's own value (_numbered_goals), no item's
    goal_lines = [(m.start(), m.end()) for goal in walk(roots) if goal.kind == "goalno"
                  for m in _GOAL_VALUE_LINE.finditer(a, goal.start, goal.span_end)]
    blocks = []
    for m in BLOCK_CLAUSE.finditer(a, header_end, body_end):
        blocks.append((m.start(), block_responsibility(a, m.start(), m.end(), first_is_lead)))
        doc.protect(m.start(), m.end())
    for gs, ge in goal_lines:
        doc.protect(gs, ge)
    table_only: list[Task] = []  # tasks whose targets are all rows of an indicator table
    empty_goals: list[Task] = []  # goal sections without targets of their own: not tasks, unless…
    for node, pseudo in _select_tasks(roots):
        start = node.start
        span_end = node.span_end
        if len(_DEFINITION_FIELD.findall(a, start, span_end)) >= 2:
            continue  # an indicator's definition (指标定义：… 计算方法：…), as manuals give them: no task
        implied.extend(u for pos, u in standing if pos < start and u not in implied)
        resp = find_responsibility(a, start, span_end, first_is_lead)
        for bs, be in resp.clause_spans:
            doc.protect(bs, be)
        if not resp.lead and not resp.support and node.parent is not None:
            # （以上任务由A牵头，B配合） after the items of a block: theirs, the ones it numbers or all
            parent = node.parent
            for at, parts in blocks:
                if parent.start <= at < parent.span_end and node.start < at:
                    for items, block in parts:
                        if items is None or node.number in items:
                            resp.lead.extend(block.lead)
                            resp.support.extend(block.support)
        lead = [original[u.start : u.end] for u in resp.lead]
        support = [original[u.start : u.end] for u in resp.support]
        known = {canonical_unit(u) for u in lead + support}
        for unit in implied:
            if canonical_unit(unit) not in known:
                support.append(unit)
                known.add(canonical_unit(unit))
        implied.extend(original[u.start : u.end] for u in resp.implied if original[u.start : u.end] not in implied)
        watch.lap("units")

        marker_end = node.body_start
        mentions = find_times(a, marker_end, span_end, doc_year, masked=lambda i: a[i] != "“" and doc.protected[i] and _in_title_mark(a, i))
        mentions = [t for t in mentions if not any(gs <= t.start < ge for gs, ge in goal_lines)]
        task_deadline = latest(mentions)
        watch.lap("deadlines")
        rows = table_targets(doc.lines, original, marker_end, span_end) if "\t" in a[marker_end:span_end] else []
        for row in rows:
            doc.protect(row.start, row.end)  # a row's numbers are read by its columns, not as prose
        raw_targets = extract_targets(a, original, marker_end, span_end, doc.is_protected, doc.clause_bounds)
        targets = []
        for rt in raw_targets:
            cs, ce = rt.clause
            ss, se = doc.sentence_of(cs, marker_end, span_end)
            in_sentence = [t for t in mentions if ss <= t.start < se and not t.recurring]
            if _past_fact(a, ss, rt, doc_year) and not in_sentence:
                continue  # 2024年，我院CMI值为1.05: where the plan starts from, not a goal
            in_clause = [t for t in in_sentence if cs <= t.start < ce]
            same_subject_years = (
                rt.group is not None
                and len(in_sentence) == rt.group[1]
                and len({t.indicator for t in raw_targets if t.clause == rt.clause}) == 1
            )
            if same_subject_years:
                deadline = in_sentence[rt.group[0]].date  # 到2022年和2030年，…分别不低于22%和30%
            elif in_clause:
                deadline = in_clause[0].date
            elif _RECURRING.search(a[cs:ce]):
                deadline = None  # 每年… does not inherit another clause's date
            elif in_sentence:
                before = [t for t in in_sentence if t.start <= cs]
                deadline = (before[-1] if before else in_sentence[0]).date
            else:
                deadline = task_deadline
            q = rt.quantity
            targets.append(
                Target(
                    indicator=rt.indicator,
                    comparator=rt.comparator,
                    value=_fmt_value(q.value),
                    value_high=_fmt_value(q.value_high),
                    unit=q.unit or None,
                    deadline=deadline,
                    scope=rt.scope,
                    text=original[cs:ce],
                    start=cs,
                    end=ce,
                    indicator_simplified=simplified(rt.indicator),
                    baseline=_fmt_value(rt.baseline),
                    baseline_period=str(rt.baseline_year) if rt.baseline_year else None,
                )
            )
        targets.extend(
            Target(indicator=r.indicator, comparator=r.comparator, value=_fmt_value(r.value),
                   value_high=_fmt_value(r.value_high),
                   unit=r.unit, deadline=r.deadline or task_deadline, scope=None, text=original[r.start : r.end], start=r.start,
                   end=r.end, indicator_simplified=simplified(r.indicator), baseline=_fmt_value(r.baseline),
                   baseline_period=r.baseline_period)
            for r in rows
        )
        watch.lap("targets")
        task = Task(
            path=node.path,
            title=node.title,
            lead_units=lead,
            support_units=support,
            deadline=task_deadline,
            targets=targets,
            section=node.section,
            text=original[start:span_end].strip(),
            start=start,
            end=span_end,
            lead_units_canonical=[canonical_unit(u) for u in lead],
            support_units_canonical=[canonical_unit(u) for u in support],
        )
        if rows and not raw_targets:
            table_only.append(task)
        if node.path[0].startswith("附件") and not node.children and not targets and not lead and not support:
            continue  # an annex that is only a table of figures (得分情况): nothing to track
        (empty_goals if pseudo and not targets else ledger.tasks).append(task)
    _annexed_indicators_to_their_goals(ledger, table_only, empty_goals)
    _numbered_goals(ledger, roots, doc, original)
    if not ledger.tasks:
        ledger.warnings.append("未识别出任务条目，该文本可能不是政策方案（或未按“一、（一）1.”编排层次）")
    return ledger


_GOAL_VALUE_LINE = re.compile(
    r"(?m)^[ \t]*(?:(?P<year>\d{4})\s*年)?目标值[:：]\s*(?P<cmp>≥|≤|>=|<=|>|<)?\s*(?P<value>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>[^\s()\d][^\s()]{0,11})?\s*(?:\(\s*(?P<byear>\d{4})\s*年\s*[:：]\s*(?P<base>\d+(?:\.\d+)?)[^)]*\))?[ \t]*$"
)
_GOAL_VERB = re.compile(r"^(?:提高|提升|降低|减少|缩短|控制|加强|规范)")


def _numbered_goals(ledger: Ledger, roots: list[Node], doc: _Doc, original: str) -> None:
    """目标一：提高…治疗率, its strategies (1. 2. 3.), then 责任部门：… and 2025年目标值：≥75% lines: the
    value line is the goal's own target and the one 责任部门 line the units of the goal and its items."""
    a = doc.a
    for goal in (n for n in walk(roots) if n.kind == "goalno"):
        items = [t for t in ledger.tasks if goal.start <= t.start < goal.span_end]
        with_units = [t for t in items if t.lead_units or t.support_units]
        lead, support = (with_units[0].lead_units, with_units[0].support_units) if len(with_units) == 1 else ([], [])
        if len(with_units) == 1:
            for t in items:
                if t is not with_units[0]:
                    t.lead_units, t.support_units = list(lead), list(support)
                    t.lead_units_canonical = [canonical_unit(u) for u in lead]
                    t.support_units_canonical = [canonical_unit(u) for u in support]
        targets = []
        title = goal.title or ""
        verb = _GOAL_VERB.match(analysis_text(title))
        indicator = title[verb.end() :] if verb else title  # 提高…治疗率 measures the 治疗率
        for m in _GOAL_VALUE_LINE.finditer(a, goal.start, goal.span_end):
            targets.append(Target(
                indicator=indicator, comparator=CELL_COMPARATORS.get(m["cmp"] or "", ">="), value=_fmt_value(float(m["value"])), value_high=None,
                unit=m["unit"], deadline=f"{m['year']}-12-31" if m["year"] else None, scope=None,
                text=original[m.start() : m.end()].strip(), start=m.start(), end=m.end(),
                indicator_simplified=simplified(indicator), baseline=_fmt_value(float(m["base"])) if m["base"] else None,
                baseline_period=m["byear"],
            ))
        if targets:
            ledger.tasks.append(Task(
                path=goal.path, title=goal.title, lead_units=list(lead), support_units=list(support),
                deadline=max((t.deadline for t in targets if t.deadline), default=None), targets=targets,
                section=goal.section, text=original[goal.start : goal.body_start + len(goal.title or "")].strip(),
                start=goal.start, end=goal.span_end, lead_units_canonical=[canonical_unit(u) for u in lead],
                support_units_canonical=[canonical_unit(u) for u in support],
            ))
            ledger.tasks.sort(key=lambda t: t.start)


def _annexed_indicators_to_their_goals(ledger: Ledger, table_only: list[Task], empty_goals: list[Task]) -> None:
    """An annex that is only an indicator table (附件1：指标任务分解表) states the goals of the
    section that points to it (工作目标……见附件1): its targets go there, and it is no task of its own."""
    for annex in [t for t in table_only if len(t.path) == 1 and t.path[0].startswith("附件") and t in ledger.tasks]:
        label = annex.path[0]
        pointing = [t for t in (*ledger.tasks, *empty_goals) if t is not annex and label in t.text and not t.path[0].startswith("附件")]
        if not pointing:
            continue
        goal = next((t for t in pointing if t.section in GOAL_KINDS), pointing[0])
        goal.targets.extend(annex.targets)
        ledger.tasks.remove(annex)
        if goal in empty_goals:
            empty_goals.remove(goal)
            ledger.tasks.append(goal)
            ledger.tasks.sort(key=lambda t: t.start)


def _past_fact(a: str, sentence_start: int, rt, doc_year: int | None) -> bool:
    """A value stated with 为/是 in a sentence about a year before the document's."""
    if doc_year is None or rt.comparator != "=" or not re.search(r"(?:为|是)\s*$", a[rt.clause[0] : rt.quantity.start]):
        return False
    years = [int(y) for y in re.findall(r"(\d{4})\s*年", a[sentence_start : rt.quantity.start])]
    return bool(years) and max(years) < doc_year


def _in_title_mark(a: str, i: int) -> bool:
    """True inside 《…》 (a plan's name), where years are not deadlines."""
    open_ = a.rfind("《", 0, i + 1)
    return open_ != -1 and a.find("》", open_) >= i
