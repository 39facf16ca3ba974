"""Alliance use cases of a member: contribute, match, sync and withdraw against the hub.

Indicators come from the member's own store — its intelligence (not what the alliance told
it), the identifiers of its gangs, and for matching also its customers', complainants' and
callers' numbers, e-mails and voiceprints — or from a file in the formats.md "intelligence"
format. Only blinded points leave the member. Matches become `intelligence` records with
source "alliance" (the category, institutions when at least k, first/last seen), where rule
2.8 and the entity graph read them; a record the member had from another source keeps its
fields and gains the alliance's view in attrs["alliance"].
"""

from __future__ import annotations

import hashlib
import os
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, select, update

from qinglang.alliance import member as protocol
from qinglang.alliance import oprf
from qinglang.alliance.bundle import Found
from qinglang.alliance.client import HubClient
from qinglang.alliance.hub import Contribution
from qinglang.alliance.indicators import KINDS, canonical, split
from qinglang.errors import InputError, InvalidValue
from qinglang.ingest.clean import RowCleaner
from qinglang.ingest.rows import RawRow
from qinglang.ingest.sources import open_source
from qinglang.ingest.values import CHINA_OFFSET
from qinglang.model.schema import load_kind
from qinglang.model.values import IdNumberProtector
from qinglang.settings import Settings
from qinglang.store import repository as repo
from qinglang.store.tables import record_tables
from qinglang.store.tables_alliance import alliance_contributions, alliance_match_runs
from qinglang.store.tables_graph import gang_members, gangs

SOURCE = "alliance"
DEFAULT_CATEGORY = "unspecified"
DEFAULT_CONFIDENCE = 0.8
# Identifier columns of the member's own records that are checked against the pool.
CHECKED_COLUMNS = {
    "customers": (("reserved_phone", "phone"), ("email", "email")),
    "complaints": (("contact_phone", "phone"), ("contact_email", "email")),
    "calls": (("caller_number", "phone"), ("voiceprint_id", "voiceprint")),
}


@dataclass
class Indicators:
    """Canonical indicators with what the member knows of each, and how many were refused."""

    facts: dict[str, Contribution] = field(default_factory=dict)
    refused: int = 0

    def add(self, kind: str, raw: str, category: str | None = None,
            confidence: float | None = None, first_seen: date | None = None,
            last_seen: date | None = None, expires_at: datetime | None = None) -> None:
        try:
            key = canonical(kind, raw)
        except InvalidValue:
            self.refused += 1
            return
        today = date.today()
        self.facts.setdefault(key, Contribution(
            b"", category or DEFAULT_CATEGORY,
            DEFAULT_CONFIDENCE if confidence is None else confidence,
            first_seen or last_seen or today, last_seen or first_seen or today,
            expires_at or datetime.combine(today + timedelta(days=365), time())))

    @property
    def keys(self) -> list[str]:
        return list(self.facts)


@dataclass
class MatchReport:
    run_id: int
    items: int
    matched: int
    key_epoch: int
    pool_version: int
    bytes_sent: int
    bytes_received: int
    hidden_counts: int
    found: dict[str, Found]


# -- where indicators come from -------------------------------------------------------------

def indicators_from_file(settings: Settings, path: Path, expires_days: int) -> Indicators:
    """A file in the formats.md "intelligence" format (CSV, JSON Lines or .xlsx)."""
    schema = load_kind("intelligence")
    source = open_source(path, None, settings.max_field_chars)
    try:
        missing = [c for c in schema.required_columns if c not in source.columns]
        if missing:
            raise InputError(f"{path.name}: required column(s) missing: {', '.join(missing)}")
        cleaner = RowCleaner(schema, source.columns, IdNumberProtector(settings.secret_key),
                             settings.max_field_chars)
        found = Indicators()
        rows = [r for r in source.rows() if isinstance(r, RawRow)]
        records, problems = cleaner.clean_batch(rows)
    finally:
        source.close()
    expiry = datetime.combine(date.today() + timedelta(days=expires_days), time())
    for record in records:
        found.add(record.columns["kind"], record.columns["indicator"],
                  **_facts_of(record.columns), expires_at=expiry)
    found.refused += len({p.number for p in problems})
    return found


def indicators_from_store(engine: Engine, org: str, expires_days: int,
                          checked: bool = False) -> Indicators:
    """The member's intelligence (not the alliance's) and gang identifiers; with `checked`
    also the identifiers of its customers, complainants and callers."""
    found = Indicators()
    expiry = datetime.combine(date.today() + timedelta(days=expires_days), time())
    intelligence = record_tables["intelligence"]
    with engine.connect() as conn:
        for row in conn.execute(select(intelligence).where(
                intelligence.c.org == org,
                (intelligence.c.source != SOURCE) | intelligence.c.source.is_(None))).mappings():
            found.add(row["kind"], row["indicator"], **_facts_of(row), expires_at=expiry)
        for kind, raw, category in _gang_identifiers(conn, org):
            found.add(kind, raw, category=category, expires_at=expiry)
        if checked:
            for name, columns in CHECKED_COLUMNS.items():
                table = record_tables[name]
                for column, kind in columns:
                    for value in conn.execute(select(table.c[column]).distinct().where(
                            table.c.org == org, table.c[column].is_not(None))).scalars():
                        found.add(kind, value, expires_at=expiry)
    return found


