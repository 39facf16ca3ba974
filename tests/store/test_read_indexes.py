"""A server reads the indexes scoring looks up before it starts: every index of those tables,
end to end, without the tables' rows."""

from __future__ import annotations

from sqlalchemy import event

from qinglang.services.online import READ_BY_SCORING, read_scoring_indexes


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
