"""The value cache evaluation reads from follows every write, on SQLite and PostgreSQL: values
entered, changed or set to NULL through the store, rows written with old timestamps, transactions
still open while it refreshed, a new process starting from the saved file, and a new database at
the same address."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import text

from hqd.store import value_cache
from hqd.store.bulk import db_time, insert_rows
from hqd.store.db import open_store
from hqd.store.elements import upsert_data_elements
from hqd.store.models import Org
from hqd.store.read import read_cube
from hqd.store.values import ValueWrite, get_or_create_period, set_value, write_values

ELEMENTS = ["E1", "E2", "E3"]
PERIODS = ["2025Q1", "2025Q2", "2025Q3"]


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HQD_DATA_DIR", str(tmp_path / "data"))  # where a PostgreSQL store's cache file goes


def _tree(store, hospitals: int = 6) -> list[str]:
    with store.session() as s:
        city = Org(code="C", name="某市", level=1, path="/C/")
        s.add(city)
        s.flush()
        for k in range(hospitals):
            s.add(Org(code=f"H{k}", name=f"医院{k}", level=2, parent_id=city.id, path=f"/C/H{k}/"))
        upsert_data_elements(s, [{"code": e, "name": f"数据项{e}", "unit": "人次", "aggregation": "sum"}
                                 for e in ELEMENTS])
        for p in PERIODS:
            get_or_create_period(s, p)
    return [f"H{k}" for k in range(hospitals)]


def _truth(store) -> dict[tuple[str, str, str], float | None]:
    with store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT o.code, e.code, p.code, v.value FROM data_value v JOIN org o ON o.id = v.org_id "
            "JOIN data_element e ON e.id = v.data_element_id JOIN period p ON p.id = v.period_id")).all()
    return {(o, e, p): v for o, e, p, v in rows}


def _assert_cache_matches(store) -> int:
    cube = read_cube(store, ELEMENTS, PERIODS)
    truth = _truth(store)
    org_at = {o: k for k, o in enumerate(cube.orgs)}
    checked = 0
    for o, k in org_at.items():
        for j, e in enumerate(cube.elements):
            for i, p in enumerate(cube.periods):
                got, want = cube.value[k, j, i], truth.get((o, e, p))
                if want is None:
                    assert math.isnan(got), (o, e, p, got)
                else:
                    assert got == want, (o, e, p, got, want)
                    checked += 1
    return checked


def test_the_cache_follows_every_write_and_a_new_process_starts_from_its_file(store):
    hospitals = _tree(store)
    rnd = random.Random(9)
    seen = 0
    for round_ in range(8):
        with store.session() as s:
            for _ in range(12):
                value = None if rnd.random() < 0.15 else float(rnd.randint(0, 500))
                set_value(s, rnd.choice(hospitals), rnd.choice(ELEMENTS), rnd.choice(PERIODS), value, actor="tester")
        if round_ % 3 == 2:
            value_cache.forget(store)  # as a new command would: load the saved file, then read the changes
        seen = _assert_cache_matches(store)
    assert seen > 20
    path = value_cache.cache_path(store)
    assert path is not None and path.is_file()


def test_rows_written_with_old_timestamps_are_found_by_their_id(store):
    _tree(store)
    with store.session() as s:
        set_value(s, "H0", "E1", "2025Q1", 1, actor="tester")
    _assert_cache_matches(store)
    with store.session() as s:
        conn = s.connection()
        ids = dict(conn.execute(text("SELECT code, id FROM org")).all())
        element = conn.execute(text("SELECT id FROM data_element WHERE code = 'E2'")).scalar()
        period = conn.execute(text("SELECT id FROM period WHERE code = '2025Q2'")).scalar()
        # an import of last year's figures keeps the time they were reported
        insert_rows(conn, "data_value", ("org_id", "data_element_id", "period_id", "value", "version", "updated_at"),
                    [(ids["H1"], element, period, 77.0, 1, db_time(conn, datetime(2020, 1, 1, tzinfo=UTC)))])
    assert _assert_cache_matches(store) == 2


@pytest.mark.parametrize("lag", [600.0, 0.0])
def test_a_change_committed_after_a_refresh_that_missed_it_is_read_within_the_lag(store, lag, monkeypatch):
    monkeypatch.setenv("HQD_VALUE_CACHE_LAG", str(lag))
    _tree(store)
    with store.session() as s:
        set_value(s, "H0", "E1", "2025Q1", 1, actor="tester")
    _assert_cache_matches(store)
    with store.session() as s:
        # changed (stamped now), but not committed while the cache refreshes
        write_values(s, [ValueWrite(org_id=s.scalar(text("SELECT id FROM org WHERE code = 'H0'")),
                                    element_id=s.scalar(text("SELECT id FROM data_element WHERE code = 'E1'")),
                                    period_id=s.scalar(text("SELECT id FROM period WHERE code = '2025Q1'")),
                                    value=2.0, key="H0|E1|2025Q1")], actor="tester", source="form")
        cube = read_cube(store, ["E1"], ["2025Q1"])
        assert cube.value[cube.orgs.index("H0"), 0, 0] == 1.0  # not committed yet
    cube = read_cube(store, ["E1"], ["2025Q1"])
    got = cube.value[cube.orgs.index("H0"), 0, 0]
    # the lag is what catches it: without one, the cache would keep the old value
    assert got == (2.0 if lag else 1.0)


def test_a_new_database_at_the_same_address_does_not_use_the_old_cache(tmp_path):
    url = f"sqlite:///{tmp_path / 'hqd.db'}"
    first = open_store(url)
    _tree(first)
    with first.session() as s:
        set_value(s, "H0", "E1", "2025Q1", 10, actor="tester")
    _assert_cache_matches(first)
    path = value_cache.cache_path(first)
    first.dispose()
    assert path.is_file()
    (tmp_path / "hqd.db").unlink()  # rebuilt, as `hqd demo` does; the cache file stays
    second = open_store(url)
    _tree(second)
    with second.session() as s:
        set_value(s, "H1", "E1", "2025Q1", 20, actor="tester")
    value_cache.forget(second)
    cube = read_cube(second, ["E1"], ["2025Q1"])
    assert np.isnan(cube.value[cube.orgs.index("H0"), 0, 0]) and cube.value[cube.orgs.index("H1"), 0, 0] == 20
    second.dispose()


def test_an_unreadable_cache_file_is_read_again_from_the_database(store):
    _tree(store)
    with store.session() as s:
        set_value(s, "H2", "E3", "2025Q3", 5, actor="tester")
    _assert_cache_matches(store)
    path = value_cache.cache_path(store)
    path.write_bytes(b"not a cache")
    value_cache.forget(store)
    assert _assert_cache_matches(store) == 1


def test_memory_only_when_the_file_is_switched_off(store, monkeypatch):
    monkeypatch.setenv("HQD_VALUE_CACHE", "0")
    _tree(store)
    with store.session() as s:
        set_value(s, "H2", "E3", "2025Q3", 5, actor="tester")
    assert _assert_cache_matches(store) == 1
    assert value_cache.cache_path(store) is None


def test_a_restored_backup_is_another_database(store, tmp_path):
    from hqd.store.backup import backup, restore

    _tree(store)
    backup(store, tmp_path / "b.jsonl")
    other = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    restore(other, tmp_path / "b.jsonl")
    with store.engine.connect() as a, other.engine.connect() as b:
        assert value_cache._instance(a) != value_cache._instance(b)
    other.dispose()
