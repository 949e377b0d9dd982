"""Load on the web app: the demo database enlarged to 5,000 orgs, `hqd serve` on loopback, 50
concurrent users — 50 different accounts of every role, each bound to its own org and signed in
through /login — browsing the pages and saving values for 60 s (httpx async). Prints p50/p95/p99
latency per page, the error count and the number of requests that crossed an org boundary
(a list row outside the user's subtree, or a probe of another org that was not refused); both
must be zero. By default each user sends its next request as soon as the last one is answered (the
server saturated: latency is then users ÷ throughput); `--think 2 8` lets each user read a page first.

    python bench/web_load.py [--orgs 5000] [--users 50] [--seconds 60] [--db out/bench/web.db] [--reuse]
                             [--think MIN MAX]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HQD = [sys.executable, "-m", "hqd.cli"]


def build(db: Path, orgs: int) -> float:
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([*HQD, "demo", "--no-serve", "--orgs", str(orgs), "--db", f"sqlite:///{db}"], check=True, cwd=ROOT)
    return time.perf_counter() - started


async def wait_ready(base: str, timeout: float, username: str) -> float:
    """Signed in as `username`, wait for the overview: it waits for the first evaluation of the latest quarter."""
    import httpx

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=timeout, follow_redirects=True) as client:
        while time.perf_counter() - started < timeout:
            try:
                await sign_in(client, username)
                r = await client.get("/")
                if r.status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                await asyncio.sleep(0.5)
    raise SystemExit(f"服务在 {timeout:.0f} 秒内没有就绪")


PASSWORD = "Bench-load-2025"


def make_users(db: Path, count: int) -> tuple[list[dict], dict[str, str]]:
    """`count` accounts: 系统管理员, 审核 at cities and districts, 填报 at hospitals, 查看 at districts."""
    import sqlite3

    from sqlalchemy import select

    from hqd.access import create_user
    from hqd.store.db import open_store
    from hqd.store.models import User

    with sqlite3.connect(db) as conn:
        paths = dict(conn.execute("SELECT code, path FROM org"))
        cities = [r[0] for r in conn.execute("SELECT code FROM org WHERE level = 2 ORDER BY code")]
        districts = [r[0] for r in conn.execute("SELECT code FROM org WHERE level = 3 ORDER BY code")]
        hospitals = [r[0] for r in conn.execute(
            "SELECT o.code FROM org o JOIN data_set_org d ON d.org_id = o.id JOIN data_set s ON s.id = d.data_set_id "
            "WHERE s.code = 'GZL' AND o.level = 4 ORDER BY o.code")]
    rng = random.Random(50)
    plan = [("admin", None)] * 2 + [("reviewer", c) for c in cities[:4]]
    plan += [("reviewer", d) for d in rng.sample(districts, min(6, len(districts)))]
    plan += [("reporter", h) for h in rng.sample(hospitals, min(25, len(hospitals)))]
    plan += [("viewer", d) for d in rng.sample(districts, min(count - len(plan), len(districts)))]
    users = []
    store = open_store(f"sqlite:///{db}")
    with store.session() as s:
        for k, (role, org) in enumerate(plan[:count]):
            name = f"load{k:02d}_{role}"
            if s.scalar(select(User.id).where(User.username == name)) is None:  # --reuse: made last time
                create_user(s, name, PASSWORD, role, org)
            users.append({"username": name, "role": role, "org": org or "ZJ", "path": paths[org or "ZJ"]})
    store.dispose()
    return users, paths


async def sign_in(client, username: str) -> None:
    import re

    form = (await client.get("/login")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = await client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    if r.status_code != 200 or "/login" in str(r.url):
        raise SystemExit(f"{username} 登录失败：{r.status_code}")
    client.headers["x-csrf-token"] = (await client.get("/api/me")).json()["csrf_token"]


async def user(base: str, clock: dict, rng: random.Random, latencies: dict, errors: list, crossed: list,
               me: dict, paths: dict, others: list[str], signed_in: asyncio.Event, think: tuple[float, float] | None):
    import httpx

    own, root = me["org"], me["path"]
    pages = [("总览", "/"), ("政策台账", "/plans"), ("方案", "/plans/1"), ("指标", f"/indicators?code=RG-01&org={own}"),
             ("机构", "/orgs"), ("督办", "/alerts"), ("填报", "/entry"), ("接口:目标", f"/api/targets?org={own}")]
    lists = [("接口:目标列表", "/api/targets", "org"), ("接口:督办", "/api/alerts", "region"),
             ("接口:机构", "/api/orgs", "code"), ("接口:报送", "/api/submissions?dataset=GZL&period=2025Q2", "org")]
    # idle connections are dropped by the client before uvicorn's 5 s keep-alive closes them under it
    limits = httpx.Limits(keepalive_expiry=3)
    async with httpx.AsyncClient(base_url=base, timeout=120, follow_redirects=True, limits=limits) as client:
        await sign_in(client, me["username"])
        me["in"] = True
        await signed_in.wait()  # every user signed in before the clock starts (argon2 is slow on purpose)
        until = clock["until"]
        if think:  # users arrive over the first moments, not all in the same millisecond
            await asyncio.sleep(rng.uniform(0, think[1]))
        while time.perf_counter() < until:
            try:
                roll = rng.random()
                t = time.perf_counter()
                if roll < 0.15 and me["role"] in ("reporter", "admin"):
                    name = "保存数据值"
                    org = own if me["role"] == "reporter" else rng.choice(others)
                    form = await client.get(f"/api/values?dataset=GZL&period=2025Q2&org={org}")
                    ok = form.status_code in (200, 404)  # 404: the org reports no GZL (admin at the root)
                    if form.status_code == 200 and form.json()["status"] in ("draft", "returned"):
                        el = form.json()["elements"][0]
                        r = await client.put("/api/values", json={"org": org, "element": el["code"], "period": "2025Q2",
                                                                  "value": rng.randint(1000, 9999), "version": el["version"] or None})
                        ok = r.status_code in (200, 409)  # 409: another user saved first, reported, nothing lost
                elif roll < 0.30:
                    name, path, key = rng.choice(lists)
                    r = await client.get(path)
                    ok = r.status_code == 200
                    if ok:
                        crossed += [(me["username"], path, row[key]) for row in r.json()
                                    if not paths.get(row[key], "").startswith(root)]
                elif roll < 0.35:
                    name = "越权探测"  # another org's page and data: must be refused unless inside the subtree
                    other = rng.choice(others)
                    r = await client.get(f"/api/orgs/{other}")
                    inside = paths[other].startswith(root)
                    ok = r.status_code == (200 if inside else 403)
                    if r.status_code == 200 and not inside:
                        crossed.append((me["username"], f"/api/orgs/{other}", other))
                else:
                    name, path = rng.choice(pages)
                    r = await client.get(path)
                    ok = r.status_code == 200
                latencies.setdefault(name, []).append(time.perf_counter() - t)
                if not ok:
                    errors.append(name)
            except httpx.TransportError as exc:  # counted, not fatal: the run goes on
                errors.append(f"连接错误 {type(exc).__name__}")
            if think:  # reading the page before the next click
                await asyncio.sleep(rng.uniform(*think))


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000


async def load(base: str, seconds: float, users: list[dict], paths: dict, orgs: list[str],
               think: tuple[float, float] | None = None):
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    crossed: list[tuple] = []
    signed_in, clock = asyncio.Event(), {}
    tasks = [asyncio.create_task(user(base, clock, random.Random(k), latencies, errors, crossed, me, paths, orgs, signed_in,
                                      think))
             for k, me in enumerate(users)]
    while sum(1 for u in users if u.get("in")) < len(users):
        await asyncio.sleep(0.05)
    clock["until"] = time.perf_counter() + seconds
    signed_in.set()
    await asyncio.gather(*tasks)
    return latencies, errors, crossed


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orgs", type=int, default=5000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--db", type=Path, default=ROOT / "out" / "bench" / "web.db")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--ready-timeout", type=float, default=3600)
    ap.add_argument("--reuse", action="store_true", help="use the database of the last run if it is there")
    ap.add_argument("--think", type=float, nargs=2, metavar=("MIN", "MAX"),
                    help="seconds each user reads a page before the next request (default: none, back to back)")
    args = ap.parse_args(argv if argv is not None else [])
    pace = f"每次点击间隔 {args.think[0]:g}–{args.think[1]:g} 秒" if args.think else "请求间无间隔"
    print(f"网页负载：{args.orgs} 个机构，{args.users} 个并发用户，{args.seconds:.0f} 秒，{pace}")
    if args.reuse and args.db.exists():
        print(f"沿用上次生成的演示数据库 {args.db}")
    else:
        print(f"演示数据库生成 {build(args.db, args.orgs):.1f} 秒")
    accounts, paths = make_users(args.db, args.users)
    roles = {r: sum(u["role"] == r for u in accounts) for r in ("admin", "reviewer", "reporter", "viewer")}
    print(f"{len(accounts)} 个用户：{roles}")
    env = {**os.environ, "HQD_DATABASE_URL": f"sqlite:///{args.db}", "HQD_TODAY": "2025-07-20"}
    server = subprocess.Popen([*HQD, "serve", "--port", str(args.port)], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{args.port}"
    try:
        ready = asyncio.run(wait_ready(base, args.ready_timeout, accounts[0]["username"]))
        print(f"首次评价（最近季度全部目标、任务、督办）{ready:.1f} 秒")
        import sqlite3

        with sqlite3.connect(args.db) as conn:
            orgs = [r[0] for r in conn.execute("SELECT code FROM org WHERE level = 4 ORDER BY code LIMIT 500")]
        latencies, errors, crossed = asyncio.run(load(base, args.seconds, accounts, paths, orgs, args.think))
    finally:
        server.terminate()
        server.wait(30)
    total = sum(len(v) for v in latencies.values())
    print(f"{'页面':<12}{'请求数':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, vals in sorted(latencies.items()):
        print(f"{name:<12}{len(vals):>8}{pct(vals, .5):>10.0f}{pct(vals, .95):>10.0f}{pct(vals, .99):>10.0f}")
    print(f"共 {total} 个请求（{total / args.seconds:.0f} 次/秒），错误 {len(errors)} 个，越权 {len(crossed)} 个")
    for c in crossed[:10]:
        print("越权：", *c)
    if errors or crossed:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