def _gang_identifiers(conn, org: str) -> Iterator[tuple[str, str, str]]:
    """(kind, value, gang kind) of the gangs' shared identifiers (phones, handles, …)."""
    query = (select(gang_members.c.member_type, gang_members.c.member_key, gangs.c.kind)
             .join(gangs, (gangs.c.org == gang_members.c.org)
                   & (gangs.c.gang_id == gang_members.c.gang_id))
             .where(gang_members.c.org == org, gang_members.c.member_type.in_(KINDS)))
    yield from conn.execute(query)


def _facts_of(columns) -> dict:
    def day(value):  # stored as naive UTC; the day is the day in China
        return (value + CHINA_OFFSET).date() if isinstance(value, datetime) else None

    return {"category": columns.get("category"), "confidence": columns.get("confidence"),
            "first_seen": day(columns.get("first_seen")),
            "last_seen": day(columns.get("last_seen"))}


# -- use cases ------------------------------------------------------------------------------

@contextmanager
def workers(count: int | None = None) -> Iterator[protocol.Workers]:
    """Processes for hashing and scalar multiplications (one per core by default)."""
    count = count or os.cpu_count() or 1
    if count < 2:
        yield protocol.Workers()
        return
    with oprf.worker_pool(count) as executor:
        yield protocol.Workers(executor, count)


def contribute(engine: Engine, org: str, client: HubClient, indicators: Indicators,
               pool: protocol.Workers) -> int:
    keys = indicators.keys
    stored = protocol.contribute(client, keys, [indicators.facts[k] for k in keys], pool)
    now = repo.utcnow()
    rows = [{"org": org, "indicator_key": k, "category": f.category,
             "confidence": f.confidence, "expires_at": f.expires_at, "contributed_at": now,
             "withdrawn_at": None} for k, f in indicators.facts.items()]
    with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            repo.upsert(conn, alliance_contributions, rows[start:start + 5000])
    return stored


def withdraw(engine: Engine, org: str, client: HubClient, indicators: Indicators | None,
             pool: protocol.Workers) -> int:
    """Withdraw some of the member's contributions, or all of them when indicators is None."""
    keys = None if indicators is None else indicators.keys
    removed = protocol.withdraw(client, keys, pool)
    query = update(alliance_contributions).where(alliance_contributions.c.org == org,
                                                 alliance_contributions.c.withdrawn_at.is_(None))
    if keys is not None:
        query = query.where(alliance_contributions.c.indicator_key.in_(keys))
    with engine.begin() as conn:
        conn.execute(query.values(withdrawn_at=repo.utcnow()))
    return removed


def pool_cache(settings: Settings) -> Path:
    return settings.home / "alliance" / "pool.bin"


def sync(settings: Settings, client: HubClient) -> tuple[int, int, int]:
    """Download the pool bundle when it changed: (entries, key epoch, pool version)."""
    bundle = protocol.sync(client, pool_cache(settings))
    return len(bundle), bundle.epoch, bundle.version


def match(engine: Engine, settings: Settings, client: HubClient, indicators: Indicators,
          pool: protocol.Workers) -> MatchReport:
    started = repo.utcnow()
    keys = indicators.keys
    found = {keys[i]: f for i, f in
             protocol.match(client, keys, pool_cache(settings), pool).items()}
    bundle_epoch, bundle_version = sync(settings, client)[1:]
    with engine.begin() as conn:
        run_id = conn.execute(alliance_match_runs.insert().values(
            org=settings.org, started_at=started, finished_at=repo.utcnow(), items=len(keys),
            matched=len(found), key_epoch=bundle_epoch, pool_version=bundle_version,
            bytes_sent=client.traffic.sent, bytes_received=client.traffic.received,
        )).inserted_primary_key[0]
        _record_matches(conn, settings.org, run_id, found)
    return MatchReport(run_id, len(keys), len(found), bundle_epoch, bundle_version,
                       client.traffic.sent, client.traffic.received,
                       sum(f.institutions is None for f in found.values()), found)


def _record_matches(conn, org: str, run_id: int, found: dict[str, Found]) -> None:
    """Matches as intelligence records; a record from another source keeps its own fields."""
    if not found:
        return
    table = record_tables["intelligence"]
    label = f"alliance:{run_id}:{secrets.token_hex(8)}"
    import_id, _ = repo.begin_import(conn, org, "intelligence",
                                     hashlib.sha256(label.encode()).hexdigest(),
                                     f"alliance match run {run_id}", SOURCE, None)
    existing = {}
    keys = list(found)
    for start in range(0, len(keys), 500):
        existing.update((r["indicator_key"], r) for r in conn.execute(select(table).where(
            table.c.org == org, table.c.indicator_key.in_(keys[start:start + 500]))).mappings())
    now = repo.utcnow()
    rows = []
    for number, (key, seen) in enumerate(found.items(), start=1):
        view = {"institutions": seen.institutions, "categories": list(seen.categories),
                "confidence": seen.confidence, "run": run_id}
        kind, value = split(key)
        row = dict(existing.get(key) or {
            "org": org, "indicator_key": key, "indicator": value, "kind": kind,
            "category": ";".join(seen.categories) or None, "source": SOURCE,
            "first_seen": datetime.combine(seen.first_seen, time()) - CHINA_OFFSET,
            "last_seen": datetime.combine(seen.last_seen, time()) - CHINA_OFFSET,
            "confidence": seen.confidence, "originals": {}, "attrs": {},
            "import_id": import_id, "source_row": number})
        row.update(attrs={**row["attrs"], SOURCE: view}, updated_at=now)
        rows.append(row)
    for start in range(0, len(rows), 5000):
        repo.upsert(conn, table, rows[start:start + 5000])
    repo.checkpoint(conn, import_id, len(rows), len(rows), 0)
    repo.finish_import(conn, import_id)

