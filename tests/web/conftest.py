"""The web app over the compact demo database, its evaluation handed in (computed once per session)."""

from __future__ import annotations

import pytest

from demo_db import PERIOD, TODAY, demo_eval, demo_store, demo_url  # noqa: F401  (fixtures)


@pytest.fixture(scope="session")
def app(demo_store, demo_eval):  # noqa: F811
    from hqd.web.app import create_app

    app = create_app(demo_store, today=TODAY)
    app.state.snapshots.put_evaluation(PERIOD, demo_eval)
    return app


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c
