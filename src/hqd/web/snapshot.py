"""Evaluation results the pages read, computed once per period and data generation.

Evaluating every target, task and alert is the expensive part of a page (hqd.monitoring computes
indicator values over the live tables). Results are kept per period; a write through the web app
starts a new generation, and the next reader gets the previous results at once while one
background thread recomputes (stale-while-revalidate); only the very first reader of a period
waits. A value entered is in the indicator pages at once (they query the store directly).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from hqd.store.db import Store


@dataclass
class _Entry:
    generation: int
    value: object


class Snapshots:
    def __init__(self, store: Store, today: date):
        self.store = store
        self.today = today
        self.generation = 0
        self._cache: dict[tuple, _Entry] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._refreshing: set[tuple] = set()
        self._guard = threading.Lock()

    def invalidate(self) -> None:
        with self._guard:
            self.generation += 1

    def _lock(self, key: tuple) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _get(self, key: tuple, compute):
        entry = self._cache.get(key)
        if entry is not None:
            if entry.generation != self.generation:
                self._refresh_later(key, compute)
            return entry.value
        with self._lock(key):
            entry = self._cache.get(key)
            if entry is None:
                gen = self.generation
                entry = _Entry(gen, compute())
                self._cache[key] = entry
            return entry.value

    def _refresh_later(self, key: tuple, compute) -> None:
        with self._guard:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def work():
            try:
                with self._lock(key):
                    gen = self.generation
                    self._cache[key] = _Entry(gen, compute())
            finally:
                with self._guard:
                    self._refreshing.discard(key)

        threading.Thread(target=work, daemon=True, name=f"hqd-refresh-{key}").start()

    def evaluation(self, period: str):
        from hqd.report.from_store import evaluation

        return self._get(("evaluation", period), lambda: evaluation(self.store, period, self.today))

    def scores(self, set_name: str, year: int):
        from hqd.monitoring import score_hospitals

        return self._get(("scores", set_name, year), lambda: score_hospitals(self.store, set_name, year)[0])

    def put_evaluation(self, period: str, value) -> None:
        """Seed the cache (tests hand in an evaluation they computed already)."""
        self._cache[("evaluation", period)] = _Entry(self.generation, value)
