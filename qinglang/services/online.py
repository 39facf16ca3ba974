"""Scoring one new complaint against the stored history, with exactly the batch result.

The batch evaluators are set-based queries over the store's tables. Rather than a second,
hand-written version of every rule for a single complaint — which would drift from the
batch one — online scoring runs the very same evaluators over the complaint's
neighbourhood: its customer and every customer who shares an identifier with that customer
(a number other than a service number, a voiceprint, a mailing building, an attached file
or a near copy of one). Those records are copied
into temporary tables that shadow the stored ones for one connection; SQLite and PostgreSQL
both resolve an unqualified table name to the temporary table first. The connections that
hold the shadows serve scoring alone (a pool of their own) and keep the tables from one
request to the next, each request's rollback emptying them: creating and dropping tables
changes the schema, after which SQLite prepares every statement of the connection anew
(about a fifth of a request's time at a million complaints). Every identification
rule looks at most one shared identifier away from the complaint's customer, so the
neighbourhood holds everything a rule can see about this complaint and the verdict equals
the batch verdict (tests/services/test_online.py checks it on the sample institution).
Nothing is written to the store. On SQLite the statements run straight on the driver
(`store.direct`): SQLAlchemy's handling of each took longer than SQLite's running of it.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from functools import lru_cache
from threading import Lock
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, bindparam, event, insert, select, text, union

from qinglang.detect.base import (IDS, PHONE_USES_MADE, Hit, built_once, calls, complaints,
                                  customers, phone_uses_table, serves_everyone)
from qinglang.detect.demands import complaint_text, text_hits
from qinglang.detect.images import within
from qinglang.detect.template_rules import Member, online_template_hits
from qinglang.detect.voices import voice_key_of_call
from qinglang.errors import InputError
from qinglang.ingest.clean import RowCleaner
from qinglang.ingest.rows import RawRow
from qinglang.model.schema import load_kind
from qinglang.model.values import IdNumberProtector
from qinglang.rules.schema import RuleSet, default_ruleset
from qinglang.rules.scoring import Verdict, judge
from qinglang.services.assess import OWN_TEXT_RULES, TEMPLATE_RULES, collect_hits
from qinglang.settings import Settings
from qinglang.store.db import create_store_engine, read_indexes
from qinglang.store.direct import direct
from qinglang.store.repository import record_rows
from qinglang.store.tables import attachments, voice_speakers

SHADOWED = ("customers", "complaints", "calls", "attachments")
READ_BY_SCORING = (*SHADOWED, "voice_speakers", "complaint_text_buckets",
                   "complaint_rare_markers", "complaint_templates")  # whose indexes it looks up
SHADOWS_MADE = "qinglang.scoring_shadows"  # set in a scoring connection's info once made
_SCORING_ENGINES: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()
_SCORING_LOCK = Lock()

SLICE = 5000  # ids bound in one statement (every driver accepts this many)
WARM_UP_TEXT = "催收人员每天打电话骚扰我的家人，利息太高，我要求减免罚息并停止催收，依据《民法典》第六百八十条。"


@dataclass(frozen=True)
class OnlineAssessment:
    complaint_id: str
    ruleset_version: str
    verdict: Verdict
    hits: list[Hit]
    neighbourhood: int


def prepare_scoring() -> None:
    """Read the rule set and compile the lexicons now, so that a server's first request is
    not the one that waits for them; then set what is loaded aside from the cycle collector,
    whose full collections would otherwise walk those millions of objects again and again
    (a request that meets one takes 150-200 ms longer at a million complaints)."""
    text_hits(["warm-up"], [WARM_UP_TEXT], default_ruleset())
    gc.collect()
    gc.freeze()


def read_scoring_indexes(engine: Engine) -> None:
    """The indexes scoring looks up, read into memory once before a server starts."""
    read_indexes(engine, READ_BY_SCORING)


def score_complaint(engine: Engine, settings: Settings, row: dict,
                    ruleset: RuleSet | None = None) -> OnlineAssessment:
    """The assessment of one complaint given as an export row (formats.md "complaints")."""
    return score_record(engine, settings.org, clean_complaint(settings, row), ruleset)


def score_stored(engine: Engine, org: str, complaint_id: str,
                 ruleset: RuleSet | None = None) -> OnlineAssessment | None:
    """A stored complaint scored again — after an analyst's finding, say — without a full
    analysis; None if the store holds no such complaint."""
    with engine.connect() as conn:
        record = conn.execute(select(complaints).where(
            complaints.c.org == org, complaints.c.complaint_id == complaint_id)).mappings().first()
    return None if record is None else score_record(engine, org, dict(record), ruleset)


def score_record(engine: Engine, org: str, record: dict,
                 ruleset: RuleSet | None = None) -> OnlineAssessment:
    """The assessment of one complaint as the store would hold it."""
    ruleset = ruleset or default_ruleset()
    complaint_id = record["complaint_id"]
    with engine.connect() as conn:
        reading = direct(conn)
        nearby = neighbourhood(reading, org, record, ruleset)
        hits = _template_hits(reading, org, ruleset, record)
    with _scoring_connection(engine) as conn:
        try:
            shadowed = direct(conn)
            _fill_shadows(shadowed, org, nearby, record)
            hits += collect_hits(shadowed, org, ruleset, online=True,
                                 skip=(OWN_TEXT_RULES,)).get(complaint_id, [])
        finally:
            conn.rollback()
    hits += _own_text_hits(record, ruleset)
    return OnlineAssessment(complaint_id, ruleset.version, judge(hits, ruleset), hits,
                            len(nearby))


def _own_text_hits(record: dict, ruleset: RuleSet) -> list[Hit]:
    """3.4, 4.8 and 4.9 from the complaint's own text: the neighbours' texts, which the
    batch evaluator would read too, cannot change them."""
    wanted = set(OWN_TEXT_RULES) & {r.id for r in ruleset.rules if r.mode == "auto"}
    if not wanted:
        return []
    text = complaint_text(record.get("text"), record.get("demands"))
    return [hit for hit in text_hits([record["complaint_id"]], [text], ruleset)
            if hit.rule_id in wanted]


def _template_hits(conn: Connection, org: str, ruleset: RuleSet, record: dict) -> list[Hit]:
    """3.2 and 4.6 against the stored template clusters (the whole store, not shadowed)."""
    wanted = set(TEMPLATE_RULES) & {r.id for r in ruleset.rules if r.mode == "auto"}
    if not wanted:
        return []
    new = Member(record["complaint_id"], record.get("customer_id"), record["received_at"],
                 record["channel"])
    _, hits = online_template_hits(conn, org, ruleset, new, record["text"])
    return [hit for hit in hits if hit.rule_id in wanted]


def clean_complaint(settings: Settings, row: dict) -> dict:
    """The complaint as the store would hold it; a bad field is an error naming the field."""
    schema = load_kind("complaints")
    values = {str(k).strip().lower(): v for k, v in row.items()}
    cleaner = RowCleaner(schema, tuple(values), _protector(settings.secret_key),
                         settings.max_field_chars)
    records, problems = cleaner.clean_batch([RawRow(1, values)])
    if problems:
        reasons = "; ".join(f"{p.column}: {p.reason}" for p in problems)
        raise InputError(f"complaint rejected: {reasons}")
    return record_rows(schema, settings.org, 0, records)[0]


@lru_cache(maxsize=8)
def _protector(key: bytes) -> IdNumberProtector:
    """The id number protector of a key (deriving its keys costs more than cleaning a row)."""
    return IdNumberProtector(key)


def neighbourhood(conn: Connection, org: str, record: dict, ruleset: RuleSet) -> set[str]:
    """The complaint's customer and every stored customer sharing an identifier with them.
    Each identifier is looked up on its own index, all in one statement."""
    customer_id = record.get("customer_id")
    if not customer_id:
        return set()
    own, own_calls = (conn.execute(query, {"customer": customer_id}).all()
                      for query in _own_records(org))
    numbers = [n for n in _present({r.contact_phone for r in own}
                                   | {r.caller_number for r in own_calls}
                                   | {record.get("contact_phone")}) if not serves_everyone(n)]
    buildings = _present({r.mailing_address_building_key for r in own}
                         | {record.get("mailing_address_building_key")})
    voices = _same_speaker_keys(conn, org, _present({r[1] for r in own_calls}))
    unenrolled = [k.removeprefix("call:") for k in voices if k.startswith("call:")]
    own_ids = [r.complaint_id for r in own] + [record["complaint_id"]]
    files = _present(set(conn.execute(_files_of(org), {"ids": own_ids}).scalars()))
    found = {customer_id, *conn.execute(_sharing_customers(org), {
        "numbers": numbers, "voices": voices, "unenrolled": unenrolled,
        "buildings": buildings, "files": files}).scalars()} - {None}
    return found | _near_copy_holders(conn, org, own_ids, ruleset)


@built_once
def _own_records(org: str) -> tuple:
    """The statements of a customer's complaints and calls (customer bound to :customer)."""
    customer = bindparam("customer")
    return (select(complaints.c.complaint_id, complaints.c.contact_phone,
                   complaints.c.mailing_address_building_key)
            .where(complaints.c.org == org, complaints.c.customer_id == customer),
            select(calls.c.caller_number, voice_key_of_call())
            .where(calls.c.org == org, calls.c.customer_id == customer))


