"""What every rule evaluator shares: the hit it reports and the store's common sub-queries.

An evaluator is a function (connection, org, rule set) → iterable of Hit. It runs set-based
queries over the whole store — never one query per complaint — so batch analysis scales with
the store, and the same SQL runs on SQLite and PostgreSQL.

Statements are built by functions cached on their arguments (`built_once`), values that
change from one run to the next (lists of ids) left as bound parameters: online scoring runs
the same thirty-odd statements for every request, on a neighbourhood so small that building
them anew took SQLAlchemy longer than the store took to run them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator

from sqlalchemy import (Column, Connection, Index, MetaData, String, Table, and_, bindparam,
                        delete, func, insert, literal, not_, or_, select, union_all)
from sqlalchemy.sql import ColumnElement, Select

from qinglang.rules.schema import RuleSet
from qinglang.store.tables import record_tables

customers = record_tables["customers"]
complaints = record_tables["complaints"]
calls = record_tables["calls"]


@dataclass(frozen=True, slots=True)  # millions are held at once in a batch
class Hit:
    complaint_id: str
    rule_id: str
    evidence: dict = field(default_factory=dict)


Evaluator = Callable[[Connection, str, RuleSet], Iterable[Hit]]

built_once = lru_cache(maxsize=1024)  # a statement builder's arguments: org, rule parameters
IDS = bindparam("ids", expanding=True)  # a list of values bound when the statement runs


SERVICE_PREFIXES = ("+86400", "+86800")
SERVICE_MAX_LENGTH = 9  # "+86" and a 5-6 digit number: 95xxx, 12345…


def is_service_number(number) -> ColumnElement[bool]:
    """400/800 and 5-6 digit (95xxx, 12345…) numbers serve everyone: they link no one."""
    return or_(*(number.like(f"{prefix}%") for prefix in SERVICE_PREFIXES),
               func.length(number) <= SERVICE_MAX_LENGTH)


def serves_everyone(number: str) -> bool:
    """`is_service_number` for one number in hand."""
    return number.startswith(SERVICE_PREFIXES) or len(number) <= SERVICE_MAX_LENGTH


@built_once
def non_reserved_uses(org: str) -> Select:
    """(customer_id, number, source, record_id) for every number a known customer complained or
    called in from that is neither their reserved number nor a service number."""
    from_complaints = (
        select(complaints.c.customer_id, complaints.c.contact_phone.label("number"),
               literal("complaint").label("source"), complaints.c.complaint_id.label("record_id"))
        .join(customers, and_(customers.c.org == complaints.c.org,
                              customers.c.customer_id == complaints.c.customer_id))
        .where(complaints.c.org == org, complaints.c.contact_phone.is_not(None),
               or_(customers.c.reserved_phone.is_(None),
                   complaints.c.contact_phone != customers.c.reserved_phone),
               not_(is_service_number(complaints.c.contact_phone)))
    )
    from_calls = (
        select(calls.c.customer_id, calls.c.caller_number.label("number"),
               literal("call").label("source"), calls.c.call_id.label("record_id"))
        .join(customers, and_(customers.c.org == calls.c.org,
                              customers.c.customer_id == calls.c.customer_id))
        .where(calls.c.org == org, or_(calls.c.direction.is_(None), calls.c.direction == "in"),
               or_(customers.c.reserved_phone.is_(None),
                   calls.c.caller_number != customers.c.reserved_phone),
               not_(is_service_number(calls.c.caller_number)))
    )
    return union_all(from_complaints, from_calls)


phone_uses_table = Table(
    "phone_uses", MetaData(),
    Column("customer_id", String(256)), Column("number", String(256)),
    Column("source", String(16)), Column("record_id", String(256)),
    Index("ix_phone_uses_number", "number"), Index("ix_phone_uses_customer", "customer_id"),
    prefixes=["TEMPORARY"],
)


def refresh_phone_uses(conn: Connection, org: str) -> None:
    """Materialise `non_reserved_uses` once per assessment run, indexed, for the phone rules
    that group it several ways (a union re-planned inside every rule is slow on PostgreSQL).
    The temporary table stays with its connection and is emptied, not dropped: online
    scoring's connections refill it every request without changing their schema (they make
    it with their shadow tables, and mark it made in their info)."""
    if not conn.info.get(PHONE_USES_MADE):
        phone_uses_table.create(conn, checkfirst=True)
    conn.execute(EMPTY_PHONE_USES)
    conn.execute(_fill_phone_uses(org))


EMPTY_PHONE_USES = delete(phone_uses_table)
PHONE_USES_MADE = "qinglang.phone_uses_made"


@built_once
def _fill_phone_uses(org: str):
    return insert(phone_uses_table).from_select(
        ["customer_id", "number", "source", "record_id"], non_reserved_uses(org))


def complaints_of_customers(conn: Connection, org: str, customer_ids) -> Iterator[tuple]:
    """(complaint_id, customer_id) of the complaints about some customers, given as a
    sub-query or as a list (asked in slices that every driver accepts)."""
    if isinstance(customer_ids, Select):
        yield from conn.execute(_complaints_where(org, customer_ids))
        return
    customer_ids = list(customer_ids)
    for start in range(0, len(customer_ids), 5000):
        yield from conn.execute(_complaints_where(org, IDS),
                                {"ids": customer_ids[start:start + 5000]})


@built_once
def _complaints_where(org: str, customer_ids) -> Select:
    """Complaints of the customers a (cached) sub-query or IDS names."""
    return select(complaints.c.complaint_id, complaints.c.customer_id).where(
        complaints.c.org == org, complaints.c.customer_id.in_(customer_ids))


def hits_for_shared_keys(conn: Connection, org: str, rule_id: str, pairs, label: str
                         ) -> Iterator[Hit]:
    """A hit on every complaint of every customer in the (customer_id, key) pairs — a number,
    a voiceprint, a building shared with others — with each of the customer's keys and how
    many customers it reaches."""
    reach: dict[str, set] = defaultdict(set)
    keys_of: dict[str, set] = defaultdict(set)
    for customer_id, key in pairs:
        reach[key].add(customer_id)
        keys_of[customer_id].add(key)
    for complaint_id, customer_id in complaints_of_customers(conn, org, list(keys_of)):
        yield Hit(complaint_id, rule_id,
                  {label: {key: len(reach[key]) for key in sorted(keys_of[customer_id])}})
