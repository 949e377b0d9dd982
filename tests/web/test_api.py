"""Every /api endpoint on the demo database, and bad input answered with 4xx and a Chinese message."""

from __future__ import annotations

import io

import pytest

from hqd.demo.build import PLANS_DIR

PLAN_TXT = ("某市推动公立医院高质量发展实施方案\n2024年3月1日\n一、重点任务\n"
            "1.推进分级诊疗<script>alert(1)</script>。到2025年，基层就诊率达到65%以上。（责任单位：市卫生健康委）\n")


def test_openapi_lists_the_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for p in ("/api/plans", "/api/tasks", "/api/targets", "/api/orgs", "/api/values", "/api/submissions",
              "/api/evaluation", "/api/scores", "/api/alerts", "/api/values/import"):
        assert p in paths


@pytest.fixture(scope="module")
def saved_plan(client):
    """This module's own plan, extracted from PLAN_TXT and saved (the same text again updates it in place)."""
    ledger = client.post("/api/plans/extract", files={"file": ("方案.txt", PLAN_TXT.encode(), "text/plain")}).json()
    saved = client.post("/api/plans", json=ledger)
    assert saved.status_code == 201, saved.text
    return saved.json()


def test_plans_tasks_and_targets(client, demo_store):
    from sqlalchemy import func, select

    from hqd.store.models import Plan

    plans = client.get("/api/plans").json()
    with demo_store.session() as s:  # other tests save plans of their own: every stored plan, the demo's among them
        assert len(plans) == s.scalar(select(func.count()).select_from(Plan))
    assert {p.name for p in PLANS_DIR.glob("*.txt")} <= {p["file"] for p in plans}
    hz = next(p for p in plans if p["doc_number"] == "杭政办函〔2022〕47号")
    detail = client.get(f"/api/plans/{hz['id']}").json()
    target = next(g for t in detail["tasks"] for g in t["targets"] if g["indicator"] == "基层就诊率")
    assert target["context"]["clause"] == target["text"] or target["text"] in target["context"]["clause"]
    assert client.get("/api/tasks", params={"plan_id": hz["id"]}).json()
    rows = client.get("/api/targets", params={"period": "2025Q2", "org": "HZ"}).json()
    assert rows and {r["org"] for r in rows} == {"HZ"}
    ev = client.get("/api/evaluation").json()
    assert ev["period"] == "2025Q2" and ev["targets"] and ev["tasks"]


def test_orgs_values_series_scores_alerts(client):
    orgs = client.get("/api/orgs").json()
    assert orgs[0]["code"] == "ZJ"
    assert client.get("/api/orgs", params={"parent": "NBFH"}).json()
    assert client.get("/api/orgs/NBFH").json()["name"] == "奉化区"
    form = client.get("/api/values", params={"dataset": "GZL", "period": "2025Q2", "org": "NBFH01"}).json()
    assert form["elements"] and form["status"] in ("draft", "submitted", "approved")
    series = client.get("/api/indicators/RG-01/series", params={"org": "NBFH"}).json()
    assert len(series) == 14 and series[-1]["value"] is not None
    scores = client.get("/api/scores", params={"year": 2024}).json()
    assert scores and all("rank" in s for s in scores)
    alerts = client.get("/api/alerts", params={"region": "NBFH"}).json()
    assert alerts and all(a["kind"] for a in alerts)
    assert client.get("/api/datasets").json()[0]["code"] in ("GK3", "GZL")


def test_value_write_with_version_and_conflict(client):
    form = client.get("/api/values", params={"dataset": "GZL", "period": "2025Q2", "org": "NBFHJ01"}).json()
    if form["status"] in ("submitted", "approved"):
        client.post("/api/submissions/reopen", json={"dataset": "GZL", "org": "NBFHJ01", "period": "2025Q2",
                                                     "reason": "测试修改"})
    el = form["elements"][0]
    r = client.put("/api/values", json={"org": "NBFHJ01", "element": el["code"], "period": "2025Q2", "value": 123,
                                        "version": el["version"]})
    assert r.status_code == 200, r.text
    stale = client.put("/api/values", json={"org": "NBFHJ01", "element": el["code"], "period": "2025Q2", "value": 124,
                                            "version": el["version"]})
    assert stale.status_code == 409 and stale.json()["detail"]


