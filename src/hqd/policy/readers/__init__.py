"""Reading plan documents (.txt .docx .doc .wps .pdf .html) into text for the extractor.

Bad input raises `PolicyInputError` with a one-line Chinese reason; `iter_documents` turns each
file into a `DocumentText` or a `PolicyInputError`, so one bad file never stops the others.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hqd.config import Settings, load_settings

from ..errors import PolicyInputError
from .html import read_html
from .office import read_word
from .pdf import read_pdf
from .sniff import read_head, sniff
from .tables import prepare_plain_text
from .text import read_text

FORMATS = {".txt": "txt", ".docx": "docx", ".doc": "doc", ".wps": "wps", ".pdf": "pdf",
           ".html": "html", ".htm": "html", ".shtml": "html"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic"}
_SUPPORTED_LIST = "、".join(sorted(FORMATS))
_IMAGE = "这是图片文件，无法直接读取文字；请先进行文字识别（OCR），或提供原始 Word/PDF 文件"


@dataclass
class DocumentText:
    text: str
    format: str  # txt, docx, doc, wps, pdf, html
    warnings: list[str] = field(default_factory=list)  # for the user, in Chinese
    path: Path | None = None


def read_document(path: str | Path, settings: Settings | None = None) -> DocumentText:
    path = Path(path)
    try:
        return _read(path, settings or load_settings())
    except OSError as error:
        raise PolicyInputError(str(path), f"读取失败：{os_error_reason(error)}") from None


def _read(path: Path, settings: Settings) -> DocumentText:
    name = str(path)
    if not path.exists():
        raise PolicyInputError(name, "文件不存在")
    if path.is_dir():
        raise PolicyInputError(name, "这是一个目录，不是文件")
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        raise PolicyInputError(name, _IMAGE)
    if suffix not in FORMATS:
        raise PolicyInputError(name, f"不支持的文件类型“{suffix or '无扩展名'}”（支持 {_SUPPORTED_LIST}）")
    size = path.stat().st_size  # refuse by size before reading anything
    if size == 0:
        raise PolicyInputError(name, "文件为空")
    if size > settings.max_document_bytes:
        raise PolicyInputError(
            name,
            f"文件过大（{_megabytes(size)}，上限 {_megabytes(settings.max_document_bytes)}）；"
            "可通过环境变量 HQD_MAX_DOCUMENT_BYTES 调整上限",
        )
    if sniff(read_head(path)) == "image":
        raise PolicyInputError(name, _IMAGE)
    fmt = FORMATS[suffix]
    warnings: list[str] = []
    if fmt == "txt":
        text = prepare_plain_text(read_text(path))
    elif fmt == "pdf":
        text, warnings = read_pdf(path)
    elif fmt == "html":
        text = read_html(path)
    else:
        text = read_word(path, settings)
    if not text.strip():
        raise PolicyInputError(name, "文件中没有文字内容")
    return DocumentText(text, fmt, warnings, path)


def expand_paths(paths: Iterable[str | Path]) -> list[Path | PolicyInputError]:
    """Files as given; a directory becomes every supported file under it (sorted, hidden ones skipped)."""
    items: list[Path | PolicyInputError] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            items.append(path)  # a missing or unsupported file is reported when read
            continue
        files = sorted(
            p for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() in FORMATS and not _hidden(p.relative_to(path))
        )
        items.extend(files or [PolicyInputError(str(path), f"目录中没有可读取的文件（支持 {_SUPPORTED_LIST}）")])
    return items


def read_or_error(path: Path, settings: Settings | None = None) -> DocumentText | PolicyInputError:
    """`read_document` that returns its error; an unexpected failure becomes an 内部错误 of that file."""
    try:
        return read_document(path, settings)
    except PolicyInputError as error:
        return error
    except Exception as error:  # a reader bug must not stop the other files
        return PolicyInputError(str(path), f"内部错误（{type(error).__name__}: {error}）")


def iter_documents(paths: Iterable[str | Path]) -> Iterator[DocumentText | PolicyInputError]:
    settings = load_settings()
    for item in expand_paths(paths):
        yield item if isinstance(item, PolicyInputError) else read_or_error(item, settings)


def os_error_reason(error: OSError) -> str:
    """An operating-system error in words a user can act on."""
    reasons = {errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.ENOSPC: "磁盘空间不足",
               errno.EEXIST: "已存在同名文件", errno.ENOTDIR: "路径中的某一级不是目录", errno.EROFS: "文件系统只读",
               errno.EISDIR: "这是一个目录", errno.ENOENT: "路径不存在"}
    return reasons.get(error.errno, error.strerror or str(error))


def _hidden(relative: Path) -> bool:
    """Hidden files and folders, and the ~$ lock files Word leaves beside open documents."""
    return any(part.startswith((".", "~$")) for part in relative.parts)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


__all__ = ["DocumentText", "expand_paths", "iter_documents", "os_error_reason", "read_document", "read_or_error"]
