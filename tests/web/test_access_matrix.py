"""Every role × every route × own org / child org / other org: allowed or denied (403).

The route list comes from the app itself: a new route without a rule in RULES fails
`test_every_route_has_a_rule`. Runs on a copy of the demo database (writes go through for real)."""

from __future__ import annotations

import shutil

import pytest

from demo_db import PERIOD, TODAY
from web_signin import sign_in

# user → (role, org, {relation: org code}); "child" is an org below the user's own, "other" outside it
USERS = {
    "admin": ("admin", "ZJ", {"own": "ZJ", "child": "NBFH01"}),
    "hz_shenhe": ("reviewer", "HZ", {"own": "HZ", "child": "HZH01", "other": "NBFH01"}),
    "fh_shenhe": ("reviewer", "NBFH", {"own": "NBFH", "child": "NBFH01", "other": "HZH01"}),
    "fh01_tianbao": ("reporter", "NBFH01", {"own": "NBFH01", "other": "NBFHJ01"}),
    "fh01_shenhe": ("reviewer", "NBFH01", {"own": "NBFH01", "other": "NBFHJ01"}),  # a facility's reviewer (made below)
    "hz_chakan": ("viewer", "HZ", {"own": "HZ", "child": "HZH01", "other": "NBFH01"}),
}
ROLE = {"admin": dict(write=1, approve=1, plans=1, admin=1), "reviewer": dict(write=0, approve=1, plans=1, admin=0),
        "reporter": dict(write=1, approve=0, plans=0, admin=0), "viewer": dict(write=0, approve=0, plans=0, admin=0)}
CSV = "dataset,org,element,period,value\nGZL,{o},PHC_VISITS,2025Q2,1234\n"


def _sub(action):
    return lambda o: ("POST", f"/api/submissions/{action}",
                      {"json": {"dataset": "GZL", "org": o, "period": PERIOD, "reason": "矩阵测试"}})


def _form(path, **extra):
    return lambda o: ("POST", path, {"data": {"dataset": "GZL", "period": PERIOD, "org": o, **extra}})


