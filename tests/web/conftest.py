"""The web app over the compact demo database, its evaluation handed in (computed once per session).
Clients sign in through the real /login form as the demo users (one per role and level)."""

from __future__ import annotations

import pytest

from demo_db import PERIOD, TODAY, demo_eval, demo_store, demo_url  # noqa: F401  (fixtures)
from web_signin import sign_in


@pytest.fixture(scope="session")
def app(demo_store, demo_eval):  # noqa: F811
    from hqd.web.app import create_app

    app = create_app(demo_store, today=TODAY)
    app.state.snapshots.put_evaluation(PERIOD, demo_eval)
    return app


@pytest.fixture(scope="session")
def client_as(app):
    """client_as("fh01_tianbao") → a TestClient signed in as that demo user (one per user per session)."""
    from fastapi.testclient import TestClient

    made = {}

    def get(username: str):
        if username not in made:
            c = TestClient(app, base_url="http://testserver")
            c.__enter__()
            made[username] = sign_in(c, username)
        return made[username]

    yield get
    for c in made.values():
        c.__exit__(None, None, None)


@pytest.fixture(scope="session")
def client(client_as):
    return client_as("admin")
