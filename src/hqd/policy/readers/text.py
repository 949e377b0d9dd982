"""Plain-text plans: detect the encoding (never assume it), keep the text as written.

Order: byte-order marks; NUL-byte layout (UTF-16 without a BOM); strict UTF-8; then GB18030 vs
Big5 by which reading yields the common characters of that script; charset-normalizer last.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import charset_normalizer

from ..errors import PolicyInputError

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Punctuation any Chinese text uses; it is encoded in both GB and Big5, so it counts for both.
_PUNCT = set("，。、；：？！“”‘’（）《》【】〔〕—…·　")
# Control characters other than \t \n \v \f \r and DOS end-of-file, surrogates, private use.
_BINARY = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\U000f0000-\U0010ffff]")
_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16"}


def read_text(path: Path) -> str:
    """The text of a .txt file, line endings as \\n."""
    return decode(path.read_bytes(), str(path)).replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, name: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), name)
            except UnicodeDecodeError:
                raise PolicyInputError(name, f"文件带有 {_NAMES[encoding]} 标记，但内容无法按该编码解码") from None
    if b"\x00" in data:
        encoding = _utf16_by_nuls(data)
        if encoding is None:
            raise PolicyInputError(name, "不是文本文件（含有二进制内容）")
        try:
            return _checked(data.decode(encoding), name)
        except UnicodeDecodeError:
            raise PolicyInputError(name, "不是文本文件（含有二进制内容）") from None
    if (text := surely_utf8(data)) is not None:
        return _checked(text, name)
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    readings = {}
    for encoding in ("gb18030", "cp950"):
        try:
            readings[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
    shares = {encoding: _common_share(text, encoding) for encoding, text in readings.items()}
    best = max(shares, key=shares.__getitem__, default=None)
    if utf8 is not None and (best is None or shares[best] < 0.9):
        return _checked(utf8, name)
    if best is not None:
        return _checked(readings[best], name)
    guess = charset_normalizer.from_bytes(data).best()
    if guess is None:
        raise PolicyInputError(name, "无法识别文件编码（可能不是文本文件）；请另存为 UTF-8 编码后再导入")
    return _checked(str(guess), name)


def surely_utf8(data: bytes) -> str | None:
    """The text when `data` is UTF-8 beyond doubt: valid, and ASCII or with 3-byte sequences.

    Chinese in UTF-8 always has 3-byte sequences (U+0800 and up), which GBK or Big5 bytes almost
    never form; short GBK text can pass as 2-byte UTF-8 (医院 reads as ҽԺ), so that is not enough.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.isascii() or max(map(ord, text)) >= 0x800 else None


def _utf16_by_nuls(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII characters (newlines, digits) put NULs on one side of each pair."""
    if len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd > 4 * even:
        return "utf-16-le"
    if even > 4 * odd:
        return "utf-16-be"
    return None


def _common_share(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters that are common in the script this encoding is for.

    GB2312 level 1 (lead bytes B0–D7) holds the 3,755 most used simplified characters; Big5
    A440–C67E holds the 5,401 常用字. Reading Big5 bytes as GB (or the reverse) lands mostly
    outside those blocks: in rare characters, symbols, kana or private-use code points.
    """
    sample = [c for c in text[:20000] if not c.isascii()]
    if not sample:
        return 0.0
    good = 0
    for char in sample:
        if char in _PUNCT:
            good += 1
            continue
        try:
            code = char.encode("gb2312" if encoding == "gb18030" else "cp950")
        except UnicodeEncodeError:
            continue
        if len(code) == 2:
            value = int.from_bytes(code, "big")
            good += 0xB0A1 <= value <= 0xD7FE if encoding == "gb18030" else 0xA440 <= value <= 0xC67E
    return good / len(sample)


def _checked(text: str, name: str) -> str:
    """Refuse decodings full of control characters, surrogates or private-use code points."""
    if len(_BINARY.findall(text)) > max(2, len(text) // 50):
        raise PolicyInputError(name, "不是文本文件（含有二进制内容或无法识别的编码）")
    return text
