"""A browser that is refused, asks for a page that does not exist, or finds the database down gets a
Chinese page with the same status and a way back; /api (and clients asking for JSON) keep the JSON body."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from demo_db import TODAY

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # what a browser sends


def _is_page(r) -> bool:
    return r.headers["content-type"].startswith("text/html") and "<html" in r.text


def test_denied_page_says_what_was_refused_with_a_link_back(client_as):
    fh = client_as("fh01_tianbao")
    r = fh.get("/orgs/HZ", headers={**HTML, "referer": "http://testserver/orgs"})
    assert r.status_code == 403 and _is_page(r)
    assert "无权访问" in r.text and "无权查看机构“HZ”的数据" in r.text and "填报，NBFH01" in r.text
    assert 'href="/orgs"' in r.text and "返回上一页" in r.text and "返回首页" in r.text
    r = fh.get("/audit", headers={**HTML, "referer": "https://evil.example/x"})  # a foreign referer is not linked
    assert r.status_code == 403 and "evil.example" not in r.text and "查看审计日志" in r.text
    api = fh.get("/api/orgs/HZ", headers=HTML)  # the API answers JSON whatever the browser accepts
    assert api.status_code == 403 and api.json()["detail"].startswith("无权查看机构“HZ”")


def test_a_page_asked_for_as_json_answers_json(client_as):
    r = client_as("fh01_tianbao").get("/orgs/HZ", headers={"accept": "application/json"})
    assert r.status_code == 403 and r.json()["field"] == "code"


@pytest.mark.parametrize("path, status, words", [
    ("/no-such-page", 404, "页面不存在"),
    ("/indicators?code=XX-99", 404, "指标代码“XX-99”不存在"),
    ("/plans/abc", 422, "参数“plan_id”应为整数"),
    ("/plans/99999", 404, "方案 99999 不存在"),
])
def test_bad_page_requests_get_a_chinese_page(client, path, status, words):
    r = client.get(path, headers=HTML)
    assert r.status_code == status and _is_page(r) and words in r.text, r.text[:300]
    assert "Traceback" not in r.text


def test_api_errors_stay_json(client):
    r = client.get("/api/no-such", headers=HTML)
    assert r.status_code == 404 and r.json()["detail"] == "页面或资源不存在"
    r = client.get("/api/plans/abc", headers=HTML)
    assert r.status_code == 422 and r.json()["field"] == "plan_id"


def test_database_down_gives_a_503_page(demo_url):
    """The database refuses connections: a page says so in Chinese (without touching the database), /api says
    it in JSON. (tests/web/test_faults.py stops a real PostgreSQL server under the app.)"""
    import socket

    from hqd.store.db import Store, make_engine
    from hqd.web.app import create_app

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = Store(make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/none?connect_timeout=2"))
    with TestClient(create_app(store, today=TODAY), cookies={"hqd_session": "some-session"}) as c:
        r = c.get("/plans", headers=HTML)
        assert r.status_code == 503 and _is_page(r) and r.headers["retry-after"]
        assert "数据库暂时不可用，请稍后重试" in r.text
        r = c.get("/api/plans", headers=HTML)
        assert r.status_code == 503 and r.json()["detail"] == "数据库暂时无法连接，请稍后重试"
    store.dispose()
