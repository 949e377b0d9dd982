"""Probed validation (rules no row breaks left out) names every bad row exactly as full validation."""

from __future__ import annotations

from hqd.records import schema
from hqd.records.pipeline import Session
from hqd.records.probes import rules_that_never_fire
from hqd.records.settings import RecordsSettings

from .handmade import RECORDS, rec, write_parquet

BAD = [
    rec("A", "y1", "G1", 2, 3000, 1000, sex="7"),  # unknown code
    rec("A", "y2", "G1", 2, 3000, 1000, primary_dx="12X"),  # not ICD-10
    rec("A", "y3", "G1", -1, 3000, 1000, sex="7"),  # two rules: the code rule comes first
    rec("B", "y4", "G2", 2, 3000, 2500, material_cost=900.0),  # drug + material > total
    rec("B", "y5", "G2", 2, 3000, 1000, record_id=""),  # record number missing
]


def test_probes_keep_exactly_the_rules_that_fire_and_rejects_are_unchanged(tmp_path):
    path = write_parquet(tmp_path / "r.parquet", RECORDS + BAD)
    with Session(path, "duckdb", settings=RecordsSettings()) as s:
        never = rules_that_never_fire(s.engine, "input_typed")
        assert "性别（sex）代码未知" not in never and "主要诊断编码不符合ICD-10格式" not in never
        assert "年龄超出0–150岁" in never and "医疗付费方式（payer）代码未知" in never
        report = s.rejects()
        # The same rows, by the same first reason, when every rule is evaluated on every row.
        s.engine.create_view("all_rules", schema.validated_sql("input_raw", set(), set(schema.NAMES), False))
        _, rows = s.engine.query("SELECT _reason, COUNT(*) FROM all_rules WHERE _reason IS NOT NULL GROUP BY 1")
        assert report.by_reason == {r: n for r, n in rows}
        assert report.by_reason == {
            "性别（sex）代码未知": 2,
            "主要诊断编码不符合ICD-10格式": 1,
            "药品费与卫生材料费之和大于住院总费用": 1,
            "病案记录号（record_id）缺失": 1,
        }
        assert report.valid_rows == len(RECORDS)
        # The measures read exactly the valid rows.
        _, rows = s.engine.query("SELECT COUNT(*) FROM input_clean")
        assert rows[0][0] == len(RECORDS)


def test_statistics_prove_rules_on_clean_files_and_never_hide_a_bad_row(tmp_path):
    from hqd.records.probes import proven_by_stats

    clean = write_parquet(tmp_path / "clean.parquet", RECORDS)
    with Session(clean, "duckdb", settings=RecordsSettings()) as s:
        stats = s.engine.column_stats("input_raw")
        proven = {r.message for r in schema.RULES if proven_by_stats(r, stats)}
        assert {"实际住院天数小于0", "年龄超出0–150岁", "费用为负数", "择期手术标志（elective）代码未知",
                "手术级别（surgery_grade）代码未知", "病案记录号（record_id）缺失"} <= proven
        # Code lists of text columns and the ICD-10 pattern need the data, not the statistics.
        assert "性别（sex）代码未知" not in proven and "主要诊断编码不符合ICD-10格式" not in proven
    # Each of these breaks a rule the statistics would otherwise prove: min/max/null count show it.
    bad = [
        rec("A", "z1", "G1", 2, 3000, 1000, age=151),
        rec("A", "z2", "G1", 2, 3000, -5),  # negative drug cost
        rec("A", "z3", "G1", 2, 3000, 1000, surgery_grade=5, surgery_count=1),
        rec("A", "z4", "G1", 2, 3000, 1000, elective=None),
    ]
    path = write_parquet(tmp_path / "bad.parquet", RECORDS + bad)
    with Session(path, "duckdb", settings=RecordsSettings()) as s:
        assert s.rejects().by_reason == {
            "年龄超出0–150岁": 1, "费用为负数": 1, "手术级别（surgery_grade）代码未知": 1, "择期手术标志（elective）缺失": 1,
        }


def test_rows_breaking_only_multi_column_rules_are_named_after_the_counting_scan(tmp_path):
    # Every probed rule holds, so scan 1 first only counts rows breaking the rules left; one does.
    bad = [rec("B", "z5", "G2", 2, 3000, 1000, admit_date=__import__("datetime").date(2025, 6, 1))]
    path = write_parquet(tmp_path / "r.parquet", RECORDS + bad)
    with Session(path, "duckdb", settings=RecordsSettings()) as s:
        assert "input" in s._cleared
        report = s.rejects()
        assert report.by_reason == {"出院日期早于入院日期": 1} and report.valid_rows == len(RECORDS)
        assert [x["record_id"] for x in report.samples] == ["z5"]
        _, rows = s.engine.query("SELECT COUNT(*) FROM input_clean")
        assert rows[0][0] == len(RECORDS)
