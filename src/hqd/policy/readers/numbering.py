"""Word's automatic paragraph numbers (一、 （一） 1. ①): not part of the paragraph text, so they
are computed from numbering.xml the way Word counts them. Plans' outlines depend on them."""

from __future__ import annotations

from docx.document import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_STEMS = "甲乙丙丁戊己庚辛壬癸"


def _chinese(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(n)


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out += numeral * count
    return out


_FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "chineseCounting": _chinese,
    "chineseCountingThousand": _chinese,
    "japaneseCounting": _chinese,
    "taiwaneseCounting": _chinese,
    "taiwaneseCountingThousand": _chinese,  # what LibreOffice writes for 一、二、
    "ideographDigital": lambda n: "".join(_DIGITS[int(d)] for d in str(n)),
    "ideographTraditional": lambda n: _STEMS[(n - 1) % 10],
    "decimalEnclosedCircle": lambda n: _CIRCLED[n - 1] if n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: _CIRCLED[n - 1] if n <= 20 else str(n),
    "upperLetter": _letters,
    "lowerLetter": lambda n: _letters(n).lower(),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
}


def _val(element, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val")) if child is not None else None


class ListNumbers:
    """Counts numbered paragraphs in document order and gives each its label."""

    def __init__(self, document: Document):
        numbering = document.part.numbering_part.element
        abstracts = {a.get(qn("w:abstractNumId")): a for a in numbering.findall(qn("w:abstractNum"))}
        self._levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstract id → level → (format, text, start)
        for abstract_id, abstract in abstracts.items():
            self._levels[abstract_id] = {
                int(lvl.get(qn("w:ilvl"), "0")): (
                    _val(lvl, "w:numFmt") or "decimal", _val(lvl, "w:lvlText") or "", int(_val(lvl, "w:start") or 1)
                )
                for lvl in abstract.findall(qn("w:lvl"))
            }
        # num id → abstract id; nums of one abstract continue one count, as in Word
        self._nums = {num.get(qn("w:numId")): _val(num, "w:abstractNumId") for num in numbering.findall(qn("w:num"))}
        self._restarts = {
            num.get(qn("w:numId")) for num in numbering.findall(qn("w:num"))
            if num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}") is not None
        }
        self._counts: dict[str, dict[int, int]] = {}
        self._seen: set[str] = set()

    def label(self, paragraph: Paragraph) -> str:
        num_id, level = self._number_properties(paragraph)
        abstract_id = self._nums.get(num_id) if num_id else None
        levels = self._levels.get(abstract_id or "")
        if not levels or level not in levels:
            return ""
        if num_id in self._restarts and num_id not in self._seen:
            self._counts.pop(abstract_id, None)  # "restart numbering" made a new num with a start override
        self._seen.add(num_id)
        counts = self._counts.setdefault(abstract_id, {})
        counts[level] = counts.get(level, levels[level][2] - 1) + 1
        for deeper in [lvl for lvl in counts if lvl > level]:
            del counts[deeper]
        fmt, text, _ = levels[level]
        if fmt in ("bullet", "none"):
            return ""
        for shown in range(level + 1):
            shown_fmt, _, start = levels.get(shown, ("decimal", "", 1))
            value = counts.get(shown, start)
            text = text.replace(f"%{shown + 1}", _FORMATS.get(shown_fmt, str)(value))
        return text + " " if text[-1:].isascii() and text[-1:].isalnum() else text

    @staticmethod
    def _number_properties(paragraph: Paragraph) -> tuple[str | None, int]:
        """numId and level from the paragraph, else from its style (and the styles it is based on)."""
        p_pr = paragraph._p.pPr
        num_pr = p_pr.find(qn("w:numPr")) if p_pr is not None else None
        style = paragraph.style if num_pr is None else None
        while num_pr is None and style is not None:
            style_p_pr = style.element.find(qn("w:pPr"))
            num_pr = style_p_pr.find(qn("w:numPr")) if style_p_pr is not None else None
            style = style.base_style
        if num_pr is None:
            return None, 0
        return _val(num_pr, "w:numId"), int(_val(num_pr, "w:ilvl") or 0)
