"""Scoring one new complaint against the stored history, with exactly the batch result.

The batch evaluators are set-based queries over the store's tables. Rather than a second,
hand-written version of every rule for a single complaint — which would drift from the
batch one — online scoring runs the very same evaluators over the complaint's
neighbourhood: its customer and every customer who shares an identifier with that customer
(a number, a voiceprint, a mailing building, an attached file). Those records are copied
into temporary tables that shadow the stored ones for one connection; SQLite and PostgreSQL
both resolve an unqualified table name to the temporary table first. Every identification
rule looks at most one shared identifier away from the complaint's customer, so the
neighbourhood holds everything a rule can see about this complaint and the verdict equals
the batch verdict (tests/services/test_online.py checks it on the sample institution).
Nothing is written to the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (Column, Connection, Engine, MetaData, String, Table, insert, select,
                        text, union)

from qinglang.detect.base import Hit, calls, complaints, customers, phone_uses_table
from qinglang.detect.images import within
from qinglang.errors import InputError
from qinglang.ingest.clean import RowCleaner
from qinglang.ingest.rows import RawRow
from qinglang.model.schema import load_kind
from qinglang.model.values import IdNumberProtector
from qinglang.rules.schema import RuleSet, default_ruleset
from qinglang.rules.scoring import Verdict, judge
from qinglang.services.assess import collect_hits
from qinglang.settings import Settings
from qinglang.store.repository import record_rows
from qinglang.store.tables import attachments

SHADOWED = ("customers", "complaints", "calls", "attachments")

scope_table = Table("online_scope", MetaData(), Column("customer_id", String(256)),
                    prefixes=["TEMPORARY"])


@dataclass(frozen=True)
class OnlineAssessment:
    complaint_id: str
    ruleset_version: str
    verdict: Verdict
    hits: list[Hit]
    neighbourhood: int


def score_complaint(engine: Engine, settings: Settings, row: dict,
                    ruleset: RuleSet | None = None) -> OnlineAssessment:
    """The assessment of one complaint given as an export row (formats.md "complaints")."""
    ruleset = ruleset or default_ruleset()
    record = clean_complaint(settings, row)
    org, complaint_id = settings.org, record["complaint_id"]
    with engine.connect() as conn:
        try:
            nearby = neighbourhood(conn, org, record, ruleset)
            _shadow_store(conn, org, nearby, record)
            hits = collect_hits(conn, org, ruleset).get(complaint_id, [])
        finally:
            conn.rollback()
            _drop_shadows(conn)
    return OnlineAssessment(complaint_id, ruleset.version, judge(hits, ruleset), hits,
                            len(nearby))


def clean_complaint(settings: Settings, row: dict) -> dict:
    """The complaint as the store would hold it; a bad field is an error naming the field."""
    schema = load_kind("complaints")
    values = {str(k).strip().lower(): v for k, v in row.items()}
    cleaner = RowCleaner(schema, tuple(values), IdNumberProtector(settings.secret_key),
                         settings.max_field_chars)
    records, problems = cleaner.clean_batch([RawRow(1, values)])
    if problems:
        reasons = "; ".join(f"{p.column}: {p.reason}" for p in problems)
        raise InputError(f"complaint rejected: {reasons}")
    return record_rows(schema, settings.org, 0, records)[0]


def neighbourhood(conn: Connection, org: str, record: dict, ruleset: RuleSet) -> set[str]:
    """The complaint's customer and every stored customer sharing an identifier with them."""
    customer_id = record.get("customer_id")
    if not customer_id:
        return set()
    own_complaints = select(complaints.c.complaint_id).where(
        complaints.c.org == org, complaints.c.customer_id == customer_id)
    numbers = union(
        select(complaints.c.contact_phone).where(complaints.c.org == org,
                                                 complaints.c.customer_id == customer_id),
        select(calls.c.caller_number).where(calls.c.org == org,
                                            calls.c.customer_id == customer_id))
    voiceprints = select(calls.c.voiceprint_id).where(calls.c.org == org,
                                                      calls.c.customer_id == customer_id)
    buildings = select(complaints.c.mailing_address_building_key).where(
        complaints.c.org == org, complaints.c.customer_id == customer_id)
    files = select(attachments.c.sha256).where(
        attachments.c.org == org,
        attachments.c.complaint_id.in_(own_complaints)
        | (attachments.c.complaint_id == record["complaint_id"]))
    extra_numbers = [record["contact_phone"]] if record.get("contact_phone") else []
    extra_buildings = ([record["mailing_address_building_key"]]
                       if record.get("mailing_address_building_key") else [])
    holders = union(
        select(complaints.c.customer_id).where(
            complaints.c.org == org,
            complaints.c.contact_phone.in_(numbers) | complaints.c.contact_phone.in_(
                extra_numbers)),
        select(calls.c.customer_id).where(
            calls.c.org == org,
            calls.c.caller_number.in_(numbers) | calls.c.caller_number.in_(extra_numbers)),
        select(customers.c.customer_id).where(
            customers.c.org == org,
            customers.c.reserved_phone.in_(numbers)
            | customers.c.reserved_phone.in_(extra_numbers)),
        select(calls.c.customer_id).where(calls.c.org == org,
                                          calls.c.voiceprint_id.in_(voiceprints)),
        select(complaints.c.customer_id).where(
            complaints.c.org == org,
            complaints.c.mailing_address_building_key.in_(buildings)
            | complaints.c.mailing_address_building_key.in_(extra_buildings)),
        select(complaints.c.customer_id)
        .join(attachments, (attachments.c.org == complaints.c.org)
              & (attachments.c.complaint_id == complaints.c.complaint_id))
        .where(complaints.c.org == org, attachments.c.sha256.in_(files)),
    )
    found = {r[0] for r in conn.execute(holders) if r[0] is not None}
    return found | _near_copy_holders(conn, org, own_complaints, record, ruleset) | {customer_id}


