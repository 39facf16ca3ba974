"""全域监控: what the dashboard and the API read about complaints — the queue, one complaint with
the evidence behind its verdict, and the overview figures.

Every function takes the caller's institution and reads only its rows; a complaint id of
another institution is "not found", exactly like an id that does not exist. Personal data
comes out masked; the unmasked form is only given through `reveal_complaint`, which records
who saw what in the audit log first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, func, select

from qinglang.errors import QinglangError
from qinglang.model.schema import load_kind
from qinglang.model.values import IdNumberProtector
from qinglang.model.values.masking import FULLY_MASKED, mask_phone
from qinglang.rules.schema import default_ruleset
from qinglang.services import audit
from qinglang.services.assess import OUTCOMES
from qinglang.services.exporting import public_row
from qinglang.store.tables import (assessments, attachments, imports, record_tables, rejects,
                                   rule_hits)
from qinglang.store.tables_cases import audit_log, cases
from qinglang.store.tables_content import post_assessments

complaints = record_tables["complaints"]
posts = record_tables["posts"]
QUEUE_COLUMNS = (complaints.c.complaint_id, complaints.c.customer_id, complaints.c.received_at,
                 complaints.c.channel, complaints.c.claimed_role, complaints.c.contact_phone,
                 assessments.c.risk_score, assessments.c.outcome, assessments.c.rules,
                 assessments.c.explanation)
HIDDEN_COLUMNS = ("attrs", "originals", "import_id", "source_row", "org")
_E164 = re.compile(r"^\+\d{6,15}$")
_BUILDING_KEY = re.compile(r"^(\d{6}):.+$")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![0-9])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9])")


class NotFound(QinglangError):
    """No such record in the caller's institution (which is all a caller may learn)."""

    http_status = 404
    code = "not_found"


@dataclass(frozen=True)
class QueueFilter:
    outcome: str | None = None
    min_risk: int | None = None
    rule_id: str | None = None
    channel: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None


@dataclass(frozen=True)
class Page:
    items: list[dict]
    total: int
    offset: int
    limit: int


def complaint_queue(engine: Engine, org: str, wanted: QueueFilter, offset: int = 0,
                    limit: int = 50) -> Page:
    """Assessed complaints, riskiest first, personal data masked."""
    joined = complaints.join(assessments, and_(assessments.c.org == complaints.c.org,
                                               assessments.c.complaint_id
                                               == complaints.c.complaint_id))
    conditions = [complaints.c.org == org, *_queue_conditions(org, wanted)]
    with engine.connect() as conn:
        rows, count = _page_of(conn, QUEUE_COLUMNS, joined, conditions,
                               [assessments.c.risk_score.desc(), complaints.c.complaint_id],
                               offset, limit)
    for row in rows:
        row["contact_phone"] = mask_phone(row["contact_phone"]) if row["contact_phone"] else None
        row["rules"] = row["rules"].split(";") if row["rules"] else []
    return Page(rows, count, offset, limit)


def _page_of(conn, columns: list, source, conditions: list, order: list, offset: int,
             limit: int) -> tuple[list[dict], int]:
    """One page of the rows of `source` meeting `conditions` (as dicts), and how many there
    are in all."""
    rows = [dict(r._mapping) for r in conn.execute(
        select(*columns).select_from(source).where(*conditions).order_by(*order)
        .offset(offset).limit(limit))]
    total = conn.execute(select(func.count()).select_from(source).where(*conditions)).scalar()
    return rows, total


IMPORT_COLUMNS = [imports.c.id.label("import_id"), imports.c.file_name, imports.c.kind,
                  imports.c.file_format, imports.c.encoding, imports.c.status,
                  imports.c.rows_ok, imports.c.rows_rejected, imports.c.started_at,
                  imports.c.finished_at]


def import_history(engine: Engine, org: str, offset: int = 0, limit: int = 50) -> Page:
    """The institution's imports, newest first: file, kind, status and row counts."""
    with engine.connect() as conn:
        rows, count = _page_of(conn, IMPORT_COLUMNS, imports, [imports.c.org == org],
                               [imports.c.id.desc()], offset, limit)
    return Page(rows, count, offset, limit)


def rejected_rows(engine: Engine, org: str, import_id: int, offset: int = 0,
                  limit: int = 50) -> Page:
    """The rows an import of the institution rejected — row number, column and reason, in
    row order — never the rejected values."""
    with engine.connect() as conn:
        known = conn.execute(select(imports.c.id).where(imports.c.org == org,
                                                        imports.c.id == import_id)).first()
        if known is None:
            raise NotFound("no such import")
        rows, count = _page_of(
            conn, [rejects.c.row_number, rejects.c.column_name.label("column"), rejects.c.reason],
            rejects, [rejects.c.import_id == import_id],
            [rejects.c.row_number, rejects.c.column_name], offset, limit)
    return Page(rows, count, offset, limit)