def test_submission_workflow(client):
    rows = client.get("/api/submissions", params={"dataset": "GZL", "period": "2025Q2", "status": "submitted"}).json()
    org = rows[0]["org"]
    done = client.post("/api/submissions/approve", json={"dataset": "GZL", "org": org, "period": "2025Q2"})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    again = client.post("/api/submissions/approve", json={"dataset": "GZL", "org": org, "period": "2025Q2"})
    assert again.status_code in (400, 409) and again.json()["detail"]


def test_plan_extract_and_save(client):
    r = client.post("/api/plans/extract", files={"file": ("方案.txt", PLAN_TXT.encode(), "text/plain")})
    assert r.status_code == 200
    ledger = r.json()
    assert ledger["tasks"][0]["targets"][0]["catalog_code"] == "RG-01"
    ledger["tasks"][0]["targets"][0]["value"] = 66
    ledger["doc_number"] = "某卫测〔2025〕66号"  # a plan of this test's own, whatever else saved PLAN_TXT
    ledger["source_text"] += "\n（本测试的方案）"
    before = len(client.get("/api/plans").json())
    saved = client.post("/api/plans", json=ledger)
    assert saved.status_code == 201 and saved.json()["targets"] == 1 and saved.json()["created"]
    assert len(client.get("/api/plans").json()) == before + 1
    again = client.post("/api/plans", json=ledger)  # saving it again updates it in place
    assert again.status_code == 201 and not again.json()["created"] and again.json()["plan_id"] == saved.json()["plan_id"]
    assert len(client.get("/api/plans").json()) == before + 1


@pytest.mark.parametrize("method, url, kwargs, status, field", [
    ("get", "/api/plans/abc", {}, 422, "plan_id"),
    ("get", "/api/plans/99999", {}, 404, "plan_id"),
    ("get", "/api/orgs/NOPE", {}, 404, "org"),
    ("get", "/api/targets", {"params": {"period": "2025Q9"}}, 422, "period"),
    ("get", "/api/scores", {"params": {"year": "明年"}}, 422, "year"),
    ("get", "/api/indicators/XX-99/series", {"params": {"org": "HZ"}}, 404, "code"),
    ("get", "/api/values", {"params": {"dataset": "NOPE", "period": "2025Q2", "org": "HZ"}}, 404, "dataset"),
    ("put", "/api/values", {"json": {"org": "HZ", "element": "PHC_VISITS", "period": "2025Q2", "value": "很多"}}, 422, "value"),
    ("put", "/api/values", {"json": {"org": "NOPE", "element": "PHC_VISITS", "period": "2025Q2", "value": 1}}, 404, "org"),
    ("post", "/api/submissions/approve", {"json": {"dataset": "GZL", "org": "NOPE", "period": "2025Q2"}}, 404, "org"),
    ("post", "/api/submissions/return", {"json": {"dataset": "GZL", "org": "NBFH01", "period": "2025Q2"}}, 422, "reason"),
    ("post", "/api/submissions/destroy", {"json": {"dataset": "GZL", "org": "NBFH01", "period": "2025Q2"}}, 422, "action"),
    ("post", "/api/plans", {"json": {"title": "x"}}, 422, "tasks"),
    ("post", "/api/plans/extract", {"files": {"file": ("a.exe", b"MZ", "application/octet-stream")}}, 415, "file"),
    ("post", "/api/plans/extract", {"files": {"file": ("a.txt", b"", "text/plain")}}, 400, "file"),
])
def test_bad_input_is_a_4xx_with_a_chinese_message(client, method, url, kwargs, status, field):
    r = getattr(client, method)(url, **kwargs)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])


def test_oversized_upload_is_refused(client, monkeypatch):
    from hqd.web import api

    monkeypatch.setattr(api, "MAX_UPLOAD_BYTES", 1000)
    r = client.post("/api/values/import", files={"file": ("big.csv", io.BytesIO(b"x" * 5000), "text/csv")})
    assert r.status_code == 413 and "上限" in r.json()["detail"]


def test_page_escapes_plan_text(client, saved_plan):
    html = client.get(f"/plans/{saved_plan['plan_id']}").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
