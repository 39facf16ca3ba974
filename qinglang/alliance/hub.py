"""The hub's use cases: members, OPRF evaluations under quota, the pool, audit, key rotation.

The hub sees blinded points (which say nothing of the identifiers behind them), OPRF points
that members contribute or withdraw, and counts. It stores per contribution the point, the
contributor (for withdrawal and for counting distinct institutions), category, confidence,
dates and expiry. Its log and audit name the member, the action and how many items — never
which.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from itertools import groupby
from pathlib import Path

from sqlalchemy import Engine, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from qinglang.alliance import keys, oprf
from qinglang.alliance.bundle import MAX_CATEGORIES, PoolEntry, encode
from qinglang.alliance.hub_store import audit, categories, members, pool, state, usage
from qinglang.errors import QinglangError

log = logging.getLogger("qinglang.alliance.hub")
PERIODS = {"day": "%Y-%m-%d", "month": "%Y-%m"}


class AuthError(QinglangError):
    http_status = 401
    code = "unauthorized"


class QuotaExceeded(QinglangError):
    http_status = 429
    code = "quota_exceeded"


class StaleEpoch(QinglangError):
    """The points were computed under a key the hub has since rotated away."""

    http_status = 409
    code = "stale_epoch"


@dataclass(frozen=True)
class Policy:
    """Set by the alliance: the k of k-anonymity for counts, and evaluation quotas."""

    k: int = 3
    default_quota: int = 1_000_000
    quota_period: str = "day"


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    quota: int | None


@dataclass(frozen=True)
class Contribution:
    """One contributed point with what its contributor says about it."""

    point: bytes
    category: str
    confidence: float
    first_seen: date
    last_seen: date
    expires_at: datetime


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def token_digest(token: str) -> str:
    """Tokens are 256-bit random strings, so a plain SHA-256 cannot be reversed."""
    return hashlib.sha256(token.encode()).hexdigest()


class Hub:
    def __init__(self, engine: Engine, home: Path, admin_token: str, policy: dict | None = None,
                 executor: Executor | None = None, workers: int = 1):
        oprf.check_libsodium()
        self.engine = engine
        self.home = home
        self._admin_digest = token_digest(admin_token)
        self.executor = executor
        self.workers = workers
        self._rotation = threading.Lock()
        self._building = threading.Lock()
        self._bundle: tuple[tuple[int, int], bytes] | None = None
        self.key = self._start(policy)

    # -- state and policy -------------------------------------------------------------------

    def _start(self, changes: dict | None) -> keys.HubKey:
        """The key for the store's epoch (a new one for a new hub), and the policy stored with
        `changes` (fields of `Policy`) applied."""
        with self.engine.begin() as conn:
            row = conn.execute(select(state)).mappings().first()
        key = keys.settle_key(self.home, row["key_epoch"] if row else None)
        if row is None:
            key = key or keys.HubKey(1, oprf.new_key())
            keys.write_key(keys.key_path(self.home), key)
            with self.engine.begin() as conn:
                conn.execute(insert(state).values(id=1, key_epoch=key.epoch, pool_version=1,
                                                  **_policy_values(Policy(**changes or {}))))
        elif changes:
            with self.engine.begin() as conn:
                conn.execute(update(state).values(
                    **_policy_values(replace(self.policy(), **changes))))
        return key

    def policy(self) -> Policy:
        with self.engine.connect() as conn:
            row = conn.execute(select(state)).mappings().one()
        return Policy(row["k"], row["default_quota"], row["quota_period"])

    # -- members ----------------------------------------------------------------------------

    def check_admin(self, token: str | None) -> None:
        if not token or not hmac.compare_digest(token_digest(token), self._admin_digest):
            raise AuthError("the alliance administrator's token is required")

    def register(self, name: str, quota: int | None = None) -> str:
        """A new member; its token is returned once and stored only as a digest."""
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            if conn.execute(select(members.c.id).where(members.c.name == name)).first():
                raise QinglangError(f"a member named {name!r} is already registered")
            conn.execute(insert(members).values(name=name, token_sha256=token_digest(token),
                                                quota=quota, active=True,
                                                registered_at=utcnow()))
        self._audit(None, "register", 1, "ok")
        return token

    def authenticate(self, token: str | None) -> Member:
        if token:
            with self.engine.connect() as conn:
                row = conn.execute(select(members).where(
                    members.c.token_sha256 == token_digest(token), members.c.active)).first()
            if row:
                return Member(row.id, row.name, row.quota)
        raise AuthError("a valid member token is required")

    # -- evaluations ------------------------------------------------------------------------

    def evaluate(self, member: Member, blinded: bytes) -> tuple[int, bytes]:
        """k·B for each blinded point, counted against the member's quota first."""
        count = len(blinded) // oprf.POINT
        self._consume_quota(member, count)
        key = self.key
        evaluated = oprf.map_points(self.executor, self.workers, key.scalar, blinded)
        self._audit(member.id, "evaluate", count, "ok")
        return key.epoch, evaluated

    def _consume_quota(self, member: Member, count: int) -> None:
        policy = self.policy()
        quota = member.quota if member.quota is not None else policy.default_quota
        period = utcnow().strftime(PERIODS[policy.quota_period])
        with self.engine.begin() as conn:
            _upsert(conn, usage, [{"member_id": member.id, "period": period, "evaluations": 0}],
                    update=False)
            granted = conn.execute(update(usage).where(
                usage.c.member_id == member.id, usage.c.period == period,
                usage.c.evaluations + count <= quota,
            ).values(evaluations=usage.c.evaluations + count)).rowcount
        if not granted:
            self._audit(member.id, "evaluate", count, "refused")
            raise QuotaExceeded(f"the evaluation quota of {quota:,} per {policy.quota_period} "
                                f"is used up")

    def usage_of(self, member: Member) -> int:
        period = utcnow().strftime(PERIODS[self.policy().quota_period])
        with self.engine.connect() as conn:
            used = conn.execute(select(usage.c.evaluations).where(
                usage.c.member_id == member.id, usage.c.period == period)).scalar()
        return used or 0

    # -- the pool ---------------------------------------------------------------------------

    def contribute(self, member: Member, epoch: int, items: list[Contribution]) -> int:
        now = utcnow()
        rows = {item.point: {
            "point": _valid_point(item.point), "member_id": member.id,
            "category": item.category[:64], "confidence": min(max(item.confidence, 0.0), 1.0),
            "first_seen": item.first_seen, "last_seen": item.last_seen,
            "expires_at": item.expires_at, "contributed_at": now,
        } for item in items}
        with self._rotation, self.engine.begin() as conn:
            self._check_epoch(epoch)
            _add_categories(conn, {row["category"] for row in rows.values()})
            _upsert(conn, pool, list(rows.values()))
            self._bump_version(conn)
        self._audit(member.id, "contribute", len(rows), "ok")
        return len(rows)

    def withdraw(self, member: Member, epoch: int | None, points: list[bytes] | None) -> int:
        """The member's own contributions of these points (all of them when points is None)."""
        query = delete(pool).where(pool.c.member_id == member.id)
        with self._rotation, self.engine.begin() as conn:
            if points is None:
                removed = conn.execute(query).rowcount
            else:
                self._check_epoch(epoch)
                removed = sum(conn.execute(query.where(pool.c.point.in_(chunk))).rowcount
                              for chunk in _chunks(points, 500))
            self._bump_version(conn)
        self._audit(member.id, "withdraw", removed, "ok")
        return removed

    def bundle(self, member: Member) -> tuple[str, bytes]:
        """The compact pool encoding (built once per pool version and key epoch) and its tag."""
        with self.engine.begin() as conn:
            if conn.execute(delete(pool).where(pool.c.expires_at <= utcnow())).rowcount:
                self._bump_version(conn)
            row = conn.execute(select(state)).mappings().one()
        current = (row["key_epoch"], row["pool_version"])
        with self._building:
            if self._bundle is None or self._bundle[0] != current:
                with self.engine.connect() as conn:
                    names = list(conn.execute(select(categories.c.name)).scalars())
                self._bundle = (current, encode(self._entries(), names, version=current[1],
                                                epoch=current[0], k=row["k"]))
            built = self._bundle
        self._audit(member.id, "sync", 1, "ok")
        return f'"{built[0][0]}-{built[0][1]}"', built[1]

    def _entries(self):
        query = select(pool.c.point, pool.c.member_id, pool.c.category, pool.c.confidence,
                       pool.c.first_seen, pool.c.last_seen).order_by(pool.c.point)
        with self.engine.connect() as conn:
            rows = conn.execution_options(yield_per=50_000).execute(query)
            for point, group in groupby(rows, key=lambda r: r.point):
                group = list(group)
                yield PoolEntry(bytes(point), len({r.member_id for r in group}),
                                max(r.confidence for r in group),
                                frozenset(r.category for r in group),
                                min(r.first_seen for r in group),
                                max(r.last_seen for r in group))

    def _check_epoch(self, epoch: int | None) -> None:
        if epoch != self.key.epoch:
            raise StaleEpoch("the hub's key was rotated: evaluate the items again")

    @staticmethod
    def _bump_version(conn) -> None:
        conn.execute(update(state).values(pool_version=state.c.pool_version + 1))

    # -- key rotation -----------------------------------------------------------------------

    def rotate_key(self) -> int:
        """A new key; every stored point P becomes k'·k⁻¹·P in the same transaction."""
        with self._rotation:
            old = self.key
            new = keys.HubKey(old.epoch + 1, oprf.new_key())
            keys.write_key(keys.next_key_path(self.home), new)
            factor = oprf.multiply_scalars(new.scalar, oprf.invert(old.scalar))
            with self.engine.begin() as conn:
                olds = [bytes(p) for p in conn.execute(select(pool.c.point).distinct()).scalars()]
                news = oprf.split_points(oprf.map_points(self.executor, self.workers, factor,
                                                         b"".join(olds)))
                if olds:
                    conn.execute(update(pool).where(pool.c.point == bindparam("old"))
                                 .values(point=bindparam("new")),
                                 [{"old": o, "new": n} for o, n in zip(olds, news)])
                conn.execute(update(state).values(key_epoch=new.epoch,
                                                  pool_version=state.c.pool_version + 1))
            keys.settle_key(self.home, new.epoch)
            self.key = new
        self._audit(None, "rotate-key", len(olds), "ok")
        return new.epoch

    # -- audit ------------------------------------------------------------------------------

    def _audit(self, member_id: int | None, action: str, items: int, outcome: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(audit).values(at=utcnow(), member_id=member_id, action=action,
                                              items=items, outcome=outcome))
        log.info("member=%s action=%s items=%d outcome=%s", member_id if member_id else "admin",
                 action, items, outcome)

    def audit_report(self) -> list[dict]:
        """Per member and action: requests, items and refusals — how much, never what."""
        query = (select(func.coalesce(members.c.name, "(admin)").label("member"), audit.c.action,
                        audit.c.outcome, func.count().label("requests"),
                        func.sum(audit.c["items"]).label("items"),
                        func.max(audit.c.at).label("last_at"))
                 .select_from(audit.outerjoin(members, members.c.id == audit.c.member_id))
                 .group_by(members.c.name, audit.c.action, audit.c.outcome)
                 .order_by(members.c.name, audit.c.action, audit.c.outcome))
        with self.engine.connect() as conn:
            return [dict(r, last_at=r["last_at"].isoformat(timespec="seconds"))
                    for r in conn.execute(query).mappings()]