def _queue_conditions(org: str, wanted: QueueFilter) -> list:
    conditions = []
    if wanted.outcome:
        conditions.append(assessments.c.outcome == wanted.outcome)
    if wanted.min_risk is not None:
        conditions.append(assessments.c.risk_score >= wanted.min_risk)
    if wanted.channel:
        conditions.append(complaints.c.channel == wanted.channel)
    if wanted.received_from:
        conditions.append(complaints.c.received_at >= wanted.received_from)
    if wanted.received_to:
        conditions.append(complaints.c.received_at < wanted.received_to)
    if wanted.rule_id:
        conditions.append(select(rule_hits.c.complaint_id).where(
            rule_hits.c.org == org, rule_hits.c.complaint_id == complaints.c.complaint_id,
            rule_hits.c.rule_id == wanted.rule_id).exists())
    return conditions


def complaint_detail(engine: Engine, org: str, complaint_id: str) -> dict:
    """One complaint, its verdict and every rule hit with its evidence — all masked."""
    return _detail(engine, org, complaint_id, None)


def reveal_complaint(engine: Engine, org: str, complaint_id: str, actor: str,
                     protector: IdNumberProtector) -> dict:
    """The complaint with its personal data in full; who revealed it is audited first."""
    detail = _detail(engine, org, complaint_id, protector)
    record_reveal(engine, org, actor, f"complaint:{complaint_id}",
                  {"fields": [s.name for s in load_kind("complaints").fields if s.personal]})
    return detail


def record_reveal(engine: Engine, org: str, actor: str, target: str, detail: dict) -> None:
    """Write the reveal to the hash-chained audit log before anything is shown."""
    audit.record(engine, org=org, actor=actor, action="reveal", target=target, detail=detail)


def _detail(engine: Engine, org: str, complaint_id: str,
            protector: IdNumberProtector | None) -> dict:
    schema = load_kind("complaints")
    with engine.connect() as conn:
        row = conn.execute(select(complaints).where(
            complaints.c.org == org, complaints.c.complaint_id == complaint_id)).mappings().first()
        if row is None:
            raise NotFound("no such complaint")
        verdict = conn.execute(select(assessments).where(
            assessments.c.org == org, assessments.c.complaint_id == complaint_id)
        ).mappings().first()
        hits = conn.execute(select(rule_hits.c.rule_id, rule_hits.c.evidence).where(
            rule_hits.c.org == org, rule_hits.c.complaint_id == complaint_id)).all()
        files = conn.execute(select(attachments.c.file_name, attachments.c.sha256,
                                    attachments.c.size_bytes).where(
            attachments.c.org == org, attachments.c.complaint_id == complaint_id)).all()
    revealed = protector is not None
    record = public_row(dict(row), schema.fields, revealed, protector)
    fields = {k: v for k, v in record.items()
              if k in schema.field_names or k == schema.id_field}
    if not revealed:
        fields["text"] = mask_text(fields.get("text") or "")
    return {
        "complaint": fields,
        "revealed": revealed,
        "assessment": _assessment(verdict),
        "hits": [hit_view(rule_id, evidence, revealed) for rule_id, evidence in
                 sorted(hits, key=lambda h: _rule_order(h[0]))],
        "attachments": [dict(f._mapping) for f in files],
    }


def _assessment(verdict) -> dict | None:
    if verdict is None:
        return None
    return {"risk_score": verdict["risk_score"], "outcome": verdict["outcome"],
            "rules": verdict["rules"].split(";") if verdict["rules"] else [],
            "explanation": verdict["explanation"],
            "ruleset_version": verdict["ruleset_version"],
            "assessed_at": verdict["assessed_at"]}


def hit_view(rule_id: str, evidence: dict, revealed: bool) -> dict:
    rule = _rule_or_none(rule_id)
    return {"rule_id": rule_id,
            "title_zh": rule.title_zh if rule else rule_id,
            "title_en": rule.title_en if rule else rule_id,
            "weight": rule.weight if rule else None,
            "evidence": evidence if revealed else mask_evidence(evidence)}


def _rule_or_none(rule_id: str):
    try:
        return default_ruleset().rule(rule_id)
    except KeyError:
        return None


def _rule_order(rule_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in rule_id.split(".") if p.isdigit())


