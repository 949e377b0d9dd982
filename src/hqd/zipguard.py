"""Refuse zip bombs before anything decompresses an Office file (.xlsx, .docx are zip archives).

The declared sizes in the zip directory bound what Python's zipfile will inflate (it stops at the
declared size and fails the CRC check beyond it), so checking them up front is enough.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all members together
MAX_MEMBERS = 5000
MAX_RATIO = 200  # uncompressed / compressed for any member larger than 1 MB


def zip_problem(path: Path) -> str | None:
    """A Chinese reason why this archive must not be opened, or None. Not-a-zip is left to the reader."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if len(infos) > MAX_MEMBERS:
        return f"压缩包内文件过多（{len(infos)} 个），疑似恶意文件"
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        return f"解压后超过 {MAX_UNCOMPRESSED // (1 << 20)} MB 上限，疑似压缩炸弹"
    for i in infos:
        if i.file_size > (1 << 20) and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            return f"压缩比异常（{i.filename}），疑似压缩炸弹"
    return None