@built_once
def _files_of(org: str):
    return select(attachments.c.sha256).where(attachments.c.org == org,
                                              attachments.c.complaint_id.in_(IDS))


@built_once
def _sharing_customers(org: str):
    """Customers sharing an identifier bound to :numbers, :voices, :unenrolled (calls with
    only a vector), :buildings or :files; each looked up on its own index."""
    numbers, voices, unenrolled, buildings, files = (
        bindparam(name, expanding=True)
        for name in ("numbers", "voices", "unenrolled", "buildings", "files"))
    return union(
        select(complaints.c.customer_id).where(complaints.c.org == org,
                                               complaints.c.contact_phone.in_(numbers)),
        select(calls.c.customer_id).where(calls.c.org == org, calls.c.caller_number.in_(numbers)),
        select(customers.c.customer_id).where(customers.c.org == org,
                                              customers.c.reserved_phone.in_(numbers)),
        select(calls.c.customer_id).where(calls.c.org == org,
                                          calls.c.voiceprint_id.in_(voices)),
        select(calls.c.customer_id).where(calls.c.org == org, calls.c.call_id.in_(unenrolled)),
        select(complaints.c.customer_id).where(
            complaints.c.org == org, complaints.c.mailing_address_building_key.in_(buildings)),
        select(complaints.c.customer_id).join(
            attachments, (attachments.c.org == complaints.c.org)
            & (attachments.c.complaint_id == complaints.c.complaint_id))
        .where(attachments.c.org == org, attachments.c.sha256.in_(files)),
    )


