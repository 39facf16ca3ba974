"""Reading what a case is built from: stored records with their import, rule hits, attachments,
and — when those engines are installed — gangs and post scan results.

Gangs (`gangs`, `gang_members`) and post scans (`post_assessments`, `post_contacts`) belong to
other engines: they are read by table name, reflected from the store, and simply absent when
the store has no such table.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from sqlalchemy import Connection, MetaData, Table, inspect, select

from qinglang.model.schema import load_kind
from qinglang.store.tables import attachments, imports, record_tables, rule_hits

CHUNK = 500  # ids per IN (...) list: well under every backend's bound-parameter limit


def optional_table(conn: Connection, name: str) -> Table | None:
    """Another engine's table as the store has it, or None if it is not there."""
    if not inspect(conn).has_table(name):
        return None
    return Table(name, MetaData(), autoload_with=conn)


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def rows_where_in(conn: Connection, table: Table, org: str, column: str,
                  values: Iterable[str]) -> list[dict]:
    """Rows of one institution whose `column` is one of `values`, in key order."""
    key = [c for c in table.primary_key.columns]
    found: list[dict] = []
    for chunk in _chunks(values):
        query = (select(table).where(table.c.org == org, table.c[column].in_(chunk))
                 .order_by(*key))
        found += [dict(row) for row in conn.execute(query).mappings()]
    return sorted(found, key=lambda r: tuple(str(r[c.name]) for c in key))


def records(conn: Connection, org: str, kind: str, ids: Iterable[str],
            by: str | None = None) -> list[dict]:
    """Records of one kind by id (or by another column, e.g. calls by customer_id)."""
    return rows_where_in(conn, record_tables[kind], org, by or load_kind(kind).id_field, ids)


def import_files(conn: Connection, import_ids: Iterable[int]) -> dict[int, dict]:
    """Import id → its file name and time, the provenance of every record it wrote."""
    wanted = sorted({i for i in import_ids if i is not None})
    if not wanted:
        return {}
    rows = conn.execute(select(imports.c.id, imports.c.file_name, imports.c.started_at)
                        .where(imports.c.id.in_(wanted)))
    return {row.id: {"file_name": row.file_name, "imported_at": row.started_at} for row in rows}


def hits_of(conn: Connection, org: str, complaint_ids: Iterable[str]) -> list[dict]:
    return rows_where_in(conn, rule_hits, org, "complaint_id", complaint_ids)


def attachments_of(conn: Connection, org: str, complaint_ids: Iterable[str]) -> list[dict]:
    return rows_where_in(conn, attachments, org, "complaint_id", complaint_ids)


def gang(conn: Connection, org: str, gang_id: str) -> tuple[dict, list[dict]] | None:
    """The gang row and its members, or None when there is no such gang (or no gang engine)."""
    gangs, members = optional_table(conn, "gangs"), optional_table(conn, "gang_members")
    if gangs is None or members is None:
        return None
    row = conn.execute(select(gangs).where(gangs.c.org == org, gangs.c.gang_id == gang_id)
                       ).mappings().first()
    if row is None:
        return None
    member_rows = conn.execute(
        select(members).where(members.c.org == org, members.c.gang_id == gang_id)
        .order_by(members.c.member_type, members.c.member_key)).mappings()
    return dict(row), [dict(m) for m in member_rows]


def post_scans(conn: Connection, org: str, post_ids: Iterable[str]) -> dict[str, dict]:
    """Post id → its scan result and the contacts found in it, when posts have been scanned."""
    assessed = optional_table(conn, "post_assessments")
    contacts = optional_table(conn, "post_contacts")
    ids = list(post_ids)
    scans: dict[str, dict] = {}
    if assessed is not None:
        for row in rows_where_in(conn, assessed, org, "post_id", ids):
            scans[row["post_id"]] = {k: v for k, v in row.items() if k != "org"}
    if contacts is not None:
        for row in rows_where_in(conn, contacts, org, "post_id", ids):
            found = scans.setdefault(row["post_id"], {}).setdefault("contacts", [])
            found.append({k: v for k, v in row.items() if k not in ("org", "post_id")})
    return scans
