"""Opening the store: an engine for the configured URL, migrated to the latest schema."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from threading import Thread
from typing import Iterator

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from qinglang.settings import Settings
from qinglang.store.repository import restore_indexes
from qinglang.store.tables import record_tables

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def create_store_engine(db_url: str, mapped: bool = False) -> Engine:
    """The store's engine; `mapped`: for a process that mostly reads (the server, online
    scoring), SQLite reads the file through a memory map (see `_map_the_file`)."""
    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(db_url, json_serializer=_json_text)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if mapped:
            event.listen(engine, "connect", _map_the_file)
    return engine


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL keeps readers unblocked and makes each committed batch durable across a kill -9.
    A 128 MB page cache keeps an import batch's index pages in memory until commit: with the
    2 MB default SQLite spills and rewrites them, five write calls for every one needed."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-131072")
    cursor.close()


def _map_the_file(dbapi_connection, _record) -> None:
    """Pages read through a memory map are not copied into SQLite's own cache: online scoring
    at a million complaints takes 12 % less CPU. SQLite maps at most its build's limit (2 GB
    here) and reads the rest as before. The price: an I/O error while reading the map stops
    the process instead of failing one statement, which is why imports do not map.
    Such a connection keeps a small cache of its own: the kernel already holds the file's
    pages, and the import's 128 MB, in every connection a server pools, grew for minutes,
    each new page a fault (at a million complaints 14 faults a scoring instead of 40, and
    about 8 % less CPU)."""
    dbapi_connection.execute(f"PRAGMA mmap_size={MAP_BYTES}")
    dbapi_connection.execute(f"PRAGMA cache_size={-MAPPED_CACHE_KB}")


MAP_BYTES = 1 << 40  # as much as the build allows
MAPPED_CACHE_KB = 8192


def alembic_config(engine: Engine, scripts: Path = MIGRATIONS) -> Config:
    config = Config()
    config.set_main_option("script_location", str(scripts))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, scripts: Path = MIGRATIONS) -> None:
    """Upgrade to the latest schema of `scripts` in one transaction: killed at any moment, a
    store keeps either its old schema and version or the new ones, never tables without their
    version."""
    if not _is_sqlite_file(engine):
        command.upgrade(alembic_config(engine, scripts), "head")
        return
    migrating = create_store_engine(engine.url.render_as_string(hide_password=False))
    event.listen(migrating, "connect", _driver_leaves_transactions_to_sqlite)
    event.listen(migrating, "begin", _begin_in_sqlite)
    try:
        command.upgrade(alembic_config(migrating, scripts), "head")
    finally:
        migrating.dispose()


def read_indexes(engine: Engine, tables: tuple[str, ...]) -> None:
    """Every index of `tables` read once from end to end, so that the kernel holds its pages
    (what pg_prewarm does for PostgreSQL's buffers). A server started on a SQLite store that
    is not in memory otherwise reads them from disk at its first requests. At a million
    complaints the indexes online scoring reads take about 4 s to read; with the kernel's
    page cache dropped first, a minute at 100 scorings/s had a p99 of 66 and 89 ms without
    them, 48, 56 and 72 ms with them. PostgreSQL and in-memory stores are left alone."""
    if not _is_sqlite_file(engine):
        return
    marks = ", ".join("?" * len(tables))
    with engine.connect() as conn:
        indexes = conn.exec_driver_sql(
            f"SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' "
            f"AND tbl_name IN ({marks}) ORDER BY name", tables).all()
        for index, table in indexes:
            first = conn.exec_driver_sql(f'PRAGMA index_info("{index}")').first()
            if first is not None and first.name is not None:  # not an expression
                conn.exec_driver_sql(f'SELECT count("{first.name}") FROM "{table}" '
                                     f'INDEXED BY "{index}"').all()  # the index alone


def read_tables(engine: Engine, tables: tuple[str, ...]) -> None:
    """`read_indexes`, and the pages of the tables themselves."""
    if not _is_sqlite_file(engine):
        return
    with engine.connect() as conn:
        for table in tables:
            conn.exec_driver_sql(f'SELECT count(*) FROM "{table}" NOT INDEXED').all()
    read_indexes(engine, tables)


@contextmanager
def read_ahead(engine: Engine, tables: tuple[str, ...]) -> Iterator[None]:
    """`read_tables` in a thread of its own while the block runs. SQLite reads every page of
    a table to delete all its rows; reading them beforehand overlaps that wait with work.
    On a store of a million complaints whose assessments were last read long ago, replacing
    them took about 9 s longer than with their pages in memory. A failure to read ahead is
    logged and does not stop the block."""
    reader = Thread(target=_read_tables_or_log, args=(engine, tables), daemon=True)
    reader.start()
    try:
        yield
    finally:
        reader.join()


def _read_tables_or_log(engine: Engine, tables: tuple[str, ...]) -> None:
    try:
        read_tables(engine, tables)
    except SQLAlchemyError as error:
        log.warning("reading %s ahead failed: %s", ", ".join(tables), type(error).__name__)


def _is_sqlite_file(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


def _driver_leaves_transactions_to_sqlite(dbapi_connection, _record) -> None:
    """Python's sqlite3 driver commits before and runs outside any transaction every CREATE,
    ALTER and DROP; with its own transaction handling off, `_begin_in_sqlite` opens one that
    covers them too."""
    dbapi_connection.isolation_level = None


def _begin_in_sqlite(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def open_store(settings: Settings, mapped: bool = False) -> Engine:
    """The store, migrated, with any index a killed import had deferred built again."""
    engine = create_store_engine(settings.db_url, mapped)
    migrate(engine)
    with engine.begin() as conn:
        restore_indexes(conn, record_tables.values())
    return engine
