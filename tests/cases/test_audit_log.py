"""The audit log against tampering done directly in the database, on both backends: an
edited, deleted, reordered or re-hashed entry is found and named; a cut tail is found against
an anchor."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from conftest import drop_append_only_guard
from factories import TEST_KEY
from qinglang.cli import app
from qinglang.services import audit
from qinglang.store.tables_cases import audit_log


@pytest.fixture
def logged(engine):
    for i in range(1, 7):
        audit.record(engine, "bank", f"user{i % 2}", "export.records", "customers",
                     {"unmasked": i % 3 == 0, "file": f"out{i}.csv"})
    return engine


def test_the_store_refuses_to_change_or_delete_an_entry(logged):
    for statement in ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
                      "DELETE FROM audit_log WHERE seq = 3"):
        with pytest.raises(DBAPIError, match="append-only"):
            sql(logged, statement)
    assert audit.verify(logged).ok


def tamper(engine, *statements: str) -> None:
    drop_append_only_guard(engine)
    sql(engine, *statements)


def sql(engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def problems(engine, anchor=None):
    return [(p.kind, p.seq) for p in audit.verify(engine, anchor).problems]


def test_an_untouched_log_verifies(logged):
    report = audit.verify(logged)
    assert report.ok and report.entries == 6 and report.head_seq == 6


def test_an_edited_entry_is_named(logged):
    tamper(logged, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    assert problems(logged) == [("edited", 3)]


def test_an_edited_detail_is_named(logged):
    tamper(logged, """UPDATE audit_log SET detail = '{"unmasked": false, "file": "out3.csv"}'
                   WHERE seq = 3""")
    assert problems(logged) == [("edited", 3)]


def test_a_deleted_entry_is_named(logged):
    tamper(logged, "DELETE FROM audit_log WHERE seq = 4")
    assert problems(logged) == [("deleted", 4)]


def test_reordered_entries_are_named(logged):
    tamper(logged, "UPDATE audit_log SET seq = -1 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 5",
        "UPDATE audit_log SET seq = 5 WHERE seq = -1")
    found = audit.verify(logged).problems
    assert [(p.kind, p.seq) for p in found] == [("reordered", 2), ("reordered", 5)]
    assert "written right after entry 4" in found[0].message


def test_an_entry_edited_and_re_hashed_breaks_the_link_to_the_next(logged):
    with logged.connect() as conn:
        row = conn.execute(select(audit_log).where(audit_log.c.seq == 3)).mappings().one()
    forged = audit.entry_hash(row["prev_hash"], 3, row["at"], row["org"], "mallory",
                              row["action"], row["target"], row["detail"])
    tamper(logged, f"UPDATE audit_log SET actor = 'mallory', hash = '{forged}' WHERE seq = 3")
    assert problems(logged) == [("broken", 4)]


def test_a_cut_tail_shows_against_an_anchor(logged):
    head = audit.verify(logged)
    tamper(logged, "DELETE FROM audit_log WHERE seq >= 5")
    assert problems(logged) == []  # a shorter chain is intact in itself
    assert problems(logged, (head.head_seq, head.head_hash)) == [("truncated", 6)]


def test_appending_after_tampering_does_not_hide_it(logged):
    tamper(logged, "UPDATE audit_log SET target = 'nothing' WHERE seq = 2")
    audit.record(logged, "bank", "user1", "analyze", "bank")
    assert problems(logged) == [("edited", 2)]


def test_audit_verify_command_says_where_and_fails(logged, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("QINGLANG_DB_URL", db_url)
    monkeypatch.setenv("QINGLANG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QINGLANG_SECRET_KEY", TEST_KEY)
    runner = CliRunner()
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0 and "6 entries" in intact.output
    tamper(logged, "DELETE FROM audit_log WHERE seq = 2")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 2 deleted" in result.output


def test_concurrent_appends_keep_one_unbroken_chain(engine):
    from concurrent.futures import ThreadPoolExecutor

    def append(worker: int) -> None:
        for i in range(25):
            audit.record(engine, "bank", f"worker{worker}", "analyze", f"run{i}")

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(append, range(3)))
    report = audit.verify(engine)
    assert report.ok and report.entries == 75 and report.head_seq == 75
