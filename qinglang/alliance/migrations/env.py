"""Alembic environment of the hub's store (apart from the member store's migrations)."""

from alembic import context

from qinglang.alliance.hub_store import hub_metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=hub_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        version_table="hub_alembic_version",
    )
    context.run_migrations()
