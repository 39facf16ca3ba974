"""Alembic environment: runs on the engine handed over by qinglang.store.db."""

from alembic import context

from qinglang.store.catalog import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