def mask_evidence(value):
    """Evidence as stored, with phone numbers and building addresses masked wherever they
    appear — as values or as keys (`{"numbers": {"+8613…": 9}}`)."""
    if isinstance(value, dict):
        return {mask_evidence(k): mask_evidence(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_evidence(v) for v in value]
    if isinstance(value, str):
        if _E164.match(value):
            return mask_phone(value)
        building = _BUILDING_KEY.match(value)
        if building:
            return f"{building.group(1)}:{FULLY_MASKED}"
        return mask_text(value)  # free text in evidence, e.g. an analyst's finding note
    return value


def mask_text(text: str) -> str:
    """Free text with mobile numbers and id numbers inside it masked."""
    text = _ID_IN_TEXT.sub(r"\1********\2", text)
    return _MOBILE_IN_TEXT.sub(r"\1****\2", text)


def complaints_overview(engine: Engine, org: str, top: int = 10) -> dict:
    """Complaints per day by outcome, the share judged agent-driven or malicious, top rules."""
    day = func.date(complaints.c.received_at)
    joined = complaints.join(assessments, and_(assessments.c.org == complaints.c.org,
                                               assessments.c.complaint_id
                                               == complaints.c.complaint_id))
    with engine.connect() as conn:
        per_day = conn.execute(
            select(day.label("day"), assessments.c.outcome, func.count())
            .select_from(joined).where(complaints.c.org == org)
            .group_by(day, assessments.c.outcome).order_by(day)).all()
        outcomes = dict(conn.execute(
            select(assessments.c.outcome, func.count()).where(assessments.c.org == org)
            .group_by(assessments.c.outcome)).all())
        rules = conn.execute(
            select(rule_hits.c.rule_id, func.count()).where(rule_hits.c.org == org)
            .group_by(rule_hits.c.rule_id).order_by(func.count().desc()).limit(top)).all()
        by_channel = dict(conn.execute(
            select(complaints.c.channel, func.count()).where(complaints.c.org == org)
            .group_by(complaints.c.channel)).all())
    assessed = sum(outcomes.values())
    flagged = outcomes.get("agent_driven", 0) + outcomes.get("malicious", 0)
    return {
        "assessed": assessed,
        "outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES},
        "share_agent_driven": flagged / assessed if assessed else 0.0,
        "per_day": [{"day": str(d), "outcome": o, "count": n} for d, o, n in per_day],
        "top_rules": [{"rule_id": r, "count": n,
                       "title_zh": getattr(_rule_or_none(r), "title_zh", r),
                       "title_en": getattr(_rule_or_none(r), "title_en", r)}
                      for r, n in rules],
        "by_channel": by_channel,
    }


def audit_trail(engine: Engine, org: str, target: str, limit: int = 200) -> list[dict]:
    """The audit entries about one target (`case:12`), oldest first."""
    query = (select(audit_log.c.seq, audit_log.c.at, audit_log.c.actor, audit_log.c.action,
                    audit_log.c.detail, audit_log.c.hash)
             .where(audit_log.c.org == org, audit_log.c.target == target)
             .order_by(audit_log.c.seq).limit(limit))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def cases_by_status(engine: Engine, org: str) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(cases.c.status, func.count()).where(cases.c.org == org)
                                 .group_by(cases.c.status).order_by(cases.c.status)).all())


@dataclass(frozen=True)
class PostFilter:
    level: int | None = None
    platform: str | None = None
    category: str | None = None


def flagged_posts(engine: Engine, org: str, wanted: PostFilter, offset: int = 0,
                  limit: int = 20) -> Page:
    """Posts the content engine judged black/gray, most severe and surest first, each with
    its text and where in it the terms and contacts were found (contacts masked in place)."""
    joined = posts.join(post_assessments, and_(post_assessments.c.org == posts.c.org,
                                               post_assessments.c.post_id == posts.c.post_id))
    conditions = [posts.c.org == org, post_assessments.c.is_black_gray.is_(True)]
    if wanted.level is not None:
        conditions.append(post_assessments.c.level == wanted.level)
    if wanted.platform:
        conditions.append(posts.c.platform == wanted.platform)
    if wanted.category:
        conditions.append(post_assessments.c.category == wanted.category)
    columns = [posts.c.post_id, posts.c.platform, posts.c.account_name, posts.c.published_at,
               posts.c.url, posts.c.text, post_assessments.c.level, post_assessments.c.category,
               post_assessments.c.score, post_assessments.c.evidence]
    order = [post_assessments.c.level, post_assessments.c.score.desc(), posts.c.post_id]
    with engine.connect() as conn:
        rows, total = _page_of(conn, columns, joined, conditions, order, offset, limit)
    return Page([_post_view(row) for row in rows], total, offset, limit)


def _post_view(row: dict) -> dict:
    evidence = row.pop("evidence") or {}
    contacts = evidence.get("contacts", [])
    row["text"] = mask_spans(row["text"] or "", [c["span"] for c in contacts])
    row["terms"] = evidence.get("terms", [])
    row["contacts"] = contacts
    return row


def mask_spans(text: str, spans: list[list[int]]) -> str:
    """The text with each span's middle starred out, keeping its length so spans still fit."""
    chars = list(text)
    for start, end in spans:
        keep = 2 if end - start > 6 else 1
        for i in range(start + keep, max(start + keep, end - keep)):
            if not chars[i].isspace():
                chars[i] = "*"
    return "".join(chars)


def content_hits(engine: Engine, org: str) -> list[dict]:
    """Black/gray posts by platform and level."""
    query = (select(posts.c.platform, post_assessments.c.level, func.count())
             .join(post_assessments, and_(post_assessments.c.org == posts.c.org,
                                          post_assessments.c.post_id == posts.c.post_id))
             .where(posts.c.org == org, post_assessments.c.is_black_gray.is_(True))
             .group_by(posts.c.platform, post_assessments.c.level)
             .order_by(posts.c.platform, post_assessments.c.level))
    with engine.connect() as conn:
        return [{"platform": p, "level": lvl, "count": n} for p, lvl, n in conn.execute(query)]
