"""Cases, their append-only event log and evidence, and the hash-chained audit log.

Evidence keeps where each item came from (the record's kind and id, the import file, its time
and row, the values as the institution wrote them) and a SHA-256 of its canonical content, so
a copy handed to the police can be checked against the store. The audit log is one chain over
the whole store: each entry's hash covers the previous entry's hash and its own content.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint,
)

from qinglang.store.tables import ORG, SHORT, metadata

cases = Table(
    "cases", metadata,
    Column("case_id", Integer, primary_key=True, autoincrement=True),
    Column("org", ORG, nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("source", String(16), nullable=False),
    Column("source_ids", JSON, nullable=False),
    Column("gang_id", SHORT),
    Column("status", String(16), nullable=False),
    Column("assignee", SHORT),
    Column("opened_by", SHORT, nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

case_events = Table(
    "case_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org", ORG, nullable=False),
    Column("case_id", Integer, ForeignKey("cases.case_id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", SHORT, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("detail", JSON, nullable=False),
    UniqueConstraint("case_id", "seq"),
)

evidence_items = Table(
    "evidence_items", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org", ORG, nullable=False),
    Column("case_id", Integer, ForeignKey("cases.case_id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("source_kind", String(32), nullable=False),
    Column("source_id", Text, nullable=False),
    Column("import_id", Integer),
    Column("source_file", Text),
    Column("imported_at", DateTime),
    Column("source_row", Integer),
    Column("original", JSON),
    Column("content", JSON, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("note", Text),
    Column("added_by", SHORT, nullable=False),
    Column("added_at", DateTime, nullable=False),
    UniqueConstraint("case_id", "seq"),
    UniqueConstraint("case_id", "kind", "source_kind", "source_id"),
    Index("ix_evidence_items_sha256", "sha256"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime, nullable=False),
    Column("org", ORG, nullable=False, index=True),
    Column("actor", SHORT, nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
