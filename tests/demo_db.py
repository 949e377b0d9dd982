"""One compact demo database and its evaluation per test session, shared by the report, API and
browser tests (evaluating every target of the five plans takes a while; it is done once)."""

from __future__ import annotations

from datetime import date

import pytest

TODAY = date(2025, 7, 20)
PERIOD = "2025Q2"


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    from hqd.demo import build_demo
    from hqd.store.db import open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    store = open_store(url)
    build_demo(store, seed=11, compact=True)
    store.dispose()
    return url


@pytest.fixture(scope="session")
def demo_store(demo_url):
    from hqd.store.db import open_store

    store = open_store(demo_url)
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def demo_eval(demo_store):
    from hqd.report.from_store import evaluation

    return evaluation(demo_store, PERIOD, TODAY)
