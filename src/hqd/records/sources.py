"""Input discovery and CSV preparation for the readers.

A source is a Parquet or CSV file, or a directory searched recursively for them (files and folders
whose names start with ``_`` or ``.`` are skipped, as in Spark and Hive). CSV files may be UTF-8
(with or without BOM) or GB18030 (a superset of GBK/GB2312); they are streamed once into a UTF-8
copy with leading ``_line`` and ``_struct`` columns, so that every reported row names its line in
the original and rows whose field count differs from the header are reported, not lost.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .errors import RecordsError

ENCODINGS = ("auto", "utf-8", "gb18030")


@dataclass
class CsvPart:
    original: Path
    prepared: Path  # UTF-8 with leading _line and _struct columns
    columns: list[str]


@dataclass
class Source:
    kind: str  # parquet | csv
    files: list[Path]
    csv_parts: list[CsvPart] = field(default_factory=list)
    tmpdir: tempfile.TemporaryDirectory | None = None

    def close(self) -> None:
        if self.tmpdir is not None:
            self.tmpdir.cleanup()
            self.tmpdir = None


def _visible(p: Path, root: Path) -> bool:
    return not any(part.startswith(("_", ".")) for part in p.relative_to(root).parts)


def discover(path: Path) -> tuple[str, list[Path]]:
    if not path.exists():
        raise RecordsError(f"输入路径不存在：{path}")
    if path.is_file():
        files = [path]
    else:
        files = sorted(p for p in path.rglob("*") if p.is_file() and _visible(p, path))
    kinds = {p.suffix.lower() for p in files} & {".parquet", ".csv"}
    files = [p for p in files if p.suffix.lower() in (".parquet", ".csv")]
    if not files:
        raise RecordsError(f"{path} 中没有 .parquet 或 .csv 文件")
    if len(kinds) > 1:
        raise RecordsError(f"{path} 中同时有 Parquet 和 CSV 文件，请分开存放后再读取")
    return ("parquet" if kinds == {".parquet"} else "csv"), files


def _detect_encoding(p: Path) -> str:
    with p.open("rb") as f:
        head = f.read(1 << 20)
    # Cut at the last newline so a multi-byte character split at the boundary does not mislead.
    cut = head.rfind(b"\n")
    sample = head if cut < 0 or len(head) < (1 << 20) else head[: cut + 1]
    try:
        sample.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "gb18030"


def check_columns(columns: list[str], where: str) -> None:
    missing = [c for c in schema.REQUIRED if c not in columns]
    if missing:
        labels = "、".join(f"{schema.BY_NAME[c].label}（{c}）" for c in missing)
        raise RecordsError(f"{where} 缺少必需字段：{labels}")


def prepare_csv(files: list[Path], encoding: str = "auto") -> tuple[list[CsvPart], tempfile.TemporaryDirectory]:
    if encoding not in ENCODINGS:
        raise RecordsError(f"不支持的编码：{encoding}（可选 {'、'.join(ENCODINGS)}）")
    tmp = tempfile.TemporaryDirectory(prefix="hqd-records-")
    parts: list[CsvPart] = []
    try:
        for i, p in enumerate(files):
            enc = _detect_encoding(p) if encoding == "auto" else ("utf-8-sig" if encoding == "utf-8" else encoding)
            out = Path(tmp.name) / f"part-{i:05d}.csv"
            lineno = 0
            try:
                with p.open("r", encoding=enc, newline="") as src, out.open("w", encoding="utf-8", newline="") as dst:
                    reader = csv.reader(src)
                    header = next(reader, None)
                    if not header or not any(h.strip() for h in header):
                        raise RecordsError(f"{p}：文件为空或缺少表头")
                    columns = [c.strip() for c in header]
                    columns[0] = columns[0].lstrip("\ufeff")
                    check_columns(columns, str(p))
                    writer = csv.writer(dst, lineterminator="\n")
                    writer.writerow(["_line", "_struct", *columns])
                    n = len(columns)
                    empty = [""] * n
                    lineno = reader.line_num
                    for row in reader:
                        line = lineno + 1  # first physical line of this row
                        lineno = reader.line_num
                        if len(row) == n:
                            writer.writerow([line, "", *row])
                        elif not any(f.strip() for f in row):
                            continue  # blank line
                        else:
                            writer.writerow([line, f"字段个数为 {len(row)}，与表头的 {n} 个不符", *empty])
            except UnicodeDecodeError:
                name = "UTF-8" if enc.startswith("utf") else "GB18030"
                raise RecordsError(
                    f"{p} 第 {lineno + 1} 行附近不是有效的 {name} 编码，请用 --encoding 指定正确编码"
                ) from None
            except csv.Error as e:
                raise RecordsError(f"{p} 第 {lineno + 1} 行附近 CSV 格式错误：{e}") from None
            parts.append(CsvPart(p, out, columns))
    except BaseException:
        tmp.cleanup()
        raise
    return parts, tmp


def open_source(path: Path, encoding: str = "auto") -> Source:
    kind, files = discover(path)
    if kind == "parquet":
        return Source("parquet", files)
    parts, tmp = prepare_csv(files, encoding)
    return Source("csv", files, parts, tmp)