def _near_copy_holders(conn: Connection, org: str, own_complaints, record: dict,
                       ruleset: RuleSet) -> set[str]:
    """Customers with an image that looks like one of this customer's (rule 5.1)."""
    mine = (attachments.c.complaint_id.in_(own_complaints)
            | (attachments.c.complaint_id == record["complaint_id"]))
    probes = conn.execute(select(attachments.c.phash64, attachments.c.phash256).where(
        attachments.c.org == org, mine, attachments.c.phash64.is_not(None))).all()
    if not probes:
        return set()
    stored = conn.execute(
        select(attachments.c.phash64, attachments.c.phash256, complaints.c.customer_id)
        .join(complaints, (complaints.c.org == attachments.c.org)
              & (complaints.c.complaint_id == attachments.c.complaint_id))
        .where(attachments.c.org == org, attachments.c.phash64.is_not(None))).all()
    coarse, fine = [r.phash64 for r in stored], [r.phash256 for r in stored]
    bits = ruleset.param("5.1", "candidate_bits"), ruleset.param("5.1", "max_bits")
    return {stored[i].customer_id for probe in probes
            for i in within(coarse, fine, probe.phash64, probe.phash256, *bits)}


def _shadow_store(conn: Connection, org: str, nearby: set[str], record: dict) -> None:
    """Temporary copies of the record tables holding only the neighbourhood, plus the new
    complaint in place of any stored version of it."""
    stored, temp = _schemas(conn)
    scope_table.create(conn)
    if nearby:
        conn.execute(insert(scope_table), [{"customer_id": c} for c in sorted(nearby)])
    in_scope = f"org = :org AND customer_id IN (SELECT customer_id FROM {temp}.online_scope)"
    copies = {
        "customers": in_scope,
        "complaints": f"{in_scope} AND complaint_id <> :new_id",
        "calls": in_scope,
        "attachments": (f"org = :org AND complaint_id IN (SELECT complaint_id FROM "
                        f"{stored}.complaints WHERE {in_scope}) OR (org = :org AND "
                        f"complaint_id = :new_id)"),
    }
    params = {"org": org, "new_id": record["complaint_id"]}
    for name in SHADOWED:
        conn.execute(text(f"CREATE TEMPORARY TABLE {name} AS SELECT * FROM {stored}.{name} "
                          f"WHERE {copies[name]}"), params)
    conn.execute(insert(complaints), [record])


def _drop_shadows(conn: Connection) -> None:
    _, temp = _schemas(conn)
    for name in (*SHADOWED, scope_table.name, phone_uses_table.name):
        conn.execute(text(f"DROP TABLE IF EXISTS {temp}.{name}"))


def _schemas(conn: Connection) -> tuple[str, str]:
    """(schema of the stored tables, schema of this connection's temporary tables)."""
    if conn.dialect.name == "sqlite":
        return "main", "temp"
    return conn.execute(text("SELECT current_schema()")).scalar(), "pg_temp"
