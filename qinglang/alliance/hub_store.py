"""The hub's own store: separate tables and migrations, SQLite or PostgreSQL by URL.

What it holds is safe to lose: members (token digests, not tokens), the pool as OPRF points
under the hub's key (never an identifier or a plain hash of one), per-period usage counts, the
audit of who asked how much, and the alliance policy. The key itself lives outside, in a file.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    Boolean, Column, Date, DateTime, Engine, Float, ForeignKey, Index, Integer, LargeBinary,
    MetaData, String, Table,
)

from qinglang.store.db import create_store_engine, migrate

MIGRATIONS = Path(__file__).parent / "migrations"

hub_metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

members = Table(
    "hub_members", hub_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("quota", Integer),
    Column("active", Boolean, nullable=False),
    Column("registered_at", DateTime, nullable=False),
)

pool = Table(
    "hub_pool", hub_metadata,
    Column("point", LargeBinary(32), primary_key=True),
    Column("member_id", Integer, ForeignKey("hub_members.id"), primary_key=True),
    Column("category", String(64), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("first_seen", Date, nullable=False),
    Column("last_seen", Date, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("contributed_at", DateTime, nullable=False),
    Index("ix_hub_pool_member_id", "member_id"),
    Index("ix_hub_pool_expires_at", "expires_at"),
)

categories = Table(
    "hub_categories", hub_metadata,
    Column("name", String(64), primary_key=True),
)

usage = Table(
    "hub_usage", hub_metadata,
    Column("member_id", Integer, ForeignKey("hub_members.id"), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("evaluations", Integer, nullable=False),
)

audit = Table(
    "hub_audit", hub_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("member_id", Integer, ForeignKey("hub_members.id")),
    Column("action", String(32), nullable=False),
    Column("items", Integer, nullable=False),
    Column("outcome", String(16), nullable=False),
    Index("ix_hub_audit_member_id", "member_id"),
)

state = Table(
    "hub_state", hub_metadata,
    Column("id", Integer, primary_key=True),
    Column("key_epoch", Integer, nullable=False),
    Column("pool_version", Integer, nullable=False),
    Column("k", Integer, nullable=False),
    Column("default_quota", Integer, nullable=False),
    Column("quota_period", String(8), nullable=False),
)


def open_hub_store(db_url: str) -> Engine:
    engine = create_store_engine(db_url)
    migrate(engine, MIGRATIONS)
    return engine
