"""The `hqd records` commands, bad input handling (exit 2, Chinese message) and the generator."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
from typer.testing import CliRunner

from hqd.cli import app
from hqd.records import compute
from hqd.records.synth import synth

from .handmade import RECORDS, write_csv, write_parquet

runner = CliRunner()


def test_compute_writes_data_values(tmp_path):
    src = write_parquet(tmp_path / "in" / "r.parquet")
    out = tmp_path / "dv.csv"
    r = runner.invoke(app, ["records", "compute", str(src.parent), "--period", "2025Q2", "--out", str(out),
                            "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {"org", "period", "element_code", "value"} == set(rows[0])
    got = {(x["org"], x["element_code"]): float(x["value"]) for x in rows}
    assert got[("A", "DISCH")] == 7 and got[("A", "COMPL_PTS")] == 1
    payload = json.loads(r.stdout[r.stdout.index("{"):])
    assert payload["period"] == "2025Q2" and payload["rejects"]["total_rows"] == len(RECORDS)


def test_drill_and_measures_commands(tmp_path):
    src = write_parquet(tmp_path / "r.parquet")
    r = runner.invoke(app, ["records", "drill", str(src), "--measure", "dfxswl", "--org", "A", "--period", "2025Q2"])
    assert r.exit_code == 0, r.output
    assert "a4" in r.stdout and "a1" not in r.stdout
    assert runner.invoke(app, ["records", "measures"]).exit_code == 0


def test_check_reports_bad_rows_and_exits_1(tmp_path):
    r = runner.invoke(app, ["records", "check", str(write_csv(tmp_path / "r.csv", "gb18030"))])
    assert r.exit_code == 1
    assert "不合格 4 条" in r.output and "实际住院天数小于0" in r.output


def test_bad_input_exits_2_with_a_chinese_message(tmp_path):
    src = write_parquet(tmp_path / "r.parquet")
    cases = [
        ["records", "compute", str(src), "--period", "2025Q5"],
        ["records", "compute", str(tmp_path / "missing"), "--period", "2025"],
        ["records", "compute", str(src), "--period", "2025", "--engine", "oracle"],
        ["records", "drill", str(src), "--measure", "XYZ", "--org", "A", "--period", "2025"],
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("org_code,record_id\nA,1\n", encoding="utf-8")
    cases.append(["records", "compute", str(bad), "--period", "2025"])
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"org_code,record_id\n\xff\xfe\xfa,1\n")
    cases.append(["records", "check", str(latin), "--encoding", "utf-8"])
    for args in cases:
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
        assert "错误：" in r.output and "Traceback" not in r.output, r.output
    assert "缺少必需字段" in runner.invoke(app, cases[4]).output
    assert "打开数据" not in runner.invoke(app, cases[0]).output  # a mistyped period fails before any progress


def test_synth_is_deterministic_and_has_outliers(tmp_path):
    a = synth(tmp_path / "a", 30_000, 6, 2025, chunk_rows=10_000, malformed=3)
    b = synth(tmp_path / "b", 30_000, 6, 2025, chunk_rows=10_000, malformed=3)
    assert len(a) == 3
    for x, y in zip(a, b, strict=True):
        assert pq.read_table(x).equals(pq.read_table(y))
    res = compute(tmp_path / "a", "2025")
    assert res.rejects.rejected == 3 and res.rejects.total_rows == 30_000
    sszb = {r.org: r.value for r in res.rates if r.period == "2025" and r.measure == "SSZB"}
    assert sszb["H0004"] == 0.0  # the no-surgery outlier
    assert all(v > 15 for k, v in sszb.items() if k != "H0004")
    cost = {r.org: r.value for r in res.rates if r.period == "2025" and r.measure == "FYXHZS"}
    assert cost["H0003"] == max(cost.values())  # the costly outlier
    r = runner.invoke(app, ["records", "synth", "--rows", "10", "--hospitals", "2", "--year", "2025",
                            "--out", str(tmp_path / "a")])
    assert r.exit_code == 2 and "已有数据文件" in r.output