def _policy_values(policy: Policy) -> dict:
    if policy.quota_period not in PERIODS:
        raise QinglangError(f"quota period must be one of {', '.join(PERIODS)}")
    if policy.k < 1 or policy.default_quota < 0:
        raise QinglangError("k must be at least 1 and the quota not negative")
    return {"k": policy.k, "default_quota": policy.default_quota,
            "quota_period": policy.quota_period}


def _upsert(conn, table: Table, rows: list[dict], update: bool = True) -> None:
    """Insert rows, replacing (or keeping, with update=False) those whose key exists."""
    if not rows:
        return
    statement = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
    keys = [c.name for c in table.primary_key.columns]
    if update:
        statement = statement.on_conflict_do_update(index_elements=keys, set_={
            c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    conn.execute(statement, rows)


def _add_categories(conn, names: set[str]) -> None:
    """The alliance's category vocabulary: a bundle has a bit for each, so at most 32."""
    _upsert(conn, categories, [{"name": n} for n in names], update=False)
    if conn.execute(select(func.count()).select_from(categories)).scalar() > MAX_CATEGORIES:
        raise QinglangError(f"the alliance has room for {MAX_CATEGORIES} categories")


def _valid_point(point: bytes) -> bytes:
    if len(point) != oprf.POINT or not oprf.is_valid_point(point):
        raise oprf.ProtocolError("a contributed point is not a valid ristretto255 encoding")
    return point


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]
