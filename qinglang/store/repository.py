"""Writing records and import bookkeeping: upserts that work the same on SQLite and PostgreSQL.

Every write of an import batch happens in one transaction together with the checkpoint, so a
killed import leaves either the whole batch and its checkpoint or neither.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from itertools import repeat
from operator import itemgetter
from typing import Iterator

from sqlalchemy import (Connection, DateTime, Engine, LargeBinary, Table, delete, func, inspect,
                        or_, select)
from sqlalchemy.dialects import postgresql, sqlite

from qinglang.ingest.clean import CleanBatch, CleanRecord
from qinglang.ingest.rows import RowProblem
from qinglang.model.schema import KindSchema
from qinglang.store import catalog  # noqa: F401  (every index declared on the record tables)
from qinglang.store.tables import imports, metadata, record_tables, rejects


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class PreparedRows:
    """Rows bound for the driver: made where there is CPU to spare, executed in one call."""

    table: str
    update: bool
    params: list


def upsert(conn: Connection, table: Table, rows: list[dict], update: bool = True) -> None:
    """Insert rows, replacing (or keeping, with update=False) those whose key exists."""
    execute_prepared(conn, prepare_upsert(conn.dialect, table, rows, update))


@contextmanager
def rows_replaced(conn: Connection, table: Table, org: str) -> Iterator[None]:
    """Remove an institution's rows for new ones written inside the block. When they are all
    the table holds, a DELETE without a condition lets SQLite drop the table's pages at once
    instead of removing a million rows one by one through every index, and the secondary
    indexes are dropped and built again after the block from all the rows at once (one sort
    instead of a random insert per row), in the same transaction."""
    others = conn.execute(select(table.c.org).where(or_(table.c.org < org, table.c.org > org))
                          .limit(1)).first()
    if others is not None:
        conn.execute(delete(table).where(table.c.org == org))
        yield
        return
    conn.execute(delete(table))
    secondary = [index for index in table.indexes if not index.unique]
    for index in secondary:
        index.drop(conn)
    yield
    for index in secondary:
        index.create(conn)


def prepare_upsert(dialect, table: Table, rows: list[dict], update: bool = True) -> PreparedRows:
    return PreparedRows(table.name, update, _upsert_statement(dialect, table, update).bind(rows))


def prepare_columns(dialect, table: Table, columns: dict, fixed: dict, size: int
                    ) -> PreparedRows:
    """`prepare_upsert` of `size` rows given as whole columns, without a dict a row
    (`_UpsertStatement.bind_columns`)."""
    statement = _upsert_statement(dialect, table, True)
    return PreparedRows(table.name, True, statement.bind_columns(columns, fixed, size))


def execute_prepared(conn: Connection, prepared: PreparedRows) -> None:
    if prepared.params:
        table = metadata.tables[prepared.table]
        conn.exec_driver_sql(_upsert_statement(conn.dialect, table, prepared.update).sql,
                             prepared.params)


class _UpsertStatement:
    """An upsert compiled once to the driver's own SQL and run as one executemany.

    Import speed is bound by the store's writes; rows are bound here with the column types'
    own bind processors applied in a tight loop, and then handed to the driver directly.
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
        self.order = list(compiled.positiontup) if compiled.positional else names
        self.positional = compiled.positional
        self.get_values = itemgetter(*self.order)
        processors = {c.name: p for c in table.columns if (p := _processor(c, dialect))}
        self.processed = [(i, processors[n]) for i, n in enumerate(self.order) if n in processors]

    def bind(self, rows: list[dict]) -> list:
        bound = []
        for row in rows:
            values = list(self.get_values(row))
            for i, process in self.processed:
                if values[i] is not None:
                    values[i] = process(values[i])
            bound.append(tuple(values) if self.positional else dict(zip(self.order, values)))
        return bound

    def bind_batch(self, id_field: str, batch: CleanBatch, fixed: dict) -> list:
        """`bind(record_rows(...))` without a dict a row. A key repeated in the batch keeps
        its last row, in the place of its first."""
        size = len(batch.keys)
        processors = dict(self.processed)
        ready = {}
        for position, name in enumerate(self.order):
            if name in ("attrs", "originals") and name not in fixed:
                empty = processors[position]({})
                ready[name] = [processors[position](d) if d else empty
                               for d in getattr(batch, name)]
        columns = {**batch.columns, id_field: batch.keys, "source_row": batch.numbers}
        rows = self.bind_columns(columns, fixed, size, ready)
        last = dict(zip(batch.keys, range(size)))
        return rows if len(last) == size else [rows[i] for i in last.values()]

    def bind_columns(self, columns: dict, fixed: dict, size: int, ready: dict | None = None
                     ) -> list:
        """Rows in statement order from whole columns, each column bound at once: `fixed`
        holds the values every row shares, `ready` columns already bound; a column in
        none of them is NULL. Values every row shares are processed once."""
        processors = dict(self.processed)
        ready = ready or {}
        bound = []
        for position, name in enumerate(self.order):
            process = processors.get(position)
            if name in fixed:
                bound.append(repeat(_process(process, fixed[name]), size))
            elif name in ready:
                bound.append(ready[name])
            elif (values := columns.get(name)) is None:
                bound.append(repeat(None, size))
            elif process is None:
                bound.append(values)
            else:
                bound.append([None if v is None else process(v) for v in values])
        rows = list(zip(*bound))
        return rows if self.positional else [dict(zip(self.order, row)) for row in rows]


def _process(processor, value):
    return processor(value) if processor and value is not None else value


