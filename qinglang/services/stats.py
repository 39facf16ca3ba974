"""What the store holds: counts by kind, imports and their rejects, complaints by channel."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from qinglang.model.schema import all_kinds
from qinglang.store.repository import count_rows
from qinglang.store.tables import attachments, imports, record_tables


@dataclass
class StoreStats:
    records: dict[str, int]
    attachments: int
    attachments_missing: int
    imports: int
    rows_rejected: int
    complaints_by_channel: dict[str, int]


def store_stats(engine: Engine, org: str) -> StoreStats:
    complaints = record_tables["complaints"]
    with engine.connect() as conn:
        records = {s.kind: count_rows(conn, record_tables[s.kind], org) for s in all_kinds()}
        by_channel = dict(conn.execute(
            select(complaints.c.channel, func.count())
            .where(complaints.c.org == org).group_by(complaints.c.channel)
            .order_by(func.count().desc())
        ).all())
        attached = count_rows(conn, attachments, org)
        missing = conn.execute(select(func.count()).select_from(attachments).where(
            attachments.c.org == org, attachments.c.sha256.is_(None))).scalar()
        import_count, rejected = conn.execute(
            select(func.count(), func.coalesce(func.sum(imports.c.rows_rejected), 0))
            .where(imports.c.org == org)
        ).one()
    return StoreStats(records, attached, missing, import_count, rejected, by_channel)
