"""Cleaning a batch column by column, remembering the outcome of repeated cells, and binding
records straight into statement order give exactly what cleaning each row alone gives."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.dialects.sqlite import pysqlite

from factories import CUSTOMER_COLUMNS, TEST_KEY, complaint, customer, plain_params
from qinglang.ingest import clean
from qinglang.ingest.clean import RowCleaner
from qinglang.ingest.rows import RawRow
from qinglang.model.schema import load_kind
from qinglang.model.values import IdNumberProtector
from qinglang.store import repository as repo
from qinglang.store.tables import record_tables

PROTECTOR = IdNumberProtector(bytes.fromhex(TEST_KEY))


def cleaner(kind: str, columns) -> RowCleaner:
    return RowCleaner(load_kind(kind), tuple(columns), PROTECTOR, 10_000)


def repeating_customers() -> list[RawRow]:
    """Customers whose cells repeat — bad ones too, so that a remembered refusal must still
    reject every row that holds it."""
    rows = []
    for i in range(1, 61):
        row = customer(i % 20 + 1, customer_id=f"C{i:05d}", branch=f"支行{i % 3}")
        if i % 7 == 0:
            row["reserved_phone"] = "not-a-phone"
        if i % 11 == 0:
            row["branch"] = "=cmd|' /C calc'!A0"
        if i % 13 == 0:
            row["address"] = "=HYPERLINK(\"http://x\")"
        rows.append(RawRow(i + 1, {c: row[c] for c in CUSTOMER_COLUMNS}))
    return rows


def one_at_a_time(kind: str, rows: list[RawRow]):
    records, problems = [], []
    for row in rows:
        found, refused = cleaner(kind, row.values).clean_batch([row])
        records += found
        problems += refused
    return records, problems


def test_a_batch_with_repeated_cells_cleans_as_each_row_alone():
    rows = repeating_customers()
    records, problems = cleaner("customers", CUSTOMER_COLUMNS).clean_batch(rows)
    assert (records, problems) == one_at_a_time("customers", rows)
    refused_rows = {p.number for p in problems}
    assert {r.number for r in records}.isdisjoint(refused_rows)
    assert len(refused_rows) == len({i for i in range(1, 61) if i % 7 == 0 or i % 11 == 0
                                     or i % 13 == 0})
    assert records[0].columns["address_district"] == "海淀区"


def test_the_same_cells_cleaned_again_in_a_later_batch_give_the_same_records():
    rows = repeating_customers()
    batches = cleaner("customers", CUSTOMER_COLUMNS)
    first = batches.clean_batch(rows)
    assert batches.clean_batch(rows) == first


def test_a_column_whose_cells_do_not_repeat_stops_being_remembered(monkeypatch):
    monkeypatch.setattr(clean, "MEMORY_TRIAL", 40)
    rows = [RawRow(i + 1, complaint(i)) for i in range(1, 121)]
    batches = cleaner("complaints", rows[0].values)
    for start in range(0, len(rows), 40):
        batches.clean_batch(rows[start:start + 40])
    memory = {plan.spec.name: plan.memory for plan in batches.plans}
    assert not memory["complaint_id"].active and memory["complaint_id"].outcomes == {}
    assert memory["channel"].active and len(memory["channel"].outcomes) == 1


def test_remembered_outcomes_are_bounded(monkeypatch):
    monkeypatch.setattr(clean, "MEMORY_ENTRIES", 10)
    rows = [RawRow(i + 1, complaint(i, channel="phone", contact_phone=f"1391234{i % 30:04d}"))
            for i in range(1, 200)]
    batches = cleaner("complaints", rows[0].values)
    for start in range(0, len(rows), 25):
        batches.clean_batch(rows[start:start + 25])
        assert all(len(p.memory.outcomes) <= 10 + 25 for p in batches.plans if p.memory)


@pytest.mark.parametrize("dialect", [pysqlite.dialect(), psycopg.dialect()],
                         ids=["sqlite", "postgres"])
def test_records_bound_straight_into_the_statement_equal_bound_table_rows(monkeypatch, dialect):
    monkeypatch.setattr(repo, "utcnow", lambda: datetime(2026, 1, 1, 8, 30))
    rows = repeating_customers()
    rows.append(RawRow(99, {**rows[0].values, "name": "李四"}))  # a key repeated in the batch
    schema = load_kind("customers")
    records, _ = cleaner("customers", CUSTOMER_COLUMNS).clean_batch(rows)
    direct = repo.prepare_records(dialect, schema, "bank", 3, records).params
    via_rows = repo.prepare_upsert(dialect, record_tables["customers"],
                                   repo.record_rows(schema, "bank", 3, records)).params
    assert plain_params(direct) == plain_params(via_rows)
    assert len(direct) == len({r.key for r in records})


def test_the_import_connection_checks_foreign_keys_again_when_it_is_done(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("foreign-key checks are switched only on SQLite")
    with repo.import_connection(engine) as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    with pytest.raises(RuntimeError):
        with repo.import_connection(engine) as conn:
            raise RuntimeError("a failed batch")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_long_cells_are_not_remembered():
    long_text = "贵司催收人员多次在夜间致电我的家人。" * 10
    rows = [RawRow(i + 1, complaint(i, text=long_text)) for i in range(1, 30)]
    batches = cleaner("complaints", rows[0].values)
    records, _ = batches.clean_batch(rows)
    memory = {plan.spec.name: plan.memory for plan in batches.plans}
    assert len(long_text) > clean.MEMORY_MAX_CHARS
    assert memory["text"].outcomes == {} and records[-1].columns["text"] == long_text
    assert len(memory["channel"].outcomes) == 1


def test_addresses_are_remembered_only_while_they_repeat(monkeypatch):
    monkeypatch.setattr(clean, "MEMORY_TRIAL", 40)
    own = cleaner("customers", CUSTOMER_COLUMNS)
    mailing = cleaner("complaints", [*complaint(1), "mailing_address"])
    for start in range(1, 121, 40):
        own.clean_batch([RawRow(i + 1, customer(i)) for i in range(start, start + 40)])
        records, _ = mailing.clean_batch([
            RawRow(i + 1, complaint(i, mailing_address="上海市浦东新区张江路100号"))
            for i in range(start, start + 40)])
    assert not own.address_memory.active and own.address_memory.outcomes == {}
    assert mailing.address_memory.active and len(mailing.address_memory.outcomes) == 1
    assert records[0].columns["mailing_address_district"] == "浦东新区"
