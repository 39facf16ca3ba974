"""Manual findings: an analyst records the judgement a manual rule needs (1.1 the caller could
not give the customer's details, 3.3 refused to meet, 4.3 the test transfer …).

Findings are append-only: adding one and withdrawing one each add a row, and each is audited
in the same transaction. A standing finding counts as a hit of its rule when complaints are
scored (detect.findings), in `analyze` and online alike; `rescore` scores the one complaint
again through the online path and stores its assessment, so no full analysis is needed.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, delete, insert, select

from qinglang.detect.base import complaints
from qinglang.errors import InputError, QinglangError
from qinglang.rules.schema import RuleSet, default_ruleset
from qinglang.services import audit
from qinglang.services.monitor import NotFound, mask_text, record_reveal
from qinglang.services.online import OnlineAssessment, score_stored
from qinglang.settings import login_name
from qinglang.store.repository import execute_prepared, prepare_upsert, utcnow
from qinglang.store.tables import assessments, rule_hits
from qinglang.store.tables_findings import finding_withdrawals, findings

MAX_NOTE = 10_000


class FindingNotFound(QinglangError):
    http_status = 404
    code = "finding_not_found"


def add_finding(engine: Engine, org: str, actor: str | None, complaint_id: str, rule_id: str,
                note: str, ruleset: RuleSet | None = None) -> int:
    """Record an analyst's finding on a complaint; returns its number."""
    ruleset = ruleset or default_ruleset()
    _check_manual_rule(ruleset, rule_id)
    note = _required_text(note, "note")
    actor = actor or login_name()
    with engine.begin() as conn:
        _check_complaint(conn, org, complaint_id)
        finding_id = conn.execute(insert(findings).values(
            org=org, complaint_id=complaint_id, rule_id=rule_id, note=note, added_by=actor,
            added_at=utcnow())).inserted_primary_key[0]
        audit.record(conn, org, actor, "finding.add", f"complaint:{complaint_id}",
                     {"finding_id": finding_id, "rule_id": rule_id})
    return finding_id


def withdraw_finding(engine: Engine, org: str, actor: str | None, finding_id: int,
                     reason: str) -> str:
    """Withdraw a finding (it stays in the store, marked withdrawn); returns its complaint."""
    reason = _required_text(reason, "reason")
    actor = actor or login_name()
    with engine.begin() as conn:
        found = conn.execute(select(findings.c.complaint_id, finding_withdrawals.c.finding_id)
                             .outerjoin(finding_withdrawals,
                                        finding_withdrawals.c.finding_id == findings.c.finding_id)
                             .where(findings.c.org == org,
                                    findings.c.finding_id == finding_id)).first()
        if found is None:
            raise FindingNotFound(f"no finding {finding_id} in this institution")
        if found[1] is not None:
            raise InputError(f"finding {finding_id} was already withdrawn")
        conn.execute(insert(finding_withdrawals).values(
            finding_id=finding_id, org=org, reason=reason, withdrawn_by=actor,
            withdrawn_at=utcnow()))
        audit.record(conn, org, actor, "finding.withdraw", f"complaint:{found[0]}",
                     {"finding_id": finding_id})
    return found[0]


def list_findings(engine: Engine, org: str, complaint_id: str | None = None,
                  unmasked: bool = False, actor: str | None = None) -> list[dict]:
    """Every finding of the institution (or of one complaint), oldest first, withdrawn ones
    with who withdrew them, when and why. Numbers in the notes are masked unless `unmasked`,
    which is audited as a reveal."""
    query = (select(findings.c.finding_id, findings.c.complaint_id, findings.c.rule_id,
                    findings.c.note, findings.c.added_by, findings.c.added_at,
                    finding_withdrawals.c.reason.label("withdrawal_reason"),
                    finding_withdrawals.c.withdrawn_by, finding_withdrawals.c.withdrawn_at)
             .outerjoin(finding_withdrawals,
                        finding_withdrawals.c.finding_id == findings.c.finding_id)
             .where(findings.c.org == org).order_by(findings.c.finding_id))
    if complaint_id is not None:
        query = query.where(findings.c.complaint_id == complaint_id)
    if unmasked:
        record_reveal(engine, org, actor or login_name(),
                      f"complaint:{complaint_id}" if complaint_id else f"findings:{org}",
                      {"fields": ["note", "withdrawal_reason"]})
    with engine.connect() as conn:
        return [_shown(dict(row), unmasked) for row in conn.execute(query).mappings()]


def _shown(finding: dict, unmasked: bool) -> dict:
    finding["withdrawn"] = finding["withdrawn_at"] is not None
    if not unmasked:
        for key in ("note", "withdrawal_reason"):
            finding[key] = finding[key] and mask_text(finding[key])
    return finding


def rescore(engine: Engine, org: str, actor: str | None, complaint_id: str,
            ruleset: RuleSet | None = None) -> OnlineAssessment:
    """Score one stored complaint again through the online path — the verdict `analyze` would
    give it — and store that assessment and its hits in place of the old ones."""
    ruleset = ruleset or default_ruleset()
    result = score_stored(engine, org, complaint_id, ruleset)
    if result is None:
        raise NotFound(f"no complaint {complaint_id} in this institution")
    with engine.begin() as conn:
        _store_assessment(conn, org, result)
        audit.record(conn, org, actor, "complaint.rescore", f"complaint:{complaint_id}",
                     {"ruleset_version": ruleset.version, "outcome": result.verdict.outcome})
    return result


def _store_assessment(conn: Connection, org: str, result: OnlineAssessment) -> None:
    complaint_id = result.complaint_id
    execute_prepared(conn, prepare_upsert(conn.dialect, assessments, [
        {"org": org, "complaint_id": complaint_id, "ruleset_version": result.ruleset_version,
         "assessed_at": utcnow(), **result.verdict.__dict__}]))
    conn.execute(delete(rule_hits).where(rule_hits.c.org == org,
                                         rule_hits.c.complaint_id == complaint_id))
    if result.hits:
        conn.execute(insert(rule_hits), [
            {"org": org, "complaint_id": complaint_id, "rule_id": hit.rule_id,
             "evidence": hit.evidence} for hit in result.hits])


def _check_manual_rule(ruleset: RuleSet, rule_id: str) -> None:
    manual = [rule.id for rule in ruleset.rules if rule.mode == "manual"]
    try:
        rule = ruleset.rule(rule_id)
    except KeyError:
        raise InputError(f"unknown rule {rule_id!r}; findings are for the manual rules "
                         f"{', '.join(manual)}") from None
    if rule.mode != "manual":
        raise InputError(f"rule {rule_id} is decided from the records by `qinglang analyze`; "
                         f"findings are for the manual rules {', '.join(manual)}")


def _check_complaint(conn: Connection, org: str, complaint_id: str) -> None:
    stored = conn.execute(select(complaints.c.complaint_id).where(
        complaints.c.org == org, complaints.c.complaint_id == complaint_id)).first()
    if stored is None:
        raise NotFound(f"no complaint {complaint_id} in this institution")


def _required_text(value: str, name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InputError(f"a finding needs a {name}")
    if len(value) > MAX_NOTE:
        raise InputError(f"the {name} is longer than {MAX_NOTE:,} characters")
    return value