def _same_speaker_keys(conn: Connection, org: str, keys: list[str]) -> list[str]:
    """Every voice key the last analysis put with one of these keys' speakers."""
    return _present(set(conn.execute(_keys_of_same_speakers(org), {"ids": keys}).scalars())
                    | set(keys))


@built_once
def _keys_of_same_speakers(org: str):
    speakers = select(voice_speakers.c.speaker_id).where(
        voice_speakers.c.org == org, voice_speakers.c.voice_key.in_(IDS))
    return select(voice_speakers.c.voice_key).where(
        voice_speakers.c.org == org, voice_speakers.c.speaker_id.in_(speakers))


def _present(values: set) -> list:
    return sorted(v for v in values if v)


def _near_copy_holders(conn: Connection, org: str, own_ids: list[str],
                       ruleset: RuleSet) -> set[str]:
    """Customers with an image that looks like one of this customer's (rule 5.1)."""
    probes, every_image = _image_hashes(org)
    probes = conn.execute(probes, {"ids": own_ids}).all()
    if not probes:
        return set()
    stored = conn.execute(every_image).all()
    coarse, fine = [r.phash64 for r in stored], [r.phash256 for r in stored]
    bits = ruleset.param("5.1", "candidate_bits"), ruleset.param("5.1", "max_bits")
    return {stored[i].customer_id for probe in probes
            for i in within(coarse, fine, probe.phash64, probe.phash256, *bits)}


