"""Writing records and import bookkeeping: upserts that work the same on SQLite and PostgreSQL.

Every write of an import batch happens in one transaction together with the checkpoint, so a
killed import leaves either the whole batch and its checkpoint or neither.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

from qinglang.ingest.clean import CleanRecord
from qinglang.ingest.rows import RowProblem
from qinglang.model.schema import KindSchema
from qinglang.store.tables import attachments, imports, record_tables, rejects


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def upsert(conn: Connection, table: Table, rows: list[dict], update: bool = True) -> None:
    """Insert rows, replacing (or keeping, with update=False) those whose key exists."""
    if rows:
        _upsert_statement(conn.dialect, table, update).execute(conn, rows)


class _UpsertStatement:
    """An upsert compiled once to the driver's own SQL and run as one executemany.

    Import speed is bound by the store's writes; going through the driver directly, with the
    column types' own bind processors applied in a tight loop, halves the cost per row.
    """

    def __init__(self, dialect, table: Table, update: bool):
        keys = [c.name for c in table.primary_key.columns]
        statement = (postgresql if dialect.name == "postgresql" else sqlite).insert(table)
        if update:
            changes = {c.name: statement.excluded[c.name] for c in table.columns
                       if c.name not in keys}
            statement = statement.on_conflict_do_update(index_elements=keys, set_=changes)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=keys)
        names = [c.name for c in table.columns]
        compiled = statement.compile(dialect=dialect, column_keys=names)
        self.sql = compiled.string
        self.order = list(compiled.positiontup) if compiled.positional else None
        self.processors = {c.name: p for c in table.columns
                           if (p := c.type._cached_bind_processor(dialect)) is not None}

    def execute(self, conn: Connection, rows: list[dict]) -> None:
        processed = [self._bind(row) for row in rows]
        if self.order is not None:
            processed = [tuple(row[name] for name in self.order) for row in processed]
        conn.exec_driver_sql(self.sql, processed)

    def _bind(self, row: dict) -> dict:
        bound = dict(row)
        for name, process in self.processors.items():
            value = bound[name]
            if value is not None:
                bound[name] = process(value)
        return bound


@cache
def _upsert_statement(dialect, table: Table, update: bool) -> _UpsertStatement:
    return _UpsertStatement(dialect, table, update)


def upsert_records(conn: Connection, schema: KindSchema, org: str, import_id: int,
                   records: list[CleanRecord]) -> None:
    table = record_tables[schema.kind]
    now = utcnow()
    blank = dict.fromkeys(c.name for c in table.columns)
    latest: dict[str, dict] = {}
    for record in records:
        row = {**blank, **record.columns}
        row.update(org=org, attrs=record.attrs, originals=record.originals,
                   import_id=import_id, source_row=record.number, updated_at=now)
        row[schema.id_field] = record.key
        latest[record.key] = row  # a key repeated within one batch: the last row wins
    upsert(conn, table, list(latest.values()))


def add_rejects(conn: Connection, import_id: int, problems: list[RowProblem]) -> None:
    rows = {
        (p.number, p.column): {"import_id": import_id, "row_number": p.number,
                               "column_name": p.column, "reason": p.reason}
        for p in problems
    }
    upsert(conn, rejects, list(rows.values()), update=False)


def add_attachments(conn: Connection, rows: list[dict]) -> None:
    upsert(conn, attachments, rows)


def begin_import(conn: Connection, org: str, kind: str, sha256: str, file_name: str,
                 file_format: str, encoding: str | None) -> tuple[int, int]:
    """The import's id and the last row already stored (0 unless resuming a killed run)."""
    found = conn.execute(
        select(imports.c.id, imports.c.status, imports.c.rows_done)
        .where(imports.c.org == org, imports.c.kind == kind, imports.c.sha256 == sha256)
    ).first()
    if found and found.status == "running":
        return found.id, found.rows_done
    values = dict(file_name=file_name, file_format=file_format, encoding=encoding,
                  status="running", rows_done=0, rows_ok=0, rows_rejected=0,
                  started_at=utcnow(), finished_at=None)
    if found:
        conn.execute(imports.update().where(imports.c.id == found.id).values(**values))
        return found.id, 0
    new_id = conn.execute(
        imports.insert().values(org=org, kind=kind, sha256=sha256, **values)
    ).inserted_primary_key[0]
    return new_id, 0


def checkpoint(conn: Connection, import_id: int, rows_done: int, ok: int, rejected: int) -> None:
    conn.execute(imports.update().where(imports.c.id == import_id).values(
        rows_done=rows_done,
        rows_ok=imports.c.rows_ok + ok,
        rows_rejected=imports.c.rows_rejected + rejected,
    ))


def finish_import(conn: Connection, import_id: int) -> dict:
    conn.execute(imports.update().where(imports.c.id == import_id)
                 .values(status="complete", finished_at=utcnow()))
    return conn.execute(select(imports).where(imports.c.id == import_id)).mappings().one()


def reject_rows(conn: Connection, import_id: int) -> list[dict]:
    return list(conn.execute(
        select(rejects.c.row_number, rejects.c.column_name, rejects.c.reason)
        .where(rejects.c.import_id == import_id)
        .order_by(rejects.c.row_number, rejects.c.column_name)
    ).mappings())


def count_rows(conn: Connection, table: Table, org: str) -> int:
    return conn.execute(select(func.count()).select_from(table).where(table.c.org == org)).scalar()
