"""The web app's evaluation cache: computed in a worker process exactly as in a thread; after writes,
readers get the previous results at once and a burst of writes costs one recomputation."""

from __future__ import annotations

import time

from demo_db import PERIOD, TODAY, demo_eval, demo_store, demo_url  # noqa: F401  (fixtures)
from hqd.web import snapshot
from hqd.web.snapshot import Snapshots


def test_the_worker_process_evaluates_what_a_thread_evaluates(demo_store, demo_eval):  # noqa: F811
    snaps = Snapshots(demo_store, TODAY, worker_process=True)
    try:
        got = snaps.evaluation(PERIOD)
    finally:
        snaps.close()
    assert snaps._worker and len(got.progress) > 100
    assert got.progress == demo_eval.progress and got.tasks == demo_eval.tasks and got.alerts == demo_eval.alerts


def test_a_burst_of_writes_costs_one_recomputation(demo_store, monkeypatch):  # noqa: F811
    calls = []

    def fake(store, period, today):
        calls.append(time.monotonic())
        return len(calls)

    monkeypatch.setitem(snapshot._COMPUTE, "evaluation", fake)
    snaps = Snapshots(demo_store, TODAY, min_interval=0.5)
    assert snaps.evaluation(PERIOD) == 1
    for _ in range(5):  # five saves in a row
        snaps.invalidate()
        assert snaps.evaluation(PERIOD) == 1  # the previous results, at once
    deadline = time.monotonic() + 5
    while snaps.evaluation(PERIOD) == 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert snaps.evaluation(PERIOD) == 2 and len(calls) == 2
    assert calls[1] - calls[0] >= 0.5  # not sooner than the interval after the last one
    time.sleep(0.7)
    assert len(calls) == 2  # nothing changed since: no more work


def test_org_names_are_read_again_when_an_org_is_added(tmp_path):
    from hqd.store.db import open_store
    from hqd.store.models import Org

    store = open_store(f"sqlite:///{tmp_path / 'hqd.db'}")
    snaps = Snapshots(store, TODAY)
    with store.session() as s:
        s.add(Org(code="P", name="某省", level=1, path="/P/"))
    assert snaps.org_names() == {"P": "某省"}
    with store.session() as s:  # `hqd collect orgs`, outside the app: no write through it to invalidate
        s.add(Org(code="C", name="某市", level=2, path="/P/C/", parent_id=s.query(Org.id).scalar()))
    assert snaps.org_names() == {"P": "某省", "C": "某市"}
    store.dispose()


def test_the_worker_ends_when_the_server_is_killed(demo_url):  # noqa: F811
    import os
    import signal
    import subprocess
    import sys

    # a server process that starts its evaluation worker, prints the worker's pid, then is killed
    script = (
        "import datetime, time\n"
        "from hqd.store.db import open_store\n"
        "from hqd.web.snapshot import Snapshots\n"
        f"s = Snapshots(open_store({demo_url!r}), datetime.date(2025, 7, 20), worker_process=True)\n"
        "s.scores('三级', 2024)\n"
        "print(*s._pool._processes, flush=True)\n"
        "time.sleep(60)\n"
    )
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    worker = int(server.stdout.readline())
    os.kill(worker, 0)  # alive
    server.send_signal(signal.SIGKILL)
    server.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    raise AssertionError(f"evaluation worker {worker} outlived its server")
