"""The commands end to end, as users run them: Chinese messages, exit 2 on bad input, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from openpyxl import load_workbook

from hqd_testdb import DATASET, ELEMENTS, good_values, write_orgs_csv

HQD = [str(Path(sys.executable).with_name("hqd"))]
PLANS = Path(__file__).resolve().parents[2] / "examples" / "plans"


def hqd(args, url, cwd, ok=True):
    env = {**os.environ, "HQD_DATABASE_URL": url, "HQD_USER": "测试员"}
    r = subprocess.run(HQD + [str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    if ok:
        assert r.returncode == 0, r.stderr + r.stdout
    return r


def test_quarterly_cycle_from_the_command_line(tmp_path):
    """The whole cycle on the default SQLite store (the services below are tested on both databases)."""
    db_url = f"sqlite:///{tmp_path / 'hqd.db'}"
    run = lambda *a, ok=True: hqd(a, db_url, tmp_path, ok)  # noqa: E731
    assert "数据库结构已是最新版本 0004" in run("db", "upgrade").stdout
    assert "新增 12" in run("collect", "orgs", write_orgs_csv(tmp_path / "orgs.csv")).stdout
    (tmp_path / "el.csv").write_text("数据项代码,数据项名称,单位,汇总方式\n" + "\n".join(
        f"{e['code']},{e['name']},{e['unit']},{e['aggregation']}" for e in ELEMENTS), encoding="utf-8")
    assert "已导入 5 个数据项" in run("collect", "elements", tmp_path / "el.csv").stdout
    (tmp_path / "ds.yaml").write_text(yaml.safe_dump(DATASET, allow_unicode=True), encoding="utf-8")
    assert "8 个机构，3 条校验规则" in run("collect", "dataset", tmp_path / "ds.yaml").stdout
    out = run("collect", "template", "GZL", "--period", "2025Q2", "--out", tmp_path / "t.xlsx").stdout
    assert "已生成" in out
    wb = load_workbook(tmp_path / "t.xlsx")
    for i in range(1, 9):
        ws = wb[f"H{i:03d}"]
        for r in range(7, 12):
            ws.cell(r, 4).value = good_values(i)[ws.cell(r, 1).value]
    wb["H002"]["D7"] = "一千"
    wb.save(tmp_path / "t.xlsx")
    bad = run("collect", "import", tmp_path / "t.xlsx", ok=False)
    assert bad.returncode == 2
    assert "有 1 个错误，未写入任何数据" in bad.stderr and "工作表 H002 单元格 D7：“一千”不是数字" in bad.stderr
    wb["H002"]["D7"] = good_values(2)["CYRS"]
    wb.save(tmp_path / "t.xlsx")
    assert "本次未写入" in run("collect", "import", tmp_path / "t.xlsx", "--dry-run").stdout
    assert "新增 40" in run("collect", "import", tmp_path / "t.xlsx").stdout
    assert "已上报" in run("collect", "submit", "GZL", "--period", "2025Q2", "--org", "H001").stdout
    status = run("collect", "status", "GZL", "--period", "2025Q2").stdout
    assert "机构" in status and "12.5%" in status
    audit = run("collect", "audit", "--key", "GZL|H001").stdout
    assert "测试员 submit submission GZL|H001|2025Q2" in audit
    # Bad input elsewhere: exit 2 with the reason.
    r = run("collect", "template", "GZL", "--period", "2025-03", ok=False)
    assert r.returncode == 2 and "按季度填报，期间“2025-03”是月" in r.stderr
    r = run("collect", "submit", "NOPE", "--period", "2025Q2", "--org", "H001", ok=False)
    assert r.returncode == 2 and "数据集“NOPE”不存在" in r.stderr
    # Plans, twice: updated, not duplicated.
    first = run("ledger", "import", PLANS).stdout.splitlines()
    assert len(first) == 5 and all(line.startswith("新增 ") for line in first)
    again = run("ledger", "import", PLANS).stdout.splitlines()
    assert len(again) == 5 and all(line.startswith("更新 ") for line in again)
    listed = run("ledger", "list").stdout.strip().splitlines()
    assert len(listed) == 5
    assert any("杭州市" in line and "杭政办函" in line for line in listed)  # the region its issuer names
    r = run("ledger", "import", PLANS, "--org", "NOPE", ok=False)
    assert r.returncode == 2 and "机构代码“NOPE”不存在" in r.stderr
    r = run("ledger", "import", tmp_path / "missing.txt", ok=False)
    assert r.returncode == 2 and "missing.txt" in r.stderr
    # Backup, then restore into a fresh SQLite file.
    assert "已备份" in run("db", "backup", tmp_path / "b.jsonl").stdout
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert "已恢复" in hqd(["db", "restore", tmp_path / "b.jsonl"], fresh, tmp_path).stdout
    info = hqd(["db", "info"], fresh, tmp_path).stdout
    assert "data_value           40" in info
    r = hqd(["db", "restore", tmp_path / "b.jsonl"], fresh, tmp_path, ok=False)
    assert r.returncode == 2 and "目标数据库不是空的" in r.stderr


def test_bad_database_url_is_a_message(tmp_path):
    r = hqd(["db", "upgrade"], "mysql://x@y/z", tmp_path, ok=False)
    assert r.returncode == 2 and "不支持的数据库类型" in r.stderr


def test_postgresql_from_the_command_line(db_url, tmp_path):
    if not db_url.startswith("postgresql"):
        return
    assert "postgresql+psycopg://" in hqd(["db", "upgrade"], db_url, tmp_path).stdout
    assert "新增 12" in hqd(["collect", "orgs", write_orgs_csv(tmp_path / "orgs.csv")], db_url, tmp_path).stdout
    assert "org                  12" in hqd(["db", "info"], db_url, tmp_path).stdout


def test_broken_or_unknown_files_are_messages(tmp_path):
    url = f"sqlite:///{tmp_path / 'hqd.db'}"
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    r = hqd(["collect", "import", tmp_path / "bad.xlsx"], url, tmp_path, ok=False)
    assert r.returncode == 2 and "bad.xlsx：不是有效的 xlsx 文件" in r.stderr
    (tmp_path / "v.txt").write_text("x", encoding="utf-8")
    r = hqd(["collect", "import", tmp_path / "v.txt"], url, tmp_path, ok=False)
    assert r.returncode == 2 and "不支持的格式“.txt”" in r.stderr
