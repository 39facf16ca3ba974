"""The hub's own migrations build exactly its tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from qinglang.alliance.hub_store import hub_metadata, open_hub_store


def test_hub_migrations_match_the_hub_tables(db_url):
    engine = open_hub_store(db_url)
    open_hub_store(db_url).dispose()  # migrating twice is harmless
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), hub_metadata)
    engine.dispose()
    assert [d for d in differences if d[1].name != "hub_alembic_version"] == []