def _processor(column, dialect):
    if isinstance(column.type, LargeBinary):
        return None  # bytes suit every driver as they are
    if isinstance(column.type, DateTime) and dialect.name == "sqlite":
        return _sqlite_datetime
    return column.type._cached_bind_processor(dialect)


def _sqlite_datetime(value: datetime) -> str:
    """SQLAlchemy's own SQLite storage format, made by C code rather than a format string."""
    return value.isoformat(" ", "microseconds")


@cache
def _upsert_statement(dialect, table: Table, update: bool) -> _UpsertStatement:
    return _UpsertStatement(dialect, table, update)


def prepare_records(dialect, schema: KindSchema, org: str, import_id: int,
                    records: CleanBatch | list[CleanRecord]) -> PreparedRows:
    """The upsert of clean records, bound for the driver: what `record_rows` gives, made
    without the intermediate dicts (the import's hot path)."""
    batch = records if isinstance(records, CleanBatch) else CleanBatch.of_records(records)
    table = record_tables[schema.kind]
    statement = _upsert_statement(dialect, table, True)
    fixed = {"org": org, "import_id": import_id, "updated_at": utcnow()}
    return PreparedRows(table.name, True, statement.bind_batch(schema.id_field, batch, fixed))


def record_rows(schema: KindSchema, org: str, import_id: int,
                records: list[CleanRecord]) -> list[dict]:
    """Table rows for clean records, with their provenance; a key repeated in one batch keeps
    its last row (PostgreSQL refuses to update one row twice in one statement)."""
    table = record_tables[schema.kind]
    now = utcnow()
    blank = dict.fromkeys(c.name for c in table.columns)
    latest: dict[str, dict] = {}
    for record in records:
        row = {**blank, **record.columns}
        row.update(org=org, attrs=record.attrs, originals=record.originals,
                   import_id=import_id, source_row=record.number, updated_at=now)
        row[schema.id_field] = record.key
        latest[record.key] = row
    return list(latest.values())


def add_rejects(conn: Connection, import_id: int, problems: list[RowProblem]) -> None:
    rows = {
        (p.number, p.column): {"import_id": import_id, "row_number": p.number,
                               "column_name": p.column, "reason": p.reason}
        for p in problems
    }
    upsert(conn, rejects, list(rows.values()), update=False)


@contextmanager
def import_connection(engine: Engine) -> Iterator[Connection]:
    """The one connection an import writes its batches through, a transaction each.

    On SQLite it writes with foreign-key checks off: checking cost 8 of the 20 µs an upsert
    row takes. The only foreign key of record and reject rows is their import's row, which
    `begin_import` created before the first batch and which nothing deletes.
    """
    with engine.connect() as conn:
        _set_foreign_keys(conn, False)
        try:
            yield conn
        finally:
            conn.rollback()
            _set_foreign_keys(conn, True)


@contextmanager
def indexes_deferred(engine: Engine, table: Table) -> Iterator[None]:
    """Loading an empty table, its secondary indexes are dropped first and built at the end
    from all its rows at once: one sort instead of a random B-tree insert per row and index
    (the 2 million calls of a million-customer institution: 35 s with the indexes in place,
    17 s loading then indexing). A table that holds rows keeps them. A kill in between
    leaves them missing until the next `restore_indexes`, which opening the store runs."""
    with engine.begin() as conn:
        empty = conn.execute(select(*table.primary_key.columns).limit(1)).first() is None
        deferred = [index for index in table.indexes if not index.unique] if empty else []
        restore_indexes(conn, [table])
        for index in deferred:
            index.drop(conn)
    try:
        yield
    finally:
        with engine.begin() as conn:
            restore_indexes(conn, [table])


def restore_indexes(conn: Connection, tables) -> None:
    """Build the declared indexes of `tables` that the store lacks (after a killed load)."""
    for table in tables:
        present = {index["name"] for index in inspect(conn).get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                index.create(conn)


def _set_foreign_keys(conn: Connection, on: bool) -> None:
    """A no-op inside a transaction on SQLite, so it gets one of its own; PostgreSQL has none."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
        conn.commit()


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
    done = conn.execute(select(imports).where(imports.c.id == import_id)).mappings().one()
    refresh_planner_statistics(conn, done["kind"])
    return done


def refresh_planner_statistics(conn: Connection, table: str) -> None:
    """Tell the query planner how the table's values spread. Without it SQLite takes the
    primary key's `org` prefix — one value for the whole table — over the index on a phone
    number as soon as a query asks for two numbers, and scans the table."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql(f'ANALYZE "{table}"')
    else:
        conn.exec_driver_sql(f'ANALYZE "{table}"')


def reject_rows(conn: Connection, import_id: int) -> list[dict]:
    return list(conn.execute(
        select(rejects.c.row_number, rejects.c.column_name, rejects.c.reason)
        .where(rejects.c.import_id == import_id)
        .order_by(rejects.c.row_number, rejects.c.column_name)
    ).mappings())


def count_rows(conn: Connection, table: Table, org: str) -> int:
    return conn.execute(select(func.count()).select_from(table).where(table.c.org == org)).scalar()


def rows_of_org(engine, table: Table, org: str, page: int = 5000) -> Iterator[dict]:
    """Every row of one institution, in key order, a page at a time (memory stays flat)."""
    key = list(table.primary_key.columns)[1]  # keys are (org, id): page on the id
    last = None
    with engine.connect() as conn:
        while True:
            query = select(table).where(table.c.org == org).order_by(key).limit(page)
            if last is not None:
                query = query.where(key > last)
            rows = list(conn.execute(query).mappings())
            if not rows:
                return
            yield from rows
            last = rows[-1][key.name]
