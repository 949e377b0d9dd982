"""Shared bits of the store-backed commands: open the store, name the actor, turn errors into exit 2."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer

from hqd.config import load_settings

if TYPE_CHECKING:  # the store (SQLAlchemy, Alembic) is imported only when a store command runs
    from hqd.store.db import Store

T = TypeVar("T")
MAX_LINES = 200


def actor(user: str | None) -> str:
    if user:
        return user
    settings = load_settings()
    if settings.user:
        return settings.user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def fail(problems: list[str] | str, code: int = 2) -> NoReturn:
    lines = [problems] if isinstance(problems, str) else problems
    for line in lines[:MAX_LINES]:
        typer.echo(line, err=True)
    if len(lines) > MAX_LINES:
        typer.echo(f"……另有 {len(lines) - MAX_LINES} 条未显示", err=True)
    raise typer.Exit(code)


@contextmanager
def store_errors() -> Iterator[None]:
    from sqlalchemy.exc import DBAPIError, IntegrityError

    from hqd.store.errors import StoreError

    try:
        yield
    except StoreError as exc:
        fail(exc.problems)
    except IntegrityError as exc:
        fail(f"与其他用户的同时写入冲突，本次操作未生效，请重试（{type(exc.orig).__name__}）", code=1)
    except DBAPIError as exc:
        first = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        fail(f"数据库操作失败，本次操作未生效：{first}", code=1)


def get_store(migrate: bool = True) -> Store:
    from hqd.store.db import open_store

    with store_errors():
        return open_store(migrate=migrate)


def run(fn: Callable[[], T]) -> T:
    with store_errors():
        return fn()


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
