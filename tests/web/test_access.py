"""Sign-in, sessions, CSRF, throttling, API tokens, password rules and the audit log, over the real app."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import openpyxl
import pytest
from fastapi.testclient import TestClient

from hqd.access import PasswordError, check_password_rules
from web_signin import DEMO_PASSWORD, sign_in


def _login_form(c):
    return re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)


def test_session_cookie_is_httponly_and_samesite(app):
    with TestClient(app) as c:
        token = _login_form(c)
        r = c.post("/login", data={"username": "hz_chakan", "password": DEMO_PASSWORD, "csrf_token": token},
                   follow_redirects=False)
        cookie = r.headers["set-cookie"]
        assert r.status_code == 303 and "hqd_session=" in cookie
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # HQD_SECURE_COOKIES=1 turns it on behind TLS


def test_secure_cookie_setting(app, monkeypatch):
    monkeypatch.setenv("HQD_SECURE_COOKIES", "1")
    with TestClient(app, base_url="https://testserver") as c:
        token = _login_form(c)
        r = c.post("/login", data={"username": "hz_chakan", "password": DEMO_PASSWORD, "csrf_token": token},
                   follow_redirects=False)
        assert "Secure" in r.headers["set-cookie"]


def test_login_form_needs_its_csrf_token_and_next_stays_on_site(app):
    with TestClient(app) as c:
        r = c.post("/login", data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": "forged"})
        assert r.status_code == 403 and "登录页面已过期" in r.text
        token = _login_form(c)
        r = c.post("/login", data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": token,
                                   "next": "//evil.example/"}, follow_redirects=False)
        assert r.headers["location"] == "/"


def test_state_changing_requests_need_the_csrf_token(app):
    with TestClient(app) as c:
        sign_in(c, "fh01_tianbao")
        good = c.headers.pop("x-csrf-token")
        body = {"org": "NBFH01", "element": "PHC_VISITS", "period": "2025Q2", "value": 1}
        r = c.put("/api/values", json=body)
        assert r.status_code == 403 and "CSRF" in r.json()["detail"]
        r = c.post("/entry/save", data={"dataset": "GZL", "period": "2025Q2", "org": "NBFH01"})
        assert r.status_code == 403
        r = c.post("/entry/save", data={"dataset": "GZL", "period": "2025Q2", "org": "NBFH01", "csrf_token": good},
                   follow_redirects=False)
        assert r.status_code in (303, 409)  # saved, or refused by the submission's state: past the CSRF check
        # every POST form in every page the user can open carries the token
        for path in ("/entry?dataset=GZL&period=2025Q2&org=NBFH01", "/"):
            html = c.get(path).text
            for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S):
                assert 'name="csrf_token"' in form


def test_five_failures_then_429_with_chinese_message(app, demo_store):
    from sqlalchemy import select

    from hqd.store.models import AuditLog

    with TestClient(app) as c:
        for _ in range(5):
            r = c.post("/login", data={"username": "zj_shenhe", "password": "Wrong-pass-1", "csrf_token": _login_form(c)})
            assert r.status_code == 401 and "用户名或密码错误" in r.text
        r = c.post("/login", data={"username": "zj_shenhe", "password": DEMO_PASSWORD, "csrf_token": _login_form(c)})
        assert r.status_code == 429 and "登录失败次数过多" in r.text
    with demo_store.session() as s:
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.key == "zj_shenhe")))
    assert actions.count("login_failed") >= 5 and "login_throttled" in actions


def test_unknown_user_fails_like_a_wrong_password(app):
    with TestClient(app) as c:
        r = c.post("/login", data={"username": "nobody", "password": "x", "csrf_token": _login_form(c)})
        assert r.status_code == 401 and "用户名或密码错误" in r.text


def test_api_token_for_system_import(app, demo_store, tmp_path):
    from hqd.access import create_token
    from hqd.store.models import ApiToken

    with demo_store.session() as s:
        token = create_token(s, "fhj01_tianbao", "HIS 对接")
        assert token not in {t.token_hash for t in s.query(ApiToken)}  # stored hashed
    with TestClient(app) as c:
        headers = {"authorization": f"Bearer {token}"}
        assert c.get("/api/me", headers=headers).json()["org"] == "NBFHJ01"
        csv_text = "dataset,org,element,period,value\nGZL,NBFH01,PHC_VISITS,2025Q2,5\n"
        r = c.post("/api/values/import", headers=headers, files={"file": ("v.csv", csv_text.encode())})
        assert r.status_code == 422 and "不在您的权限范围内" in r.text  # the token's user is NBFHJ01, not NBFH01
        assert c.get("/api/orgs/HZ", headers=headers).status_code == 403
        assert c.get("/api/me", headers={"authorization": "Bearer hqd_forged"}).status_code == 401


@pytest.mark.parametrize("password, message", [("Short1!", "至少 10 位"), ("alllowercase1", "至少三类"),
                                                ("Hz_shenhe-2025x", "用户名")])
def test_password_rules(password, message):
    with pytest.raises(PasswordError, match=message):
        check_password_rules(password, "hz_shenhe")
    check_password_rules("Good-Pass-2025", "hz_shenhe")


def test_sign_out_ends_the_session(app):
    with TestClient(app) as c:
        sign_in(c, "hz_chakan")
        assert c.post("/logout", follow_redirects=False).status_code == 303
        assert c.get("/api/me").status_code == 401


def test_audit_records_sign_in_denial_approval_and_change(client_as, client):
    fh = client_as("fh01_tianbao")
    assert fh.get("/api/orgs/HZ").status_code == 403
    rows = list(csv.reader(io.StringIO(client.get("/audit.csv").text.lstrip("\ufeff"))))
    actions = {(r[1], r[2]) for r in rows[1:]}
    assert ("fh01_tianbao", "login") in actions and ("fh01_tianbao", "denied") in actions
    assert "审计日志" in client.get("/audit?actor=fh01_tianbao").text
    assert client_as("hz_chakan").get("/audit").status_code == 403


def test_audit_export_neutralises_formulas(app, client, tmp_path):
    with TestClient(app) as c:  # a user name that a spreadsheet would run as a formula
        c.post("/login", data={"username": "=HYPERLINK(\"http://x\")", "password": "x", "csrf_token": _login_form(c)})
    text = client.get("/audit.csv").text
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    path = tmp_path / "audit.xlsx"
    path.write_bytes(client.get("/audit.xlsx").content)
    values = [c.value for row in openpyxl.load_workbook(path).active.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(not v.startswith(("=", "+", "-", "@")) for v in values)


def test_user_cli_create_list_disable(tmp_path, demo_url):
    import shutil

    db = tmp_path / "u.db"
    shutil.copy(demo_url.removeprefix("sqlite:///"), db)
    env = {"HQD_DATABASE_URL": f"sqlite:///{db}", "PATH": "/usr/bin:/bin"}
    hqd = [sys.executable, "-m", "hqd.cli"]

    def run(*args):
        return subprocess.run([*hqd, "user", *args], capture_output=True, text=True, env=env, timeout=120)

    r = run("create", "boss2", "--admin", "--password", "short")
    assert r.returncode == 2 and "密码至少 10 位" in r.stderr
    r = run("create", "kz", "--role", "reporter", "--org", "NOPE", "--password", "Good-Pass-2025")
    assert r.returncode == 2 and "机构代码“NOPE”不存在" in r.stderr
    assert run("create", "boss2", "--admin", "--password", "Good-Pass-2025").returncode == 0
    assert run("create", "hz2", "--role", "reviewer", "--org", "HZ", "--password", "Good-Pass-2025").returncode == 0
    listed = run("list").stdout
    assert "boss2" in listed and "审核" in listed
    assert run("disable", "hz2").returncode == 0
    assert "已停用" in run("list").stdout
    token = run("token", "boss2").stdout.strip()
    assert token.startswith("hqd_")


def test_responsible_unit_sees_and_updates_its_tasks(client_as):
    hz = client_as("hz_shenhe")  # speaks for 市卫生健康委 (= 市卫生健康委员会)
    mine = hz.get("/api/tasks?mine=true").json()
    assert mine and all("市卫生健康委员会" in t["lead_units"] + t["support_units"] for t in mine)
    other = next(t for t in hz.get("/api/tasks").json() if "市卫生健康委员会" not in t["lead_units"] + t["support_units"])
    r = hz.post(f"/api/tasks/{mine[0]['id']}/progress", json={"period": "2025Q2", "status": "进行中", "narrative": "已推进"})
    assert r.status_code == 200 and r.json()["unit"] == "市卫生健康委员会"
    r = hz.post(f"/api/tasks/{other['id']}/progress", json={"period": "2025Q2", "status": "已完成", "narrative": "x"})
    assert r.status_code == 403 and "不是该任务的牵头或配合单位" in r.json()["detail"]


def _try(c, username, password):
    return c.post("/login", data={"username": username, "password": password, "csrf_token": _login_form(c)},
                  follow_redirects=False)


def test_one_address_trying_many_user_names_is_throttled(app, demo_store, monkeypatch):
    """Password spraying: each user name fails only once, the address is stopped all the same."""
    from sqlalchemy import select

    from hqd.store.models import AuditLog

    monkeypatch.setenv("HQD_LOGIN_MAX_FAILURES_IP", "4")
    monkeypatch.setenv("HQD_LOGIN_FAILURE_MINUTES", "10")
    with TestClient(app, client=("127.0.0.77", 40000)) as c:
        for name in ("zj_shenhe", "hz_shenhe", "fh_shenhe", "no_such_user"):
            assert _try(c, name, "Spray-pass-2025").status_code == 401
        r = _try(c, "hz_chakan", DEMO_PASSWORD)  # even the right password: the address is stopped
        assert r.status_code == 429 and "该地址登录失败次数过多" in r.text and "请 10 分钟后再试" in r.text
    with TestClient(app, client=("127.0.0.78", 40000)) as other:  # another address is not affected
        assert _try(other, "hz_chakan", DEMO_PASSWORD).status_code == 303
    with demo_store.session() as s:
        rows = list(s.scalars(select(AuditLog).where(AuditLog.action == "login_throttled",
                                                     AuditLog.source == "127.0.0.77")))
    assert rows and rows[-1].key == "hz_chakan" and "多个用户名" in rows[-1].detail


def test_throttle_message_gives_the_remaining_wait(app, demo_store, monkeypatch):
    from datetime import timedelta

    from hqd.store.models import LoginFailure, utcnow

    monkeypatch.setenv("HQD_LOGIN_MAX_FAILURES", "2")
    with demo_store.session() as s:  # two failures 9 and 8 minutes ago: the older leaves the window in 6 minutes
        for minutes in (9, 8):
            s.add(LoginFailure(username="fh_shenhe", ip="127.0.0.79", at=utcnow() - timedelta(minutes=minutes)))
    with TestClient(app, client=("127.0.0.79", 40000)) as c:
        r = _try(c, "fh_shenhe", DEMO_PASSWORD)
        assert r.status_code == 429 and "登录失败次数过多，请 6 分钟后再试" in r.text


def test_sign_in_purges_expired_sessions_and_old_failures(app, demo_store):
    from datetime import timedelta

    from sqlalchemy import select

    from hqd.store.models import LoginFailure, User, WebSession, utcnow

    with demo_store.session() as s:
        uid = s.scalar(select(User.id).where(User.username == "hz_chakan"))
        s.add(WebSession(token_hash="expired-" + "0" * 56, csrf="x", user_id=uid, expires_at=utcnow() - timedelta(hours=1)))
        s.add(WebSession(token_hash="current-" + "0" * 56, csrf="x", user_id=uid, expires_at=utcnow() + timedelta(hours=1)))
        s.add(LoginFailure(username="old-failure", ip="127.0.0.80", at=utcnow() - timedelta(days=2)))
        s.add(LoginFailure(username="new-failure", ip="127.0.0.80", at=utcnow() - timedelta(minutes=1)))
    with TestClient(app) as c:
        sign_in(c, "hz_chakan")
    with demo_store.session() as s:
        sessions = set(s.scalars(select(WebSession.token_hash).where(WebSession.token_hash.like("%-" + "0" * 56))))
        failures = set(s.scalars(select(LoginFailure.username).where(LoginFailure.ip == "127.0.0.80")))
        assert all(at >= utcnow() for at in s.scalars(select(WebSession.expires_at)))
    assert sessions == {"current-" + "0" * 56} and failures == {"new-failure"}


def test_same_unit_name_in_another_city_is_another_unit(app, demo_store, client_as):
    """宁波市's 市卫生健康委 is not 杭州市's: it neither lists nor reports the Hangzhou plan's tasks."""
    from hqd.access import create_user

    with demo_store.session() as s:
        create_user(s, "nb_shenhe_unit", "Good-Pass-2025", "reviewer", "NB", unit="市卫生健康委")
    hz = client_as("hz_shenhe")
    hz_tasks = [t for t in hz.get("/api/tasks?mine=true").json() if t["plan_org"] == "HZ"]
    assert hz_tasks  # 杭州市卫健委 leads tasks of the Hangzhou plan
    with TestClient(app) as nb:
        sign_in(nb, "nb_shenhe_unit", "Good-Pass-2025")
        mine = nb.get("/api/tasks?mine=true").json()
        assert not [t for t in mine if t["plan_org"] == "HZ"]
        r = nb.post(f"/api/tasks/{hz_tasks[0]['id']}/progress",
                    json={"period": "2025Q2", "status": "已完成", "narrative": "越权"})
        assert r.status_code == 403 and "不在其辖区内" in r.json()["detail"], r.text
