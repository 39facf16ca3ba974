"""The committed migrations build exactly the tables the kind schemata generate, and a
migration killed part-way leaves a store that migrates."""

from __future__ import annotations

import signal
import subprocess
import sys

from alembic.autogenerate import compare_metadata
import pytest
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event, inspect

from qinglang.alliance.hub_store import MIGRATIONS as HUB_MIGRATIONS, hub_metadata
from qinglang.store.db import MIGRATIONS, create_store_engine, migrate
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


KILLED_AT_A_SCHEMA_CHANGE = """
import os, signal, sys
from pathlib import Path
from sqlalchemy import Engine, event
from qinglang.store.db import create_store_engine, migrate

url, scripts, kill_at = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
changes = 0

@event.listens_for(Engine, "after_cursor_execute")
def kill_at_the_chosen_change(conn, cursor, statement, *rest):
    global changes
    if statement.lstrip().upper().startswith(("CREATE", "ALTER", "DROP")):
        changes += 1
        if changes == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

migrate(create_store_engine(url), scripts)
"""
STORES = {  # migrations, the tables they build, the table of the version reached
    "member store": (MIGRATIONS, metadata, "alembic_version"),
    "alliance hub": (HUB_MIGRATIONS, hub_metadata, "hub_alembic_version"),
}


def schema_changes_of_a_full_migration(url: str, scripts) -> int:
    counted = []

    def count_changes(conn, cursor, statement, *rest):
        if statement.lstrip().upper().startswith(("CREATE", "ALTER", "DROP")):
            counted.append(statement)

    engine = create_store_engine(url)
    event.listen(Engine, "after_cursor_execute", count_changes)
    try:
        migrate(engine, scripts)
    finally:
        event.remove(Engine, "after_cursor_execute", count_changes)
        engine.dispose()
    return len(counted)


@pytest.mark.parametrize("store", STORES)
def test_a_migration_killed_at_any_schema_change_leaves_a_store_that_migrates(
        fresh_store, store):
    scripts, tables, version_table = STORES[store]
    total = schema_changes_of_a_full_migration(fresh_store(), scripts)
    url = fresh_store()
    for kill_at in (1, 2, total // 2, total - 1):
        killed = subprocess.run([sys.executable, "-c", KILLED_AT_A_SCHEMA_CHANGE, url,
                                 str(scripts), str(kill_at)], capture_output=True, timeout=120)
        assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    engine = create_store_engine(url)
    migrate(engine, scripts)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": version_table})
        assert compare_metadata(context, tables) == []
    engine.dispose()
