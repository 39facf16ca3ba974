"""The audit log: every action of every user, in one hash-chained, append-only log.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical content
(its sequence number, time, institution, actor, action, target and detail), so an entry
edited, deleted or moved in the database breaks the chain where it happened. Dropping the
newest entries leaves an intact shorter chain: that shows only against a head noted before
(an anchor, e.g. printed by `qinglang audit verify` or kept in a referral package's manifest).

Details never carry personal data: they name files, kinds, counts and case numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from qinglang.cases.canonical import canonical_bytes, sha256_hex
from qinglang.errors import QinglangError
from qinglang.settings import login_name
from qinglang.store.repository import utcnow
from qinglang.store.tables_cases import audit_log

GENESIS = "0" * 64
PAGE = 5000
_PG_LOCK_KEY = 0x71_6C_61_75_64_69_74  # pg_advisory_xact_lock key serialising appends
_RETRIES = 10


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    org: str
    actor: str
    action: str
    target: str
    detail: dict
    prev_hash: str
    hash: str


def record(db: Engine | Connection, org: str, actor: str | None, action: str, target: str,
           detail: dict | None = None) -> AuditEntry:
    """Append one entry. Given a Connection, the entry joins the caller's transaction (it is
    kept only if the action is); given an Engine, it is committed on its own. A missing
    actor is the command-line user (QINGLANG_USER or the login name)."""
    values = dict(org=org, actor=actor or login_name(), action=action, target=str(target),
                  detail=detail or {})
    if isinstance(db, Connection):
        return _append(db, **values)
    for attempt in range(_RETRIES):
        try:
            with db.begin() as conn:
                return _append(conn, **values)
        except DBAPIError:  # another writer took the same sequence number first
            if attempt == _RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _append(conn: Connection, org: str, actor: str, action: str, target: str,
            detail: dict) -> AuditEntry:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    last = conn.execute(select(audit_log.c.seq, audit_log.c.hash)
                        .order_by(audit_log.c.seq.desc()).limit(1)).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS)
    at = utcnow()
    digest = entry_hash(prev_hash, seq, at, org, actor, action, target, detail)
    conn.execute(audit_log.insert().values(seq=seq, at=at, org=org, actor=actor, action=action,
                                           target=target, detail=detail, prev_hash=prev_hash,
                                           hash=digest))
    return AuditEntry(seq, at, org, actor, action, target, detail, prev_hash, digest)


def entry_hash(prev_hash: str, seq: int, at: datetime, org: str, actor: str, action: str,
               target: str, detail: dict) -> str:
    content = {"seq": seq, "at": at, "org": org, "actor": actor, "action": action,
               "target": target, "detail": detail}
    return sha256_hex(prev_hash.encode() + b"\n" + canonical_bytes(content))


def _stored_hash_matches(row) -> bool:
    return entry_hash(row.prev_hash, row.seq, row.at, row.org, row.actor, row.action,
                      row.target, row.detail) == row.hash


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # edited | deleted | reordered | broken | truncated
    message: str


@dataclass
class VerifyReport:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class BadAnchor(QinglangError):
    code = "bad_anchor"


def parse_anchor(anchor: str) -> tuple[int, str]:
    """'SEQ:HASH', as `qinglang audit verify` prints the head."""
    seq, _, digest = anchor.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise BadAnchor("an anchor is SEQ:HASH, as `qinglang audit verify` prints it")
    return int(seq), digest.lower()


def verify(engine: Engine, anchor: tuple[int, str] | None = None) -> VerifyReport:
    """Walk the whole chain and say where it is broken, and how."""
    report = VerifyReport()
    position_of = _positions_by_hash(engine)
    expected_seq, prev_hash = 1, GENESIS
    for row in _rows(engine):
        report.entries += 1
        if row.seq > expected_seq:
            missing = (f"entry {expected_seq}" if row.seq == expected_seq + 1
                       else f"entries {expected_seq}–{row.seq - 1}")
            report.problems.append(Problem(expected_seq, "deleted", f"{missing} deleted"))
        intact = _stored_hash_matches(row)
        if row.seq <= expected_seq and row.prev_hash != prev_hash:
            if not intact or row.prev_hash not in position_of:
                report.problems.append(_link_problem(row, position_of))
            # else: its predecessor is intact elsewhere, and reported there as moved
        if not intact and not _is_moved(row, position_of):
            report.problems.append(Problem(row.seq, "edited",
                                           f"entry {row.seq} edited: its content no longer "
                                           f"matches its hash"))
        expected_seq, prev_hash = row.seq + 1, row.hash
        report.head_seq, report.head_hash = row.seq, row.hash
    if anchor:
        report.problems += _anchor_problems(engine, anchor, report)
    return report


def _link_problem(row, position_of: dict[str, int]) -> Problem:
    earlier = position_of.get(row.prev_hash)
    if _is_moved(row, position_of):
        return Problem(row.seq, "reordered",
                       f"entry {row.seq} reordered: it was written right after entry "
                       f"{earlier}, not after entry {row.seq - 1}")
    return Problem(row.seq, "broken",
                   f"entry {row.seq} does not follow entry {row.seq - 1}: entry "
                   f"{row.seq - 1} was changed and re-hashed, or entries were replaced")


def _is_moved(row, position_of: dict[str, int]) -> bool:
    """The entry links to an entry other than the one before it."""
    earlier = position_of.get(row.prev_hash)
    return earlier is not None and earlier != row.seq - 1


def _anchor_problems(engine: Engine, anchor: tuple[int, str],
                     report: VerifyReport) -> list[Problem]:
    seq, digest = anchor
    with engine.connect() as conn:
        stored = conn.execute(select(audit_log.c.hash).where(audit_log.c.seq == seq)).scalar()
    if stored is None:
        return [Problem(seq, "truncated", f"entry {seq} of the anchor is gone: the log was "
                                          f"cut back to entry {report.head_seq}")]
    if stored != digest:
        return [Problem(seq, "edited", f"entry {seq} differs from the anchor's hash")]
    return []


def _positions_by_hash(engine: Engine) -> dict[str, int]:
    return {row.hash: row.seq for row in _rows(engine, audit_log.c.seq, audit_log.c.hash)}


def _rows(engine: Engine, *columns) -> Iterator:
    """Entries in sequence order, a page at a time."""
    last = 0
    with engine.connect() as conn:
        while True:
            rows = list(conn.execute(select(*(columns or (audit_log,)))
                                     .where(audit_log.c.seq > last)
                                     .order_by(audit_log.c.seq).limit(PAGE)))
            if not rows:
                return
            yield from rows
            last = rows[-1].seq


def entries(engine: Engine, org: str, actor: str | None = None, action: str | None = None,
            limit: int = 50) -> list[AuditEntry]:
    """The newest entries of one institution, newest first."""
    query = select(audit_log).where(audit_log.c.org == org)
    if actor:
        query = query.where(audit_log.c.actor == actor)
    if action:
        query = query.where(audit_log.c.action.startswith(action))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(audit_log.c.seq.desc()).limit(limit)).mappings()
        return [AuditEntry(**row) for row in rows]


def count(engine: Engine, org: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_log)
                            .where(audit_log.c.org == org)).scalar()
