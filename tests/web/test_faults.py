"""Faults with the real things: the server killed (SIGKILL) in the middle of an import, and a
throwaway PostgreSQL server stopped under a running app and started again."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from hqd.store.models import Submission
from web_signin import sign_in

PG_BIN = Path("/usr/lib/postgresql/15/bin")
MARK = 777_000.0  # values no demo data has: 777000 + i


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "HQD_DATABASE_URL": url, "HQD_TODAY": "2025-07-20"}
    proc = subprocess.Popen([sys.executable, "-m", "hqd.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("hqd serve did not start")


def _big_import(store) -> tuple[bytes, int]:
    """Every GZL org × element × past quarter: thousands of rows in one file, one transaction."""
    from hqd.store.models import DataSet, DataSetElement, DataSetOrg, Org

    with store.session() as s:
        ds = s.scalar(select(DataSet).where(DataSet.code == "GZL"))
        orgs = list(s.scalars(select(Org.code).join(DataSetOrg, DataSetOrg.org_id == Org.id)
                              .where(DataSetOrg.data_set_id == ds.id)))
        elements = [e.element.code for e in s.scalars(select(DataSetElement).where(DataSetElement.data_set_id == ds.id))]
    periods = [f"{y}Q{q}" for y in (2024, 2025) for q in (1, 2, 3, 4) if (y, q) <= (2025, 2)]
    lines = ["dataset,org,element,period,value"]
    lines += [f"GZL,{o},{e},{p},{MARK + i}" for i, (o, e, p) in
              enumerate((o, e, p) for o in orgs for e in elements for p in periods)]
    return ("\n".join(lines) + "\n").encode(), len(lines) - 1


def _post_quietly(port: int, body: bytes, token: str) -> None:
    try:
        httpx.post(f"http://127.0.0.1:{port}/api/values/import", files={"file": ("大文件.csv", body)},
                   headers={"authorization": f"Bearer {token}"}, timeout=120)
    except httpx.HTTPError:
        pass  # the server was killed under it


def _marked(store) -> int:
    """Values written by this test's import (the demo's own values were written by the demo builder)."""
    from hqd.store.models import DataValue

    with store.session() as s:
        return s.scalar(select(func.count()).select_from(DataValue).where(
            DataValue.updated_by == "admin", DataValue.value >= MARK, DataValue.value < MARK + 100_000)) or 0


def _copy_with_token(demo_url: str, path: Path) -> tuple[str, str]:
    from hqd.access import create_token
    from hqd.store.db import open_store

    shutil.copy(demo_url.removeprefix("sqlite:///"), path)
    store = open_store(f"sqlite:///{path}")
    with store.session() as s:
        token = create_token(s, "admin", "故障测试")
        # reopen every report of the copy so the whole file is writable (approved quarters are locked)
        s.execute(update(Submission).values(status="draft"))
    store.dispose()
    return f"sqlite:///{path}", token


def _timed_import(url: str, token: str, body: bytes) -> float:
    port = _port()
    proc = _serve(url, port)
    try:
        started = time.monotonic()
        r = httpx.post(f"http://127.0.0.1:{port}/api/values/import", files={"file": ("大文件.csv", body)},
                       headers={"authorization": f"Bearer {token}"}, timeout=300)
        assert r.status_code == 200, r.text[:500]
        return time.monotonic() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def test_server_killed_mid_import_leaves_all_or_nothing(demo_url, tmp_path):
    from hqd.store.db import open_store

    url, token = _copy_with_token(demo_url, tmp_path / "kill.db")
    store = open_store(url)
    body, rows = _big_import(store)
    assert _marked(store) == 0
    store.dispose()
    # how long the whole import takes, on a second copy
    probe_url, probe_token = _copy_with_token(demo_url, tmp_path / "probe.db")
    took = _timed_import(probe_url, probe_token, body)
    for attempt, share in enumerate((0.5, 0.8, 0.95)):  # SIGKILL at these shares of the import's duration
        port = _port()
        proc = _serve(url, port)
        sender = threading.Thread(target=_post_quietly, args=(port, body, token), daemon=True)
        try:
            sender.start()
            time.sleep(share * took)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        sender.join(10)
        store = open_store(url)  # the restarted process: SQLite rolls back a hot journal on open
        n = _marked(store)
        store.dispose()
        assert n in (0, rows), f"attempt {attempt}: {n} of {rows} rows after SIGKILL at {share:.0%} of {took:.1f}s"
        if n == rows:
            break
    # after a restart the same import goes through whole
    _timed_import(url, token, body)
    store = open_store(url)
    assert _marked(store) == rows
    store.dispose()


@pytest.fixture()
def throwaway_pg():
    """A private PostgreSQL cluster in a temp dir (never the shared one the other tests use)."""
    import tempfile

    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"缺少 {PG_BIN}/initdb（Debian postgresql-15）")
    home = Path(tempfile.mkdtemp(prefix="hqd-pg-"))  # directly under /tmp: the postgres user can reach it
    data = home / "pg"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(data, "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*as_pg, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    port = _port()
    ctl = [*as_pg, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(data / "log"), "-w", "-t", "60"]
    opts = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"

    def start():
        subprocess.run([*ctl, "-o", opts, "start"], check=True, capture_output=True)

    def stop():
        subprocess.run([*ctl, "-m", "fast", "stop"], check=True, capture_output=True)

    start()
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", start, stop
    finally:
        subprocess.run([*ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def test_database_going_away_gives_503_and_recovers(throwaway_pg, tmp_path):
    from fastapi.testclient import TestClient

    from hqd.access import create_token
    from hqd.store.db import open_store
    from hqd.web.app import create_app
    from hqd_testdb import setup_world

    url, start, stop = throwaway_pg
    store = open_store(url)
    setup_world(store, tmp_path)
    with store.session() as s:
        from hqd.access import create_user

        create_user(s, "pgadmin", "Good-Pass-2025", "admin", None)
        token = create_token(s, "pgadmin", "故障测试")
    headers = {"authorization": f"Bearer {token}"}
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    with TestClient(create_app(store)) as c:
        assert c.get("/api/orgs", headers=headers).status_code == 200
        sign_in(c, "pgadmin", "Good-Pass-2025")  # a browser session too
        stop()
        for path in ("/api/orgs", "/api/me", "/api/datasets"):
            r = c.get(path, headers=headers)
            assert r.status_code == 503, r.text
            assert r.json()["detail"] == "数据库暂时无法连接，请稍后重试" and r.headers["retry-after"]
        for path in ("/plans", "/orgs"):  # pages: the same status as a Chinese page
            r = c.get(path, headers=browser)
            assert r.status_code == 503 and r.headers["content-type"].startswith("text/html"), r.text[:300]
            assert "数据库暂时不可用，请稍后重试" in r.text
        start()
        r = c.get("/api/orgs", headers=headers)
        assert r.status_code == 200 and r.json()
        assert c.get("/plans", headers=browser).status_code == 200  # the session survived the outage
    store.dispose()
