"""Accounts of people who use the service, and the API tokens that stand for them.

An account belongs to one institution (tenant): the key is (org, username), so the same name
can exist at two institutions. Passwords are stored only as argon2id hashes; tokens only as
the SHA-256 digest of a random 256-bit secret, which is enough for a secret nobody chose and
lets every request find its token with one indexed lookup. Failed logins are kept for the
login throttle (services/throttle.py) under a digest of what they count against (an account,
a client address), so that every server process and every server sees the same counts.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, DateTime, Float, ForeignKeyConstraint, Index, Integer, String, Table,
)

from qinglang.store.tables import ORG, SHORT, metadata

accounts = Table(
    "accounts", metadata,
    Column("org", ORG, primary_key=True),
    Column("username", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("display_name", SHORT),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("org", ORG, nullable=False),
    Column("username", String(64), nullable=False),
    Column("label", SHORT, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime),
    Column("revoked_at", DateTime),
    ForeignKeyConstraint(["org", "username"], ["accounts.org", "accounts.username"]),
    Index("ix_api_tokens_org_username", "org", "username"),
)

login_failures = Table(
    "login_failures", metadata,
    Column("failure_id", Integer, primary_key=True, autoincrement=True),
    Column("key_digest", String(64), nullable=False),
    Column("failed_at", Float, nullable=False),       # seconds since the epoch
    Index("ix_login_failures_key_digest_failed_at", "key_digest", "failed_at"),
    Index("ix_login_failures_failed_at", "failed_at"),
)
