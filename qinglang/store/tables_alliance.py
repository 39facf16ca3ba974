"""The member's own record of its alliance activity: what it contributed, and its match runs.

Matches themselves land in the `intelligence` records (source "alliance"), where rule 2.8
and the entity graph read them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Float, Index, Integer, String, Table

from qinglang.store.tables import ORG, SHORT, metadata

alliance_contributions = Table(
    "alliance_contributions", metadata,
    Column("org", ORG, primary_key=True),
    Column("indicator_key", SHORT, primary_key=True),
    Column("category", String(64), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("contributed_at", DateTime, nullable=False),
    Column("withdrawn_at", DateTime),
)

alliance_match_runs = Table(
    "alliance_match_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org", ORG, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=False),
    Column("items", Integer, nullable=False),
    Column("matched", Integer, nullable=False),
    Column("key_epoch", Integer, nullable=False),
    Column("pool_version", Integer, nullable=False),
    Column("bytes_sent", BigInteger, nullable=False),
    Column("bytes_received", BigInteger, nullable=False),
    Index("ix_alliance_match_runs_org", "org"),
)
