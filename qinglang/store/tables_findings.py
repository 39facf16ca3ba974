"""Manual findings: an analyst's judgement on a rule no record can decide (1.1, 1.3, 3.3 …).

Both tables are append-only. A finding is never edited or deleted: withdrawing it adds a row
to `finding_withdrawals` (at most one per finding), so the store keeps who said what, when,
and who took it back and why.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from qinglang.store.tables import ORG, SHORT, metadata

findings = Table(
    "findings", metadata,
    Column("finding_id", Integer, primary_key=True, autoincrement=True),
    Column("org", ORG, nullable=False),
    Column("complaint_id", SHORT, nullable=False),
    Column("rule_id", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Column("added_by", SHORT, nullable=False),
    Column("added_at", DateTime, nullable=False),
    Index("ix_findings_org_complaint_id", "org", "complaint_id"),
)

finding_withdrawals = Table(
    "finding_withdrawals", metadata,
    Column("finding_id", Integer, ForeignKey("findings.finding_id"), primary_key=True),
    Column("org", ORG, nullable=False),
    Column("reason", Text, nullable=False),
    Column("withdrawn_by", SHORT, nullable=False),
    Column("withdrawn_at", DateTime, nullable=False),
)
