"""`hqd ingest PATH... [--format json|xlsx|table] [--out DIR]`: plan documents → task ledgers."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain, count
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from hqd.config import load_settings
from hqd.plans import ledger_from_text
from hqd.policy import Ledger, PolicyInputError
from hqd.policy.readers import expand_paths, os_error_reason, read_or_error
from hqd.report.ledger_text import target_value, task_number
from hqd.report.ledger_xlsx import write_ledger_xlsx

FORMATS = ("json", "xlsx", "table")


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="政策文件或目录（.txt .docx .doc .wps .pdf .html）", show_default=False)],
    output_format: Annotated[str, typer.Option("--format", "-f", help="输出格式：json、xlsx 或 table")] = "json",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="输出目录：每个文件写一个 <文件名>.json/.xlsx")] = None,
) -> None:
    if output_format not in FORMATS:
        _stop(f"错误：不支持的输出格式“{output_format}”，可选 json、xlsx、table")
    if output_format == "xlsx" and out is None:
        _stop("错误：xlsx 格式需要用 --out 指定输出目录，例如 --out out/ledgers")
    if out is not None and output_format != "table":
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            _stop(f"错误：{out}：无法创建输出目录（{os_error_reason(error)}）")

    # pdfminer logs damaged-font details in English; what matters reaches the user as 错误/提示 lines.
    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)
    items = expand_paths(paths)
    settings = load_settings()
    ledgers: list[Ledger] = []
    used_stems: set[str] = set()
    failed = False
    with _progress(len(items)) as (say, advance):
        for item in items:
            name = str(item.path if isinstance(item, PolicyInputError) else item)
            advance(name)
            result = item if isinstance(item, PolicyInputError) else read_or_error(item, settings)
            if isinstance(result, PolicyInputError):
                say(f"错误：{result.path}：{result.reason}")
                failed = True
                continue
            try:
                ledger = ledger_from_text(result.text, file=Path(name).name)
                for warning in result.warnings + ledger.warnings:
                    say(f"提示：{name}：{warning}")
                if out is not None and output_format != "table":
                    _write(out, Path(name), output_format, ledger, used_stems)
                else:
                    ledgers.append(ledger)
            except OSError as error:
                say(f"错误：{name}：无法写入输出文件（{os_error_reason(error)}）")
                failed = True
            except Exception as error:  # never a traceback: report it against the file and go on
                say(f"错误：{name}：内部错误（{type(error).__name__}: {error}）")
                failed = True

    if output_format == "json" and out is None:
        single = len(paths) == 1 and not paths[0].is_dir()
        if ledgers or not single:
            payload = ledgers[0].to_dict() if single else [ledger.to_dict() for ledger in ledgers]
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    elif output_format == "table":
        _print_tables(ledgers)
    raise typer.Exit(2 if failed else 0)


def _stop(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


@contextmanager
def _progress(total: int) -> Iterator[tuple[Callable[[str], None], Callable[[str], None]]]:
    """(say, advance): messages to stderr, and a progress bar there for several files on a terminal."""
    if total < 2 or not sys.stderr.isatty():
        yield (lambda line: typer.echo(line, err=True)), (lambda name: None)
        return
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("读取", total=total)
        started = False

        def advance(name: str) -> None:
            nonlocal started
            progress.update(task, advance=1 if started else 0, description=f"读取 {Path(name).name}")
            started = True

        yield (lambda line: console.print(line, markup=False, highlight=False, soft_wrap=True)), advance
        progress.update(task, completed=total)


def _write(out: Path, source: Path, output_format: str, ledger: Ledger, used_stems: set[str]) -> None:
    """Write <stem>.json or <stem>.xlsx; a stem already written gets its suffix (plan.pdf → plan_pdf.json)."""
    suffix = source.suffix.lstrip(".")
    names = chain([source.stem, f"{source.stem}_{suffix}"], (f"{source.stem}_{suffix}_{n}" for n in count(2)))
    stem = next(name for name in names if name not in used_stems)
    used_stems.add(stem)
    target = out / f"{stem}.{output_format}"
    partial = target.with_name(f".{target.name}.partial")  # never leave a half-written file behind
    try:
        if output_format == "json":
            partial.write_text(json.dumps(ledger.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        else:
            write_ledger_xlsx(ledger.to_dict(with_text=True), partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _print_tables(ledgers: list[Ledger]) -> None:
    console = Console() if sys.stdout.isatty() else Console(width=160)
    for ledger in ledgers:
        facts = (ledger.doc_number, ledger.issuer, ledger.date, ledger.file if ledger.title else None)
        table = Table(title=Text(ledger.title or ledger.file), caption=Text("　".join(filter(None, facts))),
                      show_lines=True)
        for header in ("序号", "任务", "牵头单位", "配合单位", "完成时限", "目标"):
            table.add_column(header, overflow="fold")
        for task in ledger.tasks:
            targets = "\n".join(f"{t.indicator} {target_value(vars(t))}" for t in task.targets)
            cells = (task_number(task.path), task.title or "", "、".join(task.lead_units),
                     "、".join(task.support_units), task.deadline or "", targets)
            table.add_row(*(Text(cell) for cell in cells))
        if not ledger.tasks:
            table.add_row(*(Text(cell) for cell in ("", "（未抽取到任务）", "", "", "", "")))
        console.print(table)
