"""Evaluation results the pages read, computed once per period and data generation.

Evaluating every target, task and alert is the expensive part of a page. Results are kept per
period; a write through the web app starts a new generation, and the next reader gets the
previous results at once while one background thread has them recomputed (stale-while-revalidate);
only the very first reader of a period waits. Recomputations of one result start at least
`min_interval` seconds apart (HQD_REFRESH_SECONDS), so a burst of saves costs one evaluation, not
one each. A value entered is in the indicator pages at once (they read the value cache directly).

`hqd serve` evaluates in a worker process: the evaluation is CPU work in Python and NumPy, and in
the server's own process it would hold the interpreter lock the page requests need; in its own
process it runs on another core. The worker opens the store itself and starts from the saved value
cache. Tests and in-memory databases evaluate in a thread.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date

from hqd.store.db import Store


@dataclass
class _Entry:
    generation: int
    value: object


def _evaluation(store: Store, period: str, today: date):
    from hqd.report.from_store import evaluation

    return evaluation(store, period, today)


def _scores(store: Store, set_name: str, year: int):
    from hqd.monitoring import score_hospitals

    return score_hospitals(store, set_name, year)[0]


def _submissions(store: Store, period: str, org: str):
    from hqd.report.data import submission_rows

    return submission_rows(store, period, org)


def _org_names(store: Store, _count: int, _top: int):
    from hqd.report.from_store import org_names

    return org_names(store)


_COMPUTE = {"evaluation": _evaluation, "scores": _scores, "submissions": _submissions, "names": _org_names}
_IN_THREAD = {"submissions", "names"}  # quick queries: not worth a trip to the worker
_worker_stores: dict[str, Store] = {}


def _watch_parent(parent: int) -> None:
    """In the worker: end with the server, however it ends (a killed server cannot stop its pool)."""

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="hqd-watch-parent").start()


def _in_worker(url: str, kind: str, args: tuple):
    from hqd.store.db import open_store

    store = _worker_stores.get(url)
    if store is None:
        store = _worker_stores[url] = open_store(url, migrate=False)
    return _COMPUTE[kind](store, *args)


def _shareable(store: Store) -> bool:
    url = store.engine.url
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


class Snapshots:
    def __init__(self, store: Store, today: date, *, worker_process: bool = False, min_interval: float = 0.0):
        self.store = store
        self.today = today
        self.generation = 0
        self.min_interval = min_interval
        self._cache: dict[tuple, _Entry] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._refreshing: set[tuple] = set()
        self._started: dict[tuple, float] = {}
        self._guard = threading.Lock()
        self._worker = worker_process and _shareable(store)
        self._pool: ProcessPoolExecutor | None = None

    def invalidate(self) -> None:
        with self._guard:
            self.generation += 1

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _lock(self, key: tuple) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _compute(self, key: tuple):
        kind, *args = key
        if self._worker and kind not in _IN_THREAD:
            url = self.store.engine.url.render_as_string(hide_password=False)
            for attempt in (1, 2):
                with self._guard:
                    if self._pool is None:
                        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                         initializer=_watch_parent, initargs=(os.getpid(),))
                    pool = self._pool
                try:
                    return pool.submit(_in_worker, url, kind, tuple(args)).result()
                except BrokenProcessPool:  # the worker died (killed, out of memory): start another once
                    with self._guard:
                        if self._pool is pool:
                            self._pool = None
                    if attempt == 2:
                        raise
        return _COMPUTE[kind](self.store, *args)

    def _get(self, key: tuple):
        entry = self._cache.get(key)
        if entry is not None:
            if entry.generation != self.generation:
                self._refresh_later(key)
            return entry.value
        with self._lock(key):
            entry = self._cache.get(key)
            if entry is None:
                gen = self.generation
                self._started[key] = time.monotonic()
                entry = _Entry(gen, self._compute(key))
                self._cache[key] = entry
            return entry.value

    def _refresh_later(self, key: tuple) -> None:
        with self._guard:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def work():
            try:
                wait = self._started.get(key, float("-inf")) + self.min_interval - time.monotonic()
                if wait > 0:
                    time.sleep(wait)  # the writes made meanwhile are in this one recomputation
                with self._lock(key):
                    gen = self.generation
                    self._started[key] = time.monotonic()
                    self._cache[key] = _Entry(gen, self._compute(key))
            finally:
                with self._guard:
                    self._refreshing.discard(key)

        threading.Thread(target=work, daemon=True, name=f"hqd-refresh-{key}").start()

    def evaluation(self, period: str):
        return self._get(("evaluation", period, self.today))

    def scores(self, set_name: str, year: int):
        return self._get(("scores", set_name, year))

    def submissions(self, period: str, org: str):
        """Completeness and timeliness of the quarter's reports in the org's subtree (overview)."""
        return self._get(("submissions", period, org))

    def org_names(self) -> dict[str, str]:
        """Org code → name; read again when orgs are added (by `hqd collect orgs`, outside the app)."""
        with self.store.engine.connect() as conn:
            count, top = conn.exec_driver_sql("SELECT COUNT(*), MAX(id) FROM org").one()
        return self._get(("names", count, top))

    def put_evaluation(self, period: str, value) -> None:
        """Seed the cache (tests hand in an evaluation they computed already)."""
        self._cache[("evaluation", period, self.today)] = _Entry(self.generation, value)
