"""`hqd ingest PATH... [--format json|xlsx|table] [--out DIR]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from hqd.policy import extract_ledger


def ingest(
    paths: list[Path] = typer.Argument(..., help="政策文件或目录"),
    format: str = typer.Option("json", "--format", "-f", help="输出格式：json、xlsx 或 table"),
    out: Path | None = typer.Option(None, "--out", "-o", help="输出目录；不指定时输出到标准输出"),
) -> None:
    ledgers = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        ledgers.append(extract_ledger(text, file=path.name).to_dict())
    payload = ledgers[0] if len(ledgers) == 1 else ledgers
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