@built_once
def _image_hashes(org: str) -> tuple:
    """The statements of the image hashes of some complaints (bound to IDS) and of every
    stored image with its customer."""
    imaged = attachments.c.phash64.is_not(None)
    return (select(attachments.c.phash64, attachments.c.phash256).where(
                attachments.c.org == org, attachments.c.complaint_id.in_(IDS), imaged),
            select(attachments.c.phash64, attachments.c.phash256, complaints.c.customer_id)
            .join(complaints, (complaints.c.org == attachments.c.org)
                  & (complaints.c.complaint_id == attachments.c.complaint_id))
            .where(attachments.c.org == org, imaged))


def _scoring_connection(engine: Engine) -> Connection:
    """A connection of the scoring pool of `engine`'s store, its shadow tables made."""
    conn = _scoring_engine(engine).connect()
    if not conn.info.get(SHADOWS_MADE):
        stored, _ = _schemas(conn)
        for name in SHADOWED:
            conn.execute(text(f"CREATE TEMPORARY TABLE {name} AS SELECT * FROM {stored}.{name} "
                              f"WHERE 1 = 0"))
        phone_uses_table.create(conn, checkfirst=True)
        conn.commit()
        conn.info[SHADOWS_MADE] = conn.info[PHONE_USES_MADE] = True
    return conn


def _scoring_engine(engine: Engine) -> Engine:
    """The pool of scoring connections of `engine`'s store, made once and disposed with it."""
    with _SCORING_LOCK:
        scoring = _SCORING_ENGINES.get(engine)
        if scoring is None:
            scoring = create_store_engine(engine.url.render_as_string(hide_password=False),
                                          mapped=True)
            _SCORING_ENGINES[engine] = scoring
            event.listen(engine, "engine_disposed", lambda _: scoring.dispose())
    return scoring


def _fill_shadows(conn: Connection, org: str, nearby: set[str], record: dict) -> None:
    """The shadow tables filled with the neighbourhood's records, plus the new complaint in
    place of any stored version of it."""
    fills, new_complaint, files = _shadow_fills(*_schemas(conn))
    ids = sorted(nearby)
    for start in range(0, len(ids), SLICE):
        params = {"org": org, "ids": ids[start:start + SLICE], "new_id": record["complaint_id"]}
        for fill in fills:
            conn.execute(fill, params)
    conn.execute(new_complaint, [record])
    conn.execute(files, {"org": org})


@built_once
def _shadow_fills(stored: str, temp: str) -> tuple:
    """(the statements copying the customers, complaints and calls of the customers bound to
    IDS, the insert of the new complaint, the statement copying the copied complaints' files)."""
    fills = tuple(text(f"INSERT INTO {temp}.{name} SELECT * FROM {stored}.{name} "
                       f"WHERE org = :org AND customer_id IN :ids{extra}").bindparams(IDS)
                  for name, extra in (("customers", ""),
                                      ("complaints", " AND complaint_id <> :new_id"),
                                      ("calls", "")))
    files = text(f"INSERT INTO {temp}.attachments SELECT * FROM {stored}.attachments "
                 f"WHERE org = :org AND complaint_id IN "
                 f"(SELECT complaint_id FROM {temp}.complaints)")
    return fills, insert(complaints), files


def _schemas(conn: Connection) -> tuple[str, str]:
    """(schema of the stored tables, schema of this connection's temporary tables); asked of
    PostgreSQL once per connection, not at every request."""
    if conn.dialect.name == "sqlite":
        return "main", "temp"
    if STORED_SCHEMA not in conn.info:
        conn.info[STORED_SCHEMA] = conn.execute(text("SELECT current_schema()")).scalar()
    return conn.info[STORED_SCHEMA], "pg_temp"


STORED_SCHEMA = "qinglang.stored_schema"