# (method, path) → list of (kind, request builder(org) → (method, url, kwargs)); kinds:
# public: every signed-in user; see / write / approve: depends on the org's place relative to the user;
# plans / admin / region: depends on the role or the user's org only; unit: on the responsible unit the
# user speaks for (a task's lead or support unit); anonymous: no sign-in needed.
RULES = {
    ("GET", "/api/plans"): [("public", lambda o: ("GET", "/api/plans", {}))],
    ("GET", "/api/plans/{plan_id}"): [("public", lambda o: ("GET", "/api/plans/1", {}))],
    ("POST", "/api/plans/extract"): [("plans", lambda o: ("POST", "/api/plans/extract",
                                                          {"files": {"file": ("a.txt", "一、重点任务\n".encode())}}))],
    ("POST", "/api/plans"): [("plans", lambda o: ("POST", "/api/plans", {"json": {"title": f"矩阵测试方案{o}",
                                                                                  "tasks": []}}))],
    ("GET", "/api/tasks"): [("public", lambda o: ("GET", "/api/tasks?plan_id=1", {}))],
    ("POST", "/api/tasks/{task_id}/progress"): [("unit", lambda o: ("POST", "/api/tasks/1/progress", {
        "json": {"period": PERIOD, "status": "进行中", "narrative": "矩阵测试"}}))],
    ("GET", "/api/targets"): [("see", lambda o: ("GET", f"/api/targets?org={o}", {}))],
    ("GET", "/api/evaluation"): [("public", lambda o: ("GET", "/api/evaluation", {}))],
    ("GET", "/api/alerts"): [("see", lambda o: ("GET", f"/api/alerts?region={o}", {}))],
    ("GET", "/api/scores"): [("public", lambda o: ("GET", "/api/scores", {}))],
    ("GET", "/api/indicators/{code}/series"): [("see", lambda o: ("GET", f"/api/indicators/RG-01/series?org={o}", {}))],
    ("GET", "/api/orgs"): [("see", lambda o: ("GET", f"/api/orgs?parent={o}", {}))],
    ("GET", "/api/orgs/{code}"): [("see", lambda o: ("GET", f"/api/orgs/{o}", {}))],
    ("GET", "/api/datasets"): [("public", lambda o: ("GET", "/api/datasets", {}))],
    ("GET", "/api/values"): [("see", lambda o: ("GET", f"/api/values?dataset=GZL&period={PERIOD}&org={o}", {}))],
    ("PUT", "/api/values"): [("write", lambda o: ("PUT", "/api/values", {"json": {"org": o, "element": "PHC_VISITS",
                                                                                  "period": PERIOD, "value": 1}}))],
    ("POST", "/api/values/import"): [("write", lambda o: ("POST", "/api/values/import", {"files": {"file": (
        "v.csv", CSV.format(o=o).encode())}, "data": {}}))],
    ("GET", "/api/submissions"): [("public", lambda o: ("GET", f"/api/submissions?dataset=GZL&period={PERIOD}", {}))],
    ("POST", "/api/submissions/{action}"): [("write", _sub("submit")), ("approve", _sub("approve")),
                                            ("approve", _sub("return"))],
    ("GET", "/api/me"): [("public", lambda o: ("GET", "/api/me", {}))],
    ("GET", "/"): [("public", lambda o: ("GET", "/", {}))],
    ("GET", "/plans"): [("public", lambda o: ("GET", "/plans", {}))],
    ("GET", "/plans/{plan_id}"): [("public", lambda o: ("GET", "/plans/1", {}))],
    ("GET", "/plans/upload"): [("plans", lambda o: ("GET", "/plans/upload", {}))],
    ("POST", "/plans/upload"): [("plans", lambda o: ("POST", "/plans/upload",
                                                     {"files": {"file": ("a.txt", "一、重点任务\n".encode())}}))],
    ("POST", "/plans/confirm"): [("plans", lambda o: ("POST", "/plans/confirm", {"data": {"token": "x"}}))],
    ("GET", "/indicators"): [("see", lambda o: ("GET", f"/indicators?code=RG-01&org={o}", {}))],
    ("GET", "/orgs"): [("public", lambda o: ("GET", "/orgs", {}))],
    ("GET", "/orgs/{code}"): [("see", lambda o: ("GET", f"/orgs/{o}", {}))],
    ("GET", "/entry"): [("see", lambda o: ("GET", f"/entry?dataset=GZL&period={PERIOD}&org={o}", {}))],
    ("POST", "/entry/save"): [("write", _form("/entry/save", v_PHC_VISITS="5"))],
    ("POST", "/entry/action"): [("write", _form("/entry/action", action="submit")),
                                ("approve", _form("/entry/action", action="approve"))],
    ("GET", "/entry/review"): [("public", lambda o: ("GET", f"/entry/review?dataset=GZL&period={PERIOD}", {}))],
    ("GET", "/entry/template"): [("see", lambda o: ("GET", f"/entry/template?dataset=GZL&period={PERIOD}&org={o}", {}))],
    ("POST", "/entry/upload"): [("write", lambda o: ("POST", "/entry/upload", {
        "data": {"dataset": "GZL", "period": PERIOD, "org": o}, "files": {"file": ("v.csv", CSV.format(o=o).encode())}}))],
    ("GET", "/alerts"): [("see", lambda o: ("GET", f"/alerts?region={o}", {}))],
    ("GET", "/alerts.xlsx"): [("see", lambda o: ("GET", f"/alerts.xlsx?region={o}", {}))],
    ("GET", "/reports"): [("public", lambda o: ("GET", "/reports", {}))],
    ("GET", "/reports/quarterly"): [("see", lambda o: ("GET", f"/reports/quarterly?org={o}&format=xlsx", {}))],
    ("GET", "/reports/ledger"): [("region", lambda o: ("GET", "/reports/ledger?plan=杭政办函〔2022〕47号", {}))],
    ("GET", "/audit"): [("admin", lambda o: ("GET", "/audit", {}))],
    ("GET", "/audit.csv"): [("admin", lambda o: ("GET", "/audit.csv", {}))],
    ("GET", "/audit.xlsx"): [("admin", lambda o: ("GET", "/audit.xlsx", {}))],
    ("POST", "/logout"): [("session", None)],  # ends the session: test_access.py signs out on its own client
    ("GET", "/login"): [("anonymous", None)],
    ("POST", "/login"): [("anonymous", None)],
    ("GET", "/api/openapi.json"): [("anonymous", None)],
    ("GET", "/api/docs"): [("anonymous", None)],
    ("GET", "/docs/oauth2-redirect"): [("anonymous", None)],
}
ORG_KINDS = {"see", "write", "approve"}
REGIONS = ("ZJ", "HZ", "NBFH")  # the users' orgs that have orgs below them


