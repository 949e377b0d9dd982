"""DuckDB and Spark give identical results on the same data, for every measure.

One test on purpose: Spark start-up is slow. pyspark is a hard requirement of this test (the
``scale`` extra): if it is missing, the import below fails and the test errors — it never skips.
"""

from __future__ import annotations

import pyspark  # noqa: F401  — fail loudly if the scale extra is not installed
import pytest

from hqd.records.pipeline import Session
from hqd.records.settings import RecordsSettings
from hqd.records.synth import synth

from .handmade import write_csv

SETTINGS = RecordsSettings(spark_master="local[2]", spark_driver_memory="1g")


def _results(path, engine, periods):
    with Session(path, engine, settings=SETTINGS) as s:
        out = {p: s.compute(p) for p in periods}
        drill = s.drill("DFXSWL", "H0002", "2025Q3", "numerator", limit=None)
    return out, drill


def test_duckdb_and_spark_agree_on_every_measure(tmp_path):
    synth(tmp_path / "syn", 40_000, 8, 2025, chunk_rows=20_000, malformed=6)
    periods = ["2025", "2025Q3", "2025-11"]
    duck, duck_drill = _results(tmp_path / "syn", "duckdb", periods)
    spark, spark_drill = _results(tmp_path / "syn", "spark", periods)
    for p in periods:
        d, s = duck[p], spark[p]
        assert d.rejects.by_reason == s.rejects.by_reason and d.rejects.rejected == 6
        assert d.records_in_period == s.records_in_period
        assert [(g.drg_code, g.n, g.deaths, g.low_risk) for g in d.reference] == [
            (g.drg_code, g.n, g.deaths, g.low_risk) for g in s.reference]
        dv = {(v.org, v.period, v.element): v.value for v in d.data_values}
        sv = {(v.org, v.period, v.element): v.value for v in s.data_values}
        assert dv.keys() == sv.keys() and len(dv) > 100
        for k in dv:
            assert sv[k] == pytest.approx(dv[k], rel=1e-9, abs=1e-9), k
        for a, b in zip(d.rates, s.rates, strict=True):
            assert (a.org, a.period, a.measure, a.denominator, a.excluded) == (
                b.org, b.period, b.measure, b.denominator, b.excluded)
            assert (a.value is None) == (b.value is None)
            if a.value is not None:
                assert b.value == pytest.approx(a.value, rel=1e-9)
    assert [r["record_id"] for r in duck_drill] == [r["record_id"] for r in spark_drill] and duck_drill
    # CSV (GB18030) through Spark's reader: the same rejects as DuckDB's.
    csv_path = write_csv(tmp_path / "hm.csv", "gb18030")
    with Session(csv_path, "spark", settings=SETTINGS) as s:
        sp = s.compute("2025Q2")
    with Session(csv_path, "duckdb", settings=SETTINGS) as s:
        dk = s.compute("2025Q2")
    assert sp.rejects.by_reason == dk.rejects.by_reason
    assert sorted(x["line"] for x in sp.rejects.samples) == sorted(x["line"] for x in dk.rejects.samples)
    assert [(r.org, r.measure, r.denominator, r.excluded) for r in sp.rates] == [
        (r.org, r.measure, r.denominator, r.excluded) for r in dk.rates]
