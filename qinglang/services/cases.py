"""Cases: open one from a gang, customers, complaints or posts; assign, comment, move its
status, add evidence. Every change appends to the case's event log and to the audit log in
the same transaction, so neither can record what did not happen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, func, select

from qinglang.cases import evidence as ev
from qinglang.cases.view import CaseView
from qinglang.disposal.takedown import write_takedowns
from qinglang.errors import InputError, QinglangError
from qinglang.model.case import EVENT_FOR_STATUS, CaseSource, CaseStatus, EventKind
from qinglang.services import audit, gangs
from qinglang.settings import login_name
from qinglang.store.repository import utcnow
from qinglang.store.tables_cases import case_events, cases, evidence_items


if TYPE_CHECKING:
    from qinglang.disposal.package import Package


class CaseNotFound(QinglangError):
    http_status = 404
    code = "case_not_found"


def open_case(engine: Engine, org: str, actor: str | None, source: CaseSource | str,
              ids: list[str], title: str, vault: Path) -> int:
    """A new case with every piece of evidence its source leads to; returns its number."""
    source = CaseSource(source)
    ids = [i.strip() for i in ids if i.strip()]
    if not ids:
        raise InputError(f"name at least one of the {source.value} to open a case from")
    if not title.strip():
        raise InputError("a case needs a title")
    actor = actor or login_name()
    now = utcnow()
    behind = _customers_of_agents(engine, org, ids) if source is CaseSource.AGENT else []
    with engine.begin() as conn:
        items = (ev.for_customers(conn, org, behind, vault) if behind
                 else _items_for(conn, org, source, ids, vault))
        case_id = conn.execute(cases.insert().values(
            org=org, title=title.strip(), source=source.value, source_ids=sorted(set(ids)),
            gang_id=ids[0] if source is CaseSource.GANG else None,
            status=CaseStatus.NEW.value, assignee=None, opened_by=actor, opened_at=now,
            updated_at=now)).inserted_primary_key[0]
        _add_items(conn, org, case_id, items, actor, now)
        detail = {"source": source.value, "ids": len(set(ids)), "evidence": len(items)}
        _event(conn, org, case_id, EventKind.OPENED, actor, {"title": title.strip(), **detail})
        audit.record(conn, org, actor, "case.open", f"case:{case_id}", detail)
    return case_id


def _customers_of_agents(engine: Engine, org: str, identifiers: list[str]) -> list[str]:
    found = sorted({c for identifier in identifiers
                    for c in gangs.customers_behind(engine, org, identifier)})
    if not found:
        raise InputError("no customer is linked to that identifier in the entity graph")
    return found


def _items_for(conn: Connection, org: str, source: CaseSource, ids: list[str],
               vault: Path) -> list[ev.EvidenceItem]:
    if source is CaseSource.GANG:
        if len(ids) != 1:
            raise InputError("a case is opened from one gang")
        return ev.for_gang(conn, org, ids[0], vault)
    if source is CaseSource.COMPLAINTS:
        return ev.for_complaints(conn, org, ids, vault)
    if source is CaseSource.CUSTOMERS:
        return ev.for_customers(conn, org, ids, vault)
    return ev.for_posts(conn, org, ids)


def _add_items(conn: Connection, org: str, case_id: int, items: list[ev.EvidenceItem],
               actor: str, now) -> list[ev.EvidenceItem]:
    """Store the items the case does not have yet, numbered after those it has."""
    have = {(r.kind, r.source_kind, r.source_id) for r in conn.execute(
        select(evidence_items.c.kind, evidence_items.c.source_kind, evidence_items.c.source_id)
        .where(evidence_items.c.case_id == case_id))}
    seq = conn.execute(select(func.coalesce(func.max(evidence_items.c.seq), 0))
                       .where(evidence_items.c.case_id == case_id)).scalar()
    new = [i for i in items if (i.kind.value, i.source_kind, i.source_id) not in have]
    rows = []
    for seq, item in enumerate(new, start=seq + 1):
        rows.append(dict(org=org, case_id=case_id, seq=seq, kind=item.kind.value,
                         source_kind=item.source_kind, source_id=item.source_id,
                         import_id=item.import_id, source_file=item.source_file,
                         imported_at=item.imported_at, source_row=item.source_row,
                         original=item.original, content=item.content, sha256=item.sha256,
                         note=item.note, added_by=actor, added_at=now))
    if rows:
        conn.execute(evidence_items.insert(), rows)
    return new


def _event(conn: Connection, org: str, case_id: int, kind: EventKind, actor: str,
           detail: dict) -> None:
    seq = conn.execute(select(func.coalesce(func.max(case_events.c.seq), 0))
                       .where(case_events.c.case_id == case_id)).scalar() + 1
    now = utcnow()
    conn.execute(case_events.insert().values(org=org, case_id=case_id, seq=seq,
                                             kind=kind.value, actor=actor, at=now,
                                             detail=detail))
    conn.execute(cases.update().where(cases.c.case_id == case_id).values(updated_at=now))


def _case_row(conn: Connection, org: str, case_id: int) -> dict:
    row = conn.execute(select(cases).where(cases.c.org == org, cases.c.case_id == case_id)
                       ).mappings().first()
    if row is None:
        raise CaseNotFound(f"no case {case_id} in this institution")
    return dict(row)


def assign(engine: Engine, org: str, actor: str | None, case_id: int, assignee: str) -> None:
    actor = actor or login_name()
    with engine.begin() as conn:
        _case_row(conn, org, case_id)
        conn.execute(cases.update().where(cases.c.case_id == case_id)
                     .values(assignee=assignee))
        _event(conn, org, case_id, EventKind.ASSIGNED, actor, {"assignee": assignee})
        audit.record(conn, org, actor, "case.assign", f"case:{case_id}",
                     {"assignee": assignee})


def change_status(engine: Engine, org: str, actor: str | None, case_id: int,
                  new: CaseStatus | str, reason: str | None = None) -> CaseStatus:
    """Move the case if its status allows; the move and its reason go in the event log."""
    actor = actor or login_name()
    with engine.begin() as conn:
        current = CaseStatus(_case_row(conn, org, case_id)["status"])
        target = current.transition_to(new, reason)
        conn.execute(cases.update().where(cases.c.case_id == case_id)
                     .values(status=target.value))
        detail = {"from": current.value, "to": target.value, "reason": reason or ""}
        _event(conn, org, case_id, EventKind.STATUS_CHANGED, actor, detail)
        if target in EVENT_FOR_STATUS:
            _event(conn, org, case_id, EVENT_FOR_STATUS[target], actor,
                   {"reason": reason or ""})
        audit.record(conn, org, actor, "case.status", f"case:{case_id}", detail)
    return target


def comment(engine: Engine, org: str, actor: str | None, case_id: int, text: str) -> None:
    if not text.strip():
        raise InputError("an empty comment says nothing")
    actor = actor or login_name()
    with engine.begin() as conn:
        _case_row(conn, org, case_id)
        _event(conn, org, case_id, EventKind.COMMENT, actor, {"text": text.strip()})
        audit.record(conn, org, actor, "case.comment", f"case:{case_id}", {})


def add_evidence(engine: Engine, org: str, actor: str | None, case_id: int, vault: Path,
                 record: tuple[str, str] | None = None, file: Path | None = None,
                 note: str = "") -> list[ev.EvidenceItem]:
    """Add a stored record (kind, id) — with what it leads to — or a manual finding."""
    if record is None and file is None and not note.strip():
        raise InputError("give a record (KIND:ID), a file or a note")
    actor = actor or login_name()
    now = utcnow()
    with engine.begin() as conn:
        _case_row(conn, org, case_id)
        items = (ev.for_record(conn, org, *record) if record
                 else [ev.manual(note.strip(), file, vault)])
        added = _add_items(conn, org, case_id, items, actor, now)
        detail = {"items": [f"{i.kind.value}:{i.source_id}" for i in added][:20],
                  "count": len(added)}
        _event(conn, org, case_id, EventKind.EVIDENCE_ADDED, actor, detail)
        audit.record(conn, org, actor, "case.add_evidence", f"case:{case_id}",
                     {"count": len(added)})
    return added


def export_package(engine: Engine, org: str, actor: str | None, case_id: int, out_dir: Path,
                   vault: Path, unmasked: bool = False) -> Package:
    """The police referral package (ZIP); with `unmasked`, personal data in full — a read of
    unmasked personal data, and audited as such."""
    from qinglang.disposal.package import write_package  # the PDF library loads only here

    package = write_package(case_view(engine, org, case_id), out_dir, vault, not unmasked)
    _record_export(engine, org, actor, case_id, "package",
                   {"sha256": package.sha256, "unmasked": unmasked,
                    "files": len(package.manifest["files"])})
    return package


def export_takedowns(engine: Engine, org: str, actor: str | None, case_id: int,
                     out_dir: Path) -> list[Path]:
    """One take-down request file per platform for the case's posts."""
    view = case_view(engine, org, case_id)
    written = write_takedowns(view, out_dir)
    if not written:
        raise InputError(f"case {case_id} holds no posts: take-down requests are for content")
    _record_export(engine, org, actor, case_id, "takedown",
                   {"platforms": [p.stem.rsplit("-", 1)[-1] for p in written]})
    return written


