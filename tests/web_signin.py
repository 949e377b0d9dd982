"""Signing in through the real /login form, shared by the web tests (a module of its own: importing
`conftest` by name picks whichever folder's conftest was loaded first when folders run together)."""

from __future__ import annotations

import re

DEMO_PASSWORD = "Hqd-demo-2025"


def sign_in(client, username: str, password: str = DEMO_PASSWORD):
    """Sign in through the login form; later writes carry the session's CSRF token in X-CSRF-Token."""
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    client.headers["x-csrf-token"] = client.get("/api/me").json()["csrf_token"]
    return client
