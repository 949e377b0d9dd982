"""The pages in a real browser: Debian's chromium, headless, driven by Playwright, against uvicorn on
loopback over the demo database. Every page is opened and screenshotted to out/screenshots; a plan is
uploaded and a correction confirmed; a filled Excel template is uploaded (a validation error by
cell, then the values); a submission is approved; a report is downloaded."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import openpyxl
import pytest

from web_signin import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
PLAN_TXT = ("某县推动公立医院高质量发展实施方案\n2024年3月1日\n一、重点任务\n"
            "1.推进分级诊疗。到2025年，基层就诊率达到65%以上，平均住院日由9.2天缩短至8.5天。（责任单位：县卫生健康局）\n")


@pytest.fixture(scope="module")
def server(app):
    import uvicorn

    if not Path(CHROMIUM).exists():
        pytest.fail(f"缺少 {CHROMIUM}：请运行 scripts/setup.sh（安装 Debian chromium）")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900}, locale="zh-CN")
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors
        sign_in_page(pg, server, "admin")
        yield pg
        browser.close()


def sign_in_page(pg, server, username, password=DEMO_PASSWORD):
    pg.goto(server + "/login")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", password)
    pg.click("button:has-text('登录')")


def test_sign_in_wrong_password_then_a_reporter_sees_its_own_org_only(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_context(locale="zh-CN").new_page()
        pg.goto(server + "/orgs/NBFH01")
        assert "/login" in pg.url  # not signed in: the sign-in page
        sign_in_page(pg, server, "fh01_tianbao", "wrong-Password-1")
        assert "用户名或密码错误" in pg.content()
        pg.screenshot(path=str(SHOTS / "登录失败.png"), full_page=True)
        sign_in_page(pg, server, "fh01_tianbao")
        assert "奉化区医院填报员（填报，NBFH01）" in pg.content()
        pg.screenshot(path=str(SHOTS / "填报员总览.png"), full_page=True)
        assert pg.goto(server + "/orgs/NBFH01").status == 200
        denied = pg.goto(server + "/orgs/HZH01")
        assert denied.status == 403 and "无权" in denied.text()
        assert "无权访问" in pg.content() and "无权查看机构“HZH01”的数据" in pg.content()  # a page, not JSON
        pg.screenshot(path=str(SHOTS / "无权访问.png"), full_page=True)
        pg.click("a:has-text('返回首页')")
        assert pg.url.rstrip("/") == server and "奉化区医院填报员" in pg.content()
        missing = pg.goto(server + "/no-such-page")
        assert missing.status == 404 and "页面不存在" in pg.content()
        pg.goto(server + "/entry")
        assert "NBFH01" in pg.content()
        pg.goto(server + "/")
        pg.click("button:has-text('退出登录')")
        assert "/login" in pg.url
        assert "/login" in (pg.goto(server + "/entry") and pg.url)
        browser.close()


PAGES = [("总览", "/", "量化目标"), ("政策台账", "/plans", "杭州市"), ("方案", "/plans/1", "牵头单位"),
         ("指标", "/indicators?code=RG-01&org=NB", "下级比较"), ("机构", "/orgs", "综合评分"),
         ("机构详情", "/orgs/HZH01", "本机构的目标进展"), ("填报", "/entry", "Excel 模板"), ("督办", "/alerts", "督办清单"),
         ("报告", "/reports", "季度监测报告")]


@pytest.mark.parametrize("name, path, text", PAGES)
def test_every_page_opens(page, server, name, path, text):
    response = page.goto(server + path)
    assert response.status == 200
    assert text in page.content()
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert not page.errors, page.errors


def test_indicator_chart_is_drawn(page, server):
    page.goto(server + "/indicators?code=RG-01&org=NBFH")
    page.wait_for_selector("[data-chart] canvas")
    assert page.locator("[data-chart] canvas").count() >= 1


def test_upload_a_plan_and_confirm_a_correction(page, server, tmp_path):
    plan = tmp_path / "某县方案.txt"
    plan.write_text(PLAN_TXT, encoding="utf-8")
    page.goto(server + "/plans/upload")
    page.set_input_files("input[name=file]", str(plan))
    page.click("button[type=submit]")
    page.wait_for_selector("text=请核对抽取结果")
    assert float(page.input_value("input[name=task_0_target_0_value]")) == 65
    page.fill("input[name=task_0_target_0_value]", "70")
    page.fill("input[name=task_0_lead]", "县卫生健康局、县医保局")
    page.screenshot(path=str(SHOTS / "上传方案审核.png"), full_page=True)
    page.click("text=确认保存")
    page.wait_for_selector("text=基层就诊率 ≥70%")
    assert "县医保局" in page.content()
    main = page.inner_text("main")
    assert "平均住院日 ≤8.5天" in main and "（基线 9.2天）" in main  # the plan's own starting point
    page.screenshot(path=str(SHOTS / "上传后的方案.png"), full_page=True)


def _draft_org(page, server) -> str:
    rows = page.request.get(server + "/api/submissions?dataset=GZL&period=2025Q2&status=draft").json()
    return rows[0]["org"]


def test_excel_template_upload_shows_cell_errors_then_values(page, server, tmp_path):
    org = _draft_org(page, server)
    page.goto(f"{server}/entry?dataset=GZL&period=2025Q2&org={org}")
    with page.expect_download() as info:
        page.click("text=下载本机构模板")
    template = tmp_path / "模板.xlsx"
    info.value.save_as(template)
    wb = openpyxl.load_workbook(template)
    ws = wb[org]
    ws["D7"] = 88888
    ws["D8"] = "很多"
    wb.save(template)
    page.set_input_files("input[name=file]", str(template))
    page.click("text=导入")
    page.wait_for_selector(".errors")
    assert "D8" in page.inner_text(".errors")
    page.screenshot(path=str(SHOTS / "填报导入错误.png"), full_page=True)
    ws["D8"] = 99999
    wb.save(template)
    page.set_input_files("input[name=file]", str(template))
    page.click("text=导入")
    page.wait_for_selector(".ok, .errors")
    assert page.locator(".ok").count(), page.inner_text("main")
    assert page.input_value("input[name=v_PHC_VISITS]") in ("88888", "88888.0")
    page.screenshot(path=str(SHOTS / "填报导入成功.png"), full_page=True)


def test_approve_a_submission(page, server):
    page.goto(f"{server}/entry/review?dataset=GZL&period=2025Q2")
    first = page.locator("table tr").nth(1)
    org_name = first.locator("td").first.inner_text()
    first.locator("text=审核通过").click()
    page.wait_for_selector(".ok")
    assert "已审核" in page.inner_text(".ok")
    page.goto(f"{server}/entry/review?dataset=GZL&period=2025Q2&status=approved")
    assert org_name in page.content()
    page.screenshot(path=str(SHOTS / "报送审核.png"), full_page=True)


def test_download_a_report(page, server, tmp_path):
    from docx import Document

    page.goto(server + "/reports")
    page.select_option("select[name=org]", "HZ")
    with page.expect_download() as info:
        page.click("button:has-text('下载')")
    path = tmp_path / "report.docx"
    info.value.save_as(path)
    text = "\n".join(p.text for p in Document(path).paragraphs)
    assert "杭州市公立医院高质量发展2025年第二季度监测报告" in text


def test_alerts_filter_and_export(page, server, tmp_path):
    page.goto(server + "/alerts")
    page.select_option("select[name=region]", "NBFH")
    page.click("text=筛选")
    assert "region=NBFH" in page.url
    with page.expect_download() as info:
        page.click("text=导出 Excel")
    path = tmp_path / "alerts.xlsx"
    info.value.save_as(path)
    assert openpyxl.load_workbook(path).active.max_row > 2
    shutil.copy(path, SHOTS / "督办清单导出.xlsx")
