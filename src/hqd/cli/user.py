"""`hqd user create | list | disable | token`: accounts for the web UI and API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import actor, fail, get_store, out

app = typer.Typer(help="用户：创建、列出、停用账号，生成接口令牌", no_args_is_help=True, add_completion=False)


def _password(given: str | None) -> str:
    if given:
        return given
    return typer.prompt("密码", hide_input=True, confirmation_prompt=True, confirmation_prompt_text="再次输入密码")


@app.command("create", help="创建用户；--admin 创建系统管理员（属于根机构，可创建第一个管理员）")
def create(
    username: Annotated[str, typer.Argument(help="用户名（字母、数字、_ . -）")],
    role: Annotated[str, typer.Option("--role", help="admin 系统管理员 / reviewer 审核 / reporter 填报 / viewer 查看")] = "viewer",
    org: Annotated[str | None, typer.Option("--org", help="所属机构代码（管理员可省略，默认根机构）")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="创建系统管理员（等同 --role admin）")] = False,
    name: Annotated[str, typer.Option("--name", help="姓名或显示名")] = "",
    unit: Annotated[str | None, typer.Option("--unit", help="代表的责任单位（如 市卫生健康委）")] = None,
    password: Annotated[str | None, typer.Option("--password", help="密码（省略时交互输入；也可用 HQD_NEW_PASSWORD）",
                                                  envvar="HQD_NEW_PASSWORD")] = None,
    user: Annotated[str | None, typer.Option("--user", help="操作人（写入审计日志）")] = None,
) -> None:
    from hqd.access import AccessError, create_user

    store = get_store()
    try:
        with store.session() as s:
            u = create_user(s, username, _password(password), "admin" if admin else role, org, display_name=name,
                            unit=unit, actor=actor(user))
            role_code = u.role
    except AccessError as exc:
        fail(f"用户 {username}：{exc.message}（{exc.field}）")
    out(f"已创建用户 {username}（{role_code}）")


@app.command("list", help="列出用户")
def list_cmd() -> None:
    from hqd.access import list_users

    with get_store().session() as s:
        rows = list_users(s)
    for r in rows:
        out(f"{r['username']:<16} {r['role_name']:<6} {r['org']:<10} {r['org_name']:<16} "
            f"{'启用' if r['active'] else '已停用'} {r['unit'] or ''}")
    if not rows:
        out("还没有用户：请先运行 hqd user create 用户名 --admin")


@app.command("disable", help="停用用户（同时注销其会话并作废其接口令牌）")
def disable(username: str, user: Annotated[str | None, typer.Option("--user")] = None) -> None:
    from hqd.access import AccessError, disable_user

    try:
        with get_store().session() as s:
            disable_user(s, username, actor=actor(user))
    except AccessError as exc:
        fail(exc.message)
    out(f"已停用用户 {username}")


@app.command("token", help="为用户生成接口令牌（Authorization: Bearer …），只显示一次")
def token(username: str, name: Annotated[str, typer.Option("--name", help="令牌用途")] = "系统对接",
          user: Annotated[str | None, typer.Option("--user")] = None) -> None:
    from hqd.access import AccessError, create_token

    try:
        with get_store().session() as s:
            value = create_token(s, username, name, actor=actor(user))
    except AccessError as exc:
        fail(exc.message)
    out(value)
