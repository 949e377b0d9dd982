"""Uploads that are too large, zip bombs, malformed Office/PDF files, wrong extensions and path
traversal in file names: a 4xx with a Chinese message, and nothing written to the store."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hqd.store.models import AuditLog, DataValue, Plan


def _counts(store):
    with store.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (DataValue, AuditLog, Plan))


def _bomb(tmp_path: Path, name: str, member: str) -> bytes:
    """A valid-looking Office zip whose one member inflates to 210 MB of zeros (about 200 kB on disk)."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open(member, "w") as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(210):
                f.write(chunk)
    return path.read_bytes()


@pytest.fixture()
def nothing_written(demo_store):
    before = _counts(demo_store)
    yield
    after = _counts(demo_store)
    assert after[0] == before[0] and after[2] == before[2], "a refused upload changed the store"
    # the audit log may only have grown by denials, never by data changes
    with demo_store.session() as s:
        new = list(s.scalars(select(AuditLog.action).order_by(AuditLog.id.desc()).limit(after[1] - before[1])))
    assert set(new) <= {"denied"}


def _detail(r) -> str:
    body = r.json()
    assert body["field"] == "file" and not body["detail"].isascii(), body
    return body["detail"]


def test_upload_over_the_size_limit(client, nothing_written):
    from hqd.web.app import MAX_UPLOAD_BYTES

    big = b"dataset,org,element,period,value\n" + b"GZL,NBFH01,PHC_VISITS,2025Q2,1\n" * (MAX_UPLOAD_BYTES // 30 + 10)
    r = client.post("/api/values/import", files={"file": ("big.csv", big)})
    assert r.status_code == 413 and "MB 上限" in _detail(r)


@pytest.mark.parametrize("route, name, member", [("/api/values/import", "bomb.xlsx", "xl/worksheets/sheet1.xml"),
                                                 ("/api/plans/extract", "bomb.docx", "word/document.xml")])
def test_zip_bomb_is_refused_before_inflating(client, tmp_path, nothing_written, route, name, member):
    r = client.post(route, files={"file": (name, _bomb(tmp_path, name, member))})
    assert r.status_code == 413 and "压缩炸弹" in _detail(r)


def test_zip_bomb_refused_by_the_xlsx_reader_too(tmp_path):
    from hqd.collect.importer import read_xlsx
    from hqd.store.errors import StoreError

    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_bomb(tmp_path, "b.xlsx", "xl/worksheets/sheet1.xml"))
    with pytest.raises(StoreError, match="压缩炸弹"):
        read_xlsx(path)


@pytest.mark.parametrize("route, name, content, word", [
    ("/api/values/import", "bad.xlsx", b"PK\x03\x04 not a workbook" * 20, "xlsx"),
    ("/api/values/import", "bad.json", b"{not json", "JSON"),
    ("/api/values/import", "empty.csv", b"", "空"),
    ("/api/plans/extract", "bad.docx", b"PK\x03\x04 not really a zip" * 10, "损坏"),
    ("/api/plans/extract", "bad.pdf", b"%PDF-1.4\n garbage without objects", "PDF"),
    ("/api/plans/extract", "plan.exe", b"MZ\x90\x00", "不支持的文件类型"),
    ("/api/values/import", "values.xlsm", b"PK\x03\x04", "不支持的文件类型"),
])
def test_malformed_files_and_wrong_extensions(client, nothing_written, route, name, content, word):
    r = client.post(route, files={"file": (name, content)})
    assert 400 <= r.status_code < 500, r.text
    detail = r.json().get("detail") or ""
    errors = " ".join(r.json().get("errors") or [])
    assert word.lower() in (detail + errors).lower(), r.text


@pytest.mark.parametrize("name", ["../../../../tmp/hqd-traversal-probe.csv", "..\\..\\hqd-traversal-probe.csv",
                                  "/etc/hqd-traversal-probe.csv", "a\x00b.csv"])
def test_path_traversal_in_file_names_stays_in_the_upload_folder(client, nothing_written, name):
    csv = "dataset,org,element,period,value\nGZL,NOSUCHORG,PHC_VISITS,2025Q2,1\n"
    r = client.post("/api/values/import", files={"file": (name, csv.encode())})
    assert r.status_code == 422 and "NOSUCHORG" in " ".join(r.json()["errors"])
    assert "/" not in r.json()["file"] and "\\" not in r.json()["file"] and ".." not in r.json()["file"].strip(".")
    assert not Path("/tmp/hqd-traversal-probe.csv").exists() and not Path("/etc/hqd-traversal-probe.csv").exists()


def test_page_upload_of_a_bad_file_shows_a_chinese_message(client, nothing_written):
    r = client.post("/plans/upload", files={"file": ("x.docx", b"PK\x03\x04 junk" * 10)})
    assert r.status_code == 200 and "损坏" in r.text, r.text[:300]


def test_form_field_injection_is_shown_as_text(client_as, client):
    """A unit name typed into the plan review form is text in every page that shows it."""
    ledger = client.post("/api/plans/extract", files={"file": ("p.txt", (
        "某区推动公立医院高质量发展实施方案\n2024年3月1日\n一、重点任务\n"
        "1.推进分级诊疗。到2025年，基层就诊率达到65%以上。（责任单位：区卫生健康局）\n").encode())}).json()
    ledger["title"] = "<img src=x onerror=alert(1)>方案"
    ledger["tasks"][0]["lead_units"] = ["<b onmouseover=alert(2)>局</b>"]
    saved = client.post("/api/plans", json=ledger).json()
    html = client.get(f"/plans/{saved['plan_id']}").text
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b onmouseover" not in html
    assert "<img src=x" not in client.get("/plans").text
