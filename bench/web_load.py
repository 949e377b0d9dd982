"""Load on the web app: the demo database enlarged to 5,000 orgs, `hqd serve` on loopback, 50
concurrent users browsing the pages and saving values for 60 s (httpx async). Prints p50/p95/p99
latency per page and the error count, which must be zero.

    python bench/web_load.py [--orgs 5000] [--users 50] [--seconds 60] [--db out/bench/web.db]
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


async def wait_ready(base: str, timeout: float) -> float:
    import httpx

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=timeout) as client:
        while time.perf_counter() - started < timeout:
            try:
                r = await client.get(base + "/")  # waits for the first evaluation of the latest quarter
                if r.status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                await asyncio.sleep(0.5)
    raise SystemExit(f"服务在 {timeout:.0f} 秒内没有就绪")


async def user(base: str, until: float, rng: random.Random, latencies: dict, errors: list, orgs: list[str]):
    import httpx

    pages = [("总览", "/"), ("政策台账", "/plans"), ("方案", "/plans/1"), ("指标", "/indicators?code=RG-01&org=HZ"),
             ("机构", "/orgs"), ("督办", "/alerts"), ("填报", "/entry"), ("接口:目标", "/api/targets?org=HZ")]
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        while time.perf_counter() < until:
            if rng.random() < 0.2:
                name = "保存数据值"
                org = rng.choice(orgs)
                t = time.perf_counter()
                form = await client.get(f"/api/values?dataset=GZL&period=2025Q2&org={org}")
                ok = form.status_code == 200
                if ok and form.json()["status"] in ("draft", "returned"):
                    el = form.json()["elements"][0]
                    r = await client.put("/api/values", json={"org": org, "element": el["code"], "period": "2025Q2",
                                                              "value": rng.randint(1000, 9999), "version": el["version"] or None})
                    ok = r.status_code in (200, 409)  # 409: another user saved first, reported, nothing lost
            else:
                name, path = rng.choice(pages)
                t = time.perf_counter()
                r = await client.get(path)
                ok = r.status_code == 200
            latencies.setdefault(name, []).append(time.perf_counter() - t)
            if not ok:
                errors.append(name)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000


async def load(base: str, users: int, seconds: float, orgs: list[str]) -> tuple[dict, list]:
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(*(user(base, until, random.Random(k), latencies, errors, orgs) for k in range(users)))
    return latencies, errors


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orgs", type=int, default=5000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--db", type=Path, default=ROOT / "out" / "bench" / "web.db")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--ready-timeout", type=float, default=3600)
    args = ap.parse_args(argv if argv is not None else [])
    print(f"网页负载：{args.orgs} 个机构，{args.users} 个并发用户，{args.seconds:.0f} 秒")
    built = build(args.db, args.orgs)
    print(f"演示数据库生成 {built:.1f} 秒")
    env = {**os.environ, "HQD_DATABASE_URL": f"sqlite:///{args.db}", "HQD_TODAY": "2025-07-20"}
    server = subprocess.Popen([*HQD, "serve", "--port", str(args.port)], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{args.port}"
    try:
        ready = asyncio.run(wait_ready(base, args.ready_timeout))
        print(f"首次评价（最近季度全部目标、任务、督办）{ready:.1f} 秒")
        import sqlite3

        with sqlite3.connect(args.db) as conn:
            orgs = [r[0] for r in conn.execute("SELECT code FROM org WHERE level = 4 ORDER BY code LIMIT 500")]
        latencies, errors = asyncio.run(load(base, args.users, args.seconds, orgs))
    finally:
        server.terminate()
        server.wait(30)
    total = sum(len(v) for v in latencies.values())
    print(f"{'页面':<12}{'请求数':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, vals in sorted(latencies.items()):
        print(f"{name:<12}{len(vals):>8}{pct(vals, .5):>10.0f}{pct(vals, .95):>10.0f}{pct(vals, .99):>10.0f}")
    print(f"共 {total} 个请求（{total / args.seconds:.0f} 次/秒），错误 {len(errors)} 个")
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