def app_routes(app) -> set[tuple[str, str]]:
    def walk(routes):
        for r in routes:
            if hasattr(r, "effective_candidates"):  # FastAPI ≥ 0.165 wraps included routers
                yield from walk(r.effective_candidates())
            else:
                yield r
    return {(m, r.path) for r in walk(app.routes) for m in (getattr(r, "methods", None) or ()) if m != "HEAD"}


@pytest.fixture(scope="module")
def matrix_app(demo_url, demo_eval, tmp_path_factory):
    from hqd.access import create_user
    from hqd.demo.users import DEMO_PASSWORD
    from hqd.store.db import open_store
    from hqd.web.app import create_app

    copy = tmp_path_factory.mktemp("matrix") / "demo.db"
    shutil.copy(demo_url.removeprefix("sqlite:///"), copy)
    store = open_store(f"sqlite:///{copy}")
    with store.session() as s:
        create_user(s, "fh01_shenhe", DEMO_PASSWORD, "reviewer", "NBFH01")
    app = create_app(store, today=TODAY)
    app.state.snapshots.put_evaluation(PERIOD, demo_eval)
    yield app
    store.dispose()


@pytest.fixture(scope="module")
def clients(matrix_app):
    from fastapi.testclient import TestClient

    made = {u: sign_in(TestClient(matrix_app).__enter__(), u) for u in USERS}
    yield made
    for c in made.values():
        c.__exit__(None, None, None)


def test_every_route_has_a_rule(app):
    missing = app_routes(app) - set(RULES)
    assert not missing, f"routes without an access rule in RULES: {sorted(missing)}"


def expected(kind: str, user: str, relation: str) -> bool:
    role, org, _ = USERS[user]
    r = ROLE[role]
    inside = relation in ("own", "child")
    return {"public": True, "see": inside, "write": bool(r["write"]) and inside,
            "approve": bool(r["approve"]) and (relation == "child" or bool(r["admin"])),
            # plans: administrators and the reviewers of a region (省、市、区县), not of a facility
            "plans": bool(r["plans"]) and org in REGIONS, "admin": bool(r["admin"]),
            "region": org in REGIONS,
            # task 1 of the Hangzhou plan is led by 市卫生健康委员会: hz_shenhe speaks for it (demo users)
            "unit": user in ("admin", "hz_shenhe")}[kind]


def denied(resp) -> bool:
    return resp.status_code == 403 or "不在您的权限范围内" in resp.text


CASES = [(user, rel, key, i) for key, rules in RULES.items() for i, (kind, build) in enumerate(rules) if build
         for user in USERS for rel in (USERS[user][2] if kind in ORG_KINDS else ["own"])]


@pytest.mark.parametrize("user, relation, route, i", CASES,
                         ids=[f"{u}-{r}-{m} {p}#{i}" for u, r, (m, p), i in CASES])