def _record_export(engine: Engine, org: str, actor: str | None, case_id: int, what: str,
                   detail: dict) -> None:
    """An export is an event of the case too (left out of the report, which stays the same)."""
    actor = actor or login_name()
    with engine.begin() as conn:
        _event(conn, org, case_id, EventKind.EXPORTED, actor, {"what": what, **detail})
        audit.record(conn, org, actor, f"case.export.{what}", f"case:{case_id}", detail)


def case_view(engine: Engine, org: str, case_id: int) -> CaseView:
    with engine.connect() as conn:
        case = _case_row(conn, org, case_id)
        events = [dict(r) for r in conn.execute(
            select(case_events).where(case_events.c.case_id == case_id)
            .order_by(case_events.c.seq)).mappings()]
        items = [dict(r) for r in conn.execute(
            select(evidence_items).where(evidence_items.c.case_id == case_id)
            .order_by(evidence_items.c.seq)).mappings()]
    return CaseView(case, events, items)


def list_cases(engine: Engine, org: str, status: str | None = None) -> list[dict]:
    """Cases newest first, with how much evidence each holds."""
    counts = (select(evidence_items.c.case_id, func.count().label("evidence"))
              .group_by(evidence_items.c.case_id).subquery())
    query = (select(cases, func.coalesce(counts.c.evidence, 0).label("evidence"))
             .outerjoin(counts, counts.c.case_id == cases.c.case_id)
             .where(cases.c.org == org).order_by(cases.c.case_id.desc()))
    if status:
        query = query.where(cases.c.status == CaseStatus.parse(status).value)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
