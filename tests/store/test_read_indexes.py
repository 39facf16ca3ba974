"""A server reads the indexes scoring looks up before it starts: every index of those tables,
end to end, without the tables' rows. A batch reads the pages of the tables it is about to
empty while it judges."""

from __future__ import annotations

from sqlalchemy import event

from qinglang.services.online import READ_BY_SCORING, read_scoring_indexes
from qinglang.store.db import read_ahead


def _statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: seen.append(statement))
    return seen


def test_every_index_of_the_tables_scoring_reads_is_scanned_alone(engine):
    seen = _statements(engine)
    read_scoring_indexes(engine)
    if engine.dialect.name != "sqlite":
        assert seen == []  # PostgreSQL keeps its own buffers
        return
    with engine.connect() as conn:
        indexes = conn.exec_driver_sql(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'").all()
        scans = [s for s in seen if " INDEXED BY " in s]
        wanted = [(name, table) for name, table in indexes if table in READ_BY_SCORING]
        assert len(wanted) >= len(READ_BY_SCORING)  # each has its primary key's index at least
        assert sorted(s.rsplit('"', 2)[-2] for s in scans) == sorted(n for n, _ in wanted)
        for scan in scans:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {scan}"))
            index = scan.rsplit('"', 2)[-2]
            assert f"USING COVERING INDEX {index}" in plan  # the index only, not the rows
    others = {table for _, table in indexes} - set(READ_BY_SCORING)
    assert "rule_hits" in others
    assert not [s for s in scans if any(f'FROM "{table}"' in s for table in others)]


def test_reading_ahead_scans_each_table_and_its_indexes_while_the_block_runs(engine):
    seen = _statements(engine)
    with read_ahead(engine, ("assessments", "rule_hits")):
        pass  # the block does not wait for the reading; leaving it does
    if engine.dialect.name != "sqlite":
        assert seen == []
        return
    tables = [s for s in seen if s.endswith(" NOT INDEXED")]
    assert sorted(tables) == ['SELECT count(*) FROM "assessments" NOT INDEXED',
                              'SELECT count(*) FROM "rule_hits" NOT INDEXED']
    with engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {tables[1]}"))
        assert plan == "SCAN rule_hits"  # the table's own pages, not an index
    indexed = {s.rsplit('"', 2)[-2] for s in seen if " INDEXED BY " in s}
    assert {"ix_rule_hits_rule_id", "sqlite_autoindex_rule_hits_1"} <= indexed


def test_a_failure_to_read_ahead_is_logged_and_the_block_still_runs(engine, caplog):
    ran = []
    with read_ahead(engine, ("no_such_table",)):
        ran.append(True)
    assert ran == [True]
    if engine.dialect.name == "sqlite":
        assert "reading no_such_table ahead failed: OperationalError" in caplog.text
