"""Document fields from the header (版头) and signature: title, issuer, 文号, date, cited policies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import CitedPolicy
from .normalize import Line
from .numerals import cn_to_int

# 文号: 杭政办函〔2022〕47号, 国办发[2021]18号, 皖政办秘〔20__〕120号
# 国办发〔2021〕18号, and the number of a ministry's rules: 国家卫生和计划生育委员会令第3号
DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,14}\s*[〔\[(]\s*(?:\d{4}|20__)\s*[〕\])]\s*第?\s*\d{1,4}\s*号"
    r"|[\u4e00-\u9fff]{2,20}令\s*第\s*\d{1,4}\s*号"
)
_DOC_NUMBER_CORE = re.compile(r"[〔\[(]\s*(?:\d{4}|20__)\s*[〕\])]\s*第?\s*\d{1,4}\s*号")


def doc_number_spans(a: str) -> list[tuple[int, int]]:
    """Spans of 文号 in a text: the bracketed year and number found first, the agency prefix after."""
    spans = []
    for m in _DOC_NUMBER_CORE.finditer(a):
        s = m.start()
        while s > 0 and m.start() - s < 14 and "\u4e00" <= a[s - 1] <= "\u9fff":
            s -= 1
        if s < m.start():
            spans.append((s, m.end()))
    return spans
_DATE_LINE = re.compile(
    r"^(?P<y>\d{4}|[二〇零一三四五六七八九]{4})\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日$"
)
_DOC_TYPES = r"(?:通知|意见|决定|方案|办法|计划|批复|通报|函|报告|规划|细则|要点|清单|任务|措施|纲要|规定|指引|指南)"
_TITLE_TAIL = re.compile(rf"(?:{_DOC_TYPES}|[(（]试行[)）]|[(（][^()（）]*\d{{4}}[^()（）]*[)）])$")
_ORG_TAIL = re.compile(r"(?:办公厅|办公室|人民政府|政府|委员会|委|局|厅|部|办|中心|小组|党委|联席会议|领导小组|院|署|会)$")
_SEAL = re.compile(r"[(（](?:代章|印章|盖章)[)）]")
_SELF_REF_CONTEXT = re.compile(r"印发给你们|现予印发|现印发|予以印发|已经.{0,40}(?:同意|通过)|审议通过")
_DRAFTING_BEFORE = re.compile(r"(?:制定|出台|制订|起草|编制|研究制定|负责制定|研究出台|拟定)\s*$")


@dataclass
class Metadata:
    title: str | None
    issuer: str | None
    doc_number: str | None
    date: str | None
    own_titles: list[str]  # the notice title and the plan heading, for self-reference checks


def _date_of(m: re.Match[str]) -> str | None:
    def num(s: str) -> int | None:
        if s.isdigit():
            return int(s)
        if len(s) == 4 and all(c in "二〇零一三四五六七八九" for c in s):
            return int("".join(str("〇一二三四五六七八九".index(c.replace("零", "〇"))) for c in s))
        return cn_to_int(s)

    y, mth, d = num(m.group("y")), num(m.group("m")), num(m.group("d"))
    if not (y and mth and d and 1 <= mth <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mth:02d}-{d:02d}"


_EDITION = re.compile(r"\((?:\d{4}\s*[—\-~至到]+\s*\d{4}\s*年|\d{4}\s*年?(?:修订)?版|修订版|试行)\)")
# Labels of a document's parts, never its title
_GENERIC_HEADING = re.compile(r"编制说明|起草说明|说明|前言|目录|附件\d*|附表\d*|\(节选\)|节选")


def _is_plain(text: str) -> bool:
    """A title-like line: no sentence punctuation."""
    return bool(text) and not re.search(r"[。，,;；:：!?！？]", text)


def extract_metadata(lines: list[Line], header_end: int, body_end: int, original: str, a: str) -> Metadata:
    header = [ln for ln in lines if ln.end <= header_end]
    nonblank = [ln for ln in header if not ln.blank]

    # Signature date: a line that is only a date; in the header, else the last one in the body's tail.
    date_line = next((ln for ln in nonblank if _DATE_LINE.match(ln.text)), None)
    if date_line is None:
        tail = [ln for ln in lines if not ln.blank and header_end <= ln.start < body_end]
        date_line = next((ln for ln in reversed(tail[-8:]) if _DATE_LINE.match(ln.text)), None)
    if date_line is None:  # an annexed table after the signature: the last date under an issuer's name
        date_line = next((ln for k, ln in reversed(list(enumerate(tail)))
                          if _DATE_LINE.match(ln.text) and k and _ORG_TAIL.search(tail[k - 1].text)
                          and _is_plain(tail[k - 1].text.replace(" ", ""))), None)
    date = _date_of(_DATE_LINE.match(date_line.text)) if date_line else None

    # Issuer: the org-name lines right above the signature date (seal lines such as (代章) excluded).
    issuer_lines: list[Line] = []
    if date_line is not None:
        i = lines.index(date_line) - 1
        while i >= 0:
            ln = lines[i]
            i -= 1
            if ln.blank:
                continue
            if not _is_plain(ln.text.replace(" ", "")) or len(ln.text) > 120 or ln.text.startswith("《"):
                break
            if _SEAL.search(ln.text):
                continue
            if not all(_ORG_TAIL.search(p) and len(p) <= 40 for p in re.split(r"\s{2,}", ln.text)):
                break
            issuer_lines.insert(0, ln)
    # Joint issuers often share a line, separated by runs of spaces: split them there.
    names = [
        original[ln.start + m.start() : ln.start + m.end()]
        for ln in issuer_lines
        for m in re.finditer(r"\S+(?: \S+)*", ln.text.replace("\u3000", " "))
    ]
    issuer = "、".join(names) or None

    # Notice title: a 关于…的通知 line (possibly wrapped over several lines) in the header.
    title, notice_title_lines = None, []
    for idx, ln in enumerate(nonblank):
        # 《…的通知》 is a citation, also behind a 文号 as web pages head a reposted notice with
        # "穗府办〔2023〕11号《…的通知》" above the notice's own title line.
        if "关于" not in ln.text or DOC_NUMBER.sub("", ln.text).lstrip(" -—").startswith("《") or len(ln.text) > 120:
            continue
        if not _is_plain(DOC_NUMBER.sub("", ln.text).rstrip("-— ").replace(" ", "")):
            continue
        parts = [ln]
        for nxt in nonblank[idx + 1 : idx + 5]:
            joined = "".join(p.text for p in parts)
            if _TITLE_TAIL.search(DOC_NUMBER.sub("", joined).rstrip("-— ")):
                break
            if not _is_plain(nxt.text):
                break
            parts.append(nxt)
        joined_orig = "".join(original[p.start : p.end] for p in parts)
        joined_a = "".join(p.text for p in parts)
        m = DOC_NUMBER.search(joined_a)
        if m:
            joined_orig = joined_orig[: m.start()] + joined_orig[m.end() :]
            joined_a = joined_a[: m.start()] + joined_a[m.end() :]
        cut = len(joined_a.rstrip("-— "))
        title = joined_orig[:cut].strip()
        notice_title_lines = parts
        break

    # Plan heading: the run of title-like lines just before the body (after notice, signature, notes).
    skip = set(id(x) for x in issuer_lines + notice_title_lines)
    if date_line is not None:
        skip.add(id(date_line))
    plan_heading = None
    run: list[Line] = []
    runs: list[list[Line]] = []
    for ln in nonblank:
        t = ln.text.replace(" ", "")
        edition = bool(run) and _EDITION.fullmatch(t)  # （2024年版） / （2024—2026年） under a heading
        title_like = (
            id(ln) not in skip
            and _is_plain(t)
            and len(t) <= 60
            and (not t.startswith(("(", "《", "附件")) or edition)
            and not _DATE_LINE.match(ln.text)
            and not DOC_NUMBER.fullmatch(t)
            and not re.search(r"(?:编制|编印|印发|起草|制定)$", t)
        )
        if title_like:
            if run and _TITLE_TAIL.search("".join(x.text for x in run)):
                runs.append(run)
                run = []
            run.append(ln)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    runs = [r for r in runs if not _GENERIC_HEADING.fullmatch("".join(x.text for x in r).replace(" ", ""))]
    if runs:
        best = runs[-1]
        plan_heading = "".join(original[x.start : x.end] for x in best)
        if title is None:
            title = plan_heading

    # 文号: the first one in the header that is not a citation's (《…》(文号)).
    doc_number = None
    for ln in nonblank:
        for m in DOC_NUMBER.finditer(ln.text):
            before = ln.text[: m.start()].rstrip()
            if before.endswith(("(", "（")) or "》" in before[-3:] or "《" in ln.text[: m.start()]:
                continue
            doc_number = original[ln.start + m.start() : ln.start + m.end()]
            break
        if doc_number:
            break

    own = [t for t in (title, plan_heading) if t]
    return Metadata(title, issuer, doc_number, date, own)


def _core(s: str) -> str:
    return re.sub(r"[\s《》()（）“”\"]", "", s)


def _is_object_of_issuing(a: str, end: int, sentence_end: int) -> bool:
    """《X》已经…同意，现印发给你们: X is the document itself, not a cited policy."""
    after = a[end:sentence_end]
    m = _SELF_REF_CONTEXT.search(after)
    return bool(m) and "《" not in after[: m.start()] and m.start() < 60


def extract_citations(a: str, original: str, own_titles_a: list[str], header_end: int) -> list[CitedPolicy]:
    """Every existing document cited as 《…》, with the 文号 that follows it; no self-references or drafts."""
    own = {_core(t) for t in own_titles_a}
    out: list[CitedPolicy] = []
    seen: set[str] = set()
    for m in re.finditer(r"《([^《》\n]{2,120})》", a):
        inner = _core(m.group(1))
        if inner in own or any(inner and (inner in o or o in inner) and len(o) > 8 for o in own):
            continue
        sentence_end_candidates = [x for x in (a.find("。", m.end()), a.find("\n", m.end())) if x != -1]
        sentence_end = min(sentence_end_candidates) if sentence_end_candidates else len(a)
        if m.start() < header_end and _is_object_of_issuing(a, m.end(), sentence_end):
            continue
        if _DRAFTING_BEFORE.search(a[max(0, m.start() - 8) : m.start()]):
            continue
        doc_number = None
        dm = re.match(r"\s*[(（]\s*(" + DOC_NUMBER.pattern + r")\s*[)）]", a[m.end() : m.end() + 40])
        if dm:
            doc_number = original[m.end() + dm.start(1) : m.end() + dm.end(1)]
        key = inner
        if key in seen:
            continue
        seen.add(key)
        out.append(CitedPolicy(title=original[m.start() : m.end()], doc_number=doc_number))
    return out