def test_role_route_org(clients, user, relation, route, i):
    kind, build = RULES[route][i]
    org = USERS[user][2][relation]
    method, url, kwargs = build(org)
    resp = clients[user].request(method, url, follow_redirects=False, **kwargs)
    assert resp.status_code not in (401, 500), resp.text[:300]
    want = expected(kind, user, relation)
    assert denied(resp) != want, f"{user}（{relation}={org}）{method} {url}: 期望{'允许' if want else '拒绝'}，实际 " \
                                 f"{resp.status_code} {resp.text[:200]}"


@pytest.mark.parametrize("route", [k for k, rules in RULES.items() if rules[0][0] not in ("anonymous",)],
                         ids=lambda k: f"{k[0]} {k[1]}")
def test_signed_out_is_refused(matrix_app, route):
    from fastapi.testclient import TestClient

    kind, build = RULES[route][0]
    method, url, kwargs = build("HZ") if build else (route[0], route[1], {})
    with TestClient(matrix_app) as anon:
        resp = anon.request(method, url, follow_redirects=False, **kwargs)
    if url.startswith("/api"):
        assert resp.status_code == 401 and "请先登录" in resp.json()["detail"]
    else:
        assert resp.status_code in (303, 403) and (resp.status_code == 403 or "/login" in resp.headers["location"])


def test_lists_hold_only_orgs_in_scope(clients, matrix_app):
    from hqd.web.context import org_path

    store = matrix_app.state.store
    crossed = []
    for user, (_, org, _) in USERS.items():
        root = org_path(store, org)
        c = clients[user]
        seen = [o["code"] for o in c.get("/api/orgs").json()]
        seen += [r["org"] for r in c.get("/api/targets").json()]
        seen += [r["org"] for r in c.get("/api/evaluation").json()["targets"]]
        seen += [r["region"] for r in c.get("/api/alerts").json()]
        seen += [r["org"] for r in c.get("/api/scores").json()]
        seen += [r["org"] for r in c.get(f"/api/submissions?dataset=GZL&period={PERIOD}").json()]
        crossed += [(user, code) for code in seen if not org_path(store, code).startswith(root)]
        assert seen, user
    assert crossed == []


def test_plans_are_owned_by_the_savers_region(clients):
    """A district may not overwrite its city's plan; a new plan belongs to the saver's region; an
    administrator's correction keeps the owner."""
    city = {"title": "杭州市矩阵测试方案", "doc_number": "杭卫矩〔2025〕1号", "tasks": []}
    district = {"title": "奉化区矩阵测试方案", "doc_number": "奉卫矩〔2025〕1号", "tasks": []}
    assert clients["hz_shenhe"].post("/api/plans", json=city).status_code == 201
    assert clients["fh_shenhe"].post("/api/plans", json=district).status_code == 201
    r = clients["fh_shenhe"].post("/api/plans", json={**city, "title": "被区里改掉的方案"})
    assert r.status_code == 403 and "该方案属杭州市" in r.json()["detail"], r.text
    r = clients["hz_shenhe"].post("/api/plans", json={**district, "title": "被另一市改掉的方案"})
    assert r.status_code == 403  # 奉化区 is in 宁波市, outside 杭州市
    assert clients["admin"].post("/api/plans", json={**district, "title": "奉化区矩阵测试方案（修订）"}).status_code == 201
    plans = {p["doc_number"]: p for p in clients["admin"].get("/api/plans").json()}
    assert plans["杭卫矩〔2025〕1号"]["org"] == "HZ" and plans["杭卫矩〔2025〕1号"]["title"] == "杭州市矩阵测试方案"
    assert plans["奉卫矩〔2025〕1号"]["org"] == "NBFH" and plans["奉卫矩〔2025〕1号"]["title"].endswith("（修订）")
    # the demo's plans belong to the region their issuer names
    assert plans["杭政办函〔2022〕47号"]["org"] == "HZ" and plans["奉政办发〔2023〕10号"]["org"] == "NBFH"


def test_a_facility_reviewer_is_told_why_it_may_not_save_plans(clients):
    r = clients["fh01_shenhe"].post("/api/plans", json={"title": "医院自拟方案", "tasks": []})
    assert r.status_code == 403 and "省、市、区县" in r.json()["detail"]
