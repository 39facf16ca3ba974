"""The committed migrations build exactly the tables the kind schemata generate."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from qinglang.store.db import migrate
from qinglang.store.catalog import metadata
from qinglang.store.tables import record_tables


def test_migrations_match_the_tables_generated_from_the_kinds(engine):
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_migrating_twice_is_harmless(engine):
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(record_tables) | {"imports", "rejects", "attachments"} <= tables
