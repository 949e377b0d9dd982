"""Fuzzing the import parsers with generated files: they return entries and errors, or raise the
store's Chinese StoreError, and never crash or hang on anything else."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hqd.collect.importer import read_csv, read_xlsx
from hqd.store.errors import StoreError

CELLS = st.one_of(st.none(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                  st.text(max_size=20), st.sampled_from(["GZL", "NBFH01", "PHC_VISITS", "2025Q2", "=1+1", "1,234.5",
                                                         "—", "机构代码", "数据项代码", "期间", "数值", "数据集", "２０２５Q２"]))
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _write(data: bytes, suffix: str) -> Path:
    f = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)
    f.write(data)
    f.close()
    return Path(f.name)


def _parse(reader, path: Path) -> None:
    try:
        ds, entries, errors = reader(path)
        assert all(isinstance(e, str) for e in errors)
    except StoreError as exc:
        assert str(exc) and not str(exc).isascii()
    finally:
        path.unlink()


HEADER = st.lists(st.sampled_from(["org", "element", "period", "value", "comment", "dataset", "机构代码", "数值", "x"]),
                  max_size=7)


@FAST
@given(HEADER, st.lists(st.lists(CELLS, max_size=8), max_size=30), st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_read_csv_never_crashes(header, rows, encoding):
    buf = io.StringIO()
    buf.write(",".join(header) + "\n")
    for row in rows:
        buf.write(",".join("" if c is None else str(c).replace("\n", " ") for c in row) + "\n")
    _parse(read_csv, _write(buf.getvalue().encode(encoding, errors="replace"), ".csv"))


@FAST
@given(st.binary(max_size=2000))
def test_read_csv_of_random_bytes(data):
    _parse(read_csv, _write(data, ".csv"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.text(st.characters(min_codepoint=0x30, max_codepoint=0x9fff, exclude_categories=("Cs", "Cc")),
                                  min_size=1, max_size=12).map(str.strip).filter(lambda t: t and not set(t) & set("[]:*?/\\'")),
                          st.lists(st.lists(CELLS, max_size=7), max_size=15)), min_size=1, max_size=3, unique_by=lambda x: x[0]))
def test_read_xlsx_never_crashes(sheets):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title[:31])
        for row in rows:
            ws.append([c if not isinstance(c, str) else "".join(ch for ch in c if ch >= " ") for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    _parse(read_xlsx, _write(buf.getvalue(), ".xlsx"))


@FAST
@given(st.binary(max_size=3000).map(lambda b: b"PK\x03\x04" + b))
def test_read_xlsx_of_random_zip_like_bytes(data):
    _parse(read_xlsx, _write(data, ".xlsx"))
